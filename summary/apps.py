from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummaryConfig(AppConfig):
    name = "summary"
    verbose_name = _("pilot summary")

    def ready(self) -> None:
        import datetime as dt

        from residents import registry
        from wijkhuis.jobs import PERIODIC_JOBS

        registry.house_nav.append(house_nav)
        registry.site_nav.append(site_nav)
        PERIODIC_JOBS["summary_count_changes"] = ("summary.jobs.count_changes", dt.timedelta(minutes=15))


def house_nav(request, house):
    """ "Overzicht" in the house menu for those who may read the house's summary."""
    from django.urls import reverse

    from residents.permissions import can
    from residents.registry import NavItem

    if not can(request.user, "summary.view", house):
        return []
    return [NavItem(reverse("summary:house", kwargs={"house": house.slug}), _("Summary"))]


def site_nav(request):
    """The summary of all houses in the main menu, for viewers, coordinators and staff of any house."""
    from django.urls import reverse

    from residents.models import Role
    from residents.registry import NavItem

    user = request.user
    if user.is_authenticated and (
        user.is_superuser or user.has_any_role(Role.VIEWER, Role.COORDINATOR, Role.STAFF)
    ):
        return [NavItem(reverse("summary:all"), _("Summary of all houses"))]
    return []
