"""Polls: open with 2-10 answers, one ballot per member, results when the poll says; pages as rendered."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from activities import ideas as services
from activities.ideas import PollError
from activities.models import Poll, PollBallot
from residents.models import AuditEvent
from tests.forms import parse_form
from tests.threads import run_in_threads

pytestmark = pytest.mark.usefixtures("mfa_off")

THEMES = ["Koken", "Wandelen", "Geldzaken", "Nederlands praten", "Tuinieren", "Muziek"]


def nl(msgid: str) -> str:
    with translation.override("nl"):
        return gettext(msgid)


def make_poll(house, by, *, max_choices=3, results=Poll.Results.AFTER_VOTE, options=THEMES, days=14):
    return services.open_poll(
        house=house,
        by=by,
        question="Welke drie thema's wil je dit voorjaar?",
        options=list(options),
        max_choices=max_choices,
        closes_at=timezone.now() + dt.timedelta(days=days),
        results=results,
    )


def close(poll):
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    poll.refresh_from_db()


def ids(poll, *indexes):
    options = list(poll.options.all())
    return [options[i].pk for i in indexes]


@pytest.fixture
def poll(house, coordinator):
    return make_poll(house, coordinator)


@pytest.fixture
def paper_person(house, make_user):
    return make_user(None, "Wil Kok", house, "resident")


# --- opening a poll ---------------------------------------------------------------------------


def test_open_poll_with_options_in_order(poll):
    assert [o.text for o in poll.options.all()] == THEMES
    assert AuditEvent.objects.filter(action="poll.opened").count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"options": ["Alleen één"]},
        {"options": ["A", "a", " "]},  # duplicates and blanks do not count
        {"options": [str(i) for i in range(11)]},
        {"max_choices": 0},
        {"max_choices": 7},  # more than the six answers
        {"closes_at": timezone.now() - dt.timedelta(hours=1)},
        {"question": "  "},
    ],
)
def test_open_poll_bad_input(house, coordinator, changes):
    values = {
        "question": "Vraag?",
        "options": THEMES,
        "max_choices": 3,
        "closes_at": timezone.now() + dt.timedelta(days=3),
        **changes,
    }
    with pytest.raises(PollError):
        services.open_poll(house=house, by=coordinator, **values)
    assert not Poll.objects.exists()


def test_only_managers_open_polls(house, resident, student):
    for person in (resident, student):
        with pytest.raises(PollError):
            make_poll(house, person)


def test_open_poll_as_rendered(client_for, house, coordinator):
    client = client_for(coordinator, HTTP_ACCEPT_LANGUAGE="nl")
    url = reverse("activities:poll_add", kwargs={"house": house.slug})
    form = parse_form(client.get(url).content, has_field="question")
    day = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    bad = form.submit_data(question="Thema's?", options="Koken\nWandelen", max_choices="3", closes_on=day)
    response = client.post(url, bad)
    assert response.status_code == 200 and not Poll.objects.exists()
    assert "max_choices" in response.context["form"].errors
    good = {**bad, "options": "\n".join(THEMES)}
    response = client.post(url, good)
    poll = Poll.objects.get()
    assert response.url == poll.get_absolute_url()
    assert (poll.max_choices, poll.options.count(), timezone.localdate(poll.closes_at).isoformat()) == (
        3,
        6,
        day,
    )


# --- voting -----------------------------------------------------------------------------------


def test_vote_once(poll, resident):
    ballot = services.vote(poll=poll, by=resident, option_ids=ids(poll, 0, 2))
    assert sorted(o.text for o in ballot.options.all()) == ["Geldzaken", "Koken"]
    with translation.override("nl"), pytest.raises(PollError) as err:
        services.vote(poll=poll, by=resident, option_ids=ids(poll, 1))
    assert str(err.value) == nl("You have already voted.")
    assert PollBallot.objects.count() == 1


def test_vote_after_closing(poll, resident):
    close(poll)
    with translation.override("nl"), pytest.raises(PollError) as err:
        services.vote(poll=poll, by=resident, option_ids=ids(poll, 0))
    assert str(err.value) == nl("This poll is closed. You can no longer answer.")
    assert not PollBallot.objects.exists()


def test_too_many_none_and_foreign_options(house, coordinator, poll, resident):
    other = make_poll(house, coordinator, options=["Ja", "Nee"], max_choices=1)
    for option_ids in (ids(poll, 0, 1, 2, 3), [], [ids(other, 0)[0]], [ids(poll, 0)[0], ids(other, 0)[0]]):
        with pytest.raises(PollError):
            services.vote(poll=poll, by=resident, option_ids=option_ids)
    assert not PollBallot.objects.exists()


def test_non_member_cannot_vote(poll, outsider, viewer):
    for person in (outsider, viewer):
        with pytest.raises(PollError):
            services.vote(poll=poll, by=person, option_ids=ids(poll, 0))
    assert not PollBallot.objects.exists()


def test_vote_on_behalf_is_recorded(poll, coordinator, paper_person):
    ballot = services.vote(poll=poll, by=coordinator, person=paper_person, option_ids=ids(poll, 4))
    assert (ballot.person, ballot.entered_by) == (paper_person, coordinator)
    event = AuditEvent.objects.get(action="poll.voted")
    assert (event.actor, event.on_behalf_of) == (coordinator, paper_person)
    with pytest.raises(PollError):
        services.vote(poll=poll, by=coordinator, person=paper_person, option_ids=ids(poll, 1))


def test_resident_cannot_vote_for_someone_else(poll, resident, paper_person):
    with pytest.raises(PollError):
        services.vote(poll=poll, by=resident, person=paper_person, option_ids=ids(poll, 0))


def test_vote_as_rendered_checkboxes(client_for, poll, resident):
    client = client_for(resident, HTTP_ACCEPT_LANGUAGE="nl")
    page = client.get(poll.get_absolute_url())
    assert b'type="checkbox"' in page.content and b'type="radio"' not in page.content
    assert page.context["show_results"] is False
    form = parse_form(page.content, form_id="vote-form")
    too_many = form.submit_data(options=[str(i) for i in ids(poll, 0, 1, 2, 3)])
    response = client.post(poll.get_absolute_url(), too_many)
    assert "Je kunt hoogstens 3 antwoorden kiezen." in response.content.decode()
    response = client.post(poll.get_absolute_url(), form.submit_data())  # nothing chosen
    assert nl("Choose an answer.") in response.content.decode()
    assert not PollBallot.objects.exists()
    response = client.post(
        poll.get_absolute_url(), form.submit_data(options=[str(i) for i in ids(poll, 0, 1)])
    )
    assert response.status_code == 302
    page = client.get(poll.get_absolute_url())
    assert page.context["form"] is None and page.context["show_results"] is True
    assert [(r.option.text, r.votes, r.percent) for r in page.context["results"]][:3] == [
        ("Koken", 1, 100),
        ("Wandelen", 1, 100),
        ("Geldzaken", 0, 0),
    ]
    # The old form posted again: a clear message, still one ballot.
    response = client.post(poll.get_absolute_url(), form.submit_data(options=[str(i) for i in ids(poll, 2)]))
    assert nl("You have already voted.") in response.content.decode()
    assert PollBallot.objects.count() == 1


def test_radios_and_option_of_another_poll(client_for, house, coordinator, resident):
    poll = make_poll(house, coordinator, options=["Dinsdag", "Donderdag"], max_choices=1)
    other = make_poll(house, coordinator, options=["Ja", "Nee"], max_choices=1)
    client = client_for(resident, HTTP_ACCEPT_LANGUAGE="nl")
    page = client.get(poll.get_absolute_url())
    assert b'type="radio"' in page.content
    form = parse_form(page.content, form_id="vote-form")
    response = client.post(poll.get_absolute_url(), form.submit_data(options=str(ids(other, 0)[0])))
    assert nl("Choose from the answers of this poll.") in response.content.decode()
    assert not PollBallot.objects.exists()


def test_vote_after_closing_as_rendered(client_for, poll, resident):
    client = client_for(resident, HTTP_ACCEPT_LANGUAGE="nl")
    form = parse_form(client.get(poll.get_absolute_url()).content, form_id="vote-form")
    close(poll)
    response = client.post(poll.get_absolute_url(), form.submit_data(options=[str(ids(poll, 0)[0])]))
    assert nl("This poll is closed. You can no longer answer.") in response.content.decode()
    assert not PollBallot.objects.exists()


def test_coordinator_enters_answer_for_member(client_for, poll, coordinator, paper_person):
    client = client_for(coordinator)
    form = parse_form(client.get(poll.get_absolute_url()).content, form_id="vote-form")
    assert "person" in form.field_names
    client.post(
        poll.get_absolute_url(), form.submit_data(person=str(paper_person.pk), options=[str(ids(poll, 5)[0])])
    )
    ballot = PollBallot.objects.get()
    assert (ballot.person, ballot.entered_by) == (paper_person, coordinator)


# --- who sees the results ---------------------------------------------------------------------


@pytest.mark.parametrize("results", [Poll.Results.AFTER_VOTE, Poll.Results.AFTER_CLOSE])
def test_results_visibility(client_for, house, coordinator, resident, student, results):
    poll = make_poll(house, coordinator, results=results)
    services.vote(poll=poll, by=resident, option_ids=ids(poll, 0))

    def shown(person):
        return client_for(person).get(poll.get_absolute_url()).context["show_results"]

    assert shown(coordinator) is True  # managers always
    assert shown(student) is False  # not voted, still open
    assert shown(resident) is (results == Poll.Results.AFTER_VOTE)
    close(poll)
    assert shown(student) is True and shown(resident) is True


def test_polls_hidden_from_non_members_on_ideas_page(client_for, house, poll, viewer):
    url = reverse("activities:ideas", kwargs={"house": house.slug})
    assert poll.question not in client_for(None).get(url).content.decode()
    assert poll.question not in client_for(viewer).get(url).content.decode()
    assert client_for(viewer).get(poll.get_absolute_url()).status_code == 403


@pytest.mark.parametrize("n", [2, 40])
def test_poll_pages_query_budget(client_for, house, coordinator, make_user, n, django_assert_max_num_queries):
    voters = [make_user(f"v{i}@example.nl", f"Voter {i}", house, "resident") for i in range(n)]
    polls = [make_poll(house, coordinator, days=i + 1) for i in range(n // 2)]
    for poll in polls:
        for voter in voters:
            services.vote(poll=poll, by=voter, option_ids=ids(poll, 0, 1))
    client = client_for(voters[0])
    ideas_url = reverse("activities:ideas", kwargs={"house": house.slug})
    client.get(ideas_url)
    with django_assert_max_num_queries(9):
        client.get(ideas_url)
    with django_assert_max_num_queries(9):
        response = client.get(polls[0].get_absolute_url())
    assert response.context["results"][0].votes == n


# --- two votes at the same moment -------------------------------------------------------------

CONSTRAINT = "poll_one_ballot"


def _race(poll, person, monkeypatch):
    """Two answers of one person at once, both past the "already voted" check before either writes."""
    barrier = threading.Barrier(2)

    def blind_check(poll, person):
        barrier.wait(10)
        return False

    monkeypatch.setattr(services, "_has_voted", blind_check)

    def voter(index):
        def go():
            with translation.override("nl"):
                return services.vote(poll=poll, by=person, option_ids=ids(poll, index))

        return go

    return run_in_threads(voter(0), voter(1))


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_votes_leave_one_ballot(house, coordinator, resident, monkeypatch):
    poll = make_poll(house, coordinator)
    results = _race(poll, resident, monkeypatch)
    errors = [r for kind, r in results if kind == "error"]
    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    assert isinstance(errors[0], PollError) and str(errors[0]) == nl("You have already voted.")
    assert PollBallot.objects.filter(poll=poll, person=resident).count() == 1


@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_constraint_two_ballots(house, coordinator, resident, monkeypatch):
    """The same race without the unique constraint saves two ballots: the test above can fail."""
    poll = make_poll(house, coordinator)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE activities_pollballot DROP CONSTRAINT {CONSTRAINT}")
    try:
        results = _race(poll, resident, monkeypatch)
        assert [kind for kind, _ in results] == ["ok", "ok"]
        assert PollBallot.objects.filter(poll=poll, person=resident).count() == 2
    finally:
        PollBallot.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"ALTER TABLE activities_pollballot ADD CONSTRAINT {CONSTRAINT} UNIQUE (poll_id, person_id)"
            )
