from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = _("news")

    def ready(self) -> None:
        from news import leaving
        from residents import registry

        registry.leave_checks.append(leaving.leave_checks)
        registry.erasers.append(leaving.erase)
        registry.house_nav.append(house_nav)
        registry.house_nav.append(koffiekrant_nav)
        registry.house_nav.append(screen_nav)

        from news import personal

        personal.register()


def house_nav(request, house):
    """The news of the house in the house menu, for everyone."""
    from django.urls import reverse

    from residents.registry import NavItem

    return [NavItem(reverse("news:list", kwargs={"house": house.slug}), _("News"))]


def koffiekrant_nav(request, house):
    """The koffiekrant (the weekly newsletter on paper) for everyone: its published issues."""
    from django.urls import reverse

    from residents.registry import NavItem

    return [NavItem(reverse("news:koffiekrant", kwargs={"house": house.slug}), _("Koffiekrant"))]


def screen_nav(request, house):
    """The information screen's page (its secret address) for coordinators and staff."""
    from django.urls import reverse

    from residents.permissions import can
    from residents.registry import NavItem

    if not can(request.user, "screen.manage", house):
        return []
    return [NavItem(reverse("news:screen_manage", kwargs={"house": house.slug}), _("Screen"))]
