"""Forms for worries. They parse input and lay it out; the rules live in care.worries."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout, Submit
from django import forms
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from care import worries
from care.errors import CareError
from care.models import Worry
from residents.text import clean_text, is_phone_number

# The model's labels are lower-case for use in sentences; in a list of choices they read better like this.
ABOUT_CHOICES = [
    (Worry.About.SELF, _("About myself")),
    (Worry.About.NEIGHBOUR, _("About someone else in the neighbourhood")),
]
CATEGORY_CHOICES = [
    (Worry.Category.MONEY, _("Money and debts")),
    (Worry.Category.NUISANCE, _("Nuisance, for example noise or quarrels")),
    (Worry.Category.LONELINESS, _("Loneliness")),
    (Worry.Category.HEALTH, _("Health and care")),
    (Worry.Category.HOME, _("The home, for example damp or repairs")),
    (Worry.Category.SAFETY, _("Safety")),
    (Worry.Category.OTHER, _("Something else")),
]
CONTACT_CHOICES = [
    (Worry.ContactBy.PHONE, _("Call me")),
    (Worry.ContactBy.EMAIL, _("Send me an e-mail")),
    (Worry.ContactBy.VISIT, _("Visit me at home")),
    (Worry.ContactBy.DROP_IN, _("I will drop in at the house during opening hours")),
]
CHANNEL_CHOICES = [
    (Worry.Channel.COFFEE_TABLE, _("At the coffee table")),
    (Worry.Channel.PHONE, _("By phone")),
    (Worry.Channel.OTHER, _("Another way")),
]
TOO_LONG = _("This can have at most %(limit_value)d characters. Now it has %(show_value)d.")
FORM_TEMPLATE = "care/worries/_crispy_form.html"


class TelInput(forms.TextInput):
    input_type = "tel"


class PlainTextField(forms.CharField):
    """Text with one kind of line break, so a browser's CR LF does not count twice against the limit."""

    def to_python(self, value):
        return clean_text(super().to_python(value))


def _text(
    label, *, max_length, required=False, required_message=None, help_text="", rows=None, autocomplete=None
):
    attrs = {"rows": rows} if rows else {}
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    messages = {"max_length": TOO_LONG}
    if required_message:
        messages["required"] = required_message
    if rows:
        widget = forms.Textarea(attrs=attrs)
    elif autocomplete == "tel":
        widget = TelInput(attrs=attrs)  # the number keypad on a phone
    else:
        widget = forms.TextInput(attrs=attrs)
    return PlainTextField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=widget,
        error_messages=messages,
    )


class ErrorSummaryMixin:
    """What the error summary at the top of a page lists: (id to jump to, label, message)."""

    def error_links(self) -> list[tuple[str, str, str]]:
        links = []
        form_id = getattr(getattr(self, "helper", None), "form_id", "") or ""
        for message in self.non_field_errors():
            links.append((form_id, "", message))
        for field in self:
            if not field.errors:
                continue
            anchor = field.auto_id
            if isinstance(field.field.widget, forms.RadioSelect):
                anchor = f"{field.auto_id}_0"
            for message in field.errors:
                links.append((anchor, field.label, message))
        return links


def _helper(*, form_id: str, submit: str, action: str = "", css_class: str = "btn-primary") -> FormHelper:
    helper = FormHelper()
    helper.template = FORM_TEMPLATE
    helper.form_id = form_id
    helper.form_action = action
    helper.attrs = {"novalidate": ""}
    if form_id.endswith("-form") and action:  # an action on a worry's page, under its own heading
        helper.attrs["aria-labelledby"] = form_id.replace("-form", "-title")
    helper.add_input(Submit("submit", submit, css_class=css_class))
    return helper


