"""Worries raised with a house (the signalling function) and buddies: sensitive, so kept apart.

Who sees what is decided here, in the querysets: a worry only by the coordinators and staff of its
house (never a superuser for that alone, never students, viewers or other residents) and, for its
status only, by the person who raised it; a buddy request or offer only by its owner and the house's
coordinators and staff; a match by its two sides (names and contact only after both said yes).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from residents.models import House, Membership, Organisation, Role

TEAM_ROLES = (Role.COORDINATOR, Role.STAFF)


def team_houses(user):
    """The houses where `user` is coordinator or staff now (a superuser is not, for that alone)."""
    if not user.is_authenticated:
        return House.objects.none()
    return House.objects.filter(
        memberships__user=user,
        memberships__role__in=TEAM_ROLES,
        memberships__status=Membership.Status.ACTIVE,
    )


def is_team(user, house) -> bool:
    """Coordinator or staff of `house` now (a superuser is not, for that alone)."""
    return bool(getattr(user, "is_authenticated", False) and set(TEAM_ROLES) & user.roles_in(house))


def team_members(house):
    """The people who handle the house's worries and buddies: its active coordinators and staff."""
    from residents.models import User

    return (
        User.objects.filter(
            is_active=True,
            memberships__house=house,
            memberships__role__in=TEAM_ROLES,
            memberships__status=Membership.Status.ACTIVE,
        )
        .distinct()
        .order_by("name", "pk")
    )


# --- worries -------------------------------------------------------------------------------------


class WorryQuerySet(models.QuerySet):
    def for_team(self, user) -> WorryQuerySet:
        """Worries of the houses where `user` is coordinator or staff."""
        return self.filter(house__in=team_houses(user))

    def raised_by(self, user) -> WorryQuerySet:
        """The worries `user` raised with an account (for their status on /mijn/)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(raised_by=user)

    def open(self) -> WorryQuerySet:
        return self.exclude(status=Worry.Status.CLOSED)


class Worry(models.Model):
    """A worry raised with a house: about oneself or a neighbour, in the person's own words."""

    class About(models.TextChoices):
        SELF = "self", _("about myself")
        NEIGHBOUR = "neighbour", _("about a neighbour")

    class Category(models.TextChoices):
        MONEY = "money", _("money and debts")
        NUISANCE = "nuisance", _("nuisance")
        LONELINESS = "loneliness", _("loneliness")
        HEALTH = "health", _("health and care")
        HOME = "home", _("the home")
        SAFETY = "safety", _("safety")
        OTHER = "other", _("something else")

    class ContactBy(models.TextChoices):
        PHONE = "phone", _("by phone")
        EMAIL = "email", _("by e-mail")
        VISIT = "visit", _("a visit at home")
        DROP_IN = "drop_in", _("I come by at the house during opening hours")

    class Channel(models.TextChoices):
        WEBSITE = "website", _("on the website")
        COFFEE_TABLE = "coffee_table", _("at the coffee table")
        PHONE = "phone", _("by phone")
        OTHER = "other", _("another way")

    class Status(models.TextChoices):
        NEW = "new", _("received")
        TAKEN = "taken", _("being handled")
        REFERRED = "referred", _("referred to a partner")
        CLOSED = "closed", _("closed")

    class Outcome(models.TextChoices):
        HELPED = "helped", _("helped")
        REFERRED = "referred", _("referred to a partner")
        NOT_NEEDED = "not_needed", _("no help needed after all")
        NO_CONTACT = "no_contact", _("could not reach the person")
        OTHER = "other", _("other")

    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="worries")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="worries"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("how it came in"), max_length=20, choices=Channel.choices)
    # Who to contact and how; emptied when the worry is anonymised.
    name = models.CharField(_("your name"), max_length=100, blank=True)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    address = models.CharField(_("address for a visit"), max_length=200, blank=True)
    contact_by = models.CharField(_("how may we contact you?"), max_length=10, choices=ContactBy.choices)
    contact_when = models.CharField(_("when suits you best?"), max_length=200, blank=True)
    about = models.CharField(_("who is it about?"), max_length=10, choices=About.choices)
    category = models.CharField(_("what is it about?"), max_length=20, choices=Category.choices)
    message = models.TextField(_("what is going on?"), max_length=2000, blank=True)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_contact_at = models.DateTimeField(null=True, blank=True)
    referred_to = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent_at = models.DateTimeField(null=True, blank=True)  # the person agreed to the referral
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)  # the team was reminded (no contact yet)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorryQuerySet.as_manager()

    class Meta:
        verbose_name = _("worry")
        verbose_name_plural = _("worries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["house", "status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymised_at__isnull=False)
                | Q(raised_by__isnull=False)
                | ~Q(phone="")
                | ~Q(email="")
                | ~Q(address=""),
                name="worry_can_be_reached",
                violation_error_message=_("Give at least one way to reach you: a phone number or e-mail."),
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at=None)),
                name="worry_closed_has_a_moment",
            ),
            models.CheckConstraint(
                condition=Q(referred_to__isnull=True) | Q(consent_at__isnull=False),
                name="worry_referral_needs_consent",
                violation_error_message=_("Record first that the person agreed to the referral."),
            ),
        ]

    def __str__(self) -> str:
        # Only the reference: this lands in the audit trail and in logs, where the category of a
        # worry (money, safety) would already say too much.
        return self.reference

    @property
    def reference(self) -> str:
        """What the person and the team call it on the phone: M-2026-0042."""
        return f"M-{self.created_at:%Y}-{self.pk:04d}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    def contact_detail(self) -> str:
        """How the person wants to be reached, as the team reads it."""
        if self.contact_by == self.ContactBy.PHONE:
            return self.phone
        if self.contact_by == self.ContactBy.EMAIL:
            return self.email or (self.raised_by.email if self.raised_by else "")
        if self.contact_by == self.ContactBy.VISIT:
            return self.address
        return ""


