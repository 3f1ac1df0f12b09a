"""Booking the living room: check the rules, lock, write, audit, notify.

Every change goes through these functions. They raise BookingError with messages for the person;
views turn it into form errors. The database still has the last word on overlaps (the exclusion
constraint); a race that loses there gets the same clear message.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from activities.models import TAKEN_MESSAGE, Booking, BookingSeries, Room
from activities.timeutil import local_day_bounds, local_zone, make_local, real_length, week_start
from residents.audit import record, team_words
from residents.ending import HOUSE_STOPPED, hold_open
from residents.ical import ics_bytes
from residents.mail import mail_person
from residents.models import Membership, Role, User
from residents.permissions import can

MAX_SERIES = 52
DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE
DEADLOCK_ATTEMPTS = 3
ALREADY_TAKEN = gettext_lazy(
    "This time is already booked (or too close to another booking). Choose one of the free times."
)


class BookingError(Exception):
    """A booking that cannot be made or changed. `problems` holds (field or None, message)."""

    def __init__(self, message: str | None = None, *, problems=None, field_name=None):
        self.problems = list(problems or [(field_name, message)])
        super().__init__("; ".join(str(m) for _, m in self.problems))


# --- the rules -------------------------------------------------------------------------------


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(local_zone())


def rule_problems(
    *,
    room: Room,
    booker: User,
    start: dt.datetime,
    end: dt.datetime,
    attendees: int,
    now: dt.datetime | None = None,
    exclude: Booking | None = None,
    planner: bool = False,
) -> list[tuple[str | None, str]]:
    """Every rule of the room a booking breaks, as (field, message). Empty when it may be booked.

    `planner`: the programme's activities, planned by students, coordinators and staff, are not
    held to the residents' limits of how far ahead and how many per week."""
    now = now or timezone.now()
    problems: list[tuple[str | None, str]] = []
    if end <= start:
        return [("end", _("The end time must be after the start time."))]
    # In UTC: two times of one zone subtract as wall-clock times, wrong the nights the clocks change.
    minutes = real_length(start, end) / dt.timedelta(minutes=1)
    if minutes < room.min_minutes:
        problems.append(("end", _("A booking lasts at least %(n)s minutes.") % {"n": room.min_minutes}))
    if minutes > room.max_minutes:
        problems.append(("end", _("A booking lasts at most %(n)s minutes.") % {"n": room.max_minutes}))
    if start < now:
        problems.append(("start", _("This time has already passed.")))
    elif start < now + dt.timedelta(hours=room.min_notice_hours):
        problems.append(
            (
                "start",
                ngettext(
                    "Book at least %(n)s hour ahead.",
                    "Book at least %(n)s hours ahead.",
                    room.min_notice_hours,
                )
                % {"n": room.min_notice_hours},
            )
        )
    local_start, local_end = _local(start), _local(end)
    day = local_start.date()
    if not planner and day > timezone.localdate(now) + dt.timedelta(days=room.max_days_ahead):
        problems.append(("date", _("You can book at most %(n)s days ahead.") % {"n": room.max_days_ahead}))
    if attendees > room.capacity:
        problems.append(("attendees", _("The room fits at most %(n)s people.") % {"n": room.capacity}))
    closure = room.closures.filter(first_day__lte=day, last_day__gte=day).first()
    if closure:
        problems.append(("date", _("The room is closed that day: %(reason)s.") % {"reason": closure.reason}))
    elif not _within_hours(room, local_start, local_end):
        problems.append(("start", _("The room cannot be booked at this time. See the times below.")))
    if not problems:
        overlapping = Booking.objects.live().filter(
            room=room, blocked__overlap=DateTimeTZRange(start, end + room.buffer)
        )
        if exclude is not None:
            overlapping = overlapping.exclude(pk=exclude.pk)
        if overlapping.exists():
            problems.append(("start", str(ALREADY_TAKEN)))
    if room.max_per_week is not None and not planner:
        monday = week_start(day)
        first, _end = local_day_bounds(monday)
        last, _end = local_day_bounds(monday + dt.timedelta(days=7))
        held = (
            Booking.objects.live()
            .filter(room=room, booker=booker, period__startswith__gte=first, period__startswith__lt=last)
            .exclude(pk=getattr(exclude, "pk", None))
            .count()
        )
        if held >= room.max_per_week:
            problems.append(
                (
                    "date",
                    ngettext(
                        "You can have %(n)s booking of this room per week.",
                        "You can have %(n)s bookings of this room per week.",
                        room.max_per_week,
                    )
                    % {"n": room.max_per_week},
                )
            )
    return problems


