"""Calendar feeds (.ics): a person's secret feed, composed from what each app contributes.

The apps register their events in residents.registry (see activities/apps.py); this module
imports none of them. The .ics itself is built by residents.ical.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from residents.audit import record
from residents.ical import ics_response
from residents.models import CalendarFeed, new_feed_token
from residents.registry import feed_events


def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's own calendar, at a secret address their calendar app reads without logging in."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    user = feed.user
    # Calendar apps send no language; use the one the person chose.
    with translation.override(user.language):
        response = ics_response(
            feed_events(user),
            name=_("Wijkhuis: my calendar"),
            filename="wijkhuis.ics",
        )
    # The address is a secret: no shared caches, no search engines.
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
@login_required
def renew_feed(request: HttpRequest) -> HttpResponse:
    """Make a new secret address for the person's calendar; the old one stops working at once."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=request.user)
        if not created:
            feed.token = new_feed_token()
            feed.created_at = timezone.now()
            feed.save(update_fields=["token", "created_at"])
        record(
            "calendar_feed.created" if created else "calendar_feed.renewed", actor=request.user, target=feed
        )
    if created:
        messages.success(request, _("Your calendar address is ready. Copy it into your calendar app."))
    else:
        messages.success(
            request,
            _(
                "Your calendar has a new address. The old address no longer works: "
                "put the new one in your calendar app."
            ),
        )
    return redirect(reverse("mine") + "#agenda-link")
