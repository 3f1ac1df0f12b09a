"""Forms of the programme: an activity (once or repeating), a series, cancelling."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.forms import DateInput, TimeInput
from activities.models import Audience, BookingSeries, Category, Room
from activities.services import MAX_SERIES
from activities.timeutil import make_local
from residents.models import Membership, Role, User


class _ActivityFields(forms.Form):
    """What an activity and a series share: what, where, for whom, who organises."""

    title = forms.CharField(
        label=_("Title"),
        max_length=100,
        help_text=_("Short and clear, for example: Coffee morning, or: Walk in the park."),
    )
    description = forms.CharField(
        label=_("What is it?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Tell people what happens, what to bring, and whether it costs anything."),
    )
    category = forms.ChoiceField(label=_("Kind of activity"), choices=Category.choices)
    start = forms.TimeField(label=_("From"), widget=TimeInput())
    end = forms.TimeField(label=_("Until"), widget=TimeInput())
    room = forms.ModelChoiceField(
        queryset=Room.objects.none(),
        label=_("Room"),
        required=False,
        empty_label=_("Not in a room of the house (fill in the place below)"),
        error_messages={"invalid_choice": _("Choose a room of this house.")},
        help_text=_("In a room, the activity books the room's time, so nobody else can book it."),
    )
    place = forms.CharField(
        label=_("Place, if not in a room"),
        required=False,
        max_length=120,
        help_text=_("For example: the park behind the house, at the playground."),
    )
    audience = forms.ChoiceField(
        label=_("For whom?"), choices=Audience.choices, initial=Audience.EVERYONE, widget=forms.RadioSelect
    )
    capacity = forms.IntegerField(
        label=_("Number of places"),
        required=False,
        min_value=1,
        max_value=500,
        help_text=_("Leave empty for no limit."),
        error_messages={"min_value": _("Give at least 1 place, or leave it empty for no limit.")},
    )
    signup_required = forms.BooleanField(label=_("People sign up first"), required=False)
    organisers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        label=_("Organisers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose organisers among the members of this house.")},
    )
    partner = forms.ModelChoiceField(
        queryset=None,
        label=_("Partner organisation"),
        required=False,
        empty_label=_("None"),
        error_messages={"invalid_choice": _("Choose a partner of this house.")},
    )

    def __init__(self, *args, house, **kwargs):
        super().__init__(*args, **kwargs)
        self.house = house
        self.fields["room"].queryset = Room.objects.filter(house=house)
        # People who organise: the house's students, coordinators and staff, and residents who help.
        self.fields["organisers"].queryset = (
            User.objects.filter(
                memberships__house=house,
                memberships__status=Membership.Status.ACTIVE,
                memberships__role__in=[Role.RESIDENT, Role.STUDENT, Role.COORDINATOR, Role.STAFF],
                is_active=True,
            )
            .distinct()
            .order_by("name")
        )
        self.fields["partner"].queryset = house.partners.all()

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The end time must be after the start time."))
        if not data.get("room") and not (data.get("place") or "").strip() and "room" not in self.errors:
            self.add_error("place", _("Choose a room, or say where it is."))
        return data


class ActivityForm(_ActivityFields):
    """One date, or the first date of a repeating activity (repeat + last date)."""

    date = forms.DateField(label=_("Day"), widget=DateInput())
    repeat = forms.ChoiceField(
        label=_("Repeat"),
        required=False,
        choices=[("", _("No, only once")), *BookingSeries.Frequency.choices],
    )
    repeat_until = forms.DateField(label=_("Last date"), required=False, widget=DateInput())
    idea = forms.IntegerField(required=False, widget=forms.HiddenInput)

    field_order = ["title", "description", "category", "date", "start", "end"]

    def __init__(self, *args, house, repeat: bool = True, **kwargs):
        super().__init__(*args, house=house, **kwargs)
        if not repeat:
            del self.fields["repeat"], self.fields["repeat_until"], self.fields["idea"]

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start"), data.get("end")
        if day and start and end and end > start:
            try:
                data["start_at"] = make_local(day, start)
                data["end_at"] = make_local(day, end)
            except ValidationError as err:
                self.add_error("start", err)
            else:
                if data["start_at"] <= timezone.now():
                    self.add_error("date", _("This time has already passed. Choose a day in the future."))
        if data.get("repeat"):
            until = data.get("repeat_until")
            if not until:
                self.add_error("repeat_until", _("Say until which date it repeats."))
            elif day and until <= day:
                self.add_error("repeat_until", _("The last date must be after the first day."))
            elif day and (until - day).days > 7 * MAX_SERIES:
                self.add_error("repeat_until", _("A series runs at most one year. Choose an earlier date."))
        return data


class SeriesForm(_ActivityFields):
    """The whole series: its times and details; the coming dates follow unless changed on their own."""


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("People who signed up get an e-mail with this reason."),
        error_messages={"required": _("Give a reason, so people know why.")},
    )
