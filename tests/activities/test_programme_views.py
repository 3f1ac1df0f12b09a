"""The programme's pages, submitted as rendered; query budgets of the programme and the home page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from activities import programme
from activities.models import Activity, ActivitySeries, Audience, Booking, BookingSeries, Category, Idea
from activities.timeutil import week_start
from tests.activities.factories import at, days_ahead, make_booking
from tests.forms import parse_form

pytestmark = pytest.mark.usefixtures("mfa_off")


def url(name, house, **kwargs):
    return reverse(f"activities:{name}", kwargs={"house": house.slug, **kwargs})


def make(house, by, day, start="10:00", end="12:00", **extra):
    values = {
        "title": "Koffieochtend",
        "description": "",
        "category": Category.COFFEE,
        "audience": Audience.EVERYONE,
        "capacity": None,
        "signup_required": False,
        "place": "Het park",
    } | extra
    return programme.create_activity(house=house, by=by, start=at(day, start), end=at(day, end), **values)


def errors_of(response) -> str:
    return response.content.decode()


def nl(msgid: str) -> str:
    with translation.override("nl"):
        return gettext(msgid)


# --- the programme -----------------------------------------------------------------------------


def test_programme_is_public_and_grouped_by_day(house, student, client_for):
    day = days_ahead(2)
    make(house, student, day, title="Koffieochtend")
    make(house, student, day, "14:00", "15:00", title="Praatmaatje-uur", category=Category.LANGUAGE)
    make(house, student, days_ahead(40), title="Te ver weg")
    hidden = make(house, student, day, "16:00", "17:00", title="Alleen leden", audience=Audience.MEMBERS)

    response = client_for(None, HTTP_ACCEPT_LANGUAGE="nl").get(url("programme", house))

    html = response.content.decode()
    assert response.status_code == 200
    with translation.override("nl"):
        assert f">{date_format(day, 'l j F')}</h2>" in html  # "maandag 23 november"
    assert "Koffieochtend" in html and "Praatmaatje-uur" in html
    assert "Te ver weg" not in html and hidden.title not in html
    assert url("activity_add", house) not in html  # no button for visitors


def test_members_see_members_only_and_planners_the_button(house, student, resident, client_for):
    make(house, student, days_ahead(2), title="Alleen leden", audience=Audience.MEMBERS)
    html = client_for(resident).get(url("programme", house)).content.decode()
    assert "Alleen leden" in html and url("activity_add", house) not in html
    html = client_for(student).get(url("programme", house)).content.decode()
    assert url("activity_add", house) in html


def test_programme_filter_by_category(house, student, client_for):
    make(house, student, days_ahead(2), title="Koffieochtend")
    make(house, student, days_ahead(2), "14:00", "15:00", title="Sporten", category=Category.SPORT)
    client = client_for(None)

    html = client.get(url("programme", house), {"categorie": "sport"}).content.decode()
    assert "Sporten" in html and "Koffieochtend" not in html
    for bad in ("nonsense", "", "<script>"):
        response = client.get(url("programme", house), {"categorie": bad})
        assert response.status_code == 200
        assert "Sporten" in response.content.decode() and "Koffieochtend" in response.content.decode()


def test_print_view_shows_one_week(house, student, client_for):
    next_week = week_start(timezone.localdate()) + dt.timedelta(weeks=1)
    make(house, student, next_week + dt.timedelta(days=2), title="Versieringsmiddag")
    make(house, student, next_week + dt.timedelta(days=9), title="Week daarna")
    client = client_for(None)

    html = client.get(url("programme_print", house), {"week": f"{next_week + dt.timedelta(days=4):%Y-%m-%d}"})
    text = html.content.decode()
    assert "Versieringsmiddag" in text and "Week daarna" not in text
    assert house.name in text and house.street in text
    assert 'class="site-nav"' not in text  # no menu on paper
    assert client.get(url("programme_print", house), {"week": "gisteren"}).status_code == 200


# --- one activity ------------------------------------------------------------------------------


def test_members_only_activity_is_404_for_anonymous_and_outsiders(
    house, student, resident, outsider, client_for
):
    activity = make(house, student, days_ahead(2), audience=Audience.MEMBERS)
    path = url("activity", house, pk=activity.pk)
    assert client_for(None).get(path).status_code == 404
    assert client_for(outsider).get(path).status_code == 404
    assert client_for(resident).get(path).status_code == 200


def test_activity_page_for_visitors_and_planners(house, student, client_for):
    activity = make(house, student, days_ahead(2), organisers=[student])
    path = url("activity", house, pk=activity.pk)
    html = client_for(None).get(path).content.decode()
    assert activity.title in html and student.get_short_name() in html
    assert url("activity_edit", house, pk=activity.pk) not in html
    html = client_for(student).get(path).content.decode()
    assert url("activity_edit", house, pk=activity.pk) in html
    assert url("activity_cancel", house, pk=activity.pk) in html


def test_add_an_activity_as_rendered(house, room, student, client_for):
    client = client_for(student)
    page = client.get(url("activity_add", house))
    form = parse_form(page.content, form_id="activity-form")
    day = days_ahead(5)
    data = form.submit_data(
        title="Meet & greet",
        description="Kennismaken met de buren.",
        category="coffee",
        date=f"{day:%Y-%m-%d}",
        start="19:00",
        end="21:00",
        room=str(room.pk),
        capacity="15",
    )
    response = client.post(url("activity_add", house), data)

    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()
    assert activity.booking.room == room and list(activity.organisers.all()) == [student]
    assert activity.start == at(day, "19:00")


def test_add_a_weekly_series_as_rendered(house, room, student, resident, client_for):
    day = days_ahead(3)
    make_booking(
        room, resident, at(day + dt.timedelta(weeks=1), "10:00"), at(day + dt.timedelta(weeks=1), "11:00")
    )
    client = client_for(student)
    form = parse_form(client.get(url("activity_add", house)).content, form_id="activity-form")
    data = form.submit_data(
        title="Koffieochtend",
        category="coffee",
        date=f"{day:%Y-%m-%d}",
        start="10:00",
        end="12:00",
        room=str(room.pk),
        repeat=BookingSeries.Frequency.WEEKLY,
        repeat_until=f"{day + dt.timedelta(weeks=3):%Y-%m-%d}",
    )
    response = client.post(url("activity_add", house), data, follow=True)

    assert ActivitySeries.objects.count() == 1 and Activity.objects.count() == 3
    html = response.content.decode()
    assert f"{day + dt.timedelta(weeks=1):%d-%m-%Y}" in html  # the skipped date is named


def test_add_from_an_idea(house, student, resident, coordinator, client_for):
    idea = Idea.objects.create(house=house, proposer=resident, title="Samen koken", description="Elke maand.")
    client = client_for(coordinator)
    page = client.get(url("activity_add", house), {"idee": idea.pk})
    form = parse_form(page.content, form_id="activity-form")
    assert form.data["title"] == "Samen koken" and form.data["idea"] == str(idea.pk)
    day = days_ahead(6)
    client.post(
        url("activity_add", house),
        form.submit_data(
            category="creative", date=f"{day:%Y-%m-%d}", start="17:00", end="19:00", place="Keuken"
        ),
    )
    idea.refresh_from_db()
    assert idea.activity == Activity.objects.get() and idea.status == Idea.Status.PLANNED


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end": "09:00"}, "end", "The end time must be after the start time."),
        ({"room": "", "place": ""}, "place", "Choose a room, or say where it is."),
        ({"capacity": "0"}, "capacity", "Give at least 1 place, or leave it empty for no limit."),
        ({"date": "PAST"}, "date", "This time has already passed. Choose a day in the future."),
        ({"room": "OTHER"}, "room", "Choose a room of this house."),
    ],
)
def test_bad_input_is_refused_with_a_message(
    house, room, other_room, student, client_for, changes, field, message
):
    client = client_for(student, HTTP_ACCEPT_LANGUAGE="nl")
    form = parse_form(client.get(url("activity_add", house)).content, form_id="activity-form")
    data = form.submit_data(
        title="Koffie",
        category="coffee",
        date=f"{days_ahead(4):%Y-%m-%d}",
        start="10:00",
        end="11:00",
        room=str(room.pk),
    )
    data.update(changes)
    if data.get("date") == "PAST":
        data["date"] = f"{days_ahead(-1):%Y-%m-%d}"
    if data.get("room") == "OTHER":
        data["room"] = str(other_room.pk)
    response = client.post(url("activity_add", house), data)

    assert response.status_code == 200
    assert nl(message) in response.content.decode()
    assert not Activity.objects.exists() and not Booking.objects.exists()


def test_edit_one_date_of_a_series_as_rendered(house, room, student, client_for):
    _series, made, _ = programme.create_series(
        house=house,
        by=student,
        frequency="weekly",
        first_day=days_ahead(3),
        last_day=days_ahead(17),
        start_time=dt.time(10),
        end_time=dt.time(12),
        title="Koffieochtend",
        description="",
        category="coffee",
        audience="everyone",
        capacity=None,
        signup_required=False,
        room=room,
    )
    client = client_for(student)
    path = url("activity_edit", house, pk=made[1].pk)
    form = parse_form(client.get(path).content, form_id="activity-form")
    response = client.post(path, form.submit_data(start="13:00", end="14:00"))

    assert response.status_code == 302
    made[1].refresh_from_db()
    assert made[1].moved and timezone.localtime(made[1].start).time() == dt.time(13)
    assert made[1].booking.period == made[1].period


def test_series_edit_and_stop_as_rendered(house, room, student, client_for):
    series, made, _ = programme.create_series(
        house=house,
        by=student,
        frequency="weekly",
        first_day=days_ahead(3),
        last_day=days_ahead(17),
        start_time=dt.time(10),
        end_time=dt.time(12),
        title="Koffieochtend",
        description="",
        category="coffee",
        audience="everyone",
        capacity=None,
        signup_required=False,
        room=room,
    )
    client = client_for(student)
    path = url("series_edit", house, pk=series.pk)
    page = client.get(path)
    form = parse_form(page.content, form_id="series-form")
    assert client.post(path, form.submit_data(title="Koffie en krant")).status_code == 302
    assert set(Activity.objects.values_list("title", flat=True)) == {"Koffie en krant"}

    # Stop from the third date, from that date's page.
    page = client.get(url("activity", house, pk=made[2].pk))
    stop = parse_form(page.content, form_id="stop-form")
    response = client.post(stop.action, stop.submit_data(reason="Zomerstop"))
    assert response["Location"] == made[2].get_absolute_url()
    statuses = list(Activity.objects.order_by("period").values_list("status", flat=True))
    assert statuses == ["planned", "planned", "cancelled"]


def test_cancel_needs_a_reason(house, room, student, client_for):
    activity = make(house, student, days_ahead(3), room=room, place="")
    client = client_for(student, HTTP_ACCEPT_LANGUAGE="nl")
    path = url("activity", house, pk=activity.pk)
    form = parse_form(client.get(path).content, form_id="cancel-form")
    response = client.post(form.action, form.submit_data(reason=""), follow=True)
    assert nl("Give a reason, so people know why.") in response.content.decode()
    activity.refresh_from_db()
    assert activity.status == "planned"
    client.post(form.action, form.submit_data(reason="Ziek"))
    activity.refresh_from_db()
    assert activity.status == "cancelled" and not activity.booking.is_live


# --- the home page -----------------------------------------------------------------------------


def test_home_page_shows_the_coming_seven_days(house, student, client_for):
    today = timezone.localdate()
    make(house, student, today + dt.timedelta(days=2), title="Meet en groet")
    make(house, student, today + dt.timedelta(days=8), title="Later dan een week")
    html = client_for(None).get(house.get_absolute_url()).content.decode()
    assert "Meet en groet" in html
    assert "Later dan een week" not in html
    assert url("programme", house) in html


# --- query budgets ---------------------------------------------------------------------------


def fill(house, student, resident, n: int) -> None:
    """`n` activities over the coming four weeks, half in a series, each with an organiser and sign-ups."""
    from activities.models import Signup

    series = ActivitySeries.objects.create(
        house=house,
        frequency="weekly",
        first_day=timezone.localdate(),
        last_day=timezone.localdate() + dt.timedelta(days=28),
        start_time=dt.time(10),
        end_time=dt.time(11),
        title="Reeks",
        category="coffee",
    )
    activities = []
    for i in range(n):
        day = timezone.localdate() + dt.timedelta(days=i % 26)
        start = at(day, "18:00") + dt.timedelta(minutes=i % 300)
        activities.append(
            Activity(
                house=house,
                series=series if i % 2 else None,
                place="Park",
                period=(start, start + dt.timedelta(hours=1)),
                title=f"Activiteit {i}",
                category=Category.values[i % len(Category.values)],
                audience=Audience.EVERYONE if i % 3 else Audience.MEMBERS,
                signup_required=True,
                capacity=10,
            )
        )
    Activity.objects.bulk_create(activities)
    through = Activity.organisers.through
    through.objects.bulk_create(through(activity_id=a.pk, user_id=student.pk) for a in activities)
    Signup.objects.bulk_create(Signup(activity=a, person=resident, status="confirmed") for a in activities)


# Counted at 5 activities; the same budget must hold at 600 (with organisers and sign-ups).
BUDGET = {"programme": 6, "home": 8}  # home: + latest news


@pytest.fixture(params=[5, 600], ids=["5", "600"])
def activities(request, house, student, resident):
    fill(house, student, resident, request.param)
    return request.param


@pytest.mark.parametrize("persona", [None, "resident", "student"])
def test_programme_query_budget(
    request, activities, house, client_for, django_assert_max_num_queries, persona
):
    person = request.getfixturevalue(persona) if persona else None
    client = client_for(person)
    with django_assert_max_num_queries(BUDGET["programme"]):
        response = client.get(url("programme", house))
    assert response.status_code == 200
    assert "Activiteit 2" in response.content.decode()


@pytest.mark.parametrize("persona", [None, "resident", "student"])
def test_home_page_query_budget(
    request, activities, house, client_for, django_assert_max_num_queries, persona
):
    person = request.getfixturevalue(persona) if persona else None
    client = client_for(person)
    with django_assert_max_num_queries(BUDGET["home"]):
        response = client.get(house.get_absolute_url())
    assert response.status_code == 200
