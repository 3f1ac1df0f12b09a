from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = _("news")

    def ready(self) -> None:
        from residents import registry

        registry.house_nav.append(house_nav)


def house_nav(request, house):
    """The news of the house in the house menu, for everyone."""
    from django.urls import reverse

    from residents.registry import NavItem

    return [NavItem(reverse("news:list", kwargs={"house": house.slug}), _("News"))]
