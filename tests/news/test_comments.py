"""Reactions under news posts: writing, hiding with a reason, reporting once, the moderators' page.

Service tests first, then the pages as they render (forms submitted as the browser would), the query
budget of a post's page, and a race of one person reporting twice at the same moment.
"""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from news import comments
from news.comments import CommentError, CommentNotAllowed
from news.models import Comment, CommentReport, Post
from residents.models import AuditEvent
from tests.forms import parse_form, parse_forms
from tests.news.test_views import make_post
from tests.threads import run_in_threads

pytestmark = pytest.mark.usefixtures("mfa_off")

HIDDEN = "Deze reactie is verborgen door een moderator."


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


@pytest.fixture
def post(house):
    return make_post(house, "Nieuwe stoelen in de huiskamer")


@pytest.fixture
def comment(post, resident):
    return Comment.objects.create(post=post, author=resident, body="Mooie stoelen!")


def post_url(post, house):
    return reverse("news:post", kwargs={"house": house.slug, "pk": post.pk})


def comment_url(name, comment, house):
    return reverse(f"news:{name}", kwargs={"house": house.slug, "pk": comment.post_id, "comment": comment.pk})


def error_of(call) -> str:
    with pytest.raises(CommentError) as info:
        call()
    return str(info.value)


def text_of(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- writing -------------------------------------------------------------------------------------


def test_a_member_reacts_and_the_text_is_trimmed(post, resident):
    comment = comments.add_comment(post=post, by=resident, body="  Leuk!\r\nTot vrijdag.  \n")
    comment.refresh_from_db()
    assert comment.body == "Leuk!\nTot vrijdag."
    assert comment.author == resident and comment.post == post


@pytest.mark.parametrize("body", ["", "   ", "\n\r\n", "\x00"])
def test_an_empty_reaction_is_refused(post, resident, body):
    assert error_of(lambda: comments.add_comment(post=post, by=resident, body=body)) == (
        "Schrijf eerst een reactie."
    )
    assert not Comment.objects.exists()


def test_a_too_long_reaction_is_refused(post, resident):
    assert comments.add_comment(post=post, by=resident, body="a" * Comment.MAX_LENGTH).pk
    message = error_of(lambda: comments.add_comment(post=post, by=resident, body="b" * 2001))
    assert message == "Je reactie mag maximaal 2000 tekens hebben. Nu zijn het er 2001."
    assert Comment.objects.count() == 1


def test_no_reactions_when_they_are_switched_off(house, resident):
    closed = make_post(house, "Zonder reacties", comments_enabled=False)
    message = error_of(lambda: comments.add_comment(post=closed, by=resident, body="Hoi"))
    assert message == "Reageren staat uit bij dit bericht."
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [{"status": Post.Status.DRAFT}, {"publish_at": timezone.now() + dt.timedelta(days=1)}],
    ids=["draft", "scheduled"],
)
def test_no_reactions_on_unpublished_posts(house, resident, extra):
    hidden = make_post(house, "Nog niet zichtbaar", **extra)
    assert error_of(lambda: comments.add_comment(post=hidden, by=resident, body="Hoi")) == (
        "Reageren staat uit bij dit bericht."
    )
    assert not Comment.objects.exists()


@pytest.mark.parametrize("persona", ["viewer", "outsider", "anonymous"])
def test_only_members_of_the_house_react(request, post, persona):
    person = request.getfixturevalue(persona) or AnonymousUser()
    with pytest.raises(CommentNotAllowed) as info:
        comments.add_comment(post=post, by=person, body="Hallo")
    assert str(info.value) == "Alleen leden van dit huis kunnen reageren."
    assert not Comment.objects.exists()


def test_a_post_for_all_houses_takes_members_of_any_house(other_house, outsider, viewer):
    everywhere = make_post(None, "Nieuws voor alle huizen")
    assert comments.add_comment(post=everywhere, by=outsider, body="Ook bij ons!").pk
    with pytest.raises(CommentNotAllowed):
        comments.add_comment(post=everywhere, by=viewer, body="Mag ik?")


