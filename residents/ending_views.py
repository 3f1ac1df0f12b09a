"""/<house>/archief/: staff end a house when its pilot stops, and afterwards download its final export.

Before the end the page says what ending means, with the numbers of what would be cancelled; ending
asks for a ticked box and a fresh proof that it is them (as deleting an account does). After the end
it says when and by whom, and offers the final export for the corporation (wijkhuis.house_export).
"""

from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from residents import ending
from residents.decorators import archive_allowed, house_view
from residents.forms import danger_button
from residents.leaving_views import _confirm_it_is_them
from residents.models import AuditEvent, House
from residents.permissions import require


class EndHouseForm(forms.Form):
    """Ending a house: one box to tick, so it never happens by a slip."""

    understood = forms.BooleanField(
        label=gettext_lazy(
            "I understand that the house becomes an archive, that everything still to come is "
            "cancelled and that this cannot be undone."
        ),
        error_messages={"required": gettext_lazy("Tick the box to confirm that you want to end the house.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "end-house-form"
        button = danger_button(gettext_lazy("End the house"))
        button.name = "end"
        self.helper.add_input(button)


def _url(house: House) -> str:
    return reverse("residents:archive", kwargs={"house": house.slug})


def _export(request, house: House) -> HttpResponse:
    # The project package gathers every app's records; residents itself imports none of them.
    from wijkhuis.house_export import export_house

    name, data = export_house(house=house, by=request.user)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Personal data: never kept by a browser or a proxy on the way.
    response["Cache-Control"] = "no-store"
    return response


@archive_allowed
@login_required
@house_view
@require("house.end")
@require_http_methods(["GET", "POST"])
def archive(request, house: House):
    ended = house.ended_at is not None
    if request.method == "POST" and "export" in request.POST:
        if not ended:
            messages.error(request, _("The final export can be made once the house has ended."))
            return redirect(_url(house))
        return _export(request, house)
    if request.method == "POST" and ended:
        messages.info(request, _("This house has already ended."))
        return redirect(_url(house))

    form = EndHouseForm(request.POST if request.method == "POST" else None) if not ended else None
    if form is not None and form.is_bound and form.is_valid():
        instead = _confirm_it_is_them(request)
        if instead is not None:
            return instead
        try:
            ending.end_house(house, by=request.user)
        except ending.EndingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(house)s has ended. The members get an e-mail. You can now make the final export.")
                % {"house": house.name},
            )
            return redirect(_url(house))

    days = settings.RETENTION_ENDED_HOUSE_DAYS
    context = {"house": house, "form": form, "days": days, "ended": ended}
    if ended:
        event = ending.ended_event(house)
        context.update(
            ended_by=event.actor if event is not None else None,
            removed_on=house.ended_at + dt.timedelta(days=days),
            exports=list(
                AuditEvent.objects.filter(house=house, action="house.exported")
                .select_related("actor")
                .order_by("-created_at", "-pk")[:10]
            ),
        )
    else:
        context["preview"] = ending.preview(house, by=request.user)
    return render(request, "residents/archive.html", context)
