"""Twenty people sign up for five places at the same moment: exactly five get one, fifteen wait.

Real threads, real transactions. The activity row lock (select_for_update) is what keeps the count
right. The negative control takes the lock away and forces every thread to count before any writes:
then more than five get a place, so these tests can fail.
"""

from __future__ import annotations

import threading

import pytest
from django.db.models import QuerySet
from django.utils import translation

from activities import signups
from activities.models import Signup
from activities.signups import SignupError
from tests.activities.test_signups import make_activity
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 20
PLACES = 5


@pytest.fixture
def people(house, make_user):
    return [make_user(f"buur{i}@example.nl", f"Buur {i}", house, "resident") for i in range(PEOPLE)]


def _signer(barrier, activity, person):
    def go():
        barrier.wait(60)
        with translation.override("nl"):
            return signups.sign_up(activity=activity, person=person, by=person)

    return go


def _race(activity, people):
    barrier = threading.Barrier(len(people))
    return run_in_threads(*(_signer(barrier, activity, p) for p in people), timeout=120)


def assert_capacity_held(activity, results, *, expected_live: int) -> None:
    errors = [v for kind, v in results if kind == "error"]
    assert not errors, errors
    confirmed = Signup.objects.filter(activity=activity, status=Signup.Status.CONFIRMED).count()
    assert confirmed == PLACES, f"{confirmed} confirmed for {PLACES} places"
    live = Signup.objects.filter(activity=activity, status__in=signups.LIVE).count()
    assert live == expected_live, "a sign-up was lost"


def test_twenty_at_once_for_five_places(house, people):
    activity = make_activity(house, capacity=PLACES)

    results = _race(activity, people)

    assert_capacity_held(activity, results, expected_live=PEOPLE)
    statuses = [v.status for kind, v in results]
    assert statuses.count(Signup.Status.CONFIRMED) == PLACES
    assert statuses.count(Signup.Status.WAITING) == PEOPLE - PLACES
    # The waiting list is in the order the database saw them: positions 1..15, none twice.
    waiting = Signup.objects.filter(activity=activity, status=Signup.Status.WAITING)
    assert sorted(signups.waiting_position(s) for s in waiting) == list(range(1, PEOPLE - PLACES + 1))


def test_cancels_and_signups_at_once_never_exceed_capacity(house, people):
    activity = make_activity(house, capacity=PLACES)
    first = people[:10]  # five with a place, five waiting
    taken = [signups.sign_up(activity=activity, person=p, by=p) for p in first]
    confirmed = [s for s in taken if s.status == Signup.Status.CONFIRMED]
    newcomers = people[10:]

    barrier = threading.Barrier(len(confirmed) + len(newcomers))

    def canceller(signup):
        def go():
            barrier.wait(60)
            with translation.override("nl"):
                return signups.cancel_signup(signup_id=signup.pk, by=signup.person)

        return go

    results = run_in_threads(
        *(canceller(s) for s in confirmed),
        *(_signer(barrier, activity, p) for p in newcomers),
        timeout=60,
    )

    # 10 + 10 signed up, 5 signed off: 15 on the list, and the 5 places taken again by those waiting.
    assert_capacity_held(activity, results, expected_live=15)
    moved_up = Signup.objects.filter(activity=activity, status=Signup.Status.CONFIRMED)
    assert set(moved_up.values_list("person_id", flat=True)) <= {p.pk for p in first[5:] + newcomers}


def test_negative_control_without_the_lock_capacity_is_exceeded(house, people, monkeypatch):
    """Proves the tests above can fail: without the row lock, everyone who counted at once gets in."""
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)
    original = signups.places_taken
    counted = threading.Barrier(PEOPLE)

    def places_taken(activity):
        taken = original(activity)
        counted.wait(60)  # every thread has counted before any writes: the worst interleaving
        return taken

    monkeypatch.setattr(signups, "places_taken", places_taken)
    activity = make_activity(house, capacity=PLACES)

    results = _race(activity, people)

    confirmed = Signup.objects.filter(activity=activity, status=Signup.Status.CONFIRMED).count()
    assert confirmed > PLACES, "without the lock the test should have found too many sign-ups"
    with pytest.raises(AssertionError, match="confirmed for"):
        assert_capacity_held(activity, results, expected_live=PEOPLE)


def test_the_same_person_twice_at_once_is_one_signup(house, people):
    activity = make_activity(house, capacity=PLACES)
    person = people[0]
    barrier = threading.Barrier(4)
    results = run_in_threads(*(_signer(barrier, activity, person) for _ in range(4)), timeout=120)
    errors = [v for kind, v in results if kind == "error"]
    assert len(errors) == 3
    assert all(isinstance(e, SignupError) for e in errors)
    assert Signup.objects.filter(activity=activity).count() == 1