class WorryNote(models.Model):
    """What the team did or noted: internal, never shown to the person who raised the worry."""

    class Kind(models.TextChoices):
        NOTE = "note", _("note")
        CONTACT = "contact", _("contact")
        TAKEN = "taken", _("taken")
        REFERRED = "referred", _("referred")
        CLOSED = "closed", _("closed")
        REOPENED = "reopened", _("opened again")

    worry = models.ForeignKey(Worry, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(_("note"), max_length=2000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.worry_id} · {self.kind}"


# --- buddies -------------------------------------------------------------------------------------


class BuddyKind(models.TextChoices):
    TALK = "talk", _("talk and company")
    LANGUAGE = "language", _("practising Dutch")
    WALKING = "walking", _("walking")
    FORMS = "forms", _("forms and letters")
    DIGITAL = "digital", _("help with a phone or computer")
    OTHER = "other", _("something else")


class BuddyQuerySet(models.QuerySet):
    def of(self, user) -> BuddyQuerySet:
        """`user`'s own requests and offers."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(person=user)

    def for_team(self, user) -> BuddyQuerySet:
        return self.filter(house__in=team_houses(user))

    def waiting(self) -> BuddyQuerySet:
        return self.filter(status=Buddy.Status.OPEN)


class Buddy(models.Model):
    """One member's request for a buddy, or offer to be one."""

    class Side(models.TextChoices):
        ASK = "ask", _("asks for a buddy")
        OFFER = "offer", _("offers to be a buddy")

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for a match")
        MATCHED = "matched", _("matched")
        CLOSED = "closed", _("stopped")

    class ContactBy(models.TextChoices):
        PHONE = "phone", _("my phone number")
        EMAIL = "email", _("my e-mail address")

    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="buddies")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="buddies")
    side = models.CharField(max_length=5, choices=Side.choices)
    kinds = ArrayField(
        models.CharField(max_length=10, choices=BuddyKind.choices), verbose_name=_("what kind")
    )
    languages = models.CharField(_("languages you speak"), max_length=200)
    available = models.CharField(_("when you are available"), max_length=200)
    about = models.TextField(_("a few words about yourself"), max_length=500, blank=True)
    contact_by = models.CharField(
        _("what your buddy may see"), max_length=5, choices=ContactBy.choices, default=ContactBy.PHONE
    )
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # What a coordinator records before matching
    intake_at = models.DateTimeField(null=True, blank=True)
    intake_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    partner = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("care or welfare partner involved"),
    )
    vog_seen_at = models.DateField(_("certificate of conduct (VOG) seen on"), null=True, blank=True)
    team_note = models.TextField(_("note for the team"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = BuddyQuerySet.as_manager()

    class Meta:
        verbose_name = _("buddy request or offer")
        verbose_name_plural = _("buddy requests and offers")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(contact_by="phone") | ~Q(phone=""),
                name="buddy_phone_when_chosen",
                violation_error_message=_("Give your phone number, or choose your e-mail address."),
            ),
            models.CheckConstraint(condition=Q(kinds__len__gt=0), name="buddy_has_a_kind"),
            models.CheckConstraint(
                condition=Q(side="offer") | Q(vog_seen_at__isnull=True), name="buddy_vog_only_for_offers"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} · {self.house}"

    def kind_labels(self) -> list[str]:
        labels = dict(BuddyKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.kinds]

    def contact_detail(self) -> str:
        return self.phone if self.contact_by == self.ContactBy.PHONE else self.person.email


class MatchQuerySet(models.QuerySet):
    def of(self, user) -> MatchQuerySet:
        """The matches `user` is one side of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(ask__person=user) | Q(offer__person=user))

    def for_team(self, user) -> MatchQuerySet:
        return self.filter(ask__house__in=team_houses(user))

    def going(self) -> MatchQuerySet:
        return self.filter(status=Match.Status.ACTIVE)


class Match(models.Model):
    """A coordinator's proposal to bring a request and an offer together; on when both say yes."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACTIVE = "active", _("going")
        DECLINED = "declined", _("declined")
        ENDED = "ended", _("ended")

    class Answer(models.TextChoices):
        WAITING = "waiting", _("not answered yet")
        YES = "yes", _("yes")
        NO = "no", _("no")

    ask = models.ForeignKey(Buddy, on_delete=models.CASCADE, related_name="matches_asked")
    offer = models.ForeignKey(Buddy, on_delete=models.CASCADE, related_name="matches_offered")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("why these two"), max_length=300, blank=True)  # shown to both sides
    ask_answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.WAITING)
    offer_answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.WAITING)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    started_at = models.DateTimeField(null=True, blank=True)  # both said yes
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(_("why it stops (optional)"), max_length=300, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)  # "Hoe gaat het?" sent

    objects = MatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("buddy match")
        verbose_name_plural = _("buddy matches")
        ordering = ["-proposed_at"]
        constraints = [
            # A request or offer is in at most one proposal or match at a time.
            models.UniqueConstraint(
                fields=["ask"],
                condition=Q(status__in=["proposed", "active"]),
                name="match_one_live_per_ask",
                violation_error_message=_("This request already has a proposal or a buddy."),
            ),
            models.UniqueConstraint(
                fields=["offer"],
                condition=Q(status__in=["proposed", "active"]),
                name="match_one_live_per_offer",
                violation_error_message=_("This offer already has a proposal or a buddy."),
            ),
            models.CheckConstraint(condition=~Q(ask=F("offer")), name="match_two_sides"),
            models.CheckConstraint(
                condition=~Q(status="active")
                | Q(ask_answer="yes", offer_answer="yes", started_at__isnull=False),
                name="match_active_when_both_said_yes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ask_id} × {self.offer_id} · {self.status}"

    def side_of(self, user) -> str | None:
        """ "ask" or "offer" when `user` is that side of the match, else None."""
        if self.ask.person_id == user.pk:
            return "ask"
        if self.offer.person_id == user.pk:
            return "offer"
        return None


class MatchCheckin(models.Model):
    """A side's answer to "Hoe gaat het?": for the coordinator, not for the other side."""

    class Feeling(models.TextChoices):
        GOOD = "good", _("good")
        COULD_BE_BETTER = "better", _("it could be better")
        STOP = "stop", _("we would like to stop")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="checkins")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    feeling = models.CharField(_("how is it going?"), max_length=10, choices=Feeling.choices)
    text = models.CharField(
        _("anything you want to tell the coordinator? (optional)"), max_length=500, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.match_id} · {self.feeling}"
