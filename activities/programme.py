"""The programme: planning, changing and cancelling activities and their series.

An activity in a room holds its time through a Booking (the same exclusion constraint as every
booking), so it can never clash with one. Planners (students, coordinators, staff) are not held to
the residents' limits of how far ahead and how many per week. Every function checks, acts and
audits in one transaction and raises ProgrammeError (a BookingError) with messages for the person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import services
from activities.ideas import link_idea_to_activity
from activities.models import TAKEN_MESSAGE, Activity, ActivitySeries, Audience, Booking, Idea, Room, Signup
from activities.services import BookingError
from activities.timeutil import local_zone, make_local
from residents.audit import record, team_words
from residents.ending import HOUSE_STOPPED, hold_open
from residents.mail import mail_person
from residents.models import House, Organisation, User
from residents.permissions import can


class ProgrammeError(BookingError):
    """An activity that cannot be planned or changed; `problems` holds (field or None, message)."""


@dataclass
class SkippedDate:
    day: dt.date
    reason: str


def _check_planner(by: User, house: House) -> None:
    if not can(by, "activities.plan", house):
        raise ProgrammeError(_("You cannot plan activities in this house."))


def _check_values(
    *,
    house: House,
    title: str,
    start: dt.datetime,
    end: dt.datetime,
    room: Room | None,
    place: str,
    capacity: int | None,
    now: dt.datetime,
) -> None:
    problems: list[tuple[str | None, str]] = []
    if not title.strip():
        problems.append(("title", _("Give the activity a title.")))
    if end <= start:
        problems.append(("end", _("The end time must be after the start time.")))
    if start <= now:
        problems.append(("date", _("This time has already passed.")))
    if room is not None and room.house_id != house.pk:
        problems.append(("room", _("Choose a room of this house.")))
    if room is None and not place.strip():
        problems.append(("place", _("Choose a room, or say where it is.")))
    if capacity is not None and capacity < 1:
        problems.append(("capacity", _("Give at least 1 place, or leave it empty for no limit.")))
    if problems:
        raise ProgrammeError(problems=problems)


def _details(title: str, audience: str, capacity: int | None, room: Room) -> services.BookingDetails:
    return services.BookingDetails(
        category=Booking.Category.ACTIVITY,
        title=title[:80],
        attendees=min(capacity or room.capacity, room.capacity),
        is_public=audience == Audience.EVERYONE,
    )


def _book(*, room: Room, by: User, start, end, title, audience, capacity) -> Booking:
    """Hold the room's time for the activity, as a planner booking it (same rules, no limits)."""
    return services.create_booking(
        room=room,
        by=by,
        booker=by,
        start=start,
        end=end,
        details=_details(title, audience, capacity, room),
        rules_accepted=True,
        planner=True,
        notify=False,  # the planner sees the activity page; no "room booked" mail per date
    )


def _free_booking(booking: Booking, *, by: User, reason: str) -> None:
    """Cancel the booking that held an activity's time: the slot is free at once.

    Directly, not through services.cancel_booking: the booker's deadline (cancel_hours) is for
    residents' own bookings; a planner may always cancel a date of the programme."""
    if not booking.is_live:
        return
    old = booking.status
    booking.status, booking.cancelled_by, booking.cancelled_at, booking.cancel_reason = (
        Booking.Status.CANCELLED,
        by,
        timezone.now(),
        reason[:300],
    )
    booking.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"])
    record(
        "booking.cancelled",
        actor=by,
        target=booking,
        house=booking.room.house,
        changes={
            "status": [old, "cancelled"],
            "reason": team_words(reason, by=by, house=booking.room.house),
            "activity": True,
        },
    )


