"""/mijn/gegevens/: everything the portal holds about the person, its download, and staff's download
of a member's data on their request. What is shown comes from every app (residents.registry)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from residents import export
from residents.decorators import house_view
from residents.models import House, User
from residents.permissions import require


def _manage_links() -> dict[str, tuple[str, str]]:
    """Where a person changes or ends some kinds of data themselves, per registry key."""
    return {
        "account": (reverse("mine") + "#reminders-form", _("Change the e-mail reminder on your page")),
        "email_addresses": (reverse("account_email"), _("Change your e-mail addresses")),
        "two_step_login": (reverse("mfa_index"), _("Set up or switch off two-step login")),
        "calendar_feed": (reverse("mine") + "#agenda-link", _("Make a new calendar address")),
        "sessions": (reverse("usersessions_list"), _("See where you are logged in and log out there")),
    }


@login_required
def my_data(request):
    links = _manage_links()
    sections = []
    for section in export.collect(request.user):
        labels = [label for _key, label in section.entry.columns]
        rows = [
            [export.display_value(row.get(key)) for key, _label in section.entry.columns]
            for row in section.rows
        ]
        sections.append(
            {
                "key": section.key,
                "title": section.entry.title,
                "about": section.entry.about,
                "labels": labels,
                "rows": rows,
                # A single record is shown as label and value per line.
                "pairs": list(zip(labels, rows[0], strict=True)) if len(rows) == 1 else [],
                "link": links.get(section.key),
            }
        )
    return render(request, "residents/my_data.html", {"sections": sections})


def _zip_response(name: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Personal data: never kept by a browser or a proxy on the way.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def download(request):
    """The person's own data as a ZIP, made now (and noted in the audit trail)."""
    name, data = export.export(person=request.user, by=request.user)
    return _zip_response(name, data)


@require_POST
@login_required
@house_view
@require("members.act_for")
def person_export(request, house: House, user_id: int):
    """Staff download a member's data for them, on their request (noted in the audit trail)."""
    person = (
        User.objects.visible_to(request.user).filter(pk=user_id, memberships__house=house).distinct().first()
    )
    if person is None:
        raise Http404
    name, data = export.export(person=person, by=request.user, house=house)
    return _zip_response(name, data)
