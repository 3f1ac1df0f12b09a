from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("activities and the living room")

    def ready(self) -> None:
        from activities import ending, feeds, leaving
        from residents import registry

        registry.leave_checks.append(leaving.leave_checks)
        registry.erasers.append(leaving.erase)
        registry.house_enders.append(ending.end_house)
        registry.feed_sources.append(feeds.personal_events)
        registry.house_nav.append(house_nav)
        registry.mine_sections.append("activities/_mine.html")
        registry.mine_sections.append("activities/_mine_reminders.html")

        from activities import personal

        personal.register()


def house_nav(request, house):
    """The living room in the house menu: the calendar for all, booking and approving by role."""
    from django.urls import reverse

    from residents.permissions import can
    from residents.registry import NavItem

    kwargs = {"house": house.slug}
    items = [
        NavItem(reverse("activities:programme", kwargs=kwargs), _("Programme")),
        NavItem(reverse("activities:calendar", kwargs=kwargs), _("Calendar")),
    ]
    user = request.user
    if can(user, "house.book", house):
        items.append(NavItem(reverse("activities:book", kwargs=kwargs), _("Book the room")))
    if can(user, "house.use", house):
        items.append(NavItem(reverse("activities:ideas", kwargs=kwargs), _("Ideas")))
    if can(user, "bookings.approve", house):
        items.append(NavItem(reverse("activities:requests", kwargs=kwargs), _("Requests")))
    if can(user, "rooms.manage", house):
        items.append(NavItem(reverse("activities:rooms", kwargs=kwargs), _("Rooms")))
    return items