def _move_booking(booking: Booking, *, room: Room, start, end, title, audience, capacity) -> None:
    """Give an activity's booking a new room or time, under the same rules and constraint."""
    details = _details(title, audience, capacity, room)
    problems = services.rule_problems(
        room=room,
        booker=booking.booker,
        start=start,
        end=end,
        attendees=details.attendees,
        exclude=booking,
        planner=True,
    )
    if problems:
        raise ProgrammeError(problems=problems)
    booking.room = room
    booking.period = DateTimeTZRange(start, end)
    booking.blocked = DateTimeTZRange(start, end + room.buffer)
    booking.title, booking.attendees, booking.is_public = details.title, details.attendees, details.is_public
    try:
        with transaction.atomic():
            booking.save(update_fields=["room", "period", "blocked", "title", "attendees", "is_public"])
    except IntegrityError as err:  # taken in the meantime: the database has the last word
        if "booking_no_overlap" in str(err):
            raise ProgrammeError(str(TAKEN_MESSAGE), field_name="start") from err
        raise


def _set_slot(
    activity: Activity, *, by: User, room: Room | None, place: str, start, end, title, audience, capacity
) -> None:
    """Make the activity's booking match its room and time: keep, move, make or free it."""
    booking = activity.booking if activity.booking_id else None
    live = booking is not None and booking.is_live
    if room is None:
        if live:
            _free_booking(booking, by=by, reason=_("The activity moved to another place."))
        activity.booking = None
        return
    if live:
        same_slot = booking.room_id == room.pk and booking.start == start and booking.end == end
        if same_slot:
            details = _details(title, audience, capacity, room)
            booking.title, booking.attendees, booking.is_public = (
                details.title,
                details.attendees,
                details.is_public,
            )
            booking.save(update_fields=["title", "attendees", "is_public"])
        else:
            _move_booking(
                booking, room=room, start=start, end=end, title=title, audience=audience, capacity=capacity
            )
        return
    activity.booking = _book(
        room=room, by=by, start=start, end=end, title=title, audience=audience, capacity=capacity
    )


def _same_for_every_date(err: BookingError) -> bool:
    """A problem with the values themselves (no title, no place), not with one date's time."""
    return any(f in ("title", "place", "room", "capacity") for f, _m in err.problems)


def _check_changeable(activity: Activity, now: dt.datetime) -> None:
    if activity.status != Activity.Status.PLANNED:
        raise ProgrammeError(_("This activity is cancelled; it cannot be changed."))
    if activity.start <= now:
        raise ProgrammeError(_("This activity has already started or is over; it cannot be changed."))


# --- one activity ------------------------------------------------------------------------------


def create_activity(
    *,
    house: House,
    by: User,
    title: str,
    description: str,
    category: str,
    audience: str,
    capacity: int | None,
    signup_required: bool,
    start: dt.datetime,
    end: dt.datetime,
    room: Room | None = None,
    place: str = "",
    organisers: Iterable[User] = (),
    partner: Organisation | None = None,
    idea: Idea | None = None,
    series: ActivitySeries | None = None,
) -> Activity:
    """Put an activity on the programme; in a room it books the room's time first."""
    with transaction.atomic():
        if not hold_open(house.pk):  # the house first, as in create_booking: not while it ends
            raise ProgrammeError(HOUSE_STOPPED)
        _check_planner(by, house)
        _check_values(
            house=house,
            title=title,
            start=start,
            end=end,
            room=room,
            place=place,
            capacity=capacity,
            now=timezone.now(),
        )
        if idea is not None and idea.house_id != house.pk:
            raise ProgrammeError(_("This idea belongs to another house."))
        booking = None
        if room is not None:
            booking = _book(
                room=room, by=by, start=start, end=end, title=title, audience=audience, capacity=capacity
            )
        activity = Activity.objects.create(
            house=house,
            series=series,
            booking=booking,
            place="" if room is not None else place.strip(),
            period=DateTimeTZRange(start, end),
            title=title.strip(),
            description=description,
            category=category,
            audience=audience,
            capacity=capacity,
            signup_required=signup_required,
            partner=partner,
            created_by=by,
        )
        activity.organisers.set(list(organisers))
        record(
            "activity.created",
            actor=by,
            target=activity,
            house=house,
            changes={"series": series.pk if series else None, "booking": booking.pk if booking else None},
        )
        if idea is not None:
            link_idea_to_activity(idea=idea, activity=activity, by=by)
    return activity


