"""Tags for the sign-up part of an activity page and the sign-ups on /mijn/.

The activity page only has to `{% include "activities/_signup.html" %}`; the partial computes
what it needs here, with a fixed number of queries.
"""

from __future__ import annotations

from django import template

from activities import signups
from activities.forms_signups import RemindersForm

register = template.Library()


@register.simple_tag(takes_context=True)
def signup_box(context, activity) -> signups.SignupBox:
    """{% signup_box activity as box %}: places, one's own sign-up, what one may do."""
    return signups.signup_box(activity, context["request"].user)


@register.simple_tag(takes_context=True)
def my_coming_signups(context) -> list:
    """{% my_coming_signups as coming %}: the person's sign-ups for activities still to come."""
    return signups.coming_signups(context["request"].user)


@register.simple_tag(takes_context=True)
def reminders_form(context) -> RemindersForm:
    """{% reminders_form as form %}: the /mijn/ checkbox, filled with the person's setting."""
    return RemindersForm(initial={"reminders": context["request"].user.reminders})
