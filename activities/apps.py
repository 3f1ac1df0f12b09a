from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("activities and the living room")

    def ready(self) -> None:
        from activities import feeds
        from residents import registry

        registry.feed_sources.append(feeds.personal_events)
