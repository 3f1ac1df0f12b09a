"""The privacy statement (/privacy/, /privacy/<house>/) is built from what the portal does: every
registered kind of personal data with its purpose and legal ground, every retention rule with its
period from settings, the corporation that owns the house and its partners."""

from __future__ import annotations

import html
import re

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone, translation

from residents import registry
from residents.models import House, HouseSlug, Organisation
from tests.factories import make_house, make_organisation
from wijkhuis import privacy, retention
from wijkhuis import urls as project_urls


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


def _entry(key, title, purpose, basis, retention_rules=(), **extra):
    return registry.PersonalData(
        key=key,
        title=title,
        about=f"Over {title.lower()}.",
        columns=(("when", "Wanneer"),),
        rows=lambda user: [],
        purpose=purpose,
        basis=basis,
        retention=retention_rules,
        **extra,
    )


TEST_ENTRIES = [
    _entry(
        "test_account",
        "Je testaccount",
        "Zodat je kunt inloggen (doel-account).",
        "contract",
        kept="Tot je je account verwijdert (bewaar-account).",
        who_sees="Medewerkers van je huis (ziet-account).",
    ),
    _entry(
        "test_bookings",
        "Je testreserveringen",
        "Om de huiskamer eerlijk te verdelen (doel-reserveringen).",
        "contract",
        ("bookings",),
    ),
    _entry(
        "test_buddy",
        "Je testmaatje",
        "Om een maatje voor je te vinden (doel-maatje).",
        "consent",
    ),
    _entry(
        "test_log",
        "Het testlogboek",
        "Om te kunnen nagaan wie wat deed (doel-logboek).",
        "legitimate_interest",
    ),
    _entry(
        "test_worries",
        "Je testmeldingen",
        "Om je te helpen met je zorg (doel-zorg).",
        "consent",
        ("worries",),
        who_sees="Alleen de coördinatoren van je huis (ziet-zorg).",
    ),
]


@pytest.fixture
def entries(monkeypatch):
    """The statement's own entries in place of the apps' (the real list is left as it was)."""
    registered: list[registry.PersonalData] = []
    monkeypatch.setattr(registry, "personal_data", registered)
    registry.register_personal_data(*TEST_ENTRIES)
    return registered


