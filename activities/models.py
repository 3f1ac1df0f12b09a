"""Rooms of a house, their rules, and bookings that never overlap (PostgreSQL holds that)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.contrib.postgres.indexes import GistIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from residents.models import House, Role

TAKEN_MESSAGE = _("This time was just booked by someone else. Choose another time.")


class Room(models.Model):
    house = models.ForeignKey(House, verbose_name=_("house"), on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=20, validators=[MinValueValidator(1)], help_text=_("Most people at once.")
    )
    is_bookable = models.BooleanField(_("residents can book it"), default=True)
    needs_approval = models.BooleanField(
        _("bookings need approval"),
        default=False,
        help_text=_("A coordinator or staff member approves each booking first."),
    )
    min_minutes = models.PositiveSmallIntegerField(
        _("shortest booking (minutes)"), default=30, validators=[MinValueValidator(15)]
    )
    max_minutes = models.PositiveSmallIntegerField(
        _("longest booking (minutes)"), default=240, validators=[MinValueValidator(15)]
    )
    min_notice_hours = models.PositiveSmallIntegerField(_("book at least this many hours ahead"), default=2)
    max_days_ahead = models.PositiveSmallIntegerField(
        _("book at most this many days ahead"), default=90, validators=[MinValueValidator(1)]
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("time between bookings for tidying up (minutes)"),
        default=15,
        validators=[MaxValueValidator(240)],
    )
    max_per_week = models.PositiveSmallIntegerField(
        _("bookings per person per week"),
        null=True,
        blank=True,
        default=3,
        help_text=_("Leave empty for no limit."),
    )
    cancel_hours = models.PositiveSmallIntegerField(
        _("the booker can cancel until this many hours before"), default=24
    )
    rules = models.TextField(_("rules for using the room"), blank=True)
    rules_version = models.PositiveIntegerField(_("version of the rules"), default=1)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["house", Lower("name")]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_minutes__gte=F("min_minutes")),
                name="room_max_at_least_min",
                violation_error_message=_("The longest booking cannot be shorter than the shortest."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("activities:calendar", kwargs={"house": self.house.slug})

    @property
    def buffer(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.buffer_minutes)


class RoomHours(models.Model):
    """When a room can be booked, per weekday (0 = Monday). Several blocks a day are allowed."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(
        _("day"),
        choices=[
            (i, d)
            for i, d in enumerate(
                [
                    _("Monday"),
                    _("Tuesday"),
                    _("Wednesday"),
                    _("Thursday"),
                    _("Friday"),
                    _("Saturday"),
                    _("Sunday"),
                ]
            )
        ],
    )
    opens = models.TimeField(_("from"))
    closes = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("bookable hours")
        verbose_name_plural = _("bookable hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")),
                name="room_hours_closes_after_opens",
                violation_error_message=_("The end time must be after the start time."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class RoomClosure(models.Model):
    """Days the room is closed: a holiday, maintenance. Both dates included."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="closures")
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=120)

    class Meta:
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")),
                name="room_closure_last_after_first",
                violation_error_message=_("The last day cannot be before the first day."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_day:%Y-%m-%d}–{self.last_day:%Y-%m-%d} {self.reason}"


class BookingSeries(models.Model):
    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("every week")
        BIWEEKLY = "biweekly", _("every two weeks")
        MONTHLY = "monthly", _("every month")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="series")
    booker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(_("how often"), max_length=10, choices=Frequency.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("series of bookings")
        verbose_name_plural = _("series of bookings")

    def __str__(self) -> str:
        return f"{self.room} {self.get_frequency_display()}"


class BookingQuerySet(models.QuerySet):
    def live(self) -> BookingQuerySet:
        """Bookings that hold their time: confirmed, or requested and waiting for approval."""
        return self.filter(status__in=Booking.LIVE)

    def in_house(self, house) -> BookingQuerySet:
        return self.filter(room__house=house)

    def visible_to(self, user) -> BookingQuerySet:
        """Bookings whose details a person may open: their own, and all of the houses they
        handle (coordinators, staff). The calendar shows others' bookings, private ones as "busy"."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        handled = House.objects.where(user, Role.COORDINATOR, Role.STAFF)
        return self.filter(Q(booker=user) | Q(created_by=user) | Q(room__house__in=handled))


class Booking(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        CONFIRMED = "confirmed", _("confirmed")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", _("cancelled")

    class Category(models.TextChoices):
        BIRTHDAY = "birthday", _("birthday or party")
        MEETING = "meeting", _("meeting")
        CLUB = "club", _("club or course")
        ACTIVITY = "activity", _("activity for the neighbourhood")
        OTHER = "other", _("something else")

    LIVE = (Status.REQUESTED, Status.CONFIRMED)

    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="bookings")
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked for"),
        on_delete=models.CASCADE,
        related_name="bookings",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    series = models.ForeignKey(
        BookingSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    period = DateTimeRangeField(_("time"))
    # The period plus the room's tidy-up buffer. PostgreSQL cannot index upper(period) + buffer
    # (not immutable), so the blocked range is stored and the exclusion constraint holds on it.
    blocked = DateTimeRangeField(editable=False)
    category = models.CharField(_("what for"), max_length=10, choices=Category.choices)
    title = models.CharField(_("title"), max_length=80)
    attendees = models.PositiveSmallIntegerField(_("expected people"), validators=[MinValueValidator(1)])
    is_public = models.BooleanField(
        _("show the title to everyone"),
        default=False,
        help_text=_("If not, others only see that the room is busy."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    rules_version = models.PositiveIntegerField(_("accepted version of the rules"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    took_place = models.BooleanField(_("it took place"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["period"]
        indexes = [models.Index(fields=["booker", "status"])]
        constraints = [
            ExclusionConstraint(
                name="booking_no_overlap",
                expressions=[("room", RangeOperators.EQUAL), ("blocked", RangeOperators.OVERLAPS)],
                condition=Q(status__in=["requested", "confirmed"]),
                violation_error_message=TAKEN_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(period__isempty=False, period__lower_inf=False, period__upper_inf=False),
                name="booking_period_bounded",
                violation_error_message=_("A booking needs a start and an end."),
            ),
            models.CheckConstraint(
                condition=Q(blocked__contains=F("period")),
                name="booking_blocked_covers_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("activities:booking", kwargs={"house": self.room.house.slug, "pk": self.pk})

    @property
    def start(self) -> dt.datetime:
        return self.period.lower

    @property
    def end(self) -> dt.datetime:
        return self.period.upper

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    def title_for(self, user) -> str:
        """What a person sees in the calendar: the title if public or theirs, else "busy"."""
        if self.is_public or (user.is_authenticated and user.pk in (self.booker_id, self.created_by_id)):
            return self.title
        return str(_("busy"))


# --- the programme: activities, their series, sign-ups ---------------------------------------


class Category(models.TextChoices):
    COFFEE = "coffee", _("coffee and meeting")
    LANGUAGE = "language", _("language and Praatmaatje")
    SPORT = "sport", _("sport and exercise")
    CREATIVE = "creative", _("creative")
    ADVICE = "advice", _("information and advice")
    NEIGHBOURHOOD = "neighbourhood", _("meeting about the neighbourhood")
    OTHER = "other", _("other")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("everyone")
    MEMBERS = "members", _("members of the house")


class ActivitySeries(models.Model):
    """A repeating activity (the weekly coffee morning): one thing to edit, with exceptions.

    Its dates are Activity rows made from these values; editing the series changes the coming
    dates that were not changed on their own (Activity.moved).
    """

    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="activity_series")
    frequency = models.CharField(_("how often"), max_length=10, choices=BookingSeries.Frequency.choices)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("place"), max_length=120, blank=True)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("what is it?"), blank=True)
    category = models.CharField(_("kind"), max_length=15, choices=Category.choices)
    audience = models.CharField(
        _("for whom"), max_length=10, choices=Audience.choices, default=Audience.EVERYONE
    )
    capacity = models.PositiveSmallIntegerField(_("places"), null=True, blank=True)
    signup_required = models.BooleanField(_("sign-up needed"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("series of activities")
        verbose_name_plural = _("series of activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")),
                name="activity_series_last_after_first",
                violation_error_message=_("The last day cannot be before the first day."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_frequency_display()})"


class ActivityQuerySet(models.QuerySet):
    def planned(self) -> ActivityQuerySet:
        return self.filter(status=Activity.Status.PLANNED)

    def visible_to(self, user) -> ActivityQuerySet:
        """Activities for everyone are public; members-only ones for the house's members."""
        if user.is_authenticated and user.is_superuser:
            return self
        public = Q(audience=Audience.EVERYONE)
        if not user.is_authenticated:
            return self.filter(public)
        houses = House.objects.where(user, *Role.values)
        return self.filter(public | Q(house__in=houses))


class Activity(models.Model):
    """Something on the programme. In a room it *is* a booking with more to say: its time is held
    by `booking` (the same exclusion constraint), so it never clashes with a booking. Elsewhere
    (sport in the park, a home visit) it has a `place` and books nothing."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        CANCELLED = "cancelled", _("cancelled")

    house = models.ForeignKey(
        House, verbose_name=_("house"), on_delete=models.CASCADE, related_name="activities"
    )
    series = models.ForeignKey(
        ActivitySeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="activity"
    )
    place = models.CharField(_("place"), max_length=120, blank=True)
    period = DateTimeRangeField(_("time"))
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("what is it?"), blank=True)
    category = models.CharField(_("kind"), max_length=15, choices=Category.choices)
    audience = models.CharField(
        _("for whom"), max_length=10, choices=Audience.choices, default=Audience.EVERYONE
    )
    capacity = models.PositiveSmallIntegerField(
        _("places"), null=True, blank=True, validators=[MinValueValidator(1)], help_text=_("Empty: no limit.")
    )
    signup_required = models.BooleanField(_("sign-up needed"), default=False)
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organisers"),
        blank=True,
        related_name="organised_activities",
    )
    partner = models.ForeignKey(
        "residents.Organisation",
        verbose_name=_("partner organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # In a series: this date was changed on its own, so editing the series leaves it alone.
    moved = models.BooleanField(default=False)
    walk_ins = models.PositiveSmallIntegerField(
        _("people who came without signing up"), null=True, blank=True, validators=[MaxValueValidator(500)]
    )
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["period"]
        indexes = [
            models.Index(fields=["house", "status"]),
            # The activities of a few days or weeks (programme, calendar feeds, the summary's edges).
            GistIndex(fields=["period"], name="activity_period_gist"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(booking__isnull=False) | ~Q(place=""),
                name="activity_in_a_room_or_a_place",
                violation_error_message=_("Choose a room, or say where it is."),
            ),
            models.CheckConstraint(
                condition=Q(period__isempty=False, period__lower_inf=False, period__upper_inf=False),
                name="activity_period_bounded",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="activity_capacity_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:activity", kwargs={"house": self.house.slug, "pk": self.pk})

    @property
    def start(self) -> dt.datetime:
        return self.period.lower

    @property
    def end(self) -> dt.datetime:
        return self.period.upper

    @property
    def where(self) -> str:
        return self.booking.room.name if self.booking_id else self.place


class Signup(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("signed up")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signups")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # Order of the waiting list: who asked first moves up first.
    created_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Set when staff entered it for the person (paper, phone)."),
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(_("came"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person"],
                condition=Q(status__in=["confirmed", "waiting"]),
                name="signup_once",
                violation_error_message=_("You are already signed up for this activity."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.activity}"


# --- residents' ideas and polls --------------------------------------------------------------


class Idea(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("new")
        LOOKING = "looking", _("being looked at")
        PLANNED = "planned", _("planned")
        DONE = "done", _("done")
        NOT_NOW = "not_now", _("not now")

    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="ideas")
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ideas")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("your idea in a few words"), max_length=100)
    description = models.TextField(_("what would you like to do?"), max_length=2000, blank=True)
    helpers = models.CharField(_("who could help?"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title=""),
                name="idea_has_title",
                violation_error_message=_("Give your idea a title."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:idea", kwargs={"house": self.house.slug, "pk": self.pk})


class IdeaSupport(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "person"],
                name="idea_support_once",
                violation_error_message=_("You already support this idea."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} + {self.idea}"


class Poll(models.Model):
    class Results(models.TextChoices):
        AFTER_VOTE = "after_vote", _("after voting")
        AFTER_CLOSE = "after_close", _("after the poll closes")

    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(_("question"), max_length=200)
    description = models.TextField(_("explanation"), blank=True)
    max_choices = models.PositiveSmallIntegerField(
        _("how many answers may people choose"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    closes_at = models.DateTimeField(_("open until"))
    results = models.CharField(
        _("show the results"), max_length=12, choices=Results.choices, default=Results.AFTER_VOTE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["-closes_at"]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("activities:poll", kwargs={"house": self.house.slug, "pk": self.pk})

    @property
    def is_open(self) -> bool:
        return timezone.now() < self.closes_at


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("answer"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["poll", "text"], name="poll_option_unique")]

    def __str__(self) -> str:
        return self.text


class PollBallot(models.Model):
    """One member's answer to a poll (one or more options); one per member."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    options = models.ManyToManyField(PollOption, related_name="ballots")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "person"],
                name="poll_one_ballot",
                violation_error_message=_("You have already voted."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} / {self.poll}"
