from django.conf import settings

from residents.permissions import can


def portal(request):
    """The current house, the navigation a person's roles allow, and whether this is the demo."""
    house = getattr(request, "house", None)
    user = request.user
    nav = []
    if house is not None:
        nav.append(("house", house.get_absolute_url(), house.name))
        if user.is_authenticated and can(user, "members.view", house):
            from django.urls import reverse

            nav.append(("members", reverse("residents:members", kwargs={"house": house.slug}), None))
    return {
        "current_house": house,
        "nav_items": nav,
        "DEMO_MODE": settings.DEMO_MODE,
        "MFA_REQUIRED_FOR_STAFF": settings.MFA_REQUIRED_FOR_STAFF,
    }
