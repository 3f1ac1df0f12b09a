"""State changes of memberships and people: lock, check, act, audit, notify."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from residents.audit import record, team_words
from residents.mail import mail_person
from residents.models import House, Membership, Role, User


class MembershipError(Exception):
    """A membership change that cannot be done; the message is for the person."""


def _mail(user: User, template: str, context: dict) -> None:
    mail_person(user, f"residents/email/{template}", context)


def request_membership(*, user: User, house: House, motivation: str = "") -> Membership:
    """A person asks to join a house as a resident; the house's staff verify it."""
    with transaction.atomic():
        existing = (
            Membership.objects.select_for_update().filter(user=user, house=house, role=Role.RESIDENT).first()
        )
        if existing and existing.status == Membership.Status.ACTIVE:
            raise MembershipError(_("You are already a member of %(house)s.") % {"house": house})
        if existing and existing.status == Membership.Status.PENDING:
            raise MembershipError(
                _("You already asked to join %(house)s. Staff will look at it soon.") % {"house": house}
            )
        old = existing.status if existing else None
        if existing:
            existing.status = Membership.Status.PENDING
            existing.motivation = motivation
            existing.requested_at = timezone.now()
            existing.decided_at = existing.decided_by = None
            existing.decision_note = ""
            existing.save()
            membership = existing
        else:
            try:
                with transaction.atomic():
                    membership = Membership.objects.create(
                        user=user, house=house, role=Role.RESIDENT, motivation=motivation
                    )
            except IntegrityError as err:  # the same request sent twice at once
                raise MembershipError(_("You already asked to join %(house)s.") % {"house": house}) from err
        # The motivation is the person's own words: not in the trail.
        record(
            "membership.requested",
            actor=user,
            target=membership,
            house=house,
            changes={"status": [old, membership.status]},
        )
        staff = User.objects.filter(
            memberships__house=house,
            memberships__role=Role.STAFF,
            memberships__status=Membership.Status.ACTIVE,
            is_active=True,
        ).distinct()
        for person in staff:
            _mail(person, "join_request_staff", {"membership": membership, "house": house})
    return membership


def decide_membership(
    *, membership_id: int, house: House, by: User, approve: bool, note: str = ""
) -> Membership:
    """Staff verify or decline a pending request; the person gets an e-mail either way."""
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .select_related("user", "house")
            .filter(pk=membership_id, house=house)
            .first()
        )
        if membership is None:
            raise MembershipError(_("This request no longer exists."))
        if membership.status != Membership.Status.PENDING:
            raise MembershipError(
                _("This request was already handled: %(status)s.")
                % {"status": membership.get_status_display()}
            )
        old = membership.status
        membership.status = Membership.Status.ACTIVE if approve else Membership.Status.DECLINED
        membership.decided_at = timezone.now()
        membership.decided_by = by
        membership.decision_note = note
        membership.save()
        record(
            "membership.verified" if approve else "membership.declined",
            actor=by,
            target=membership,
            house=house,
            changes={
                "status": [old, membership.status],
                **({"note": team_words(note, by=by, house=house)} if note else {}),
            },
        )
        _mail(
            membership.user,
            "join_verified" if approve else "join_declined",
            {"membership": membership, "house": house, "note": note},
        )
    return membership


def register_resident(
    *, house: House, by: User, name: str, phone: str = "", email: str | None = None
) -> User:
    """Staff register a resident who has no e-mail address (or does not want to log in)."""
    with transaction.atomic():
        if email and User.objects.filter(email__iexact=email).exists():
            raise MembershipError(_("There is already an account with this e-mail address."))
        person = User.objects.create_user(email=email or None, name=name, phone=phone, registered_by=by)
        membership = Membership.objects.create(
            user=person,
            house=house,
            role=Role.RESIDENT,
            status=Membership.Status.ACTIVE,
            decided_at=timezone.now(),
            decided_by=by,
        )
        record("person.registered", actor=by, on_behalf_of=person, target=person, house=house)
        record(
            "membership.verified",
            actor=by,
            on_behalf_of=person,
            target=membership,
            changes={"role": [None, membership.role], "status": [None, membership.status]},
        )
    return person


def update_person_on_behalf(*, person: User, house: House, by: User, name: str, phone: str) -> User:
    """Staff correct the details of a resident they act for; recorded as done on their behalf."""
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        changes = {}
        for field, value in (("name", name), ("phone", phone)):
            if getattr(person, field) != value:
                changes[field] = [getattr(person, field), value]
                setattr(person, field, value)
        if changes:
            person.save(update_fields=list(changes))
            record(
                "person.updated",
                actor=by,
                on_behalf_of=person,
                target=person,
                house=house,
                changes=changes,
            )
    return person


def set_editor(*, person: User, house: House, by: User, editor: bool) -> Membership | None:
    """Staff let a resident or student of the house write news (the editor role), or stop it."""
    with transaction.atomic():
        # Lock the person's memberships in this house, so two clicks at once give one result.
        memberships = {
            m.role: m
            for m in Membership.objects.select_for_update().filter(user=person, house=house).order_by("pk")
        }
        current = memberships.get(Role.EDITOR)
        if editor:
            if not any(
                memberships.get(role) and memberships[role].status == Membership.Status.ACTIVE
                for role in (Role.RESIDENT, Role.STUDENT)
            ):
                raise MembershipError(
                    _("Only a verified resident or student of %(house)s can write news.") % {"house": house}
                )
            if current and current.status == Membership.Status.ACTIVE:
                return current
            if current:
                old = current.status
                current.status = Membership.Status.ACTIVE
                current.decided_at, current.decided_by = timezone.now(), by
                current.save(update_fields=["status", "decided_at", "decided_by"])
            else:
                old = None
                try:
                    with transaction.atomic():
                        current = Membership.objects.create(
                            user=person,
                            house=house,
                            role=Role.EDITOR,
                            status=Membership.Status.ACTIVE,
                            decided_at=timezone.now(),
                            decided_by=by,
                        )
                except IntegrityError:
                    # Granted by someone else at the same moment (the lock above cannot see a row
                    # that did not exist yet): the result is what was asked, so say nothing twice.
                    return Membership.objects.get(user=person, house=house, role=Role.EDITOR)
            record(
                "membership.role_granted",
                actor=by,
                target=current,
                house=house,
                changes={"role": [None, Role.EDITOR], "status": [old, current.status]},
            )
            if person.email:
                _mail(person, "editor_granted", {"house": house})
            return current
        if current is None or current.status != Membership.Status.ACTIVE:
            return current
        current.status = Membership.Status.ENDED
        current.decided_at, current.decided_by = timezone.now(), by
        current.save(update_fields=["status", "decided_at", "decided_by"])
        record(
            "membership.role_revoked",
            actor=by,
            target=current,
            house=house,
            changes={"role": [Role.EDITOR, None], "status": [Membership.Status.ACTIVE, current.status]},
        )
        return current


def set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(language)
    if user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
