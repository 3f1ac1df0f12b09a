"""Staff let a resident or student write news for their house (the editor role), and take it back."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from residents import services
from residents.models import AuditEvent, Membership, Role
from residents.permissions import can
from tests.forms import parse_form

pytestmark = pytest.mark.usefixtures("mfa_off")


def person_url(house, person):
    return reverse("residents:person", kwargs={"house": house.slug, "user_id": person.pk})


def editor_membership(person, house):
    return Membership.objects.filter(user=person, house=house, role=Role.EDITOR).first()


def submit(client, house, person, button_text):
    page = client.get(person_url(house, person))
    assert button_text in page.content.decode()
    form = parse_form(page.content, form_id="editor-form")
    return client.post(form.action, form.data, follow=True)


def test_staff_grant_and_revoke_on_the_person_page(house, staff, resident, client_for):
    client = client_for(staff)
    assert not can(resident, "news.edit", house)
    page = client.get(person_url(house, resident))
    assert "Nieuws schrijven" in page.content.decode()

    response = submit(client, house, resident, "Ja, mag nieuws schrijven")
    assert f"{resident.name} kan nu nieuws schrijven voor {house.name}." in response.content.decode()
    assert editor_membership(resident, house).status == Membership.Status.ACTIVE
    resident.forget_roles()
    assert can(resident, "news.edit", house)
    assert [m.to for m in mail.outbox] == [[resident.email]]
    assert mail.outbox[0].subject == f"Je kunt nu nieuws schrijven voor {house.name}"
    assert AuditEvent.objects.filter(action="membership.role_granted", actor=staff).count() == 1

    response = submit(client, house, resident, "Stoppen: geen nieuws meer schrijven")
    assert f"{resident.name} kan geen nieuws meer schrijven voor {house.name}." in response.content.decode()
    assert editor_membership(resident, house).status == Membership.Status.ENDED
    resident.forget_roles()
    assert not can(resident, "news.edit", house)
    assert AuditEvent.objects.filter(action="membership.role_revoked", actor=staff).count() == 1


def test_granting_again_after_revoking_reuses_the_membership(house, staff, student):
    services.set_editor(person=student, house=house, by=staff, editor=True)
    services.set_editor(person=student, house=house, by=staff, editor=False)
    services.set_editor(person=student, house=house, by=staff, editor=True)
    assert Membership.objects.filter(user=student, house=house, role=Role.EDITOR).count() == 1
    assert editor_membership(student, house).status == Membership.Status.ACTIVE


def test_granting_twice_changes_nothing(house, staff, student):
    services.set_editor(person=student, house=house, by=staff, editor=True)
    services.set_editor(person=student, house=house, by=staff, editor=True)
    assert AuditEvent.objects.filter(action="membership.role_granted").count() == 1
    assert len(mail.outbox) == 1


def test_only_a_verified_resident_or_student_can_become_editor(house, staff, viewer, make_user):
    with pytest.raises(services.MembershipError, match="Alleen een geverifieerde bewoner of student"):
        services.set_editor(person=viewer, house=house, by=staff, editor=True)
    waiting = make_user("wacht@example.nl", "Wim Wacht", house, status=Membership.Status.PENDING)
    with pytest.raises(services.MembershipError):
        services.set_editor(person=waiting, house=house, by=staff, editor=True)
    assert not Membership.objects.filter(role=Role.EDITOR).exists()
    assert not AuditEvent.objects.filter(action="membership.role_granted").exists()


def test_forged_post_for_a_viewer_shows_a_message_and_saves_nothing(house, staff, viewer, client_for):
    url = reverse("residents:editor", kwargs={"house": house.slug, "user_id": viewer.pk})
    response = client_for(staff).post(url, {"editor": "on"}, follow=True)
    assert response.status_code == 200
    assert "Alleen een geverifieerde bewoner of student" in response.content.decode()
    assert not Membership.objects.filter(role=Role.EDITOR).exists()


def test_the_grant_section_is_not_offered_for_a_viewer(house, staff, viewer, client_for):
    page = client_for(staff).get(person_url(house, viewer)).content.decode()
    assert "Ja, mag nieuws schrijven" not in page


def test_someone_of_another_house_is_not_found(house, staff, outsider, client_for):
    url = reverse("residents:editor", kwargs={"house": house.slug, "user_id": outsider.pk})
    assert client_for(staff).post(url, {"editor": "on"}).status_code == 404
    assert not Membership.objects.filter(role=Role.EDITOR).exists()


@pytest.mark.parametrize("persona", ["resident", "student", "coordinator", "viewer"])
def test_only_staff_may_grant(house, resident, persona, request, client_for):
    url = reverse("residents:editor", kwargs={"house": house.slug, "user_id": resident.pk})
    response = client_for(request.getfixturevalue(persona)).post(url, {"editor": "on"})
    assert response.status_code == 403
    assert not Membership.objects.filter(role=Role.EDITOR).exists()


def _grant(barrier, person, house, by):
    def go():
        barrier.wait(60)
        return services.set_editor(person=person, house=house, by=by, editor=True)

    return go


def _first_create_waits_for_the_other_to_queue(monkeypatch):
    """The first grant creates the role only once the second waits on the row lock: the race for sure."""
    import time

    from django.db import connection

    real_create = Membership.objects.create
    calls = []

    def create(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            deadline = time.monotonic() + 30
            with connection.cursor() as cursor:
                while time.monotonic() < deadline:
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        " AND datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    if cursor.fetchone()[0]:
                        break
                    time.sleep(0.01)  # polling a condition, not timing the test
        return real_create(**kwargs)

    monkeypatch.setattr(Membership.objects, "create", create)
    return calls


def _race(house, staff, second, resident):
    import threading

    from tests.threads import run_in_threads

    barrier = threading.Barrier(2)
    return run_in_threads(_grant(barrier, resident, house, staff), _grant(barrier, resident, house, second))


@pytest.mark.django_db(transaction=True)
def test_two_staff_grant_at_the_same_moment_one_editor_role_no_error(
    house, staff, resident, make_user, monkeypatch
):
    second = make_user("medewerker2@example.nl", "Mo Medewerker", house, "staff")
    calls = _first_create_waits_for_the_other_to_queue(monkeypatch)
    results = _race(house, staff, second, resident)
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert len(calls) == 2  # both tried to create: the race happened
    assert Membership.objects.filter(user=resident, house=house, role=Role.EDITOR).count() == 1
    assert AuditEvent.objects.filter(action="membership.role_granted").count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_negative_control_without_catching_the_race_one_grant_fails(
    house, staff, resident, make_user, monkeypatch
):
    """The same race with the IntegrityError let through: shows the test above can fail."""
    from django.db import IntegrityError

    second = make_user("medewerker2@example.nl", "Mo Medewerker", house, "staff")
    _first_create_waits_for_the_other_to_queue(monkeypatch)
    monkeypatch.setattr(services, "IntegrityError", type("NeverRaised", (Exception,), {}))
    results = _race(house, staff, second, resident)
    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    assert isinstance(next(err for kind, err in results if kind == "error"), IntegrityError)
