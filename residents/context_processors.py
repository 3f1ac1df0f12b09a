from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from residents import registry
from residents.permissions import can


def portal(request):
    """The current house, the menu a person's roles allow, and whether this is the demo."""
    house = getattr(request, "house", None)
    user = request.user
    nav: list[registry.NavItem] = []
    if house is not None:
        nav.append(registry.NavItem(house.get_absolute_url(), _("Home")))
        nav.extend(registry.house_nav_items(request, house))
        if user.is_authenticated and can(user, "members.view", house):
            nav.append(
                registry.NavItem(reverse("residents:members", kwargs={"house": house.slug}), _("Members"))
            )
        if user.is_authenticated and can(user, "house.end", house):
            nav.append(
                registry.NavItem(
                    reverse("residents:archive", kwargs={"house": house.slug}),
                    _("Archive") if house.ended_at else _("End the house"),
                )
            )
    return {
        "current_house": house,
        "nav_items": nav,
        "site_nav_items": registry.site_nav_items(request),
        "DEMO_MODE": settings.DEMO_MODE,
        "MFA_REQUIRED_FOR_STAFF": settings.MFA_REQUIRED_FOR_STAFF,
    }
