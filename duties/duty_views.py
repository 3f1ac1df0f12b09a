"""Duties and obligations: the students' duty list, taking and handing back, planning and assigning
duties, and the hours each student owes (coordinators and staff)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duties import duties as services
from duties.forms_duties import AssignForm, DutyForm, ObligationForm
from duties.models import Duty, DutyAssignment, Obligation
from residents.decorators import house_view
from residents.models import House
from residents.permissions import can, require


def _visible_duty(user, pk: int) -> Duty:
    """A duty of a house where the user is a student or manages duties; any other is a 404."""
    return get_object_or_404(
        Duty.objects.select_related("house"), pk=pk, house__in=services.duty_houses(user)
    )


@login_required
def duties(request):
    user = request.user
    houses = list(services.duty_houses(user))
    student_houses = [h for h in houses if services.is_student(user, h)]
    managed = [h for h in houses if can(user, "duties.manage", h)]
    if not student_houses and not managed:
        return render(request, "duties/duties.html", {"not_allowed": True}, status=403)
    deadlines = {}
    held = services.held_duties(user) if student_houses else []
    for assignment in held:
        deadlines[assignment.pk] = services.handback_deadline(assignment.duty)
    managed_duties = []
    if managed:
        managed_duties = list(
            services.with_places(Duty.objects.filter(house__in=managed))
            .select_related("house", "activity")
            .prefetch_related(
                Prefetch(
                    "assignments",
                    queryset=DutyAssignment.objects.filter(status=DutyAssignment.Status.ACTIVE)
                    .select_related("student")
                    .order_by("created_at"),
                    to_attr="holders",
                )
            )
            .order_by("house__name", "first_day", "start_time", "pk")
        )
        for duty in managed_duties:
            duty.when = services.describe_when(duty)
    return render(
        request,
        "duties/duties.html",
        {
            "open": services.open_duties(user, student_houses) if student_houses else [],
            "held": [(a, deadlines[a.pk]) for a in held],
            "student_houses": student_houses,
            "managed": managed,
            "managed_duties": managed_duties,
        },
    )


@login_required
@require_POST
def duty_take(request, pk: int):
    duty = _visible_duty(request.user, pk)
    try:
        services.take_duty(duty_id=duty.pk, student=request.user)
    except services.DutyError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, _("You have taken “%(title)s”. Thank you!") % {"title": duty.title})
    return redirect("duties:duties")


@login_required
@require_POST
def duty_return(request, pk: int):
    duty = _visible_duty(request.user, pk)
    try:
        services.return_duty(duty_id=duty.pk, student=request.user, by=request.user)
    except services.DutyError as err:
        messages.error(request, str(err))
    else:
        messages.success(
            request,
            _("You have handed back “%(title)s”. The coordinator has been told.") % {"title": duty.title},
        )
    return redirect("duties:duties")


def _save(request, form, house, duty_form_template_context):
    duty = form.save()
    try:
        services.save_duty(duty=duty, by=request.user, changed=form.changed_data)
    except services.DutyError as err:
        form.add_error(None, str(err))
        return render(request, "duties/duty_form.html", duty_form_template_context, status=400)
    messages.success(request, _("The duty “%(title)s” is saved.") % {"title": duty.title})
    return redirect("duties:duties")


@login_required
@house_view
@require("duties.manage")
def duty_add(request, house: House):
    form = DutyForm(request.POST or None, house=house)
    context = {"house": house, "form": form, "mode": "add"}
    if request.method == "POST" and form.is_valid():
        return _save(request, form, house, context)
    return render(request, "duties/duty_form.html", context, status=400 if form.errors else 200)


@login_required
@house_view
@require("duties.manage")
def duty_edit(request, house: House, pk: int):
    duty = get_object_or_404(Duty, pk=pk, house=house)
    form = DutyForm(request.POST or None, instance=duty, house=house)
    context = {"house": house, "form": form, "duty": duty, "mode": "edit"}
    if request.method == "POST" and form.is_valid():
        return _save(request, form, house, context)
    return render(request, "duties/duty_form.html", context, status=400 if form.errors else 200)


@login_required
@house_view
@require("duties.manage")
def duty_assign(request, house: House, pk: int):
    duty = get_object_or_404(Duty, pk=pk, house=house)
    form = AssignForm(request.POST or None, house=house)
    if request.method == "POST" and form.is_valid():
        student = form.cleaned_data["student"]
        try:
            services.assign_duty(duty_id=duty.pk, student=student, by=request.user)
        except services.DutyError as err:
            form.add_error("student", str(err))
        else:
            messages.success(
                request,
                _("%(name)s now has “%(title)s”.") % {"name": student.name, "title": duty.title},
            )
            return redirect("duties:duties")
    holders = duty.assignments.filter(status=DutyAssignment.Status.ACTIVE).select_related("student")
    return render(
        request,
        "duties/duty_form.html",
        {"house": house, "form": form, "duty": duty, "mode": "assign", "holders": holders},
        status=400 if form.errors else 200,
    )


@login_required
@house_view
@require("duties.manage")
def obligations(request, house: House):
    form = ObligationForm(house=house)
    if request.method == "POST":
        if "delete" in request.POST:
            try:
                obligation_id = int(request.POST["delete"])
            except ValueError:
                raise Http404 from None
            try:
                services.delete_obligation(house=house, obligation_id=obligation_id, by=request.user)
            except services.DutyError as err:
                messages.error(request, str(err))
            else:
                messages.success(request, _("The obligation is deleted."))
            return redirect("duties:obligations", house=house.slug)
        form = ObligationForm(request.POST, house=house)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_obligation(
                    house=house,
                    student=data["student"],
                    first_day=data["first_day"],
                    last_day=data["last_day"],
                    hours_required=data["hours_required"],
                    by=request.user,
                )
            except services.DutyError as err:
                form.add_error(None, str(err))
            else:
                messages.success(request, _("The obligation is saved."))
                return redirect("duties:obligations", house=house.slug)
    students = list(
        services.students_of(house).prefetch_related(
            Prefetch(
                "obligations",
                queryset=Obligation.objects.filter(house=house).order_by("first_day"),
                to_attr="house_obligations",
            )
        )
    )
    return render(
        request,
        "duties/obligations.html",
        {"house": house, "form": form, "students": students},
        status=400 if form.errors else 200,
    )
