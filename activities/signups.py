"""Signing up for activities, the waiting list, attendance and the reminders the day before.

Every change goes through these functions: lock the activity row, check, write, audit, e-mail.
They raise SignupError with a message for the person; views show it. The activity row lock makes
sign-ups and cancellations of one activity wait for each other, so capacity is never exceeded; the
partial unique constraint `signup_once` still has the last word on a double sign-up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Audience, Signup
from activities.timeutil import local_day_bounds
from residents.audit import record
from residents.ending import HOUSE_STOPPED, hold_open
from residents.mail import mail_person
from residents.models import Membership, User
from residents.permissions import can

LIVE = (Signup.Status.CONFIRMED, Signup.Status.WAITING)
MAX_WALK_INS = 500
TODO_DAYS = 60


class SignupError(Exception):
    """A sign-up, cancellation or attendance that cannot be done; the text is for the person."""


# --- who may ---------------------------------------------------------------------------------


def is_member(person: User, house) -> bool:
    """A verified member: any active membership role in the house."""
    return person.is_authenticated and (person.is_superuser or bool(person.roles_in(house)))


def may_sign_up(person: User, activity: Activity) -> bool:
    """Members of the house may sign up for its activities. An activity for everyone is also open
    to anyone with an account (a neighbour from the next street, a member of another house): the
    house chose to invite everyone, and the capacity still holds. Members-only: members only."""
    if activity.audience == Audience.EVERYONE:
        return person.is_authenticated and person.is_active
    return is_member(person, activity.house)


def may_manage(user: User, activity: Activity, *, organiser_ids: set[int] | None = None) -> bool:
    """Organisers of the activity and the programme's planners (students, coordinators, staff) see
    who signed up and record attendance. Pass `organiser_ids` when already known (no query)."""
    if not user.is_authenticated:
        return False
    if can(user, "activities.plan", activity.house):
        return True
    if organiser_ids is None:
        return activity.organisers.filter(pk=user.pk).exists()
    return user.pk in organiser_ids


def _not_allowed_message(person: User, activity: Activity) -> str:
    if Membership.objects.pending().filter(user=person, house=activity.house).exists():
        return _("Your membership is not verified yet. Staff of the house will do that soon.")
    return _("This activity is only for members of %(house)s.") % {"house": activity.house.name}


def has_started(activity: Activity, now: dt.datetime | None = None) -> bool:
    return activity.start <= (now or timezone.now())


# --- signing up and off ----------------------------------------------------------------------


def _lock_activity(activity_id: int) -> Activity:
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("house", "booking__room")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None:
        raise SignupError(_("This activity does not exist (any more)."))
    return activity


def _hold(person: User) -> None:
    """Lock the person's row first (then the activity: the order residents.leaving takes them), so
    a sign-up waits for an account being deleted and then refuses, instead of outliving it."""
    if User.objects.select_for_update().filter(pk=person.pk, erased_at__isnull=True).first() is None:
        raise SignupError(_("This account has been deleted."))


def on_the_list(activity: Activity, person: User) -> bool:
    return activity.signups.filter(person=person, status__in=LIVE).exists()


def places_taken(activity: Activity) -> int:
    """Confirmed sign-ups; call with the activity row locked, so the number cannot change meanwhile."""
    return activity.signups.filter(status=Signup.Status.CONFIRMED).count()


def _already_message(person: User, by: User) -> str:
    if person.pk == by.pk:
        return _("You are already on the list for this activity.")
    return _("%(name)s is already on the list for this activity.") % {"name": person.name}


def sign_up(*, activity: Activity, person: User, by: User) -> Signup:
    """Sign `person` up: a place if there is one, else the waiting list (first come, first served).

    `by` is who does it: the person, or a coordinator or staff member entering a sign-up collected
    on paper or by phone (recorded as entered_by and in the audit trail). People without an e-mail
    address are signed up like everyone else; they just get no e-mail."""
    with transaction.atomic():
        if person.pk != by.pk and not can(by, "activities.enter_for", activity.house):
            raise SignupError(_("You can only sign up yourself."))
        if not hold_open(activity.house_id):  # the house first, as in create_booking
            raise SignupError(HOUSE_STOPPED)
        _hold(person)
        activity = _lock_activity(activity.pk)
        if activity.status == Activity.Status.CANCELLED:
            raise SignupError(_("This activity is cancelled."))
        if has_started(activity):
            raise SignupError(_("This activity has already started. Signing up is no longer possible."))
        if not activity.signup_required:
            raise SignupError(_("You do not need to sign up for this activity: just come."))
        if not may_sign_up(person, activity):
            raise SignupError(_not_allowed_message(person, activity))
        if on_the_list(activity, person):
            raise SignupError(_already_message(person, by))
        full = activity.capacity is not None and places_taken(activity) >= activity.capacity
        signup = Signup(
            activity=activity,
            person=person,
            status=Signup.Status.WAITING if full else Signup.Status.CONFIRMED,
            entered_by=by if by.pk != person.pk else None,
        )
        try:
            with transaction.atomic():
                signup.save()
        except IntegrityError as err:
            # Only a double sign-up can get here (the activity row is locked for everything else).
            raise SignupError(_already_message(person, by)) from err
        record(
            "signup.created",
            actor=by,
            target=signup,
            house=activity.house,
            on_behalf_of=person if by.pk != person.pk else None,
            changes={"status": signup.status, "activity": activity.pk},
        )
        _notify(signup, "waiting" if full else "confirmed")
    return signup


def may_cancel(user: User, signup: Signup) -> bool:
    return user.is_authenticated and (
        user.pk == signup.person_id or can(user, "activities.enter_for", signup.activity.house)
    )


def cancel_signup(*, signup_id: int, by: User) -> Signup:
    """Sign off (the person, or a coordinator or staff member for them). A place that frees goes to
    the first on the waiting list, who gets an e-mail."""
    with transaction.atomic():
        activity_id = Signup.objects.filter(pk=signup_id).values_list("activity_id", flat=True).first()
        if activity_id is None:
            raise SignupError(_("This sign-up does not exist (any more)."))
        activity = _lock_activity(activity_id)
        signup = Signup.objects.select_related("person").get(pk=signup_id)
        signup.activity = activity
        if not may_cancel(by, signup):
            raise SignupError(_("You can only sign yourself off."))
        if signup.status not in LIVE:
            raise SignupError(_("This sign-up was already cancelled."))
        if has_started(activity):
            raise SignupError(_("This activity has already started. Signing off is no longer possible."))
        old = signup.status
        signup.status, signup.cancelled_at = Signup.Status.CANCELLED, timezone.now()
        signup.save(update_fields=["status", "cancelled_at"])
        record(
            "signup.cancelled",
            actor=by,
            target=signup,
            house=activity.house,
            on_behalf_of=signup.person if by.pk != signup.person_id else None,
            changes={"status": [old, "cancelled"]},
        )
        if old == Signup.Status.CONFIRMED:
            fill_places(activity)
    return signup


def cancel_for_everyone(signup: Signup, *, by, now, because: str) -> str:
    """Cancel a live sign-up for a reason outside the person's hands (their account is deleted, the
    house ended), without the checks of cancel_signup; audited. Returns the old status. A caller
    that wants the place to go to the waiting list holds the activity's lock and calls fill_places.
    """
    old = signup.status
    signup.status, signup.cancelled_at = Signup.Status.CANCELLED, now
    signup.save(update_fields=["status", "cancelled_at"])
    record(
        "signup.cancelled",
        actor=by,
        target=signup,
        house=signup.activity.house,
        on_behalf_of=signup.person if getattr(by, "pk", None) != signup.person_id else None,
        changes={"status": [old, signup.status], "because": because},
    )
    return old


def fill_places(activity: Activity) -> list[Signup]:
    """Move people up from the waiting list into free places, first come first. Activity locked."""
    if activity.status == Activity.Status.CANCELLED:
        return []
    waiting = activity.signups.filter(status=Signup.Status.WAITING).select_related("person")
    if activity.capacity is not None:
        free = activity.capacity - places_taken(activity)
        if free <= 0:
            return []
        waiting = waiting[:free]
    moved = list(waiting)
    for signup in moved:
        signup.status = Signup.Status.CONFIRMED
        signup.save(update_fields=["status"])
        record(
            "signup.moved_up",
            actor=None,
            target=signup,
            house=activity.house,
            on_behalf_of=signup.person,
            changes={"status": ["waiting", "confirmed"]},
        )
        signup.activity = activity
        _notify(signup, "moved_up")
    return moved


def waiting_position(signup: Signup) -> int:
    """Place on the waiting list, counting from 1 (first come, first served)."""
    before = Signup.objects.filter(activity_id=signup.activity_id, status=Signup.Status.WAITING).filter(
        Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, pk__lt=signup.pk)
    )
    return before.count() + 1


# --- attendance -------------------------------------------------------------------------------


def record_attendance(*, activity_id: int, by: User, came: set[int], walk_ins: int) -> Activity:
    """After the activity: who of the signed-up list came (signup ids) and how many walked in."""
    with transaction.atomic():
        activity = _lock_activity(activity_id)
        if not may_manage(by, activity):
            raise SignupError(_("Only the organisers can record attendance."))
        if activity.status == Activity.Status.CANCELLED:
            raise SignupError(_("This activity is cancelled."))
        if not has_started(activity):
            raise SignupError(_("You can record attendance once the activity has started."))
        if walk_ins < 0:
            raise SignupError(_("The number of people cannot be below zero."))
        if walk_ins > MAX_WALK_INS:
            raise SignupError(
                _("That is more than %(n)s people. Check the number, or ask the staff.") % {"n": MAX_WALK_INS}
            )
        confirmed = list(activity.signups.filter(status=Signup.Status.CONFIRMED))
        unknown = set(came) - {s.pk for s in confirmed}
        if unknown:
            raise SignupError(_("Tick only people on the list."))
        for signup in confirmed:
            signup.attended = signup.pk in came
        Signup.objects.bulk_update(confirmed, ["attended"])
        old = activity.walk_ins
        activity.walk_ins = walk_ins
        activity.attendance_recorded_at, activity.attendance_recorded_by = timezone.now(), by
        activity.save(update_fields=["walk_ins", "attendance_recorded_at", "attendance_recorded_by"])
        record(
            "activity.attendance",
            actor=by,
            target=activity,
            house=activity.house,
            changes={"came": len(set(came)), "signed_up": len(confirmed), "walk_ins": [old, walk_ins]},
        )
    return activity


def attendance_todo(user: User, house, now: dt.datetime | None = None):
    """Past activities (last 60 days) of the house without attendance, that `user` may record:
    all of them for the programme's planners, the ones they organise for other organisers."""
    now = now or timezone.now()
    activities = Activity.objects.planned().filter(
        house=house,
        attendance_recorded_at__isnull=True,
        period__startswith__lte=now,
        period__startswith__gte=now - dt.timedelta(days=TODO_DAYS),
    )
    if not can(user, "activities.plan", house):
        activities = activities.filter(organisers=user)
    return activities.select_related("booking__room").order_by("-period")