def update_activity(
    *,
    activity: Activity,
    by: User,
    title: str,
    description: str,
    category: str,
    audience: str,
    capacity: int | None,
    signup_required: bool,
    start: dt.datetime,
    end: dt.datetime,
    room: Room | None = None,
    place: str = "",
    organisers: Iterable[User] = (),
    partner: Organisation | None = None,
) -> Activity:
    """Change one date. In a series it is then `moved`: editing the series leaves it alone."""
    with transaction.atomic():
        house = activity.house
        _check_planner(by, house)
        activity = (
            Activity.objects.select_for_update(of=("self",))
            .select_related("booking__room__house", "house")
            .get(pk=activity.pk)
        )
        now = timezone.now()
        _check_changeable(activity, now)
        _check_values(
            house=house,
            title=title,
            start=start,
            end=end,
            room=room,
            place=place,
            capacity=capacity,
            now=now,
        )
        old = {"title": activity.title, "start": activity.start.isoformat(), "where": activity.where}
        _set_slot(
            activity,
            by=by,
            room=room,
            place=place,
            start=start,
            end=end,
            title=title,
            audience=audience,
            capacity=capacity,
        )
        activity.place = "" if room is not None else place.strip()
        activity.period = DateTimeTZRange(start, end)
        activity.title, activity.description, activity.category = title.strip(), description, category
        activity.audience, activity.capacity, activity.signup_required = audience, capacity, signup_required
        activity.partner = partner
        if activity.series_id:
            activity.moved = True
        activity.save()
        activity.organisers.set(list(organisers))
        where = room.name if room is not None else activity.place
        new = {"title": activity.title, "start": start.isoformat(), "where": where}
        record(
            "activity.changed",
            actor=by,
            target=activity,
            house=house,
            changes={key: [old[key], new[key]] for key in old if old[key] != new[key]},
        )
    return activity


def cancel_activity(*, activity: Activity, by: User, reason: str) -> Activity:
    """Cancel one date: its room time is free again and everyone signed up gets an e-mail."""
    with transaction.atomic():
        _check_planner(by, activity.house)
        if not reason.strip():
            raise ProgrammeError(_("Give a reason, so people know why."), field_name="reason")
        activity = (
            Activity.objects.select_for_update(of=("self",))
            .select_related("booking__room__house", "house")
            .get(pk=activity.pk)
        )
        _check_changeable(activity, timezone.now())
        _cancel(activity, by=by, reason=reason.strip())
        _tell_signed_up([activity], reason=reason.strip())
    return activity


def _cancel(activity: Activity, *, by: User, reason: str) -> None:
    activity.status, activity.cancel_reason = Activity.Status.CANCELLED, reason[:300]
    activity.save(update_fields=["status", "cancel_reason"])
    if activity.booking_id:
        _free_booking(activity.booking, by=by, reason=reason)
    record(
        "activity.cancelled",
        actor=by,
        target=activity,
        house=activity.house,
        changes={
            "status": ["planned", "cancelled"],
            "reason": team_words(reason, by=by, house=activity.house),
        },
    )


def _tell_signed_up(activities: Sequence[Activity], *, reason: str) -> int:
    """One e-mail per person (in their language) listing their cancelled dates. Returns how many."""
    signups = (
        Signup.objects.filter(
            activity__in=activities, status__in=[Signup.Status.CONFIRMED, Signup.Status.WAITING]
        )
        .exclude(person__email=None)
        .exclude(person__email="")
        .select_related("person", "activity__house")
        .order_by("person_id", "activity__period")
    )
    per_person: dict[int, tuple[User, list[Activity]]] = {}
    for signup in signups:
        per_person.setdefault(signup.person_id, (signup.person, []))[1].append(signup.activity)
    for person, cancelled in per_person.values():
        mail_person(
            person,
            "activities/email/activity_cancelled",
            {"activities": cancelled, "activity": cancelled[0], "reason": reason},
        )
    return len(per_person)


