"""Calendar feeds: the house's public feed and a person's secret, renewable feed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from icalendar import Calendar

from residents.models import CalendarFeed
from residents.registry import feed_events
from tests.activities.test_calendar import book, local, make_room

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen_now(monkeypatch):
    """The feeds' windows (30 days back, 180 ahead) measured from a fixed moment in June 2026."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return NOW


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(cal: Calendar) -> dict[str, object]:
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}


def house_feed_url(house) -> str:
    return reverse("activities:house_feed", kwargs={"house": house.slug})


# --- the house's public feed ---------------------------------------------------------------------


def test_house_feed_holds_only_public_live_bookings_of_the_house(
    frozen_now, house, other_house, resident, student, outsider, client_for
):
    room = make_room(house)
    other_room = make_room(other_house, "Huiskamer")
    summer = book(
        room, resident, local(2026, 7, 1, 14), local(2026, 7, 1, 16), title="Zomerfeest", public=True
    )
    book(
        room,
        student,
        local(2026, 7, 2, 10),
        local(2026, 7, 2, 12),
        title="Aangevraagd",
        public=True,
        status="requested",
    )
    book(room, resident, local(2026, 7, 3, 10), local(2026, 7, 3, 12), title="Privé feestje")
    book(
        room,
        resident,
        local(2026, 7, 4, 10),
        local(2026, 7, 4, 12),
        title="Afgezegd",
        public=True,
        status="cancelled",
    )
    book(
        room,
        resident,
        local(2026, 7, 5, 10),
        local(2026, 7, 5, 12),
        title="Afgewezen",
        public=True,
        status="declined",
    )
    book(other_room, outsider, local(2026, 7, 1, 14), local(2026, 7, 1, 16), title="Elders", public=True)
    book(room, resident, local(2026, 5, 1, 10), local(2026, 5, 1, 12), title="Lang geleden", public=True)
    book(room, resident, local(2027, 1, 10, 10), local(2027, 1, 10, 12), title="Ver weg", public=True)
    book(room, resident, local(2026, 11, 20, 14), local(2026, 11, 20, 16), title="Winteravond", public=True)

    response = client_for(None).get(house_feed_url(house))
    cal = parse(response)
    found = events(cal)
    assert set(found) == {"Zomerfeest (Woonkamer)", "Aangevraagd (Woonkamer)", "Winteravond (Woonkamer)"}
    assert str(cal["X-WR-CALNAME"]).startswith(house.name)
    assert str(found["Zomerfeest (Woonkamer)"]["UID"]) == f"booking-{summer.pk}@wijkhuis"
    assert str(found["Zomerfeest (Woonkamer)"]["STATUS"]) == "CONFIRMED"
    assert str(found["Aangevraagd (Woonkamer)"]["STATUS"]) == "TENTATIVE"
    # Never who booked: not their name, not their address.
    body = response.content.decode()
    for person in (resident, student):
        assert person.name not in body
        assert person.email not in body


