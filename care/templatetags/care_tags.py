"""The person's own worries (status only) and buddy requests, offers and matches, for /mijn/."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def my_care(context) -> dict:
    from django.db.models import Exists

    from care.buddies import my_buddies
    from care.models import Buddy, Worry
    from care.worries import my_worries
    from residents.models import User

    user = context["request"].user
    if not user.is_authenticated:
        return {"worries": [], "buddies": [], "matches": []}
    # Most people have neither: one question for both, then only read what is there. (No request
    # or offer means no match either: each side of a match is someone's request or offer.)
    has_buddies, has_worries = (
        User.objects.filter(pk=user.pk)
        .annotate(b=Exists(Buddy.objects.of(user)), w=Exists(Worry.objects.raised_by(user)))
        .values_list("b", "w")
        .get()
    )
    mine = my_buddies(user) if has_buddies else None
    return {
        "worries": my_worries(user)[:20] if has_worries else [],
        "buddies": [b for b in mine.buddies if b.status != b.Status.CLOSED] if mine else [],
        "matches": [m for m in mine.matches if m.needs_answer or m.buddy_name] if mine else [],
    }
