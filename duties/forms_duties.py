"""Forms for obligations, duties and assigning a duty to a student."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.forms import DateInput, TimeInput
from activities.models import Activity
from duties.duties import students_of
from duties.models import Duty

MAX_WEEKLY_DAYS = 2 * 366


class _StudentField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=None,  # set per house by the form
            label=_("Student"),
            error_messages={"invalid_choice": _("Choose a student of this house.")},
            **kwargs,
        )

    def label_from_instance(self, obj):
        return obj.name or str(obj)


class ObligationForm(forms.Form):
    student = _StudentField()
    first_day = forms.DateField(label=_("First day"), widget=DateInput())
    last_day = forms.DateField(label=_("Last day"), widget=DateInput())
    hours_required = forms.IntegerField(
        label=_("Hours required"),
        min_value=1,
        max_value=2000,
        help_text=_("For example 96 hours for a year: 8 hours a month."),
        error_messages={
            "invalid": _("Enter a whole number of hours, for example 96."),
            "min_value": _("Enter at least 1 hour."),
            "max_value": _("Enter at most %(limit_value)s hours."),
        },
    )

    def __init__(self, *args, house, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students_of(house)

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last day cannot be before the first day."))
        return data


class DutyForm(forms.ModelForm):
    class Meta:
        model = Duty
        fields = [
            "title",
            "description",
            "first_day",
            "weekly",
            "last_day",
            "start_time",
            "end_time",
            "students_needed",
            "expected_minutes",
            "handback_hours",
            "activity",
        ]
        labels = {
            "title": _("Title"),
            "description": _("What does it involve?"),
            "first_day": _("Day (for a weekly duty: the first day)"),
            "weekly": _("Every week"),
            "last_day": _("Last day (only for a weekly duty)"),
            "start_time": _("From (optional)"),
            "end_time": _("Until (optional)"),
            "students_needed": _("How many students are needed?"),
            "expected_minutes": _("Expected time, in minutes"),
            "handback_hours": _("Students can hand it back until this many hours before"),
            "activity": _("Part of an activity (optional)"),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "first_day": DateInput(),
            "last_day": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
        }

    def __init__(self, *args, house, **kwargs):
        super().__init__(*args, **kwargs)
        self.house = self.instance.house = house
        activities = Activity.objects.planned().filter(house=house, period__startswith__gte=timezone.now())
        if self.instance.activity_id:
            activities = activities | Activity.objects.filter(pk=self.instance.activity_id)
        field = self.fields["activity"]
        field.queryset = activities.order_by("period")
        field.label_from_instance = lambda a: f"{a.title}, {timezone.localtime(a.start):%d-%m-%Y %H:%M}"
        field.error_messages["invalid_choice"] = _("Choose a planned activity of this house.")
        self.fields["students_needed"].min_value = 1
        self.fields["handback_hours"].max_value = 14 * 24
        self.fields["handback_hours"].widget.attrs["max"] = 14 * 24
        self.fields["handback_hours"].help_text = _("For example 48: two days before.")
        self.fields["handback_hours"].validators.append(MaxValueValidator(14 * 24))
        if self.instance.pk:
            self.fields["status"] = forms.ChoiceField(
                label=_("Status"), choices=Duty.Status.choices, initial=self.instance.status
            )

    def clean(self):
        data = super().clean()
        first, last, weekly = data.get("first_day"), data.get("last_day"), data.get("weekly")
        start, end = data.get("start_time"), data.get("end_time")
        if first and not self.instance.pk and first < timezone.localdate():
            self.add_error("first_day", _("The day cannot be in the past."))
        if weekly:
            if first and not last:
                self.add_error("last_day", _("A weekly duty needs a last day."))
            elif first and last and last < first:
                self.add_error("last_day", _("The last day cannot be before the first day."))
            elif first and last and last > first + dt.timedelta(days=MAX_WEEKLY_DAYS):
                self.add_error("last_day", _("A weekly duty can run for at most two years."))
        else:
            data["last_day"] = None
        if start and end and end <= start:
            self.add_error("end_time", _("The end time must be after the start time."))
        return data

    def save(self, commit=False):
        duty = super().save(commit=False)
        duty.house = self.house
        if "status" in self.cleaned_data:
            duty.status = self.cleaned_data["status"]
        return duty


class AssignForm(forms.Form):
    student = _StudentField()

    def __init__(self, *args, house, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students_of(house)
