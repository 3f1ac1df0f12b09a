"""The audit trail, complete and readable (issue 9, part 5).

Each kind of change writes a row with who, what and the old and new values of what changed, never a
resident's own words; staff read the house's trail on /<house>/logboek/, by person and by kind; nobody
can change it: not in the portal, not in the admin, not in the database.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from activities import programme
from activities import services as bookings
from activities.models import Audience, Booking, Category
from activities.timeutil import week_start
from care import worries
from duties import hours
from news import comments, koffiekrant
from news import services as news
from news.models import Comment, Post
from residents import services as residents
from residents.audit import CHANGED, changing_the_trail, record, record_erasure, record_export
from residents.audit_wording import ACTION_LABELS, KINDS, describe
from residents.models import AuditEvent, Membership, Role, User
from summary import services as summary
from tests.activities.factories import at, days_ahead, make_booking, make_room
from tests.forms import parse_form
from tests.news.test_views import make_post

pytestmark = pytest.mark.usefixtures("mfa_off")


def audit_url(house, **query) -> str:
    url = reverse("residents:audit", kwargs={"house": house.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def raise_worry(house, person):
    data = {
        "about": "neighbour",
        "category": "money",
        "message": "Geheime schulden",
        "contact_by": "phone",
        "contact_when": "",
        "name": "",
        "phone": "06 12345678",
        "email": "",
        "address": "",
    }
    return worries.raise_worry(house=house, data=data, channel="website", by=person)


def last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("pk")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def room(house):
    return make_room(house, needs_approval=True)


# --- every listed kind of change writes old and new values -----------------------------------------


def test_membership_requests_and_decisions(house, resident, staff, make_user):
    newcomer = make_user("nieuw@example.nl", "Nina Nieuw")
    membership = residents.request_membership(user=newcomer, house=house, motivation="Ik woon op nr. 7")
    event = last("membership.requested")
    assert (event.actor, event.house, event.changes) == (newcomer, house, {"status": [None, "pending"]})
    assert "nr. 7" not in str(event.changes)  # the person's own words stay out

    residents.decide_membership(
        membership_id=membership.pk, house=house, by=staff, approve=False, note="Onbekend adres"
    )
    event = last("membership.declined")
    assert event.actor == staff
    assert event.changes == {"status": ["pending", "declined"], "note": "Onbekend adres"}  # staff's words

    residents.request_membership(user=newcomer, house=house)
    assert last("membership.requested").changes == {"status": ["declined", "pending"]}
    residents.decide_membership(membership_id=membership.pk, house=house, by=staff, approve=True)
    assert last("membership.verified").changes == {"status": ["pending", "active"]}


def test_registering_a_resident_and_the_editor_role(house, resident, staff):
    person = residents.register_resident(house=house, by=staff, name="Henk zonder Mail", phone="050-1")
    event = last("membership.verified")
    assert (event.actor, event.on_behalf_of) == (staff, person)
    assert event.changes == {"role": [None, "resident"], "status": [None, "active"]}

    residents.set_editor(person=resident, house=house, by=staff, editor=True)
    assert last("membership.role_granted").changes == {"role": [None, "editor"], "status": [None, "active"]}
    residents.set_editor(person=resident, house=house, by=staff, editor=False)
    assert last("membership.role_revoked").changes == {
        "role": ["editor", None],
        "status": ["active", "ended"],
    }
    residents.set_editor(person=resident, house=house, by=staff, editor=True)
    assert last("membership.role_granted").changes["status"] == ["ended", "active"]


def test_booking_approvals_and_cancellations(house, room, resident, coordinator, staff):
    day = days_ahead(5)
    asked = make_booking(room, resident, at(day, "10:00"), at(day, "12:00"), status=Booking.Status.REQUESTED)
    bookings.decide_booking(booking_id=asked.pk, house=house, by=coordinator, approve=True)
    event = last("booking.approved")
    assert (event.actor, event.target_id) == (coordinator, str(asked.pk))
    assert event.changes["status"] == ["requested", "confirmed"]

    other = make_booking(room, resident, at(day, "14:00"), at(day, "16:00"), status=Booking.Status.REQUESTED)
    bookings.decide_booking(booking_id=other.pk, house=house, by=coordinator, approve=False, reason="Te laat")
    assert last("booking.declined").changes == {"status": ["requested", "declined"], "reason": "Te laat"}

    # Cancelled by staff: their reason stands. By the resident: only that a reason was given.
    bookings.cancel_booking(booking_id=asked.pk, house=house, by=staff, reason="Lekkage")
    event = last("booking.cancelled")
    assert (event.actor, event.on_behalf_of) == (staff, resident)
    assert event.changes == {"status": ["confirmed", "cancelled"], "reason": "Lekkage"}
    own = make_booking(room, resident, at(day, "17:00"), at(day, "18:00"))
    bookings.cancel_booking(booking_id=own.pk, house=house, by=resident, reason="Mijn moeder is ziek")
    assert last("booking.cancelled").changes == {"status": ["confirmed", "cancelled"], "reason": CHANGED}


def test_an_activity_cancelled_by_a_student_keeps_their_words_out(house, room, student, coordinator):
    day = days_ahead(6)
    values = {
        "title": "Koffieochtend",
        "description": "",
        "category": Category.COFFEE,
        "audience": Audience.EVERYONE,
        "capacity": 12,
        "signup_required": True,
    }
    mine = programme.create_activity(
        house=house, by=student, start=at(day, "10:00"), end=at(day, "11:00"), room=room, **values
    )
    programme.cancel_activity(activity=mine, by=student, reason="Ik ben ziek")
    assert last("activity.cancelled").changes == {"status": ["planned", "cancelled"], "reason": CHANGED}
    assert last("booking.cancelled").changes["reason"] == CHANGED

    theirs = programme.create_activity(
        house=house, by=coordinator, start=at(day, "14:00"), end=at(day, "15:00"), place="Het plein", **values
    )
    programme.cancel_activity(activity=theirs, by=coordinator, reason="Zaal dicht")
    assert last("activity.cancelled").changes["reason"] == "Zaal dicht"


def test_hour_approvals_returns_and_changes(house, student, coordinator):
    now = timezone.now()
    day = timezone.localdate() - dt.timedelta(days=2)
    ten, noon = dt.time(10), dt.time(12)
    entry = hours.log_hours(
        student=student, house=house, day=day, start_time=ten, end_time=noon, what="Koffie"
    )
    hours.return_log(log_id=entry.pk, by=coordinator, reason="Te lang", now=now)
    assert last("hours.returned").changes == {"status": ["submitted", "returned"], "reason": "Te lang"}

    hours.update_log(
        log_id=entry.pk,
        student=student,
        day=day,
        start_time=ten,
        end_time=noon,
        what="Koffie met Jan",
        now=now,
    )
    assert last("hours.updated").changes == {"status": ["returned", "submitted"], "what": CHANGED}

    hours.approve_logs(log_ids=[entry.pk], by=coordinator, now=now)
    event = last("hours.approved")
    assert event.actor == coordinator and event.changes == {
        "status": ["submitted", "approved"],
        "minutes": 120,
    }


def test_posts_published_unpublished_and_deleted(house, staff):
    post = news.create_post(
        by=staff, house=house, data={"title": "Burendag", "body": "Kom ook", "status": Post.Status.DRAFT}
    )
    news.update_post(post=post, by=staff, data={"status": Post.Status.PUBLISHED, "body": "Kom allemaal"})
    changes = last("news.updated").changes
    assert changes["status"] == ["draft", "published"] and changes["body"] == CHANGED
    news.update_post(post=post, by=staff, data={"status": Post.Status.DRAFT})
    assert last("news.updated").changes == {"status": ["published", "draft"]}
    news.delete_post(post=post, by=staff)
    assert last("news.deleted").target_repr == "Burendag"


def test_moderation_keeps_only_the_teams_words(house, resident, coordinator, student, staff):
    post = make_post(house, "Nieuwe stoelen")
    comment = Comment.objects.create(post=post, author=student, body="Kopen bij mijn oom!")
    comments.hide_comment(comment=comment, by=coordinator, reason="Reclame")
    assert last("news.comment_hidden").changes["reason"] == "Reclame"
    comments.unhide_comment(comment=comment, by=coordinator)
    assert last("news.comment_shown").changes["reason"] == ["Reclame", ""]

    # A resident who may write news (editor) moderates too; their words stay out of the trail.
    residents.set_editor(person=resident, house=house, by=staff, editor=True)
    resident.forget_roles()
    comments.hide_comment(comment=comment, by=resident, reason="Dit is van Sam zijn oom")
    assert last("news.comment_hidden").changes["reason"] == CHANGED
    comments.unhide_comment(comment=comment, by=staff)
    assert last("news.comment_shown").changes["reason"] == [CHANGED, ""]
    assert "oom" not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_koffiekrant_publish_and_unpublish(house, coordinator):
    monday = week_start(timezone.localdate())
    koffiekrant.publish_issue(house=house, week_start=monday, by=coordinator)
    assert last("koffiekrant.published").changes["status"] == ["draft", "published"]
    koffiekrant.publish_issue(house=house, week_start=monday, by=coordinator)
    assert "status" not in last("koffiekrant.republished").changes  # it was published already
    koffiekrant.unpublish_issue(house=house, week_start=monday, by=coordinator)
    assert last("koffiekrant.unpublished").changes["status"] == ["published", "draft"]


def test_summary_stories_record_what_changed_not_the_words(house, staff):
    data = {
        "first_day": dt.date(2026, 6, 1),
        "last_day": dt.date(2026, 6, 30),
        "title": "Juni",
        "text": "Veel koffie",
    }
    story = summary.save_story(house=house, by=staff, data=data, quotes=[("Gezellig!", "Bea")])
    assert last("summary.story_add").changes == {
        "first_day": "2026-06-01",
        "last_day": "2026-06-30",
        "title": "Juni",
        "quotes": 1,
        "text": CHANGED,
    }
    summary.save_story(house=house, by=staff, data={**data, "title": "Juni 2026"}, quotes=[], story=story)
    assert last("summary.story_change").changes == {"title": ["Juni", "Juni 2026"], "quotes": [1, 0]}
    summary.save_story(
        house=house, by=staff, data={**data, "title": "Juni 2026"}, quotes=[("Top", "Bo")], story=story
    )
    assert last("summary.story_change").changes == {"quotes": [0, 1]}
    summary.save_story(
        house=house, by=staff, data={**data, "title": "Juni 2026"}, quotes=[("Fijn", "Bo")], story=story
    )
    assert last("summary.story_change").changes == {"quotes": CHANGED}
    summary.save_targets(house=house, by=staff, values={"reach": 150})
    assert last("summary.targets").changes == {"reach": [None, 150]}


def test_worries_log_every_view_and_change_with_old_and_new_status(house, resident, coordinator):
    worry = raise_worry(house, resident)
    worries.log_view(worry=worry, by=coordinator)
    worries.take(worry=worry, by=coordinator)
    assert last("worry.viewed").actor == coordinator
    assert last("worry.taken").changes["status"] == ["new", "taken"]
    trail = AuditEvent.objects.filter(target_id=str(worry.pk), action__startswith="worry.")
    assert all(e.target_repr == worry.reference for e in trail)
    assert "schulden" not in str([(e.target_repr, e.changes) for e in trail])


def test_the_hooks_for_export_and_erasure(house, resident, staff):
    with transaction.atomic():
        record_export(by=staff, person=resident, house=house)
        record_erasure(by=staff, person=resident, house=house)
    exported, erased = last("person.exported"), last("person.erased")
    assert (exported.actor, exported.on_behalf_of, exported.target_repr) == (
        staff,
        resident,
        f"#{resident.pk}",
    )
    assert (erased.actor, erased.target_repr) == (staff, f"#{resident.pk}")
    assert "Bea" not in exported.target_repr + erased.target_repr


# --- never editable -------------------------------------------------------------------------------


def _event(house, actor) -> AuditEvent:
    with transaction.atomic():
        return record(
            "membership.verified", actor=actor, house=house, changes={"status": ["pending", "active"]}
        )


@pytest.mark.parametrize(
    "change",
    [
        lambda e: AuditEvent.objects.filter(pk=e.pk).update(changes={}),
        lambda e: AuditEvent.objects.filter(pk=e.pk).update(action="booking.approved"),
        lambda e: AuditEvent.objects.filter(pk=e.pk).update(created_at=timezone.now() - dt.timedelta(days=1)),
        lambda e: AuditEvent.objects.filter(pk=e.pk).update(target_repr="iets anders"),
        lambda e: AuditEvent.objects.filter(pk=e.pk).delete(),
    ],
    ids=["changes", "action", "when", "object", "delete"],
)
def test_the_database_refuses_to_change_or_delete_a_row(house, staff, change):
    event = _event(house, staff)
    with pytest.raises(IntegrityError, match="audit trail cannot be changed"), transaction.atomic():
        change(event)
    fresh = AuditEvent.objects.get(pk=event.pk)
    assert (fresh.action, fresh.changes, fresh.actor) == (
        "membership.verified",
        {"status": ["pending", "active"]},
        staff,
    )


def test_a_person_can_be_cut_loose_and_the_privacy_code_may_rewrite(house, staff, resident):
    event = _event(house, resident)
    # Anonymising a worry (care.worries.anonymise_closed) and deleting an account (SET NULL) do this.
    AuditEvent.objects.filter(pk=event.pk).update(actor=None)
    assert AuditEvent.objects.get(pk=event.pk).actor is None
    other = _event(house, staff)
    User.objects.filter(pk=staff.pk).delete()
    assert AuditEvent.objects.get(pk=other.pk).actor is None
    # Giving a row to someone else is not cutting it loose.
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor=resident)
    # Erasure may rewrite a name out of a row, inside changing_the_trail() only; it ends with the block.
    with changing_the_trail():
        AuditEvent.objects.filter(pk=event.pk).update(target_repr="#1")
    assert AuditEvent.objects.get(pk=event.pk).target_repr == "#1"
    with transaction.atomic():
        with changing_the_trail():
            pass
        with pytest.raises(IntegrityError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()


def test_anonymising_closed_worries_still_works_with_the_guard(house, resident, coordinator, settings):
    settings.WORRY_RETENTION_DAYS = 30
    worry = raise_worry(house, resident)
    worries.close(worry=worry, by=coordinator, outcome="helped", text="")
    worry.__class__.objects.filter(pk=worry.pk).update(closed_at=timezone.now() - dt.timedelta(days=40))
    assert worries.anonymise_closed() == 1
    worry_type = ContentType.objects.get_for_model(worry)
    assert not AuditEvent.objects.filter(
        target_type=worry_type, target_id=str(worry.pk), actor=resident
    ).exists()


def test_the_admin_shows_the_trail_but_cannot_add_change_or_delete(house, staff, superuser, client_for):
    event = _event(house, staff)
    client = client_for(superuser)
    assert client.get(reverse("admin:residents_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:residents_auditevent_changelist") + "?q=verified").status_code == 200
    assert client.get(reverse("admin:residents_auditevent_add")).status_code == 403
    view = client.get(reverse("admin:residents_auditevent_change", args=[event.pk]))
    assert view.status_code == 200 and b'name="_save"' not in view.content  # read only
    assert (
        client.post(
            reverse("admin:residents_auditevent_change", args=[event.pk]), {"action": "x"}
        ).status_code
        == 403
    )
    assert client.get(reverse("admin:residents_auditevent_delete", args=[event.pk])).status_code == 403
    assert (
        client.post(
            reverse("admin:residents_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    changelist = client.post(
        reverse("admin:residents_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert changelist.status_code in (200, 302)  # no delete action offered: nothing happens
    assert AuditEvent.objects.get(pk=event.pk).action == "membership.verified"

    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = superuser
    model_admin = admin.site._registry[AuditEvent]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_role_changes_in_the_admin_are_in_the_trail(house, resident, superuser, client_for):
    membership = Membership.objects.get(user=resident, house=house)
    client = client_for(superuser)
    url = reverse("admin:residents_membership_change", args=[membership.pk])
    form = parse_form(client.get(url).content, form_id="membership_form")
    response = client.post(url, form.submit_data(role=Role.STUDENT))
    assert response.status_code == 302
    event = last("membership.admin_changed")
    assert (event.actor, event.house) == (superuser, house)
    assert event.changes == {"role": ["resident", "student"]}

    client.post(reverse("admin:residents_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert last("membership.admin_removed").changes == {
        "role": ["student", None],
        "status": ["active", None],
        "house": [str(house), None],
    }


# --- the page -----------------------------------------------------------------------------------------


@pytest.fixture
def trail(house, other_house, resident, student, coordinator, staff, outsider):
    """A few rows of every kind, in this house and in the other one."""
    with transaction.atomic():
        record(
            "membership.verified",
            actor=staff,
            house=house,
            target=resident,
            changes={"status": ["pending", "active"]},
        )
        record(
            "booking.cancelled",
            actor=staff,
            on_behalf_of=resident,
            house=house,
            changes={"status": ["confirmed", "cancelled"], "reason": CHANGED},
        )
        record(
            "hours.approved",
            actor=coordinator,
            house=house,
            changes={"status": ["submitted", "approved"], "minutes": 90},
        )
        record(
            "news.updated",
            actor=staff,
            house=house,
            changes={"title": ["Oud", "Nieuw"], "pinned": [False, True]},
        )
        record("some.future_thing", actor=student, house=house, changes={"x_y": 3})
        record(
            "membership.verified",
            actor=outsider,
            house=other_house,
            changes={"status": ["pending", "active"]},
        )
    worry = raise_worry(house, resident)
    worries.take(worry=worry, by=coordinator)
    return worry


def test_staff_read_the_trail_newest_first_in_plain_dutch(house, staff, client_for, trail):
    with translation.override("nl"):
        response = client_for(staff).get(audit_url(house), HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Logboek" in body and "Niemand kan dit logboek veranderen of wissen" in body
    assert "Waarover" in body and "gebeurtenissen" in body
    rows = response.context["rows"]
    assert [r.event.action for r in rows][:2] == ["worry.taken", "worry.raised"]  # newest first
    assert "Bo Buiten" not in body  # the other house's trail is not here
    assert "Reservering geannuleerd" in body and "voor Bea Bewoner" in body
    assert "reden: gewijzigd" in body
    assert "some.future_thing" in body  # an unknown action shows its code
    assert "vastgepind: nee" in body and "ja" in body
    assert trail.reference in body
    # A worry: the reference and the action, never what changed or what it is about.
    assert "Geheime schulden" not in body and "money" not in body
    worry_rows = [r for r in rows if r.event.action.startswith("worry.")]
    assert worry_rows and all(r.changes == [] for r in worry_rows)


def test_filter_by_person_and_kind_as_the_form_renders(
    house, staff, resident, coordinator, client_for, trail
):
    client = client_for(staff)
    page = client.get(audit_url(house))
    form = parse_form(page.content, form_id="audit-filter")
    assert form.method == "get"
    choices = dict(page.context["filters"].fields["persoon"].choices)
    assert {resident.name, staff.name, coordinator.name} <= set(choices.values())
    assert "Bo Buiten" not in choices.values()

    response = client.get(form.action or audit_url(house), form.submit_data(persoon=str(resident.pk)))
    actions = {r.event.action for r in response.context["rows"]}
    assert actions == {"booking.cancelled", "worry.raised"}  # done by them, or for them

    response = client.get(audit_url(house), form.submit_data(soort="uren"))
    assert [r.event.action for r in response.context["rows"]] == ["hours.approved"]

    response = client.get(audit_url(house), form.submit_data(persoon=str(coordinator.pk), soort="zorgen"))
    assert [r.event.action for r in response.context["rows"]] == ["worry.taken"]
    body = response.content.decode()
    assert "Alles weer tonen" in body
    # The form shows the filters in use.
    again = parse_form(response.content, form_id="audit-filter")
    assert again.data["persoon"] == str(coordinator.pk) and again.data["soort"] == "zorgen"


@pytest.mark.parametrize(
    "query",
    [
        {"persoon": "999999"},
        {"persoon": "abc"},
        {"soort": "onzin"},
        {"pagina": "9999"},
        {"pagina": "-1"},
        {"pagina": "abc"},
        {"persoon": "1 OR 1=1", "soort": "<script>", "pagina": "0"},
        {"persoon": "", "soort": ""},
    ],
)
def test_bad_filter_values_show_everything(house, staff, client_for, trail, query):
    response = client_for(staff).get(audit_url(house), query)
    assert response.status_code == 200
    assert not response.context["filtered"]
    assert len(response.context["rows"]) == AuditEvent.objects.filter(house=house).count()
    assert "1 OR 1=1" not in response.content.decode()  # a wrong value is not echoed back


def test_the_pager_keeps_the_filters(house, staff, client_for):
    with transaction.atomic():
        for n in range(60):
            record("hours.approved", actor=staff, house=house, changes={"minutes": n})
        record("news.created", actor=staff, house=house)
    client = client_for(staff)
    response = client.get(audit_url(house, soort="uren"))
    assert response.context["page"].paginator.count == 60 and len(response.context["rows"]) == 50
    assert "?soort=uren&amp;pagina=2" in response.content.decode()
    second = client.get(audit_url(house, soort="uren", pagina=2))
    assert len(second.context["rows"]) == 10
    assert client.get(audit_url(house, soort="uren", pagina=9999)).context["page"].number == 2


def test_every_kind_has_rows_and_every_label_is_translated(house):
    prefixes = [p for kind in KINDS for p in kind.prefixes]
    assert all(any(action.startswith(prefixes_) for prefixes_ in prefixes) for action in ACTION_LABELS)
    with translation.override("en"):
        english = {action: str(label) for action, label in ACTION_LABELS.items()}
    with translation.override("nl"):
        untranslated = [action for action, label in ACTION_LABELS.items() if str(label) == english[action]]
    assert untranslated == []


def test_describe_reads_pairs_values_and_lists(house, staff):
    with transaction.atomic():
        event = record(
            "room.created",
            actor=staff,
            house=house,
            changes={
                "hours": ["0 09:00-17:00", "1 09:00-17:00"],
                "capacity": [10, 12],
                "rules": CHANGED,
                "needs_approval": None,
            },
        )
    with translation.override("en"):
        changes = {c.field: c for c in describe(event).changes}
    assert (
        not changes["bookable hours"].is_pair
        and changes["bookable hours"].value == "0 09:00-17:00, 1 09:00-17:00"
    )
    assert (changes["places"].old, changes["places"].new) == ("10", "12")
    assert changes["rules"].value == "changed" and changes["needs approval"].value == "–"


# --- query budget ------------------------------------------------------------------------------


def _fill(house, rows: int, people: list[User]) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=["booking.approved", "hours.approved", "worry.viewed", "news.updated"][i % 4],
            actor=people[i % len(people)],
            on_behalf_of=people[(i + 1) % len(people)] if i % 3 == 0 else None,
            house=house,
            target_repr=f"Ding {i}",
            changes={"status": ["a", "b"], "minutes": i},
        )
        for i in range(rows)
    )


# Seven today: session, user, house, roles, the people for the filter, the count and the page (names
# come with it). One spare; a query per row would blow it at 200 rows.
AUDIT_PAGE_BUDGET = 8


@pytest.mark.parametrize("query", [{}, {"soort": "boekingen"}, {"persoon": "student", "soort": "uren"}])
def test_the_page_costs_the_same_at_10_and_200_rows(
    query, house, staff, resident, student, coordinator, client_for, django_assert_max_num_queries
):
    people = [resident, student, coordinator, staff]
    if query.get("persoon") == "student":
        query = {**query, "persoon": student.pk}
    client = client_for(staff)
    url = audit_url(house, **query)
    client.get(url)  # the first request of a session also records the session (usersessions)
    counts = []
    for rows in (10, 190):  # 10, then 200 in all
        _fill(house, rows, people)
        with django_assert_max_num_queries(AUDIT_PAGE_BUDGET), CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200 and response.context["rows"]
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert len(response.context["rows"]) == 50


# --- who may read it ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("resident", 403),
        ("student", 403),
        ("coordinator", 403),
        ("staff", 200),
        ("viewer", 403),
        ("outsider", 403),
        ("superuser", 200),
    ],
)
def test_who_may_read_the_trail(request, house, all_personas, client_for, persona, status):
    response = client_for(all_personas[persona]).get(audit_url(house))
    assert response.status_code == status
    if persona == "anonymous":
        assert "/accounts/login/" in response["Location"]


def test_staff_of_another_house_cannot_read_this_one(house, other_house, make_user, client_for):
    elsewhere = make_user("elders@example.nl", "Els Elders", other_house, "staff")
    assert client_for(elsewhere).get(audit_url(house)).status_code == 403
    assert client_for(elsewhere).get(audit_url(other_house)).status_code == 200


def test_the_page_only_reads(house, staff, client_for):
    assert client_for(staff).post(audit_url(house)).status_code == 405


def test_members_page_links_to_the_trail_for_staff_only(house, staff, coordinator, client_for):
    link = audit_url(house)
    members = reverse("residents:members", kwargs={"house": house.slug})
    assert link in client_for(staff).get(members).content.decode()
    assert link not in client_for(coordinator).get(members).content.decode()


def test_role_changes_in_the_users_admin_are_in_the_trail(house, resident, superuser, client_for):
    client = client_for(superuser)
    url = reverse("admin:residents_user_change", args=[resident.pk])
    form = parse_form(client.get(url).content, form_id="user_form")
    response = client.post(url, form.submit_data(**{"memberships-0-status": Membership.Status.ENDED}))
    assert response.status_code == 302, response.content.decode()[:2000]
    event = last("membership.admin_changed")
    assert (event.actor, event.house, event.changes) == (superuser, house, {"status": ["active", "ended"]})
