from django import template

from residents.permissions import can as _can

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, ability: str, house) -> bool:
    """`{% can "members.verify" house as may_verify %}`: the one permission check, in templates."""
    return _can(context["request"].user, ability, house)
