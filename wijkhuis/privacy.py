"""The privacy statement, built from what the portal does, so the two cannot drift apart.

What is kept, why, on which legal ground and who sees it come from the registry of personal data
(`residents.registry.personal_data`, filled by each app's personal.py); how long comes from the
retention rules (`wijkhuis.retention.RULES`) and their periods in settings; who is responsible from
the corporations that own the houses. The functions return plain data for the template.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from residents import registry
from residents.models import House, Organisation

# The retention rule of worries; the entries it removes make the worries part of the statement.
WORRY_RULE = "worries"

BASIS_LABELS = {
    "contract": _("Our agreement with you"),
    "consent": _("You said yes"),
    "legitimate_interest": _("A fair interest of the corporation"),
    "legal_obligation": _("The law says we must"),
    "vital_interest": _("To protect someone's life or health"),
}

BASIS_EXPLAINED = {
    "contract": _(
        "You ask us for something, for example an account or a booking. We need this data to give it "
        "to you. Without it, we cannot. The law calls this an agreement."
    ),
    "consent": _(
        "You said yes to it yourself. You may take back your yes at any time. Then we stop. What we "
        "did before you took it back stays allowed. The law calls this consent."
    ),
    "legitimate_interest": _(
        "We need it to run the house well and safely. We checked that this is fair to you and that "
        "we cannot do it with less data. You may object to it. Then we stop, unless we have a very "
        "good reason. The law calls this a legitimate interest."
    ),
    "legal_obligation": _(
        "A law says we must keep or give this data. We keep it no longer than that law asks. "
        "The law calls this a legal obligation."
    ),
    "vital_interest": _(
        "Someone's life or health is in danger, and that person cannot say yes. Only then. "
        "The law calls this a vital interest."
    ),
}


@dataclass(frozen=True)
class RuleLine:
    """One retention rule as people read it: what goes (and stays), and after how long."""

    name: str
    anchor: str
    description: str
    days: int | None
    period: str  # "2 jaar"; empty when the data carries its own end
    when: str  # "After 2 years" or "When it has expired"


@dataclass(frozen=True)
class EntryLine:
    """One kind of personal data, with everything the statement says about it."""

    key: str
    anchor: str
    title: str
    about: str
    purpose: str
    basis: str
    basis_label: str
    who_sees: str
    kept: str
    rules: tuple[RuleLine, ...]


@dataclass(frozen=True)
class BasisLine:
    """A legal ground in use, in plain words, and the kinds of data that rest on it."""

    basis: str
    anchor: str
    label: str
    explained: str
    entries: tuple[EntryLine, ...]


@dataclass(frozen=True)
class HouseLine:
    name: str
    slug: str


@dataclass(frozen=True)
class Controller:
    """A housing corporation responsible for the data of the houses it owns."""

    name: str
    address: str
    privacy_email: str
    email: str
    phone: str
    website: str
    houses: tuple[HouseLine, ...]


@dataclass(frozen=True)
class Partner:
    name: str
    kind: str
    website: str


def period_in_words(days: int) -> str:
    """A number of days as people say it: 730 -> "2 years", 180 -> "6 months", 14 -> "2 weeks".

    Only exact multiples become years, months (of 30 days) or weeks, so the words never promise
    a longer period than the setting holds: 31 days stays "31 days".
    """
    if days % 365 == 0:
        n = days // 365
        return ngettext("%(n)s year", "%(n)s years", n) % {"n": n}
    if days % 30 == 0 and days >= 60:
        n = days // 30
        return ngettext("%(n)s month", "%(n)s months", n) % {"n": n}
    if days % 7 == 0:
        n = days // 7
        return ngettext("%(n)s week", "%(n)s weeks", n) % {"n": n}
    return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}


def rule_lines() -> list[RuleLine]:
    """Every retention rule the portal applies, in the order it applies them, with its period now."""
    from wijkhuis.retention import RULES

    lines = []
    for rule in RULES:
        days = rule.days
        period = period_in_words(days) if days else ""
        when = gettext("After %(period)s") % {"period": period} if days else gettext("When it has expired")
        lines.append(
            RuleLine(
                name=rule.name,
                anchor=f"rule-{rule.name}",
                description=str(rule.description),
                days=days,
                period=period,
                when=when,
            )
        )
    return lines


def unknown_rules(entries: Iterable[registry.PersonalData] | None = None) -> list[tuple[str, str]]:
    """(entry key, rule name) for every retention name an entry gives that is no rule: a typo there
    would leave the statement silent about how long the data is kept."""
    from wijkhuis.retention import RULES

    names = {rule.name for rule in RULES}
    entries = registry.personal_data if entries is None else entries
    return [(e.key, name) for e in entries for name in e.retention if name not in names]


def entry_lines(rules: list[RuleLine] | None = None) -> list[EntryLine]:
    """Every registered kind of personal data, in the registry's order."""
    by_name = {rule.name: rule for rule in (rules if rules is not None else rule_lines())}
    return [
        EntryLine(
            key=entry.key,
            anchor=f"data-{entry.key}",
            title=str(entry.title),
            about=str(entry.about),
            purpose=str(entry.purpose),
            basis=entry.basis,
            basis_label=str(BASIS_LABELS[entry.basis]),
            who_sees=str(entry.who_sees) if entry.who_sees else "",
            kept=str(entry.kept) if entry.kept else "",
            rules=tuple(by_name[name] for name in entry.retention if name in by_name),
        )
        for entry in registry.personal_data
    ]


