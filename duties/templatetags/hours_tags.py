from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def as_hours(minutes: int) -> str:
    """120 → "2 uur", 90 → "1 uur en 30 minuten", 45 → "45 minuten": how people say it."""
    hours, rest = divmod(int(minutes or 0), 60)
    hours_text = ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
    rest_text = ngettext("%(n)s minute", "%(n)s minutes", rest) % {"n": rest}
    if hours and rest:
        return _("%(hours)s and %(minutes)s") % {"hours": hours_text, "minutes": rest_text}
    return hours_text if hours else rest_text
