from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from activities.models import Booking, BookingSeries, Room
from activities.timeutil import make_local
from residents.forms import ReadOnceModelChoiceField
from residents.models import Membership, Role, User


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class DayForm(forms.Form):
    """GET: which room and day, to show the free times."""

    ruimte = ReadOnceModelChoiceField(queryset=Room.objects.none(), label=_("Room"), empty_label=None)
    datum = forms.DateField(label=_("Day"), widget=DateInput())

    def __init__(self, *args, house, rooms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ruimte"].queryset = Room.objects.filter(house=house, is_bookable=True)
        self.fields["ruimte"].rows = rooms


class BookingForm(forms.Form):
    room = ReadOnceModelChoiceField(
        queryset=Room.objects.none(),
        label=_("Room"),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose a room of this house.")},
    )
    booker = ReadOnceModelChoiceField(
        queryset=User.objects.none(),
        label=_("For whom?"),
        required=False,
        empty_label=_("For myself"),
        help_text=_("As staff you can book for a resident. It is recorded that you did it."),
        error_messages={"invalid_choice": _("Choose a member of this house.")},
    )
    date = forms.DateField(label=_("Day"), widget=DateInput())
    start = forms.TimeField(label=_("From"), widget=TimeInput())
    end = forms.TimeField(label=_("Until"), widget=TimeInput())
    category = forms.ChoiceField(label=_("What is it for?"), choices=Booking.Category.choices)
    title = forms.CharField(
        label=_("Short title"),
        max_length=80,
        help_text=_("For example: Birthday coffee of Ans, or: Meeting of the tenants' committee."),
    )
    attendees = forms.IntegerField(label=_("How many people do you expect?"), min_value=1, max_value=500)
    is_public = forms.BooleanField(
        label=_("Everyone may see the title"),
        required=False,
        help_text=_("If you do not tick this, others only see that the room is busy."),
    )
    repeat = forms.ChoiceField(
        label=_("Repeat"),
        required=False,
        choices=[("", _("No, only once")), *BookingSeries.Frequency.choices],
    )
    repeat_until = forms.DateField(label=_("Repeat until (date)"), required=False, widget=DateInput())
    repeat_count = forms.IntegerField(
        label=_("Or: how many times in total"), required=False, min_value=2, max_value=52
    )
    rules_accepted = forms.BooleanField(label=_("I have read the rules and I keep to them"), required=False)

    def __init__(self, *args, house, user, can_book_for: bool, rooms=None, **kwargs):
        """`rooms`: the house's bookable rooms when the view has read them already."""
        super().__init__(*args, **kwargs)
        self.house = house
        self.fields["room"].queryset = Room.objects.filter(house=house, is_bookable=True)
        self.fields["room"].rows = rooms
        if can_book_for:
            self.fields["booker"].queryset = (
                User.objects.filter(
                    memberships__house=house,
                    memberships__status=Membership.Status.ACTIVE,
                    memberships__role__in=[Role.RESIDENT, Role.STUDENT],
                    is_active=True,
                )
                .exclude(pk=user.pk)
                .distinct()
                .order_by("name")
            )
        else:
            del self.fields["booker"]

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start"), data.get("end")
        if day and start and end:
            try:
                data["start_at"] = make_local(day, start)
            except ValidationError as err:
                self.add_error("start", err)
            try:
                data["end_at"] = make_local(day, end)
            except ValidationError as err:
                self.add_error("end", err)
            if end <= start:
                self.add_error("end", _("The end time must be after the start time."))
        room = data.get("room")
        if room and room.rules and not data.get("rules_accepted"):
            self.add_error("rules_accepted", _("Please read and accept the rules of the room."))
        if data.get("repeat"):
            until, count = data.get("repeat_until"), data.get("repeat_count")
            if not until and not count:
                self.add_error("repeat_until", _("Say until which date, or how many times."))
            elif until and day and until <= day:
                self.add_error("repeat_until", _("The last date must be after the first day."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(ReasonForm):
    rest_of_series = forms.BooleanField(label=_("Also cancel the later dates of this series"), required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        error_messages={"invalid_choice": _("Choose approve or decline.")},
    )
    reason = forms.CharField(label=_("Reason (needed when you decline)"), max_length=300, required=False)


class AttendanceForm(forms.Form):
    took_place = forms.TypedChoiceField(
        choices=[("yes", _("Yes, it took place")), ("no", _("No, nobody came"))],
        coerce=lambda v: v == "yes",
        error_messages={"invalid_choice": _("Choose yes or no.")},
    )


def parse_day(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default
