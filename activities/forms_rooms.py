"""Forms staff use to set a room's rules, its bookable hours and its closed periods."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.validators import MinValueValidator
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from activities.models import Room, RoomClosure, RoomHours
from activities.room_services import EDITABLE

# The form offers exactly what the service may change.
ROOM_FIELDS = list(EDITABLE)


class RoomForm(forms.ModelForm):
    """All of a room's rules. The version of the rules is counted by update_room, not typed in."""

    class Meta:
        model = Room
        fields = ROOM_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "rules": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "rules": _(
                "Whoever books must accept these rules. When you change them, bookers accept them again."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Zero bookings a week would close the room without saying so; empty means no limit.
        self.fields["max_per_week"].validators.append(MinValueValidator(1))
        self.fields["max_per_week"].widget.attrs["min"] = 1
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(_("The room"), "name", "description", "capacity", "is_bookable", "needs_approval"),
            Fieldset(
                _("Length and timing of a booking"),
                "min_minutes",
                "max_minutes",
                "buffer_minutes",
                "min_notice_hours",
                "max_days_ahead",
                "max_per_week",
                "cancel_hours",
            ),
            Fieldset(_("Rules"), "rules"),
        )

    def clean(self):
        data = super().clean()
        low, high = data.get("min_minutes"), data.get("max_minutes")
        if low is not None and high is not None and high < low:
            self.add_error(
                "max_minutes",
                _("The longest booking cannot be shorter than the shortest (%(n)s minutes).") % {"n": low},
            )
        return data

    def validate_constraints(self, exclude=None):
        # clean() already says it next to the field; the model's check would say it a second time.
        pass


class RoomHoursForm(forms.ModelForm):
    class Meta:
        model = RoomHours
        fields = ["weekday", "opens", "closes"]
        widgets = {
            "weekday": forms.Select(attrs={"class": "form-select"}),
            "opens": forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
            "closes": forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weekday"].choices = [("", _("Choose a day"))] + [
            c for c in self.fields["weekday"].choices if c[0] != ""
        ]

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            self.mark_invalid(name)

    def mark_invalid(self, name: str) -> None:
        """Bootstrap's red border on a field that needs a fix."""
        if name in self.fields:
            widget = self.fields[name].widget
            if "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens"), data.get("closes")
        if opens is not None and closes is not None and closes <= opens:
            self.add_error("closes", _("The end time must be after the start time."))
        return data

    def validate_constraints(self, exclude=None):
        pass  # clean() says it next to the field


class BaseHoursFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        blocks = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            blocks.append((data["weekday"], data["opens"], data["closes"], form))
        blocks.sort(key=lambda b: (b[0], b[1]))
        days = dict(RoomHours._meta.get_field("weekday").choices)
        reach = None  # the block of the same day that ends latest so far
        for day, opens, closes, form in blocks:
            if reach is not None and reach[0] == day and opens < reach[2]:
                form.add_error(
                    "opens",
                    _(
                        "This overlaps with %(day)s %(opens)s–%(closes)s. "
                        "Make one block of them, or change the times."
                    )
                    % {"day": days[day], "opens": f"{reach[1]:%H:%M}", "closes": f"{reach[2]:%H:%M}"},
                )
                form.mark_invalid("opens")
            if reach is None or reach[0] != day or closes > reach[2]:
                reach = (day, opens, closes)
        if any(self.errors):
            raise forms.ValidationError(_("Some bookable hours overlap. See the marked rows."))

    def blocks(self) -> list[tuple[int, object, object]]:
        """The hours as (weekday, opens, closes), without the rows to delete or left empty."""
        return sorted(
            (f.cleaned_data["weekday"], f.cleaned_data["opens"], f.cleaned_data["closes"])
            for f in self.forms
            if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")
        )


HoursFormSet = inlineformset_factory(
    Room, RoomHours, form=RoomHoursForm, formset=BaseHoursFormSet, extra=2, can_delete=True, max_num=50
)


class ClosureForm(forms.ModelForm):
    class Meta:
        model = RoomClosure
        fields = ["first_day", "last_day", "reason"]
        widgets = {
            "first_day": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "last_day": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"reason": _("Bookers see this, for example: Kerst, het huis is dicht.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last day cannot be before the first day."))
        return data

    def validate_constraints(self, exclude=None):
        pass  # clean() says it next to the field
