"""Pages the project composes from every app: the home pages and the statements."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import redirect, render

from residents.decorators import house_view
from residents.models import House, HouseSlug, Membership, Organisation, Role


def home(request):
    houses = list(House.objects.visible_to(request.user).select_related("owner"))
    if len(houses) == 1:
        return redirect(houses[0])
    return render(request, "home.html", {"houses": houses})


@house_view
def house_home(request, house: House):
    opening_hours = list(house.opening_hours.all())
    membership = None
    # Staff, coordinators and viewers work here; they are not asked to join.
    work_roles = []
    if request.user.is_authenticated:
        work_roles = [
            str(Role(r).label) for r in sorted(request.user.roles_in(house) - {Role.RESIDENT, Role.STUDENT})
        ]
    if request.user.is_authenticated:
        membership = Membership.objects.filter(
            user=request.user, house=house, role__in=[Role.RESIDENT, Role.STUDENT]
        ).first()
    return render(
        request,
        "house.html",
        {
            "house": house,
            "opening_hours": opening_hours,
            "membership": membership,
            "work_roles": ", ".join(work_roles),
            "week_activities": _week_programme(house),
            "latest_news": _latest_news(request, house),
        },
    )


def _latest_news(request, house: House) -> list:
    """The three latest published posts this person may read here, pinned first (one query)."""
    from news.models import Post

    posts = list(
        Post.objects.published()
        .for_house(house)
        .visible_to(request.user)
        .select_related("house")
        .order_by("-pinned", "-publish_at", "-pk")[:3]
    )
    for post in posts:
        post.link = post.url_in(house)
    return posts


def _week_programme(house: House):
    """The planned activities for everyone in the coming seven days, for the house page (one query).
    Seven days rather than "until Sunday", so the page is not empty late in the week."""
    from django.utils import timezone

    from activities.selectors import public_week_activities

    now = timezone.now()
    return public_week_activities(house, now, now + dt.timedelta(days=7))


def _controllers():
    """The housing corporations that own active houses: the data controllers."""
    return Organisation.objects.filter(kind=Organisation.Kind.CORPORATION, houses__is_active=True).distinct()


def accessibility(request):
    return render(request, "pages/accessibility.html", {"controllers": _controllers()})


def privacy(request, house: str | None = None):
    """The privacy statement, built from what the portal does (wijkhuis/privacy.py): for every
    corporation, or (`/privacy/<house>/`) for the one that owns that house."""
    from wijkhuis import privacy as statement

    obj = None
    if house is not None:
        obj = statement.find_house(house)
        if obj is None:
            # A short name printed on an old flyer still finds the house.
            old = HouseSlug.objects.select_related("house").filter(slug=house, house__is_active=True).first()
            if old is None:
                raise Http404
            return redirect("privacy_house", house=old.house.slug, permanent=True)
        request.house = obj  # the house's own header and menu
    return render(request, "pages/privacy.html", statement.statement(obj))


def error_404(request, exception):
    return render(request, "404.html", status=404)


def error_403(request, exception):
    return render(request, "403.html", status=403)


def error_500(request):
    # Rendered without context processors that touch the database: it may be what failed.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())
