"""Duty pages: obligations, planning and assigning duties, taking and handing back, as rendered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from duties.models import Duty, DutyAssignment, Obligation
from residents.models import AuditEvent
from tests.duties.test_duties import make_duty
from tests.forms import parse_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mfa_off")]


def _day(days: int = 0) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_obligation_added_through_the_form(client_for, house, coordinator, student):
    client = client_for(coordinator)
    url = reverse("duties:obligations", kwargs={"house": house.slug})
    page = client.get(url)
    assert page.status_code == 200
    form = parse_form(page.content, form_id="obligation-form")
    data = form.submit_data(
        student=str(student.pk), first_day=_day(), last_day=_day(364), hours_required="96"
    )
    response = client.post(url, data)
    assert response.status_code == 302
    ob = Obligation.objects.get()
    assert (ob.student, ob.hours_required, ob.set_by) == (student, 96, coordinator)
    page = client.get(url)
    assert "96" in page.content.decode()
    delete = parse_form(page.content, form_id=f"delete-{ob.pk}")
    assert client.post(url, delete.data).status_code == 302
    assert not Obligation.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="obligation.").count() == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"hours_required": "0"},
        {"hours_required": "2001"},
        {"last_day": _day(-1)},
        {"student": "999999"},
    ],
)
def test_obligation_bad_input(client_for, house, coordinator, student, changes):
    client = client_for(coordinator)
    url = reverse("duties:obligations", kwargs={"house": house.slug})
    form = parse_form(client.get(url).content, form_id="obligation-form")
    data = form.submit_data(student=str(student.pk), first_day=_day(), last_day=_day(30), hours_required="10")
    data.update(changes)
    assert client.post(url, data).status_code == 400
    assert not Obligation.objects.exists()


def test_obligation_tampered_student_of_another_house(
    client_for, house, other_house, coordinator, student, make_user
):
    elders = make_user("elders@example.nl", "Elders", other_house, "student")
    client = client_for(coordinator)
    url = reverse("duties:obligations", kwargs={"house": house.slug})
    form = parse_form(client.get(url).content, form_id="obligation-form")
    data = form.submit_data(student=str(elders.pk), first_day=_day(), last_day=_day(30), hours_required="10")
    response = client.post(url, data)
    assert response.status_code == 400
    assert not Obligation.objects.exists()


def test_obligations_page_is_for_managers_only(client_for, house, student, resident):
    url = reverse("duties:obligations", kwargs={"house": house.slug})
    assert client_for(student).get(url).status_code == 403
    assert client_for(resident).get(url).status_code == 403


def test_duty_created_edited_and_assigned(client_for, house, coordinator, student):
    client = client_for(coordinator)
    url = reverse("duties:duty_add", kwargs={"house": house.slug})
    form = parse_form(client.get(url).content, form_id="duty-form")
    data = form.submit_data(
        title="Koffiekrant schrijven",
        description="Een stukje schrijven.",
        first_day=_day(3),
        weekly="on",
        last_day=_day(60),
        start_time="",
        end_time="",
        students_needed="1",
        expected_minutes="90",
        handback_hours="48",
    )
    assert client.post(url, data).status_code == 302
    duty = Duty.objects.get()
    assert duty.weekly and duty.house == house and duty.created_by == coordinator
    edit_url = reverse("duties:duty_edit", kwargs={"house": house.slug, "pk": duty.pk})
    form = parse_form(client.get(edit_url).content, form_id="duty-form")
    assert client.post(edit_url, form.submit_data(students_needed="2")).status_code == 302
    duty.refresh_from_db()
    assert duty.students_needed == 2
    assign_url = reverse("duties:duty_assign", kwargs={"house": house.slug, "pk": duty.pk})
    form = parse_form(client.get(assign_url).content, form_id="assign-form")
    assert client.post(assign_url, form.submit_data(student=str(student.pk))).status_code == 302
    assert DutyAssignment.objects.get().assigned_by == coordinator
    assert {"duty.created", "duty.changed", "duty.assigned"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"weekly": "on", "last_day": ""},
        {"first_day": _day(-3)},
        {"start_time": "12:00", "end_time": "11:00"},
        {"students_needed": "0"},
        {"handback_hours": "10000"},
        {"title": ""},
        {"activity": "999999"},
    ],
)
def test_duty_bad_input(client_for, house, coordinator, changes):
    client = client_for(coordinator)
    url = reverse("duties:duty_add", kwargs={"house": house.slug})
    form = parse_form(client.get(url).content, form_id="duty-form")
    data = form.submit_data(
        title="Bezoek",
        first_day=_day(3),
        students_needed="1",
        expected_minutes="60",
        handback_hours="48",
    )
    data.update(changes)
    assert client.post(url, data).status_code == 400
    assert not Duty.objects.exists()


def test_assign_tampered_or_non_student_or_full(client_for, house, coordinator, student, resident, make_user):
    duty = make_duty(house, needed=1)
    client = client_for(coordinator)
    url = reverse("duties:duty_assign", kwargs={"house": house.slug, "pk": duty.pk})
    form = parse_form(client.get(url).content, form_id="assign-form")
    assert client.post(url, form.submit_data(student=str(resident.pk))).status_code == 400
    assert client.post(url, form.submit_data(student="999999")).status_code == 400
    assert client.post(url, form.submit_data(student=str(student.pk))).status_code == 302
    second = make_user("s2@example.nl", "S2", house, "student")
    response = client.post(url, form.submit_data(student=str(second.pk)))
    assert response.status_code == 400
    assert DutyAssignment.objects.filter(duty=duty, status="active").count() == 1


def test_duty_of_another_house_is_404(client_for, house, other_house, coordinator):
    duty = make_duty(other_house)
    client = client_for(coordinator)
    for name in ("duty_edit", "duty_assign"):
        assert (
            client.get(reverse(f"duties:{name}", kwargs={"house": house.slug, "pk": duty.pk})).status_code
            == 404
        )


def test_student_takes_and_hands_back(client_for, house, student, coordinator):
    duty = make_duty(house, needed=2)
    client = client_for(student)
    page = client.get(reverse("duties:duties"))
    assert page.status_code == 200
    assert duty.title in page.content.decode()
    take = parse_form(page.content, form_id=f"take-{duty.pk}")
    response = client.post(take.action, take.data, follow=True)
    assert response.status_code == 200
    assert DutyAssignment.objects.filter(duty=duty, student=student, status="active").exists()
    hand_back = parse_form(response.content, form_id=f"return-{duty.pk}")
    # taking twice is refused with a message
    client.post(take.action, take.data)
    assert DutyAssignment.objects.filter(duty=duty, student=student).count() == 1
    assert client.post(hand_back.action, hand_back.data).status_code == 302
    assert not DutyAssignment.objects.filter(duty=duty, status="active").exists()


def test_hand_back_after_deadline_shows_message(client_for, house, student):
    duty = make_duty(house, days=1, handback_hours=72)
    DutyAssignment.objects.create(duty=duty, student=student)
    client = client_for(student)
    response = client.post(reverse("duties:duty_return", kwargs={"pk": duty.pk}), follow=True)
    assert response.status_code == 200
    assert DutyAssignment.objects.filter(duty=duty, status="active").exists()
    assert "alert" in response.content.decode()


def test_outsider_and_non_student(client_for, house, outsider, resident, coordinator):
    duty = make_duty(house)
    take = reverse("duties:duty_take", kwargs={"pk": duty.pk})
    assert client_for(outsider).post(take).status_code == 404
    assert client_for(resident).post(take).status_code == 404
    # a coordinator sees the duty but cannot take it
    assert client_for(coordinator).post(take).status_code == 302
    assert not DutyAssignment.objects.exists()
    assert client_for(resident).get(reverse("duties:duties")).status_code == 403
    assert client_for(outsider).get(reverse("duties:duties")).status_code == 403
    assert client_for(coordinator).get(reverse("duties:duties")).status_code == 200


def test_take_needs_post(client_for, house, student):
    duty = make_duty(house)
    assert client_for(student).get(reverse("duties:duty_take", kwargs={"pk": duty.pk})).status_code == 405
