"""/<house>/archief/: staff end a house as the page renders it, and download the final export; an
ended house refuses every change with the archive page, and no longer shows up where new things start.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Booking, Idea, Signup
from care.models import Worry
from care.worries import raise_worry
from news.models import Comment, Post
from residents import ending
from residents.models import AuditEvent, House, User
from tests.activities.factories import days_ahead, make_booking, make_room
from tests.factories import make_user
from tests.forms import parse_form
from tests.residents.test_leaving_views import reauthenticate, recently

pytestmark = pytest.mark.usefixtures("mfa_off")

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
WORRY_WORDS = "Ik heb schulden bij de energie en durf de post niet meer open te maken"
FILES = {
    "README.txt",
    "leden.csv",
    "reserveringen.csv",
    "activiteiten.csv",
    "aanmeldingen.csv",
    "ideeen.csv",
    "peilingen.csv",
    "uren.csv",
    "taken.csv",
    "nieuws.csv",
    "koffiekrant.csv",
    "meldingen.csv",
    "logboek.csv",
}


def url(house) -> str:
    return reverse("residents:archive", kwargs={"house": house.slug})


@pytest.fixture
def w4(house, resident, student, coordinator, staff, outsider):
    now = timezone.now()
    room = make_room(house)
    coming = make_booking(room, resident, now + 3 * DAY, now + 3 * DAY + 2 * HOUR, title="Verjaardag Truus")
    quiz = Activity.objects.create(
        house=house,
        title="Buurtquiz",
        category="games",
        place="Het plein",
        period=DateTimeTZRange(now + 5 * DAY, now + 5 * DAY + 2 * HOUR),
        signup_required=True,
        capacity=10,
    )
    Signup.objects.create(activity=quiz, person=resident, status="confirmed")
    post = Post.objects.create(house=house, title="Zomerfeest", body="Kom allemaal", status="published")
    Idea.objects.create(house=house, proposer=resident, title="Moestuin")
    raise_worry(
        house=house,
        data={"about": "self", "category": "money", "message": WORRY_WORDS, "contact_by": "email"},
        channel="website",
        by=resident,
    )
    return {"room": room, "coming": coming, "quiz": quiz, "post": post}


def end_as_staff(client, house):
    """Submit the form as rendered, ticked, and prove it is them: the house ends."""
    form = parse_form(client.get(url(house)).content, form_id="end-house-form")
    response = client.post(url(house), form.submit_data(understood="on"))
    return reauthenticate(client, response)


# --- before the end -----------------------------------------------------------------------------


def test_the_page_says_what_ending_means_with_the_numbers(client_for, house, staff, w4):
    response = client_for(staff).get(url(house))
    assert response.status_code == 200
    text = response.content.decode()
    assert "<h1>W4, Witmondplein 4 beëindigen</h1>" in text
    assert "1 reservering van de huiskamer" in text
    assert "1 activiteit" in text and "1 aanmelding voor een activiteit" in text
    # resident, student, coordinator (the staff member who ends it knows)
    assert "3 mensen krijgen een e-mail" in text
    assert "365 dagen daarna" in text
    assert "Dit kan niet ongedaan worden." in text
    assert "understood" in parse_form(response.content, form_id="end-house-form").field_names
    assert 'id="house-export-form"' not in text


def test_without_ticking_the_box_nothing_happens(client_for, house, staff, w4):
    client = client_for(staff)
    recently(client, staff, reauthenticated=True)
    form = parse_form(client.get(url(house)).content, form_id="end-house-form")
    response = client.post(url(house), form.submit_data())
    assert response.status_code == 200
    assert "Vink het vakje aan om te bevestigen dat je het huis wilt beëindigen." in response.content.decode()
    assert House.objects.get(pk=house.pk).ended_at is None
    assert Booking.objects.get(pk=w4["coming"].pk).status == "confirmed"


def test_ending_asks_for_the_password_again_then_ends(client_for, house, staff, w4):
    client = client_for(staff)
    form = parse_form(client.get(url(house)).content, form_id="end-house-form")
    response = client.post(url(house), form.submit_data(understood="on"))
    assert House.objects.get(pk=house.pk).ended_at is None  # not before the password
    response = reauthenticate(client, response)
    assert response.status_code == 302 and response["Location"] == url(house)
    assert House.objects.get(pk=house.pk).ended_at is not None
    assert Booking.objects.get(pk=w4["coming"].pk).status == "cancelled"
    page = client.get(url(house)).content.decode()
    assert "W4, Witmondplein 4 is beëindigd. De leden krijgen een e-mail." in page
    assert "<h1>Archief van W4, Witmondplein 4</h1>" in page
    assert "Mila Medewerker heeft het huis beëindigd." in page
    assert 'id="house-export-form"' in page and 'id="end-house-form"' not in page
    assert "Dit huis is gestopt op" in page  # the banner


def test_a_wrong_password_ends_nothing(client_for, house, staff, w4):
    client = client_for(staff)
    form = parse_form(client.get(url(house)).content, form_id="end-house-form")
    response = client.post(url(house), form.submit_data(understood="on"))
    page = client.get(response["Location"])
    reauth = parse_form(page.content, has_field="password")
    answer = client.post(response["Location"], reauth.submit_data(password="niet-het-wachtwoord"))
    assert answer.status_code == 200
    assert House.objects.get(pk=house.pk).ended_at is None


def test_only_staff_of_the_house_may(client_for, house, coordinator, outsider, w4):
    for person in (coordinator, outsider):
        assert client_for(person).get(url(house)).status_code == 403
        response = client_for(person).post(url(house), {"understood": "on"})
        assert response.status_code == 403
    assert House.objects.get(pk=house.pk).ended_at is None


def test_the_export_waits_for_the_end(client_for, house, staff, w4):
    response = client_for(staff).post(url(house), {"export": "1"}, follow=True)
    assert "De eindexport kun je maken zodra het huis is beëindigd." in response.content.decode()
    assert not AuditEvent.objects.filter(action="house.exported").exists()


def test_the_page_reads_few_rows_whatever_the_size(
    client_for, house, staff, w4, django_assert_max_num_queries
):
    client = client_for(staff)
    client.get(url(house))  # sessions and caches warm
    with django_assert_max_num_queries(12):
        small = client.get(url(house))
    now = timezone.now()
    for n in range(30):
        make_booking(
            w4["room"],
            make_user(f"p{n}@example.nl", f"Persoon {n}", house, "resident"),
            now + (10 + n) * DAY,
            now + (10 + n) * DAY + HOUR,
        )
    with django_assert_max_num_queries(12):
        large = client.get(url(house))
    assert "31 reserveringen van de huiskamer" in large.content.decode()
    assert small.status_code == large.status_code == 200


# --- after the end ------------------------------------------------------------------------------


@pytest.fixture
def ended(house, staff, w4):
    ending.end_house(house, by=staff)
    return House.objects.get(pk=house.pk)


def rows(archive: zipfile.ZipFile, name: str) -> list[list[str]]:
    text = archive.read(name).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_final_export_holds_every_kind_of_record_and_no_worry_text(client_for, ended, staff, w4):
    client = client_for(staff)
    form = parse_form(client.get(url(ended)).content, form_id="house-export-form")
    response = client.post(form.action, form.submit_data(button="export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="wijkhuis-w4-archief-')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == FILES
    everything = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    assert WORRY_WORDS not in everything and "schulden bij" not in everything
    assert rows(archive, "meldingen.csv") == [
        ["Soort", "Status", "Aantal"],
        ["geld en schulden", "ontvangen", "1"],
    ]
    members = rows(archive, "leden.csv")
    assert members[0][:4] == ["Naam", "E-mailadres", "Rol", "Status"]
    assert ["Bea Bewoner", "bewoner@example.nl", "bewoner", "goedgekeurd"] in [r[:4] for r in members]
    bookings = rows(archive, "reserveringen.csv")
    assert [r[5] for r in bookings[1:]] == ["Verjaardag Truus"] and bookings[1][7] == "geannuleerd"
    activities = rows(archive, "activiteiten.csv")
    assert activities[0][11:15] == ["Aangemeld", "Op de wachtlijst", "Gekomen", "Binnenlopers"]
    assert [(r[1], r[8]) for r in activities[1:]] == [("Buurtquiz", "geannuleerd")]
    assert [r[3] for r in rows(archive, "aanmeldingen.csv")[1:]] == ["Bea Bewoner"]
    assert [r[2] for r in rows(archive, "ideeen.csv")[1:]] == ["Moestuin"]
    assert any("Zomerfeest" in r for r in rows(archive, "nieuws.csv"))
    trail = rows(archive, "logboek.csv")
    assert any("Huis beëindigd: nu een archief" in r for r in trail)
    assert any("Eindexport van het huis gemaakt" in r for r in trail)  # the export lists itself
    readme = archive.read("README.txt").decode("utf-8")
    assert readme.startswith("Eindexport van W4, Witmondplein 4")
    assert (
        "meldingen.csv" in readme
        and "De bewaartermijnen lopen vanaf de datum waarop het huis stopte" in readme
    )
    row = AuditEvent.objects.get(action="house.exported")
    assert (row.actor, row.house) == (staff, ended)
    # The page lists the export made.
    assert "Eerder gemaakt" in client.get(url(ended)).content.decode()


def test_ending_again_only_says_it_has_ended(client_for, ended, staff):
    response = client_for(staff).post(url(ended), {"understood": "on"}, follow=True)
    assert "Dit huis is al beëindigd." in response.content.decode()
    assert AuditEvent.objects.filter(action="house.ended").count() == 1


def test_every_page_of_the_archive_says_so(client_for, ended, resident):
    for client in (client_for(None), client_for(resident)):
        page = client.get(ended.get_absolute_url()).content.decode()
        assert "Dit huis is gestopt op" in page and "Dit is een archief." in page


def test_changes_in_an_ended_house_get_the_archive_page_and_save_nothing(
    client_for, house, staff, resident, w4
):
    client = client_for(resident)
    book = reverse("activities:book", kwargs={"house": house.slug})
    booking_form = parse_form(client.get(book).content, has_field="title")
    idea_add = reverse("activities:idea_add", kwargs={"house": house.slug})
    idea_form = parse_form(client.get(idea_add).content, has_field="title")
    ending.end_house(house, by=staff)
    counts = (Booking.objects.count(), Signup.objects.count(), Idea.objects.count(), Comment.objects.count())

    day = days_ahead(7).isoformat()
    attempts = [
        (book, booking_form.submit_data(title="Verjaardag oma", date=day, start="14:00", end="16:00")),
        (reverse("activities:signup", kwargs={"house": house.slug, "pk": w4["quiz"].pk}), {}),
        (
            reverse("activities:signup_cancel", kwargs={"house": house.slug, "pk": w4["quiz"].pk}),
            {},
        ),
        (idea_add, idea_form.submit_data(title="Buurtbarbecue")),
        (reverse("news:comment_add", kwargs={"house": house.slug, "pk": w4["post"].pk}), {"body": "Leuk!"}),
        (reverse("activities:cancel", kwargs={"house": house.slug, "pk": w4["coming"].pk}), {"reason": "x"}),
    ]
    for target, data in attempts:
        response = client.post(target, data)
        assert response.status_code == 403, target
        text = response.content.decode()
        assert "<h1>Dit huis is gestopt</h1>" in text, target
        assert "Het is nu een archief: je kunt hier niets meer reserveren of veranderen." in text
    assert (
        Booking.objects.count(),
        Signup.objects.count(),
        Idea.objects.count(),
        Comment.objects.count(),
    ) == counts


def test_staff_still_delete_a_persons_data_on_request_in_the_archive(client_for, ended, staff, resident):
    client = client_for(staff)
    erase = reverse("residents:erase", kwargs={"house": ended.slug, "user_id": resident.pk})
    form = parse_form(client.get(erase).content, form_id="erase-form")
    recently(client, staff, reauthenticated=True)
    response = client.post(erase, form.submit_data(understood="on", asked="phone"))
    assert response.status_code == 302
    assert User.objects.get(pk=resident.pk).erased_at is not None


def test_an_ended_house_is_no_longer_offered_where_new_things_start(
    client_for, ended, other_house, make_user
):
    # Joining: the house list (for someone without a house); raising a worry: /melden/ goes straight
    # to the only house still going.
    newcomer = make_user("nieuw@example.nl", "Nina Nieuw")
    offered = client_for(newcomer).get(reverse("mine")).context["choose_form"].fields["house"].queryset
    assert other_house in offered
    assert ended not in offered
    assert ended not in client_for(None).get(reverse("mine"), follow=True).context.get("houses", [])
    response = client_for(None).get("/melden/")
    assert response.status_code == 302 and response["Location"].startswith(f"/{other_house.slug}/")


def test_the_menu_has_the_archive_for_staff_only(client_for, house, staff, resident, w4):
    archive = url(house)
    assert f'href="{archive}"' in client_for(staff).get(house.get_absolute_url()).content.decode()
    assert f'href="{archive}"' not in client_for(resident).get(house.get_absolute_url()).content.decode()


def test_the_export_reads_a_fixed_number_of_queries(ended, w4, student, django_assert_max_num_queries):
    from wijkhuis.house_export import build_zip

    with django_assert_max_num_queries(16):
        build_zip(ended)
    start = timezone.now() - 30 * DAY
    for n in range(20):
        person = make_user(f"p{n}@example.nl", f"Persoon {n}", ended, "resident")
        make_booking(w4["room"], person, start + n * DAY, start + n * DAY + HOUR, took_place=True)
        Signup.objects.create(activity=w4["quiz"], person=person, status="cancelled")
    with django_assert_max_num_queries(16):
        archive = zipfile.ZipFile(io.BytesIO(build_zip(ended)))
    assert len(rows(archive, "reserveringen.csv")) == 22
    assert Worry.objects.filter(house=ended).count() == 1
    assert "bewoner@example.nl" not in archive.read("meldingen.csv").decode("utf-8")


def test_archive_allowed_works_above_and_below_house_view(rf, ended, staff):
    from django.http import HttpResponse

    from residents.decorators import archive_allowed, house_view

    def changed(request, house):
        return HttpResponse("changed")

    below = house_view(archive_allowed(changed))
    above = archive_allowed(house_view(changed))
    plain = house_view(changed)
    for view, expected in ((below, 200), (above, 200), (plain, 403)):
        request = rf.post("/w4/iets/")
        request.user = staff
        assert view(request, house=ended.slug).status_code == expected
    request = rf.get("/w4/iets/")
    request.user = staff
    assert plain(request, house=ended.slug).status_code == 200  # reading is always fine
