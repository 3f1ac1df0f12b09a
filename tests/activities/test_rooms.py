"""Staff set a room's rules, bookable hours and closed periods: forms as the pages render them.

The pages are read in English (staff's chosen language), so the tests hold before and after the Dutch
catalogue gains these texts.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.urls import reverse

from activities.models import Booking, Room, RoomClosure, RoomHours
from activities.timeutil import make_local
from residents.models import AuditEvent
from tests.forms import parse_form


@pytest.fixture(autouse=True)
def _mfa_off(mfa_off):
    """These tests are about the forms; the MFA redirect is tested in test_permissions."""


@pytest.fixture
def room(house):
    room = Room.objects.create(house=house, name="Huiskamer", rules="Ruim op.")
    RoomHours.objects.create(room=room, weekday=0, opens=dt.time(9), closes=dt.time(17))
    return room


@pytest.fixture
def other_room(other_house):
    return Room.objects.create(house=other_house, name="Huiskamer Wingerd")


@pytest.fixture
def staff_client(client_for, staff):
    staff.language = "en"
    staff.save(update_fields=["language"])
    return client_for(staff)


def edit_url(room):
    return reverse("activities:room_edit", kwargs={"house": room.house.slug, "pk": room.pk})


def closure_add_url(room):
    return reverse("activities:closure_add", kwargs={"house": room.house.slug, "pk": room.pk})


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def room_form(client, room):
    response = client.get(edit_url(room))
    assert response.status_code == 200
    return parse_form(response.content, form_id="room-form")


def hours_of(room) -> list[tuple[int, str, str]]:
    return [(h.weekday, f"{h.opens:%H:%M}", f"{h.closes:%H:%M}") for h in room.hours.all()]


def audit(action):
    return list(AuditEvent.objects.filter(action=action))


# --- the list --------------------------------------------------------------------------------


def test_list_shows_each_room_with_its_main_rules(staff_client, house, room, other_room):
    RoomClosure.objects.create(
        room=room, first_day=dt.date(2099, 12, 24), last_day=dt.date(2099, 12, 26), reason="Kerst"
    )
    page = staff_client.get(reverse("activities:rooms", kwargs={"house": house.slug})).content.decode()
    assert "Huiskamer" in page
    assert "Huiskamer Wingerd" not in page  # another house's room
    assert "A booking lasts 30 to 240 minutes." in page
    assert "Monday 09:00–17:00" in page
    assert "Kerst" in page
    assert edit_url(room) in page


@pytest.mark.parametrize("rooms", [1, 6])
def test_list_runs_a_fixed_number_of_queries(staff_client, house, rooms, django_assert_max_num_queries):
    for i in range(rooms):
        r = Room.objects.create(house=house, name=f"Kamer {i}")
        RoomHours.objects.create(room=r, weekday=i % 7, opens=dt.time(9), closes=dt.time(12))
    url = reverse("activities:rooms", kwargs={"house": house.slug})
    staff_client.get(url)  # warm the session and the role cache
    with django_assert_max_num_queries(10):
        assert staff_client.get(url).status_code == 200


# --- the room form ---------------------------------------------------------------------------


def test_form_shows_every_rule_but_not_house_or_version(staff_client, room):
    form = room_form(staff_client, room)
    for name in (
        "name",
        "capacity",
        "min_minutes",
        "max_minutes",
        "buffer_minutes",
        "min_notice_hours",
        "max_days_ahead",
        "max_per_week",
        "cancel_hours",
        "needs_approval",
        "rules",
    ):
        assert name in form.field_names, name
    assert "house" not in form.field_names
    assert "rules_version" not in form.field_names
    page = staff_client.get(edit_url(room)).content.decode()
    assert 'type="time"' in page
    assert 'type="date"' in page


def test_changing_the_rules_raises_their_version_and_is_recorded(staff_client, room, staff):
    form = room_form(staff_client, room)
    response = staff_client.post(
        edit_url(room),
        form.submit_data(rules="Ruim op. Na 22.00 uur stil.", capacity="12"),
        follow=True,
    )
    assert "Saved. The rules are now version 2: whoever books next accepts them again." in messages_of(
        response
    )
    room.refresh_from_db()
    assert (room.rules, room.capacity, room.rules_version) == ("Ruim op. Na 22.00 uur stil.", 12, 2)
    [event] = audit("room.updated")
    assert event.actor == staff
    assert set(event.changes) == {"rules", "capacity", "rules_version"}
    assert event.changes["rules_version"] == [1, 2]


def test_other_changes_keep_the_rules_version(staff_client, room):
    form = room_form(staff_client, room)
    response = staff_client.post(
        edit_url(room), form.submit_data(max_per_week="", needs_approval="on"), follow=True
    )
    assert "Saved." in messages_of(response)
    room.refresh_from_db()
    assert room.rules_version == 1
    assert room.max_per_week is None and room.needs_approval
    assert set(audit("room.updated")[0].changes) == {"max_per_week", "needs_approval"}


def test_sending_the_form_unchanged_saves_nothing(staff_client, room):
    form = room_form(staff_client, room)
    response = staff_client.post(edit_url(room), form.data, follow=True)
    assert "Nothing was changed." in messages_of(response)
    assert audit("room.updated") == []


def test_hours_are_added_and_removed_through_the_formset(staff_client, room):
    form = room_form(staff_client, room)
    response = staff_client.post(
        edit_url(room),
        form.submit_data(
            **{
                "hours-0-DELETE": "on",  # Monday 09:00-17:00 goes
                "hours-1-weekday": "6",
                "hours-1-opens": "12:00",
                "hours-1-closes": "18:00",
                "hours-2-weekday": "0",
                "hours-2-opens": "13:00",
                "hours-2-closes": "22:00",
            }
        ),
    )
    assert response.status_code == 302
    assert hours_of(room) == [(0, "13:00", "22:00"), (6, "12:00", "18:00")]
    [event] = audit("room.updated")
    assert event.changes["hours"] == [["0 09:00-17:00"], ["0 13:00-22:00", "6 12:00-18:00"]]


def test_weekday_select_starts_on_monday(staff_client, room):
    page = staff_client.get(edit_url(room)).content.decode()
    first = page.index('name="hours-1-weekday"')
    options = page[first : page.index("</select>", first)]
    assert options.index(">Monday<") < options.index(">Tuesday<") < options.index(">Sunday<")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"min_minutes": "120", "max_minutes": "60"},
            "The longest booking cannot be shorter than the shortest (120 minutes).",
        ),
        ({"capacity": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"min_notice_hours": "-2"}, "Ensure this value is greater than or equal to 0."),
        ({"max_per_week": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"max_days_ahead": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"name": ""}, "This field is required."),
        ({"hours-0-opens": "17:00", "hours-0-closes": "09:00"}, "The end time must be after the start time."),
        (
            {"hours-1-weekday": "0", "hours-1-opens": "16:00", "hours-1-closes": "20:00"},
            "This overlaps with Monday 09:00–17:00. Make one block of them, or change the times.",
        ),
        (
            {"hours-1-weekday": "", "hours-1-opens": "16:00", "hours-1-closes": "20:00"},
            "This field is required.",
        ),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_saved(staff_client, room, changes, message):
    form = room_form(staff_client, room)
    response = staff_client.post(edit_url(room), form.submit_data(rules="Nieuwe regels", **changes))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing is saved yet. Please fix what is marked below." in page
    assert message in page
    room.refresh_from_db()
    assert (room.rules, room.rules_version, room.name) == ("Ruim op.", 1, "Huiskamer")
    assert hours_of(room) == [(0, "09:00", "17:00")]
    assert audit("room.updated") == []


def test_a_new_room_is_added_with_its_hours(staff_client, house, staff):
    url = reverse("activities:room_add", kwargs={"house": house.slug})
    form = parse_form(staff_client.get(url).content, form_id="room-form")
    response = staff_client.post(
        url,
        form.submit_data(
            name="Tuinkamer",
            capacity="8",
            rules="Deur dicht.",
            **{"hours-0-weekday": "2", "hours-0-opens": "09:00", "hours-0-closes": "12:00"},
        ),
        follow=True,
    )
    new = Room.objects.get(name="Tuinkamer")
    assert new.house == house and new.capacity == 8 and new.rules_version == 1
    assert hours_of(new) == [(2, "09:00", "12:00")]
    assert "The room Tuinkamer is added." in messages_of(response)
    [event] = audit("room.created")
    assert event.actor == staff and event.house == house


# --- closed periods --------------------------------------------------------------------------


def test_a_closed_period_is_added_and_shown(staff_client, room, staff):
    form = parse_form(staff_client.get(edit_url(room)).content, form_id="closure-form")
    assert form.action == closure_add_url(room)
    response = staff_client.post(
        form.action,
        form.submit_data(first_day="2099-12-24", last_day="2099-12-26", reason="Kerst: het huis is dicht"),
        follow=True,
    )
    assert "The room is closed from 24 December 2099 to 26 December 2099." in messages_of(response)
    assert "Kerst: het huis is dicht" in response.content.decode()
    closure = room.closures.get()
    assert (closure.first_day, closure.last_day) == (dt.date(2099, 12, 24), dt.date(2099, 12, 26))
    [event] = audit("room.closure_added")
    assert event.actor == staff and event.changes["reason"] == "Kerst: het huis is dicht"


def test_a_closed_period_over_bookings_warns_staff(staff_client, room, resident):
    start = make_local(dt.date(2099, 12, 25), dt.time(14))
    end = start + dt.timedelta(hours=2)
    Booking.objects.create(
        room=room,
        booker=resident,
        created_by=resident,
        period=DateTimeTZRange(start, end),
        blocked=DateTimeTZRange(start, end + room.buffer),
        category="birthday",
        title="Feest",
        attendees=5,
        status="confirmed",
        rules_version=1,
    )
    form = parse_form(staff_client.get(edit_url(room)).content, form_id="closure-form")
    response = staff_client.post(
        form.action,
        form.submit_data(first_day="2099-12-24", last_day="2099-12-26", reason="Kerst"),
        follow=True,
    )
    assert "1 booking falls in this period. It is not cancelled: let the person know." in messages_of(
        response
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"first_day": "2099-12-26", "last_day": "2099-12-24"},
            "The last day cannot be before the first day.",
        ),
        ({"first_day": "", "last_day": "2099-12-24"}, "This field is required."),
        ({"first_day": "kerst", "last_day": "2099-12-24"}, "Enter a valid date."),
        ({"reason": ""}, "This field is required."),
    ],
)
def test_a_bad_closed_period_is_refused(staff_client, room, changes, message):
    form = parse_form(staff_client.get(edit_url(room)).content, form_id="closure-form")
    data = form.submit_data(first_day="2099-12-24", last_day="2099-12-26", reason="Kerst")
    data.update(changes)
    response = staff_client.post(form.action, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "The closed period is not added. See the message below." in messages_of(response)
    assert not room.closures.exists()
    assert audit("room.closure_added") == []


def test_a_closed_period_is_removed_with_its_button(staff_client, room, staff):
    closure = RoomClosure.objects.create(
        room=room, first_day=dt.date(2099, 5, 1), last_day=dt.date(2099, 5, 3), reason="Schilderen"
    )
    url = reverse(
        "activities:closure_delete", kwargs={"house": room.house.slug, "pk": room.pk, "closure": closure.pk}
    )
    form = parse_form(staff_client.get(edit_url(room)).content, action=url)
    response = staff_client.post(form.action, form.data, follow=True)
    assert "The closed period 1 May 2099 to 3 May 2099 is removed." in messages_of(response)
    assert not RoomClosure.objects.exists()
    [event] = audit("room.closure_deleted")
    assert event.actor == staff and event.changes["reason"] == "Schilderen"


def test_removing_needs_a_post(staff_client, room):
    closure = RoomClosure.objects.create(
        room=room, first_day=dt.date(2099, 5, 1), last_day=dt.date(2099, 5, 3), reason="Schilderen"
    )
    url = reverse(
        "activities:closure_delete", kwargs={"house": room.house.slug, "pk": room.pk, "closure": closure.pk}
    )
    assert staff_client.get(url).status_code == 405
    assert staff_client.get(closure_add_url(room)).status_code == 405
    assert RoomClosure.objects.exists()


# --- whose rooms -----------------------------------------------------------------------------


def test_another_houses_room_is_not_found(staff_client, house, room, other_room):
    closure = RoomClosure.objects.create(
        room=other_room, first_day=dt.date(2099, 5, 1), last_day=dt.date(2099, 5, 3), reason="Schilderen"
    )
    # Asked for under w4, where this staff member works: the other house's room does not exist there.
    under_w4 = {"house": house.slug, "pk": other_room.pk}
    assert staff_client.get(reverse("activities:room_edit", kwargs=under_w4)).status_code == 404
    assert (
        staff_client.post(reverse("activities:room_edit", kwargs=under_w4), {"name": "Van mij"}).status_code
        == 404
    )
    data = {"first_day": "2099-01-01", "last_day": "2099-01-02", "reason": "x"}
    assert staff_client.post(reverse("activities:closure_add", kwargs=under_w4), data).status_code == 404
    assert (
        staff_client.post(
            reverse("activities:closure_delete", kwargs={**under_w4, "closure": closure.pk})
        ).status_code
        == 404
    )
    # A closure of the other room, through this house's own room: also not found.
    assert (
        staff_client.post(
            reverse(
                "activities:closure_delete",
                kwargs={"house": house.slug, "pk": room.pk, "closure": closure.pk},
            )
        ).status_code
        == 404
    )
    other_room.refresh_from_db()
    assert other_room.name == "Huiskamer Wingerd"
    assert RoomClosure.objects.filter(pk=closure.pk).exists()
    assert not AuditEvent.objects.filter(action__startswith="room.").exists()


def test_staff_of_the_other_house_cannot_manage_these_rooms(client_for, house, room, other_house, make_user):
    theirs = make_user("elders@example.nl", "Els Elders", other_house, "staff")
    assert client_for(theirs).get(edit_url(room)).status_code == 403


def _urls(room):
    closure = RoomClosure.objects.create(
        room=room, first_day=dt.date(2099, 5, 1), last_day=dt.date(2099, 5, 3), reason="Schilderen"
    )
    kw = {"house": room.house.slug}
    return [
        ("get", reverse("activities:rooms", kwargs=kw)),
        ("get", reverse("activities:room_add", kwargs=kw)),
        ("post", reverse("activities:room_add", kwargs=kw)),
        ("get", edit_url(room)),
        ("post", edit_url(room)),
        ("post", closure_add_url(room)),
        ("post", reverse("activities:closure_delete", kwargs={**kw, "pk": room.pk, "closure": closure.pk})),
    ]


@pytest.mark.parametrize("persona", ["resident", "student", "coordinator", "viewer", "outsider"])
def test_only_staff_manage_rooms(request, client_for, room, persona):
    client = client_for(request.getfixturevalue(persona))
    for method, url in _urls(room):
        assert getattr(client, method)(url).status_code == 403, (persona, method, url)
    assert RoomClosure.objects.count() == 1
    assert not AuditEvent.objects.filter(action__startswith="room.").exists()


def test_anonymous_is_sent_to_log_in(client_for, room):
    client = client_for(None)
    for method, url in _urls(room):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response.url.startswith(reverse("account_login")), (method, url)
    assert RoomClosure.objects.count() == 1


def test_staff_get_every_page(staff_client, room):
    for method, url in _urls(room):
        if method == "get":
            assert staff_client.get(url).status_code == 200, url