def test_house_feed_times_are_local_with_the_amsterdam_time_zone(frozen_now, house, resident, client_for):
    room = make_room(house)
    book(room, resident, local(2026, 7, 1, 14), local(2026, 7, 1, 16), title="Zomer", public=True)
    book(room, resident, local(2026, 11, 20, 14), local(2026, 11, 20, 16), title="Winter", public=True)
    response = client_for(None).get(house_feed_url(house))
    cal = parse(response)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    body = response.content.decode()
    assert "DTSTART;TZID=Europe/Amsterdam:20260701T140000" in body
    assert "DTEND;TZID=Europe/Amsterdam:20260701T160000" in body
    assert "DTSTART;TZID=Europe/Amsterdam:20261120T140000" in body
    summer = events(cal)["Zomer (Woonkamer)"]
    assert summer["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    start = summer["DTSTART"].dt
    assert (start.hour, start.utcoffset()) == (14, dt.timedelta(hours=2))
    assert start == local(2026, 7, 1, 14)
    winter = events(cal)["Winter (Woonkamer)"]["DTSTART"].dt
    assert (winter.hour, winter.utcoffset()) == (14, dt.timedelta(hours=1))


def test_house_feed_of_an_empty_house_is_a_valid_calendar(house, client_for):
    cal = parse(client_for(None).get(house_feed_url(house)))
    assert list(cal.walk("VEVENT")) == []


def test_house_feed_of_an_unknown_house_is_404(db, client_for):
    assert client_for(None).get("/bestaat-niet/agenda/feed.ics").status_code == 404


# --- a person's secret feed ----------------------------------------------------------------------


def feed_url(token: str) -> str:
    return reverse("personal_feed", kwargs={"token": token})


def test_personal_feed_with_an_unknown_token_is_404(db, client_for):
    assert client_for(None).get(feed_url("geen-geldige-code")).status_code == 404


def test_renew_makes_an_address_and_revokes_the_old_one(house, resident, client_for):
    client = client_for(resident)
    response = client.post(reverse("renew_feed"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mine") + "#agenda-link"
    first = CalendarFeed.objects.get(user=resident).token
    assert client_for(None).get(feed_url(first)).status_code == 200

    client.post(reverse("renew_feed"))
    second = CalendarFeed.objects.get(user=resident).token
    assert second != first
    assert client_for(None).get(feed_url(first)).status_code == 404
    assert client_for(None).get(feed_url(second)).status_code == 200
    assert CalendarFeed.objects.filter(user=resident).count() == 1


def test_renew_says_what_happened(house, resident, client_for):
    client = client_for(resident)
    page = client.post(reverse("renew_feed"), follow=True)
    assert page.status_code == 200
    assert len(list(page.context["messages"])) == 1


def test_renew_needs_a_login_and_a_post(db, resident, client_for):
    response = client_for(None).post(reverse("renew_feed"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for(resident).get(reverse("renew_feed")).status_code == 405
    assert not CalendarFeed.objects.exists()


def test_personal_feed_holds_own_bookings_with_private_titles(
    frozen_now, house, resident, student, client_for
):
    room = make_room(house)
    own = book(room, resident, local(2026, 7, 1, 14), local(2026, 7, 1, 16), title="Verjaardag Bea")
    book(
        room, resident, local(2026, 7, 2, 14), local(2026, 7, 2, 16), title="Wacht op ja", status="requested"
    )
    book(room, resident, local(2026, 7, 3, 14), local(2026, 7, 3, 16), title="Afgezegd", status="cancelled")
    book(room, resident, local(2026, 4, 1, 14), local(2026, 4, 1, 16), title="Lang geleden")
    book(room, resident, local(2027, 3, 1, 14), local(2027, 3, 1, 16), title="Volgend jaar")
    book(room, student, local(2026, 7, 4, 14), local(2026, 7, 4, 16), title="Van Sam")
    # Booked by someone else on her behalf is still hers.
    book(room, resident, local(2026, 7, 5, 14), local(2026, 7, 5, 16), title="Voor Bea", by=student)

    feed = CalendarFeed.objects.create(user=resident)
    response = client_for(None).get(feed_url(feed.token))
    cal = parse(response)
    found = events(cal)
    assert set(found) == {
        "Verjaardag Bea (Woonkamer)",
        "Wacht op ja (Woonkamer)",
        "Volgend jaar (Woonkamer)",
        "Voor Bea (Woonkamer)",
    }
    assert str(found["Verjaardag Bea (Woonkamer)"]["UID"]) == f"booking-{own.pk}@wijkhuis"
    assert str(found["Wacht op ja (Woonkamer)"]["STATUS"]) == "TENTATIVE"
    assert str(found["Verjaardag Bea (Woonkamer)"]["STATUS"]) == "CONFIRMED"
    assert str(found["Verjaardag Bea (Woonkamer)"]["URL"]).endswith(own.get_absolute_url())
    assert house.address in str(found["Verjaardag Bea (Woonkamer)"]["LOCATION"])
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    assert "DTSTART;TZID=Europe/Amsterdam:20260701T140000" in response.content.decode()
    assert "private" in response["Cache-Control"]


def test_the_project_composes_the_feed_from_what_apps_register(house, resident):
    room = make_room(house)
    booking = book(room, resident, local(2030, 7, 1, 14), local(2030, 7, 1, 16), title="Later")
    assert [e.uid for e in feed_events(resident)] == [f"booking-{booking.pk}@wijkhuis"]


def test_a_feed_of_someone_who_left_is_404(db, resident, client_for):
    feed = CalendarFeed.objects.create(user=resident)
    resident.is_active = False
    resident.save()
    assert client_for(None).get(feed_url(feed.token)).status_code == 404


# --- the part of /mijn/ ----------------------------------------------------------------------------


def _render_partial(user) -> str:
    """As /mijn/ renders it: its view passes the person's feed, or None."""
    request = RequestFactory().get("/mijn/")
    request.user = user
    feed = CalendarFeed.objects.filter(user=user).first()
    return render_to_string("mine/_feed.html", {"user": user, "calendar_feed": feed}, request=request)


def test_mine_partial_without_an_address_offers_to_make_one(resident):
    html = _render_partial(resident)
    assert f'action="{reverse("renew_feed")}"' in html
    assert "readonly" not in html


def test_mine_partial_shows_the_full_address_in_a_labelled_field(resident):
    feed = CalendarFeed.objects.create(user=resident)
    html = _render_partial(resident)
    assert f'value="http://testserver{feed_url(feed.token)}" readonly' in html
    assert 'for="mine-feed-url"' in html and 'id="mine-feed-url"' in html
    assert f'action="{reverse("renew_feed")}"' in html


@pytest.mark.django_db
def test_my_page_shows_the_feed_address_after_making_one(client_for, resident):
    client = client_for(resident)
    assert "/mijn/agenda/" not in client.get(reverse("mine")).content.decode()
    client.post(reverse("renew_feed"))
    token = CalendarFeed.objects.get(user=resident).token
    assert f"/mijn/agenda/{token}.ics" in client.get(reverse("mine")).content.decode()


@pytest.mark.django_db
def test_my_page_shows_the_feed_address_of_someone_without_a_house(client_for, make_user):
    """The address comes along with the memberships; without any it is read on its own."""
    loner = make_user("alleen@example.nl", "Alie Alleen")
    client = client_for(loner)
    client.post(reverse("renew_feed"))
    token = CalendarFeed.objects.get(user=loner).token
    assert f"/mijn/agenda/{token}.ics" in client.get(reverse("mine")).content.decode()


@pytest.mark.django_db
def test_my_page_shows_my_own_feed_address_not_another_members(client_for, resident, student):
    client_for(student).post(reverse("renew_feed"))
    theirs = CalendarFeed.objects.get(user=student).token
    page = client_for(resident).get(reverse("mine")).content.decode()
    assert theirs not in page and "/mijn/agenda/" not in page
