"""Residents' ideas and polls: propose, support, decide, vote."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities.models import Activity, Idea, IdeaSupport, Poll, PollBallot, PollOption
from residents.audit import record
from residents.mail import mail_person
from residents.models import House, Membership, User
from residents.permissions import ABILITIES, can


def link_idea_to_activity(*, idea: Idea, activity: Activity, by) -> Idea:
    """The idea became an activity: link it, mark it planned, tell the proposer."""
    with transaction.atomic():
        idea = Idea.objects.select_for_update().get(pk=idea.pk)
        old = idea.status
        idea.activity, idea.status = activity, Idea.Status.PLANNED
        idea.save(update_fields=["activity", "status"])
        record(
            "idea.planned",
            actor=by,
            target=idea,
            house=idea.house,
            changes={"status": [old, idea.status], "activity": activity.pk},
        )
        mail_person(idea.proposer, "activities/email/idea_planned", {"idea": idea, "activity": activity})
    return idea


class IdeaError(Exception):
    """Something about an idea or a support that cannot be done; the message is for the person."""


class PollError(Exception):
    """A poll that cannot be opened or an answer that cannot be saved; the message is for the person."""


MEMBER_ROLES = sorted(ABILITIES["house.use"])
CLOSED_STATUSES = (Idea.Status.DONE, Idea.Status.NOT_NOW)


# --- who, and for whom ------------------------------------------------------------------------


def house_members(house: House) -> QuerySet[User]:
    """Active members of the house, for "for whom" lists (people without e-mail included)."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__house=house,
            memberships__status=Membership.Status.ACTIVE,
            memberships__role__in=MEMBER_ROLES,
        )
        .distinct()
        .order_by("name")
    )


def _for_whom(*, house: House, by, person, error: type[Exception]):
    """The person an entry is for: `by` themselves, or a member when `by` may enter for others."""
    if not can(by, "house.use", house):
        raise error(_("Only members of this house can do this."))
    if person is None or person.pk == by.pk:
        return by, None
    if not can(by, "activities.enter_for", house):
        raise error(_("You cannot do this for someone else."))
    if not house_members(house).filter(pk=person.pk).exists():
        raise error(_("Choose a member of this house."))
    return person, person


# --- ideas ------------------------------------------------------------------------------------


def propose_idea(
    *,
    house: House,
    by: User,
    title: str,
    description: str = "",
    helpers: str = "",
    proposer: User | None = None,
) -> Idea:
    """A member proposes an idea; a coordinator may write one down for a member (paper, phone)."""
    proposer, on_behalf_of = _for_whom(house=house, by=by, person=proposer, error=IdeaError)
    title = (title or "").strip()
    if not title:
        raise IdeaError(_("Give your idea a title."))
    with transaction.atomic():
        idea = Idea.objects.create(
            house=house,
            proposer=proposer,
            entered_by=by if on_behalf_of else None,
            title=title[:100],
            description=(description or "").strip(),
            helpers=(helpers or "").strip(),
        )
        record("idea.proposed", actor=by, target=idea, house=house, on_behalf_of=on_behalf_of)
    return idea


def support_idea(*, idea: Idea, by: User, person: User | None = None) -> IdeaSupport:
    """One support per member and idea; the database holds that even when two clicks race."""
    person, on_behalf_of = _for_whom(house=idea.house, by=by, person=person, error=IdeaError)
    already = (
        _("You already support this idea.")
        if on_behalf_of is None
        else _("%(name)s already supports this idea.") % {"name": person}
    )
    try:
        with transaction.atomic():
            # Locked, so a support cannot slip in while a coordinator closes the idea.
            status = (
                Idea.objects.select_for_update(of=("self",)).values_list("status", flat=True).get(pk=idea.pk)
            )
            if status in CLOSED_STATUSES:
                raise IdeaError(_("This idea is closed; it cannot get more support."))
            support = IdeaSupport.objects.create(
                idea=idea, person=person, entered_by=by if on_behalf_of else None
            )
            record("idea.supported", actor=by, target=idea, house=idea.house, on_behalf_of=on_behalf_of)
    except IntegrityError:
        raise IdeaError(already) from None
    return support


