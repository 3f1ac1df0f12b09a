"""Resolve `<house>` in a URL to the House, following old short names."""

from __future__ import annotations

from functools import wraps

from django.http import Http404
from django.shortcuts import redirect

from residents.models import House, HouseSlug


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
        return view(request, *args, house=obj, **kwargs)

    return wrapped
