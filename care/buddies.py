"""Buddies ("maatjes"): members ask for a buddy or offer to be one; the house's team matches them.

Who sees what (the querysets in care.models hold it, these functions keep it):
- A member sees only their own requests and offers. Members never browse each other.
- The team (coordinators and staff of the house, never a superuser for that alone) sees both sides,
  records an intake (and for offers the certificate of conduct, VOG) and proposes a match.
- A side of a proposal sees what the other side asks or offers (the kinds: a fixed list) and the
  team's note "why these two". Everything the other person typed (languages, when, a few words) may
  hold something that tells who they are, so it stays hidden; so do their name and contact.
- Only when both said yes does each see the other's first name and the contact detail they chose,
  with their languages and when they have time. The few words about oneself stay with the team.

Lock order, to avoid deadlocks between two changes at once: the Buddy rows (by pk), then the Match.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from care.errors import CareError
from care.models import Buddy, BuddyKind, Match, MatchCheckin, is_team, team_members
from residents.audit import record
from residents.mail import mail_person
from residents.models import House, Organisation, User
from residents.permissions import can
from residents.text import clean_line, clean_text, is_phone_number

__all__ = [
    "FOLLOW_UP_AFTER",
    "MyBuddies",
    "add_buddy",
    "already_message",
    "answer",
    "check_in",
    "end_match",
    "first_name",
    "follow_up",
    "is_team",
    "my_buddies",
    "partner_choices",
    "propose_match",
    "record_intake",
    "withdraw",
]

FOLLOW_UP_AFTER = dt.timedelta(days=28)
LIVE = (Match.Status.PROPOSED, Match.Status.ACTIVE)
PAST_MATCHES_SHOWN = 10


def _limit(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _check_length(text: str, limit: int, field_name: str) -> str:
    if len(text) > limit:
        raise CareError(
            _("This can have at most %(limit)d characters. Now it has %(count)d.")
            % {"limit": limit, "count": len(text)},
            field=field_name,
        )
    return text


def first_name(person: User | None) -> str:
    """The first word of a person's name: what a buddy sees once both said yes (never the e-mail)."""
    words = (person.name if person is not None else "").split()
    return words[0] if words else _("your buddy")


def partner_choices(house: House):
    """The organisations a team can name as involved: the house's partners and its owner."""
    return Organisation.objects.filter(Q(partner_houses=house) | Q(houses=house)).distinct()


def _match_url(match: Match) -> str:
    return reverse("care:match", kwargs={"house": match.ask.house.slug, "pk": match.pk})


def _lock_buddies(*pks: int) -> dict[int, Buddy]:
    """Lock the Buddy rows, lowest pk first, and return them fresh."""
    rows = Buddy.objects.select_for_update().filter(pk__in=set(pks)).order_by("pk")
    return {buddy.pk: buddy for buddy in rows}


def _lock_match(match: Match) -> Match:
    """Lock both sides, then the match itself; the fresh match carries the fresh sides."""
    buddies = _lock_buddies(match.ask_id, match.offer_id)
    fresh = Match.objects.select_for_update().get(pk=match.pk)
    fresh.ask, fresh.offer = buddies[fresh.ask_id], buddies[fresh.offer_id]
    return fresh


def _mail_sides(match: Match, template: str, people: list[User], **context) -> None:
    """Mail each of `people` once the transaction commits (a rolled-back change sends nothing)."""
    url = _match_url(match)
    house = match.ask.house
    for person in people:
        side = match.side_of(person)

        def send(person=person, side=side):
            mail_person(
                person,
                f"care/mail/{template}",
                {"house": house, "match_url": url, "side": side, "first_name": first_name(person), **context},
            )

        transaction.on_commit(send)


def _mail_team(house: House, event: str) -> None:
    """Tell the house's team something needs them (a link to their page, never what anyone wrote)."""
    url = reverse("care:buddies_team", kwargs={"house": house.slug})

    def send():
        for person in team_members(house).exclude(email__isnull=True).exclude(email=""):
            mail_person(person, "care/mail/buddy_team", {"house": house, "team_url": url, "event": event})

    transaction.on_commit(send)