def _within_hours(room: Room, local_start: dt.datetime, local_end: dt.datetime) -> bool:
    hours = list(room.hours.all())
    if not hours:
        return True  # no hours set: the room can be booked any time
    if local_start.date() != local_end.date() and local_end.time() != dt.time(0, 0):
        return False
    end_time = local_end.time() if local_end.date() == local_start.date() else dt.time(23, 59, 59)
    return any(
        h.weekday == local_start.weekday() and h.opens <= local_start.time() and end_time <= h.closes
        for h in hours
    )


def may_book(user: User, room: Room) -> bool:
    """Verified members of the house (residents, students) and its coordinators and staff."""
    return can(user, "house.book", room.house)


def _check_who(*, room: Room, by: User, booker: User) -> None:
    if not room.is_bookable:
        raise BookingError(_("This room cannot be booked."))
    if booker.pk != by.pk and not can(by, "bookings.book_for", room.house):
        raise BookingError(_("You can only book for yourself."))
    if not may_book(booker, room):
        pending = Membership.objects.pending().filter(user=booker, house=room.house).exists()
        raise BookingError(
            _("Your membership is not verified yet. Staff of the house will do that soon.")
            if pending
            else _("Only members of %(house)s can book this room.") % {"house": room.house}
        )


# --- free times --------------------------------------------------------------------------------


@dataclass
class FreeSlot:
    start: dt.datetime
    latest_end: dt.datetime  # the latest a booking starting at `start` may end here

    @property
    def end_label(self) -> str:
        """ "24:00" rather than "00:00" when the free time runs to the end of the day."""
        end = self.latest_end.astimezone(local_zone())
        if end.time() == dt.time(0, 0) and end.date() > self.start.astimezone(local_zone()).date():
            return "24:00"
        return f"{end:%H:%M}"


def _round_up(moment: dt.datetime, *, minutes: int) -> dt.datetime:
    """To the next whole quarter: people read "from 17:00", not "from 16:48"."""
    step = dt.timedelta(minutes=minutes)
    base = moment.replace(second=0, microsecond=0)
    rest = dt.timedelta(minutes=base.minute % minutes)
    if not rest and base == moment:
        return moment
    return base - rest + step


@dataclass(frozen=True)
class DayFacts:
    """What free_slots needs to know of a room on a day, read with the room (rooms_with_day)."""

    closed: bool
    hours: list[tuple[dt.time, dt.time]] | None  # that weekday's hours; None: no set hours at all
    taken: list[DateTimeTZRange]  # the live bookings' blocked ranges near that day


# A house's bookable rooms, each with its DayFacts of a day (rooms_with_day). Written out: the same
# query through the ORM took longer to compile in Python than the three queries it saves.
ROOMS_WITH_DAY_SQL = """
    SELECT room.*,
        EXISTS (
            SELECT 1 FROM activities_roomclosure AS c
            WHERE c.room_id = room.id AND c.first_day <= %(day)s AND c.last_day >= %(day)s
        ) AS day_closed,
        EXISTS (SELECT 1 FROM activities_roomhours AS h WHERE h.room_id = room.id) AS day_has_hours,
        ARRAY(
            SELECT h.opens FROM activities_roomhours AS h
            WHERE h.room_id = room.id AND h.weekday = %(weekday)s ORDER BY h.opens, h.id
        ) AS day_opens,
        ARRAY(
            SELECT h.closes FROM activities_roomhours AS h
            WHERE h.room_id = room.id AND h.weekday = %(weekday)s ORDER BY h.opens, h.id
        ) AS day_closes,
        ARRAY(
            SELECT b.blocked FROM activities_booking AS b
            WHERE b.room_id = room.id AND b.status = ANY(%(live)s)
              AND b.blocked && tstzrange(%(start)s - room.buffer_minutes * interval '1 minute',
                                         %(end)s + room.buffer_minutes * interval '1 minute')
        ) AS day_taken
    FROM activities_room AS room
    WHERE room.house_id = %(house)s AND room.is_bookable
    ORDER BY lower(room.name), room.id
"""


