from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from residents.models import House, HouseSlug, User
from tests.factories import make_house


@pytest.mark.parametrize("slug", ["admin", "mijn", "Accounts", "static", "taal"])
def test_reserved_slug_is_refused(db, slug):
    house = House(
        name="Huis",
        slug=slug,
        street="Straat 1",
        postcode="1234 AB",
        city="Groningen",
        owner=make_house("w4", "W4").owner,
    )
    with pytest.raises(ValidationError) as err:
        house.full_clean()
    assert err.value.error_dict["slug"][0].code == "reserved"


def test_an_ordinary_slug_is_accepted(house):
    house.full_clean()  # no error


def test_postcode_must_look_dutch(house):
    house.postcode = "12345"
    with pytest.raises(ValidationError) as err:
        house.full_clean()
    assert "postcode" in err.value.error_dict


def test_renamed_house_keeps_old_address(house, client, resident):
    house.slug = "witmond"
    house.save()
    client.force_login(resident)

    response = client.get("/w4/")
    assert response.status_code == 301
    assert response["Location"] == "/witmond/"

    response = client.get("/w4/leden/?x=1")
    assert response.status_code == 301
    assert response["Location"] == "/witmond/leden/?x=1"

    assert client.get("/witmond/").status_code == 200


def test_renaming_back_frees_the_old_slug(house, client):
    house.slug = "witmond"
    house.save()
    house.slug = "w4"
    house.save()
    assert client.get("/w4/").status_code == 200
    assert client.get("/witmond/").status_code == 301
    assert set(HouseSlug.objects.values_list("slug", flat=True)) == {"witmond"}


def test_unknown_slug_is_404(db, client):
    assert client.get("/bestaatniet/").status_code == 404


def test_inactive_house_old_slug_does_not_redirect(house, client):
    house.slug = "witmond"
    house.save()
    House.objects.filter(pk=house.pk).update(is_active=False)
    assert client.get("/w4/").status_code == 404


def test_email_is_unique_whatever_the_case_in_the_database(db):
    User.objects.create_user("Fatima@Example.nl", name="Fatima")
    with pytest.raises(IntegrityError), transaction.atomic():
        # Bypass the manager's normalisation: the database itself refuses.
        User.objects.bulk_create([User(email="fatima@example.NL", name="Ander")])


def test_email_unique_constraint_says_it_in_words(db):
    User.objects.create_user("fatima@example.nl", name="Fatima")
    other = User(email="FATIMA@example.nl", name="Ander", password="x")
    with pytest.raises(ValidationError) as err:
        other.full_clean()
    assert "Er is al een account met dit e-mailadres." in str(err.value)


def test_people_without_email_can_be_many(db):
    User.objects.create_user(None, name="Zonder mail 1")
    User.objects.create_user(None, name="Zonder mail 2")
    assert User.objects.filter(email__isnull=True).count() == 2


def test_pilot_cannot_end_before_it_starts(house):
    import datetime as dt

    house.pilot_start = dt.date(2026, 6, 1)
    house.pilot_end = dt.date(2026, 5, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        house.save()


def test_naive_datetimes_are_an_error(house):
    """pyproject turns Django's naive-datetime RuntimeWarning into an error: prove it does."""
    import datetime as dt

    from residents.models import Membership

    with pytest.raises(RuntimeWarning, match="naive datetime"):
        Membership.objects.filter(requested_at__lt=dt.datetime(2026, 1, 1)).count()
