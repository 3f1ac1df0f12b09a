"""Students' obligations, the duties they take on, and the hours they log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from residents.models import House, Role

MAX_LOG_MINUTES = 12 * 60


class Obligation(models.Model):
    """How many hours a student owes the neighbourhood in a period (e.g. 96 hours in a pilot year)."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("student"),
        on_delete=models.CASCADE,
        related_name="obligations",
    )
    house = models.ForeignKey(
        House, verbose_name=_("house"), on_delete=models.CASCADE, related_name="obligations"
    )
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until"))
    hours_required = models.PositiveSmallIntegerField(
        _("hours required"), validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")),
                name="obligation_last_after_first",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
            models.CheckConstraint(condition=Q(hours_required__gte=1), name="obligation_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.hours_required} h, {self.first_day:%d-%m-%Y}–{self.last_day:%d-%m-%Y}"


class Duty(models.Model):
    """A task for the students: hosting the coffee morning, writing the koffiekrant, a home visit."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CANCELLED = "cancelled", _("cancelled")

    house = models.ForeignKey(House, verbose_name=_("house"), on_delete=models.CASCADE, related_name="duties")
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("what it involves"), blank=True)
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duties",
    )
    first_day = models.DateField(_("day (or first day)"))
    weekly = models.BooleanField(_("every week"), default=False)
    last_day = models.DateField(_("last day (for a weekly duty)"), null=True, blank=True)
    start_time = models.TimeField(_("from"), null=True, blank=True)
    end_time = models.TimeField(_("until"), null=True, blank=True)
    students_needed = models.PositiveSmallIntegerField(
        _("how many students"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    expected_minutes = models.PositiveSmallIntegerField(
        _("expected time (minutes)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(MAX_LOG_MINUTES)],
    )
    handback_hours = models.PositiveSmallIntegerField(
        _("can be handed back until this many hours before"), default=48
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["first_day", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__isnull=True) | Q(last_day__gte=F("first_day")),
                name="duty_last_after_first",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
            models.CheckConstraint(
                condition=Q(start_time__isnull=True)
                | Q(end_time__isnull=True)
                | Q(end_time__gt=F("start_time")),
                name="duty_end_after_start",
                violation_error_message=_("The end time must be after the start time."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DutyAssignment(models.Model):
    """A student holds a duty: taken themselves, or assigned by a coordinator."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("taken")
        RETURNED = "returned", _("handed back")

    duty = models.ForeignKey(Duty, on_delete=models.CASCADE, related_name="assignments")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty_assignments"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    returned_at = models.DateTimeField(null=True, blank=True)
    # The date of the last occurrence a reminder was sent for: a weekly duty reminds once a week.
    reminded_for = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("duty taken")
        verbose_name_plural = _("duties taken")
        constraints = [
            models.UniqueConstraint(
                fields=["duty", "student"],
                condition=Q(status="active"),
                name="duty_taken_once",
                violation_error_message=_("You already have this duty."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} → {self.duty}"


class HourLogQuerySet(models.QuerySet):
    def counted(self) -> HourLogQuerySet:
        """Logs that count towards an obligation once approved, or wait for review."""
        return self.filter(status__in=[HourLog.Status.SUBMITTED, HourLog.Status.APPROVED])

    def for_reviewer(self, user) -> HourLogQuerySet:
        """Logs of the houses where the person reviews hours (coordinators, staff)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(house__in=House.objects.where(user, Role.COORDINATOR, Role.STAFF))

    def visible_to(self, user) -> HourLogQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(student=user) | self.for_reviewer(user)


class HourLog(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("sent back")
        WITHDRAWN = "withdrawn", _("withdrawn")

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("student"),
        on_delete=models.CASCADE,
        related_name="hour_logs",
    )
    house = models.ForeignKey(
        House, verbose_name=_("house"), on_delete=models.CASCADE, related_name="hour_logs"
    )
    period = DateTimeRangeField(_("time"))
    # Computed in UTC from the period, so the nights the clocks change count right.
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(MAX_LOG_MINUTES)]
    )
    what = models.CharField(_("what did you do?"), max_length=300)
    duty = models.ForeignKey(Duty, null=True, blank=True, on_delete=models.SET_NULL, related_name="hour_logs")
    activity = models.ForeignKey(
        "activities.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="hour_logs"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HourLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("hour log")
        verbose_name_plural = _("hour logs")
        ordering = ["-period"]
        indexes = [models.Index(fields=["house", "status"]), models.Index(fields=["student", "status"])]
        constraints = [
            # One student's logs never overlap in time (withdrawn ones no longer count).
            ExclusionConstraint(
                name="hourlog_no_overlap",
                expressions=[("student", RangeOperators.EQUAL), ("period", RangeOperators.OVERLAPS)],
                condition=~Q(status="withdrawn"),
                violation_error_message=_("You already logged hours at this time."),
            ),
            models.CheckConstraint(
                condition=Q(period__isempty=False, period__lower_inf=False, period__upper_inf=False),
                name="hourlog_period_bounded",
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=MAX_LOG_MINUTES),
                name="hourlog_minutes_range",
                violation_error_message=_("A log is at most 12 hours."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.period.lower:%Y-%m-%d} {self.minutes} min"

    @property
    def start(self):
        return self.period.lower

    @property
    def end(self):
        return self.period.upper