# The partial unique constraints a race between two proposals runs into, and the field each is about.
RACE_CONSTRAINTS = {"match_one_live_per_ask": "ask", "match_one_live_per_offer": "offer"}


def _race_error(err: IntegrityError) -> CareError | None:
    """The constraint's own message for a race on one live match per side, or None for anything else."""
    name = getattr(getattr(err.__cause__, "diag", None), "constraint_name", None) or ""
    for constraint in Match._meta.constraints:
        if constraint.name in RACE_CONSTRAINTS and (constraint.name == name or constraint.name in str(err)):
            return CareError(str(constraint.violation_error_message), field=RACE_CONSTRAINTS[constraint.name])
    return None


# --- a member's requests and offers ----------------------------------------------------------------


def already_message(side: str) -> str:
    if side == Buddy.Side.ASK:
        return _("You already asked for a buddy. Stop that first if you want something else.")
    return _("You already offered to be a buddy. Stop that first if you want something else.")


def add_buddy(*, house: House, person: User, side: str, data: dict) -> Buddy:
    """A member asks for a buddy or offers to be one; one request and one offer at a time each."""
    if not can(person, "house.use", house):
        raise CareError(_("Only members of %(house)s can ask for or offer a buddy.") % {"house": house})
    if side not in Buddy.Side.values:
        raise CareError(_("Choose whether you ask for a buddy or offer to be one."))
    known = BuddyKind.values
    chosen = set(data.get("kinds") or [])
    if not chosen:
        raise CareError(_("Choose at least one thing."), field="kinds")
    if chosen - set(known):
        raise CareError(_("Choose from the list."), field="kinds")
    kinds = [kind for kind in known if kind in chosen]
    languages = clean_line(data.get("languages"))
    available = clean_line(data.get("available"))
    about = clean_text(data.get("about"))
    phone = clean_line(data.get("phone"))
    contact_by = data.get("contact_by") or Buddy.ContactBy.PHONE
    if not languages:
        raise CareError(_("Say which languages you speak."), field="languages")
    if not available:
        raise CareError(_("Say when you have time."), field="available")
    _check_length(languages, _limit(Buddy, "languages"), "languages")
    _check_length(available, _limit(Buddy, "available"), "available")
    _check_length(about, _limit(Buddy, "about"), "about")
    _check_length(phone, _limit(Buddy, "phone"), "phone")
    if contact_by not in Buddy.ContactBy.values:
        raise CareError(_("Choose how your buddy may reach you."), field="contact_by")
    if contact_by == Buddy.ContactBy.PHONE and not phone:
        raise CareError(_("Give your phone number, or choose your e-mail address."), field="phone")
    if phone and not is_phone_number(phone):
        raise CareError(_("This does not look like a phone number. For example: 06 12345678."), field="phone")
    if contact_by == Buddy.ContactBy.EMAIL and not person.email:
        raise CareError(
            _("There is no e-mail address in your account. Give your phone number instead."),
            field="contact_by",
        )
    with transaction.atomic():
        # The person's row is the lock: a double click makes one request, not two.
        User.objects.select_for_update().filter(pk=person.pk).first()
        # One request and one offer at a time (waiting or matched): clear for the person and the team.
        if (
            Buddy.objects.filter(house=house, person=person, side=side)
            .exclude(status=Buddy.Status.CLOSED)
            .exists()
        ):
            raise CareError(already_message(side))
        buddy = Buddy.objects.create(
            house=house,
            person=person,
            side=side,
            kinds=kinds,
            languages=languages,
            available=available,
            about=about,
            contact_by=contact_by,
            phone=phone,
        )
        record(
            "buddy.added",
            actor=person,
            target=buddy,
            house=house,
            changes={"side": side, "kinds": kinds, "contact_by": contact_by},
        )
        _mail_team(house, "new_" + side)
    return buddy