def withdraw_support(*, idea: Idea, by: User, person: User | None = None) -> None:
    """Take back a support (one's own, or a member's when entering for them)."""
    person, on_behalf_of = _for_whom(house=idea.house, by=by, person=person, error=IdeaError)
    with transaction.atomic():
        deleted, _rows = IdeaSupport.objects.filter(idea=idea, person=person).delete()
        if not deleted:
            raise IdeaError(_("You do not support this idea."))
        record("idea.support_withdrawn", actor=by, target=idea, house=idea.house, on_behalf_of=on_behalf_of)


def set_idea_status(*, idea: Idea, by: User, status: str, reason: str = "") -> Idea:
    """A coordinator decides about an idea; the proposer hears about it by e-mail."""
    if not can(by, "ideas.manage", idea.house):
        raise IdeaError(_("Only coordinators and staff can change the status of an idea."))
    if status not in Idea.Status.values:
        raise IdeaError(_("Choose a status from the list."))
    reason = (reason or "").strip()
    if status == Idea.Status.NOT_NOW and not reason:
        raise IdeaError(_("Say why this idea is not for now. The person who proposed it reads this."))
    with transaction.atomic():
        idea = (
            Idea.objects.select_for_update(of=("self",)).select_related("house", "proposer").get(pk=idea.pk)
        )
        old = idea.status
        if old == status and idea.status_reason == reason:
            return idea
        idea.status, idea.status_reason = status, reason
        idea.save(update_fields=["status", "status_reason"])
        record(
            "idea.status",
            actor=by,
            target=idea,
            house=idea.house,
            changes={"status": [old, status], "reason": reason},
        )
        if old != status:
            _tell_proposer(idea, "idea_status")
    return idea


def _tell_proposer(idea: Idea, template: str) -> None:
    mail_person(idea.proposer, f"activities/email/{template}", {"idea": idea})


def annotate_ideas(ideas: QuerySet[Idea], user) -> QuerySet[Idea]:
    """Add `support_count` and `supported` (by this user) to ideas, without extra queries."""
    ideas = ideas.annotate(support_count=Count("supports"))
    if getattr(user, "is_authenticated", False):
        return ideas.annotate(supported=Exists(IdeaSupport.objects.filter(idea=OuterRef("pk"), person=user)))
    return ideas.annotate(supported=Value(False))


def ideas_for_page(house: House, user) -> list[Idea]:
    """The house's ideas, most supported first then newest, with `support_count` and `supported`.

    One query whatever the number of ideas and supports.
    """
    ideas = Idea.objects.filter(house=house).select_related("house", "proposer", "activity__house")
    return list(annotate_ideas(ideas, user).order_by("-support_count", "-created_at", "-pk"))


# --- polls ------------------------------------------------------------------------------------


def open_poll(
    *,
    house: House,
    by: User,
    question: str,
    options: list[str],
    max_choices: int,
    closes_at: dt.datetime,
    results: str = Poll.Results.AFTER_VOTE,
    description: str = "",
) -> Poll:
    """A coordinator opens a poll with 2-10 answers; it stays open until `closes_at`."""
    if not can(by, "polls.manage", house):
        raise PollError(_("Only coordinators and staff can open a poll."))
    question = (question or "").strip()
    if not question:
        raise PollError(_("Write the question."))
    texts: list[str] = []
    for text in (o.strip() for o in options):
        if text and text.casefold() not in {t.casefold() for t in texts}:
            texts.append(text[:120])
    if not 2 <= len(texts) <= 10:
        raise PollError(_("Give between 2 and 10 different answers."))
    if not 1 <= max_choices <= len(texts):
        raise PollError(
            _("People can choose at least 1 answer and at most %(n)s (the number of answers).")
            % {"n": len(texts)}
        )
    if closes_at <= timezone.now():
        raise PollError(_("Choose a moment in the future for the poll to close."))
    if results not in Poll.Results.values:
        raise PollError(_("Choose when people see the results."))
    with transaction.atomic():
        poll = Poll.objects.create(
            house=house,
            question=question[:200],
            description=(description or "").strip(),
            max_choices=max_choices,
            closes_at=closes_at,
            results=results,
            created_by=by,
        )
        PollOption.objects.bulk_create(
            PollOption(poll=poll, text=text, position=i) for i, text in enumerate(texts)
        )
        record("poll.opened", actor=by, target=poll, house=house, changes={"options": len(texts)})
    return poll


