"""Every URL of the portal x every persona -> the status code they get (pretix-style matrix).

A URL of our own apps without a row here fails `test_every_url_has_a_row`.
The matrix runs with MFA_REQUIRED_FOR_STAFF off; the MFA redirect has its own tests below.
"""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from activities.models import Activity, ActivitySeries, Idea, Poll
from activities.timeutil import week_start
from care.models import Buddy, Match
from care.worries import raise_worry
from duties.models import Duty, HourLog
from news.models import Comment, Issue, Post, Screen
from residents.models import CalendarFeed, Membership
from summary.models import Story
from tests.activities.factories import at, days_ahead, make_booking, make_room
from tests.conftest import PERSONAS
from tests.factories import PASSWORD
from tests.forms import parse_form

LOGIN = "login"  # a 302 to allauth's login page, with ?next= back


def row(anonymous, resident, student, coordinator, staff, viewer, outsider, superuser):
    return dict(
        zip(
            PERSONAS,
            (anonymous, resident, student, coordinator, staff, viewer, outsider, superuser),
            strict=True,
        )
    )


def house_kw(ctx):
    return {"house": ctx["house"].slug}


def person_kw(ctx):
    return {"house": ctx["house"].slug, "user_id": ctx["resident"].pk}


def other_person_kw(ctx):
    # Someone of the other house, asked for under w4: not someone w4's staff may see.
    return {"house": ctx["house"].slug, "user_id": ctx["outsider"].pk}


def pending_kw(ctx):
    return {"house": ctx["house"].slug, "membership_id": ctx["pending"].pk}


def no_kw(ctx):
    return {}


def booking_kw(ctx):
    # The resident's booking in w4: theirs, and handled by w4's coordinator and staff.
    return {"house": ctx["house"].slug, "pk": ctx["booking"].pk}


def room_kw(ctx):
    return {"house": ctx["house"].slug, "pk": ctx["room"].pk}


def closure_kw(ctx):
    return {"house": ctx["house"].slug, "pk": ctx["room"].pk, "closure": ctx["closure"].pk}


def feed_token_kw(ctx):
    return {"token": ctx["feed"].token}


def bad_token_kw(ctx):
    return {"token": "geen-echte-sleutel"}


def activity_kw(ctx):
    return {"house": ctx["house"].slug, "pk": ctx["activity"].pk}


def members_activity_kw(ctx):
    return {"house": ctx["house"].slug, "pk": ctx["members_activity"].pk}


def series_kw(ctx):
    return {"house": ctx["house"].slug, "pk": ctx["series"].pk}


def hour_log_kw(ctx):
    return {"pk": ctx["hour_log"].pk}


def duty_kw(ctx):
    return {"pk": ctx["duty"].pk}


def house_duty_kw(ctx):
    return {"house": ctx["house"].slug, "pk": ctx["duty"].pk}


def post_kw(ctx):
    return {"house": ctx["house"].slug, "pk": ctx["post"].pk}


def draft_kw(ctx):
    return {"house": ctx["house"].slug, "pk": ctx["draft"].pk}


def members_post_kw(ctx):
    return {"house": ctx["house"].slug, "pk": ctx["members_post"].pk}


def started_kw(ctx):
    return {"house": ctx["house"].slug, "pk": ctx["started"].pk}


def comment_kw(ctx):
    return {"house": ctx["house"].slug, "pk": ctx["post"].pk, "comment": ctx["comment"].pk}


def screen_kw(ctx):
    return {"house": ctx["house"].slug, "token": ctx["screen"].token}


def bad_screen_kw(ctx):
    return {"house": ctx["house"].slug, "token": "geen-echte-sleutel"}


def koffiekrant_week_kw(ctx):  # this week, not published
    year, week, _day = timezone.localdate().isocalendar()
    return {"house": ctx["house"].slug, "year": year, "week": week}


def koffiekrant_published_kw(ctx):
    year, week, _day = ctx["issue"].week_start.isocalendar()
    return {"house": ctx["house"].slug, "year": year, "week": week}


def story_kw(ctx):
    return {"house": ctx["house"].slug, "pk": ctx["story"].pk}


def idea_kw(ctx):
    return {"house": ctx["house"].slug, "pk": ctx["idea"].pk}


def poll_kw(ctx):
    return {"house": ctx["house"].slug, "pk": ctx["poll"].pk}