def rooms_with_day(house, day: dt.date) -> list[Room]:
    """A house's bookable rooms, each with its DayFacts of `day` in the same query (`day_facts(room)`):
    the booking form shows the free times of a room without three more queries."""
    day_start, day_end = local_day_bounds(day)
    params = {
        "day": day,
        "weekday": day.weekday(),
        "live": list(Booking.LIVE),
        "start": day_start,
        "end": day_end,
        "house": house.pk,
    }
    return list(Room.objects.raw(ROOMS_WITH_DAY_SQL, params))


def day_facts(room: Room) -> DayFacts:
    """The DayFacts a room of rooms_with_day came with."""
    hours = list(zip(room.day_opens, room.day_closes, strict=True)) if room.day_has_hours else None
    return DayFacts(closed=room.day_closed, hours=hours, taken=list(room.day_taken))


def free_slots(
    room: Room, day: dt.date, *, now: dt.datetime | None = None, facts: DayFacts | None = None
) -> list[FreeSlot]:
    """The free parts of a day: within the bookable hours, not closed, not in the past or notice,
    and leaving the tidy-up time before the next booking. Three queries (closed that day, the
    room's hours, the day's bookings), or none with the room's `facts` of that day."""
    now = now or timezone.now()
    if facts is None:
        facts = _day_facts(room, day)
    if facts.closed:
        return []
    zone = local_zone()
    hours = facts.hours
    if hours is None:
        windows = [local_day_bounds(day)]
    else:
        windows = [
            (dt.datetime.combine(day, opens, tzinfo=zone), dt.datetime.combine(day, closes, tzinfo=zone))
            for opens, closes in hours
        ]
    earliest = _round_up(now + dt.timedelta(hours=room.min_notice_hours), minutes=15)
    taken = facts.taken
    slots: list[FreeSlot] = []
    for w_start, w_end in windows:
        cursor = max(w_start, earliest)
        for block in sorted(taken, key=lambda r: r.lower):
            if block.upper <= cursor:
                continue
            if block.lower - room.buffer >= w_end:  # the tidy-up time before it can reach into the window
                break
            gap_end = min(block.lower - room.buffer, w_end)
            if real_length(cursor, gap_end) >= dt.timedelta(minutes=room.min_minutes):
                slots.append(FreeSlot(cursor, gap_end))
            cursor = max(cursor, block.upper)
        if real_length(cursor, w_end) >= dt.timedelta(minutes=room.min_minutes):
            slots.append(FreeSlot(cursor, w_end))
    return slots


def _day_facts(room: Room, day: dt.date) -> DayFacts:
    """A room's DayFacts of a day, asked of the database (free_slots without them)."""
    if room.closures.filter(first_day__lte=day, last_day__gte=day).exists():
        return DayFacts(closed=True, hours=None, taken=[])
    every_day = list(room.hours.all())  # none: the room has no set hours (any time of day)
    hours = [(h.opens, h.closes) for h in every_day if h.weekday == day.weekday()] if every_day else None
    day_start, day_end = local_day_bounds(day)
    taken = list(
        Booking.objects.live()
        .filter(room=room, blocked__overlap=DateTimeTZRange(day_start - room.buffer, day_end + room.buffer))
        .values_list("blocked", flat=True)
    )
    return DayFacts(closed=False, hours=hours, taken=taken)


# --- creating ----------------------------------------------------------------------------------


@dataclass
class BookingDetails:
    category: str
    title: str
    attendees: int
    is_public: bool = False