# --- series ------------------------------------------------------------------------------------


def create_series(
    *,
    house: House,
    by: User,
    frequency: str,
    first_day: dt.date,
    last_day: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    title: str,
    description: str,
    category: str,
    audience: str,
    capacity: int | None,
    signup_required: bool,
    room: Room | None = None,
    place: str = "",
    organisers: Iterable[User] = (),
    partner: Organisation | None = None,
    idea: Idea | None = None,
) -> tuple[ActivitySeries, list[Activity], list[SkippedDate]]:
    """A repeating activity: one series and an activity per date (at most 52). Dates whose room
    time is taken are skipped and returned, like a series of bookings."""
    organisers = list(organisers)
    with transaction.atomic():
        _check_planner(by, house)
        if last_day <= first_day:
            raise ProgrammeError(_("The last date must be after the first day."), field_name="repeat_until")
        if end_time <= start_time:
            raise ProgrammeError(_("The end time must be after the start time."), field_name="end")
        series = ActivitySeries.objects.create(
            house=house,
            frequency=frequency,
            first_day=first_day,
            last_day=last_day,
            start_time=start_time,
            end_time=end_time,
            room=room,
            place="" if room is not None else place.strip(),
            title=title.strip(),
            description=description,
            category=category,
            audience=audience,
            capacity=capacity,
            signup_required=signup_required,
            created_by=by,
        )
        made: list[Activity] = []
        skipped: list[SkippedDate] = []
        for day in services.series_dates(first_day, frequency, until=last_day):
            try:
                start, end = make_local(day, start_time), make_local(day, end_time)
            except ValidationError as err:
                skipped.append(SkippedDate(day, str(err.messages[0])))
                continue
            try:
                with transaction.atomic():
                    made.append(
                        create_activity(
                            house=house,
                            by=by,
                            title=title,
                            description=description,
                            category=category,
                            audience=audience,
                            capacity=capacity,
                            signup_required=signup_required,
                            start=start,
                            end=end,
                            room=room,
                            place=place,
                            organisers=organisers,
                            partner=partner,
                            series=series,
                        )
                    )
            except BookingError as err:
                if (
                    not made
                    and not skipped
                    and any(f in ("title", "place", "room", "capacity") for f, _m in err.problems)
                ):
                    raise  # wrong for every date alike: say so instead of skipping them all
                skipped.append(SkippedDate(day, " ".join(str(m) for _f, m in err.problems)))
        if not made:
            raise ProgrammeError(_("None of these dates is free. Nothing was planned."))
        if made[-1].start.astimezone(local_zone()).date() != last_day:
            series.last_day = made[-1].start.astimezone(local_zone()).date()
            series.save(update_fields=["last_day"])
        record(
            "activity_series.created",
            actor=by,
            target=series,
            house=house,
            changes={"planned": len(made), "skipped": len(skipped), "frequency": frequency},
        )
        if idea is not None:
            if idea.house_id != house.pk:
                raise ProgrammeError(_("This idea belongs to another house."))
            link_idea_to_activity(idea=idea, activity=made[0], by=by)
    return series, made, skipped


def _coming(series: ActivitySeries, now: dt.datetime):
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("booking__room__house", "house")
        .filter(series=series, status=Activity.Status.PLANNED, period__startswith__gt=now)
        .order_by("period")
    )


