from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutiesConfig(AppConfig):
    name = "duties"
    verbose_name = _("student duties and hours")

    def ready(self) -> None:
        from duties import ending, leaving
        from residents import registry

        registry.leave_checks.append(leaving.leave_checks)
        registry.erasers.append(leaving.erase)
        registry.house_enders.append(ending.end_house)
        registry.site_nav.append(site_nav)

        from duties import personal

        personal.register()


def site_nav(request):
    """ "Uren" in the main menu for students (their hours) and coordinators and staff (the review)."""
    from django.urls import reverse

    from residents.models import Role
    from residents.registry import NavItem

    user = request.user
    if user.is_authenticated and (
        user.is_superuser or user.has_any_role(Role.STUDENT, Role.COORDINATOR, Role.STAFF)
    ):
        return [NavItem(reverse("duties:home"), _("Hours"))]
    return []
