"""Query budgets: the booking pages run the same number of queries at 10 and at 2,000 bookings."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Booking
from tests.activities.factories import at, booking_values, days_ahead, make_room

pytestmark = pytest.mark.usefixtures("mfa_off")

# Counted at 10 bookings; the same budget must hold at 2,000.
# my_bookings: + the roles query of the main menu (the "Uren" entry for students and coordinators).
BUDGET = {"my_bookings": 5, "requests": 5}
# The booking form: session, person with roles, house, rooms with the day's hours, closures and
# bookings (one query); staff also read the members they may book for.
BOOK_BUDGET = {"resident": 4, "staff": 5}


def _slots(rooms, days):
    for day in days:
        for room in rooms:
            for hour in range(8, 23):
                yield room, day, hour


def fill(rooms, person, n: int) -> None:
    """`n` bookings of `person` in distinct half-hour slots, an hour apart, over rooms and days.

    A fifth lies in the past (for "earlier"); of the coming ones every other is a request. The day
    the booking form shows (3 days ahead) stays empty.
    """
    past = n // 5
    future_days = (days_ahead(i) for i in itertools.count(1) if i != 3)
    past_days = (days_ahead(-i) for i in itertools.count(1))
    chosen = [
        *itertools.islice(_slots(rooms, past_days), past),
        *itertools.islice(_slots(rooms, future_days), n - past),
    ]
    today = timezone.localdate()
    bookings = []
    for room, day, hour in chosen:
        start = at(day, f"{hour:02}:00")
        status = Booking.Status.REQUESTED if day > today and hour % 2 else Booking.Status.CONFIRMED
        bookings.append(
            Booking(**booking_values(room, person, start, start + dt.timedelta(minutes=30), status=status))
        )
    Booking.objects.bulk_create(bookings)
    assert Booking.objects.count() == n


@pytest.fixture(params=[10, 2000], ids=["10", "2000"])
def bookings(request, house, resident):
    rooms = [make_room(house, f"Zaal {i}", needs_approval=True) for i in range(4)]
    fill(rooms, resident, request.param)
    return request.param


def test_my_bookings(bookings, resident, client_for, django_assert_max_num_queries):
    client = client_for(resident)
    with django_assert_max_num_queries(BUDGET["my_bookings"]):
        response = client.get(reverse("my_bookings"))
    assert response.status_code == 200
    upcoming = len(response.context["upcoming"])
    assert upcoming > bookings // 2  # most of them are listed
    assert response.content.decode().count("<li>") >= upcoming


def test_requests(bookings, house, coordinator, client_for, django_assert_max_num_queries):
    client = client_for(coordinator)
    with django_assert_max_num_queries(BUDGET["requests"]):
        response = client.get(reverse("activities:requests", kwargs={"house": house.slug}))
    assert response.status_code == 200
    waiting = Booking.objects.filter(status=Booking.Status.REQUESTED, period__endswith__gt=timezone.now())
    assert waiting.count() >= bookings // 4
    assert response.content.decode().count('name="decision" value="approve"') == waiting.count()


@pytest.mark.parametrize("persona", ["resident", "staff"])
def test_booking_form(persona, request, bookings, house, client_for, django_assert_max_num_queries):
    client = client_for(request.getfixturevalue(persona))
    url = reverse("activities:book", kwargs={"house": house.slug})
    with django_assert_max_num_queries(BOOK_BUDGET[persona]):
        response = client.get(url, {"datum": days_ahead(3).isoformat()})
    assert response.status_code == 200
    assert response.context["free"]  # the day is empty: free times are listed
