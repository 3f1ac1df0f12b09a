"""Forms for hour logs and the review queue. The services check everything again."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.forms import DateInput, TimeInput
from activities.models import Activity
from duties.models import Duty, DutyAssignment, HourLog
from residents.models import House, Role


class HourLogForm(forms.Form):
    house = forms.ModelChoiceField(
        queryset=House.objects.none(),
        label=_("House"),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose a house where you are a student.")},
    )
    day = forms.DateField(label=_("Day"), widget=DateInput())
    start_time = forms.TimeField(label=_("From"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput())
    what = forms.CharField(
        label=_("What did you do?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: hosted the coffee morning, visited Mrs de Vries."),
    )
    duty = forms.ModelChoiceField(
        queryset=Duty.objects.none(),
        label=_("For which duty? (optional)"),
        required=False,
        empty_label=_("No duty"),
        error_messages={"invalid_choice": _("Choose one of your duties.")},
    )
    activity = forms.ModelChoiceField(
        queryset=Activity.objects.none(),
        label=_("For which activity? (optional)"),
        required=False,
        empty_label=_("No activity"),
        error_messages={"invalid_choice": _("Choose an activity of your house.")},
    )

    def __init__(self, *args, student, log: HourLog | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if log is not None:
            houses = House.objects.filter(pk=log.house_id)
        else:
            houses = House.objects.where(student, Role.STUDENT).filter(ended_at__isnull=True).order_by("name")
        self.fields["house"].queryset = houses
        held = DutyAssignment.objects.filter(student=student, status=DutyAssignment.Status.ACTIVE)
        duty_q = Q(pk__in=held.values("duty"))
        if log is not None and log.duty_id:
            duty_q |= Q(pk=log.duty_id)
        self.fields["duty"].queryset = Duty.objects.filter(duty_q, house__in=houses).order_by("title")
        since = timezone.now() - dt.timedelta(days=90)
        activity_q = Q(period__startswith__gte=since, period__startswith__lte=timezone.now())
        if log is not None and log.activity_id:
            activity_q |= Q(pk=log.activity_id)
        self.fields["activity"].queryset = (
            Activity.objects.filter(activity_q, house__in=houses)
            .exclude(status=Activity.Status.CANCELLED)
            .order_by("-period")
        )

    def clean(self):
        data = super().clean()
        house = data.get("house")
        for name in ("duty", "activity"):
            obj = data.get(name)
            if house is not None and obj is not None and obj.house_id != house.pk:
                self.add_error(name, _("This belongs to another house."))
        return data


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you send it back?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give a reason, so the student knows what to change.")},
    )