def test_many_reactions_in_a_short_time_are_slowed_down(post, resident):
    old = Comment.objects.create(post=post, author=resident, body="Gisteren")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(minutes=11))
    for n in range(comments.RATE_LIMIT):
        comments.add_comment(post=post, by=resident, body=f"Reactie {n}")
    message = error_of(lambda: comments.add_comment(post=post, by=resident, body="Nog een"))
    assert message == (
        "Je hebt in korte tijd veel reacties geschreven. Wacht een paar minuten en probeer het dan opnieuw."
    )
    assert Comment.objects.filter(author=resident).count() == comments.RATE_LIMIT + 1


# --- hiding and showing again --------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_hiding_needs_a_reason(comment, coordinator, reason):
    message = error_of(lambda: comments.hide_comment(comment=comment, by=coordinator, reason=reason))
    assert message == "Schrijf waarom je deze reactie verbergt. De schrijver leest dit."
    comment.refresh_from_db()
    assert comment.hidden_at is None
    assert not AuditEvent.objects.filter(action="news.comment_hidden").exists()


def test_a_too_long_reason_is_refused(comment, coordinator):
    message = error_of(lambda: comments.hide_comment(comment=comment, by=coordinator, reason="x" * 301))
    assert message == "De reden mag maximaal 300 tekens hebben."


def test_a_moderator_hides_with_a_reason_and_the_reports_are_handled(comment, coordinator, student):
    comments.report_comment(comment=comment, by=student, reason="Reclame")
    comments.hide_comment(comment=comment, by=coordinator, reason="  Reclame hoort hier niet. ")
    comment.refresh_from_db()
    assert comment.hidden_at is not None and comment.hidden_by == coordinator
    assert comment.hidden_reason == "Reclame hoort hier niet."
    assert not CommentReport.objects.filter(handled_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="news.comment_hidden")
    assert event.actor == coordinator and event.house == comment.post.house
    assert event.changes["reason"] == "Reclame hoort hier niet." and event.changes["reports_handled"] == 1

    message = error_of(lambda: comments.hide_comment(comment=comment, by=coordinator, reason="Nog eens"))
    assert message == "Een moderator heeft deze reactie al verborgen."


def test_showing_again(comment, staff):
    comments.hide_comment(comment=comment, by=staff, reason="Per ongeluk")
    comments.unhide_comment(comment=comment, by=staff)
    comment.refresh_from_db()
    assert (comment.hidden_at, comment.hidden_by, comment.hidden_reason) == (None, None, "")
    assert AuditEvent.objects.get(action="news.comment_shown").changes["reason"] == ["Per ongeluk", ""]
    assert error_of(lambda: comments.unhide_comment(comment=comment, by=staff)) == (
        "Deze reactie is niet verborgen."
    )


@pytest.mark.parametrize("persona", ["resident", "student", "viewer", "outsider"])
def test_only_moderators_hide(request, comment, persona):
    person = request.getfixturevalue(persona)
    with pytest.raises(CommentNotAllowed):
        comments.hide_comment(comment=comment, by=person, reason="Weg ermee")
    comment.refresh_from_db()
    assert comment.hidden_at is None


def test_a_post_for_all_houses_is_moderated_by_staff(resident, coordinator, staff):
    everywhere = make_post(None, "Nieuws voor alle huizen")
    reaction = Comment.objects.create(post=everywhere, author=resident, body="Top")
    with pytest.raises(CommentNotAllowed):
        comments.hide_comment(comment=reaction, by=coordinator, reason="Nee")
    comments.hide_comment(comment=reaction, by=staff, reason="Persoonlijke gegevens")
    assert Comment.objects.get(pk=reaction.pk).hidden_by == staff


# --- reporting -----------------------------------------------------------------------------------


def test_a_second_report_by_the_same_person_is_refused(comment, student):
    comments.report_comment(comment=comment, by=student, reason="Niet aardig")
    message = error_of(lambda: comments.report_comment(comment=comment, by=student, reason="Echt niet"))
    assert message == "Je hebt deze reactie al gemeld."
    assert CommentReport.objects.filter(comment=comment).count() == 1


