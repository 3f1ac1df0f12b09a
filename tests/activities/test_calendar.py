"""The living-room calendar: day, week and month, who sees which title, navigation, time zones, speed."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.urls import reverse
from django.utils import timezone

from activities import selectors
from activities.models import Booking, Room
from activities.timeutil import week_start

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")


def local(year, month, day, hour=0, minute=0, fold=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=AMS, fold=fold)


def make_room(house, name="Woonkamer", **extra) -> Room:
    return Room.objects.create(house=house, name=name, **extra)


def book(
    room, booker, start, end, *, title="Verjaardag", public=False, status="confirmed", by=None
) -> Booking:
    """A booking straight in the database (the rules are the service's tests' business)."""
    return Booking.objects.create(
        room=room,
        booker=booker,
        created_by=by or booker,
        period=DateTimeTZRange(start, end),
        blocked=DateTimeTZRange(start, end + room.buffer),
        category=Booking.Category.OTHER,
        title=title,
        attendees=8,
        is_public=public,
        status=status,
        rules_version=room.rules_version,
    )


def calendar_url(house, **query) -> str:
    url = reverse("activities:calendar", kwargs={"house": house.slug})
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def items_by_date(response) -> dict[dt.date, list]:
    return {d.date: d.items for d in response.context["days"]}


# --- rendering ---------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["dag", "week", "maand"])
@pytest.mark.parametrize("persona", ["anonymous", "resident", "coordinator", "outsider"])
def test_every_view_renders_for_everyone(view, persona, request, house, client_for, mfa_off):
    user = request.getfixturevalue(persona)
    room = make_room(house)
    owner = request.getfixturevalue("student")
    book(room, owner, local(2026, 11, 24, 14), local(2026, 11, 24, 16), title="Huiswerkklas", public=True)
    response = client_for(user).get(calendar_url(house, weergave=view, datum="2026-11-24"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Huiswerkklas" in body
    assert "14:00–16:00" in body or "14:00" in body  # the month view shows only the start
    assert response.context["view"] == view


def test_default_is_this_week(house, client_for):
    response = client_for(None).get(calendar_url(house))
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["view"] == "week"
    assert response.context["first"] == week_start(today)
    assert [d.date.weekday() for d in response.context["days"]] == list(range(7))
    assert response.context["shows_today"] is True


def test_week_lists_each_day_with_a_heading_in_reading_order(house, resident, client_for):
    room = make_room(house)
    book(room, resident, local(2026, 11, 26, 10), local(2026, 11, 26, 12), title="Koffieochtend", public=True)
    response = client_for(None).get(calendar_url(house, datum="2026-11-26"))
    body = response.content.decode()
    headings = re.findall(r'<h3 class="cal-day-heading"><a [^>]*>([^<]+)</a>', body)
    assert len(headings) == 7
    assert "23" in headings[0] and "29" in headings[6]
    # Empty days say so; the Thursday holds the booking with its time and room.
    assert body.count('class="cal-none"') == 6
    thursday = items_by_date(response)[dt.date(2026, 11, 26)]
    assert [(i.title, i.room, i.start.strftime("%H:%M"), i.end.strftime("%H:%M")) for i in thursday] == [
        ("Koffieochtend", "Woonkamer", "10:00", "12:00")
    ]
    assert "10:00</time>–<time" in body


def test_private_booking_shows_busy_to_others_and_its_title_to_the_booker(
    house, resident, student, coordinator, client_for, mfa_off
):
    room = make_room(house)
    book(room, resident, local(2026, 11, 25, 19), local(2026, 11, 25, 21), title="Verjaardag Bea")
    url = calendar_url(house, datum="2026-11-25")
    for other in (None, student, coordinator):
        body = client_for(other).get(url).content.decode()
        assert "Verjaardag Bea" not in body
        assert "19:00" in body
        assert "is-busy" in body
        assert re.search(r"busy|bezet", body)
    body = client_for(resident).get(url).content.decode()
    assert "Verjaardag Bea" in body
    assert "is-busy" not in body


def test_only_live_bookings_of_this_house_are_shown(house, other_house, resident, outsider, client_for):
    room = make_room(house)
    other_room = make_room(other_house, "Huiskamer")
    book(
        room,
        resident,
        local(2026, 11, 24, 10),
        local(2026, 11, 24, 11),
        title="Afgezegd",
        public=True,
        status="cancelled",
    )
    book(
        room,
        resident,
        local(2026, 11, 24, 12),
        local(2026, 11, 24, 13),
        title="Afgewezen",
        public=True,
        status="declined",
    )
    book(
        room,
        resident,
        local(2026, 11, 24, 14),
        local(2026, 11, 24, 15),
        title="Aangevraagd",
        public=True,
        status="requested",
    )
    book(other_room, outsider, local(2026, 11, 24, 14), local(2026, 11, 24, 15), title="Elders", public=True)
    response = client_for(None).get(calendar_url(house, datum="2026-11-24"))
    body = response.content.decode()
    assert "Aangevraagd" in body
    assert "Afgezegd" not in body and "Afgewezen" not in body and "Elders" not in body
    (item,) = items_by_date(response)[dt.date(2026, 11, 24)]
    assert item.requested
    assert "is-requested" in body


def test_links_to_a_booking_only_for_those_who_may_open_it(
    house, resident, student, coordinator, viewer, client_for, mfa_off
):
    room = make_room(house)
    booking = book(
        room, resident, local(2026, 11, 24, 10), local(2026, 11, 24, 11), title="Vergadering", public=True
    )
    detail = reverse("activities:booking", kwargs={"house": house.slug, "pk": booking.pk})
    url = calendar_url(house, datum="2026-11-24")
    for person, expected in [
        (None, False),
        (student, False),
        (viewer, False),
        (resident, True),
        (coordinator, True),
    ]:
        body = client_for(person).get(url).content.decode()
        assert (f'href="{detail}"' in body) is expected, person
        # The rule in the view matches the queryset the detail page uses.
        if person is not None:
            assert Booking.objects.visible_to(person).filter(pk=booking.pk).exists() is expected


def test_book_button_only_for_people_who_may_book(house, resident, viewer, outsider, client_for, mfa_off):
    book_url = reverse("activities:book", kwargs={"house": house.slug}) + "?datum="
    url = calendar_url(house)
    assert book_url in client_for(resident).get(url).content.decode()
    for person in (None, viewer, outsider):
        assert book_url not in client_for(person).get(url).content.decode()


def test_links_to_the_house_feed_with_a_word_of_explanation(house, client_for):
    body = client_for(None).get(calendar_url(house)).content.decode()
    feed = reverse("activities:house_feed", kwargs={"house": house.slug})
    assert f'value="http://testserver{feed}"' in body
    assert 'id="cal-feed-url"' in body and 'for="cal-feed-url"' in body


# --- navigation ----------------------------------------------------------------------------------


def test_week_navigation_links(house, client_for):
    response = client_for(None).get(calendar_url(house, weergave="week", datum="2026-11-25"))
    ctx = response.context
    assert ctx["first"] == dt.date(2026, 11, 23) and ctx["last"] == dt.date(2026, 11, 29)
    assert ctx["prev_url"].endswith("weergave=week&datum=2026-11-16")
    assert ctx["next_url"].endswith("weergave=week&datum=2026-11-30")
    assert ctx["today_url"].endswith("?weergave=week")
    body = response.content.decode()
    assert 'href="/w4/agenda/?weergave=week&amp;datum=2026-11-16"' in body
    # The view switch keeps the date and marks the active view.
    assert re.search(r'<a href="[^"]*weergave=week&amp;datum=2026-11-25" aria-current="page">', body)
    assert 'href="/w4/agenda/?weergave=dag&amp;datum=2026-11-25"' in body
    assert 'href="/w4/agenda/?weergave=maand&amp;datum=2026-11-25"' in body
    # Following "next" lands on the next week.
    nxt = client_for(None).get(ctx["next_url"])
    assert nxt.context["first"] == dt.date(2026, 11, 30)


def test_day_and_month_navigation(house, client_for):
    day = client_for(None).get(calendar_url(house, weergave="dag", datum="2026-03-01")).context
    assert day["prev_url"].endswith("datum=2026-02-28") and day["next_url"].endswith("datum=2026-03-02")
    month = client_for(None).get(calendar_url(house, weergave="maand", datum="2026-01-31")).context
    assert month["prev_url"].endswith("datum=2025-12-01") and month["next_url"].endswith("datum=2026-02-01")


@pytest.mark.parametrize(
    "bad", ["morgen", "2026-13-01", "2026-02-30", "99999-01-01", "0001-01-01", "2026-11"]
)
def test_a_bad_date_shows_today_with_a_gentle_message(bad, house, client_for):
    response = client_for(None).get(calendar_url(house, datum=bad))
    assert response.status_code == 200
    assert response.context["first"] == week_start(timezone.localdate())
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1


def test_an_unknown_view_falls_back_to_the_week(house, client_for):
    response = client_for(None).get(calendar_url(house, weergave="jaar", datum="2026-11-25"))
    assert response.status_code == 200
    assert response.context["view"] == "week"


def test_unknown_house_is_404(db, client_for):
    assert client_for(None).get("/bestaat-niet/agenda/").status_code == 404


# --- the month -----------------------------------------------------------------------------------


def test_month_is_a_table_with_weekday_headers_from_monday(house, resident, client_for):
    room = make_room(house)
    book(room, resident, local(2026, 2, 10, 14), local(2026, 2, 10, 16), title="Breiclub", public=True)
    response = client_for(None).get(calendar_url(house, weergave="maand", datum="2026-02-10"))
    body = response.content.decode()
    assert "<caption>" in body
    assert body.count('<th scope="col">') == 7
    weeks = response.context["weeks"]
    # February 2026 starts on a Sunday: the grid runs from Monday 26 January to Sunday 1 March.
    assert weeks[0][0].date == dt.date(2026, 1, 26) and weeks[-1][-1].date == dt.date(2026, 3, 1)
    assert all(len(w) == 7 for w in weeks)
    assert not weeks[0][0].in_month and weeks[0][6].in_month
    (tuesday,) = [d for w in weeks for d in w if d.date == dt.date(2026, 2, 10)]
    assert [i.title for i in tuesday.items] == ["Breiclub"]


# --- the nights the clocks change -----------------------------------------------------------------


def test_day_view_on_the_spring_night(house, resident, client_for):
    """29 March 2026 has 23 hours: 02:00 becomes 03:00."""
    room = make_room(house, buffer_minutes=0)
    book(room, resident, local(2026, 3, 28, 23), local(2026, 3, 29, 1), title="Nachtje door", public=True)
    book(room, resident, local(2026, 3, 29, 1), local(2026, 3, 29, 3), title="Over de sprong", public=True)
    book(room, resident, local(2026, 3, 29, 14), local(2026, 3, 29, 16), title="Middag", public=True)
    book(room, resident, local(2026, 3, 29, 23), local(2026, 3, 30, 0), title="Laat", public=True)
    book(room, resident, local(2026, 3, 30, 0), local(2026, 3, 30, 1), title="Volgende dag", public=True)
    response = client_for(None).get(calendar_url(house, weergave="dag", datum="2026-03-29"))
    items = items_by_date(response)[dt.date(2026, 3, 29)]
    assert [(i.title, f"{i.start:%H:%M}–{i.end:%H:%M}") for i in items] == [
        ("Nachtje door", "23:00–01:00"),
        ("Over de sprong", "01:00–03:00"),  # one hour long, on the clock two
        ("Middag", "14:00–16:00"),
        ("Laat", "23:00–00:00"),
    ]
    body = response.content.decode()
    assert "14:00</time>–<time" in body
    assert 'datetime="2026-03-29T14:00:00+02:00"' in body
    assert 'datetime="2026-03-29T01:00:00+01:00"' in body


def test_day_view_on_the_autumn_night(house, resident, client_for):
    """25 October 2026 has 25 hours: 02:00-03:00 happens twice."""
    room = make_room(house, buffer_minutes=0)
    utc = dt.UTC
    book(
        room,
        resident,
        dt.datetime(2026, 10, 25, 0, 0, tzinfo=utc),
        dt.datetime(2026, 10, 25, 0, 30, tzinfo=utc),
        title="Eerste keer twee uur",
        public=True,
    )
    book(
        room,
        resident,
        dt.datetime(2026, 10, 25, 1, 0, tzinfo=utc),
        dt.datetime(2026, 10, 25, 1, 30, tzinfo=utc),
        title="Tweede keer twee uur",
        public=True,
    )
    book(room, resident, local(2026, 10, 25, 14), local(2026, 10, 25, 16), title="Middag", public=True)
    book(room, resident, local(2026, 10, 25, 23), local(2026, 10, 26, 0), title="Laat", public=True)
    book(room, resident, local(2026, 10, 24, 22), local(2026, 10, 24, 23), title="Dag ervoor", public=True)
    response = client_for(None).get(calendar_url(house, weergave="dag", datum="2026-10-25"))
    items = items_by_date(response)[dt.date(2026, 10, 25)]
    assert [(i.title, f"{i.start:%H:%M}–{i.end:%H:%M}") for i in items] == [
        ("Eerste keer twee uur", "02:00–02:30"),
        ("Tweede keer twee uur", "02:00–02:30"),
        ("Middag", "14:00–16:00"),
        ("Laat", "23:00–00:00"),
    ]
    body = response.content.decode()
    assert 'datetime="2026-10-25T02:00:00+02:00"' in body
    assert 'datetime="2026-10-25T02:00:00+01:00"' in body
    assert 'datetime="2026-10-25T14:00:00+01:00"' in body


def test_week_of_the_spring_night_spans_whole_local_days(house, resident):
    """The selector asks for Monday 00:00 to next Monday 00:00 local, whatever the offset."""
    room = make_room(house, buffer_minutes=0)
    book(room, resident, local(2026, 3, 22, 23, 30), local(2026, 3, 23, 0), title="Zondag ervoor")
    book(room, resident, local(2026, 3, 23, 0), local(2026, 3, 23, 0, 30), title="Maandag vroeg")
    book(room, resident, local(2026, 3, 29, 23, 30), local(2026, 3, 30, 0), title="Zondag laat")
    book(room, resident, local(2026, 3, 30, 0), local(2026, 3, 30, 0, 30), title="Maandag erna")
    days, count = selectors.grid("week", dt.date(2026, 3, 26), house)
    assert count == 2
    assert [b.title for b in days[0].bookings] == ["Maandag vroeg"]
    assert [b.title for b in days[6].bookings] == ["Zondag laat"]


# --- speed ---------------------------------------------------------------------------------------

# The house and the bookings, plus for a logged-in person the session, the user, usersessions'
# tracking and the roles: 2 and 5 today, with one spare. A query per booking would blow it at 10.
WEEK_BUDGET = {"anonymous": 3, "resident": 6}


def _fill_week(house, people, n: int, monday: dt.date) -> None:
    """n live bookings in one week: one per room per hour, so none overlap (no buffer)."""
    rooms = Room.objects.bulk_create(
        Room(house=house, name=f"Zaal {i:02d}", buffer_minutes=0) for i in range(max(1, n // 100 + 1))
    )
    bookings = []
    for i in range(n):
        room, slot = rooms[i // 100], i % 100  # 15 half hours a day from 08:00, 7 days: 105 slots
        day = monday + dt.timedelta(days=slot // 15)
        begin = local(day.year, day.month, day.day, 8) + dt.timedelta(minutes=30 * (slot % 15))
        end = begin + dt.timedelta(minutes=30)
        bookings.append(
            Booking(
                room=room,
                booker=people[i % len(people)],
                created_by=people[i % len(people)],
                period=DateTimeTZRange(begin, end),
                blocked=DateTimeTZRange(begin, end),
                category=Booking.Category.MEETING,
                title=f"Boeking {i}",
                attendees=4,
                is_public=i % 3 == 0,
                status="requested" if i % 5 == 0 else "confirmed",
                rules_version=1,
            )
        )
    Booking.objects.bulk_create(bookings)


@pytest.mark.parametrize("n", [10, 2000])
@pytest.mark.parametrize("persona", ["anonymous", "resident"])
def test_week_view_query_budget(
    n, persona, request, house, resident, student, coordinator, client_for, django_assert_max_num_queries
):
    monday = dt.date(2026, 11, 23)
    _fill_week(house, [resident, student, coordinator], n, monday)
    user = request.getfixturevalue(persona)
    client = client_for(user)
    url = calendar_url(house, datum=monday.isoformat())
    client.get(url)  # the first request of a session also records the session (usersessions)
    with django_assert_max_num_queries(WEEK_BUDGET[persona]):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["count"] == n
    assert sum(len(d.items) for d in response.context["days"]) == n


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC),  # 02:30 summer time
        dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC),  # 02:30 winter time, the hour again
        dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC),  # 03:00 just after the spring jump
        dt.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(2027, 1, 1, 0, 0, tzinfo=ZoneInfo("Europe/Amsterdam")),
    ],
)
def test_an_items_times_read_as_the_date_and_time_filters_write_them(moment):
    from django.template.defaultfilters import date as date_filter
    from django.template.defaultfilters import time as time_filter

    from activities.calendar_views import Item

    item = Item("t", "Huiskamer", moment, moment + dt.timedelta(minutes=45), busy=False, requested=False)
    local_start, local_end = timezone.localtime(item.start), timezone.localtime(item.end)
    assert item.start_iso == date_filter(local_start, "c") and item.end_iso == date_filter(local_end, "c")
    assert item.start_hm == time_filter(local_start, "H:i") and item.end_hm == time_filter(local_end, "H:i")


# The markup of a booking in the week and day lists as the template partial made it, before
# calendar_views.Item.html wrote it in Python.
BOOKING_PARTIAL = """{% load i18n %}<li class="cal-booking{% if item.requested %} is-requested{% endif %}\
{% if item.busy %} is-busy{% endif %}">
  <span class="cal-time"><time datetime="{{ item.start|date:'c' }}">{{ item.start|time:"H:i" }}</time>–\
