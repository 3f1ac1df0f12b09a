"""People, houses, who belongs where in which role, the organisations around a house, the audit trail."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Addresses a house slug may not take: they are the portal's own top-level paths.
RESERVED_SLUGS = frozenset(
    [
        "accounts",
        "admin",
        "api",
        "beheer",
        "i18n",
        "media",
        "melden",
        "mijn",
        "overzicht",
        "privacy",
        "static",
        "taal",
        "toegankelijkheid",
        "uren",
        "aanmelden",
        "huizen",
        "wijkhuis",
        "nieuws",
        "agenda",
        "zoeken",
        "help",
        "health",
        "favicon.ico",
        "robots.txt",
    ]
)


def validate_not_reserved(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(value)s” is already used by the portal itself. Choose another short name."),
            code="reserved",
            params={"value": value},
        )


class Role(models.TextChoices):
    RESIDENT = "resident", _("resident")
    STUDENT = "student", _("resident student")
    COORDINATOR = "coordinator", _("coordinator")
    STAFF = "staff", _("staff")
    VIEWER = "viewer", _("viewer (alderman)")
    EDITOR = "editor", _("news editor")


class UserQuerySet(models.QuerySet):
    def visible_to(self, user) -> UserQuerySet:
        """Members of houses where `user` handles people's data, and the user themself."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        houses = (
            Membership.objects.active()
            .filter(user=user, role__in=[Role.STAFF, Role.COORDINATOR])
            .values("house")
        )
        return self.filter(Q(pk=user.pk) | Q(memberships__house__in=houses)).distinct()


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        email = self.normalize_email(email) if email else None
        user = self.model(email=email, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra):
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), blank=True, null=True, unique=True)
    name = models.CharField(_("name"), max_length=150)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    reminders = models.BooleanField(
        _("e-mail me a reminder the day before an activity I signed up for"), default=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # Set when the account was deleted: the row stays (numbers in the summary count it) without a
    # name, e-mail address or anything else that points to the person (residents.leaving).
    erased_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)
    # Someone registered by staff who has no e-mail address and does not log in.
    registered_by = models.ForeignKey(
        "self",
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ci",
                violation_error_message=_("There is already an account with this e-mail address."),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email or f"#{self.pk}"

    @property
    def is_staff(self) -> bool:
        # Only the installation's administrators reach Django's admin.
        return self.is_superuser

    @property
    def can_log_in(self) -> bool:
        return bool(self.email)

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else (self.email or "")

    def get_full_name(self) -> str:
        return self.name

    # --- roles, cached per request (a User object lives for one request) -------------------
    def _role_map(self) -> dict[int, set[str]]:
        if not hasattr(self, "_roles_cache"):
            roles: dict[int, set[str]] = {}
            for house_id, role in (
                Membership.objects.active().filter(user=self).order_by().values_list("house_id", "role")
            ):
                roles.setdefault(house_id, set()).add(role)
            self._roles_cache = roles
        return self._roles_cache

    def keep_roles(self, pairs: list[str]) -> None:
        """Take the role map from ["<house id>:<role>", ...], read with the person (residents.backends)."""
        roles: dict[int, set[str]] = {}
        for pair in pairs:
            house_id, role = pair.split(":", 1)
            roles.setdefault(int(house_id), set()).add(role)
        self._roles_cache = roles

    def roles_in(self, house) -> set[str]:
        return self._role_map().get(house.pk if hasattr(house, "pk") else house, set())

    def has_any_role(self, *roles: str) -> bool:
        return any(set(roles) & r for r in self._role_map().values())

    def forget_roles(self) -> None:
        self.__dict__.pop("_roles_cache", None)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        CORPORATION = "corporation", _("housing corporation")
        WELFARE = "welfare", _("welfare organisation")
        DEBT_HELP = "debt_help", _("debt help")
        CARE = "care", _("care")
        MUNICIPALITY = "municipality", _("municipality")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    privacy_email = models.EmailField(
        _("privacy contact"),
        blank=True,
        help_text=_("Where people send questions about their personal data."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = [Lower("name")]

    def __str__(self) -> str:
        return self.name


class HouseQuerySet(models.QuerySet):
    def visible_to(self, user) -> HouseQuerySet:
        """Every house has a public home page; this is the hook if one ever must not."""
        return self.filter(is_active=True)

    def where(self, user, *roles: str) -> HouseQuerySet:
        """Houses where `user` holds one of `roles` (an active membership)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            memberships__user=user,
            memberships__role__in=roles,
            memberships__status=Membership.Status.ACTIVE,
        ).distinct()


class House(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("short name in the address"),
        max_length=40,
        unique=True,
        validators=[validate_not_reserved],
        help_text=_("Lower-case letters, digits and hyphens, e.g. w4. Printed on flyers: keep it short."),
    )
    street = models.CharField(_("street and number"), max_length=120)
    postcode = models.CharField(
        _("postcode"),
        max_length=7,
        validators=[RegexValidator(r"^\d{4} ?[A-Z]{2}$", _("Enter a postcode like 1234 AB."))],
    )
    city = models.CharField(_("town"), max_length=80)
    district = models.CharField(_("district"), max_length=80, blank=True)
    description = models.TextField(_("description"), blank=True)
    house_rules = models.TextField(_("house rules"), blank=True)
    house_rules_version = models.PositiveIntegerField(_("house rules version"), default=1)
    opening_note = models.CharField(
        _("note on opening hours"),
        max_length=200,
        blank=True,
        help_text=_("For example: closed on public holidays."),
    )
    pilot_start = models.DateField(_("pilot starts"), null=True, blank=True)
    pilot_end = models.DateField(_("pilot ends"), null=True, blank=True)
    households_in_area = models.PositiveIntegerField(_("households in the area"), null=True, blank=True)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner (housing corporation)"),
        on_delete=models.PROTECT,
        related_name="houses",
    )
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partners"), blank=True, related_name="partner_houses"
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Set when staff end the house: from then on a read-only archive (residents.ending).
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HouseQuerySet.as_manager()

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        ordering = [Lower("name")]
        constraints = [
            models.CheckConstraint(
                condition=Q(pilot_end__isnull=True)
                | Q(pilot_start__isnull=True)
                | Q(pilot_end__gte=models.F("pilot_start")),
                name="house_pilot_end_after_start",
                violation_error_message=_("The pilot cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Addresses are printed on flyers: an old slug keeps working after a rename.
        if self.pk:
            old = House.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            if old and old != self.slug:
                super().save(*args, **kwargs)
                HouseSlug.objects.update_or_create(slug=old, defaults={"house": self})
                HouseSlug.objects.filter(slug=self.slug).delete()
                return
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("house", kwargs={"house": self.slug})

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postcode} {self.city}"


class HouseSlug(models.Model):
    """An old short name of a house; its addresses redirect to the current one."""

    slug = models.SlugField(max_length=40, unique=True)
    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="old_slugs")

    class Meta:
        verbose_name = _("old short name")
        verbose_name_plural = _("old short names")

    def __str__(self) -> str:
        return self.slug


class OpeningHours(models.Model):
    """When the door is open for drop-in (inloop)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    label = models.CharField(_("what"), max_length=80, blank=True, help_text=_("e.g. coffee morning"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")),
                name="opening_hours_closes_after_opens",
                violation_error_message=_("Closing time must be after opening time."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(status=Membership.Status.ACTIVE)

    def pending(self) -> MembershipQuerySet:
        return self.filter(status=Membership.Status.PENDING)

    def visible_to(self, user) -> MembershipQuerySet:
        """Your own memberships, and those of houses where you handle members."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        houses = House.objects.where(user, Role.STAFF, Role.COORDINATOR)
        return self.filter(Q(user=user) | Q(house__in=houses))


class Membership(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for verification")
        ACTIVE = "active", _("verified")
        DECLINED = "declined", _("declined")
        ENDED = "ended", _("ended")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    house = models.ForeignKey(
        House, verbose_name=_("house"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.RESIDENT)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("For coordinators: the organisation they work for."),
    )
    motivation = models.TextField(_("message"), blank=True, max_length=1000)
    decision_note = models.TextField(_("note with the decision"), blank=True, max_length=1000)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["house", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "house", "role"],
                name="membership_unique_role",
                violation_error_message=_("This person already has this role in this house."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.house} · {self.get_role_display()}"


class AuditEvent(models.Model):
    """One row per change that matters: who, on whose behalf, when, which object, what changed."""

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    house = models.ForeignKey(
        House, verbose_name=_("house"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("action"), max_length=60)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_id = models.CharField(max_length=40, blank=True)
    target_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A person's secret calendar address; renewing the token revokes the old address.

    What the feed holds comes from the apps (residents.registry), so this app imports none.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user}"
