"""Residents' ideas and polls: the list (public titles), proposing, supporting, deciding, voting."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities import ideas as services
from activities.forms_ideas import IdeaForm, IdeaStatusForm, PollForm, SupportForm, VoteForm
from activities.models import Idea, IdeaSupport
from residents.decorators import house_view
from residents.models import House
from residents.permissions import can, require


def _idea_for(house: House, pk: int, user) -> Idea:
    ideas = Idea.objects.select_related("house", "proposer", "entered_by", "activity").filter(
        pk=pk, house=house
    )
    idea = services.annotate_ideas(ideas, user).first()
    if idea is None:
        raise Http404
    return idea


def _poll_entries(polls, user, house: House) -> list[dict]:
    manager = can(user, "polls.manage", house)
    return [
        {
            "poll": poll,
            "show_results": services.results_visible(poll, user, manager=manager),
            "results": services.poll_results(poll),
        }
        for poll in polls
    ]


@house_view
def ideas(request, house: House):
    user = request.user
    member = can(user, "house.use", house)
    context = {
        "house": house,
        "ideas": services.ideas_for_page(house, user),
        "member": member,
        "may_plan": can(user, "activities.plan", house),
        "may_open_poll": can(user, "polls.manage", house),
        "polls": _poll_entries(services.polls_for_page(house, user), user, house) if member else [],
    }
    return render(request, "activities/ideas.html", context)


@login_required
@house_view
@require("house.use")
def idea_add(request, house: House):
    can_enter_for = can(request.user, "activities.enter_for", house)
    form = IdeaForm(request.POST or None, house=house, can_enter_for=can_enter_for)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            idea = services.propose_idea(
                house=house,
                by=request.user,
                proposer=data.get("proposer"),
                title=data["title"],
                description=data["description"],
                helpers=data["helpers"],
            )
        except services.IdeaError as err:
            form.add_error(None, str(err))
        else:
            if idea.entered_by_id:
                messages.success(
                    request, _("The idea of %(name)s is on the list. Thank you.") % {"name": idea.proposer}
                )
            else:
                messages.success(
                    request, _("Thank you! Your idea is on the list. Neighbours can support it now.")
                )
            return redirect(idea)
    return render(request, "activities/idea_form.html", {"house": house, "form": form})


@login_required
@house_view
@require("house.use")
def idea_detail(request, house: House, pk: int):
    return _render_idea(request, house, _idea_for(house, pk, request.user))


def _render_idea(request, house: House, idea: Idea, status_form: IdeaStatusForm | None = None, status=200):
    user = request.user
    can_enter_for = can(user, "activities.enter_for", house)
    supporters = []
    if can(user, "ideas.manage", house):
        supporters = list(
            IdeaSupport.objects.filter(idea=idea)
            .select_related("person", "entered_by")
            .order_by("created_at")
        )
    return render(
        request,
        "activities/idea.html",
        {
            "house": house,
            "idea": idea,
            "may_manage": can(user, "ideas.manage", house),
            "may_plan": can(user, "activities.plan", house) and idea.activity_id is None,
            "supporters": supporters,
            "status_form": status_form
            or IdeaStatusForm(initial={"status": idea.status, "reason": idea.status_reason}),
            "support_for_form": SupportForm(initial={"action": "support"}, house=house, can_enter_for=True)
            if can_enter_for
            else None,
            "closed": idea.status in services.CLOSED_STATUSES,
        },
        status=status,
    )


@require_POST
@login_required
@house_view
@require("house.use")
def idea_support(request, house: House, pk: int):
    idea = _idea_for(house, pk, request.user)
    can_enter_for = can(request.user, "activities.enter_for", house)
    form = SupportForm(request.POST, house=house, can_enter_for=can_enter_for)
    back = (
        redirect("activities:ideas", house=house.slug)
        if request.POST.get("back") == "list"
        else redirect(idea)
    )
    if not form.is_valid():
        if "person" in form.errors:
            messages.error(request, form.errors["person"][0])
        else:
            messages.error(request, _("Choose to support the idea or to withdraw your support."))
        return back
    person = form.cleaned_data.get("person")
    for_someone = person is not None and person.pk != request.user.pk
    try:
        if form.cleaned_data["action"] == "support":
            services.support_idea(idea=idea, by=request.user, person=person)
            text = (
                _("Support for %(name)s is added.") % {"name": person}
                if for_someone
                else _("You support “%(title)s”. Thank you!") % {"title": idea.title}
            )
        else:
            services.withdraw_support(idea=idea, by=request.user, person=person)
            text = (
                _("The support of %(name)s is withdrawn.") % {"name": person}
                if for_someone
                else _("Your support is withdrawn.")
            )
    except services.IdeaError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, text)
    return back


@require_POST
@login_required
@house_view
@require("ideas.manage")
def idea_status(request, house: House, pk: int):
    idea = _idea_for(house, pk, request.user)
    form = IdeaStatusForm(request.POST)
    if form.is_valid():
        try:
            idea = services.set_idea_status(
                idea=idea,
                by=request.user,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except services.IdeaError as err:
            form.add_error(None, str(err))
        else:
            if idea.proposer.email:
                text = _("The status is now “%(status)s”. %(name)s gets an e-mail.")
            else:
                text = _(
                    "The status is now “%(status)s”. %(name)s has no e-mail address; tell them yourself."
                )
            messages.success(request, text % {"status": idea.get_status_display(), "name": idea.proposer})
            return redirect(idea)
    # Show the page again with what was chosen and the error next to the field.
    return _render_idea(request, house, idea, status_form=form)


@login_required
@house_view
@require("polls.manage")
def poll_add(request, house: House):
    form = PollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            poll = services.open_poll(
                house=house,
                by=request.user,
                question=data["question"],
                description=data["description"],
                options=data["options"],
                max_choices=data["max_choices"],
                closes_at=data["closes_at"],
                results=data["results"],
            )
        except services.PollError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, _("The poll is open. Members see it on the ideas page."))
            return redirect(poll)
    return render(request, "activities/poll_form.html", {"house": house, "form": form})


@login_required
@house_view
@require("house.use")
def poll_detail(request, house: House, pk: int):
    user = request.user
    poll = next((p for p in services.polls_for_page(house, user, pk=pk)), None)
    if poll is None:
        raise Http404
    can_enter_for = can(user, "activities.enter_for", house)
    if not poll.is_open:
        blocked = _("This poll is closed. You can no longer answer.")
    elif poll.has_voted and not can_enter_for:
        blocked = _("You have already voted.")
    else:
        blocked = ""
    form_kwargs = {"poll": poll, "house": house, "can_enter_for": can_enter_for, "voted": poll.has_voted}
    form = None if blocked else VoteForm(**form_kwargs)
    if request.method == "POST" and blocked:
        messages.error(request, blocked)
    elif request.method == "POST":
        form = VoteForm(request.POST, **form_kwargs)
        if form.is_valid():
            person = form.cleaned_data.get("person")
            try:
                services.vote(poll=poll, by=user, person=person, option_ids=form.option_ids())
            except services.PollError as err:
                form.add_error(None, str(err))
            else:
                if person is not None and person.pk != user.pk:
                    messages.success(request, _("The answer of %(name)s is saved.") % {"name": person})
                else:
                    messages.success(request, _("Thank you! Your answer is saved."))
                return redirect(poll)
    entry = _poll_entries([poll], user, house)[0]
    return render(request, "activities/poll.html", {"house": house, **entry, "form": form})
