"""The house's audit trail (logboek) for its staff: read only, newest first, by person and by kind."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.db.models.functions import Lower
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from residents.audit_wording import KINDS, describe, kind_filter
from residents.decorators import house_view
from residents.models import AuditEvent, House, User
from residents.permissions import require

PER_PAGE = 50


class AuditFilterForm(forms.Form):
    """The filters (GET). The field names are the address's words: ?persoon=12&soort=boekingen."""

    persoon = forms.ChoiceField(label=_("Person"), required=False)
    soort = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persoon"].choices = [("", _("Everyone")), *((str(pk), name) for pk, name in people)]
        self.fields["soort"].choices = [("", _("Everything")), *((k.key, k.label) for k in KINDS)]

    def values(self) -> dict[str, str]:
        """The valid filters; an unknown person or kind counts as no filter."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


def _people(house: House) -> list[tuple[int, str]]:
    """Everyone who did something, or for whom something was done, in this house's trail."""
    events = AuditEvent.objects.filter(house=house)
    return [
        (pk, name or f"#{pk}")
        for pk, name in User.objects.filter(
            Q(pk__in=events.values("actor_id")) | Q(pk__in=events.values("on_behalf_of_id"))
        )
        .order_by(Lower("name"), "pk")
        .values_list("pk", "name")
    ]


@require_GET
@login_required
@house_view
@require("audit.view")
def audit(request, house: House):
    people = _people(house)
    chosen = AuditFilterForm(request.GET, people=people).values()
    events = AuditEvent.objects.filter(house=house).select_related("actor", "on_behalf_of")
    if chosen["persoon"]:
        person = int(chosen["persoon"])
        events = events.filter(Q(actor_id=person) | Q(on_behalf_of_id=person))
    if chosen["soort"]:
        events = events.filter(kind_filter(chosen["soort"]))
    page = Paginator(events.order_by("-created_at", "-pk"), PER_PAGE).get_page(request.GET.get("pagina"))
    query = urlencode({name: value for name, value in chosen.items() if value})
    return render(
        request,
        "residents/audit.html",
        {
            "house": house,
            # Shown as what is in use, so a wrong value in the address is not echoed back.
            "filters": AuditFilterForm(initial=chosen, people=people),
            "filtered": any(chosen.values()),
            "page": page,
            "rows": [describe(event) for event in page.object_list],
            "query": query,
        },
    )