def withdraw(*, buddy: Buddy, by: User) -> Buddy:
    """The person (or the team, for them) stops a request or offer; its proposal or match stops too."""
    own = buddy.person_id == by.pk
    if not own and not is_team(by, buddy.house_id):
        raise CareError(_("You can only stop your own request or offer."))
    with transaction.atomic():
        live = (
            Match.objects.filter(Q(ask=buddy) | Q(offer=buddy), status__in=LIVE)
            .values_list("ask_id", "offer_id")
            .first()
        )
        pks = {buddy.pk, *(live or ())}
        locked = _lock_buddies(*pks)
        fresh = locked[buddy.pk]
        if fresh.status == Buddy.Status.CLOSED:
            raise CareError(_("This has already stopped."))
        match = (
            Match.objects.select_for_update().filter(Q(ask=fresh) | Q(offer=fresh), status__in=LIVE).first()
        )
        if match is not None and {match.ask_id, match.offer_id} - pks:
            # A proposal was made between reading and locking: do not guess, ask to try again.
            raise CareError(_("Something changed at the same moment. Please try again."))
        now = timezone.now()
        if match is not None:
            match.ask, match.offer = locked[match.ask_id], locked[match.offer_id]
            _stop_live_match(match, by=by, now=now, reason="", leaving=fresh)
        old = fresh.status
        fresh.status, fresh.closed_at = Buddy.Status.CLOSED, now
        fresh.save(update_fields=["status", "closed_at"])
        record(
            "buddy.withdrawn",
            actor=by,
            target=fresh,
            house=fresh.house,
            on_behalf_of=None if own else fresh.person,
            changes={"status": [old, fresh.status]},
        )
    return fresh


def _stop_live_match(match: Match, *, by: User, now, reason: str, leaving: Buddy | None = None) -> None:
    """Decline a proposal or end a going match; the sides wait again (except `leaving`). Locked rows."""
    was = match.status
    if was == Match.Status.PROPOSED:
        match.status = Match.Status.DECLINED
        if leaving is not None:
            setattr(match, f"{leaving.side}_answer", Match.Answer.NO)
    else:
        match.status = Match.Status.ENDED
    match.ended_at, match.ended_by, match.end_reason = now, by, reason
    match.save(update_fields=["status", "ask_answer", "offer_answer", "ended_at", "ended_by", "end_reason"])
    for side in (match.ask, match.offer):
        if side.status == Buddy.Status.MATCHED and side is not leaving:
            side.status = Buddy.Status.OPEN
            side.save(update_fields=["status"])
    record(
        "buddy.match_declined" if match.status == Match.Status.DECLINED else "buddy.match_ended",
        actor=by,
        target=match,
        house=match.ask.house,
        changes={"status": [was, match.status], "reason_given": bool(reason)},
    )
    # Who hears of it: the sides who did not do it themselves (the team's own change: both sides).
    told = [side.person for side in (match.ask, match.offer) if side.person_id != by.pk]
    if was == Match.Status.PROPOSED and leaving is not None:
        told = []  # a proposal the other turned down by stopping: the team tells them, kindly
    if told:
        _mail_sides(match, "buddy_ended", told, was_proposal=was == Match.Status.PROPOSED)


