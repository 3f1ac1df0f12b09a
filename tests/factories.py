"""Builders for test data. Plain functions, so tests and fixtures can both use them."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from residents.models import House, Membership, Organisation, Role, User

PASSWORD = "wijkhuis-test-wachtwoord"


def make_organisation(name: str = "Woonstichting Patrimonium") -> Organisation:
    return Organisation.objects.get_or_create(name=name, defaults={"kind": Organisation.Kind.CORPORATION})[0]


def make_house(slug: str, name: str, **extra) -> House:
    extra.setdefault("owner", make_organisation())
    extra.setdefault("street", "Witmondplein 4")
    extra.setdefault("postcode", "9712 AB")
    extra.setdefault("city", "Groningen")
    return House.objects.create(slug=slug, name=name, **extra)


def make_user(
    email: str | None,
    name: str,
    house: House | None = None,
    role: str | None = None,
    status: str = Membership.Status.ACTIVE,
    *,
    superuser: bool = False,
    password: str | None = PASSWORD,
) -> User:
    """A person with a verified e-mail address and, given a house, one membership there."""
    if superuser:
        user = User.objects.create_superuser(email, password, name=name)
    else:
        user = User.objects.create_user(email, password, name=name)
    if email:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if house is not None:
        Membership.objects.create(user=user, house=house, role=role or Role.RESIDENT, status=status)
    return user