def vote(*, poll: Poll, by: User, option_ids: list[int], person: User | None = None) -> PollBallot:
    """Save one member's answer: open poll, 1..max_choices options of this poll, once per member."""
    person, on_behalf_of = _for_whom(house=poll.house, by=by, person=person, error=PollError)
    if not poll.is_open:
        raise PollError(_("This poll is closed. You can no longer answer."))
    chosen = set(option_ids)
    if not chosen:
        raise PollError(_("Choose an answer."))
    if len(chosen) > poll.max_choices:
        raise PollError(
            ngettext(
                "You can choose at most %(n)s answer.",
                "You can choose at most %(n)s answers.",
                poll.max_choices,
            )
            % {"n": poll.max_choices}
        )
    options = list(PollOption.objects.filter(poll=poll, pk__in=chosen))
    if len(options) != len(chosen):
        raise PollError(_("Choose from the answers of this poll."))
    already = (
        _("You have already voted.")
        if on_behalf_of is None
        else _("%(name)s has already voted.") % {"name": person}
    )
    if _has_voted(poll, person):
        raise PollError(already)
    try:
        with transaction.atomic():
            ballot = PollBallot.objects.create(
                poll=poll, person=person, entered_by=by if on_behalf_of else None
            )
            ballot.options.set(options)
            record(
                "poll.voted",
                actor=by,
                target=poll,
                house=poll.house,
                on_behalf_of=on_behalf_of,
                changes={"options": len(options)},
            )
    except IntegrityError:
        raise PollError(already) from None
    return ballot


def _has_voted(poll: Poll, person: User) -> bool:
    return PollBallot.objects.filter(poll=poll, person=person).exists()


@dataclass(frozen=True)
class OptionResult:
    option: PollOption
    votes: int
    percent: int  # of the people who answered


def polls_for_page(house: House, user, *, pk: int | None = None) -> list[Poll]:
    """The house's polls (or the one with `pk`), open ones first, closing soonest first, then closed
    ones, newest first; each with `voters`, `has_voted` and options with `votes`.

    Two queries whatever the number of polls, options and ballots.
    """
    polls = Poll.objects.filter(house=house)
    if pk is not None:
        polls = polls.filter(pk=pk)
    polls = (
        polls.select_related("house")
        .annotate(voters=Count("ballots", distinct=True))
        .prefetch_related(
            Prefetch(
                "options",
                queryset=PollOption.objects.annotate(votes=Count("ballots")).order_by("position", "pk"),
            )
        )
    )
    if getattr(user, "is_authenticated", False):
        polls = polls.annotate(has_voted=Exists(PollBallot.objects.filter(poll=OuterRef("pk"), person=user)))
    else:
        polls = polls.annotate(has_voted=Value(False))
    now = timezone.now()
    result = list(polls)
    open_ = sorted((p for p in result if p.closes_at > now), key=lambda p: p.closes_at)
    closed = sorted((p for p in result if p.closes_at <= now), key=lambda p: p.closes_at, reverse=True)
    return open_ + closed


def results_visible(poll: Poll, user, *, manager: bool) -> bool:
    """Managers always; others once they voted (if the poll says so) or once it has closed."""
    if manager:
        return True
    if not poll.is_open:
        return True
    return poll.results == Poll.Results.AFTER_VOTE and bool(getattr(poll, "has_voted", False))


def poll_results(poll: Poll) -> list[OptionResult]:
    """Counts and percentages per option of a poll fetched by polls_for_page (no extra queries)."""
    voters = getattr(poll, "voters", 0)
    return [
        OptionResult(o, o.votes, round(100 * o.votes / voters) if voters else 0) for o in poll.options.all()
    ]