def record_intake(
    *, buddy: Buddy, by: User, partner: Organisation | None, vog_seen_at: dt.date | None, note: str
) -> Buddy:
    """The team records the introduction talk, the partner involved, the VOG seen (offers) and a note."""
    if not is_team(by, buddy.house_id):
        raise CareError(_("Only the coordinators and staff of the house can record an intake."))
    note = _check_length(clean_text(note), _limit(Buddy, "team_note"), "note")
    if partner is not None and not partner_choices(buddy.house).filter(pk=partner.pk).exists():
        raise CareError(_("Choose a partner of this house from the list."), field="partner")
    with transaction.atomic():
        fresh = _lock_buddies(buddy.pk)[buddy.pk]
        if fresh.status == Buddy.Status.CLOSED:
            raise CareError(_("This request or offer has stopped."))
        if vog_seen_at is not None:
            if fresh.side != Buddy.Side.OFFER:
                raise CareError(
                    _("A certificate of conduct is only for someone who offers to be a buddy."),
                    field="vog_seen_at",
                )
            if vog_seen_at > timezone.localdate():
                raise CareError(_("This date is in the future."), field="vog_seen_at")
        changes: dict = {}
        if fresh.intake_at is None:
            fresh.intake_at, fresh.intake_by = timezone.now(), by
            changes["intake"] = [None, "recorded"]
        if fresh.partner_id != (partner.pk if partner else None):
            changes["partner"] = [fresh.partner_id, partner.pk if partner else None]
            fresh.partner = partner
        if fresh.vog_seen_at != vog_seen_at:
            changes["vog_seen_at"] = [
                fresh.vog_seen_at.isoformat() if fresh.vog_seen_at else None,
                vog_seen_at.isoformat() if vog_seen_at else None,
            ]
            fresh.vog_seen_at = vog_seen_at
        if fresh.team_note != note:
            changes["team_note"] = "changed"  # never the words themselves
            fresh.team_note = note
        if changes:
            fresh.save(update_fields=["intake_at", "intake_by", "partner", "vog_seen_at", "team_note"])
            record(
                "buddy.intake_recorded",
                actor=by,
                target=fresh,
                house=fresh.house,
                on_behalf_of=fresh.person,
                changes=changes,
            )
    return fresh


# --- matching --------------------------------------------------------------------------------------


def propose_match(*, ask: Buddy, offer: Buddy, by: User, note: str) -> Match:
    """The team proposes a waiting request and a waiting offer of one house, of two people, to both."""
    if ask.side == offer.side:
        raise CareError(
            _("Choose one request and one offer, not two requests.")
            if ask.side == Buddy.Side.ASK
            else _("Choose one request and one offer, not two offers."),
            field="offer",
        )
    if ask.side != Buddy.Side.ASK:
        ask, offer = offer, ask
    if ask.house_id != offer.house_id:
        raise CareError(_("The request and the offer must be of the same house."), field="offer")
    if not is_team(by, ask.house_id):
        raise CareError(_("Only the coordinators and staff of the house can propose a match."))
    if ask.person_id == offer.person_id:
        raise CareError(_("This is the same person twice. Choose someone else."), field="offer")
    note = _check_length(clean_line(note), _limit(Match, "note"), "note")
    with transaction.atomic():
        locked = _lock_buddies(ask.pk, offer.pk)
        ask, offer = locked[ask.pk], locked[offer.pk]
        for buddy, name in ((ask, "ask"), (offer, "offer")):
            if buddy.status == Buddy.Status.CLOSED:
                raise CareError(
                    _("This request has stopped.") if name == "ask" else _("This offer has stopped."),
                    field=name,
                )
            if buddy.status == Buddy.Status.MATCHED:
                raise CareError(
                    _("This request already has a proposal or a buddy.")
                    if name == "ask"
                    else _("This offer already has a proposal or a buddy."),
                    field=name,
                )
            if buddy.intake_at is None:
                raise CareError(
                    _("First record the intake of this request.")
                    if name == "ask"
                    else _("First record the intake of this offer."),
                    field=name,
                )
        live = Match.objects.filter(Q(ask=ask) | Q(offer=offer), status__in=LIVE).values_list(
            "ask_id", flat=True
        )
        for ask_id in live:
            if ask_id == ask.pk:
                raise CareError(_("This request already has a proposal or a buddy."), field="ask")
            raise CareError(_("This offer already has a proposal or a buddy."), field="offer")
        try:
            with transaction.atomic():
                match = Match.objects.create(ask=ask, offer=offer, proposed_by=by, note=note)
        except IntegrityError as err:
            # Proposed by someone else at this moment: the database's partial unique constraints hold.
            error = _race_error(err)
            if error is None:
                raise
            raise error from err
        record(
            "buddy.match_proposed",
            actor=by,
            target=match,
            house=ask.house,
            changes={"ask": ask.pk, "offer": offer.pk, "status": [None, match.status]},
        )
        _mail_sides(match, "buddy_proposed", [ask.person, offer.person])
    return match


