"""Worries and buddies in the summary: counts and times only, never who or what.

Two sections, each off the page until its data exists. Worries hold no category or words here: a
small house with "1 worry about money" would point at someone. Every count goes through the same
"< 5" rule as the other counts of people; the median is shown only when at least 5 worries had
contact. These tables stay small (a few hundred rows per house and year), so the rows are read once
per family and counted in Python, which also knows the Dutch working days.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext_lazy

from care.models import Buddy, Match, Worry
from summary.figures import Figure, Unit, metric
from summary.sections import Section, register
from summary.selectors import CUR, PILOT, PREV, Scope, Store, any_of

LASTING = dt.timedelta(days=91)  # "still going after 3 months"


def _windows(scope: Scope) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    return {CUR: scope.clip(scope.period.bounds()), PREV: scope.clip(scope.previous.bounds())}


def _in(moment: dt.datetime | None, bounds: tuple[dt.datetime, dt.datetime]) -> bool:
    return moment is not None and bounds[0] <= moment < bounds[1]


def worries(scope: Scope, store: Store) -> None:
    """Worries raised, with first contact within 3 working days, closed; median days to contact."""
    from care.worries import working_days_after

    first, last = scope.envelope()
    rows = (
        Worry.objects.filter(house__in=any_of(scope.house_ids), created_at__lt=last)
        .filter(Q(created_at__gte=first) | Q(closed_at__gte=first))
        .order_by()
        .values_list("house_id", "created_at", "first_contact_at", "closed_at")
    )
    windows = _windows(scope)
    pilots = scope.pilot_bounds()
    days: dict[tuple[int | None, str], list[float]] = defaultdict(list)
    for house_id, created, contact, closed in rows:
        for window, bounds in (*windows.items(), (PILOT, pilots[house_id])):
            if _in(closed, bounds):
                store.values[(house_id, "worries_closed", window)] += 1
            if not _in(created, bounds):
                continue
            store.values[(house_id, "worries_raised", window)] += 1
            if contact is None or contact >= bounds[1]:
                continue
            store.values[(house_id, "worries_contacted", window)] += 1
            if contact <= working_days_after(created, 3):
                store.values[(house_id, "worries_contact_in_time", window)] += 1
            waited = (contact - created).total_seconds() / 86400
            days[(house_id, window)].append(waited)
            if window != PILOT:
                days[(None, window)].append(waited)
    store.distinct.add("worry_median_days")  # a median does not add up over houses
    for (house_id, window), waits in days.items():
        store.values[(house_id, "worry_median_days", window)] = statistics.median(waits)


def buddies(scope: Scope, store: Store) -> None:
    """Buddy requests and offers made; matches made (both said yes) and those that lasted 3 months."""
    first, last = scope.envelope()
    windows = _windows(scope)
    pilots = scope.pilot_bounds()
    asked = (
        Buddy.objects.filter(house__in=any_of(scope.house_ids), created_at__gte=first, created_at__lt=last)
        .order_by()
        .values_list("house_id", "side", "created_at")
    )
    for house_id, side, created in asked:
        name = "buddy_requests" if side == Buddy.Side.ASK else "buddy_offers"
        for window, bounds in (*windows.items(), (PILOT, pilots[house_id])):
            if _in(created, bounds):
                store.values[(house_id, name, window)] += 1
    matches = (
        Match.objects.filter(
            ask__house__in=any_of(scope.house_ids), started_at__gte=first, started_at__lt=last
        )
        .order_by()
        .values_list("ask__house_id", "started_at", "ended_at")
    )
    for house_id, started, ended in matches:
        for window, bounds in (*windows.items(), (PILOT, pilots[house_id])):
            if not _in(started, bounds):
                continue
            store.values[(house_id, "matches_made", window)] += 1
            if (ended or scope.now) - started >= LASTING:
                store.values[(house_id, "matches_lasting", window)] += 1


WORRIES = Section(
    key="worries",
    title=gettext_lazy("Worries raised"),
    families=(worries,),
    shown=lambda store: store.has("worries_raised") or store.has("worries_closed"),
    figures=(
        Figure(
            "worries_raised",
            gettext_lazy("Worries raised"),
            gettext_lazy(
                "Worries raised with the house in this period, on the website or noted by the team. "
                "Only the number: nobody sees who raised them or what about."
            ),
            metric("worries_raised"),
            people=True,
        ),
        Figure(
            "worries_contact_in_time",
            gettext_lazy("First contact within 3 working days"),
            gettext_lazy(
                "Of the worries raised in this period: how many had a first contact within 3 working "
                "days. Weekends and public holidays do not count."
            ),
            metric("worries_contact_in_time"),
            people=True,
        ),
        Figure(
            "worries_contacted",
            gettext_lazy("Worries with contact"),
            gettext_lazy("Of the worries raised in this period: how many had a first contact."),
            metric("worries_contacted"),
            people=True,
            listed=False,
        ),
        Figure(
            "worry_median_days",
            gettext_lazy("Days to first contact (median)"),
            gettext_lazy(
                "Half of the worries with contact had it within this many days after they were raised."
            ),
            metric("worry_median_days"),
            Unit.AVERAGE,
            from_people=("worries_contacted",),
        ),
        Figure(
            "worries_closed",
            gettext_lazy("Worries closed"),
            gettext_lazy("Worries the team closed in this period, whenever they were raised."),
            metric("worries_closed"),
            people=True,
        ),
    ),
)

BUDDIES = Section(
    key="buddies",
    title=gettext_lazy("Buddies"),
    families=(buddies,),
    shown=lambda store: store.has("buddy_requests") or store.has("buddy_offers") or store.has("matches_made"),
    figures=(
        Figure(
            "buddy_requests",
            gettext_lazy("Asked for a buddy"),
            gettext_lazy("Members who asked for a buddy in this period."),
            metric("buddy_requests"),
            people=True,
        ),
        Figure(
            "buddy_offers",
            gettext_lazy("Offered to be a buddy"),
            gettext_lazy("Members who offered to be a buddy in this period."),
            metric("buddy_offers"),
            people=True,
        ),
        Figure(
            "matches_made",
            gettext_lazy("Buddy matches made"),
            gettext_lazy("Matches both sides said yes to in this period."),
            metric("matches_made"),
            people=True,
        ),
        Figure(
            "matches_lasting",
            gettext_lazy("Of these: going for 3 months or more"),
            gettext_lazy(
                "Matches made in this period that have lasted at least 3 months so far (still going, "
                "or ended after 3 months)."
            ),
            metric("matches_lasting"),
            people=True,
        ),
    ),
)

register(WORRIES, after="reach")
register(BUDDIES, after="worries")