def test_reports_that_make_no_sense_are_refused(comment, resident, student, coordinator, viewer):
    assert error_of(lambda: comments.report_comment(comment=comment, by=resident)) == (
        "Dit is je eigen reactie. Die kun je wel verwijderen."
    )
    with pytest.raises(CommentNotAllowed):
        comments.report_comment(comment=comment, by=viewer)
    comments.hide_comment(comment=comment, by=coordinator, reason="Te persoonlijk")
    assert error_of(lambda: comments.report_comment(comment=comment, by=student)) == (
        "Een moderator heeft deze reactie al verborgen."
    )
    assert not CommentReport.objects.exists()


def test_the_first_report_is_mailed_to_the_moderators(
    house, comment, student, coordinator, staff, make_user, django_capture_on_commit_callbacks
):
    make_user("redacteur@example.nl", "Ed Redacteur", house, "editor")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comments.report_comment(comment=comment, by=student, reason="Scheldwoord")
    assert sorted(m.to[0] for m in mail.outbox) == [
        "coordinator@example.nl",
        "medewerker@example.nl",
        "redacteur@example.nl",
    ]
    message = mail.outbox[0]
    assert message.subject.endswith("Er is een reactie bij “Nieuwe stoelen in de huiskamer” gemeld")
    assert reverse("news:moderation", kwargs={"house": house.slug}) in message.body
    assert "Mooie stoelen" not in message.body and "Scheldwoord" not in message.body

    # A second report of the same reaction is not mailed again.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comments.report_comment(comment=comment, by=coordinator)
    assert mail.outbox == []


def test_closing_the_reports_keeps_the_reaction(comment, student, coordinator):
    comments.report_comment(comment=comment, by=student)
    assert comments.dismiss_reports(comment=comment, by=coordinator) == 1
    assert not CommentReport.objects.filter(handled_at__isnull=True).exists()
    assert Comment.objects.get(pk=comment.pk).hidden_at is None
    assert AuditEvent.objects.get(action="news.comment_reports_dismissed").changes["reports"] == 1
    assert error_of(lambda: comments.dismiss_reports(comment=comment, by=coordinator)) == (
        "Er staan geen meldingen open voor deze reactie."
    )


def test_writers_delete_their_own_reaction_only(comment, resident, student):
    with pytest.raises(CommentNotAllowed):
        comments.delete_comment(comment=comment, by=student)
    comments.delete_comment(comment=comment, by=resident)
    assert not Comment.objects.exists()
    event = AuditEvent.objects.get(action="news.comment_deleted")
    assert "Mooie stoelen" not in f"{event.target_repr} {event.changes}"


# --- the post's page -----------------------------------------------------------------------------


def test_a_member_reacts_through_the_form(client_for, house, post, resident):
    client = client_for(resident)
    page = client.get(post_url(post, house))
    assert "Nog geen reacties. Reageer als eerste!" in text_of(page)
    form = parse_form(page.content, form_id="comment-form")
    body = "<script>alert(1)</script>\nTot <b>vrijdag</b>!"
    response = client.post(form.action, form.submit_data(body=body))
    reaction = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{post_url(post, house)}#reactie-{reaction.pk}"
    page = client.get(response["Location"])
    html = text_of(page)
    assert "Bedankt. Je reactie is geplaatst." in messages_of(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Tot &lt;b&gt;vrijdag&lt;/b&gt;!" in html
    assert "<script>alert(1)" not in html
    assert "Bea Bewoner" in html


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("   ", "Schrijf eerst een reactie."),
        ("x" * 2001, "Je reactie mag maximaal 2000 tekens hebben. Nu zijn het er 2001."),
    ],
    ids=["empty", "too-long"],
)
def test_a_bad_reaction_shows_the_form_again(client_for, house, post, resident, body, error):
    client = client_for(resident)
    form = parse_form(client.get(post_url(post, house)).content, form_id="comment-form")
    response = client.post(form.action, form.submit_data(body=body))
    assert response.status_code == 200
    assert error in text_of(response)
    again = parse_form(response.content, form_id="comment-form")
    assert again.data["body"] == body  # what was typed is kept
    assert not Comment.objects.exists()