# --- the personal reminder setting and reminders ---------------------------------------------


def set_reminders(*, user: User, on: bool) -> None:
    """The /mijn/ setting: an e-mail the day before an activity one signed up for."""
    with transaction.atomic():
        old = User.objects.select_for_update().values_list("reminders", flat=True).get(pk=user.pk)
        user.reminders = on
        user.save(update_fields=["reminders"])
        record("user.reminders", actor=user, target=user, changes={"reminders": [old, on]})


def send_reminders(now: dt.datetime | None = None) -> int:
    """E-mail everyone signed up for an activity tomorrow (local date) who wants reminders.

    reminded_at is set in the transaction that sends (the mail job is written in it too), and rows
    another run is handling are skipped, so running twice, or on two workers at once, sends once."""
    now = now or timezone.now()
    first, last = local_day_bounds(timezone.localdate(now) + dt.timedelta(days=1))
    sent = 0
    with transaction.atomic():
        due = (
            Signup.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=Signup.Status.CONFIRMED,
                reminded_at__isnull=True,
                person__reminders=True,
                person__is_active=True,
                person__email__isnull=False,
                activity__status=Activity.Status.PLANNED,
                activity__period__startswith__gte=first,
                activity__period__startswith__lt=last,
            )
            .exclude(person__email="")
            .select_related("person", "activity__house", "activity__booking__room")
            .order_by("pk")
        )
        for signup in due:
            signup.reminded_at = now
            signup.save(update_fields=["reminded_at"])
            _send(signup, "reminder_activity")
            sent += 1
    return sent


