from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "care"
    verbose_name = _("worries and buddies")

    def ready(self) -> None:
        import datetime as dt

        from care import leaving
        from residents import registry
        from wijkhuis.jobs import PERIODIC_JOBS

        registry.leave_checks.append(leaving.leave_checks)
        registry.erasers.append(leaving.erase)
        registry.house_nav.append(house_nav)
        registry.mine_sections.append("care/_mine.html")
        PERIODIC_JOBS["care_remind_worries"] = ("care.jobs.remind_worries", dt.timedelta(hours=1))
        PERIODIC_JOBS["care_follow_up_matches"] = ("care.jobs.follow_up_matches", dt.timedelta(hours=24))

        from care import personal

        personal.register()


def house_nav(request, house):
    """ "Zorg melden" for everyone, "Maatjes" for members, the team's lists for coordinators and staff."""
    from django.urls import reverse

    from care.models import TEAM_ROLES
    from residents.permissions import can
    from residents.registry import NavItem

    items = [NavItem(reverse("care:raise", kwargs={"house": house.slug}), _("Raise a worry"))]
    if can(request.user, "house.use", house):
        items.append(NavItem(reverse("care:buddies", kwargs={"house": house.slug}), _("Buddies")))
    if request.user.is_authenticated and set(TEAM_ROLES) & request.user.roles_in(house):
        items.append(NavItem(reverse("care:worries", kwargs={"house": house.slug}), _("Worries")))
    return items