def test_reactions_switched_off(client_for, house, resident):
    closed = make_post(house, "Zonder reacties", comments_enabled=False)
    client = client_for(resident)
    page = client.get(post_url(closed, house))
    assert "Reageren staat uit bij dit bericht." in text_of(page)
    assert not [f for f in parse_forms(page.content) if f.attrs.get("id") == "comment-form"]
    url = reverse("news:comment_add", kwargs={"house": house.slug, "pk": closed.pk})
    response = client.post(url, {"body": "Toch even"})
    assert response.status_code == 200
    assert "Reageren staat uit bij dit bericht." in text_of(response)
    assert not Comment.objects.exists()


def test_no_reactions_to_posts_the_member_cannot_see(client_for, house, other_house, resident):
    draft = make_post(house, "Concept", status=Post.Status.DRAFT)
    elsewhere = make_post(other_house, "Alleen bij de buren", audience=Post.Audience.MEMBERS)
    client = client_for(resident)
    for target, slug in ((draft, house.slug), (elsewhere, house.slug), (elsewhere, other_house.slug)):
        url = reverse("news:comment_add", kwargs={"house": slug, "pk": target.pk})
        assert client.post(url, {"body": "Hallo"}).status_code == 404
    assert not Comment.objects.exists()


def test_visitors_are_asked_to_log_in_and_see_no_names(client, house, post, comment):
    page = client.get(post_url(post, house))
    html = text_of(page)
    assert "Log in om te reageren" in html
    assert "Mooie stoelen" not in html and "Bea Bewoner" not in html
    url = reverse("news:comment_add", kwargs={"house": house.slug, "pk": post.pk})
    response = client.post(url, {"body": "Anoniem"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("persona", ["viewer", "outsider"])
def test_non_members_read_no_reactions_and_cannot_react(request, client_for, house, post, comment, persona):
    client = client_for(request.getfixturevalue(persona))
    html = text_of(client.get(post_url(post, house)))
    assert "Alleen leden van dit huis kunnen reacties lezen en schrijven." in html
    assert "Mooie stoelen" not in html
    url = reverse("news:comment_add", kwargs={"house": house.slug, "pk": post.pk})
    assert client.post(url, {"body": "Ik ook"}).status_code == 403
    assert client.post(comment_url("comment_report", comment, house), {"reason": ""}).status_code == 403
    assert Comment.objects.count() == 1 and not CommentReport.objects.exists()


def test_a_hidden_reaction_as_each_person_sees_it(client_for, house, post, comment, student, coordinator):
    comments.hide_comment(comment=comment, by=coordinator, reason="Namen van buren horen hier niet")
    others = text_of(client_for(student).get(post_url(post, house)))
    assert HIDDEN in others
    assert "Mooie stoelen" not in others and "Namen van buren" not in others

    writer = text_of(client_for(comment.author).get(post_url(post, house)))
    assert HIDDEN in writer and "Namen van buren horen hier niet" in writer

    moderator = client_for(coordinator).get(post_url(post, house))
    assert "Namen van buren horen hier niet" in text_of(moderator)
    assert parse_form(moderator.content, action=comment_url("comment_unhide", comment, house))


def test_a_moderator_hides_through_the_form(client_for, house, post, comment, coordinator):
    client = client_for(coordinator)
    page = client.get(post_url(post, house))
    form = parse_form(page.content, action=comment_url("comment_hide", comment, house))

    response = client.post(form.action, form.submit_data(reason=""))
    assert response["Location"] == f"{post_url(post, house)}#reactie-{comment.pk}"
    page = client.get(response["Location"])
    assert "Schrijf waarom je deze reactie verbergt. De schrijver leest dit." in messages_of(page)
    assert Comment.objects.get(pk=comment.pk).hidden_at is None

    response = client.post(form.action, form.submit_data(reason="Niet vriendelijk"))
    page = client.get(response["Location"])
    assert "De reactie is verborgen. De schrijver ziet je reden." in messages_of(page)
    assert HIDDEN in text_of(page)

    form = parse_form(page.content, action=comment_url("comment_unhide", comment, house))
    page = client.get(client.post(form.action, form.data)["Location"])
    assert "De reactie is weer te zien." in messages_of(page)
    assert Comment.objects.get(pk=comment.pk).hidden_at is None


@pytest.mark.parametrize("name", ["comment_hide", "comment_unhide", "comment_dismiss"])
def test_members_may_not_moderate(client_for, house, comment, student, name):
    response = client_for(student).post(comment_url(name, comment, house), {"reason": "Weg"})
    assert response.status_code == 403
    assert Comment.objects.get(pk=comment.pk).hidden_at is None


def test_a_member_reports_once_through_the_form(client_for, house, post, comment, student):
    client = client_for(student)
    page = client.get(post_url(post, house))
    assert "Melden" in text_of(page)
    form = parse_form(page.content, action=comment_url("comment_report", comment, house))
    response = client.post(form.action, form.submit_data(reason="Dit is reclame"))
    page = client.get(response["Location"])
    assert "Bedankt. De moderators kijken naar deze reactie." in messages_of(page)
    assert "Je hebt deze reactie gemeld." in text_of(page)
    with pytest.raises(LookupError):  # no report form any more
        parse_form(page.content, action=comment_url("comment_report", comment, house))

    # The form of the old page, sent again (a second tab, the back button): told, nothing doubled.
    page = client.get(client.post(form.action, form.submit_data(reason="Nog eens"))["Location"])
    assert "Je hebt deze reactie al gemeld." in messages_of(page)
    assert CommentReport.objects.get().reason == "Dit is reclame"


def test_the_writer_deletes_their_reaction_through_the_form(client_for, house, post, comment, resident):
    client = client_for(resident)
    page = client.get(post_url(post, house))
    form = parse_form(page.content, action=comment_url("comment_delete", comment, house))
    assert client_for(resident).get(form.action).status_code == 405
    response = client.post(form.action, form.data)
    assert response["Location"] == f"{post_url(post, house)}#reacties"
    assert "Je reactie is verwijderd." in messages_of(client.get(response["Location"]))
    assert not Comment.objects.exists()


def test_buttons_have_distinct_accessible_names(client_for, house, post, resident, student):
    for minute in (1, 2):
        reaction = Comment.objects.create(post=post, author=resident, body=f"Reactie {minute}")
        Comment.objects.filter(pk=reaction.pk).update(
            created_at=timezone.now() - dt.timedelta(minutes=minute * 61)
        )
    html = text_of(client_for(student).get(post_url(post, house)))
    names = re.findall(r'<summary[^>]*>Melden<span class="visually-hidden">: ([^<]+)</span>', html)
    assert len(names) == 2 and len(set(names)) == 2
    assert all(name.startswith("de reactie van Bea Bewoner op ") for name in names)


@pytest.mark.parametrize("count", [2, 30])
def test_post_page_queries_do_not_grow_with_reactions(
    client_for, house, post, coordinator, student, make_user, count, django_assert_max_num_queries
):
    writers = [make_user(f"buur{i}@example.nl", f"Buur {i}", house, "resident") for i in range(3)]
    for n in range(count):
        reaction = Comment.objects.create(post=post, author=writers[n % 3], body=f"Reactie {n}")
        if n % 5 == 0:
            CommentReport.objects.create(comment=reaction, reporter=student)
        if n % 7 == 3:
            comments.hide_comment(comment=reaction, by=coordinator, reason="Te persoonlijk")
    for persona in (coordinator, student):
        client = client_for(persona)
        client.get(post_url(post, house))  # warm the session
        # session, user, house, post, images, published?, roles, reactions: for 2 and for 30
        with django_assert_max_num_queries(8):
            response = client.get(post_url(post, house))
        assert len(response.context["comments"]) == count


# --- the moderators' page ------------------------------------------------------------------------


def moderation_url(house):
    return reverse("news:moderation", kwargs={"house": house.slug})


def test_the_moderation_page_lists_reported_and_hidden_reactions(
    client_for, house, other_house, post, comment, student, coordinator, outsider
):
    elsewhere = make_post(other_house, "Bij de buren")
    theirs = Comment.objects.create(post=elsewhere, author=outsider, body="Bij ons is het ook leuk")
    comments.report_comment(comment=comment, by=student, reason="Dit is reclame")
    hidden = Comment.objects.create(post=post, author=student, body="Iets lelijks")
    comments.hide_comment(comment=hidden, by=coordinator, reason="Scheldwoord")
    CommentReport.objects.create(comment=theirs, reporter=outsider)

    client = client_for(coordinator)
    page = client.get(moderation_url(house))
    html = text_of(page)
    assert page.status_code == 200
    assert "Mooie stoelen!" in html and "Dit is reclame" in html and "Sam Student" in html
    assert "Iets lelijks" in html and "Scheldwoord" in html
    assert "Bij ons is het ook leuk" not in html  # another house's reactions are not ours

    form = parse_form(page.content, action=comment_url("comment_dismiss", comment, house))
    response = client.post(form.action, form.data)
    assert response["Location"] == moderation_url(house)
    page = client.get(response["Location"])
    assert "De meldingen zijn afgehandeld. De reactie blijft staan." in messages_of(page)
    assert "Er wachten geen reacties op je." in text_of(page)


def test_hiding_from_the_moderation_page(client_for, house, comment, student, coordinator):
    comments.report_comment(comment=comment, by=student)
    client = client_for(coordinator)
    page = client.get(moderation_url(house))
    assert "geen reden gegeven" in text_of(page)
    form = parse_form(page.content, action=comment_url("comment_hide", comment, house))
    response = client.post(form.action, form.submit_data(reason="Ruzie zoeken"))
    assert response["Location"] == moderation_url(house)
    html = text_of(client.get(response["Location"]))
    assert "Er wachten geen reacties op je." in html
    assert "verborgen door Cor Coördinator op" in html


@pytest.mark.parametrize("persona", ["resident", "student", "viewer", "outsider"])
def test_the_moderation_page_is_for_moderators(request, client_for, house, persona):
    assert client_for(request.getfixturevalue(persona)).get(moderation_url(house)).status_code == 403


# --- one person reports twice at the same moment -------------------------------------------------

CONSTRAINT = "report_once"


def _race(comment, person, monkeypatch):
    """Two reports by one person, both past the "already reported" check before either writes."""
    barrier = threading.Barrier(2)

    def blind_check(comment, person):
        barrier.wait(10)
        return False

    monkeypatch.setattr(comments, "_has_reported", blind_check)

    def reporter():
        with translation.override("nl"):
            return comments.report_comment(comment=comment, by=person, reason="Niet oké")

    return run_in_threads(reporter, reporter)


@pytest.mark.django_db(transaction=True)
def test_two_reports_at_once_leave_one(post, comment, student, monkeypatch):
    comment.post = post
    results = _race(comment, student, monkeypatch)
    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, CommentError) and str(error) == "Je hebt deze reactie al gemeld."
    assert CommentReport.objects.filter(comment=comment, reporter=student).count() == 1


@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_constraint_two_reports(post, comment, student, monkeypatch):
    """The same race without the unique constraint saves two reports: the test above can fail."""
    comment.post = post
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE news_commentreport DROP CONSTRAINT {CONSTRAINT}")
    try:
        results = _race(comment, student, monkeypatch)
        assert [kind for kind, _ in results] == ["ok", "ok"]
        assert CommentReport.objects.filter(comment=comment, reporter=student).count() == 2
    finally:
        CommentReport.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"ALTER TABLE news_commentreport ADD CONSTRAINT {CONSTRAINT} UNIQUE (comment_id, reporter_id)"
            )


def test_the_writer_gets_an_e_mail_with_the_reason(comment, coordinator, resident, house):
    mail.outbox.clear()
    comments.hide_comment(comment=comment, by=coordinator, reason="Er stond een telefoonnummer in.")
    assert [m.to for m in mail.outbox] == [[resident.email]]
    message = mail.outbox[0]
    assert message.subject == f"Je reactie onder “{comment.post.title}” is verborgen"
    assert "De reden: Er stond een telefoonnummer in." in message.body
    assert f"/{house.slug}/nieuws/{comment.post.pk}/#reacties" in message.body
    # Showing it again and a failed second hide send nothing more.
    comments.unhide_comment(comment=comment, by=coordinator)
    assert len(mail.outbox) == 1


def test_a_moderator_hiding_their_own_reaction_gets_no_e_mail(post, coordinator):
    own = Comment.objects.create(post=post, author=coordinator, body="Oeps, verkeerde bericht")
    mail.outbox.clear()
    comments.hide_comment(comment=own, by=coordinator, reason="Verkeerde bericht")
    assert mail.outbox == []