class WorryForm(ErrorSummaryMixin, forms.Form):
    """A worry in the person's own words and how to reach them (raised online, or entered by the team)."""

    about = forms.ChoiceField(
        label=_("Who is it about?"),
        choices=ABOUT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose who it is about."),
            "invalid_choice": _("Choose who it is about."),
        },
    )
    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=CATEGORY_CHOICES,
        widget=forms.RadioSelect,
        help_text=_("Choose what fits best. Not sure? Choose “Something else”."),
        error_messages={
            "required": _("Choose what it is about."),
            "invalid_choice": _("Choose what it is about."),
        },
    )
    message = _text(
        _("What is going on? (not required)"),
        max_length=worries.TEXT_MAX_LENGTH,
        rows=5,
        help_text=_(
            "Tell it in your own words. Short is fine. "
            "You may also leave this empty and tell us when we talk."
        ),
    )
    contact_by = forms.ChoiceField(
        label=_("How do you want us to contact you?"),
        choices=CONTACT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how we may contact you."),
            "invalid_choice": _("Choose how we may contact you."),
        },
    )
    contact_when = _text(
        _("When suits you best? (not required)"),
        max_length=200,
        help_text=_("For example: on weekdays after 2 p.m."),
    )
    name = _text(
        _("Your name"),
        max_length=100,
        required=True,
        autocomplete="name",
        help_text=_("Your first name is enough."),
    )
    phone = _text(
        _("Your phone number"),
        max_length=30,
        autocomplete="tel",
        help_text=_("Only needed if you want us to call you."),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        required=False,
        max_length=254,
        help_text=_("Only needed if you want an e-mail. You then also get an e-mail that we received it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": _("Fill in an e-mail address, for example name@example.nl."),
            "max_length": TOO_LONG,
        },
    )
    address = _text(
        _("Your address"),
        max_length=200,
        autocomplete="street-address",
        help_text=_("Only needed if you want us to visit you. For example: Witmondplein 12."),
    )

    on_behalf = False

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member if getattr(member, "is_authenticated", False) else None
        self.fields["name"].error_messages["required"] = self.name_required_message
        if self.member is not None:
            # Known from the account: not asked again.
            del self.fields["name"]
            del self.fields["email"]
            self.fields["phone"].initial = self.member.phone

    name_required_message = _("Fill in your name, so that we know who to ask for.")

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        if phone and not is_phone_number(phone):
            raise forms.ValidationError(_("Fill in a phone number, for example 06 12345678."))
        return phone

    def clean(self):
        cleaned = super().clean()
        if {"contact_by"} <= set(cleaned) and not self.has_error("phone") and not self.has_error("email"):
            try:
                worries.check_reachable(
                    {k: cleaned.get(k) or "" for k in ("contact_by", "phone", "email", "address")},
                    member=self.member is not None,
                    on_behalf=self.on_behalf,
                )
            except CareError as err:
                err.show_on(self)
        return cleaned

    def worry_data(self) -> dict:
        keys = (
            "about",
            "category",
            "message",
            "contact_by",
            "contact_when",
            "name",
            "phone",
            "email",
            "address",
        )
        return {key: self.cleaned_data.get(key, "") for key in keys}


class RaiseWorryForm(WorryForm):
    """The public form: few fields, plain words, a honeypot instead of a puzzle."""

    # Hidden from people (and their screen readers); a bot that fills in every field fills this one too.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    def __init__(self, *args, house, **kwargs):
        super().__init__(*args, **kwargs)
        self.house = house
        self.helper = _helper(
            form_id="worry-form", submit=_("Send the worry"), css_class="btn-primary btn-lg"
        )
        self.helper.form_tag = False  # the page writes the <form> and its csrf token
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            HTML(format_html('<h2 id="worry-what">{}</h2>', _("Your worry"))),
            "about",
            "category",
            "message",
            HTML(format_html('<h2 id="worry-contact">{}</h2>', _("How can we reach you?"))),
            self._known_details(),
            *(["name"] if self.member is None else []),
            "contact_by",
            HTML(self._reach_hint()),
            "phone",
            *(["email"] if self.member is None else []),
            "address",
            "contact_when",
            Div(
                Field("website", tabindex="-1", autocomplete="off"),
                css_class="worry-hp",
                aria_hidden="true",
            ),
        )

    def _known_details(self):
        if self.member is None:
            return HTML("")
        return HTML(
            format_html(
                '<p class="worry-known">{}</p>',
                _("We use the name and e-mail address of your account: %(name)s, %(email)s.")
                % {"name": self.member.name, "email": self.member.email},
            )
        )

    def _reach_hint(self) -> str:
        if self.member is not None:
            return ""
        return format_html(
            '<p class="worry-hint">{}</p>',
            _("Fill in a phone number or an e-mail address, or both. Then we can always reach you."),
        )

    @property
    def is_bot(self) -> bool:
        """The honeypot was filled in: answer as if all went well, and save nothing."""
        return bool((self.data.get("website") or "").strip())


