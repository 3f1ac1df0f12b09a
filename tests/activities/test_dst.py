"""The two nights a year the clocks change (Europe/Amsterdam): 29 March and 25 October 2026.

A wall-clock time that does not exist or exists twice is refused with a clear message; rules use
the real length of a booking; times are stored in UTC and shown in local time.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from activities import services
from activities.models import Booking
from activities.services import BookingDetails, BookingError
from activities.timeutil import local_day_bounds, make_local
from tests.activities.factories import at, make_room
from tests.forms import parse_form

SPRING = dt.date(2026, 3, 29)  # 02:00 -> 03:00
AUTUMN = dt.date(2026, 10, 25)  # 03:00 -> 02:00
NEXT_SPRING = dt.date(2027, 3, 28)
NEXT_AUTUMN = dt.date(2027, 10, 31)

NONEXISTENT = (
    "%(time)s does not exist on %(day)s: the clocks go forward that night. Choose a time after 03:00."
)
AMBIGUOUS = "%(time)s happens twice on %(day)s: the clocks go back that night. Choose a time after 03:00."


@pytest.fixture
def night_room(house):
    """Bookable at any hour (no hours set), up to five hours, far ahead."""
    return make_room(house, "Nachtzaal", hours=(), max_minutes=300, max_days_ahead=500, rules="")


def book(room, person, day, start, end, now) -> Booking:
    return services.create_booking(
        room=room,
        by=person,
        booker=person,
        start=at(day, start),
        end=at(day, end),
        details=BookingDetails(category="other", title="Nachtwake", attendees=3),
        rules_accepted=True,
        now=now,
    )


# --- make_local ----------------------------------------------------------------------------------


def test_a_time_in_the_spring_gap_is_refused():
    with translation.override("en"), pytest.raises(ValidationError) as err:
        make_local(SPRING, dt.time(2, 30))
    assert err.value.code == "nonexistent"
    assert err.value.messages == [
        "02:30 does not exist on 29-03-2026: the clocks go forward that night. Choose a time after 03:00."
    ]


def test_a_time_of_the_autumn_hour_that_happens_twice_is_refused():
    with translation.override("en"), pytest.raises(ValidationError) as err:
        make_local(AUTUMN, dt.time(2, 30))
    assert err.value.code == "ambiguous"
    assert err.value.messages == [
        "02:30 happens twice on 25-10-2026: the clocks go back that night. Choose a time after 03:00."
    ]


@pytest.mark.parametrize(
    ("day", "time", "utc"),
    [
        (SPRING, dt.time(1, 59), dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC)),
        (SPRING, dt.time(3, 0), dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC)),
        (AUTUMN, dt.time(1, 59), dt.datetime(2026, 10, 24, 23, 59, tzinfo=dt.UTC)),
        (AUTUMN, dt.time(3, 0), dt.datetime(2026, 10, 25, 2, 0, tzinfo=dt.UTC)),
    ],
)
def test_times_around_the_change_are_fine(day, time, utc):
    assert make_local(day, time) == utc


def real(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Real time between two moments (Python subtracts two times of one zone as wall-clock times)."""
    return end.astimezone(dt.UTC) - start.astimezone(dt.UTC)


def test_the_days_of_the_change_are_23_and_25_hours_long():
    assert real(*local_day_bounds(SPRING)) == dt.timedelta(hours=23)
    assert real(*local_day_bounds(AUTUMN)) == dt.timedelta(hours=25)


# --- bookings over the change ----------------------------------------------------------------------


def test_0100_to_0400_in_spring_lasts_two_real_hours(night_room, resident):
    booking = book(night_room, resident, SPRING, "01:00", "04:00", now=at(dt.date(2026, 3, 20), "12:00"))

    booking = Booking.objects.get(pk=booking.pk)
    assert booking.end - booking.start == dt.timedelta(hours=2)
    assert booking.start.utcoffset() == dt.timedelta(0)
    assert booking.start == dt.datetime(2026, 3, 29, 0, 0, tzinfo=dt.UTC)
    assert booking.end == dt.datetime(2026, 3, 29, 2, 0, tzinfo=dt.UTC)


def test_0100_to_0400_in_autumn_lasts_four_real_hours(night_room, resident):
    booking = book(night_room, resident, AUTUMN, "01:00", "04:00", now=at(dt.date(2026, 10, 20), "12:00"))

    booking = Booking.objects.get(pk=booking.pk)
    assert booking.end - booking.start == dt.timedelta(hours=4)
    assert booking.start.utcoffset() == dt.timedelta(0)
    assert booking.start == dt.datetime(2026, 10, 24, 23, 0, tzinfo=dt.UTC)
    assert booking.end == dt.datetime(2026, 10, 25, 3, 0, tzinfo=dt.UTC)


def test_the_rules_count_real_minutes_not_wall_clock_minutes(night_room, resident):
    night_room.max_minutes = 180
    night_room.save()
    with translation.override("en"), pytest.raises(BookingError) as err:
        # Three hours on the clock, four in reality.
        book(night_room, resident, AUTUMN, "01:00", "04:00", now=at(dt.date(2026, 10, 20), "12:00"))
    assert err.value.problems == [("end", "A booking lasts at most 180 minutes.")]
    # Three and a half hours on the clock, two and a half in reality.
    booking = book(night_room, resident, SPRING, "01:00", "04:30", now=at(dt.date(2026, 3, 20), "12:00"))
    assert real(booking.start, booking.end) == dt.timedelta(hours=2, minutes=30)


def test_the_buffer_is_real_time_across_the_change(night_room, resident, student):
    now = at(dt.date(2026, 3, 20), "12:00")
    book(night_room, resident, SPRING, "00:30", "01:50", now=now)
    # 01:50 + 15 minutes of tidying up is 03:05 on the clock that night, not 02:05.
    with translation.override("en"):
        with pytest.raises(BookingError) as err:
            book(night_room, student, SPRING, "03:00", "04:00", now=now)
        assert err.value.problems == [("start", str(services.ALREADY_TAKEN))]
    book(night_room, student, SPRING, "03:05", "04:00", now=now)
    assert Booking.objects.count() == 2


def test_the_booking_page_shows_local_times(night_room, resident, client_for):
    booking = book(night_room, resident, SPRING, "01:00", "04:00", now=at(dt.date(2026, 3, 20), "12:00"))

    response = client_for(resident).get(booking.get_absolute_url())

    assert response.status_code == 200
    assert "01:00–04:00" in response.content.decode()


# --- the form refuses those times --------------------------------------------------------------------


def expected(template: str, time: str, day: dt.date) -> str:
    with translation.override("nl"):
        return gettext(template) % {"time": time, "day": day.strftime("%d-%m-%Y")}


@pytest.mark.parametrize(("day", "template"), [(NEXT_SPRING, NONEXISTENT), (NEXT_AUTUMN, AMBIGUOUS)])
def test_the_form_refuses_a_time_that_does_not_exist_or_happens_twice(
    day, template, night_room, resident, client_for
):
    client = client_for(resident)
    url = reverse("activities:book", kwargs={"house": night_room.house.slug})
    page = client.get(url, {"ruimte": night_room.pk, "datum": day.isoformat()})
    form = parse_form(page.content, has_field="title")
    assert form.values["date"] == [day.isoformat()]

    response = client.post(
        url,
        form.submit_data(
            room=str(night_room.pk), start="02:30", end="05:00", title="Nachtwake", attendees="3"
        ),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["start"] == [expected(template, "02:30", day)]
    assert expected(template, "02:30", day) in response.content.decode()
    assert not Booking.objects.exists()
