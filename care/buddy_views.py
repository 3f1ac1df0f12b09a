"""Buddy pages: a member's requests, offers and matches; the team's overview, intake and matching.

Objects are fetched through who may see them, so someone else's request, offer or match is a 404,
never a leak. The match page serves both sides (each sees their side of it) and the team (who sees
everything about it and can stop it); a team member who is a side themselves sees their side.
Team pages are for the house's coordinators and staff only (not a superuser for that alone); like
every page for people who handle others' data, RequireMFAMiddleware asks them for two-step login.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from care import buddies as service
from care.buddy_forms import AnswerForm, BuddyForm, CheckinForm, EndForm, IntakeForm, ProposeForm
from care.decorators import team_only
from care.errors import CareError
from care.models import Buddy, Match, MatchCheckin
from residents.decorators import house_view
from residents.models import House
from residents.permissions import require

RECENTLY_STOPPED = 10


def _url(name: str, house: House, **kwargs) -> str:
    return reverse(f"care:{name}", kwargs={"house": house.slug, **kwargs})


def _live_match_exists() -> Exists:
    return Exists(
        Match.objects.filter(Q(ask=OuterRef("pk")) | Q(offer=OuterRef("pk")), status__in=service.LIVE)
    )


def waiting_buddies(house: House):
    """Requests and offers that wait for a match: open, and in no live proposal."""
    return (
        Buddy.objects.filter(house=house, status=Buddy.Status.OPEN)
        .exclude(_live_match_exists())
        .select_related("person", "partner")
        .order_by("created_at", "pk")
    )


# --- a member's pages ----------------------------------------------------------------------------


@never_cache
@login_required
@house_view
@require("house.use")
def buddies(request, house: House):
    mine = service.my_buddies(request.user, house)
    current = {b.side: b for b in reversed(mine.buddies) if b.status != Buddy.Status.CLOSED}
    return render(
        request,
        "care/buddies/buddies.html",
        {
            "house": house,
            "mine": mine,
            "my_ask": current.get(Buddy.Side.ASK),
            "my_offer": current.get(Buddy.Side.OFFER),
            "is_team": service.is_team(request.user, house),
        },
    )


def _buddy_form(request, house: House, side: str):
    form = BuddyForm(request.POST or None, side=side, person=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            service.add_buddy(house=house, person=request.user, side=side, data=form.cleaned_data)
        except CareError as err:
            err.show_on(form)
        else:
            messages.success(
                request,
                _("Thank you. The coordinator will contact you soon for a short introduction talk.")
                if side == Buddy.Side.ASK
                else _(
                    "Thank you for offering to help. The coordinator will contact you soon for a short talk."
                ),
            )
            return redirect(_url("buddies", house))
    mine = Buddy.objects.of(request.user).filter(house=house, side=side).exclude(status=Buddy.Status.CLOSED)
    already = service.already_message(side) if mine.exists() else ""
    return render(
        request,
        "care/buddies/buddy_form.html",
        {"house": house, "form": form, "side": side, "already": already},
    )


@never_cache
@sensitive_post_parameters()
@login_required
@house_view
@require("house.use")
def buddy_ask(request, house: House):
    return _buddy_form(request, house, Buddy.Side.ASK)


@never_cache
@sensitive_post_parameters()
@login_required
@house_view
@require("house.use")
def buddy_offer(request, house: House):
    return _buddy_form(request, house, Buddy.Side.OFFER)


@never_cache
@require_POST
@login_required
@house_view
def buddy_withdraw(request, house: House, pk: int):
    """The person stops their own request or offer; the team can do it for them (they phoned)."""
    team = service.is_team(request.user, house)
    visible = Buddy.objects.of(request.user) | (
        Buddy.objects.filter(house=house) if team else Buddy.objects.none()
    )
    buddy = visible.filter(house=house, pk=pk).first()
    if buddy is None:
        raise Http404
    try:
        service.withdraw(buddy=buddy, by=request.user)
    except CareError as err:
        messages.error(request, err.message)
    else:
        if buddy.person_id == request.user.pk:
            messages.success(request, _("It has stopped. You can always ask or offer again later."))
        else:
            messages.success(request, _("It has stopped for %(name)s.") % {"name": buddy.person.name})
    if buddy.person_id != request.user.pk:
        return redirect(_url("buddies_team", house))
    return redirect(_url("buddies", house))


# --- a match: the sides' page, and the team's view of it -----------------------------------------


def _match_for(request, house: House, pk: int) -> tuple[Match, str | None, bool]:
    """The match with who is asking: (match, side or None, team). Anyone else: 404."""
    match = (
        Match.objects.filter(pk=pk, ask__house=house)
        .select_related(
            "ask__person", "offer__person", "ask__house", "ask__partner", "offer__partner", "proposed_by"
        )
        .first()
    )
    if match is None:
        raise Http404
    side = match.side_of(request.user)
    team = service.is_team(request.user, house)
    if side is None and not team:
        raise Http404
    return match, side, team


def _render_match(request, house: House, match: Match, side: str | None, *, end_form=None, checkin_form=None):
    if side is None:
        checkins = list(MatchCheckin.objects.filter(match=match).select_related("person"))
        for checkin in checkins:
            checkin.side = match.side_of(checkin.person)
        return render(
            request,
            "care/buddies/match_team.html",
            {
                "house": house,
                "match": match,
                "checkins": checkins,
                "end_form": end_form or EndForm(team=True),
            },
        )
    mine, other = (match.ask, match.offer) if side == "ask" else (match.offer, match.ask)
    going = match.status == Match.Status.ACTIVE
    return render(
        request,
        "care/buddies/match.html",
        {
            "house": house,
            "match": match,
            "side": side,
            "mine": mine,
            "other": other,
            "my_answer": getattr(match, f"{side}_answer"),
            "other_answer": getattr(match, f"{'offer' if side == 'ask' else 'ask'}_answer"),
            # Only once both said yes, and while it goes: the first name and the chosen contact.
            "buddy_name": service.first_name(other.person) if going else "",
            "buddy_contact": other.contact_detail() if going else "",
            "end_form": end_form or EndForm(),
            "checkin_form": checkin_form or CheckinForm(),
        },
    )


@never_cache
@login_required
@house_view
def match(request, house: House, pk: int):
    found, side, _team = _match_for(request, house, pk)
    return _render_match(request, house, found, side)


@never_cache
@require_POST
@login_required
@house_view
def match_answer(request, house: House, pk: int):
    found, side, _team = _match_for(request, house, pk)
    if side is None:
        raise PermissionDenied  # the team sees the proposal but never answers for a side
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose yes or no."))
        return redirect(_url("match", house, pk=found.pk))
    yes = form.cleaned_data["answer"] == "yes"
    try:
        result = service.answer(match=found, by=request.user, yes=yes)
    except CareError as err:
        messages.error(request, err.message)
    else:
        if result.status == Match.Status.ACTIVE:
            messages.success(request, _("You both said yes. Below you see how to reach your buddy."))
        elif yes:
            messages.success(request, _("Thank you. We now wait for the answer of the other person."))
        else:
            messages.success(
                request,
                _("Thank you for letting us know. The coordinator will look for someone else with you."),
            )
    return redirect(_url("match", house, pk=found.pk))


@never_cache
@sensitive_post_parameters()
@require_POST
@login_required
@house_view
def match_end(request, house: House, pk: int):
    found, side, _team = _match_for(request, house, pk)
    form = EndForm(request.POST, team=side is None)
    if form.is_valid():
        try:
            service.end_match(
                match=found,
                by=request.user,
                reason=form.cleaned_data["reason"],
                stop_mine=form.cleaned_data.get("stop_mine", False),
            )
        except CareError as err:
            err.show_on(form)
        else:
            if side is None:
                messages.success(request, _("It has stopped. Both sides got a short e-mail."))
                return redirect(_url("buddies_team", house))
            messages.success(
                request, _("It has stopped. Your buddy got a short e-mail, without your reason.")
            )
            return redirect(_url("buddies", house))
    return _render_match(request, house, found, side, end_form=form)


@never_cache
@sensitive_post_parameters()
@require_POST
@login_required
@house_view
def match_checkin(request, house: House, pk: int):
    found, side, _team = _match_for(request, house, pk)
    if side is None:
        raise PermissionDenied  # the team reads check-ins, it does not write them for a side
    form = CheckinForm(request.POST)
    if form.is_valid():
        try:
            service.check_in(
                match=found,
                by=request.user,
                feeling=form.cleaned_data["feeling"],
                text=form.cleaned_data["text"],
            )
        except CareError as err:
            err.show_on(form)
        else:
            messages.success(request, _("Thank you. The coordinator reads it. Your buddy does not."))
            return redirect(_url("match", house, pk=found.pk))
    return _render_match(request, house, found, side, checkin_form=form)


# --- the team's pages ------------------------------------------------------------------------------


@never_cache
@login_required
@house_view
@team_only
def buddies_team(request, house: House):
    """Waiting requests and offers side by side, proposals waiting for answers, going matches."""
    waiting = list(waiting_buddies(house))
    matches = Match.objects.filter(ask__house=house).select_related("ask__person", "offer__person")
    proposed = list(matches.filter(status=Match.Status.PROPOSED).order_by("proposed_at", "pk"))
    going = list(
        matches.filter(status=Match.Status.ACTIVE)
        .prefetch_related(
            Prefetch(
                "checkins", queryset=MatchCheckin.objects.select_related("person"), to_attr="checkin_list"
            )
        )
        .order_by("started_at", "pk")
    )
    stopped = list(
        matches.filter(status__in=[Match.Status.DECLINED, Match.Status.ENDED]).order_by("-ended_at", "-pk")[
            :RECENTLY_STOPPED
        ]
    )
    for m in going:
        for checkin in m.checkin_list:
            checkin.side = m.side_of(checkin.person)
    return render(
        request,
        "care/buddies/team.html",
        {
            "house": house,
            "asks": [b for b in waiting if b.side == Buddy.Side.ASK],
            "offers": [b for b in waiting if b.side == Buddy.Side.OFFER],
            "proposed": proposed,
            "going": going,
            "stopped": stopped,
        },
    )


@never_cache
@sensitive_post_parameters()
@login_required
@house_view
@team_only
def buddy_intake(request, house: House, pk: int):
    buddy = (
        Buddy.objects.for_team(request.user)
        .filter(house=house, pk=pk)
        .select_related("person", "partner", "intake_by", "house")
        .first()
    )
    if buddy is None:
        raise Http404
    form = IntakeForm(request.POST or None, buddy=buddy)
    if request.method == "POST" and form.is_valid():
        try:
            service.record_intake(
                buddy=buddy,
                by=request.user,
                partner=form.cleaned_data["partner"],
                vog_seen_at=form.cleaned_data.get("vog_seen_at"),
                note=form.cleaned_data["note"],
            )
        except CareError as err:
            err.show_on(form)
        else:
            messages.success(request, _("The intake is saved."))
            return redirect(_url("buddies_team", house))
    history = list(
        Match.objects.filter(Q(ask=buddy) | Q(offer=buddy)).select_related("ask__person", "offer__person")
    )
    return render(
        request,
        "care/buddies/intake.html",
        {"house": house, "buddy": buddy, "form": form, "history": history},
    )


@never_cache
@sensitive_post_parameters()
@login_required
@house_view
@team_only
def match_propose(request, house: House):
    waiting = list(waiting_buddies(house))
    asks = [b for b in waiting if b.side == Buddy.Side.ASK]
    offers = [b for b in waiting if b.side == Buddy.Side.OFFER]
    if request.method == "POST":
        form = ProposeForm(
            request.POST, house=house, user=request.user, waiting_asks=asks, waiting_offers=offers
        )
    else:
        form = ProposeForm(
            initial={"ask": request.GET.get("vraag"), "offer": request.GET.get("aanbod")},
            house=house,
            user=request.user,
            waiting_asks=asks,
            waiting_offers=offers,
        )
    if request.method == "POST" and form.is_valid():
        try:
            service.propose_match(
                ask=form.cleaned_data["ask"],
                offer=form.cleaned_data["offer"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except CareError as err:
            err.show_on(form)
        else:
            messages.success(request, _("The proposal is sent. Both get an e-mail and answer on their page."))
            return redirect(_url("buddies_team", house))
    return render(
        request, "care/buddies/propose.html", {"house": house, "form": form, "asks": asks, "offers": offers}
    )


urlpatterns = [
    path("<slug:house>/maatjes/", buddies, name="buddies"),
    path("<slug:house>/maatjes/vragen/", buddy_ask, name="buddy_ask"),
    path("<slug:house>/maatjes/aanbieden/", buddy_offer, name="buddy_offer"),
    path("<slug:house>/maatjes/<int:pk>/stoppen/", buddy_withdraw, name="buddy_withdraw"),
    path("<slug:house>/maatjes/koppeling/<int:pk>/", match, name="match"),
    path("<slug:house>/maatjes/koppeling/<int:pk>/antwoord/", match_answer, name="match_answer"),
    path("<slug:house>/maatjes/koppeling/<int:pk>/stoppen/", match_end, name="match_end"),
    path("<slug:house>/maatjes/koppeling/<int:pk>/hoe-gaat-het/", match_checkin, name="match_checkin"),
    path("<slug:house>/maatjes/beheer/", buddies_team, name="buddies_team"),
    path("<slug:house>/maatjes/beheer/<int:pk>/", buddy_intake, name="buddy_intake"),
    path("<slug:house>/maatjes/beheer/koppelen/", match_propose, name="match_propose"),
]
