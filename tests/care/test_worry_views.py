"""Worry pages as people use them: forms submitted as rendered, bad input with a clear message and nothing
saved, the honeypot and the flood limit, who sees what (403/404), the list's query budget, and that error
reports never carry what was typed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.views.debug import SafeExceptionReporterFilter

from care import worries
from care.models import Worry
from residents.models import AuditEvent, Organisation
from tests.factories import make_house
from tests.forms import parse_form

pytestmark = pytest.mark.usefixtures("mfa_off")

PERSONAS_WITHOUT_ROLE = ["resident", "student", "viewer", "outsider", "superuser"]
WORDS = "Mijn buurman is al dagen niet buiten geweest. Ik maak me zorgen."


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


@pytest.fixture
def partner(house):
    org = Organisation.objects.create(name="Schuldhulp Groningen", kind=Organisation.Kind.DEBT_HELP)
    house.partners.add(org)
    return org


@pytest.fixture
def worry(house, resident):
    return worries.raise_worry(
        house=house,
        data={"about": "self", "category": "money", "message": "Ik heb schulden.", "contact_by": "email"},
        channel="website",
        by=resident,
    )


def raise_url(house):
    return reverse("care:raise", kwargs={"house": house.slug})


def url(name, worry, **extra):
    return reverse(f"care:{name}", kwargs={"house": worry.house.slug, "pk": worry.pk, **extra})


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def fill_as_visitor(form, **changes):
    answers = {
        "about": "neighbour",
        "category": "loneliness",
        "message": WORDS,
        "contact_by": "phone",
        "name": "Fatima",
        "phone": "06 12345678",
        "email": "fatima@example.nl",
    }
    return form.submit_data(**{**answers, **changes})


# --- raising a worry -----------------------------------------------------------------------------


def test_the_form_asks_a_visitor_for_a_name_and_a_way_to_reach_them(client, house):
    response = client.get(raise_url(house))
    assert response.status_code == 200
    form = parse_form(response.content, form_id="worry-form")
    assert set(form.field_names) >= {
        "about", "category", "message", "contact_by", "contact_when", "name", "phone", "email", "address",
        "website",
    }  # fmt: skip
    page = text_of(response)
    for words in (
        "Alleen nodig als je wilt dat we je bellen.",
        "Alleen nodig als je wilt dat we bij je langskomen.",
    ):
        assert words in page
    # Where to go when it cannot wait.
    for number in ('href="tel:112"', 'href="tel:113"', 'href="tel:08000113"', 'href="tel:08002000"'):
        assert number in page
    assert "Veilig Thuis" in page and "huisarts" in page
    # The honeypot: off screen, out of the tab order, hidden from screen readers.
    assert re.search(r'<div[^>]*class="worry-hp"[^>]*aria-hidden="true"', page)
    assert re.search(r'<input[^>]*name="website"[^>]*tabindex="-1"', page)
    assert 'autocomplete="off"' in page


def test_a_member_is_not_asked_for_name_and_e_mail_again(client_for, house, resident):
    resident.phone = "050 1234567"
    resident.save()
    response = client_for(resident).get(raise_url(house))
    form = parse_form(response.content, form_id="worry-form")
    assert "name" not in form.field_names and "email" not in form.field_names
    assert form.data["phone"] == "050 1234567"
    assert "bewoner@example.nl" in text_of(response)


def test_a_visitor_raises_a_worry_about_loneliness(
    client, house, coordinator, django_capture_on_commit_callbacks
):
    form = parse_form(client.get(raise_url(house)).content, form_id="worry-form")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(raise_url(house), fill_as_visitor(form))
    assert response.status_code == 302
    assert response["Location"] == reverse("care:received", kwargs={"house": house.slug})
    worry = Worry.objects.get()
    assert (worry.category, worry.about, worry.name, worry.message) == (
        "loneliness",
        "neighbour",
        "Fatima",
        WORDS,
    )
    assert worry.raised_by is None and worry.channel == "website"
    assert sorted(a for m in mail.outbox for a in m.to) == ["coordinator@example.nl", "fatima@example.nl"]

    receipt = client.get(response["Location"])
    page = text_of(receipt)
    assert "Dank je wel. We hebben je melding ontvangen." in page
    assert 'href="tel:112"' in page and "0800-0113" in page and "0800-2000" in page
    assert WORDS not in page and "Eenzaamheid" not in page and "Fatima" not in page


def test_a_member_raises_a_worry_and_sees_the_way_to_my_page(client_for, house, resident):
    client = client_for(resident)
    form = parse_form(client.get(raise_url(house)).content, form_id="worry-form")
    data = form.submit_data(about="self", category="money", contact_by="email")
    response = client.post(raise_url(house), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("care:received", kwargs={"house": house.slug})
    assert Worry.objects.get().raised_by == resident
    assert "Naar Mijn pagina" in text_of(response)


@pytest.mark.parametrize(
    ("changes", "anchor", "message"),
    [
        (
            {"phone": "", "email": "", "contact_by": "drop_in"},
            "id_phone",
            "Vul een telefoonnummer of e-mailadres in. Dan kunnen we je bereiken.",
        ),
        ({"phone": ""}, "id_phone", "Je koos voor bellen. Vul je telefoonnummer in."),
        ({"contact_by": "visit"}, "id_address", "Je koos voor een bezoek. Vul je adres in."),
        ({"name": ""}, "id_name", "Vul je naam in. Dan weten we naar wie we moeten vragen."),
        ({"category": ""}, "id_category_0", "Kies waar het over gaat."),
        ({"message": "x" * 2001}, "id_message", "Dit mag maximaal 2000 tekens hebben. Nu zijn het er 2001."),
        ({"email": "fatima(at)example.nl"}, "id_email",
         "Vul een e-mailadres in, bijvoorbeeld naam@voorbeeld.nl."),
        ({"contact_when": "x" * 201}, "id_contact_when",
         "Dit mag maximaal 200 tekens hebben. Nu zijn het er 201."),
    ],
    ids=["unreachable", "call-without-phone", "visit-without-address", "no-name", "no-category", "too-long",
         "bad-email", "long-when"],
)  # fmt: skip
def test_bad_input_gets_a_clear_message_linked_from_the_top_and_nothing_is_saved(
    client, house, coordinator, changes, anchor, message
):
    form = parse_form(client.get(raise_url(house)).content, form_id="worry-form")
    response = client.post(raise_url(house), fill_as_visitor(form, **changes))
    assert response.status_code == 200
    page = text_of(response)
    summary = page.split('class="alert alert-danger error-summary"')[1].split("</div>")[0]
    assert f'href="#{anchor}"' in summary and message in summary
    assert "Je melding is nog niet verstuurd." in summary
    assert page.count(message) >= 2  # at the top and at the field
    assert "<title>Nog niet verstuurd: " in page
    assert not Worry.objects.exists() and mail.outbox == []
    # What was typed stays in the form, so nobody has to start again.
    again = parse_form(response.content, form_id="worry-form")
    assert again.data["message"] == (changes.get("message") or WORDS)


def test_the_honeypot_looks_accepted_to_a_bot_but_saves_nothing(client, house, coordinator):
    form = parse_form(client.get(raise_url(house)).content, form_id="worry-form")
    response = client.post(raise_url(house), fill_as_visitor(form, website="https://cheap-pills.example"))
    assert response.status_code == 302
    assert response["Location"] == reverse("care:received", kwargs={"house": house.slug})
    assert not Worry.objects.exists() and mail.outbox == []
    assert not AuditEvent.objects.filter(action__startswith="worry.").exists()


def test_a_flood_from_one_address_gets_a_clear_message_and_nothing_is_saved(client, house):
    form = parse_form(client.get(raise_url(house)).content, form_id="worry-form")
    for _n in range(3):
        assert client.post(raise_url(house), fill_as_visitor(form)).status_code == 302
    response = client.post(raise_url(house), fill_as_visitor(form, message="Nummer vier"))
    assert response.status_code == 200
    page = text_of(response)
    assert "Vanaf deze internetverbinding zijn kort geleden veel meldingen verstuurd." in page
    assert "Bel of kom langs bij W4, Witmondplein 4" in page
    assert Worry.objects.count() == 3 and not Worry.objects.filter(message="Nummer vier").exists()
    # Someone else, from another address, still gets through.
    other = client.post(raise_url(house), fill_as_visitor(form), REMOTE_ADDR="198.51.100.20")
    assert other.status_code == 302 and Worry.objects.count() == 4


@pytest.mark.parametrize(
    "data",
    [
        {"about": ["self", "neighbour"], "category": "money", "contact_by": "phone", "phone": "1" * 5000},
        {"about": "x" * 10000, "category": "\x00", "contact_by": "\x00", "name": "\x00", "email": "\x00"},
        {"message": "\x00" * 10, "name": "Jan", "phone": "0612345678", "about": "self", "category": "other",
         "contact_by": "drop_in"},
        {},
    ],
    ids=["lists-and-long", "nul-everywhere", "only-nul-message", "empty"],
)  # fmt: skip
def test_strange_input_never_gives_a_server_error(client, house, data):
    response = client.post(raise_url(house), data)
    assert response.status_code in (200, 302)
    assert all("\x00" not in w.message + w.name for w in Worry.objects.all())


def test_melden_asks_which_house_or_goes_straight_to_the_only_one(client, house, other_house):
    response = client.get(reverse("care:raise_choose"))
    assert response.status_code == 200
    page = text_of(response)
    assert raise_url(house) in page and raise_url(other_house) in page
    other_house.is_active = False
    other_house.save()
    response = client.get(reverse("care:raise_choose"))
    assert response.status_code == 302 and response["Location"] == raise_url(house)


def test_melden_puts_your_own_house_first(client_for, house, other_house, outsider):
    page = text_of(client_for(outsider).get(reverse("care:raise_choose")))
    assert page.index(raise_url(other_house)) < page.index(raise_url(house))
    assert "jouw huis" in page


# --- who sees what -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "staff"])
def test_the_team_sees_the_list_and_the_worry(request, client_for, house, worry, persona):
    person = request.getfixturevalue(persona)
    client = client_for(person)
    listing = client.get(reverse("care:worries", kwargs={"house": house.slug}))
    assert listing.status_code == 200
    assert worry.reference in text_of(listing)
    detail = client.get(url("worry", worry))
    assert detail.status_code == 200
    assert "Ik heb schulden." in text_of(detail)
    event = AuditEvent.objects.get(action="worry.viewed")
    assert (event.actor, event.target_id, event.target_repr) == (person, str(worry.pk), worry.reference)


@pytest.mark.parametrize("persona", PERSONAS_WITHOUT_ROLE)
def test_nobody_else_sees_the_list_or_a_worry(request, client_for, house, worry, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("care:worries", kwargs={"house": house.slug})).status_code == 403
    assert client.get(reverse("care:worry_enter", kwargs={"house": house.slug})).status_code == 403
    response = client.get(url("worry", worry))
    assert response.status_code == 404
    assert "schulden" not in text_of(response)
    for action in ("worry_take", "worry_contact", "worry_refer", "worry_close", "worry_reopen", "worry_note"):
        assert client.post(url(action, worry), {"contact-text": "Hoi", "note-text": "Hoi"}).status_code == 404
    worry.refresh_from_db()
    assert worry.status == "new" and not worry.notes.exists()
    assert not AuditEvent.objects.filter(action="worry.viewed").exists()


def test_not_logged_in_goes_to_the_login_page(client, house, worry):
    for target in (reverse("care:worries", kwargs={"house": house.slug}), url("worry", worry)):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={target}"


def test_a_resident_trying_another_persons_worry_by_id_gets_404(client_for, house, worry, student):
    theirs = worries.raise_worry(
        house=house,
        data={"about": "self", "category": "health", "message": "Geheim", "contact_by": "email"},
        channel="website",
        by=student,
    )
    client = client_for(worry.raised_by)
    for pk in (theirs.pk, theirs.pk + 1000):
        response = client.get(reverse("care:worry", kwargs={"house": house.slug, "pk": pk}))
        assert response.status_code == 404
        assert "Geheim" not in text_of(response)


def test_a_worry_of_another_house_is_not_found_through_this_house(
    client_for, house, other_house, coordinator, make_user
):
    theirs = worries.raise_worry(
        house=other_house,
        data={
            "about": "self",
            "category": "home",
            "phone": "0612345678",
            "name": "Bo",
            "contact_by": "phone",
        },
        channel="website",
    )
    client = client_for(coordinator)
    response = client.get(reverse("care:worry", kwargs={"house": house.slug, "pk": theirs.pk}))
    assert response.status_code == 404
    response = client.get(reverse("care:worry", kwargs={"house": other_house.slug, "pk": theirs.pk}))
    assert response.status_code == 404
    assert client.get(reverse("care:worries", kwargs={"house": other_house.slug})).status_code == 403


def test_actions_are_post_only(client_for, worry, coordinator):
    client = client_for(coordinator)
    for action in ("worry_take", "worry_contact", "worry_refer", "worry_close", "worry_reopen", "worry_note"):
        assert client.get(url(action, worry)).status_code == 405


def test_staff_without_two_step_login_are_sent_to_set_it_up(client_for, house, worry, coordinator, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client = client_for(coordinator)
    for target in (reverse("care:worries", kwargs={"house": house.slug}), url("worry", worry)):
        response = client.get(target)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert not AuditEvent.objects.filter(action="worry.viewed").exists()
    TOTP.activate(coordinator, generate_totp_secret())
    assert client.get(url("worry", worry)).status_code == 200


def test_the_team_pages_are_not_cached(client_for, worry, coordinator):
    response = client_for(coordinator).get(url("worry", worry))
    assert "no-store" in response["Cache-Control"]


# --- handling, through the forms as rendered --------------------------------------------------------


def test_take_contact_refer_close_and_reopen_through_the_page(client_for, worry, coordinator, staff, partner):
    client = client_for(coordinator)
    page = client.get(url("worry", worry))

    take = parse_form(page.content, form_id="take-form")
    response = client.post(take.action, take.submit_data(), follow=True)
    assert "Opgeslagen: wie deze melding oppakt." in messages_of(response)
    worry.refresh_from_db()
    assert (worry.status, worry.handler) == ("taken", coordinator)

    take = parse_form(response.content, form_id="take-form")
    response = client.post(take.action, take.submit_data(**{"take-handler": str(staff.pk)}), follow=True)
    worry.refresh_from_db()
    assert worry.handler == staff
    assert "Gegeven aan Mila Medewerker" in text_of(response)

    contact = parse_form(response.content, form_id="contact-form")
    response = client.post(
        contact.action, contact.submit_data(**{"contact-text": "Gebeld, ze wil hulp."}), follow=True
    )
    assert "Het contact is opgeslagen." in messages_of(response)
    assert "Gebeld, ze wil hulp." in text_of(response)

    refer = parse_form(response.content, form_id="refer-form")
    data = refer.submit_data(
        **{"refer-partner": str(partner.pk), "refer-consent": "on", "refer-text": "Afspraak"}
    )
    response = client.post(refer.action, data, follow=True)
    assert "De melding is doorverwezen." in messages_of(response)
    worry.refresh_from_db()
    assert (worry.status, worry.referred_to) == ("referred", partner) and worry.consent_at

    note = parse_form(response.content, form_id="note-form")
    response = client.post(note.action, note.submit_data(**{"note-text": "Bank belt terug."}), follow=True)
    assert "De notitie is opgeslagen." in messages_of(response)

    close = parse_form(response.content, form_id="close-form")
    response = client.post(close.action, close.submit_data(**{"close-outcome": "referred"}), follow=True)
    assert "De melding is afgesloten." in messages_of(response)
    worry.refresh_from_db()
    assert (worry.status, worry.outcome) == ("closed", "referred")
    assert "Afgesloten" in text_of(response)

    reopen = parse_form(response.content, form_id="reopen-form")
    response = client.post(reopen.action, reopen.submit_data(), follow=True)
    assert "De melding is weer open." in messages_of(response)
    worry.refresh_from_db()
    assert worry.status == "referred"
    actions = AuditEvent.objects.filter(target_id=str(worry.pk)).exclude(action="worry.viewed")
    assert list(actions.values_list("action", flat=True)) == [
        "worry.reopened", "worry.closed", "worry.note_added", "worry.referred", "worry.contact",
        "worry.taken", "worry.taken", "worry.raised",
    ]  # fmt: skip


def test_a_forged_handler_gets_a_clear_message_and_nothing_changes(client_for, worry, coordinator, resident):
    client = client_for(coordinator)
    take = parse_form(client.get(url("worry", worry)).content, form_id="take-form")
    response = client.post(take.action, take.submit_data(**{"take-handler": str(resident.pk)}))
    assert response.status_code == 200
    page = text_of(response)
    assert "Kies iemand van het team van dit huis." in page
    assert 'href="#id_take-handler"' in page
    worry.refresh_from_db()
    assert (worry.status, worry.handler) == ("new", None) and not worry.notes.exists()


def test_a_referral_without_consent_gets_a_clear_message_and_nothing_changes(
    client_for, worry, staff, partner
):
    client = client_for(staff)
    refer = parse_form(client.get(url("worry", worry)).content, form_id="refer-form")
    response = client.post(refer.action, refer.submit_data(**{"refer-partner": str(partner.pk)}))
    assert response.status_code == 200
    assert "Vraag eerst of de persoon het goed vindt. Zet daarna het vinkje." in text_of(response)
    worry.refresh_from_db()
    assert worry.referred_to is None and worry.consent_at is None and worry.status == "new"


def test_an_organisation_that_is_no_partner_of_the_house_is_refused(client_for, worry, staff, partner):
    stranger = Organisation.objects.create(name="Ergens Anders", kind=Organisation.Kind.CARE)
    client = client_for(staff)
    refer = parse_form(client.get(url("worry", worry)).content, form_id="refer-form")
    data = refer.submit_data(**{"refer-partner": str(stranger.pk), "refer-consent": "on"})
    response = client.post(refer.action, data)
    assert "Kies een van de partnerorganisaties van dit huis." in text_of(response)
    worry.refresh_from_db()
    assert worry.referred_to is None


def test_an_empty_contact_or_note_and_a_missing_outcome_are_refused(client_for, worry, staff):
    client = client_for(staff)
    for action, field, message in (
        ("worry_contact", "contact-text", "Schrijf in een paar woorden waar jullie het over hadden."),
        ("worry_note", "note-text", "Schrijf eerst de notitie."),
        ("worry_close", "close-outcome", "Kies hoe het is afgelopen."),
    ):
        response = client.post(url(action, worry), {field: ""})
        assert response.status_code == 200 and message in text_of(response)
    worry.refresh_from_db()
    assert worry.status == "new" and not worry.notes.exists()


def test_reopening_an_open_worry_says_so(client_for, worry, staff):
    response = client_for(staff).post(url("worry_reopen", worry), follow=True)
    assert "Deze melding is nog open." in messages_of(response)


def test_the_team_enters_a_worry_heard_at_the_coffee_table(client_for, house, staff):
    client = client_for(staff)
    enter_url = reverse("care:worry_enter", kwargs={"house": house.slug})
    form = parse_form(client.get(enter_url).content, form_id="worry-enter-form")
    assert "website" not in form.field_names
    data = form.submit_data(
        channel="coffee_table",
        about="neighbour",
        category="nuisance",
        message="Buren maken elke nacht ruzie.",
        name="Jan de Vries",
        contact_by="drop_in",
        phone="050 7654321",
    )
    response = client.post(enter_url, data, follow=True)
    worry = Worry.objects.get()
    assert response.redirect_chain[-1][0] == url("worry", worry)
    assert f"De melding is opgeslagen als {worry.reference}." in messages_of(response)
    assert (worry.channel, worry.entered_by, worry.raised_by) == ("coffee_table", staff, None)
    assert (worry.handler, worry.status) == (staff, "taken")  # "I handle this worry myself" was ticked


def test_entering_without_a_way_to_reach_the_person_is_refused(client_for, house, staff):
    client = client_for(staff)
    enter_url = reverse("care:worry_enter", kwargs={"house": house.slug})
    form = parse_form(client.get(enter_url).content, form_id="worry-enter-form")
    data = form.submit_data(channel="phone", about="self", category="money", name="Jan", contact_by="drop_in")
    response = client.post(enter_url, data)
    assert response.status_code == 200
    assert "Vul minstens één manier in om de persoon te bereiken" in text_of(response)
    assert not Worry.objects.exists()


# --- the list --------------------------------------------------------------------------------------


def _many(house, n):
    for i in range(n):
        worries.raise_worry(
            house=house,
            data={
                "about": "self",
                "category": "other",
                "name": f"P{i}",
                "phone": "0612345678",
                "contact_by": "phone",
            },
            channel="website",
        )


def test_the_list_shows_new_first_and_filters(client_for, house, worry, coordinator, staff):
    older = worries.raise_worry(
        house=house,
        data={
            "about": "self",
            "category": "home",
            "name": "Oud",
            "phone": "0612345678",
            "contact_by": "phone",
        },
        channel="website",
    )
    Worry.objects.filter(pk=older.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    taken = worries.raise_worry(
        house=house,
        data={
            "about": "self",
            "category": "safety",
            "name": "X",
            "phone": "0612345678",
            "contact_by": "phone",
        },
        channel="website",
    )
    worries.take(worry=taken, by=staff)
    closed = worries.raise_worry(
        house=house,
        data={
            "about": "self",
            "category": "safety",
            "name": "Y",
            "phone": "0612345678",
            "contact_by": "phone",
        },
        channel="website",
    )
    worries.close(worry=closed, by=staff, outcome="helped", text="")
    client = client_for(coordinator)
    list_url = reverse("care:worries", kwargs={"house": house.slug})

    page = text_of(client.get(list_url))
    assert page.index(older.reference) < page.index(worry.reference) < page.index(taken.reference)
    assert closed.reference not in page  # open ones by default
    assert "Na 3 werkdagen nog geen contact" in page  # the older one waits too long
    assert "10 dagen geleden" in page

    page = text_of(client.get(list_url, {"status": "closed"}))
    assert closed.reference in page and worry.reference not in page
    page = text_of(client.get(list_url, {"status": "all", "handler": str(staff.pk)}))
    assert taken.reference in page and closed.reference in page and worry.reference not in page
    page = text_of(client.get(list_url, {"handler": "nobody"}))
    assert worry.reference in page and taken.reference not in page
    page = text_of(client.get(list_url, {"handler": "me"}))
    assert "Er zijn geen meldingen die passen bij wat je koos." in page
    assert client.get(list_url, {"status": "nonsense", "handler": "<script>"}).status_code == 200


def test_the_list_is_paginated(client_for, house, coordinator):
    _many(house, 30)
    client = client_for(coordinator)
    list_url = reverse("care:worries", kwargs={"house": house.slug})
    first = text_of(client.get(list_url, {"status": "all"}))
    assert "30 meldingen" in first and "Pagina 1 van 2" in first
    assert "?status=all&amp;pagina=2" in first
    second = client.get(list_url, {"status": "all", "pagina": 2})
    assert len(second.context["worries"]) == 5


@pytest.mark.parametrize("count", [2, 30])
def test_the_list_costs_the_same_number_of_queries_at_any_size(
    client_for, house, coordinator, staff, count, django_assert_max_num_queries
):
    _many(house, count)
    for w in Worry.objects.all()[: count // 2]:
        worries.take(worry=w, by=staff)
    client = client_for(coordinator)
    list_url = reverse("care:worries", kwargs={"house": house.slug})
    with django_assert_max_num_queries(7):
        response = client.get(list_url, {"status": "all"})
    assert len(response.context["worries"]) == min(count, 25)


# --- error reports never carry what was typed -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "needs"),
    [
        ("raise", "house"),
        ("worry_enter", "house"),
        ("worry_take", "worry"),
        ("worry_contact", "worry"),
        ("worry_refer", "worry"),
        ("worry_close", "worry"),
        ("worry_reopen", "worry"),
        ("worry_note", "worry"),
    ],
)
def test_every_view_that_takes_worry_input_hides_the_post_from_error_reports(
    client_for, house, worry, coordinator, name, needs
):
    kwargs = {"house": house.slug} if needs == "house" else {"house": house.slug, "pk": worry.pk}
    response = client_for(coordinator).post(
        reverse(f"care:{name}", kwargs=kwargs), {"message": "Geheim verhaal"}
    )
    request = response.wsgi_request
    assert request.sensitive_post_parameters == "__ALL__"
    hidden = SafeExceptionReporterFilter().get_post_parameters(request)
    assert hidden["message"] == SafeExceptionReporterFilter.cleansed_substitute


@pytest.mark.allow_error_logs
def test_a_crash_while_raising_a_worry_leaves_the_typed_words_out_of_the_report(client, house, monkeypatch):
    from django.views.debug import ExceptionReporter

    def crash(**kwargs):
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(worries, "raise_worry", crash)
    form = parse_form(client.get(raise_url(house)).content, form_id="worry-form")
    client.raise_request_exception = False
    response = client.post(raise_url(house), fill_as_visitor(form, message="Geheim verhaal over de buren"))
    assert response.status_code == 500
    request = response.wsgi_request
    report = ExceptionReporter(request, *response.exc_info).get_traceback_text()
    assert "the database fell over" in report
    assert "Geheim verhaal" not in report and "06 12345678" not in report and "Fatima" not in report
    # Negative control: without the marker on the request, the same report shows what was typed.
    del request.sensitive_post_parameters
    assert "Geheim verhaal" in ExceptionReporter(request, *response.exc_info).get_traceback_text()


def test_worry_views_are_marked_as_having_sensitive_variables():
    from care import worry_views

    for view in (
        worry_views.raise_worry,
        worry_views.worry_enter,
        worry_views.worry_contact,
        worries.raise_worry,
    ):
        inner = view
        names = []
        while inner is not None:
            names.append(inner.__code__.co_name)
            inner = getattr(inner, "__wrapped__", None)
        assert "sensitive_variables_wrapper" in names, view


def test_nothing_of_a_worry_in_another_house_leaks_into_the_first(client_for, house, make_user):
    third = make_house("derde", "Het Derde Huis", street="Derdeweg 3")
    theirs = worries.raise_worry(
        house=third,
        data={"about": "self", "category": "home", "name": "Z", "phone": "0612345678", "contact_by": "phone"},
        channel="website",
    )
    coordinator = make_user("coord3@example.nl", "Coco Derde", house, "coordinator")
    page = text_of(client_for(coordinator).get(reverse("care:worries", kwargs={"house": house.slug})))
    assert theirs.reference not in page
