from django import template

from residents.audit_wording import action_label
from residents.permissions import can as _can

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, ability: str, house) -> bool:
    """`{% can "members.verify" house as may_verify %}`: the one permission check, in templates."""
    return _can(context["request"].user, ability, house)


@register.filter
def audit_label(action: str) -> str:
    """An audit action code in words (`{{ event.action|audit_label }}`); unknown codes stay as they are."""
    return action_label(action)
