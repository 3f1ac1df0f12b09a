"""The person's own worries (status only) and buddy requests, offers and matches, for /mijn/."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def my_care(context) -> dict:
    from care.buddies import my_buddies
    from care.worries import my_worries

    user = context["request"].user
    mine = my_buddies(user)
    return {
        "worries": my_worries(user)[:20],
        "buddies": [b for b in mine.buddies if b.status != b.Status.CLOSED],
        "matches": [m for m in mine.matches if m.needs_answer or m.buddy_name],
    }
