"""The information screen: what it shows (and never shows), its secret address, the page to manage it."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.urls import reverse
from django.utils import timezone, translation

from activities.models import Activity, Audience, Booking
from news import screen_views
from news.models import Post, PostImage, Screen
from news.screen import renew_screen, screen_content, screen_for
from residents.models import AuditEvent, OpeningHours
from tests.activities.factories import at, make_booking, make_room
from tests.forms import parse_form

pytestmark = pytest.mark.usefixtures("mfa_off")

# A Saturday in winter (UTC+1), far enough ahead that every post made "an hour ago" is published.
DAY = dt.date(2030, 11, 23)
NOW = at(DAY, "14:05")


def content_nl(house, now=NOW):
    with translation.override("nl"):
        return screen_content(house, now)


def make_post(house, title, **extra) -> Post:
    values = {
        "house": house,
        "title": title,
        "status": Post.Status.PUBLISHED,
        "publish_at": timezone.now() - dt.timedelta(hours=1),
    }
    values.update(extra)
    return Post.objects.create(**values)


def make_activity(house, title, start, end, **extra) -> Activity:
    values = {"place": "Het plein", "category": "coffee", "audience": Audience.EVERYONE}
    values.update(extra)
    return Activity.objects.create(house=house, title=title, period=DateTimeTZRange(start, end), **values)


def screen_url(screen) -> str:
    return reverse("news:screen", kwargs={"house": screen.house.slug, "token": screen.token})


def manage_url(house) -> str:
    return reverse("news:screen_manage", kwargs={"house": house.slug})


@pytest.fixture
def room(house):
    return make_room(house)


@pytest.fixture
def fixed_now(monkeypatch):
    """The screen page as it looks at NOW (the selector itself takes `now`)."""
    monkeypatch.setattr(screen_views, "screen_content", lambda house: screen_content(house, NOW))


# --- the selector: the rooms now and next ----------------------------------------------------


def test_now_and_next_in_the_room(house, room, resident):
    make_booking(room, resident, at(DAY, "13:00"), at(DAY, "15:00"), title="Taartworkshop", is_public=True)
    make_booking(room, resident, at(DAY, "16:00"), at(DAY, "17:00"), title="Breiclub", is_public=True)
    make_booking(room, resident, at(DAY, "18:00"), at(DAY, "19:00"), title="Later nog iets", is_public=True)

    [shown] = content_nl(house).rooms
    assert shown.name == "Huiskamer"
    assert (shown.now.title, shown.now.private) == ("Taartworkshop", False)
    assert (shown.now.start.hour, shown.now.end.hour) == (13, 15)
    assert (shown.next.title, shown.next.start.hour) == ("Breiclub", 16)


def test_private_bookings_show_only_that_the_room_is_taken(house, room, resident):
    make_booking(room, resident, at(DAY, "13:00"), at(DAY, "15:00"), title="Verjaardag van Bea")
    make_booking(room, resident, at(DAY, "16:00"), at(DAY, "17:00"), title="Feestje bij Bea")

    [shown] = content_nl(house).rooms
    assert (shown.now.title, shown.now.private) == ("Bezet", True)
    assert (shown.next.title, shown.next.private) == ("Gereserveerd", True)
    assert "Bea" not in repr(shown)


def test_a_request_waiting_for_approval_shows_no_title(house, room, resident):
    make_booking(
        room,
        resident,
        at(DAY, "16:00"),
        at(DAY, "17:00"),
        title="Nog niet goedgekeurd",
        is_public=True,
        status=Booking.Status.REQUESTED,
    )
    [shown] = content_nl(house).rooms
    assert shown.next.title == "Gereserveerd"


def test_cancelled_and_declined_bookings_are_not_shown(house, room, resident):
    for status in (Booking.Status.CANCELLED, Booking.Status.DECLINED):
        make_booking(room, resident, at(DAY, "13:00"), at(DAY, "15:00"), status=status, is_public=True)
    make_booking(
        room, resident, at(DAY, "16:00"), at(DAY, "17:00"), status=Booking.Status.CANCELLED, is_public=True
    )
    [shown] = content_nl(house).rooms
    assert shown.now is None and shown.next is None


def test_next_is_today_only_and_rooms_of_this_house_only(house, other_house, room, resident):
    make_booking(
        room, resident, at(DAY + dt.timedelta(days=1), "10:00"), at(DAY + dt.timedelta(days=1), "12:00")
    )
    make_booking(room, resident, at(DAY, "10:00"), at(DAY, "12:00"))  # over already
    make_booking(make_room(other_house, "Huiskamer Wingerd"), resident, at(DAY, "14:00"), at(DAY, "15:00"))
    make_room(house, "Berging", is_bookable=False)

    [shown] = content_nl(house).rooms
    assert (shown.name, shown.now, shown.next) == ("Huiskamer", None, None)


def test_an_activity_in_the_room_shows_its_own_title_unless_it_is_for_members(house, room, resident):
    public = make_booking(
        room, resident, at(DAY, "14:00"), at(DAY, "15:00"), title="Activiteit", is_public=True
    )
    make_activity(house, "Koffieochtend", public.start, public.end, booking=public, place="")
    members = make_booking(
        room, resident, at(DAY, "16:00"), at(DAY, "17:00"), title="Overleg", is_public=True
    )
    make_activity(
        house, "Bewonersoverleg", members.start, members.end, booking=members, place="", audience="members"
    )

    [shown] = content_nl(house).rooms
    assert shown.now.title == "Koffieochtend"
    assert shown.next.title == "Gereserveerd"


# --- the selector: the programme, the news, the opening hours --------------------------------


def test_today_and_tomorrow_only_public_planned_activities(house, other_house):
    tomorrow = DAY + dt.timedelta(days=1)
    make_activity(house, "Ochtendgymnastiek", at(DAY, "09:00"), at(DAY, "10:00"))  # over
    make_activity(house, "Koffie en krant", at(DAY, "13:30"), at(DAY, "15:00"))  # going on
    make_activity(house, "Taalcafé", at(DAY, "19:00"), at(DAY, "20:30"), place="Bibliotheek")
    make_activity(house, "Bewonersoverleg", at(DAY, "16:00"), at(DAY, "17:00"), audience=Audience.MEMBERS)
    make_activity(house, "Afgelast", at(DAY, "17:00"), at(DAY, "18:00"), status=Activity.Status.CANCELLED)
    make_activity(other_house, "Bij de buren", at(DAY, "15:00"), at(DAY, "16:00"))
    make_activity(house, "Wandelen", at(tomorrow, "10:00"), at(tomorrow, "11:30"), place="Park")
    make_activity(
        house, "Overmorgen", at(DAY + dt.timedelta(days=2), "10:00"), at(DAY + dt.timedelta(days=2), "11:00")
    )

    content = content_nl(house)
    today = [(a.title, a.start.strftime("%H:%M"), a.place, a.running) for a in content.today_activities]
    assert today == [
        ("Koffie en krant", "13:30", "Het plein", True),
        ("Taalcafé", "19:00", "Bibliotheek", False),
    ]
    assert content.today_total == 3
    assert [(a.title, a.place) for a in content.tomorrow_activities] == [("Wandelen", "Park")]


def test_long_days_are_capped_with_how_many_more(house):
    for hour in range(15, 22):
        make_activity(house, f"Activiteit {hour}", at(DAY, f"{hour}:00"), at(DAY, f"{hour}:30"))
    content = content_nl(house)
    assert len(content.today_activities) == 4
    assert content.today_more == 3


def test_news_only_public_and_published_latest_three(house, other_house):
    make_post(house, "Oud nieuws", publish_at=timezone.now() - dt.timedelta(days=10))
    make_post(house, "Nieuwe stoelen", publish_at=timezone.now() - dt.timedelta(days=2))
    make_post(None, "Voor alle huizen", publish_at=timezone.now() - dt.timedelta(days=1))
    make_post(house, "Koffie op vrijdag")
    make_post(house, "Alleen voor leden", audience=Post.Audience.MEMBERS)
    make_post(house, "Concept", status=Post.Status.DRAFT)
    make_post(house, "Straks", publish_at=NOW + dt.timedelta(hours=1))
    make_post(other_house, "Bij de buren")

    titles = [p.title for p in content_nl(house).news]
    assert titles == ["Koffie op vrijdag", "Voor alle huizen", "Nieuwe stoelen"]


def test_opening_hours_of_today(house):
    # DAY is a Saturday (weekday 5)
    OpeningHours.objects.create(house=house, weekday=5, opens=dt.time(14), closes=dt.time(17))
    OpeningHours.objects.create(house=house, weekday=5, opens=dt.time(10), closes=dt.time(12))
    OpeningHours.objects.create(house=house, weekday=0, opens=dt.time(9), closes=dt.time(12))
    assert [h.opens.hour for h in content_nl(house).opening_hours] == [10, 14]


@pytest.mark.parametrize(
    "day",
    [dt.date(2030, 1, 12), dt.date(2030, 3, 31), dt.date(2030, 7, 13), dt.date(2030, 10, 27)],
    ids=["winter", "clocks-forward", "summer", "clocks-back"],
)
def test_times_are_in_amsterdam_time(house, room, resident, day):
    make_booking(room, resident, at(day, "19:00"), at(day, "21:00"), title="Bingo", is_public=True)
    make_activity(house, "Bingo", at(day, "19:00"), at(day, "21:00"))
    content = content_nl(house, at(day, "08:30"))
    assert content.now.strftime("%H:%M") == "08:30"
    assert content.today == day
    [shown] = content.rooms
    assert (shown.next.start.strftime("%H:%M"), shown.next.end.strftime("%H:%M")) == ("19:00", "21:00")
    assert [a.start.strftime("%H:%M") for a in content.today_activities] == ["19:00"]


# --- the screen page -------------------------------------------------------------------------


def test_screen_without_login_with_its_headers(client, house, room, resident, fixed_now):
    make_booking(room, resident, at(DAY, "13:00"), at(DAY, "15:00"), title="Verjaardag van Bea")
    make_activity(house, "Taalcafé", at(DAY, "19:00"), at(DAY, "20:30"), place="Bibliotheek")
    make_post(house, "Koffie op vrijdag")
    OpeningHours.objects.create(house=house, weekday=5, opens=dt.time(10), closes=dt.time(12))
    screen = screen_for(house)

    response = client.get(screen_url(screen))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "no-referrer"
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert '<meta http-equiv="refresh" content="60">' in html
    assert "Zaterdag 23 november" in html and "14:05" in html
    assert "Inloop vandaag:" in html and "10:00–12:00" in html
    assert "Nu in huis" in html and "Bezet" in html and "tot 15:00" in html
    assert "Vandaag verder niets" in html
    assert "19:00–20:30" in html and "Taalcafé" in html and "Bibliotheek" in html
    assert "Morgen staat er niets op het programma." in html
    assert "Koffie op vrijdag" in html
    # Never who booked or what a private booking is for; no menu, no forms, one link: stop refreshing.
    for hidden in ("Verjaardag van Bea", "Bea Bewoner", "<nav", "<form"):
        assert hidden not in html
    assert html.count("<a ") == 1 and 'href="?verversen=uit"' in html


def test_the_reloading_can_be_turned_off(client, house):
    screen = screen_for(house)
    url = reverse("news:screen", kwargs={"house": house.slug, "token": screen.token})
    html = client.get(url, {"verversen": "uit"}).content.decode()
    assert 'http-equiv="refresh"' not in html
    assert "Dit scherm ververst zich nu niet vanzelf." in html
    assert f'<a href="{url}">Weer elke minuut verversen</a>' in html


def test_empty_screen_says_so(client, house, room, fixed_now):
    html = client.get(screen_url(screen_for(house))).content.decode()
    assert "Vrij" in html
    assert "Vandaag staat er niets op het programma." in html
    assert "Er is nog geen nieuws." in html
    assert "Vandaag is er geen inloop." in html


def test_when_todays_activities_are_over(client, house, fixed_now):
    make_activity(house, "Ochtendgymnastiek", at(DAY, "09:00"), at(DAY, "10:00"))
    html = client.get(screen_url(screen_for(house))).content.decode()
    assert "De activiteiten van vandaag zijn voorbij." in html
    assert "Ochtendgymnastiek" not in html


def test_news_photo_on_the_screen(client, house, fixed_now):
    post = make_post(house, "Nieuwe stoelen")
    PostImage.objects.create(
        post=post,
        detail="news/a-detail.jpg",
        listing="news/a-listing.jpg",
        printed="news/a-printed.jpg",
        width=800,
        height=600,
        alt="Zes nieuwe stoelen rond de tafel",
    )
    html = client.get(screen_url(screen_for(house))).content.decode()
    assert 'src="/media/news/a-listing.jpg" alt="Zes nieuwe stoelen rond de tafel"' in html


def test_wrong_token_is_404(client, house):
    screen_for(house)
    url = reverse("news:screen", kwargs={"house": house.slug, "token": "geen-echte-sleutel"})
    assert client.get(url).status_code == 404


def test_no_screen_yet_is_404(client, house):
    url = reverse("news:screen", kwargs={"house": house.slug, "token": "x" * 32})
    assert client.get(url).status_code == 404
    assert not Screen.objects.exists()


def test_token_of_another_house_is_404_under_this_house(client, house, other_house):
    screen_for(house)
    theirs = screen_for(other_house)
    url = reverse("news:screen", kwargs={"house": house.slug, "token": theirs.token})
    assert client.get(url).status_code == 404
    assert client.get(screen_url(theirs)).status_code == 200


def test_old_token_is_404_after_renewing(client, house, coordinator):
    screen = screen_for(house)
    old_url = screen_url(screen)
    assert client.get(old_url).status_code == 200
    renewed = renew_screen(house, coordinator)
    assert client.get(old_url).status_code == 404
    assert client.get(screen_url(renewed)).status_code == 200


def test_screen_of_an_inactive_house_is_404(client, house):
    screen = screen_for(house)
    house.is_active = False
    house.save()
    assert client.get(screen_url(screen)).status_code == 404


def test_the_tv_follows_a_new_short_name_only_with_the_right_secret(client, house):
    screen = screen_for(house)
    old_url = screen_url(screen)
    house.slug = "w4-plein"
    house.save()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == f"/w4-plein/scherm/{screen.token}/"
    wrong = reverse("news:screen", kwargs={"house": "w4", "token": "geen-echte-sleutel"})
    assert client.get(wrong).status_code == 404


def test_screen_is_read_only(client, house):
    assert client.post(screen_url(screen_for(house))).status_code == 405


def _big_house(house, other_house, resident):
    """Three rooms with a day full of bookings, a busy programme, lots of news with photos."""
    for name in ("Huiskamer", "Keuken", "Tuinkamer"):
        room = make_room(house, name)
        for hour in range(8, 22, 2):
            make_booking(
                room, resident, at(DAY, f"{hour}:00"), at(DAY, f"{hour + 1}:00"), is_public=hour % 4 == 0
            )
    for day in (DAY, DAY + dt.timedelta(days=1)):
        for hour in range(9, 21):
            make_activity(house, f"Activiteit {hour}", at(day, f"{hour}:00"), at(day, f"{hour}:45"))
    for n in range(12):
        post = make_post(house if n % 2 else None, f"Bericht {n}")
        for position in range(3):
            PostImage.objects.create(
                post=post,
                detail=f"news/{n}-{position}-detail.jpg",
                listing=f"news/{n}-{position}-listing.jpg",
                printed=f"news/{n}-{position}-printed.jpg",
                width=800,
                height=600,
                alt="Een foto",
                position=position,
            )
    for weekday in range(7):
        OpeningHours.objects.create(house=house, weekday=weekday, opens=dt.time(10), closes=dt.time(12))


# Screen + house, rooms, their bookings, activities, posts, their images, opening hours.
SCREEN_QUERIES = 7


@pytest.mark.parametrize("size", ["small", "large"])
def test_query_budget(client, house, other_house, resident, fixed_now, django_assert_max_num_queries, size):
    if size == "large":
        _big_house(house, other_house, resident)
    url = screen_url(screen_for(house))
    with django_assert_max_num_queries(SCREEN_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    if size == "large":
        html = response.content.decode()
        assert "En nog 3 activiteiten" in html and "En nog 9 activiteiten" in html
        assert html.count('class="screen-room"') == 3


# --- the page to manage the screen -----------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("staff", 200),
        ("superuser", 200),
        ("resident", 403),
        ("student", 403),
        ("viewer", 403),
        ("outsider", 403),
    ],
)
def test_who_may_manage_the_screen(request, client_for, house, persona, status):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(manage_url(house)).status_code == status


def test_anonymous_is_sent_to_log_in(client, house):
    response = client.get(manage_url(house))
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login")


def test_management_page_shows_the_address(client_for, house, coordinator):
    response = client_for(coordinator).get(manage_url(house))
    screen = Screen.objects.get(house=house)
    html = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert "Adres voor de tv" in html
    assert f'value="http://testserver/w4/scherm/{screen.token}/"' in html
    # In groups of four, to type with a remote control.
    assert f'<span class="screen-token-group">{screen.token[:4]}</span>' in html
    assert f'href="/w4/scherm/{screen.token}/"' in html and "Bekijk het scherm" in html
    assert 'src="data:image/svg+xml;base64,' in html
    renewed = timezone.localtime(screen.renewed_at)
    assert f"om {renewed:%H:%M}" in html
    assert "De oude link werkt dan meteen niet meer" in html


def test_renew_through_the_form(client_for, house, coordinator):
    client = client_for(coordinator)
    old = screen_for(house)
    page = client.get(manage_url(house))
    form = parse_form(page.content, form_id="screen-renew-form")
    assert "confirm" in form.field_names

    response = client.post(form.action, form.submit_data(confirm="on"), follow=True)

    assert response.redirect_chain == [(manage_url(house), 302)]
    html = response.content.decode()
    assert "Het scherm heeft een nieuw adres. De oude link werkt niet meer" in html
    new = Screen.objects.get(house=house)
    assert new.token != old.token and new.renewed_at > old.renewed_at
    assert new.token in html and old.token not in html
    assert client.get(screen_url(old)).status_code == 404
    event = AuditEvent.objects.get(action="screen.renewed")
    assert event.actor == coordinator and event.house == house
    assert new.token not in str(event.changes) + event.target_repr and old.token not in event.target_repr


def test_renew_needs_the_tick(client_for, house, staff):
    client = client_for(staff)
    old = screen_for(house)
    form = parse_form(client.get(manage_url(house)).content, form_id="screen-renew-form")

    response = client.post(form.action, form.data)

    assert response.status_code == 200
    assert "Zet eerst een vinkje" in response.content.decode()
    assert Screen.objects.get(house=house).token == old.token


@pytest.mark.parametrize("persona", ["resident", "viewer", "outsider"])
def test_others_cannot_renew(request, client_for, house, persona):
    old = screen_for(house)
    url = reverse("news:screen_renew", kwargs={"house": house.slug})
    response = client_for(request.getfixturevalue(persona)).post(url, {"confirm": "on"})
    assert response.status_code == 403
    assert Screen.objects.get(house=house).token == old.token


def test_the_service_refuses_others_too(house, resident):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        renew_screen(house, resident)


def test_screen_in_the_house_menu_for_coordinators_only(client_for, house, coordinator, resident):
    link = f'href="{manage_url(house)}"'
    assert link in client_for(coordinator).get(house.get_absolute_url()).content.decode()
    assert ">Scherm<" in client_for(coordinator).get(house.get_absolute_url()).content.decode()
    assert link not in client_for(resident).get(house.get_absolute_url()).content.decode()
