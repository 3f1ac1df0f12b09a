"""Residents' ideas: propose, support once, decide with a reason, tell the proposer; pages as rendered."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from activities import ideas as services
from activities.ideas import IdeaError
from activities.models import Idea, IdeaSupport
from residents.models import AuditEvent
from tests.forms import parse_form

pytestmark = pytest.mark.usefixtures("mfa_off")


def nl(msgid: str) -> str:
    with translation.override("nl"):
        return gettext(msgid)


@pytest.fixture
def idea(house, resident):
    return services.propose_idea(house=house, by=resident, title="Samen koken", description="Elke maand")


@pytest.fixture
def paper_person(house, make_user):
    """A member without e-mail, registered at the desk."""
    return make_user(None, "Wil Kok", house, "resident")


def _url(name, house, **kw):
    return reverse(f"activities:{name}", kwargs={"house": house.slug, **kw})


# --- services ---------------------------------------------------------------------------------


def test_propose_records_and_strips(house, resident):
    idea = services.propose_idea(house=house, by=resident, title="  Boekenkast  ", helpers=" buurman ")
    assert (idea.title, idea.helpers, idea.proposer, idea.entered_by) == (
        "Boekenkast",
        "buurman",
        resident,
        None,
    )
    event = AuditEvent.objects.get(action="idea.proposed")
    assert event.actor == resident and event.on_behalf_of is None


@pytest.mark.parametrize("title", ["", "   "])
def test_idea_without_title_is_refused(house, resident, title):
    with translation.override("nl"), pytest.raises(IdeaError) as err:
        services.propose_idea(house=house, by=resident, title=title)
    assert str(err.value) == nl("Give your idea a title.")
    assert not Idea.objects.exists()


def test_non_member_cannot_propose_or_support(house, outsider, viewer, idea):
    for person in (outsider, viewer):
        with pytest.raises(IdeaError):
            services.propose_idea(house=house, by=person, title="Iets")
        with pytest.raises(IdeaError):
            services.support_idea(idea=idea, by=person)
    assert Idea.objects.count() == 1 and not IdeaSupport.objects.exists()


def test_coordinator_proposes_for_a_member_without_email(house, coordinator, paper_person):
    idea = services.propose_idea(
        house=house, by=coordinator, proposer=paper_person, title="Hulp bij formulieren"
    )
    assert idea.proposer == paper_person and idea.entered_by == coordinator
    event = AuditEvent.objects.get(action="idea.proposed")
    assert (event.actor, event.on_behalf_of) == (coordinator, paper_person)


def test_resident_cannot_propose_for_someone_else(house, resident, paper_person, outsider, coordinator):
    with pytest.raises(IdeaError):
        services.propose_idea(house=house, by=resident, proposer=paper_person, title="X")
    with pytest.raises(IdeaError):  # not a member of this house
        services.propose_idea(house=house, by=coordinator, proposer=outsider, title="X")
    assert not Idea.objects.exists()


def test_support_once_then_withdraw(idea, student):
    services.support_idea(idea=idea, by=student)
    with translation.override("nl"), pytest.raises(IdeaError) as err:
        services.support_idea(idea=idea, by=student)
    assert str(err.value) == nl("You already support this idea.")
    assert IdeaSupport.objects.filter(idea=idea).count() == 1
    services.withdraw_support(idea=idea, by=student)
    assert not IdeaSupport.objects.exists()
    with pytest.raises(IdeaError):
        services.withdraw_support(idea=idea, by=student)
    assert [e.action for e in AuditEvent.objects.order_by("pk")][-2:] == [
        "idea.supported",
        "idea.support_withdrawn",
    ]


def test_support_on_behalf_is_recorded(idea, coordinator, paper_person):
    support = services.support_idea(idea=idea, by=coordinator, person=paper_person)
    assert (support.person, support.entered_by) == (paper_person, coordinator)
    event = AuditEvent.objects.get(action="idea.supported")
    assert event.on_behalf_of == paper_person


def test_closed_idea_gets_no_support(idea, coordinator, student):
    services.set_idea_status(idea=idea, by=coordinator, status=Idea.Status.DONE)
    with pytest.raises(IdeaError):
        services.support_idea(idea=idea, by=student)


def test_not_now_needs_a_reason(idea, coordinator):
    with translation.override("nl"), pytest.raises(IdeaError) as err:
        services.set_idea_status(idea=idea, by=coordinator, status=Idea.Status.NOT_NOW, reason="  ")
    assert str(err.value) == nl("Say why this idea is not for now. The person who proposed it reads this.")
    idea.refresh_from_db()
    assert idea.status == Idea.Status.NEW and mail.outbox == []


def test_status_change_audits_and_mails_proposer_in_their_language(idea, coordinator, resident):
    resident.language = "en"
    resident.save(update_fields=["language"])
    services.set_idea_status(idea=idea, by=coordinator, status=Idea.Status.NOT_NOW, reason="Te duur")
    idea.refresh_from_db()
    assert (idea.status, idea.status_reason) == (Idea.Status.NOT_NOW, "Te duur")
    event = AuditEvent.objects.get(action="idea.status")
    assert event.changes == {"status": ["new", "not_now"], "reason": "Te duur"}
    (message,) = mail.outbox
    assert message.to == [resident.email]
    assert message.subject == "Your idea “Samen koken”: not now"
    assert "Te duur" in message.body


def test_no_mail_without_address_and_only_on_change(house, coordinator, paper_person):
    idea = services.propose_idea(house=house, by=coordinator, proposer=paper_person, title="Hulp")
    services.set_idea_status(idea=idea, by=coordinator, status=Idea.Status.LOOKING)
    assert mail.outbox == []
    assert AuditEvent.objects.filter(action="idea.status").count() == 1


def test_only_managers_set_status(idea, resident, student):
    for person in (resident, student):
        with pytest.raises(IdeaError):
            services.set_idea_status(idea=idea, by=person, status=Idea.Status.DONE)


def test_list_sorted_by_support_then_newest(house, resident, student, coordinator):
    old = services.propose_idea(house=house, by=resident, title="Oud")
    new = services.propose_idea(house=house, by=resident, title="Nieuw")
    popular = services.propose_idea(house=house, by=resident, title="Populair")
    Idea.objects.filter(pk=popular.pk).update(created_at=old.created_at.replace(year=2020))
    for person in (student, coordinator):
        services.support_idea(idea=popular, by=person)
    services.support_idea(idea=old, by=student)
    listed = services.ideas_for_page(house, student)
    assert [(i.title, i.support_count, i.supported) for i in listed] == [
        ("Populair", 2, True),
        ("Oud", 1, True),
        ("Nieuw", 0, False),
    ]
    assert new.pk == listed[2].pk


# --- pages ------------------------------------------------------------------------------------


def test_anonymous_sees_titles_without_names(client_for, house, idea, student):
    services.support_idea(idea=idea, by=student)
    response = client_for(None).get(_url("ideas", house))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Samen koken" in html and "Bea" not in html
    assert response.context["ideas"][0].support_count == 1
    assert f"{reverse('account_login')}?next=" in html
    assert 'action="' + _url("idea_support", house, pk=idea.pk) not in html


def test_member_sees_first_name_and_nav(client_for, house, idea, student):
    response = client_for(student).get(_url("ideas", house))
    html = response.content.decode()
    assert "Bea" in html and "Bewoner" not in html
    assert any(item.url == _url("ideas", house) for item in response.context["nav_items"])


def test_propose_as_rendered(client_for, house, resident):
    client = client_for(resident, HTTP_ACCEPT_LANGUAGE="nl")
    page = client.get(_url("idea_add", house))
    form = parse_form(page.content, has_field="title")
    assert "proposer" not in form.field_names
    response = client.post(
        _url("idea_add", house), form.submit_data(title="Boekenkast", description="Ruilen"), follow=True
    )
    idea = Idea.objects.get()
    assert response.redirect_chain[-1][0] == idea.get_absolute_url()
    assert (
        nl("Thank you! Your idea is on the list. Neighbours can support it now.") in response.content.decode()
    )


def test_propose_without_title_shows_error(client_for, house, resident):
    client = client_for(resident, HTTP_ACCEPT_LANGUAGE="nl")
    form = parse_form(client.get(_url("idea_add", house)).content, has_field="title")
    response = client.post(_url("idea_add", house), form.submit_data(title="  "))
    assert response.status_code == 200
    assert nl("Give your idea a title.") in response.content.decode()
    assert not Idea.objects.exists()


def test_coordinator_proposes_for_member_as_rendered(client_for, house, coordinator, paper_person):
    client = client_for(coordinator)
    form = parse_form(client.get(_url("idea_add", house)).content, has_field="title")
    assert "proposer" in form.field_names
    client.post(_url("idea_add", house), form.submit_data(proposer=str(paper_person.pk), title="Formulieren"))
    idea = Idea.objects.get()
    assert (idea.proposer, idea.entered_by) == (paper_person, coordinator)


def test_support_toggle_from_list(client_for, house, idea, student):
    client = client_for(student, HTTP_ACCEPT_LANGUAGE="nl")
    action = _url("idea_support", house, pk=idea.pk)
    form = parse_form(client.get(_url("ideas", house)).content, action=action)
    assert form.data["action"] == "support"
    response = client.post(action, form.data, follow=True)
    assert response.redirect_chain[-1][0] == _url("ideas", house)
    assert IdeaSupport.objects.filter(idea=idea, person=student).exists()
    # The same form posted twice (a double click): a message, still one support.
    response = client.post(action, form.data, follow=True)
    assert nl("You already support this idea.") in response.content.decode()
    assert IdeaSupport.objects.filter(idea=idea).count() == 1
    form = parse_form(client.get(_url("ideas", house)).content, action=action)
    assert form.data["action"] == "withdraw"
    client.post(action, form.data)
    assert not IdeaSupport.objects.exists()


def test_support_for_member_as_rendered(client_for, house, idea, coordinator, paper_person):
    client = client_for(coordinator)
    page = client.get(idea.get_absolute_url())
    form = parse_form(page.content, form_id="support-for-form")
    client.post(form.action, form.submit_data("action", person=str(paper_person.pk)))
    support = IdeaSupport.objects.get()
    assert (support.person, support.entered_by) == (paper_person, coordinator)


def test_resident_cannot_support_for_someone_else(client_for, house, idea, resident, paper_person):
    client = client_for(resident)
    assert b"support-for-form" not in client.get(idea.get_absolute_url()).content
    client.post(_url("idea_support", house, pk=idea.pk), {"action": "support", "person": paper_person.pk})
    # The person field does not exist for a resident: the support is their own.
    assert list(IdeaSupport.objects.values_list("person", flat=True)) == [resident.pk]


def test_status_not_now_without_reason_as_rendered(client_for, house, idea, coordinator):
    client = client_for(coordinator, HTTP_ACCEPT_LANGUAGE="nl")
    form = parse_form(client.get(idea.get_absolute_url()).content, form_id="status-form")
    response = client.post(form.action, form.submit_data(status="not_now", reason=""))
    assert response.status_code == 200
    assert parse_form(response.content, form_id="status-form").data["status"] == "not_now"
    assert nl("Say why this idea is not for now. The person who proposed it reads this.") in (
        response.content.decode()
    )
    idea.refresh_from_db()
    assert idea.status == Idea.Status.NEW and mail.outbox == []
    client.post(form.action, form.submit_data(status="not_now", reason="Geen geld dit jaar"))
    idea.refresh_from_db()
    assert idea.status == Idea.Status.NOT_NOW and len(mail.outbox) == 1


def test_plan_link_and_activity_link(client_for, house, idea, student, resident):
    page = client_for(student).get(idea.get_absolute_url()).content.decode()
    assert f"{_url('activity_add', house)}?idee={idea.pk}" in page
    assert f"?idee={idea.pk}" not in client_for(resident).get(idea.get_absolute_url()).content.decode()


def test_idea_of_other_house_is_404(client_for, other_house, outsider, house, idea):
    assert client_for(outsider).get(_url("idea", other_house, pk=idea.pk)).status_code == 404


# --- query budget -----------------------------------------------------------------------------


def _fill(house, people, n):
    ideas = Idea.objects.bulk_create(
        Idea(house=house, proposer=people[i % len(people)], title=f"Idee {i}") for i in range(n)
    )
    IdeaSupport.objects.bulk_create(
        IdeaSupport(idea=idea, person=person) for i, idea in enumerate(ideas) for person in people[: i % 4]
    )


@pytest.mark.parametrize("n", [5, 300])
@pytest.mark.parametrize("persona", ["anonymous", "resident", "coordinator"])
def test_ideas_page_query_budget(client_for, house, all_personas, persona, n, django_assert_max_num_queries):
    people = [all_personas[p] for p in ("resident", "student", "coordinator", "staff")]
    _fill(house, people, n)
    client = client_for(all_personas[persona])
    client.get(_url("ideas", house))  # warm the session and caches
    with django_assert_max_num_queries(9):
        response = client.get(_url("ideas", house))
    assert len(response.context["ideas"]) == n
