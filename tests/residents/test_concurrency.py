"""Two staff decide the same request at the same moment: the row lock lets exactly one win."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.db.models import QuerySet

from residents import services
from residents.models import AuditEvent, Membership
from tests.threads import run_in_threads, someone_waits_for_a_lock

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def setup(house, staff, make_user):
    second = make_user("medewerker2@example.nl", "Mo Medewerker", house, "staff")
    person = make_user("wacht@example.nl", "Wim Wacht", house, status="pending")
    return staff, second, person.memberships.get()


def _decide(barrier, membership, house, by, approve):
    def go():
        barrier.wait(60)
        return services.decide_membership(membership_id=membership.pk, house=house, by=by, approve=approve)

    return go


def test_two_staff_decide_at_once_exactly_one_wins(house, setup):
    first, second, membership = setup
    barrier = threading.Barrier(2)
    results = run_in_threads(
        _decide(barrier, membership, house, first, True),
        _decide(barrier, membership, house, second, False),
    )

    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"]
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, services.MembershipError)
    winner = next(value for kind, value in results if kind == "ok")
    # The loser is told what the winner decided.
    decided = {Membership.Status.ACTIVE: "goedgekeurd", Membership.Status.DECLINED: "afgewezen"}
    assert str(error) == f"Iemand heeft deze aanvraag al behandeld: {decided[winner.status]}."
    assert AuditEvent.objects.filter(target_id=str(membership.pk)).count() == 1
    membership.refresh_from_db()
    assert membership.status == winner.status
    assert membership.decided_by_id == winner.decided_by_id


def _block_first_save(monkeypatch, in_save: threading.Event, release: threading.Event):
    """The first Membership.save() of the test waits until `release`; later saves go on."""
    original = Membership.save
    first = threading.Lock()

    def save(self, *args, **kwargs):
        if first.acquire(blocking=False):
            in_save.set()
            assert release.wait(10), "the test never released the first save"
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Membership, "save", save)


def _wait_until(condition, timeout=10.0) -> bool:
    done = threading.Event()
    for _ in range(int(timeout / 0.05)):
        if condition():
            return True
        done.wait(0.05)  # polling a condition, not timing the code under test
    return False


def test_the_second_decider_waits_for_the_row_lock(house, setup, monkeypatch):
    """Deterministic order: A holds the lock inside save(); B must block on it, not read."""
    first, second, membership = setup
    in_save, release = threading.Event(), threading.Event()
    _block_first_save(monkeypatch, in_save, release)
    results = [None, None]

    def a():
        try:
            results[0] = services.decide_membership(
                membership_id=membership.pk, house=house, by=first, approve=True
            )
        finally:
            connections.close_all()

    def b():
        try:
            services.decide_membership(membership_id=membership.pk, house=house, by=second, approve=False)
        except services.MembershipError as err:
            results[1] = err
        finally:
            connections.close_all()

    ta = threading.Thread(target=a)
    ta.start()
    assert in_save.wait(10)
    tb = threading.Thread(target=b)
    tb.start()
    try:
        assert _wait_until(someone_waits_for_a_lock), "B did not wait for A's row lock"
    finally:
        release.set()
        ta.join(10)
        tb.join(10)

    assert results[0].status == Membership.Status.ACTIVE
    assert isinstance(results[1], services.MembershipError)
    assert AuditEvent.objects.filter(target_id=str(membership.pk)).count() == 1


def test_negative_control_without_the_lock_both_win(house, setup, monkeypatch):
    """Proves the tests above can fail: without select_for_update both read "pending"."""
    first, second, membership = setup
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *a, **kw: self)
    # Both threads must have read the row before either writes it.
    barrier = threading.Barrier(2)
    original = Membership.save

    def save(self, *args, **kwargs):
        barrier.wait(10)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Membership, "save", save)
    results = run_in_threads(
        lambda: services.decide_membership(membership_id=membership.pk, house=house, by=first, approve=True),
        lambda: services.decide_membership(
            membership_id=membership.pk, house=house, by=second, approve=False
        ),
    )

    assert [kind for kind, _ in results] == ["ok", "ok"]
    assert AuditEvent.objects.filter(target_id=str(membership.pk)).count() == 2
