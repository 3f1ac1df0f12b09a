"""After an activity: tick who came, count the walk-ins; the organiser's list of what is left."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from activities import signups
from activities.models import Activity, Signup
from activities.signups import SignupError
from residents.models import AuditEvent
from tests.activities.test_signups import make_activity, nl
from tests.forms import parse_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(house, make_user):
    return make_user("olga@example.nl", "Olga Organiseert", house, "resident")


@pytest.fixture
def done(house, organiser, make_user):
    """An activity that started an hour ago, organised by Olga, with three people signed up."""
    activity = make_activity(house, title="Koffieochtend", capacity=10)
    activity.organisers.add(organiser)
    for name in ["Ans", "Bert", "Cees"]:
        person = make_user(f"{name.lower()}@example.nl", name, house, "resident")
        signups.sign_up(activity=activity, person=person, by=person)
    start = timezone.now() - dt.timedelta(hours=1)
    Activity.objects.filter(pk=activity.pk).update(period=(start, start + dt.timedelta(hours=2)))
    activity.refresh_from_db()
    return activity


def url_for(activity) -> str:
    return reverse("activities:activity_attendance", kwargs={"house": activity.house.slug, "pk": activity.pk})


def test_organiser_ticks_who_came_and_counts_walk_ins(client_for, done, organiser):
    client = client_for(organiser)
    form = parse_form(client.get(url_for(done)).content, form_id="attendance-form")
    ans, bert = Signup.objects.filter(activity=done, person__name__in=["Ans", "Bert"]).order_by(
        "person__name"
    )

    response = client.post(url_for(done), form.submit_data(came=[str(ans.pk), str(bert.pk)], walk_ins="4"))

    assert response.status_code == 302
    assert response["Location"] == reverse("activities:attendance_todo", kwargs={"house": done.house.slug})
    came = dict(Signup.objects.filter(activity=done).values_list("person__name", "attended"))
    assert came == {"Ans": True, "Bert": True, "Cees": False}
    done.refresh_from_db()
    assert (done.walk_ins, done.attendance_recorded_by) == (4, organiser)
    assert done.attendance_recorded_at is not None
    assert AuditEvent.objects.filter(action="activity.attendance", actor=organiser).exists()
    # The form shows what was saved when opened again.
    again = parse_form(client.get(url_for(done)).content, form_id="attendance-form")
    assert sorted(again.values["came"]) == sorted([str(ans.pk), str(bert.pk)])
    assert again.values["walk_ins"] == ["4"]


@pytest.mark.parametrize(
    ("walk_ins", "msgid", "params"),
    [
        ("-1", "The number of people cannot be below zero.", {}),
        (
            "501",
            "That is more than %(limit_value)s people. Check the number, or ask the staff.",
            {"limit_value": 500},
        ),
        ("veel", "Enter a whole number, for example 4.", {}),
        ("", "Enter a number; 0 if nobody else came.", {}),
    ],
)
def test_bad_numbers_give_a_clear_error_and_save_nothing(
    client_for, done, organiser, walk_ins, msgid, params
):
    client = client_for(organiser)
    form = parse_form(client.get(url_for(done)).content, form_id="attendance-form")
    with translation.override("nl"):
        response = client.post(
            url_for(done),
            form.submit_data(
                came=form.values["came"][:1] if "came" in form.values else [], walk_ins=walk_ins
            ),
            HTTP_ACCEPT_LANGUAGE="nl",
        )
    assert response.status_code == 200
    assert response.context["form"].errors["walk_ins"] == [nl(msgid, **params)]
    done.refresh_from_db()
    assert done.attendance_recorded_at is None
    assert not Signup.objects.filter(activity=done, attended__isnull=False).exists()


def test_a_tampered_signup_id_is_refused(client_for, done, organiser, house, make_user):
    other = make_activity(house)
    stranger = make_user("x@example.nl", "X", house, "resident")
    theirs = signups.sign_up(activity=other, person=stranger, by=stranger)
    response = client_for(organiser).post(url_for(done), {"came": [str(theirs.pk)], "walk_ins": "0"})
    assert response.status_code == 200
    assert response.context["form"].errors["came"]
    assert Signup.objects.filter(attended__isnull=False).count() == 0


def test_the_service_refuses_bad_numbers_too(done, organiser):
    for walk_ins, msgid in [(-1, "The number of people cannot be below zero."), (501, None)]:
        with translation.override("nl"), pytest.raises(SignupError) as err:
            signups.record_attendance(activity_id=done.pk, by=organiser, came=set(), walk_ins=walk_ins)
        if msgid:
            assert str(err.value) == nl(msgid)
    done.refresh_from_db()
    assert done.walk_ins is None


def test_not_before_the_start(client_for, house, student):
    coming = make_activity(house)
    response = client_for(student).get(url_for(coming))
    with translation.override("nl"):
        assert nl("You can record attendance once the activity has started.") in response.content.decode()
    assert b"attendance-form" not in response.content
    with pytest.raises(SignupError):
        signups.record_attendance(activity_id=coming.pk, by=student, came=set(), walk_ins=3)


def test_who_may_record(client_for, done, resident, student, viewer, outsider, mfa_off, coordinator):
    assert client_for(resident).get(url_for(done)).status_code == 403
    assert client_for(viewer).get(url_for(done)).status_code == 403
    assert client_for(outsider).get(url_for(done)).status_code == 403  # activity for everyone: visible
    assert client_for(student).get(url_for(done)).status_code == 200
    assert client_for(coordinator).get(url_for(done)).status_code == 200
    assert client_for(None).get(url_for(done)).status_code == 302
    with pytest.raises(SignupError):
        signups.record_attendance(activity_id=done.pk, by=resident, came=set(), walk_ins=1)


def test_todo_lists_past_activities_without_attendance(
    client_for, house, done, organiser, student, make_user
):
    recorded = make_activity(house, title="Al geteld")
    too_old = make_activity(house, title="Te lang geleden")
    not_mine = make_activity(house, title="Van een ander")
    now = timezone.now()
    for a, days in ((recorded, 2), (too_old, 61), (not_mine, 3)):
        start = now - dt.timedelta(days=days)
        Activity.objects.filter(pk=a.pk).update(period=(start, start + dt.timedelta(hours=1)))
    Activity.objects.filter(pk=recorded.pk).update(attendance_recorded_at=now, walk_ins=2)
    recorded.organisers.add(organiser)
    too_old.organisers.add(organiser)
    make_activity(house, title="Nog te komen").organisers.add(organiser)
    url = reverse("activities:attendance_todo", kwargs={"house": house.slug})

    mine = client_for(organiser).get(url).content.decode()
    assert "Koffieochtend" in mine
    assert url_for(done) in mine
    for title in ("Al geteld", "Te lang geleden", "Van een ander", "Nog te komen"):
        assert title not in mine

    planner = client_for(student).get(url).content.decode()
    assert "Koffieochtend" in planner and "Van een ander" in planner
    assert "Al geteld" not in planner


def test_recording_takes_it_off_the_list(client_for, done, organiser):
    client = client_for(organiser)
    form = parse_form(client.get(url_for(done)).content, form_id="attendance-form")
    response = client.post(url_for(done), form.submit_data(walk_ins="0"), follow=True)
    assert response.redirect_chain[-1][0].endswith("/aanwezigheid/")
    assert url_for(done) not in response.content.decode()
    with translation.override("nl"):
        assert nl("Nothing to record. Thank you!") in response.content.decode()