def answer(*, match: Match, by: User, yes: bool) -> Match:
    """A side says yes or no to a proposal; when both said yes the match starts and they see each other."""
    if match.side_of(by) is None:
        raise CareError(_("Only the two people of this proposal can answer it."))
    with transaction.atomic():
        match = _lock_match(match)
        side = match.side_of(by)
        if match.status != Match.Status.PROPOSED:
            raise CareError(_("This proposal is no longer open."))
        if getattr(match, f"{side}_answer") == Match.Answer.YES and yes:
            return match  # said yes twice (a double click): nothing changes
        now = timezone.now()
        old = getattr(match, f"{side}_answer")
        setattr(match, f"{side}_answer", Match.Answer.YES if yes else Match.Answer.NO)
        changes = {f"{side}_answer": [old, "yes" if yes else "no"]}
        if not yes:
            match.status = Match.Status.DECLINED
            match.ended_at, match.ended_by = now, by
            changes["status"] = [Match.Status.PROPOSED, Match.Status.DECLINED]
        elif match.ask_answer == match.offer_answer == Match.Answer.YES:
            match.status, match.started_at = Match.Status.ACTIVE, now
            changes["status"] = [Match.Status.PROPOSED, Match.Status.ACTIVE]
            for buddy in (match.ask, match.offer):
                buddy.status = Buddy.Status.MATCHED
                buddy.save(update_fields=["status"])
        match.save(
            update_fields=["ask_answer", "offer_answer", "status", "started_at", "ended_at", "ended_by"]
        )
        record("buddy.match_answered", actor=by, target=match, house=match.ask.house, changes=changes)
        if match.status == Match.Status.ACTIVE:
            _mail_sides(match, "buddy_started", [match.ask.person, match.offer.person])
        elif match.status == Match.Status.DECLINED:
            # The other side hears it does not go ahead (not who said no, nor why); the team sees it.
            other = match.offer if side == "ask" else match.ask
            _mail_sides(match, "buddy_ended", [other.person], was_proposal=True)
    return match


def end_match(*, match: Match, by: User, reason: str, stop_mine: bool = False) -> Match:
    """A side or the team stops a match; both wait for a new buddy again, unless `stop_mine` (a side).

    The other side gets a short mail without the reason. The team may also take back a proposal.
    """
    side = match.side_of(by)
    team = is_team(by, match.ask.house_id)
    if side is None and not team:
        raise CareError(_("Only the two people of this match and the team can stop it."))
    reason = _check_length(clean_line(reason), _limit(Match, "end_reason"), "reason")
    with transaction.atomic():
        match = _lock_match(match)
        if match.status == Match.Status.PROPOSED and side is not None:
            raise CareError(_("This proposal has not started yet. Say no to it instead."))
        if match.status not in LIVE:
            raise CareError(_("This match has already stopped."))
        now = timezone.now()
        leaving = getattr(match, side) if (side is not None and stop_mine) else None
        _stop_live_match(match, by=by, now=now, reason=reason)
        if leaving is not None:
            old = leaving.status
            leaving.status, leaving.closed_at = Buddy.Status.CLOSED, now
            leaving.save(update_fields=["status", "closed_at"])
            record(
                "buddy.withdrawn",
                actor=by,
                target=leaving,
                house=leaving.house,
                changes={"status": [old, "closed"]},
            )
    return match


def check_in(*, match: Match, by: User, feeling: str, text: str) -> MatchCheckin:
    """A side tells the team how it goes ("Hoe gaat het?"); the other side never sees it."""
    if match.side_of(by) is None:
        raise CareError(_("Only the two people of this match can say how it goes."))
    if feeling not in MatchCheckin.Feeling.values:
        raise CareError(_("Choose how it is going."), field="feeling")
    text = _check_length(clean_text(text), _limit(MatchCheckin, "text"), "text")
    with transaction.atomic():
        match = _lock_match(match)
        if match.status != Match.Status.ACTIVE:
            raise CareError(_("This match is not going (any more)."))
        checkin = MatchCheckin.objects.create(match=match, person=by, feeling=feeling, text=text)
        if feeling != MatchCheckin.Feeling.GOOD:
            _mail_team(match.ask.house, "checkin_" + feeling)
        record(
            "buddy.match_checkin",
            actor=by,
            target=match,
            house=match.ask.house,
            changes={"feeling": feeling, "text_given": bool(text)},
        )
    return checkin


