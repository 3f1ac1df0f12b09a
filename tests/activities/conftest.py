"""Rooms to book in the tests, and small builders for times and bookings.

`room`: the living room of w4, bookable every day 08:00-23:00, 15 minutes between bookings,
30-240 minutes, 2 hours notice, 90 days ahead, 3 a week per person, cancel until 24 hours before,
with rules. `approval_room`: the same, but bookings need approval. `other_room`: in `other_house`.
"""

from __future__ import annotations

import pytest

from tests.activities.factories import days_ahead, make_room


@pytest.fixture
def room(house):
    return make_room(house)


@pytest.fixture
def approval_room(house):
    return make_room(house, "Vergaderzaal", needs_approval=True)


@pytest.fixture
def other_room(other_house):
    return make_room(other_house, "Huiskamer Wingerd")


@pytest.fixture
def day():
    """A day well inside the booking window: three days from now."""
    return days_ahead(3)
