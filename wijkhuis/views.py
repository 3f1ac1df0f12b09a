"""Pages the project composes from every app: the home pages and the statements."""

from __future__ import annotations

from django.shortcuts import redirect, render

from residents.decorators import house_view
from residents.models import House, Membership, Organisation, Role


def home(request):
    houses = list(House.objects.visible_to(request.user).select_related("owner"))
    if len(houses) == 1:
        return redirect(houses[0])
    return render(request, "home.html", {"houses": houses})


@house_view
def house_home(request, house: House):
    opening_hours = list(house.opening_hours.all())
    membership = None
    if request.user.is_authenticated:
        membership = Membership.objects.filter(
            user=request.user, house=house, role__in=[Role.RESIDENT, Role.STUDENT]
        ).first()
    return render(
        request,
        "house.html",
        {"house": house, "opening_hours": opening_hours, "membership": membership},
    )


def accessibility(request):
    return render(request, "pages/accessibility.html")


def privacy(request):
    controllers = Organisation.objects.filter(
        kind=Organisation.Kind.CORPORATION, houses__is_active=True
    ).distinct()
    return render(request, "pages/privacy.html", {"controllers": controllers})


def error_404(request, exception):
    return render(request, "404.html", status=404)


def error_403(request, exception):
    return render(request, "403.html", status=403)


def error_500(request):
    # Rendered without context processors that touch the database: it may be what failed.
    from django.template import loader
    from django.http import HttpResponseServerError

    return HttpResponseServerError(loader.get_template("500.html").render())