def text(response) -> str:
    """What a reader sees: the page without tags, entities decoded, spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def section(response, start_id: str, end_id: str) -> str:
    """The raw HTML between two headings (by id), to check what a part of the statement says."""
    body = response.content.decode()
    start = body.index(f'id="{start_id}"')
    return html.unescape(body[start : body.index(f'id="{end_id}"', start)])


def squash(value) -> str:
    return re.sub(r"\s+", " ", str(value))


# --- what, why, on which ground, how long -------------------------------------------------------


def test_every_registered_entry_appears_with_purpose_ground_and_who_sees(client, house, entries):
    response = client.get(reverse("privacy"))
    assert response.status_code == 200
    page = text(response)
    for entry in TEST_ENTRIES:
        assert entry.title in page
        assert entry.about in page
        assert entry.purpose in page
        assert squash(privacy.BASIS_LABELS[entry.basis]) in page
    assert "(ziet-account)" in page
    assert "(bewaar-account)" in page
    # An entry with a retention rule says how long, in words, with what the rule removes.
    bookings = section(response, "data-test_bookings", "data-test_buddy")
    assert "Na 2 jaar" in bookings
    assert squash(retention.RULES[0].description) in squash(bookings)


def test_only_the_legal_grounds_in_use_are_explained(client, house, entries):
    page = text(client.get(reverse("privacy")))
    for basis in ("contract", "consent", "legitimate_interest"):
        assert squash(privacy.BASIS_EXPLAINED[basis]) in page
    for basis in ("legal_obligation", "vital_interest"):
        assert squash(privacy.BASIS_EXPLAINED[basis]) not in page
        assert squash(privacy.BASIS_LABELS[basis]) not in page


def test_every_basis_the_registry_allows_has_plain_words():
    assert set(privacy.BASIS_LABELS) == set(registry.BASES) == set(privacy.BASIS_EXPLAINED)


def test_a_legal_ground_lists_the_data_that_rests_on_it(client, house, entries):
    response = client.get(reverse("privacy"))
    consent = section(response, "basis-consent", "basis-legitimate_interest")
    assert 'href="#data-test_buddy"' in consent
    assert 'href="#data-test_worries"' in consent
    assert "data-test_bookings" not in consent


def test_every_retention_rule_appears_with_its_period_in_words(client, house, entries, settings):
    settings.RETENTION_BOOKING_DAYS = 730
    settings.WORRY_RETENTION_DAYS = 365
    settings.RETENTION_HIDDEN_COMMENT_DAYS = 180
    settings.RETENTION_REPORT_DAYS = 180
    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
    response = client.get(reverse("privacy"))
    table = section(response, "how-long", "rights")
    assert len(retention.RULES) >= 9
    for rule in retention.RULES:
        row = re.search(rf'<tr id="rule-{rule.name}">(.*?)</tr>', table, flags=re.S)
        assert row, f"rule {rule.name} is not in the table"
        assert squash(rule.description) in squash(row.group(1))
    row = dict(re.findall(r'<tr id="rule-(\w+)">.*?<td>(.*?)</td>', table, flags=re.S))
    assert row["bookings"] == row["activities"] == "Na 2 jaar"
    assert row["worries"] == "Na 1 jaar"
    assert row["hidden_comments"] == row["comment_reports"] == "Na 6 maanden"
    assert row["email_confirmations"] == "Na 3 dagen"
    assert row["sessions"] == "Zodra het verlopen is"
    assert '<th scope="row"' in table and '<th scope="col"' in table and "<caption>" in table


def test_a_rule_no_entry_names_still_shows(client, house, entries):
    named = {name for entry in TEST_ENTRIES for name in entry.retention}
    response = client.get(reverse("privacy"))
    for rule in retention.RULES:
        if rule.name not in named:
            assert f'id="rule-{rule.name}"' in response.content.decode()


def test_changing_a_retention_setting_changes_the_statement(client, house, entries):
    with override_settings(RETENTION_BOOKING_DAYS=45, WORRY_RETENTION_DAYS=30):
        response = client.get(reverse("privacy"))
    page = text(response)
    assert "Na 45 dagen" in page
    assert "Na 2 jaar" not in page
    assert "Na 30 dagen" in page
    assert "wat je schreef nog 30 dagen" in page  # the worries part
    bookings = section(response, "data-test_bookings", "data-test_buddy")
    assert "Na 45 dagen" in bookings

    with override_settings(RETENTION_BOOKING_DAYS=1095):
        assert "Na 3 jaar" in text(client.get(reverse("privacy")))


@pytest.mark.parametrize(
    ("days", "dutch_words", "english_words"),
    [
        (730, "2 jaar", "2 years"),
        (365, "1 jaar", "1 year"),
        (180, "6 maanden", "6 months"),
        (60, "2 maanden", "2 months"),
        (30, "30 dagen", "30 days"),
        (31, "31 dagen", "31 days"),
        (14, "2 weken", "2 weeks"),
        (7, "1 week", "1 week"),
        (3, "3 dagen", "3 days"),
        (1, "1 dag", "1 day"),
        (400, "400 dagen", "400 days"),
    ],
)
def test_days_in_plain_words(days, dutch_words, english_words):
    assert privacy.period_in_words(days) == dutch_words
    with translation.override("en"):
        assert privacy.period_in_words(days) == english_words


def test_the_session_length_comes_from_settings(client, house, settings):
    settings.SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
    assert "hoogstens 2 weken ingelogd" in text(client.get(reverse("privacy")))
    settings.SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
    assert "hoogstens 30 dagen ingelogd" in text(client.get(reverse("privacy")))


def test_the_second_login_step_is_described_as_configured(client, house, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    assert "Daarom loggen ze in met een tweede stap" in text(client.get(reverse("privacy")))
    settings.MFA_REQUIRED_FOR_STAFF = False
    assert "Op dit portaal is dat niet verplicht" in text(client.get(reverse("privacy")))


# --- worries: never for rent arrears ------------------------------------------------------------


def test_the_worries_part_says_money_worries_never_feed_rent_arrears(client, house, entries):
    for url in (reverse("privacy"), reverse("privacy_house", kwargs={"house": house.slug})):
        response = client.get(url)
        worries = squash(section(response, "worries", "why"))
        assert "Een zorg over geld leidt nooit tot stappen over je huur." in worries
        assert "geven ze niet door aan de afdeling die de huur int" in worries
        assert "nooit bij huurachterstand" in worries
        # The registered worry entry is in this part, not among the rest.
        assert 'id="data-test_worries"' in worries
        assert "(ziet-zorg)" in worries
        assert 'id="data-test_worries"' not in squash(section(response, "what", "worries"))


def test_the_rent_arrears_promise_in_english(client, house):
    client.cookies["wijkhuis_language"] = "en"
    response = client.get(reverse("privacy"))
    worries = squash(section(response, "worries", "why"))
    assert "A worry about money never leads to steps about your rent." in worries
    assert "never used for rent arrears (huurachterstand)" in worries


# --- per corporation ---------------------------------------------------------------------------


@pytest.fixture
def two_corporations(house, other_house):
    vaart = Organisation.objects.create(
        name="Woonstichting De Vaart",
        kind=Organisation.Kind.CORPORATION,
        privacy_email="privacy@devaart.example",
        email="info@devaart.example",
        phone="0546 820 100",
        address="Vaartkade 12, 7607 HA Oostervaart",
    )
    wingerd = Organisation.objects.create(
        name="Wingerd Wonen", kind=Organisation.Kind.CORPORATION, privacy_email="avg@wingerd.example"
    )
    House.objects.filter(pk=house.pk).update(owner=vaart)
    House.objects.filter(pk=other_house.pk).update(owner=wingerd)
    schuldhulp = Organisation.objects.create(name="Schuldhulp Oost", kind=Organisation.Kind.DEBT_HELP)
    welzijn = Organisation.objects.create(name="Welzijn Wingerd", kind=Organisation.Kind.WELFARE)
    house.partners.add(schuldhulp)
    other_house.partners.add(welzijn)
    # A corporation whose only house has stopped is no controller of anything shown.
    gone = make_organisation("Oud Bezit Wonen")
    make_house("oud", "Het Oude Huis", owner=gone, is_active=False)
    return vaart, wingerd


def test_the_statement_lists_each_corporation_with_an_active_house(client, two_corporations, house):
    response = client.get(reverse("privacy"))
    part = text(response)
    for address in ("privacy@devaart.example", "info@devaart.example", "avg@wingerd.example"):
        assert address in part
    assert "Woonstichting De Vaart" in part and "Wingerd Wonen" in part
    assert "0546 820 100" in part and "Vaartkade 12" in part
    assert "Oud Bezit Wonen" not in part
    body = response.content.decode()
    assert 'href="/privacy/w4/"' in body and 'href="/privacy/buurtthuis/"' in body
    assert "Schuldhulp Oost" not in part  # partners are named per house


def test_a_house_statement_names_the_house_its_corporation_and_partners_only(client, two_corporations, house):
    response = client.get(reverse("privacy_house", kwargs={"house": house.slug}))
    assert response.status_code == 200
    page = text(response)
    assert "Privacyverklaring voor W4, Witmondplein 4" in page
    assert "W4, Witmondplein 4 is van Woonstichting De Vaart." in page
    assert "privacy@devaart.example" in page
    assert "Wingerd Wonen" not in page and "avg@wingerd.example" not in page
    partners = squash(section(response, "partners", "how-long"))
    assert "Schuldhulp Oost" in partners
    assert "Welzijn Wingerd" not in page
    assert "als je om hun hulp vraagt en zegt dat het mag" in partners


def test_a_house_without_partners_says_so(client, house):
    page = text(client.get(reverse("privacy_house", kwargs={"house": house.slug})))
    assert "W4, Witmondplein 4 heeft geen partners op het portaal." in page


def test_an_unknown_or_stopped_house_is_not_found(client, two_corporations):
    assert client.get("/privacy/bestaat-niet/").status_code == 404
    assert client.get("/privacy/oud/").status_code == 404  # stopped, never ended with an archive


def test_an_ended_house_still_has_its_statement(client, house):
    House.objects.filter(pk=house.pk).update(is_active=False, ended_at=timezone.now())
    response = client.get(reverse("privacy_house", kwargs={"house": house.slug}))
    assert response.status_code == 200
    assert "Privacyverklaring voor W4, Witmondplein 4" in text(response)


def test_an_old_short_name_leads_to_the_house_statement(client, house):
    HouseSlug.objects.create(slug="witmond", house=house)
    response = client.get("/privacy/witmond/")
    assert response.status_code == 301
    assert response["Location"] == "/privacy/w4/"


def test_staff_without_a_second_step_can_read_the_house_statement(client_for, staff, house, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    assert client_for(staff).get(reverse("privacy_house", kwargs={"house": house.slug})).status_code == 200


# --- rights: links to pages that may not exist yet ----------------------------------------------


def _stub(request):
    return HttpResponse("stub")


def _urlconf(*, with_my_data: bool):
    """The project's URLs with (or without) the pages for "my data" and leaving."""
    patterns = [p for p in project_urls.urlpatterns if getattr(p, "name", None) not in ("my_data", "leave")]
    if with_my_data:
        patterns = [
            path("mijn/gegevens/", _stub, name="my_data"),
            path("mijn/gegevens/verwijderen/", _stub, name="leave"),
            *patterns,
        ]
    # A class, not a module: Django takes any hashable object with `urlpatterns` as a URLconf.
    return type("URLConf", (), {"urlpatterns": patterns})


