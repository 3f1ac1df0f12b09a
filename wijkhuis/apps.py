from django.apps import AppConfig


class WijkhuisConfig(AppConfig):
    name = "wijkhuis"
    verbose_name = "Wijkhuis"

    def ready(self) -> None:
        from residents import registry
        from wijkhuis import checks  # noqa: F401 - registers the checks

        # The personal calendar address, composed here from what every app contributes.
        registry.mine_sections.append("mine/_feed.html")