# --- e-mail ----------------------------------------------------------------------------------


def _notify(signup: Signup, what: str) -> None:
    _send(signup, f"signup_{what}")


def _send(signup: Signup, template: str) -> None:
    """One e-mail to the person, in their language; nothing for people without an address."""
    waiting = signup.status == Signup.Status.WAITING
    mail_person(
        signup.person,
        f"activities/email/{template}",
        {
            "signup": signup,
            "activity": signup.activity,
            "position": waiting_position(signup) if waiting else None,
        },
    )


# --- what the activity page shows --------------------------------------------------------------


@dataclass
class SignupBox:
    """Everything the sign-up part of an activity page needs, from a fixed number of queries."""

    confirmed: int
    waiting: int
    places_left: int | None  # None: no limit
    own: Signup | None
    own_position: int | None
    may_sign_up: bool
    not_allowed: str
    may_enter_for: bool
    may_manage: bool
    people: list[Signup]  # only filled for those who may manage
    started: bool
    open: bool  # planned, sign-up needed, not started


def signup_box(activity: Activity, user: User, now: dt.datetime | None = None) -> SignupBox:
    live = list(
        Signup.objects.filter(activity=activity, status__in=LIVE)
        .select_related("person", "entered_by")
        .order_by("created_at", "pk")
    )
    confirmed = [s for s in live if s.status == Signup.Status.CONFIRMED]
    waiting = [s for s in live if s.status == Signup.Status.WAITING]
    own = next((s for s in live if user.is_authenticated and s.person_id == user.pk), None)
    started = has_started(activity, now)
    is_open = activity.status == Activity.Status.PLANNED and activity.signup_required and not started
    allowed = user.is_authenticated and may_sign_up(user, activity)
    manage = user.is_authenticated and may_manage(user, activity)
    return SignupBox(
        confirmed=len(confirmed),
        waiting=len(waiting),
        places_left=None if activity.capacity is None else max(activity.capacity - len(confirmed), 0),
        own=own,
        own_position=waiting.index(own) + 1 if own is not None and own in waiting else None,
        may_sign_up=is_open and allowed and own is None,
        not_allowed="" if allowed or not user.is_authenticated else _not_allowed_message(user, activity),
        may_enter_for=is_open and can(user, "activities.enter_for", activity.house),
        may_manage=manage,
        people=live if manage else [],
        started=started,
        open=is_open,
    )


def coming_signups(user: User, now: dt.datetime | None = None) -> list[Signup]:
    """The person's own sign-ups for activities still to come (for /mijn/)."""
    if not user.is_authenticated:
        return []
    return list(
        Signup.objects.filter(
            person=user,
            status__in=LIVE,
            activity__status=Activity.Status.PLANNED,
            activity__period__startswith__gte=now or timezone.now(),
        )
        .select_related("activity__house")
        # What /mijn/ shows, and no more: fewer columns to build the query for and to read.
        .only(
            "status",
            "activity__title",
            "activity__period",
            "activity__house__name",
            "activity__house__slug",
        )
        .order_by("activity__period")
    )
