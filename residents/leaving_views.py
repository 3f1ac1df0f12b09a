"""Deleting an account: the person themself (/mijn/gegevens/verwijderen/), or staff on their request."""

from __future__ import annotations

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter
from allauth.account.authentication import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from residents import leaving
from residents.decorators import archive_allowed, house_view
from residents.forms import EraseOnRequestForm, LeaveForm
from residents.models import House, Membership, User
from residents.permissions import can, require


def _confirm_it_is_them(request):
    """Deleting asks for a fresh proof that it is really this person (or staff member).

    With a password or a second step, allauth asks for it again (and then repeats the POST). Someone
    who only logs in with an e-mailed code has nothing to re-enter: their login must be recent, or
    they log in again. Returns a response to send instead, or None when confirmed."""
    if get_adapter().get_reauthentication_methods(request.user):
        if not _recent(request, reauthenticated=True):
            raise ReauthenticationRequired()
        return None
    if _recent(request, reauthenticated=False):
        return None
    path = request.get_full_path()
    logout(request)
    messages.info(request, _("To be sure it is you, log in again. Then you can delete your account."))
    return redirect_to_login(path)


def _recent(request, *, reauthenticated: bool) -> bool:
    records = get_authentication_records(request, request.user)
    if reauthenticated:
        records = [r for r in records if r.get("reauthenticated")]
    if not records:
        return False
    return time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT


@login_required
def leave(request):
    person = request.user
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        instead = _confirm_it_is_them(request)
        if instead is not None:
            return instead
        try:
            leaving.erase(person, by=person)
        except leaving.LeaveError as error:
            form.add_error(None, str(error))
        else:
            logout(request)
            return redirect("left")
    notes = leaving.notes(person)
    return render(
        request,
        "residents/leave.html",
        {
            "form": form,
            "notes": [n for n in notes if not n.blocking],
            "blockers": [n for n in notes if n.blocking],
            "is_superuser": person.is_superuser,
        },
    )


def left(request):
    """The page after deleting: no account any more, so no login needed (and nothing personal)."""
    return render(request, "residents/left.html")


def _houses_beyond_reach(staff: User, person: User, house: House) -> list[str]:
    """The other houses `person` belongs to where `staff` may not act for members."""
    others = (
        Membership.objects.filter(user=person)
        .exclude(status=Membership.Status.ENDED)
        .exclude(house=house)
        .select_related("house")
    )
    return sorted({m.house.name for m in others if not can(staff, "members.act_for", m.house)})


@archive_allowed
@login_required
@house_view
@require("members.act_for")
def erase_on_request(request, house: House, user_id: int):
    """Staff delete a member's account because the person asked them to (logged, with how)."""
    person = (
        User.objects.visible_to(request.user)
        .filter(pk=user_id, memberships__house=house, erased_at__isnull=True)
        .distinct()
        .first()
    )
    if person is None:
        raise Http404
    if person.pk == request.user.pk:
        return redirect("leave")
    elsewhere = _houses_beyond_reach(request.user, person, house)
    form = EraseOnRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not elsewhere:
        instead = _confirm_it_is_them(request)
        if instead is not None:
            return instead
        try:
            leaving.erase(person, by=request.user, asked=form.cleaned_data["asked"])
        except leaving.LeaveError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The account has been deleted, as the person asked."))
            return redirect(reverse("residents:members", kwargs={"house": house.slug}))
    notes = leaving.notes(person)
    return render(
        request,
        "residents/erase_on_request.html",
        {
            "house": house,
            "person": person,
            "form": form,
            "notes": [n for n in notes if not n.blocking],
            "blockers": [n for n in notes if n.blocking],
            "elsewhere": elsewhere,
        },
    )