class EnterWorryForm(WorryForm):
    """The team enters a worry heard at the coffee table or by phone, for the person who told it."""

    on_behalf = True
    name_required_message = _("Fill in the name of the person.")

    channel = forms.ChoiceField(
        label=_("How did it come in?"),
        choices=CHANNEL_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how the worry came in."),
            "invalid_choice": _("Choose how the worry came in."),
        },
    )
    take_it = forms.BooleanField(label=_("I handle this worry myself"), required=False, initial=True)

    def __init__(self, *args, house, **kwargs):
        super().__init__(*args, member=None, **kwargs)
        self.house = house
        labels = {
            "about": _("Who is it about?"),
            "message": _("What is going on? (not required)"),
            "contact_by": _("How does the person want to be contacted?"),
            "contact_when": _("When suits them best? (not required)"),
            "name": _("Name of the person"),
            "phone": _("Their phone number"),
            "email": _("Their e-mail address"),
            "address": _("Their address"),
        }
        for name, label in labels.items():
            self.fields[name].label = label
        self.fields["about"].choices = [
            (Worry.About.SELF, _("About the person themselves")),
            (Worry.About.NEIGHBOUR, _("About someone else in the neighbourhood")),
        ]
        self.fields["message"].help_text = _("In the person's words, as far as you can.")
        self.fields["name"].help_text = ""
        self.fields["phone"].help_text = _("Needed if they want to be called.")
        self.fields["email"].help_text = _(
            "If you fill this in, the person gets an e-mail that we received it."
        )
        self.fields["address"].help_text = _("Needed if they want a visit.")
        self.fields["contact_by"].choices = [
            (Worry.ContactBy.PHONE, _("By phone")),
            (Worry.ContactBy.EMAIL, _("By e-mail")),
            (Worry.ContactBy.VISIT, _("A visit at home")),
            (Worry.ContactBy.DROP_IN, _("They come by at the house during opening hours")),
        ]
        self.helper = _helper(form_id="worry-enter-form", submit=_("Save the worry"))
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "channel",
            "about",
            "category",
            "message",
            HTML(format_html('<h2 id="worry-contact">{}</h2>', _("The person and how to reach them"))),
            "name",
            "contact_by",
            HTML(
                format_html(
                    '<p class="worry-hint">{}</p>',
                    _("Fill in at least one way to reach the person: phone, e-mail or address."),
                )
            ),
            "phone",
            "email",
            "address",
            "contact_when",
            "take_it",
        )


# --- the team's actions on a worry ---------------------------------------------------------------


class TakeForm(ErrorSummaryMixin, forms.Form):
    handler = forms.ModelChoiceField(
        label=_("Who handles it?"),
        queryset=None,
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose someone of the team of this house.")},
    )

    def __init__(self, *args, worry: Worry, by, action: str, members=None, **kwargs):
        kwargs.setdefault("prefix", "take")
        super().__init__(*args, **kwargs)
        field = self.fields["handler"]
        field.queryset = worries.team_members(worry.house)
        if members is not None:  # already read for the page: no second query for the choices
            field.choices = [(m.pk, m.name) for m in members]
            others = [m.pk for m in members if m.pk != worry.handler_id]
            # You, unless you already handle it: then the first colleague.
            field.initial = by.pk if by.pk in others else (others[0] if others else None)
        submit = _("Save") if worry.handler_id else _("Take it on")
        self.helper = _helper(form_id="take-form", submit=submit, action=action)
        self.helper.layout = Layout("handler")