<time datetime="{{ item.end|date:'c' }}">{{ item.end|time:"H:i" }}</time></span>
  <span class="cal-title">{% if item.url %}<a href="{{ item.url }}">{{ item.title }}</a>{% else %}\
{{ item.title }}{% endif %}</span>
  <span class="cal-room">{{ item.room }}</span>
  {% if item.requested %}<span class="cal-status">{% translate "waiting for approval" %}</span>{% endif %}
</li>"""


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("requested", [False, True])
@pytest.mark.parametrize("busy", [False, True])
@pytest.mark.parametrize("url", ["", "/w4/reserveringen/12/?a=1&b=<2>"])
@pytest.mark.parametrize("title", ["Verjaardag van Ans", "<script>alert(\"x\")</script> & 'zo'"])
def test_a_bookings_markup_is_the_template_partials(language, requested, busy, url, title):
    from django.template import engines
    from django.utils import translation

    from activities.calendar_views import Item

    start = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    item = Item(title, "Huiskamer <1>", start, start + dt.timedelta(hours=2), busy, requested, url)
    with translation.override(language):
        expected = engines["django"].from_string(BOOKING_PARTIAL).render({"item": item})
        assert str(item.html) == expected


def test_negative_control_a_changed_partial_differs():
    from django.template import engines

    from activities.calendar_views import Item

    start = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    item = Item("Koffie", "Huiskamer", start, start + dt.timedelta(hours=1), False, False, "")
    changed = BOOKING_PARTIAL.replace('class="cal-room"', 'class="cal-ruimte"')
    assert str(item.html) != engines["django"].from_string(changed).render({"item": item})
