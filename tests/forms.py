"""Read a form out of a rendered page, the way a browser would submit it.

form = parse_form(response.content, form_id="join-form")   # or index=0
client.post(form.action or url, {**form.data, "motivation": "Hoi"})
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

TEXTLIKE_SKIP = {"submit", "button", "image", "reset", "file"}


@dataclass
class Form:
    attrs: dict[str, str]
    # name -> list of values (a name can occur more than once: checkboxes, multi-selects)
    values: dict[str, list[str]] = field(default_factory=dict)
    # submit buttons: (name, value); a browser sends only the one that was clicked
    buttons: list[tuple[str, str]] = field(default_factory=list)
    field_names: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        return self.attrs.get("action", "")

    @property
    def method(self) -> str:
        return self.attrs.get("method", "get").lower()

    @property
    def data(self) -> dict[str, str | list[str]]:
        """What the browser sends when no button with a name is clicked."""
        return {k: v[0] if len(v) == 1 else list(v) for k, v in self.values.items()}

    def submit_data(self, button: str | None = None, **changes) -> dict[str, str | list[str]]:
        """The data with `changes` applied, plus the value of the named button if given."""
        data = self.data
        if button is not None:
            values = [v for n, v in self.buttons if n == button]
            if not values:
                raise KeyError(f"no submit button named {button!r} in the form")
            data[button] = values[0]
        data.update(changes)
        return data


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def _add(self, name: str, value: str) -> None:
        assert self._form is not None
        self._form.values.setdefault(name, []).append(value)

    def _note_field(self, name: str) -> None:
        if self._form is not None and name not in self._form.field_names:
            self._form.field_names.append(name)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(attrs=a)
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            self._note_field(name)
            if kind in {"submit", "image"}:
                self._form.buttons.append((name, a.get("value", "")))
            elif kind in TEXTLIKE_SKIP:
                return
            elif kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
            elif "disabled" not in a:
                self._add(name, a.get("value", ""))
        elif tag == "button" and name:
            if a.get("type", "submit").lower() == "submit":
                self._form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._note_field(name)
            self._select = {"name": name, "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea" and name:
            self._note_field(name)
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data
        elif self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea["text"]
            # The HTML parser keeps the newline browsers drop right after <textarea>.
            if text.startswith("\n"):
                text = text[1:]
            self._add(self._textarea["name"], text)
            self._textarea = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            for o in options:
                if o["value"] is None:
                    o["value"] = o["text"].strip()
            chosen = [o for o in options if o["selected"]]
            if not chosen and options and not self._select["multiple"]:
                chosen = options[:1]  # a single select sends its first option
            for o in chosen:
                self._add(self._select["name"], o["value"])
            self._select = None


def parse_forms(html: str | bytes) -> list[Form]:
    if isinstance(html, bytes):
        html = html.decode()
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def parse_form(
    html: str | bytes,
    *,
    form_id: str | None = None,
    index: int | None = None,
    action: str | None = None,
    has_field: str | None = None,
) -> Form:
    """One form of the page: by id, by action, by a field it contains, or by position."""
    forms = parse_forms(html)
    if form_id is not None:
        forms = [f for f in forms if f.attrs.get("id") == form_id]
    if action is not None:
        forms = [f for f in forms if f.action == action]
    if has_field is not None:
        forms = [f for f in forms if has_field in f.field_names]
    if not forms:
        raise LookupError("no such form on the page")
    if index is None:
        if len(forms) > 1:
            raise LookupError(f"{len(forms)} forms match; pass index=")
        index = 0
    return forms[index]