def test_rights_link_to_my_data_and_leaving_when_those_pages_exist(client, house, settings):
    settings.ROOT_URLCONF = _urlconf(with_my_data=True)
    response = client.get("/privacy/")
    body = response.content.decode()
    assert 'href="/mijn/gegevens/"' in body
    assert 'href="/mijn/gegevens/verwijderen/"' in body
    rights = squash(text(response))
    assert "Je vindt alles op de pagina met je gegevens" in rights
    assert "op dezelfde pagina download je alles in één bestand" in rights
    assert 'href="https://www.autoriteitpersoonsgegevens.nl"' in body


def test_rights_without_those_pages_point_to_the_privacy_contact(client, house, settings):
    settings.ROOT_URLCONF = _urlconf(with_my_data=False)
    with pytest.raises(NoReverseMatch):
        reverse("my_data")
    response = client.get("/privacy/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/mijn/gegevens/" not in body
    assert "Vraag het aan het privacycontact van je woningcorporatie" in text(response)
    assert "autoriteitpersoonsgegevens.nl" in body


# --- the real registry (the apps' personal.py) ---------------------------------------------------


def test_the_apps_registered_entries_all_appear(client, house):
    """The apps' own entries, unpatched: each shows with its purpose, and names only real rules."""
    assert privacy.unknown_rules() == []
    page = text(client.get(reverse("privacy")))
    for entry in registry.personal_data:
        assert squash(entry.title) in page, entry.key
        assert squash(entry.purpose) in page, entry.key
        assert squash(privacy.BASIS_LABELS[entry.basis]) in page, entry.key


def test_a_misspelt_rule_name_is_found(entries):
    entries.append(_entry("test_typo", "Typo", "Doel.", "contract", ("bookingz",)))
    assert privacy.unknown_rules() == [("test_typo", "bookingz")]


# --- queries ------------------------------------------------------------------------------------


def _houses(n: int) -> list[House]:
    houses = []
    for i in range(n):
        owner = Organisation.objects.create(
            name=f"Corporatie {i}", kind=Organisation.Kind.CORPORATION, privacy_email=f"p{i}@example.nl"
        )
        h = make_house(f"huis-{i}", f"Huis {i}", owner=owner)
        h.partners.add(
            Organisation.objects.create(name=f"Partner {i}a", kind=Organisation.Kind.WELFARE),
            Organisation.objects.create(name=f"Partner {i}b", kind=Organisation.Kind.DEBT_HELP),
        )
        houses.append(h)
    return houses


# Two for the statement (corporations and their houses, or the house and its partners), whatever the
# number of houses; a logged-in person adds the session, the account and their roles for the menu.
BUDGET = {"anonymous": 3, "resident": 6}


@pytest.mark.parametrize("size", [2, 20])
@pytest.mark.parametrize("persona", ["anonymous", "resident"])
def test_query_budget(size, persona, request, house, client_for, entries, django_assert_max_num_queries):
    houses = _houses(size)
    client = client_for(request.getfixturevalue(persona))
    client.get(reverse("privacy"))  # warm up the session and content types
    with django_assert_max_num_queries(BUDGET[persona]):
        response = client.get(reverse("privacy"))
    assert response.status_code == 200
    assert f"p{size - 1}@example.nl" in response.content.decode()
    with django_assert_max_num_queries(BUDGET[persona]):
        response = client.get(reverse("privacy_house", kwargs={"house": houses[-1].slug}))
    assert response.status_code == 200
    assert f"Partner {size - 1}b" in response.content.decode()
