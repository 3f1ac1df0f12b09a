"""Progress against an obligation, and totals for the review queue: summed in SQL, fixed queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from duties.models import HourLog, Obligation
from residents.models import House, Role


def _minutes_subquery(status: str) -> Coalesce:
    """Minutes of one status the obligation's student logged in its house and period (local days)."""
    logs = (
        HourLog.objects.filter(
            student=OuterRef("student"),
            house=OuterRef("house"),
            status=status,
            period__startswith__date__gte=OuterRef("first_day"),
            period__startswith__date__lte=OuterRef("last_day"),
        )
        .order_by()
        .values("student")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    return Coalesce(Subquery(logs, output_field=IntegerField()), Value(0))


def with_minutes(obligations: QuerySet[Obligation]) -> QuerySet[Obligation]:
    return obligations.annotate(
        approved_minutes=_minutes_subquery(HourLog.Status.APPROVED),
        pending_minutes=_minutes_subquery(HourLog.Status.SUBMITTED),
    )


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Progress:
    obligation: Obligation
    approved_minutes: int
    pending_minutes: int
    required_minutes: int
    expected_minutes: int
    on_track: bool

    @property
    def approved_hours(self) -> Decimal:
        return hours(self.approved_minutes)

    @property
    def pending_hours(self) -> Decimal:
        return hours(self.pending_minutes)

    @property
    def required_hours(self) -> Decimal:
        return hours(self.required_minutes)

    @property
    def expected_hours(self) -> Decimal:
        return hours(self.expected_minutes)

    @property
    def bar_value(self) -> int:
        """For <progress max=required>: approved minutes, never beyond the end of the bar."""
        return min(self.approved_minutes, self.required_minutes)

    @property
    def percent(self) -> int:
        return min(100, self.approved_minutes * 100 // self.required_minutes)


def expected_minutes(obligation: Obligation, today: dt.date) -> int:
    """Required minutes times the part of the period that has passed (today counts as passed)."""
    required = obligation.hours_required * 60
    days = (obligation.last_day - obligation.first_day).days + 1
    elapsed = (min(today, obligation.last_day) - obligation.first_day).days + 1
    elapsed = max(0, min(days, elapsed))
    return required * elapsed // days


def _progress_of(obligation: Obligation, today: dt.date) -> Progress:
    approved = obligation.approved_minutes
    pending = obligation.pending_minutes
    expected = expected_minutes(obligation, today)
    return Progress(
        obligation=obligation,
        approved_minutes=approved,
        pending_minutes=pending,
        required_minutes=obligation.hours_required * 60,
        expected_minutes=expected,
        # Pending hours count: a student is not behind because the coordinator has not looked yet.
        on_track=approved + pending >= expected,
    )


def progress(student, obligation: Obligation, today: dt.date | None = None) -> Progress:
    """One query: the obligation with its sums."""
    today = today or timezone.localdate()
    annotated = with_minutes(Obligation.objects.filter(pk=obligation.pk, student=student)).get()
    return _progress_of(annotated, today)


def current_progress(student, today: dt.date | None = None) -> list[Progress]:
    """The student's obligations covering today, each with its sums (one query)."""
    today = today or timezone.localdate()
    obligations = with_minutes(
        Obligation.objects.filter(student=student, first_day__lte=today, last_day__gte=today)
        .select_related("house")
        .order_by("house__name", "first_day")
    )
    return [_progress_of(o, today) for o in obligations]


def review_totals(reviewer, today: dt.date | None = None) -> list[Progress]:
    """Per student and house of the reviewer: the obligation covering today with its sums (one query).

    Students behind schedule come first.
    """
    today = today or timezone.localdate()
    obligations = Obligation.objects.filter(first_day__lte=today, last_day__gte=today)
    if not reviewer.is_superuser:
        obligations = obligations.filter(
            house__in=House.objects.where(reviewer, Role.COORDINATOR, Role.STAFF)
        )
    rows = [
        _progress_of(o, today)
        for o in with_minutes(
            obligations.select_related("student", "house").order_by("student__name", "house__name")
        )
    ]
    return sorted(rows, key=lambda p: p.on_track)


def approved_logs(student, obligation: Obligation) -> QuerySet[HourLog]:
    """The approved logs within the obligation's period, oldest first (for the statement)."""
    return (
        HourLog.objects.filter(
            student=student,
            house=obligation.house_id,
            status=HourLog.Status.APPROVED,
            period__startswith__date__gte=obligation.first_day,
            period__startswith__date__lte=obligation.last_day,
        )
        .select_related("reviewer", "duty", "activity")
        .order_by("period")
    )
