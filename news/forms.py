"""The form staff and editors write a post with: the post's fields and up to three pictures."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from news.models import Post
from news.services import FIELDS

IMAGE_SLOTS = (1, 2, 3)
IMAGE_TYPES = "image/jpeg,image/png,image/webp"
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class PostForm(forms.ModelForm):
    """Validates what was typed; never saved itself: the view hands cleaned_data to news.services."""

    publish_at = forms.DateTimeField(
        label=_("visible from"),
        # The browser shows a date-and-time picker; the time is that of the Netherlands
        # (the current time zone, Europe/Amsterdam), as the person reads it on the clock.
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
        input_formats=[LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=_("A post with the status published shows from this time on."),
    )
    remove_images = forms.TypedMultipleChoiceField(
        label=_("Remove these pictures"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Post
        fields = list(FIELDS)  # what the service may change, nothing else
        widgets = {
            "status": forms.RadioSelect,
            "audience": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 10}),
        }

    def __init__(self, *args, images=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove_images"].choices = [(img.pk, img.alt) for img in images]
        if not images:
            del self.fields["remove_images"]
        for n in IMAGE_SLOTS:
            self.fields[f"image_{n}"] = forms.FileField(
                label=_("Picture %(n)s") % {"n": n},
                required=False,
                widget=forms.FileInput(attrs={"accept": IMAGE_TYPES}),
                help_text=_("A photo in JPEG, PNG or WebP."),
            )
            self.fields[f"alt_{n}"] = forms.CharField(
                label=_("What is in picture %(n)s?") % {"n": n},
                required=False,
                max_length=200,
                help_text=_("For people who cannot see the picture. Needed with every picture."),
            )

    def _post_clean(self):
        # Validate a copy, so a failed edit leaves the post that is shown unchanged.
        import copy

        self.instance = copy.copy(self.instance)
        super()._post_clean()

    def clean(self):
        data = super().clean()
        for n in IMAGE_SLOTS:
            if data.get(f"image_{n}") and not (data.get(f"alt_{n}") or "").strip():
                self.add_error(f"alt_{n}", _("Say in a few words what is in the picture."))
        return data

    @property
    def image_pairs(self):
        """(file field, alt field) for each picture slot, for the template."""
        return [(self[f"image_{n}"], self[f"alt_{n}"]) for n in IMAGE_SLOTS]

    def post_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in FIELDS}

    def new_images(self) -> list[tuple]:
        return [
            (self.cleaned_data[f"image_{n}"], self.cleaned_data[f"alt_{n}"].strip())
            for n in IMAGE_SLOTS
            if self.cleaned_data.get(f"image_{n}")
        ]

    def remove_image_ids(self) -> list[int]:
        return list(self.cleaned_data.get("remove_images") or [])
