from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import transaction

from residents import services
from residents.audit import record
from residents.models import AuditEvent, Membership, Role, User


def test_request_membership_creates_a_pending_request_and_tells_staff(house, staff, make_user):
    person = make_user("nieuw@example.nl", "Nina Nieuw")
    membership = services.request_membership(user=person, house=house, motivation="Ik woon om de hoek")

    assert membership.status == Membership.Status.PENDING
    assert membership.role == Role.RESIDENT
    assert membership.motivation == "Ik woon om de hoek"
    assert [m.to for m in mail.outbox] == [[staff.email]]
    event = AuditEvent.objects.get(action="membership.requested")
    assert event.actor == person
    assert event.house == house


def test_asking_twice_is_refused(house, make_user):
    person = make_user("nieuw@example.nl", "Nina Nieuw")
    services.request_membership(user=person, house=house)
    with pytest.raises(
        services.MembershipError,
        match=re.escape(
            "Je hebt al gevraagd om lid te worden van W4, Witmondplein 4. De medewerkers kijken er snel naar."
        ),
    ):
        services.request_membership(user=person, house=house)
    assert Membership.objects.filter(user=person).count() == 1


def test_a_member_cannot_ask_again(house, resident):
    with pytest.raises(services.MembershipError, match=re.escape("Je bent al lid van W4, Witmondplein 4.")):
        services.request_membership(user=resident, house=house)


def test_after_a_decline_one_can_ask_again(house, staff, make_user):
    person = make_user("nieuw@example.nl", "Nina Nieuw")
    first = services.request_membership(user=person, house=house)
    services.decide_membership(
        membership_id=first.pk, house=house, by=staff, approve=False, note="Onbekend adres"
    )

    again = services.request_membership(user=person, house=house, motivation="Nu met adres")
    assert again.pk == first.pk
    assert again.status == Membership.Status.PENDING
    assert again.decided_by is None
    assert again.decision_note == ""


def test_verify_sends_mail_and_writes_audit(house, staff, make_user):
    person = make_user("nieuw@example.nl", "Nina Nieuw", house, status="pending")
    pending = person.memberships.get()
    mail.outbox.clear()

    result = services.decide_membership(membership_id=pending.pk, house=house, by=staff, approve=True)

    assert result.status == Membership.Status.ACTIVE
    assert result.decided_by == staff
    assert result.decided_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nieuw@example.nl"]
    event = AuditEvent.objects.get(action="membership.verified")
    assert event.actor == staff
    assert event.target_id == str(pending.pk)
    assert event.changes == {"status": ["pending", "active"]}


def test_decline_sends_mail_with_the_note(house, staff, make_user):
    person = make_user("nieuw@example.nl", "Nina Nieuw", house, status="pending")
    pending = person.memberships.get()
    mail.outbox.clear()

    services.decide_membership(
        membership_id=pending.pk,
        house=house,
        by=staff,
        approve=False,
        note="Dit adres hoort bij een ander huis",
    )

    pending.refresh_from_db()
    assert pending.status == Membership.Status.DECLINED
    assert mail.outbox[0].to == ["nieuw@example.nl"]
    assert "Dit adres hoort bij een ander huis" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="membership.declined", actor=staff).count() == 1


def test_deciding_twice_is_refused_clearly(house, staff, make_user):
    person = make_user("nieuw@example.nl", "Nina Nieuw", house, status="pending")
    pending = person.memberships.get()
    services.decide_membership(membership_id=pending.pk, house=house, by=staff, approve=True)
    with pytest.raises(
        services.MembershipError,
        match=re.escape("Iemand heeft deze aanvraag al behandeld: goedgekeurd."),
    ):
        services.decide_membership(membership_id=pending.pk, house=house, by=staff, approve=False)
    pending.refresh_from_db()
    assert pending.status == Membership.Status.ACTIVE
    assert AuditEvent.objects.filter(target_id=str(pending.pk)).count() == 1


def test_deciding_a_request_of_another_house_is_refused(house, other_house, staff, make_user):
    person = make_user("nieuw@example.nl", "Nina Nieuw", other_house, status="pending")
    pending = person.memberships.get()
    with pytest.raises(services.MembershipError, match=re.escape("Deze aanvraag bestaat niet meer.")):
        services.decide_membership(membership_id=pending.pk, house=house, by=staff, approve=True)
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING


def test_register_resident_without_email(house, staff):
    person = services.register_resident(house=house, by=staff, name="Opa Jansen", phone="050-123")

    assert person.email is None
    assert not person.has_usable_password()
    assert not person.can_log_in
    assert person.registered_by == staff
    membership = person.memberships.get()
    assert (membership.role, membership.status) == (Role.RESIDENT, Membership.Status.ACTIVE)
    events = AuditEvent.objects.filter(on_behalf_of=person)
    assert set(events.values_list("action", flat=True)) == {
        "person.registered",
        "membership.verified",
    }
    assert set(events.values_list("actor", flat=True)) == {staff.pk}


def test_register_resident_with_a_taken_email_is_refused(house, staff, resident):
    with pytest.raises(services.MembershipError):
        services.register_resident(house=house, by=staff, name="Dubbel", email=resident.email.upper())
    assert not User.objects.filter(name="Dubbel").exists()


def test_update_on_behalf_records_who_for_whom(house, staff):
    person = services.register_resident(house=house, by=staff, name="Opa Jansen")
    services.update_person_on_behalf(
        person=person, house=house, by=staff, name="Opa Jansen", phone="06-12345678"
    )
    event = AuditEvent.objects.get(action="person.updated")
    assert (event.actor, event.on_behalf_of) == (staff, person)
    assert event.changes == {"phone": ["", "06-12345678"]}

    # Nothing changed, nothing recorded.
    services.update_person_on_behalf(
        person=person, house=house, by=staff, name="Opa Jansen", phone="06-12345678"
    )
    assert AuditEvent.objects.filter(action="person.updated").count() == 1


def test_record_refuses_outside_a_transaction(transactional_db, house):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record("something", actor=None, target=house)
    with transaction.atomic():
        record("something", actor=None, target=house)
    assert AuditEvent.objects.filter(action="something").count() == 1


def test_nothing_half_saved_when_the_mail_fails(house, staff, make_user, monkeypatch):
    """The decision, its audit row and its mail go together, or not at all."""
    person = make_user("nieuw@example.nl", "Nina Nieuw", house, status="pending")
    pending = person.memberships.get()
    mail.outbox.clear()

    def broken(*args, **kwargs):
        raise OSError("mail template missing")

    monkeypatch.setattr(services, "_mail", broken)
    with pytest.raises(OSError):
        services.decide_membership(membership_id=pending.pk, house=house, by=staff, approve=True)

    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING
    assert not AuditEvent.objects.filter(target_id=str(pending.pk)).exists()
    assert mail.outbox == []


def test_nothing_half_saved_when_registering_fails(house, staff, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "record", broken)
    with pytest.raises(RuntimeError):
        services.register_resident(house=house, by=staff, name="Opa Jansen")
    assert not User.objects.filter(name="Opa Jansen").exists()
    assert not Membership.objects.filter(user__name="Opa Jansen").exists()


def test_set_language(resident):
    services.set_language(user=resident, language="en")
    resident.refresh_from_db()
    assert resident.language == "en"
    with pytest.raises(ValueError):
        services.set_language(user=resident, language="xx")