def update_series(
    *,
    series: ActivitySeries,
    by: User,
    start_time: dt.time,
    end_time: dt.time,
    title: str,
    description: str,
    category: str,
    audience: str,
    capacity: int | None,
    signup_required: bool,
    room: Room | None = None,
    place: str = "",
    organisers: Iterable[User] = (),
    partner: Organisation | None = None,
) -> list[Activity]:
    """Change the series and its coming dates, except the ones changed on their own (moved).
    All or nothing: if a date's room time is taken, nothing changes and the dates are named."""
    organisers = list(organisers)
    with transaction.atomic():
        house = series.house
        _check_planner(by, house)
        series = ActivitySeries.objects.select_for_update().get(pk=series.pk)
        now = timezone.now()
        if end_time <= start_time:
            raise ProgrammeError(_("The end time must be after the start time."), field_name="end")
        changed: list[Activity] = []
        taken: list[str] = []
        for activity in _coming(series, now).filter(moved=False):
            day = activity.start.astimezone(local_zone()).date()
            try:
                start, end = make_local(day, start_time), make_local(day, end_time)
                _check_values(
                    house=house,
                    title=title,
                    start=start,
                    end=end,
                    room=room,
                    place=place,
                    capacity=capacity,
                    now=now,
                )
                with transaction.atomic():
                    _set_slot(
                        activity,
                        by=by,
                        room=room,
                        place=place,
                        start=start,
                        end=end,
                        title=title,
                        audience=audience,
                        capacity=capacity,
                    )
            except ValidationError as err:
                taken.append(f"{day:%d-%m-%Y} ({err.messages[0]})")
                continue
            except BookingError as err:
                if _same_for_every_date(err):
                    raise
                taken.append(f"{day:%d-%m-%Y}")
                continue
            activity.place = "" if room is not None else place.strip()
            activity.period = DateTimeTZRange(start, end)
            activity.title, activity.description, activity.category = title.strip(), description, category
            activity.audience, activity.capacity = audience, capacity
            activity.signup_required, activity.partner = signup_required, partner
            activity.save()
            activity.organisers.set(organisers)
            changed.append(activity)
        if taken:
            raise ProgrammeError(
                _(
                    "The room is not free at the new time on %(dates)s. Nothing was changed. "
                    "Change those dates on their own first, or choose another time."
                )
                % {"dates": ", ".join(taken)}
            )
        series.start_time, series.end_time, series.room = start_time, end_time, room
        series.place = "" if room is not None else place.strip()
        series.title, series.description, series.category = title.strip(), description, category
        series.audience, series.capacity, series.signup_required = audience, capacity, signup_required
        series.save()
        record(
            "activity_series.changed",
            actor=by,
            target=series,
            house=house,
            changes={"dates_changed": len(changed)},
        )
    return changed


def stop_series(
    *, series: ActivitySeries, by: User, reason: str, from_day: dt.date | None = None
) -> list[Activity]:
    """Cancel the coming dates of a series (from `from_day` on, if given); signed-up people are told."""
    with transaction.atomic():
        house = series.house
        _check_planner(by, house)
        if not reason.strip():
            raise ProgrammeError(_("Give a reason, so people know why."), field_name="reason")
        series = ActivitySeries.objects.select_for_update().get(pk=series.pk)
        now = timezone.now()
        coming = list(_coming(series, now))
        if from_day is not None:
            coming = [a for a in coming if a.start.astimezone(local_zone()).date() >= from_day]
        if not coming:
            raise ProgrammeError(_("This series has no coming dates to stop."))
        for activity in coming:
            _cancel(activity, by=by, reason=reason.strip())
        first_stopped = coming[0].start.astimezone(local_zone()).date()
        series.last_day = max(series.first_day, first_stopped - dt.timedelta(days=1))
        series.save(update_fields=["last_day"])
        record(
            "activity_series.stopped",
            actor=by,
            target=series,
            house=house,
            changes={
                "cancelled": len(coming),
                "from": first_stopped.isoformat(),
                "reason": team_words(reason, by=by, house=house),
            },
        )
        _tell_signed_up(coming, reason=reason.strip())
    return coming
