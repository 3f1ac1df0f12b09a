"""Staff set targets and write stories with quotes; the page compares and tells; all audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from residents.models import AuditEvent
from summary.models import Quote, Story, Target
from tests.forms import parse_form
from tests.summary.conftest import NOW, D
from tests.summary.test_views import JUNE_QUERY, text, url

pytestmark = pytest.mark.django_db


def test_staff_set_targets_through_the_form(pilot_house, staff, client_for, mfa_off):
    client = client_for(staff)
    page = client.get(url("targets", pilot_house))
    form = parse_form(page.content, form_id="targets-form")
    assert "Gehouden activiteiten" in page.content.decode()
    response = client.post(url("targets", pilot_house), form.submit_data(activities_held="40", reach="150"))
    assert response.status_code == 302
    assert dict(Target.objects.filter(house=pilot_house).values_list("figure", "value")) == {
        "activities_held": 40,
        "reach": 150,
    }
    event = AuditEvent.objects.get(action="summary.targets")
    assert event.actor == staff and event.changes == {"activities_held": [None, 40], "reach": [None, 150]}
    assert "De doelen zijn opgeslagen." in text(client.get(response["Location"]))

    # The form shows them again; emptying a field removes that target.
    form = parse_form(client.get(url("targets", pilot_house)).content, form_id="targets-form")
    assert form.data["activities_held"] == "40"
    client.post(url("targets", pilot_house), form.submit_data(activities_held=""))
    assert list(Target.objects.filter(house=pilot_house).values_list("figure", flat=True)) == ["reach"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "Vul 1 of meer in, of laat het vak leeg als er geen doel is."),
        ("0", "Vul 1 of meer in, of laat het vak leeg als er geen doel is."),
        ("veel", "Vul een heel getal in, bijvoorbeeld 40."),
        ("99999999", "Dat is meer dan een huis in een pilot kan doen. Kijk het getal nog eens na."),
    ],
)
def test_a_bad_target_saves_nothing(value, message, pilot_house, staff, client_for, mfa_off):
    client = client_for(staff)
    form = parse_form(client.get(url("targets", pilot_house)).content, form_id="targets-form")
    response = client.post(url("targets", pilot_house), form.submit_data(reach="150", visits=value))
    assert response.status_code == 200
    page = text(response)
    assert "Nog niet opgeslagen." in page and message in page
    assert not Target.objects.exists()
    assert not AuditEvent.objects.filter(action="summary.targets").exists()


def test_viewers_and_coordinators_may_not_set_targets(pilot_house, viewer, coordinator, client_for, mfa_off):
    for person in (viewer, coordinator):
        assert client_for(person).get(url("targets", pilot_house)).status_code == 403
        assert client_for(person).post(url("targets", pilot_house), {"reach": "5"}).status_code == 403
    assert not Target.objects.exists()


def test_targets_on_track_and_behind_in_words(june, viewer, client_for, mfa_off, at_now):
    # 1 July: 182 of the pilot's 365 days have passed. Held so far: 3 activities, 15 people reached
    # (a sign-up for an activity after today does not count yet).
    house = june["house"]
    Target.objects.create(house=house, figure="activities_held", value=6)  # expected 3.0: on track
    Target.objects.create(house=house, figure="reach", value=40)  # expected 19.9: behind
    page = text(client_for(viewer).get(url("house", house)))
    assert "Gehouden activiteiten 3 (50%) 6 3 ✓ op schema" in page
    assert "Bereikte bewoners 15 (38%) 40 20 ! achter op schema" in page


def test_the_targets_of_all_houses_add_up(june, other_house, superuser, client_for, mfa_off, at_now):
    other_house.pilot_start, other_house.pilot_end = D(2025, 1, 1), D(2025, 12, 31)
    other_house.save()
    Target.objects.create(house=june["house"], figure="activities_held", value=6)
    Target.objects.create(house=other_house, figure="activities_held", value=4)
    page = text(client_for(superuser).get(url("all")))
    # 3 + 1 held against 6 + 4; expected 10 x 182/365 = 4,99: behind.
    assert "Gehouden activiteiten 4 (40%) 10 5 ! achter op schema" in page


def test_a_finished_pilot_says_reached_or_not(june, viewer, client_for, mfa_off, monkeypatch):
    house = june["house"]
    house.pilot_end = D(2025, 6, 30)
    house.save()
    Target.objects.create(house=house, figure="activities_held", value=3)
    Target.objects.create(house=house, figure="news_posts", value=5)
    monkeypatch.setattr(timezone, "now", lambda: NOW + dt.timedelta(days=30))
    page = text(client_for(viewer).get(url("house", house)))
    assert "Gehouden activiteiten 3 (100%) 3 3 ✓ gehaald" in page
    assert "Nieuwsberichten 2 (40%) 5 5 ! niet gehaald" in page


def _story_form(client, house, pk=None):
    if pk:
        target = reverse("summary:story_edit", kwargs={"house": house.slug, "pk": pk})
    else:
        target = url("story_add", house)
    return target, parse_form(client.get(target).content, form_id="story-form")


def test_staff_write_a_story_with_quotes(june, staff, viewer, client_for, mfa_off):
    house = june["house"]
    client = client_for(staff)
    target, form = _story_form(client, house)
    response = client.post(
        target,
        form.submit_data(
            first_day="2025-06-01",
            last_day="2025-06-30",
            title="De zomer begint",
            text="Het taalcafé groeit.\nDe koffieochtend is vol.",
            quote_1="Ik kom hier elke dinsdag.",
            said_by_1="bewoonster, 81 jaar",
            quote_3="Fijn dat de studenten aanbellen.",
        ),
    )
    assert response.status_code == 302
    story = Story.objects.get()
    assert (story.title, story.created_by) == ("De zomer begint", staff)
    assert list(story.quotes.values_list("text", "said_by", "position")) == [
        ("Ik kom hier elke dinsdag.", "bewoonster, 81 jaar", 1),
        ("Fijn dat de studenten aanbellen.", "", 2),
    ]
    assert AuditEvent.objects.get(action="summary.story_add").target_id == str(story.pk)
    assert "Het verhaal is opgeslagen." in text(client.get(response["Location"]))

    page = text(client_for(viewer).get(url("house", house, **JUNE_QUERY)))
    assert "Wat bewoners zeggen De zomer begint 1 juni 2025 t/m 30 juni 2025 Het taalcafé groeit." in page
    assert "Ik kom hier elke dinsdag. bewoonster, 81 jaar" in page

    # Change it: the form shows what is there; the quotes are replaced.
    target, form = _story_form(client, house, story.pk)
    assert form.data["quote_1"] == "Ik kom hier elke dinsdag."
    client.post(target, form.submit_data(title="De zomer", quote_1="", said_by_1=""))
    story.refresh_from_db()
    assert story.title == "De zomer"
    assert list(story.quotes.values_list("text", flat=True)) == ["Fijn dat de studenten aanbellen."]
    assert AuditEvent.objects.filter(action="summary.story_change").count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": ""}, "Dit veld is verplicht."),
        ({"last_day": "2025-05-01"}, "De laatste dag ligt voor de eerste dag."),
        ({"said_by_2": "bewoner"}, "Vul in wat er gezegd is, of maak beide vakken van deze uitspraak leeg."),
    ],
)
def test_a_story_that_is_not_complete_saves_nothing(
    changes, message, pilot_house, staff, client_for, mfa_off
):
    client = client_for(staff)
    target, form = _story_form(client, pilot_house)
    data = {"first_day": "2025-06-01", "last_day": "2025-06-30", "title": "Juni", "text": "Tekst", **changes}
    response = client.post(target, form.submit_data(**data))
    assert response.status_code == 200
    assert "Nog niet opgeslagen." in text(response) and message in text(response)
    assert not Story.objects.exists() and not Quote.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="summary.").exists()


def test_staff_delete_a_story_after_confirming(pilot_house, staff, client_for, mfa_off):
    story = Story.objects.create(
        house=pilot_house, first_day=D(2025, 6, 1), last_day=D(2025, 6, 30), title="Juni", text="T"
    )
    story.quotes.create(text="Mooi.")
    client = client_for(staff)
    target = reverse("summary:story_delete", kwargs={"house": pilot_house.slug, "pk": story.pk})
    page = client.get(target)
    assert "Wil je het verhaal “Juni” met de uitspraken verwijderen?" in text(page)
    response = client.post(target, parse_form(page.content, form_id="delete-form").data)
    assert response.status_code == 302
    assert not Story.objects.exists() and not Quote.objects.exists()
    assert AuditEvent.objects.get(action="summary.story_delete").target_repr.endswith("Juni")
    assert "Het verhaal “Juni” is verwijderd." in text(client.get(response["Location"]))


def test_a_story_of_another_house_does_not_exist_here(pilot_house, other_house, staff, client_for, mfa_off):
    story = Story.objects.create(
        house=other_house, first_day=D(2025, 6, 1), last_day=D(2025, 6, 30), title="X", text="T"
    )
    for name in ("story_edit", "story_delete"):
        target = reverse(f"summary:{name}", kwargs={"house": pilot_house.slug, "pk": story.pk})
        assert client_for(staff).get(target).status_code == 404
        assert client_for(staff).post(target).status_code == 404
    assert Story.objects.filter(pk=story.pk).exists()
