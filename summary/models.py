"""What staff add to the pilot summary: targets per figure, and per period a story with quotes.

The figures are counted from the other apps by summary.selectors. To stay fast at any size, what it
counts per whole month (and when each person was seen) is kept in the tables at the end of this file:
triggers on the other apps' tables mark what changed, and summary.stored counts that again before a
summary is shown (see there).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from residents.models import House


class TargetFigure(models.TextChoices):
    """The figures staff can set a target for, for the whole pilot of a house."""

    ACTIVITIES_HELD = "activities_held", _("activities held")
    VISITS = "visits", _("visits to activities")
    REACH = "reach", _("residents reached")
    NEW_MEMBERS = "new_members", _("new members")
    ROOM_HOURS = "room_hours", _("hours the living room was used")
    STUDENT_HOURS = "student_hours", _("approved student hours")
    IDEAS_DONE = "ideas_done", _("ideas carried out")
    NEWS_POSTS = "news_posts", _("news posts")


class Target(models.Model):
    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="targets")
    figure = models.CharField(_("figure"), max_length=30, choices=TargetFigure.choices)
    value = models.PositiveIntegerField(_("target for the pilot"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["house", "figure"]
        constraints = [
            models.UniqueConstraint(
                fields=["house", "figure"],
                name="target_once_per_figure",
                violation_error_message=_("This figure already has a target."),
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.house} · {self.get_figure_display()}: {self.value}"


class Story(models.Model):
    """Staff's short narrative for a period ("what happened, what we learned"), shown with the figures."""

    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="stories")
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until"))
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("the story"), max_length=3000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        ordering = ["house", "-first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")),
                name="story_period_in_order",
                violation_error_message=_("The last day comes before the first day."),
            ),
            models.CheckConstraint(condition=~Q(text=""), name="story_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.house} · {self.title}"


class Quote(models.Model):
    """What a resident said, added on purpose by staff (with permission); never a resident's own text."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="quotes")
    text = models.CharField(_("what was said"), max_length=500)
    said_by = models.CharField(
        _("who said it"),
        max_length=100,
        blank=True,
        help_text=_("Without a name, for example: resident, 78 years old."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["story", "position", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="quote_has_text")]

    def __str__(self) -> str:
        return self.text[:40]


# --- what summary.stored keeps (never edited by hand) ------------------------------------------


class MultirangeField(models.Field):
    """A PostgreSQL tstzmultirange, written and read only in summary.stored's SQL."""

    def db_type(self, connection) -> str:
        return "tstzmultirange"


class MonthFigure(models.Model):
    """One metric of one house over one whole (local) month, counted by summary.stored."""

    metric = models.CharField(max_length=60)
    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # its first day
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["metric", "house", "month"], name="month_figure_once"),
        ]

    def __str__(self) -> str:
        return f"{self.house_id} {self.month:%Y-%m} {self.metric}: {self.value}"


def month_number(month) -> int:
    """A month as a number that counts on by one a month (MonthRun.first and its index)."""
    return month.year * 12 + month.month - 1


class MonthRun(models.Model):
    """One metric of one house as running totals over its MonthFigure rows, so that the sum of any
    run of whole months is two array elements apart (selectors.Windows.stored_sums), however long
    the window: runs[i] is the sum from month `first` up to and including month `first` + i (month
    numbers, see month_number); after the last element nothing was counted any more. Worked out
    again by summary.stored.count_runs for every house whose month figures it changes.
    """

    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=60)
    first = models.IntegerField()
    runs = ArrayField(models.FloatField())

    class Meta:
        constraints = [models.UniqueConstraint(fields=["house", "metric"], name="month_run_once")]

    def __str__(self) -> str:
        return f"{self.house_id} {self.metric} from {self.first}: {len(self.runs)} months"


class DayRun(models.Model):
    """One metric of one house over the days of one (local) month as running totals: runs[i - 1] is
    the sum of days 1 to i of `month` (after the last element nothing was counted any more), so a
    window's days at its edges are two array elements apart instead of rows read (see
    selectors.Split.by_days). Counted by summary.stored.count_days with the month's MonthFigure rows
    (a month without a figure has no row); additive metrics only (never REACH_KEPT), and the days of
    first and last visits (selectors.REACH_DAYS, counted by summary.stored.count_reach_months).
    """

    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=60)
    month = models.DateField()  # its first day
    runs = ArrayField(models.FloatField())

    class Meta:
        constraints = [models.UniqueConstraint(fields=["house", "month", "metric"], name="day_run_once")]

    def __str__(self) -> str:
        return f"{self.house_id} {self.month:%Y-%m} {self.metric}: {len(self.runs)} days"


class Seen(models.Model):
    """When a person took part in a house (booked, signed up or came, proposed or supported an idea).

    multi: the person has rows for more than one house (so the total over houses must not add them up).
    first_moment, last_moment: the earliest and the latest of the moments, so that "seen in this
    window?" is decided for most rows without reading the multirange (see selectors.seen_in).
    Migration 0009 indexes both (rows of people seen in one house), and the hours of the moments
    (summary_seen_hours(moments), to find those seen in a part of today: selectors._reach_kept).
    """

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="+")
    moments = MultirangeField()
    multi = models.BooleanField(default=False)
    first_moment = models.DateTimeField()
    last_moment = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "house"], name="seen_once")]
        # selectors.reach groups the few people seen in several houses by themselves.
        indexes = [models.Index(fields=["house"], condition=models.Q(multi=True), name="seen_multi")]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.house_id}"


class StaleMonth(models.Model):
    """A house and month whose figures changed (written by triggers; no unique key, so a writer never
    waits for a summary being counted)."""

    house_id = models.BigIntegerField()
    month = models.DateField()

    def __str__(self) -> str:
        return f"{self.house_id} {self.month:%Y-%m}"


class StalePerson(models.Model):
    """A person whose taking part changed (written by triggers)."""

    person_id = models.BigIntegerField()

    def __str__(self) -> str:
        return str(self.person_id)


class StaleHouse(models.Model):
    """A house whose memberships changed (written by triggers, migration 0010)."""

    house_id = models.BigIntegerField()

    def __str__(self) -> str:
        return str(self.house_id)


class MembersNow(models.Model):
    """The members a house has now (selectors.members_now), counted again by summary.stored.refresh
    for every house whose memberships changed (StaleHouse). A house without a row has none."""

    house = models.OneToOneField(House, on_delete=models.CASCADE, related_name="+")
    members = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.house_id}: {self.members}"
