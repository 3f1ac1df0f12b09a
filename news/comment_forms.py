"""Forms for reactions under news posts. They parse input; the rules live in news.comments."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from news.comments import REASON_MAX_LENGTH
from news.models import Comment
from residents.text import clean_text


class PlainTextField(forms.CharField):
    """Text with one kind of line break, so a browser's CR LF does not count twice against the limit."""

    def to_python(self, value):
        return clean_text(super().to_python(value))


class CommentForm(forms.Form):
    body = PlainTextField(
        label=_("Your reaction"),
        max_length=Comment.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write a reaction first."),
            "max_length": _(
                "Your reaction can have at most %(limit_value)d characters. Now it has %(show_value)d."
            ),
        },
        help_text=_("Members of the house see your name with your reaction. Be kind to each other."),
    )


class HideForm(forms.Form):
    reason = PlainTextField(
        label=_("Why do you hide this reaction? The writer reads this."),
        max_length=REASON_MAX_LENGTH,
        error_messages={
            "required": _("Say why you hide this reaction. The writer reads it."),
            "max_length": _("The reason can have at most %(limit_value)d characters."),
        },
    )


class ReportForm(forms.Form):
    reason = PlainTextField(
        label=_("What is wrong with it? (you may leave this empty)"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        error_messages={"max_length": _("The reason can have at most %(limit_value)d characters.")},
    )