def create_booking(
    *,
    room: Room,
    by: User,
    booker: User,
    start: dt.datetime,
    end: dt.datetime,
    details: BookingDetails,
    rules_accepted: bool,
    series: BookingSeries | None = None,
    now: dt.datetime | None = None,
    planner: bool = False,
    notify: bool = True,
) -> Booking:
    """Book the room for `booker` (made by `by`: the booker, or staff on their behalf).
    `planner`: the booking holds an activity of the programme (see rule_problems)."""
    with transaction.atomic():
        # First the house (the order end_house takes its locks): a booking made while the house is
        # being ended waits for that, and is then refused instead of outliving the ending.
        if not hold_open(room.house_id):
            raise BookingError(HOUSE_STOPPED)
        _check_who(room=room, by=by, booker=booker)
        if room.rules and not rules_accepted:
            raise BookingError(
                _("Please read and accept the rules of the room."), field_name="rules_accepted"
            )
        # One booker at a time: the weekly limit cannot be passed by two requests at once. The same
        # lock makes a booking wait for an account being deleted (residents.leaving), then refuse.
        if User.objects.select_for_update().filter(pk=booker.pk, erased_at__isnull=True).first() is None:
            raise BookingError(_("This account has been deleted."))
        problems = rule_problems(
            room=room,
            booker=booker,
            start=start,
            end=end,
            attendees=details.attendees,
            now=now,
            planner=planner,
        )
        if problems:
            raise BookingError(problems=problems)
        needs_approval = room.needs_approval and not can(by, "bookings.approve", room.house)
        booking = Booking(
            room=room,
            booker=booker,
            created_by=by,
            series=series,
            period=DateTimeTZRange(start, end),
            blocked=DateTimeTZRange(start, end + room.buffer),
            category=details.category,
            title=details.title,
            attendees=details.attendees,
            is_public=details.is_public,
            status=Booking.Status.REQUESTED if needs_approval else Booking.Status.CONFIRMED,
            rules_version=room.rules_version,
        )
        _insert(booking)
        record(
            "booking.requested" if needs_approval else "booking.confirmed",
            actor=by,
            on_behalf_of=booker if booker.pk != by.pk else None,
            target=booking,
            house=room.house,
        )
        if notify:  # a programme series books many dates: its planner needs no mail for each
            _notify(booking, "requested" if needs_approval else "confirmed")
        if needs_approval:
            _notify_approvers(booking)
    return booking


def _insert(booking: Booking) -> None:
    """Save a new booking; the exclusion constraint has the last word on overlaps.

    Two requests (on two servers, or two workers) inserting overlapping bookings at the same moment
    can each wait for the other in the constraint's check; PostgreSQL then stops one of them as a
    deadlock instead of reporting the overlap. That one tries again after a short pause (at once,
    the other may not have moved yet and find this new row in its way: the same deadlock again),
    by then after the other: its booking is in (taken) or was rolled back (this one is booked)."""
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                booking.save()
            return
        except IntegrityError as err:
            if "booking_no_overlap" in str(err):
                raise BookingError(str(TAKEN_MESSAGE), field_name="start") from err
            raise
        except OperationalError as err:
            if attempt == DEADLOCK_ATTEMPTS or getattr(err.__cause__, "sqlstate", None) != DEADLOCK_DETECTED:
                raise
            time.sleep(0.05 * attempt)


# --- series --------------------------------------------------------------------------------------


@dataclass
class PlannedDate:
    start: dt.datetime
    end: dt.datetime
    problems: list[str] = field(default_factory=list)

    @property
    def free(self) -> bool:
        return not self.problems


def _add_months(day: dt.date, months: int) -> dt.date | None:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    try:
        return day.replace(year=year, month=month)
    except ValueError:
        return None  # the 31st in a shorter month: skipped


def series_dates(
    first: dt.date, frequency: str, *, until: dt.date | None = None, count: int | None = None
) -> list[dt.date]:
    """The dates of a series: from `first`, until a date (included) or `count` times, at most 52."""
    dates: list[dt.date] = []
    step = 0
    limit = min(count or MAX_SERIES, MAX_SERIES)
    while len(dates) < limit:
        if frequency == BookingSeries.Frequency.MONTHLY:
            day = _add_months(first, step)
        else:
            weeks = 2 if frequency == BookingSeries.Frequency.BIWEEKLY else 1
            day = first + dt.timedelta(weeks=weeks * step)
        step += 1
        if day is None:
            continue
        if until and day > until:
            break
        dates.append(day)
        if step > MAX_SERIES * 3:
            break
    return dates


def plan_series(
    *,
    room: Room,
    booker: User,
    dates: list[dt.date],
    start_time: dt.time,
    end_time: dt.time,
    attendees: int,
    now: dt.datetime | None = None,
) -> list[PlannedDate]:
    """Which dates of a series can be booked, and why the others cannot. Changes nothing."""
    planned = []
    for day in dates:
        try:
            start, end = make_local(day, start_time), make_local(day, end_time)
        except ValidationError as err:  # a time that does not exist, or twice, that night
            naive_start = dt.datetime.combine(day, start_time).replace(tzinfo=local_zone())
            naive_end = dt.datetime.combine(day, end_time).replace(tzinfo=local_zone())
            planned.append(PlannedDate(naive_start, naive_end, [str(err.messages[0])]))
            continue
        item = PlannedDate(start, end)
        item.problems = [
            m
            for _f, m in rule_problems(
                room=room, booker=booker, start=start, end=end, attendees=attendees, now=now
            )
        ]
        planned.append(item)
    # The weekly limit counts the series' own dates too.
    if room.max_per_week is not None:
        per_week: dict[dt.date, int] = {}
        for item in planned:
            if item.free:
                week = week_start(_local(item.start).date())
                per_week[week] = per_week.get(week, 0) + 1
                if per_week[week] > room.max_per_week:
                    item.problems.append(_("Over the limit of bookings per week."))
    return planned


