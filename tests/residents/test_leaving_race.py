"""Someone signs up (or staff sign them up) while their account is being deleted: the sign-up waits
for the deletion and is then refused, so no live sign-up outlives the account."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.utils import timezone

from activities import signups
from activities.models import Signup
from residents import leaving, registry
from residents.models import User
from tests.activities.factories import knitting
from tests.threads import run_in_threads, someone_waits_for_a_lock

pytestmark = pytest.mark.django_db(transaction=True)


def _race(monkeypatch, house, resident, staff):
    activity = knitting(house, timezone.now() + dt.timedelta(days=2))
    in_erase, release = threading.Event(), threading.Event()

    def slow_eraser(person, *, by, now):
        in_erase.set()
        assert release.wait(20), "the test never let the deletion finish"

    monkeypatch.setattr(registry, "erasers", [*registry.erasers, slow_eraser])

    def erase():
        leaving.erase(User.objects.get(pk=resident.pk), by=resident)

    def sign_up():
        assert in_erase.wait(20)
        return signups.sign_up(activity=activity, person=User.objects.get(pk=resident.pk), by=staff)

    def release_when_waiting():
        assert in_erase.wait(20)
        for _ in range(200):
            if someone_waits_for_a_lock():
                break
            threading.Event().wait(0.05)
        release.set()

    results = run_in_threads(erase, sign_up, release_when_waiting)
    return activity, results


def test_a_sign_up_during_deletion_waits_and_is_refused(monkeypatch, house, resident, staff):
    activity, (erased, signed, _) = _race(monkeypatch, house, resident, staff)
    assert erased[0] == "ok", erased
    assert signed[0] == "error" and isinstance(signed[1], signups.SignupError), signed
    assert str(signed[1]) == "Dit account is verwijderd."
    assert not Signup.objects.filter(activity=activity, status__in=signups.LIVE).exists()


def test_negative_control_without_the_lock_the_sign_up_outlives_the_account(
    monkeypatch, house, resident, staff
):
    monkeypatch.setattr(signups, "_hold", lambda person: None)
    activity, (erased, signed, _) = _race(monkeypatch, house, resident, staff)
    assert erased[0] == "ok" and signed[0] == "ok", (erased, signed)
    live = Signup.objects.get(activity=activity, status__in=signups.LIVE)
    assert User.objects.get(pk=live.person_id).erased_at is not None