def worry_kw(ctx):
    # The resident's worry in w4: handled by w4's coordinators and staff; for anyone else it does not exist.
    return {"house": ctx["house"].slug, "pk": ctx["worry"].pk}


def buddy_kw(ctx):
    # The resident's request in w4: theirs, and handled by w4's coordinator and staff.
    return {"house": ctx["house"].slug, "pk": ctx["buddy_ask"].pk}


def buddy_match_kw(ctx):
    # A proposal of the resident's request and the student's offer in w4 (neither answered yet).
    return {"house": ctx["house"].slug, "pk": ctx["buddy_match"].pk}


# (url name, kwargs from the fixtures, method) -> expected per persona:
#         anonymous resident student coordinator staff viewer outsider superuser
MATRIX = [
    ("home", no_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("accessibility", no_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("privacy", no_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("health", no_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("privacy_house", house_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("house", house_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("mine", no_kw, "get", row(LOGIN, 200, 200, 200, 200, 200, 200, 200)),
    # Leaving: everyone who is logged in may delete their own account (a superuser is told to ask
    # another administrator); a POST without the ticked box changes nothing.
    ("leave", no_kw, "get", row(LOGIN, 200, 200, 200, 200, 200, 200, 200)),
    ("leave", no_kw, "post", row(LOGIN, 200, 200, 200, 200, 200, 200, 200)),
    ("left", no_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    # My data: one's own, shown and downloaded; staff download a member's on their request.
    ("my_data", no_kw, "get", row(LOGIN, 200, 200, 200, 200, 200, 200, 200)),
    ("my_data_download", no_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("my_data_download", no_kw, "post", row(LOGIN, 200, 200, 200, 200, 200, 200, 200)),
    ("set_language", no_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("residents:join", house_kw, "get", row(LOGIN, 200, 200, 200, 200, 200, 200, 200)),
    ("residents:members", house_kw, "get", row(LOGIN, 403, 403, 200, 200, 403, 403, 200)),
    ("residents:register", house_kw, "get", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("residents:person", person_kw, "get", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("residents:person", other_person_kw, "get", row(LOGIN, 403, 403, 403, 404, 403, 403, 404)),
    ("residents:person_export", person_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("residents:person_export", person_kw, "post", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("residents:person_export", other_person_kw, "post", row(LOGIN, 403, 403, 403, 404, 403, 403, 404)),
    ("residents:erase", person_kw, "get", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("residents:erase", person_kw, "post", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("residents:erase", other_person_kw, "get", row(LOGIN, 403, 403, 403, 404, 403, 403, 404)),
    ("residents:editor", person_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("residents:editor", person_kw, "post", row(LOGIN, 403, 403, 403, 302, 403, 403, 302)),
    ("residents:editor", other_person_kw, "post", row(LOGIN, 403, 403, 403, 404, 403, 403, 404)),
    # The audit trail: the house's staff read it; nobody changes it.
    ("residents:archive", house_kw, "get", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("residents:archive", house_kw, "post", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("residents:audit", house_kw, "get", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("residents:audit", house_kw, "post", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("residents:decide", pending_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    # A POST decides: only staff (and superusers) get through, and go back to the list.
    ("residents:decide", pending_kw, "post", row(LOGIN, 403, 403, 403, 302, 403, 403, 302)),
    # The living-room calendar and feeds: public; a personal feed needs its secret address.
    ("activities:calendar", house_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("activities:house_feed", house_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("personal_feed", feed_token_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("personal_feed", bad_token_kw, "get", row(404, 404, 404, 404, 404, 404, 404, 404)),
    ("renew_feed", no_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("renew_feed", no_kw, "post", row(LOGIN, 302, 302, 302, 302, 302, 302, 302)),
    # Booking: verified members of the house (viewers and outsiders get a page saying why).
    ("activities:book", house_kw, "get", row(LOGIN, 200, 200, 200, 200, 403, 403, 200)),
    ("my_bookings", no_kw, "get", row(LOGIN, 200, 200, 200, 200, 200, 200, 200)),
    ("activities:requests", house_kw, "get", row(LOGIN, 403, 403, 200, 200, 403, 403, 200)),
    # A booking: its booker and those who handle the house; for anyone else it does not exist.
    ("activities:booking", booking_kw, "get", row(LOGIN, 200, 404, 200, 200, 404, 404, 200)),
    ("activities:cancel", booking_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("activities:cancel", booking_kw, "post", row(LOGIN, 302, 404, 302, 302, 404, 404, 302)),
    ("activities:attendance", booking_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("activities:attendance", booking_kw, "post", row(LOGIN, 302, 404, 302, 302, 404, 404, 302)),
    ("activities:decide", booking_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("activities:decide", booking_kw, "post", row(LOGIN, 403, 403, 302, 302, 403, 403, 302)),
    # Rooms and their rules: staff only.
    ("activities:rooms", house_kw, "get", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("activities:room_add", house_kw, "get", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("activities:room_edit", room_kw, "get", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("activities:closure_add", room_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    # The matrix's POST is no valid closed period: the room page shows the form again with the errors.
    ("activities:closure_add", room_kw, "post", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("activities:closure_delete", closure_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("activities:closure_delete", closure_kw, "post", row(LOGIN, 403, 403, 403, 302, 403, 403, 302)),
    # The programme: public; planning it is for students, coordinators and staff.
    ("activities:programme", house_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("activities:programme_print", house_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("activities:activity_add", house_kw, "get", row(LOGIN, 403, 200, 200, 200, 403, 403, 200)),
    # The matrix's POST is no valid activity: the form comes back with the errors.
    ("activities:activity_add", house_kw, "post", row(LOGIN, 403, 200, 200, 200, 403, 403, 200)),
    ("activities:activity", activity_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("activities:activity", members_activity_kw, "get", row(404, 200, 200, 200, 200, 200, 404, 200)),
    ("activities:activity_edit", activity_kw, "get", row(LOGIN, 403, 200, 200, 200, 403, 403, 200)),
    ("activities:activity_cancel", activity_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    # Without a reason: back to the activity page with the message.
    ("activities:activity_cancel", activity_kw, "post", row(LOGIN, 403, 302, 302, 302, 403, 403, 302)),
    ("activities:series_edit", series_kw, "get", row(LOGIN, 403, 200, 200, 200, 403, 403, 200)),
    ("activities:series_stop", series_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("activities:series_stop", series_kw, "post", row(LOGIN, 403, 302, 302, 302, 403, 403, 302)),
    # Students' hours: a student logs their own; coordinators and staff review (a log of someone
    # else does not exist for you). The statement needs ?verplichting=, so without it: 404.
    ("duties:home", no_kw, "get", row(LOGIN, 200, 200, 200, 200, 200, 200, 200)),
    ("duties:log_add", no_kw, "get", row(LOGIN, 403, 200, 403, 403, 403, 403, 403)),
    ("duties:log_edit", hour_log_kw, "get", row(LOGIN, 404, 200, 404, 404, 404, 404, 404)),
    ("duties:log_withdraw", hour_log_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("duties:log_withdraw", hour_log_kw, "post", row(LOGIN, 404, 302, 404, 404, 404, 404, 404)),
    ("duties:statement", no_kw, "get", row(LOGIN, 404, 404, 404, 404, 404, 404, 404)),
    ("duties:statement_pdf", no_kw, "get", row(LOGIN, 404, 404, 404, 404, 404, 404, 404)),
    ("duties:review", no_kw, "get", row(LOGIN, 403, 403, 200, 200, 403, 403, 200)),
    ("duties:review", no_kw, "post", row(LOGIN, 403, 403, 302, 302, 403, 403, 302)),
    ("duties:log_return", hour_log_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("duties:log_return", hour_log_kw, "post", row(LOGIN, 403, 403, 302, 302, 403, 403, 302)),
    ("duties:export", no_kw, "get", row(LOGIN, 403, 403, 200, 200, 403, 403, 200)),
    # Duties: students of the house take them; coordinators and staff define and assign them.
    ("duties:duties", no_kw, "get", row(LOGIN, 403, 200, 200, 200, 403, 403, 200)),
    ("duties:duty_take", duty_kw, "post", row(LOGIN, 404, 302, 302, 302, 404, 404, 302)),
    ("duties:duty_return", duty_kw, "post", row(LOGIN, 404, 302, 302, 302, 404, 404, 302)),
    ("duties:duty_add", house_kw, "get", row(LOGIN, 403, 403, 200, 200, 403, 403, 200)),
    ("duties:duty_edit", house_duty_kw, "get", row(LOGIN, 403, 403, 200, 200, 403, 403, 200)),
    ("duties:duty_assign", house_duty_kw, "get", row(LOGIN, 403, 403, 200, 200, 403, 403, 200)),
    ("duties:obligations", house_kw, "get", row(LOGIN, 403, 403, 200, 200, 403, 403, 200)),
    # News: public reading (members-only posts for members, drafts for editors); staff write.
    ("news:list", house_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("news:feed", house_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("news:post_add", house_kw, "get", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("news:post", post_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("news:post", draft_kw, "get", row(404, 404, 404, 404, 200, 404, 404, 200)),
    ("news:post", members_post_kw, "get", row(404, 200, 200, 200, 200, 404, 404, 200)),
    ("news:post_edit", post_kw, "get", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("news:post_delete", post_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("news:post_delete", post_kw, "post", row(LOGIN, 403, 403, 403, 302, 403, 403, 302)),
    ("news:screen", screen_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("news:screen", bad_screen_kw, "get", row(404, 404, 404, 404, 404, 404, 404, 404)),
    ("news:screen_manage", house_kw, "get", row(LOGIN, 403, 403, 200, 200, 403, 403, 200)),
    ("news:screen_renew", house_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    # The matrix's POST has no tick: the page again with the error.
    ("news:screen_renew", house_kw, "post", row(LOGIN, 403, 403, 200, 200, 403, 403, 200)),
    ("news:koffiekrant", house_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("news:koffiekrant_week", koffiekrant_week_kw, "get", row(404, 404, 200, 200, 200, 404, 404, 200)),
    ("news:koffiekrant_week", koffiekrant_published_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("news:koffiekrant_pdf", koffiekrant_week_kw, "get", row(404, 404, 200, 200, 200, 404, 404, 200)),
    ("news:koffiekrant_pdf", koffiekrant_published_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("news:koffiekrant_word", koffiekrant_week_kw, "get", row(LOGIN, 403, 200, 200, 200, 403, 403, 200)),
    ("news:koffiekrant_word", koffiekrant_week_kw, "post", row(LOGIN, 403, 302, 302, 302, 403, 403, 302)),
    ("news:koffiekrant_publish", koffiekrant_week_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("news:koffiekrant_publish", koffiekrant_week_kw, "post", row(LOGIN, 403, 403, 302, 302, 403, 403, 302)),
    (
        "news:koffiekrant_unpublish",
        koffiekrant_published_kw,
        "get",
        row(405, 405, 405, 405, 405, 405, 405, 405),
    ),
    (
        "news:koffiekrant_unpublish",
        koffiekrant_published_kw,
        "post",
        row(LOGIN, 403, 403, 302, 302, 403, 403, 302),
    ),
    # Worries: anyone raises one; only the house's team sees them (not a superuser, not the raiser).
    ("care:raise_choose", no_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("care:raise", house_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    # The matrix's POST is no valid worry: the form again with the errors.
    ("care:raise", house_kw, "post", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("care:received", house_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("care:worries", house_kw, "get", row(LOGIN, 403, 403, 200, 200, 403, 403, 403)),
    ("care:worry_enter", house_kw, "get", row(LOGIN, 403, 403, 200, 200, 403, 403, 403)),
    ("care:worry_enter", house_kw, "post", row(LOGIN, 403, 403, 200, 200, 403, 403, 403)),
    ("care:worry", worry_kw, "get", row(LOGIN, 404, 404, 200, 200, 404, 404, 404)),
    ("care:worry_take", worry_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    # Without a handler in the POST the team member takes it; the other actions get the page with errors.
    ("care:worry_take", worry_kw, "post", row(LOGIN, 404, 404, 302, 302, 404, 404, 404)),
    ("care:worry_contact", worry_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("care:worry_contact", worry_kw, "post", row(LOGIN, 404, 404, 200, 200, 404, 404, 404)),
    ("care:worry_refer", worry_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("care:worry_refer", worry_kw, "post", row(LOGIN, 404, 404, 200, 200, 404, 404, 404)),
    ("care:worry_close", worry_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("care:worry_close", worry_kw, "post", row(LOGIN, 404, 404, 200, 200, 404, 404, 404)),
    ("care:worry_reopen", worry_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    # The worry is open: back to its page with the message.
    ("care:worry_reopen", worry_kw, "post", row(LOGIN, 404, 404, 302, 302, 404, 404, 404)),
    ("care:worry_note", worry_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("care:worry_note", worry_kw, "post", row(LOGIN, 404, 404, 200, 200, 404, 404, 404)),
    # Buddies: members ask or offer; only the house's team sees both sides and matches (not a superuser).
    ("care:buddies", house_kw, "get", row(LOGIN, 200, 200, 200, 200, 403, 403, 200)),
    ("care:buddy_ask", house_kw, "get", row(LOGIN, 200, 200, 200, 200, 403, 403, 200)),
    # The matrix's POST chooses no kind: the form again with the error.
    ("care:buddy_ask", house_kw, "post", row(LOGIN, 200, 200, 200, 200, 403, 403, 200)),
    ("care:buddy_offer", house_kw, "get", row(LOGIN, 200, 200, 200, 200, 403, 403, 200)),
    ("care:buddy_offer", house_kw, "post", row(LOGIN, 200, 200, 200, 200, 403, 403, 200)),
    ("care:buddy_withdraw", buddy_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("care:buddy_withdraw", buddy_kw, "post", row(LOGIN, 302, 404, 302, 302, 404, 404, 404)),
    ("care:match", buddy_match_kw, "get", row(LOGIN, 200, 200, 200, 200, 404, 404, 404)),
    ("care:match_answer", buddy_match_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    # No answer in the matrix's POST: back with a message; the team never answers for a side.
    ("care:match_answer", buddy_match_kw, "post", row(LOGIN, 302, 302, 403, 403, 404, 404, 404)),
    ("care:match_end", buddy_match_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    # A side cannot end a proposal (the page again, "say no"); the team takes it back.
    ("care:match_end", buddy_match_kw, "post", row(LOGIN, 200, 200, 302, 302, 404, 404, 404)),
    ("care:match_checkin", buddy_match_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("care:match_checkin", buddy_match_kw, "post", row(LOGIN, 200, 200, 403, 403, 404, 404, 404)),
    ("care:buddies_team", house_kw, "get", row(LOGIN, 403, 403, 200, 200, 403, 403, 403)),
    ("care:buddy_intake", buddy_kw, "get", row(LOGIN, 403, 403, 200, 200, 403, 403, 403)),
    ("care:buddy_intake", buddy_kw, "post", row(LOGIN, 403, 403, 302, 302, 403, 403, 403)),
    ("care:match_propose", house_kw, "get", row(LOGIN, 403, 403, 200, 200, 403, 403, 403)),
    # The matrix's POST chooses nobody: the form again with the errors.
    ("care:match_propose", house_kw, "post", row(LOGIN, 403, 403, 200, 200, 403, 403, 403)),
    ("summary:all", no_kw, "get", row(LOGIN, 403, 403, 200, 200, 200, 403, 200)),
    ("summary:all_print", no_kw, "get", row(LOGIN, 403, 403, 200, 200, 200, 403, 200)),
    ("summary:all_csv", no_kw, "get", row(LOGIN, 403, 403, 200, 200, 200, 403, 200)),
    ("summary:all_pdf", no_kw, "get", row(LOGIN, 403, 403, 200, 200, 200, 403, 200)),
    ("summary:house", house_kw, "get", row(LOGIN, 403, 403, 200, 200, 200, 403, 200)),
    ("summary:house_print", house_kw, "get", row(LOGIN, 403, 403, 200, 200, 200, 403, 200)),
    ("summary:house_csv", house_kw, "get", row(LOGIN, 403, 403, 200, 200, 200, 403, 200)),
    ("summary:house_pdf", house_kw, "get", row(LOGIN, 403, 403, 200, 200, 200, 403, 200)),
    ("summary:targets", house_kw, "get", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    # The matrix's POST sets no target: nothing changes, back to the summary.
    ("summary:targets", house_kw, "post", row(LOGIN, 403, 403, 403, 302, 403, 403, 302)),
    ("summary:stories", house_kw, "get", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("summary:story_add", house_kw, "get", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    # The matrix's POST is no valid story: the form again with the errors.
    ("summary:story_add", house_kw, "post", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("summary:story_edit", story_kw, "get", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("summary:story_edit", story_kw, "post", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("summary:story_delete", story_kw, "get", row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    ("summary:story_delete", story_kw, "post", row(LOGIN, 403, 403, 403, 302, 403, 403, 302)),
    ("news:moderation", house_kw, "get", row(LOGIN, 403, 403, 200, 200, 403, 403, 200)),
    ("news:comment_add", post_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    # The matrix's POST has no text: the post page again with the error.
    ("news:comment_add", post_kw, "post", row(LOGIN, 200, 200, 200, 200, 403, 403, 200)),
    ("news:comment_add", members_post_kw, "post", row(LOGIN, 200, 200, 200, 200, 404, 404, 200)),
    ("news:comment_add", draft_kw, "post", row(LOGIN, 404, 404, 404, 404, 404, 404, 404)),
    ("news:comment_hide", comment_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    # Without a reason: back to the post with the message.
    ("news:comment_hide", comment_kw, "post", row(LOGIN, 403, 403, 302, 302, 403, 403, 302)),
    ("news:comment_unhide", comment_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("news:comment_unhide", comment_kw, "post", row(LOGIN, 403, 403, 302, 302, 403, 403, 302)),
    ("news:comment_dismiss", comment_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("news:comment_dismiss", comment_kw, "post", row(LOGIN, 403, 403, 302, 302, 403, 403, 302)),
    ("news:comment_report", comment_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("news:comment_report", comment_kw, "post", row(LOGIN, 302, 302, 302, 302, 403, 403, 302)),
    ("news:comment_delete", comment_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("news:comment_delete", comment_kw, "post", row(LOGIN, 302, 403, 403, 403, 403, 403, 403)),
    # Sign-ups: anyone with an account may sign up for an activity for everyone; entering a sign-up
    # for someone else (paper, phone) is for coordinators and staff; attendance for planners.
    ("activities:signup", activity_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("activities:signup_cancel", activity_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("reminders_setting", no_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("activities:signup_for", activity_kw, "get", row(LOGIN, 403, 403, 200, 200, 403, 403, 200)),
    ("activities:activity_attendance", started_kw, "get", row(LOGIN, 403, 200, 200, 200, 403, 403, 200)),
    ("activities:attendance_todo", house_kw, "get", row(LOGIN, 200, 200, 200, 200, 200, 200, 200)),
    # Ideas: the list is public (no names); pages for members; the status for coordinators and staff.
    ("activities:ideas", house_kw, "get", row(200, 200, 200, 200, 200, 200, 200, 200)),
    ("activities:idea_add", house_kw, "get", row(LOGIN, 200, 200, 200, 200, 403, 403, 200)),
    ("activities:idea", idea_kw, "get", row(LOGIN, 200, 200, 200, 200, 403, 403, 200)),
    ("activities:idea_support", idea_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    ("activities:idea_support", idea_kw, "post", row(LOGIN, 302, 302, 302, 302, 403, 403, 302)),
    ("activities:idea_status", idea_kw, "get", row(405, 405, 405, 405, 405, 405, 405, 405)),
    # The matrix's POST carries no valid status: the idea page again with the error.
    ("activities:idea_status", idea_kw, "post", row(LOGIN, 403, 403, 200, 200, 403, 403, 200)),
    # Polls: members vote; coordinators and staff open them.
    ("activities:poll_add", house_kw, "get", row(LOGIN, 403, 403, 200, 200, 403, 403, 200)),
    ("activities:poll", poll_kw, "get", row(LOGIN, 200, 200, 200, 200, 403, 403, 200)),
    ("activities:poll", poll_kw, "post", row(LOGIN, 200, 200, 200, 200, 403, 403, 200)),
]


def _params():
    for name, kw, method, expected in MATRIX:
        for persona in PERSONAS:
            yield pytest.param(
                name,
                kw,
                method,
                persona,
                expected[persona],
                id=f"{method}-{name}-{kw.__name__}-{persona}",
            )


@pytest.fixture
def ctx(all_personas, house, other_house, make_user):
    pending = Membership.objects.get(
        user=make_user("nieuw@example.nl", "Nina Nieuw", house, status="pending"), house=house
    )
    room = make_room(house)
    day = days_ahead(3)
    booking = make_booking(room, all_personas["resident"], at(day, "14:00"), at(day, "16:00"))
    closure = room.closures.create(first_day=day, last_day=day, reason="Schoonmaak")
    feed = CalendarFeed.objects.create(user=all_personas["resident"])
    activity = Activity.objects.create(
        house=house,
        title="Koffieochtend",
        category="coffee",
        place="Het plein",
        period=DateTimeTZRange(at(day, "10:00"), at(day, "12:00")),
        capacity=10,
        signup_required=True,
    )
    members_activity = Activity.objects.create(
        house=house,
        title="Bewonersoverleg",
        category="neighbourhood",
        audience="members",
        place="Huiskamer",
        period=DateTimeTZRange(at(day, "19:00"), at(day, "20:30")),
    )
    series = ActivitySeries.objects.create(
        house=house,
        frequency="weekly",
        first_day=day,
        last_day=day + dt.timedelta(weeks=3),
        start_time=dt.time(10),
        end_time=dt.time(12),
        place="Het plein",
        title="Koffieochtend",
        category="coffee",
    )
    for week in range(4):
        d = day + dt.timedelta(weeks=week)
        series.activities.create(
            house=house,
            title="Koffieochtend",
            category="coffee",
            place="Het plein",
            period=DateTimeTZRange(at(d, "10:00"), at(d, "12:00")),
        )
    yesterday = days_ahead(-1)
    started = Activity.objects.create(
        house=house,
        title="Sporten in het park",
        category="sport",
        place="Park",
        period=DateTimeTZRange(at(yesterday, "10:00"), at(yesterday, "11:00")),
    )
    hour_log = HourLog.objects.create(
        student=all_personas["student"],
        house=house,
        period=DateTimeTZRange(at(yesterday, "09:00"), at(yesterday, "11:00")),
        minutes=120,
        what="Koffieochtend gastvrouw",
    )
    duty = Duty.objects.create(house=house, title="Koffiekrant schrijven", first_day=days_ahead(5))
    post = Post.objects.create(house=house, title="Nieuwe stoelen", status="published")
    draft = Post.objects.create(house=house, title="Nog niet af")
    members_post = Post.objects.create(
        house=house, title="Alleen voor leden", status="published", audience="members"
    )
    comment = Comment.objects.create(post=post, author=all_personas["resident"], body="Mooie stoelen!")
    idea = Idea.objects.create(house=house, proposer=all_personas["resident"], title="Samen koken")
    poll = Poll.objects.create(house=house, question="Welk thema?", closes_at=at(days_ahead(14), "12:00"))
    poll.options.create(text="Koken", position=1)
    poll.options.create(text="Sport", position=2)
    buddy_ask = Buddy.objects.create(
        house=house,
        person=all_personas["resident"],
        side="ask",
        kinds=["talk"],
        languages="Nederlands",
        available="Dinsdag",
        phone="0612345678",
    )
    buddy_offer = Buddy.objects.create(
        house=house,
        person=all_personas["student"],
        side="offer",
        kinds=["talk"],
        languages="Nederlands",
        available="Dinsdag",
        contact_by="email",
    )
    buddy_match = Match.objects.create(
        ask=buddy_ask, offer=buddy_offer, proposed_by=all_personas["coordinator"]
    )
    worry = raise_worry(
        house=house,
        data={"about": "self", "category": "money", "message": "Schulden", "contact_by": "email"},
        channel="website",
        by=all_personas["resident"],
    )
    return {
        "worry": worry,
        "buddy_ask": buddy_ask,
        "buddy_match": buddy_match,
        **all_personas,
        "house": house,
        "other_house": other_house,
        "pending": pending,
        "room": room,
        "booking": booking,
        "closure": closure,
        "feed": feed,
        "activity": activity,
        "members_activity": members_activity,
        "series": series,
        "started": started,
        "idea": idea,
        "post": post,
        "comment": comment,
        "screen": Screen.objects.create(house=house),
        "story": Story.objects.create(
            house=house, first_day=days_ahead(-30), last_day=days_ahead(-1), title="Juni", text="Tekst"
        ),
        "issue": Issue.objects.create(
            house=house,
            week_start=week_start(timezone.localdate()) - dt.timedelta(weeks=1),
            status="published",
            published_at=timezone.now(),
        ),
        "draft": draft,
        "members_post": members_post,
        "hour_log": hour_log,
        "duty": duty,
        "poll": poll,
    }


@pytest.mark.parametrize(("name", "kw", "method", "persona", "expected"), list(_params()))
def test_matrix(name, kw, method, persona, expected, ctx, client_for, mfa_off):
    client = client_for(ctx[persona])
    url = reverse(name, kwargs=kw(ctx))
    if method == "post":
        response = client.post(url, {"decision": "verify", "note": ""})
    else:
        response = client.get(url)
    if expected == LOGIN:
        assert response.status_code == 302, response
        location = urlsplit(response["Location"])
        assert location.path == reverse("account_login")
        assert parse_qs(location.query) == {"next": [url]}
    else:
        assert response.status_code == expected


# --- every URL has a row -----------------------------------------------------------------------

# Not ours: Django's admin and allauth have their own tests; static files are not views.
FOREIGN_PREFIXES = ("admin/", "accounts/", "static/", "media/", "^media/")


def _our_url_names(patterns=None, prefix="", namespace=""):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for p in patterns:
        route = prefix + str(p.pattern)
        if route.startswith(FOREIGN_PREFIXES):
            continue
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _our_url_names(p.url_patterns, route, ns)
        elif isinstance(p, URLPattern):
            yield f"{namespace}{p.name}" if p.name else f"<unnamed {route}>"


def test_every_url_has_a_row():
    names = set(_our_url_names())
    assert {"home", "house", "residents:members"} <= names  # the walk finds our URLs
    missing = names - {name for name, *_ in MATRIX}
    assert not missing, f"URLs without a row in the permission matrix: {sorted(missing)}"


def test_every_row_is_a_url():
    stale = {name for name, *_ in MATRIX} - set(_our_url_names())
    assert not stale, f"Rows for URLs that no longer exist: {sorted(stale)}"


# --- two-step login for people who see others' personal data ------------------------------------


@pytest.mark.parametrize("persona", ["staff", "coordinator"])
def test_staff_are_sent_to_mfa_setup_until_they_have_an_authenticator(
    persona, request, house, client_for, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = True
    user = request.getfixturevalue(persona)
    client = client_for(user)
    members = reverse("residents:members", kwargs={"house": house.slug})

    for url in (house.get_absolute_url(), members, reverse("mine")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp")

    TOTP.activate(user, generate_totp_secret())
    assert client.get(house.get_absolute_url()).status_code == 200
    assert client.get(members).status_code == 200


@pytest.mark.parametrize("persona", ["staff", "coordinator"])
def test_staff_set_up_totp_through_the_pages(persona, request, house, client, settings):
    """The whole way as a person goes it: log in, get sent to the set-up, enter the code."""
    settings.MFA_REQUIRED_FOR_STAFF = True
    user = request.getfixturevalue(persona)
    page = client.get(reverse("account_login"))
    login = parse_form(page.content, has_field="password")
    response = client.post(reverse("account_login"), login.submit_data(login=user.email, password=PASSWORD))
    assert response.status_code == 302

    response = client.get(house.get_absolute_url(), follow=True)
    assert response.redirect_chain[0][0] == reverse("mfa_activate_totp")
    if response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate")):
        # allauth asks for the password again before adding a second step.
        form = parse_form(response.content, has_field="password")
        response = client.post(
            response.redirect_chain[-1][0], form.submit_data(password=PASSWORD), follow=True
        )
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")

    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    form = parse_form(response.content, has_field="code")
    response = client.post(reverse("mfa_activate_totp"), form.submit_data(code=code))
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    assert client.get(house.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("persona", ["resident", "student", "viewer", "outsider"])
def test_others_are_never_sent_to_mfa(persona, request, house, client_for, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client = client_for(request.getfixturevalue(persona))
    assert client.get(house.get_absolute_url()).status_code == 200
    assert client.get(reverse("mine")).status_code == 200


def test_staff_without_mfa_may_use_pages_when_mfa_is_not_required(staff, house, client_for, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    client = client_for(staff)
    assert client.get(reverse("residents:members", kwargs={"house": house.slug})).status_code == 200


def test_staff_without_mfa_can_still_read_the_statements(staff, client_for, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client = client_for(staff)
    assert client.get(reverse("privacy")).status_code == 200
    assert client.get(reverse("accessibility")).status_code == 200