def create_series(
    *,
    room: Room,
    by: User,
    booker: User,
    frequency: str,
    dates: list[dt.date],
    start_time: dt.time,
    end_time: dt.time,
    details: BookingDetails,
    rules_accepted: bool,
    now: dt.datetime | None = None,
) -> tuple[list[Booking], list[PlannedDate]]:
    """Book every free date of a series; returns the bookings and the dates that were skipped."""
    with transaction.atomic():
        _check_who(room=room, by=by, booker=booker)
        if room.rules and not rules_accepted:
            raise BookingError(
                _("Please read and accept the rules of the room."), field_name="rules_accepted"
            )
        series = BookingSeries.objects.create(room=room, booker=booker, frequency=frequency)
        booked, skipped = [], []
        for item in plan_series(
            room=room,
            booker=booker,
            dates=dates,
            start_time=start_time,
            end_time=end_time,
            attendees=details.attendees,
            now=now,
        ):
            if not item.free:
                skipped.append(item)
                continue
            try:
                booked.append(
                    create_booking(
                        room=room,
                        by=by,
                        booker=booker,
                        start=item.start,
                        end=item.end,
                        details=details,
                        rules_accepted=rules_accepted,
                        series=series,
                        now=now,
                    )
                )
            except BookingError as err:  # taken between planning and booking
                item.problems = [m for _f, m in err.problems]
                skipped.append(item)
        if not booked:
            raise BookingError(_("None of these dates is free. Nothing was booked."))
        record(
            "series.created",
            actor=by,
            target=series,
            house=room.house,
            changes={"booked": len(booked), "skipped": len(skipped)},
        )
    return booked, skipped


# --- deciding, cancelling, attendance ------------------------------------------------------------


def _locked(booking_id: int, house) -> Booking:
    booking = (
        Booking.objects.select_for_update()
        .select_related("room__house", "booker")
        .filter(pk=booking_id, room__house=house)
        .first()
    )
    if booking is None:
        raise BookingError(_("This booking does not exist (any more)."))
    return booking


def decide_booking(*, booking_id: int, house, by: User, approve: bool, reason: str = "") -> Booking:
    """A coordinator or staff member approves or declines a requested booking."""
    with transaction.atomic():
        if not can(by, "bookings.approve", house):
            raise BookingError(_("You cannot approve bookings in this house."))
        booking = _locked(booking_id, house)
        if booking.status != Booking.Status.REQUESTED:
            raise BookingError(
                _("This booking was already handled: %(status)s.") % {"status": booking.get_status_display()}
            )
        if not approve and not reason.strip():
            raise BookingError(_("Give a reason, so the person knows why."), field_name="reason")
        booking.status = Booking.Status.CONFIRMED if approve else Booking.Status.DECLINED
        booking.decided_by, booking.decided_at, booking.decision_reason = by, timezone.now(), reason
        booking.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        record(
            "booking.approved" if approve else "booking.declined",
            actor=by,
            target=booking,
            house=house,
            changes={"status": ["requested", booking.status], "reason": reason},
        )
        _notify(booking, "approved" if approve else "declined")
    return booking


def can_cancel(user: User, booking: Booking, now: dt.datetime | None = None) -> bool:
    if not booking.is_live or booking.end <= (now or timezone.now()):
        return False
    if can(user, "bookings.book_for", booking.room.house):
        return True  # staff always
    own = user.pk in (booking.booker_id, booking.created_by_id)
    deadline = booking.start - dt.timedelta(hours=booking.room.cancel_hours)
    return own and (now or timezone.now()) <= deadline


