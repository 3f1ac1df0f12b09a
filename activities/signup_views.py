"""Signing up and off, signing up someone else (paper, phone), attendance, the reminder setting."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities import signups
from activities.forms_signups import AttendanceForm, RemindersForm, SignupForForm
from activities.models import Activity, Signup
from residents.decorators import house_view
from residents.models import House
from residents.permissions import can, require


def _activity_for(request, house: House, pk: int) -> Activity:
    """The activity if this person may see it; another house's or a hidden one is a 404."""
    activity = (
        Activity.objects.visible_to(request.user)
        .select_related("house", "booking__room")
        .filter(pk=pk, house=house)
        .first()
    )
    if activity is None:
        raise Http404
    return activity


def _signed_up_message(signup: Signup, *, own: bool) -> str:
    if signup.status == Signup.Status.CONFIRMED:
        if own:
            return _("You are signed up. See you there!")
        return _("%(name)s is signed up.") % {"name": signup.person.name}
    position = signups.waiting_position(signup)
    if own:
        return _(
            "The activity is full. You are on the waiting list (place %(n)s). "
            "You get an e-mail when a place frees."
        ) % {"n": position}
    return _("The activity is full. %(name)s is on the waiting list (place %(n)s).") % {
        "name": signup.person.name,
        "n": position,
    }


@require_POST
@login_required
@house_view
def signup(request, house: House, pk: int):
    activity = _activity_for(request, house, pk)
    try:
        done = signups.sign_up(activity=activity, person=request.user, by=request.user)
    except signups.SignupError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, _signed_up_message(done, own=True))
    return redirect(activity)


@require_POST
@login_required
@house_view
def signup_cancel(request, house: House, pk: int):
    """Sign yourself off; coordinators and staff can send the id of someone else's sign-up."""
    activity = _activity_for(request, house, pk)
    live = activity.signups.filter(status__in=signups.LIVE).select_related("person")
    wanted = request.POST.get("signup", "")
    if wanted:
        target = live.filter(pk=wanted).first() if wanted.isdigit() else None
    else:
        target = live.filter(person=request.user).first()
    if target is None:
        messages.error(request, _("There is no sign-up to cancel."))
        return redirect(activity)
    try:
        signups.cancel_signup(signup_id=target.pk, by=request.user)
    except signups.SignupError as err:
        messages.error(request, str(err))
    else:
        if target.person_id == request.user.pk:
            messages.success(request, _("You are signed off. Thank you for letting us know."))
        else:
            messages.success(request, _("%(name)s is signed off.") % {"name": target.person.name})
    return redirect(activity)


@login_required
@house_view
@require("activities.enter_for")
def signup_for(request, house: House, pk: int):
    """Enter a sign-up collected on paper or by phone; stays on this page for the next name."""
    activity = _activity_for(request, house, pk)
    form = SignupForForm(request.POST or None, house=house)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        try:
            done = signups.sign_up(activity=activity, person=person, by=request.user)
        except signups.SignupError as err:
            form.add_error("person", str(err))
        else:
            messages.success(request, _signed_up_message(done, own=False))
            return redirect("activities:signup_for", house=house.slug, pk=activity.pk)
    return render(
        request,
        "activities/signup_for.html",
        {
            "house": house,
            "activity": activity,
            "form": form,
            "box": signups.signup_box(activity, request.user),
        },
    )


@login_required
@house_view
def attendance(request, house: House, pk: int):
    """After the activity: tick who came and count the walk-ins (organisers and planners)."""
    activity = _activity_for(request, house, pk)
    if not signups.may_manage(request.user, activity):
        raise PermissionDenied
    confirmed = list(
        activity.signups.filter(status=Signup.Status.CONFIRMED)
        .select_related("person")
        .order_by("person__name")
    )
    initial = {
        "came": [str(s.pk) for s in confirmed if s.attended],
        "walk_ins": activity.walk_ins if activity.walk_ins is not None else 0,
    }
    form = AttendanceForm(request.POST or None, signups=confirmed, initial=initial)
    started = signups.has_started(activity)
    if request.method == "POST" and form.is_valid():
        try:
            signups.record_attendance(
                activity_id=activity.pk,
                by=request.user,
                came=form.came_ids(),
                walk_ins=form.cleaned_data["walk_ins"],
            )
        except signups.SignupError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, _("Attendance is saved. Thank you!"))
            return redirect("activities:attendance_todo", house=house.slug)
    return render(
        request,
        "activities/attendance.html",
        {
            "house": house,
            "activity": activity,
            "form": form,
            "started": started,
            "cancelled": activity.status == Activity.Status.CANCELLED,
            "has_signups": bool(confirmed),
        },
    )


@login_required
@house_view
def attendance_todo(request, house: House):
    """The organiser's short list: past activities (60 days) still without attendance."""
    return render(
        request,
        "activities/attendance_todo.html",
        {
            "house": house,
            "activities": signups.attendance_todo(request.user, house),
            "days": signups.TODO_DAYS,
            "planner": can(request.user, "activities.plan", house),
        },
    )


@require_POST
@login_required
def reminders_setting(request):
    form = RemindersForm(request.POST)
    form.is_valid()  # a checkbox: anything but "on" means off
    on = bool(form.cleaned_data.get("reminders"))
    signups.set_reminders(user=request.user, on=on)
    if on:
        messages.success(request, _("Saved: you get an e-mail the day before an activity."))
    else:
        messages.success(request, _("Saved: you get no reminders."))
    return redirect("mine")