class ContactForm(ErrorSummaryMixin, forms.Form):
    text = _text(
        _("What did you talk about?"),
        max_length=worries.TEXT_MAX_LENGTH,
        required=True,
        rows=3,
        help_text=_("A few words are enough. Only the team reads this."),
        required_message=_("Write in a few words what you talked about."),
    )

    def __init__(self, *args, action: str, **kwargs):
        kwargs.setdefault("prefix", "contact")
        super().__init__(*args, **kwargs)
        self.helper = _helper(form_id="contact-form", submit=_("Save the contact"), action=action)
        self.helper.layout = Layout("text")


class ReferForm(ErrorSummaryMixin, forms.Form):
    partner = forms.ModelChoiceField(
        label=_("To which organisation?"),
        queryset=None,
        empty_label=_("Choose an organisation"),
        error_messages={
            "required": _("Choose one of the partner organisations of this house."),
            "invalid_choice": _("Choose one of the partner organisations of this house."),
        },
    )
    consent = forms.BooleanField(
        label=_("The person agrees that we pass their worry on to this organisation"),
        required=True,
        error_messages={
            "required": _("Ask the person first whether they agree, and tick the box when they do.")
        },
    )
    text = _text(
        _("Note (not required)"),
        max_length=worries.TEXT_MAX_LENGTH,
        rows=2,
        help_text=_("For example who you spoke to at the organisation. Only the team reads this."),
    )

    def __init__(self, *args, worry: Worry, action: str, partners=None, **kwargs):
        kwargs.setdefault("prefix", "refer")
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        field.queryset = worry.house.partners.all()
        if partners is not None:
            field.choices = [("", field.empty_label), *((p.pk, p.name) for p in partners)]
        self.helper = _helper(form_id="refer-form", submit=_("Refer"), action=action)
        self.helper.layout = Layout("partner", "consent", "text")


class CloseForm(ErrorSummaryMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did it end?"),
        choices=[(value, capfirst(label)) for value, label in Worry.Outcome.choices],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how it ended."), "invalid_choice": _("Choose how it ended.")},
    )
    text = _text(
        _("Note (not required)"),
        max_length=worries.TEXT_MAX_LENGTH,
        rows=2,
        help_text=_("Only the team reads this."),
    )

    def __init__(self, *args, action: str, **kwargs):
        kwargs.setdefault("prefix", "close")
        super().__init__(*args, **kwargs)
        self.helper = _helper(form_id="close-form", submit=_("Close the worry"), action=action)
        self.helper.layout = Layout("outcome", "text")


class NoteForm(ErrorSummaryMixin, forms.Form):
    text = _text(
        _("Note"),
        max_length=worries.TEXT_MAX_LENGTH,
        required=True,
        rows=3,
        help_text=_("Only the team reads this, never the person who raised the worry."),
        required_message=_("Write the note first."),
    )

    def __init__(self, *args, action: str, **kwargs):
        kwargs.setdefault("prefix", "note")
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            form_id="note-form", submit=_("Save the note"), action=action, css_class="btn-outline-primary"
        )
        self.helper.layout = Layout("text")


class WorryFilterForm(forms.Form):
    """The list's filters (GET): status and who handles it."""

    STATUS_CHOICES = [
        ("open", _("Open")),
        (Worry.Status.NEW, _("New, nobody has it yet")),
        (Worry.Status.TAKEN, _("Being handled")),
        (Worry.Status.REFERRED, _("Referred")),
        (Worry.Status.CLOSED, _("Closed")),
        ("all", _("All")),
    ]

    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    handler = forms.ChoiceField(label=_("Who handles it"), required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].choices = [
            ("", _("Everyone")),
            ("me", _("Me")),
            ("nobody", _("Nobody yet")),
            *((str(m.pk), m.name) for m in members),
        ]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "worry-filter"
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def status_value(self) -> str:
        if self.is_valid():
            return self.cleaned_data["status"] or "open"
        return "open"

    def handler_value(self) -> str:
        if self.is_valid():
            return self.cleaned_data["handler"] or ""
        return ""
