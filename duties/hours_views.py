"""A student's hours and progress, the coordinators' review queue, the statement and the export."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from duties import hours as services
from duties import selectors
from duties.forms_hours import HourLogForm, ReturnForm
from duties.models import HourLog, Obligation
from residents.models import House, Membership, Role
from residents.permissions import can
from residents.spreadsheet import safe_cell

# Logs listed on the student's page; older ones stay in the statement and the export.
LOGS_SHOWN = 100


def _is_student(user) -> bool:
    return user.has_any_role(Role.STUDENT)


def _is_reviewer(user) -> bool:
    return user.is_superuser or user.has_any_role(Role.COORDINATOR, Role.STAFF)


def _add_problem(form, err: services.HoursError) -> None:
    form.add_error(err.field if err.field in form.fields else None, err.message)


@login_required
def home(request):
    user = request.user
    context = {"is_student": _is_student(user), "is_reviewer": _is_reviewer(user)}
    # Houses where this person sets obligations and duties (a query only for them).
    context["managed_houses"] = (
        list(House.objects.where(user, Role.COORDINATOR, Role.STAFF)) if context["is_reviewer"] else []
    )
    if context["is_student"]:
        logs = list(
            HourLog.objects.filter(student=user)
            .exclude(status=HourLog.Status.WITHDRAWN)
            .select_related("house", "duty", "activity")
            .order_by("-period")[: LOGS_SHOWN + 1]
        )
        context.update(
            progress=selectors.current_progress(user),
            logs=logs[:LOGS_SHOWN],
            more_logs=len(logs) > LOGS_SHOWN,
            editable=services.EDITABLE,
        )
    return render(request, "duties/home.html", context)


def _save_log(request, form, log: HourLog | None):
    data = form.cleaned_data
    values = {
        "day": data["day"],
        "start_time": data["start_time"],
        "end_time": data["end_time"],
        "what": data["what"],
        "duty": data.get("duty"),
        "activity": data.get("activity"),
    }
    if log is None:
        return services.log_hours(student=request.user, house=data["house"], **values)
    return services.update_log(log_id=log.pk, student=request.user, **values)


@login_required
def log_add(request):
    if not _is_student(request.user):
        raise PermissionDenied
    initial = {"day": timezone.localdate()}
    form = HourLogForm(request.POST or None, student=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _save_log(request, form, None)
        except services.HoursError as err:
            _add_problem(form, err)
        else:
            messages.success(request, _("Your hours are logged. A coordinator reviews them."))
            return redirect("duties:home")
    return render(request, "duties/log_form.html", {"form": form, "log": None})


def _own_log(request, pk: int) -> HourLog:
    log = HourLog.objects.select_related("house").filter(pk=pk, student=request.user).first()
    if log is None:
        raise Http404
    return log


@login_required
def log_edit(request, pk: int):
    log = _own_log(request, pk)
    if log.status not in services.EDITABLE:
        messages.error(request, _("This log is already approved or withdrawn; it cannot be changed."))
        return redirect("duties:home")
    start, end = timezone.localtime(log.start), timezone.localtime(log.end)
    initial = {
        "house": log.house,
        "day": start.date(),
        "start_time": start.time(),
        "end_time": end.time(),
        "what": log.what,
        "duty": log.duty_id,
        "activity": log.activity_id,
    }
    form = HourLogForm(request.POST or None, student=request.user, log=log, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _save_log(request, form, log)
        except services.HoursError as err:
            _add_problem(form, err)
        else:
            messages.success(request, _("Your log is changed. A coordinator reviews it."))
            return redirect("duties:home")
    return render(request, "duties/log_form.html", {"form": form, "log": log})


@require_POST
@login_required
def log_withdraw(request, pk: int):
    log = _own_log(request, pk)
    try:
        services.withdraw_log(log_id=log.pk, student=request.user)
    except services.HoursError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("The log is withdrawn."))
    return redirect("duties:home")


# --- review ---------------------------------------------------------------------------------


def _require_reviewer(user) -> None:
    if not _is_reviewer(user):
        raise PermissionDenied


@login_required
def review(request):
    user = request.user
    _require_reviewer(user)
    if request.method == "POST":
        ids = [i for i in request.POST.getlist("logs") if i.isdigit()]
        try:
            done = services.approve_logs(log_ids=ids, by=user)
        except services.HoursError as err:
            messages.error(request, err.message)
        else:
            messages.success(
                request,
                ngettext("%(n)s log is approved.", "%(n)s logs are approved.", len(done)) % {"n": len(done)},
            )
        return redirect("duties:review")
    pending = (
        HourLog.objects.for_reviewer(user)
        .filter(status=HourLog.Status.SUBMITTED)
        .exclude(student=user)
        .select_related("student", "house", "duty", "activity")
        .order_by("period")
    )
    return render(
        request,
        "duties/review.html",
        {"pending": pending, "totals": selectors.review_totals(user), "return_form": ReturnForm()},
    )


@require_POST
@login_required
def log_return(request, pk: int):
    user = request.user
    _require_reviewer(user)
    if not HourLog.objects.for_reviewer(user).filter(pk=pk).exists():
        raise Http404
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason, so the student knows what to change."))
        return redirect("duties:review")
    try:
        services.return_log(log_id=pk, by=user, reason=form.cleaned_data["reason"])
    except services.HoursError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("The log is sent back to the student with your reason."))
    return redirect("duties:review")


@login_required
def export(request):
    user = request.user
    _require_reviewer(user)
    logs = (
        HourLog.objects.for_reviewer(user)
        .select_related("student", "house", "duty", "activity", "reviewer")
        .order_by("house__name", "student__name", "period")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="uren.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the accents right
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("House"),
            _("Student"),
            _("Date"),
            _("From"),
            _("Until"),
            _("Minutes"),
            _("What"),
            _("Duty"),
            _("Activity"),
            _("Status"),
            _("Reviewed by"),
            _("Reason"),
        ]
    )
    for log in logs.iterator(chunk_size=500):
        start, end = timezone.localtime(log.start), timezone.localtime(log.end)
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    log.house.name,
                    log.student.name,
                    f"{start:%Y-%m-%d}",
                    f"{start:%H:%M}",
                    f"{end:%H:%M}",
                    log.minutes,
                    log.what,
                    log.duty.title if log.duty else "",
                    log.activity.title if log.activity else "",
                    log.get_status_display(),
                    log.reviewer.name if log.reviewer else "",
                    log.return_reason,
                )
            ]
        )
    return response


# --- statement ------------------------------------------------------------------------------


def _statement_data(request) -> dict:
    user = request.user
    raw = request.GET.get("verplichting", "")
    if not raw.isdigit():
        raise Http404
    obligation = Obligation.objects.select_related("student", "house").filter(pk=int(raw)).first()
    if obligation is None:
        raise Http404
    raw_student = request.GET.get("student")
    if raw_student is not None and raw_student != str(obligation.student_id):
        raise Http404
    if obligation.student_id != user.pk and not can(user, "hours.review", obligation.house):
        raise Http404
    logs = list(selectors.approved_logs(obligation.student, obligation))
    total = sum(log.minutes for log in logs)
    coordinator = next((log.reviewer for log in reversed(logs) if log.reviewer), None)
    if coordinator is None:
        membership = (
            Membership.objects.active()
            .filter(house=obligation.house, role=Role.COORDINATOR)
            .select_related("user")
            .order_by("user__name")
            .first()
        )
        coordinator = membership.user if membership else None
    rows = [
        {
            "start": timezone.localtime(log.start),
            "end": timezone.localtime(log.end),
            "minutes": log.minutes,
            "hours": selectors.hours(log.minutes),
            "what": log.what,
        }
        for log in logs
    ]
    return {
        "obligation": obligation,
        "student": obligation.student,
        "house": obligation.house,
        "rows": rows,
        "total_minutes": total,
        "total_hours": selectors.hours(total),
        "coordinator": coordinator,
        "today": timezone.localdate(),
    }


@login_required
def statement(request):
    data = _statement_data(request)
    data["pdf_query"] = request.GET.urlencode()
    return render(request, "duties/statement.html", data)


@login_required
def statement_pdf(request):
    from duties.statement import render_pdf

    data = _statement_data(request)
    pdf = render_pdf(data)
    name = slugify(data["student"].name) or "student"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="verklaring-uren-{name}-{data["obligation"].first_day:%Y-%m-%d}.pdf"'
    )
    return response
