"""/mijn/: the person sees the status of the worries they raised (never the team's notes or who
handles it) and their buddy requests, offers and matches."""

from __future__ import annotations

import pytest

from care import buddies, worries
from care.models import Buddy, Match

pytestmark = pytest.mark.django_db


def _money_worry(house, person):
    """A worry about money that `person` raised on the website."""
    return worries.raise_worry(
        house=house,
        data={"about": "self", "category": "money", "message": "Veel rekeningen", "contact_by": "email"},
        channel="website",
        by=person,
    )


def _ask(house, person) -> Buddy:
    """`person`'s request for a buddy to talk with."""
    return Buddy.objects.create(
        house=house,
        person=person,
        side="ask",
        kinds=["talk"],
        languages="Nederlands",
        available="di",
        phone="0612345678",
    )


def test_my_page_shows_the_status_of_my_worry_not_the_notes(
    house, resident, coordinator, client_for, mfa_off
):
    worry = _money_worry(house, resident)
    worries.take(worry=worry, by=coordinator)
    worries.add_note(worry=worry, by=coordinator, text="Afspraak met de schuldhulp gemaakt")
    page = client_for(resident).get("/mijn/").content.decode()
    assert worry.reference in page
    assert "in behandeling" in page.lower()
    assert "Afspraak met de schuldhulp" not in page
    assert "Veel rekeningen" not in page
    assert coordinator.name not in page


def test_someone_else_does_not_see_my_worry_on_their_page(house, resident, student, client_for):
    worry = _money_worry(house, resident)
    assert worry.reference not in client_for(student).get("/mijn/").content.decode()


def test_my_page_shows_a_proposed_buddy_to_answer_and_then_my_buddy(
    house, resident, student, coordinator, client_for
):
    ask = _ask(house, resident)
    offer = Buddy.objects.create(
        house=house,
        person=student,
        side="offer",
        kinds=["talk"],
        languages="Nederlands",
        available="di",
        contact_by="email",
    )
    match = Match.objects.create(ask=ask, offer=offer, proposed_by=coordinator)
    page = client_for(resident).get("/mijn/").content.decode()
    assert "Er is een maatje voor je voorgesteld" in page
    assert f"/{house.slug}/maatjes/koppeling/{match.pk}/" in page
    assert student.name.split()[0] not in page
    buddies.answer(match=match, by=resident, yes=True)
    buddies.answer(match=match, by=student, yes=True)
    page = client_for(resident).get("/mijn/").content.decode()
    assert f"Je maatje {student.name.split()[0]}" in page


def _care_queries(client) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/mijn/").status_code == 200
    return [q["sql"] for q in ctx.captured_queries if '"care_' in q["sql"]]


def test_my_page_asks_once_whether_there_are_worries_or_buddies(house, resident, student, client_for):
    """Most people have neither: one query looks for both. Who has them gets them read as well."""
    assert len(_care_queries(client_for(resident))) == 1
    _money_worry(house, resident)
    _ask(house, resident)
    client = client_for(resident)
    assert len(_care_queries(client)) == 4  # the question, the worries, the requests, the matches
    page = client.get("/mijn/").content.decode()
    assert "Je vroeg om een maatje" in page and "Veel rekeningen" not in page
    # The other person's page still asks only once.
    assert len(_care_queries(client_for(student))) == 1