def cancel_booking(
    *, booking_id: int, house, by: User, reason: str, rest_of_series: bool = False
) -> list[Booking]:
    """Cancel a booking (or it and the later ones of its series). The time is free at once."""
    with transaction.atomic():
        booking = _locked(booking_id, house)
        if not can_cancel(by, booking):
            if booking.is_live and by.pk in (booking.booker_id, booking.created_by_id):
                raise BookingError(
                    _("You can cancel until %(n)s hours before the start. Please ask the staff.")
                    % {"n": booking.room.cancel_hours}
                )
            raise BookingError(_("You cannot cancel this booking."))
        if not reason.strip():
            raise BookingError(_("Give a reason for cancelling."), field_name="reason")
        targets = [booking]
        if rest_of_series and booking.series_id:
            targets += list(
                Booking.objects.select_for_update()
                .live()
                .filter(series_id=booking.series_id, period__startswith__gt=booking.start)
                .exclude(pk=booking.pk)
            )
        now = timezone.now()
        cancelled = []
        for item in targets:
            if not can_cancel(by, item, now):
                continue
            cancelled.append(item)
            old = item.status
            item.status, item.cancelled_by, item.cancelled_at, item.cancel_reason = (
                Booking.Status.CANCELLED,
                by,
                now,
                reason,
            )
            item.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"])
            record(
                "booking.cancelled",
                actor=by,
                target=item,
                house=house,
                on_behalf_of=item.booker if item.booker_id != by.pk else None,
                changes={"status": [old, "cancelled"], "reason": team_words(reason, by=by, house=house)},
            )
        _notify(booking, "cancelled", count=len(cancelled))
    return cancelled


def cancel_for_everyone(
    booking: Booking, *, by, now, because: str, reason: str = "", activity: bool = False
) -> str:
    """Cancel a live booking for a reason outside the booker's hands (their account is deleted, the
    house ended), without the checks of cancel_booking; audited, no mail. The row is locked by the
    caller. `activity`: the booking holds an activity's room. Returns the old status."""
    old = booking.status
    booking.status, booking.cancelled_by, booking.cancelled_at, booking.cancel_reason = (
        Booking.Status.CANCELLED,
        by,
        now,
        reason,
    )
    booking.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"])
    changes = {"status": [old, booking.status], "because": because}
    if activity:
        changes["activity"] = True
    record(
        "booking.cancelled",
        actor=by,
        target=booking,
        house=booking.room.house,
        on_behalf_of=None if activity or getattr(by, "pk", None) == booking.booker_id else booking.booker,
        changes=changes,
    )
    return old


def mark_attendance(*, booking_id: int, house, by: User, took_place: bool) -> Booking:
    """After the booking: did it take place? No-shows count in the pilot summary."""
    with transaction.atomic():
        booking = _locked(booking_id, house)
        if not (by.pk == booking.booker_id or can(by, "bookings.approve", house)):
            raise BookingError(_("You cannot change this booking."))
        if booking.status != Booking.Status.CONFIRMED or booking.start > timezone.now():
            raise BookingError(_("You can say whether it took place once it has started."))
        old = booking.took_place
        booking.took_place = took_place
        booking.save(update_fields=["took_place"])
        record(
            "booking.attendance",
            actor=by,
            target=booking,
            house=house,
            changes={"took_place": [old, took_place]},
        )
    return booking


# --- e-mail ----------------------------------------------------------------------------------


def booking_ics(booking: Booking, method: str = "PUBLISH") -> bytes:
    """The booking as an .ics attachment; CANCEL tells calendar apps to remove it."""
    from activities.feeds import booking_event

    event = booking_event(booking)
    if method == "CANCEL":
        event = replace(event, status="CANCELLED")
    return ics_bytes([event], name=booking.room.house.name, method=method)


def _notify(booking: Booking, what: str, count: int = 1) -> None:
    if not booking.booker.email:
        return
    method = "CANCEL" if what in ("cancelled", "declined") else "PUBLISH"
    mail_person(
        booking.booker,
        f"activities/email/booking_{what}",
        {"booking": booking, "what": what, "count": count},
        attachments=[("reservering.ics", booking_ics(booking, method), f"text/calendar; method={method}")],
    )


def _notify_approvers(booking: Booking) -> None:
    approvers = (
        User.objects.filter(
            memberships__house=booking.room.house,
            memberships__role__in=[Role.COORDINATOR, Role.STAFF],
            memberships__status=Membership.Status.ACTIVE,
            is_active=True,
        )
        .exclude(email=None)
        .distinct()
    )
    for person in approvers:
        mail_person(person, "activities/email/approval_needed", {"booking": booking})
