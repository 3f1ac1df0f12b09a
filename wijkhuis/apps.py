from django.apps import AppConfig


class WijkhuisConfig(AppConfig):
    name = "wijkhuis"
    verbose_name = "Wijkhuis"
