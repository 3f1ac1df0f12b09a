"""The programme of activities: the weeks ahead, a week on paper, one activity, and planning them."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from activities import programme as planning
from activities import selectors
from activities.forms import parse_day
from activities.forms_activities import ActivityForm, ReasonForm, SeriesForm
from activities.models import Activity, ActivitySeries, Category, Idea
from activities.services import BookingError
from activities.timeutil import local_day_bounds, local_zone, week_start
from residents.decorators import house_view
from residents.models import House
from residents.permissions import can, require

PROGRAMME_WEEKS = 4  # this week and the coming three


def _add_problems(form, err: BookingError) -> None:
    for field, message in err.problems:
        form.add_error(field if field in form.fields else None, message)


@house_view
def programme(request, house: House):
    today = timezone.localdate()
    start, _end = local_day_bounds(today)
    last_day = week_start(today) + dt.timedelta(weeks=PROGRAMME_WEEKS) - dt.timedelta(days=1)
    _start, end = local_day_bounds(last_day)
    category = request.GET.get("categorie", "")
    if category not in Category.values:
        category = ""
    activities = selectors.programme_activities(request.user, house, start, end, category=category or None)
    now = timezone.now()
    activities = [a for a in activities if a.end > now]  # today's that are over are of no use
    return render(
        request,
        "activities/programme.html",
        {
            "house": house,
            "days": selectors.programme_days(activities),
            "categories": Category.choices,
            "category": category,
            "category_label": Category(category).label if category else "",
            "last_day": last_day,
            "this_week": week_start(today),
            "may_plan": can(request.user, "activities.plan", house),
        },
    )


@house_view
def programme_print(request, house: House):
    today = timezone.localdate()
    monday = week_start(parse_day(request.GET.get("week"), today))
    start, _end = local_day_bounds(monday)
    _start, end = local_day_bounds(monday + dt.timedelta(days=6))
    activities = selectors.programme_activities(request.user, house, start, end)
    return render(
        request,
        "activities/programme_print.html",
        {
            "house": house,
            "days": selectors.programme_days(activities),
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "previous_week": monday - dt.timedelta(weeks=1),
            "next_week": monday + dt.timedelta(weeks=1),
        },
    )


def _activity_for(request, house: House, pk: int) -> Activity:
    activity = (
        Activity.objects.visible_to(request.user)
        .select_related("booking__room", "partner", "series", "house")
        .prefetch_related("organisers")
        .filter(house=house, pk=pk)
        .first()
    )
    if activity is None:
        raise Http404
    return activity


@house_view
def activity_detail(request, house: House, pk: int):
    activity = _activity_for(request, house, pk)
    now = timezone.now()
    may_plan = can(request.user, "activities.plan", house)
    changeable = activity.status == Activity.Status.PLANNED and activity.start > now
    return render(
        request,
        "activities/activity.html",
        {
            "house": house,
            "activity": activity,
            "is_past": activity.end <= now,
            "may_change": may_plan and changeable,
            "may_plan": may_plan,
            "cancel_form": ReasonForm(),
        },
    )


def _form_values(data) -> dict:
    """The form's data as the services' keyword arguments (shared by one date and a series)."""
    return {
        "title": data["title"],
        "description": data["description"],
        "category": data["category"],
        "audience": data["audience"],
        "capacity": data["capacity"],
        "signup_required": data["signup_required"],
        "room": data["room"],
        "place": data["place"],
        "organisers": data["organisers"],
        "partner": data["partner"],
    }


@login_required
@house_view
@require("activities.plan")
def activity_add(request, house: House):
    source = request.POST if request.method == "POST" else request.GET
    idea = None
    idea_id = source.get("idea", source.get("idee", ""))
    if idea_id.isdigit():
        idea = Idea.objects.filter(house=house, pk=int(idea_id)).first()
    initial = {"organisers": [request.user.pk], "idea": idea.pk if idea else None}
    if idea is not None:
        initial.update(title=idea.title[:100], description=idea.description)
    form = ActivityForm(request.POST or None, house=house, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["repeat"]:
                _series, made, skipped = planning.create_series(
                    house=house,
                    by=request.user,
                    frequency=data["repeat"],
                    first_day=data["date"],
                    last_day=data["repeat_until"],
                    start_time=data["start"],
                    end_time=data["end"],
                    idea=idea,
                    **_form_values(data),
                )
                messages.success(
                    request,
                    ngettext(
                        "The activity is on the programme: %(n)s date.",
                        "The activity is on the programme: %(n)s dates.",
                        len(made),
                    )
                    % {"n": len(made)},
                )
                if skipped:
                    messages.warning(
                        request,
                        _("These dates were not free and are skipped: %(dates)s.")
                        % {"dates": ", ".join(f"{s.day:%d-%m-%Y}" for s in skipped)},
                    )
                return redirect(made[0])
            activity = planning.create_activity(
                house=house,
                by=request.user,
                start=data["start_at"],
                end=data["end_at"],
                idea=idea,
                **_form_values(data),
            )
            messages.success(request, _("The activity is on the programme."))
            return redirect(activity)
        except BookingError as err:
            _add_problems(form, err)
    return render(
        request,
        "activities/activity_form.html",
        {"house": house, "form": form, "idea": idea, "activity": None},
    )


def _changeable(request, house: House, pk: int) -> Activity:
    activity = _activity_for(request, house, pk)
    if activity.status != Activity.Status.PLANNED or activity.start <= timezone.now():
        messages.error(request, _("This activity is over or cancelled; it cannot be changed."))
        raise _Back(activity)
    return activity


class _Back(Exception):
    def __init__(self, activity: Activity):
        self.activity = activity


def _activity_initial(activity: Activity) -> dict:
    zone = local_zone()
    start, end = activity.start.astimezone(zone), activity.end.astimezone(zone)
    return {
        "title": activity.title,
        "description": activity.description,
        "category": activity.category,
        "date": start.date(),
        "start": start.time(),
        "end": end.time(),
        "room": activity.booking.room if activity.booking_id and activity.booking.is_live else None,
        "place": activity.place,
        "audience": activity.audience,
        "capacity": activity.capacity,
        "signup_required": activity.signup_required,
        "organisers": list(activity.organisers.all()),
        "partner": activity.partner,
    }


@login_required
@house_view
@require("activities.plan")
def activity_edit(request, house: House, pk: int):
    try:
        activity = _changeable(request, house, pk)
    except _Back as back:
        return redirect(back.activity)
    form = ActivityForm(request.POST or None, house=house, repeat=False, initial=_activity_initial(activity))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            planning.update_activity(
                activity=activity,
                by=request.user,
                start=data["start_at"],
                end=data["end_at"],
                **_form_values(data),
            )
        except BookingError as err:
            _add_problems(form, err)
        else:
            messages.success(request, _("The activity is changed."))
            return redirect(activity)
    return render(
        request,
        "activities/activity_form.html",
        {"house": house, "form": form, "idea": None, "activity": activity},
    )


@require_POST
@login_required
@house_view
@require("activities.plan")
def activity_cancel(request, house: House, pk: int):
    activity = _activity_for(request, house, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason, so people know why."))
        return redirect(activity)
    try:
        planning.cancel_activity(activity=activity, by=request.user, reason=form.cleaned_data["reason"])
    except BookingError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, _("The activity is cancelled. People who signed up get an e-mail."))
    return redirect(activity)


def _series_for(request, house: House, pk: int) -> ActivitySeries:
    series = ActivitySeries.objects.filter(house=house, pk=pk).select_related("room").first()
    if series is None:
        raise Http404
    return series


def _series_initial(series: ActivitySeries) -> dict:
    nxt = series.activities.filter(status=Activity.Status.PLANNED).order_by("-period").first()
    return {
        "title": series.title,
        "description": series.description,
        "category": series.category,
        "start": series.start_time,
        "end": series.end_time,
        "room": series.room,
        "place": series.place,
        "audience": series.audience,
        "capacity": series.capacity,
        "signup_required": series.signup_required,
        "organisers": list(nxt.organisers.all()) if nxt else [],
        "partner": nxt.partner if nxt else None,
    }


@login_required
@house_view
@require("activities.plan")
def series_edit(request, house: House, pk: int):
    series = _series_for(request, house, pk)
    now = timezone.now()
    coming = list(
        series.activities.filter(status=Activity.Status.PLANNED, period__startswith__gt=now)
        .select_related("booking__room")
        .order_by("period")
    )
    form = SeriesForm(request.POST or None, house=house, initial=_series_initial(series))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = planning.update_series(
                series=series,
                by=request.user,
                start_time=data["start"],
                end_time=data["end"],
                **_form_values(data),
            )
        except BookingError as err:
            _add_problems(form, err)
        else:
            messages.success(
                request,
                ngettext(
                    "The series is changed: %(n)s coming date.",
                    "The series is changed: %(n)s coming dates.",
                    len(changed),
                )
                % {"n": len(changed)},
            )
            return redirect(reverse("activities:series_edit", kwargs={"house": house.slug, "pk": series.pk}))
    return render(
        request,
        "activities/series_form.html",
        {
            "house": house,
            "series": series,
            "form": form,
            "coming": coming,
            "moved": [a for a in coming if a.moved],
            "stop_form": ReasonForm(),
        },
    )


@require_POST
@login_required
@house_view
@require("activities.plan")
def series_stop(request, house: House, pk: int):
    series = _series_for(request, house, pk)
    form = ReasonForm(request.POST)
    from_day = parse_day(request.POST.get("from"), None) if request.POST.get("from") else None
    back = request.POST.get("back", "")
    target = reverse("activities:series_edit", kwargs={"house": house.slug, "pk": series.pk})
    if back.isdigit():
        activity = Activity.objects.filter(house=house, series=series, pk=int(back)).first()
        if activity is not None:
            target = activity.get_absolute_url()
    if not form.is_valid():
        messages.error(request, _("Give a reason, so people know why."))
        return redirect(target)
    try:
        stopped = planning.stop_series(
            series=series, by=request.user, reason=form.cleaned_data["reason"], from_day=from_day
        )
    except BookingError as err:
        messages.error(request, str(err))
    else:
        messages.success(
            request,
            ngettext(
                "The series is stopped: %(n)s date is cancelled.",
                "The series is stopped: %(n)s dates are cancelled.",
                len(stopped),
            )
            % {"n": len(stopped)},
        )
    return redirect(target)
