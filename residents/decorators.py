"""Resolve `<house>` in a URL to the House, following old short names; an ended house is read-only."""

from __future__ import annotations

from functools import wraps

from django.http import Http404
from django.shortcuts import redirect, render

from residents.models import House, HouseSlug

# Methods that only read: an ended house (an archive) still answers them.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def archive_allowed(view):
    """Mark a view that may still change things in an ended house (staff exporting or deleting a
    person's data on request, the summary's final story, the archive page itself).

    Works above or below `house_view`, and around a view in a URL conf."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.allowed_in_archive = True
        return view(request, *args, **kwargs)

    wrapped.allowed_in_archive = True
    return wrapped


def house_view(view):
    """Pass the House (not its slug) to the view; an old slug redirects, an unknown one is a 404."""

    @wraps(view)
    def wrapped(request, *args, house: str, **kwargs):
        obj = House.objects.visible_to(request.user).filter(slug=house).first()
        if obj is None:
            old = HouseSlug.objects.select_related("house").filter(slug=house).first()
            if old is not None and old.house.is_active:
                prefix = f"/{house}/"
                rest = request.path[len(prefix) :] if request.path.startswith(prefix) else ""
                target = f"/{old.house.slug}/{rest}"
                if request.META.get("QUERY_STRING"):
                    target += "?" + request.META["QUERY_STRING"]
                return redirect(target, permanent=True)
            raise Http404
        request.house = obj
        if (
            obj.ended_at is not None
            and request.method not in READING_METHODS
            and not getattr(view, "allowed_in_archive", False)
            and not getattr(request, "allowed_in_archive", False)
        ):
            return render(request, "residents/house_ended.html", {"house": obj}, status=403)
        return view(request, *args, house=obj, **kwargs)

    return wrapped