def follow_up(now=None) -> int:
    """Ask both sides "Hoe gaat het?" once, 4 weeks after their match started. Returns how many matches."""
    now = now or timezone.now()
    with transaction.atomic():
        # skip_locked: two workers at once each take other matches, never the same twice.
        due = list(
            Match.objects.select_for_update(skip_locked=True)
            .filter(status=Match.Status.ACTIVE, started_at__lte=now - FOLLOW_UP_AFTER, followed_up_at=None)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not due:
            return 0
        Match.objects.filter(pk__in=due).update(followed_up_at=now)
        for match in Match.objects.filter(pk__in=due).select_related(
            "ask__house", "ask__person", "offer__person"
        ):
            record(
                "buddy.match_followed_up",
                actor=None,
                target=match,
                house=match.ask.house,
                changes={"followed_up_at": now.isoformat()},
            )
            _mail_sides(match, "buddy_follow_up", [match.ask.person, match.offer.person])
    return len(due)


# --- reading ---------------------------------------------------------------------------------------


@dataclass
class MyBuddies:
    """A person's own requests and offers, and the matches they are a side of (for /mijn/ and /maatjes/).

    Each buddy has `state` (what to tell the person) and `live_match`; each match has `my_side`,
    `my_answer`, `needs_answer`, `url` and, only once both said yes and while it goes, `buddy_name`.
    """

    buddies: list[Buddy] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)

    @property
    def waiting_for_me(self) -> list[Match]:
        return [m for m in self.matches if m.needs_answer]

    def __bool__(self) -> bool:
        return bool(self.buddies or self.matches)


def my_buddies(user, house: House | None = None) -> MyBuddies:
    """The person's requests, offers and matches (live ones and the last few past), in two queries."""
    if not getattr(user, "is_authenticated", False):
        return MyBuddies()
    buddies = Buddy.objects.of(user).select_related("house").order_by("-created_at", "-pk")
    matches = (
        Match.objects.of(user)
        .select_related("ask__house", "ask__person", "offer__person")
        .order_by("-proposed_at")
    )
    if house is not None:
        buddies, matches = buddies.filter(house=house), matches.filter(ask__house=house)
    buddies = list(buddies)
    if house is None and not buddies:
        return MyBuddies()  # both sides of a match are someone's requests or offers: none, no match
    all_matches = list(matches)
    live = [m for m in all_matches if m.status in LIVE]
    past = [m for m in all_matches if m.status not in LIVE][:PAST_MATCHES_SHOWN]
    by_buddy: dict[int, Match] = {}
    for match in live:
        side = match.side_of(user)
        mine, other = (match.ask, match.offer) if side == "ask" else (match.offer, match.ask)
        match.my_side = side
        match.my_answer = getattr(match, f"{side}_answer")
        match.needs_answer = match.status == Match.Status.PROPOSED and match.my_answer == Match.Answer.WAITING
        match.other = other
        match.buddy_name = first_name(other.person) if match.status == Match.Status.ACTIVE else ""
        match.url = _match_url(match)
        by_buddy[mine.pk] = match
    for match in past:
        side = match.side_of(user)
        match.my_side, match.my_answer = side, getattr(match, f"{side}_answer")
        match.needs_answer, match.buddy_name, match.url = False, "", _match_url(match)
        match.other = match.offer if side == "ask" else match.ask
    for buddy in buddies:
        buddy.live_match = by_buddy.get(buddy.pk)
        buddy.state = _state(buddy)
    return MyBuddies(buddies=buddies, matches=live + past)


def _state(buddy: Buddy) -> str:
    if buddy.status == Buddy.Status.CLOSED:
        return _("stopped")
    match = buddy.live_match
    if match is not None and match.status == Match.Status.ACTIVE:
        return _("you have a buddy")
    if match is not None:
        return (
            _("a buddy is proposed: say yes or no")
            if match.needs_answer
            else _("waiting for the other's answer")
        )
    return _("waiting for a match")
