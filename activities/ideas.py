"""Residents' ideas and polls: propose, support, decide, vote."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from activities.models import Activity, Idea
from residents.audit import record


def link_idea_to_activity(*, idea: Idea, activity: Activity, by) -> Idea:
    """The idea became an activity: link it, mark it planned, tell the proposer."""
    with transaction.atomic():
        idea = Idea.objects.select_for_update().get(pk=idea.pk)
        old = idea.status
        idea.activity, idea.status = activity, Idea.Status.PLANNED
        idea.save(update_fields=["activity", "status"])
        record(
            "idea.planned",
            actor=by,
            target=idea,
            house=idea.house,
            changes={"status": [old, idea.status], "activity": activity.pk},
        )
        person = idea.proposer
        if person.email:
            with translation.override(person.language):
                context = {
                    "idea": idea,
                    "activity": activity,
                    "person": person,
                    "site_url": settings.SITE_URL,
                }
                subject = render_to_string("activities/email/idea_planned_subject.txt", context).strip()
                body = render_to_string("activities/email/idea_planned.txt", context)
            send_mail(subject, body, None, [person.email])
    return idea