def is_worry(entry: EntryLine) -> bool:
    return entry.key.startswith("worr") or any(rule.name == WORRY_RULE for rule in entry.rules)


def grouped(entries: list[EntryLine]) -> dict[str, list[EntryLine]]:
    """The entries in two parts: worries (sensitive: health, money) and everything else."""
    return {
        "general": [e for e in entries if not is_worry(e)],
        "worries": [e for e in entries if is_worry(e)],
    }


def bases_used(entries: list[EntryLine]) -> list[BasisLine]:
    """The legal grounds the entries rest on, in the law's order; grounds nobody uses are left out."""
    return [
        BasisLine(
            basis=basis,
            anchor=f"basis-{basis}",
            label=str(BASIS_LABELS[basis]),
            explained=str(BASIS_EXPLAINED[basis]),
            entries=tuple(e for e in entries if e.basis == basis),
        )
        for basis in registry.BASES
        if any(e.basis == basis for e in entries)
    ]


def _controller(org: Organisation, houses: Iterable[House]) -> Controller:
    return Controller(
        name=org.name,
        address=org.address,
        privacy_email=org.privacy_email,
        email=org.email,
        phone=org.phone,
        website=org.website,
        houses=tuple(HouseLine(name=h.name, slug=h.slug) for h in houses),
    )


def controllers() -> list[Controller]:
    """The corporations that own an active house, each with those houses (two queries)."""
    active = House.objects.filter(is_active=True).only("name", "slug", "owner_id").order_by("name")
    orgs = (
        Organisation.objects.filter(kind=Organisation.Kind.CORPORATION, houses__is_active=True)
        .distinct()
        .prefetch_related(Prefetch("houses", queryset=active, to_attr="active_houses"))
    )
    return [_controller(org, org.active_houses) for org in orgs]


def find_house(slug: str) -> House | None:
    """The house a per-house statement is about: an active one, or one that ended (its archive still
    holds data). Its owner and partners come along (two queries)."""
    return (
        House.objects.filter(Q(is_active=True) | Q(ended_at__isnull=False), slug=slug)
        .select_related("owner")
        .prefetch_related("partners")
        .first()
    )


def partners_of(house: House) -> list[Partner]:
    return [
        Partner(name=org.name, kind=str(org.get_kind_display()), website=org.website)
        for org in sorted(house.partners.all(), key=lambda o: o.name.lower())
        if org.pk != house.owner_id
    ]


def worry_period(rules: list[RuleLine]) -> str:
    """How long a closed worry keeps the person's details, in words ("" if no rule removes them)."""
    return next((rule.period for rule in rules if rule.name == WORRY_RULE), "")


def statement(house: House | None = None) -> dict:
    """Everything the privacy statement shows: for one house's corporation, or for all of them."""
    rules = rule_lines()
    entries = entry_lines(rules)
    if house is None:
        owners = controllers()
        partners = None
    else:
        owners = [_controller(house.owner, [house])]
        partners = partners_of(house)
    session_days = settings.SESSION_COOKIE_AGE // 86400
    return {
        "statement_house": house,
        "controllers": owners,
        "partners": partners,
        "entries": grouped(entries),
        "bases": bases_used(entries),
        "rules": rules,
        "worry_period": worry_period(rules),
        "mfa_required": settings.MFA_REQUIRED_FOR_STAFF,
        "https": settings.SECURE_SSL_REDIRECT,
        "session_period": period_in_words(session_days) if session_days >= 1 else "",
    }
