"""Signing up, the waiting list, signing off, sign-ups entered by staff, and the sign-up box."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from activities import signups
from activities.models import Activity, Audience, Signup
from activities.signups import SignupError
from residents.models import AuditEvent, Membership
from tests.activities.factories import make_activity, make_booking
from tests.forms import parse_form

pytestmark = pytest.mark.django_db


def nl(msgid: str, **params) -> str:
    with translation.override("nl"):
        text = gettext(msgid)
    return text % params if params else text


def flashed(response) -> list[str]:
    """The messages a redirect leaves for the next page (the activity page is not needed)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def sign(activity, person, by=None):
    with translation.override("nl"):
        return signups.sign_up(activity=activity, person=person, by=by or person)


@pytest.fixture
def members(house, make_user):
    return [make_user(f"lid{i}@example.nl", f"Lid {i}", house, "resident") for i in range(6)]


@pytest.fixture
def activity(house):
    return make_activity(house, capacity=2)


# --- the service ---------------------------------------------------------------------------------


def test_places_then_waiting_list_in_order(activity, members):
    first, second, third, fourth = (sign(activity, m) for m in members[:4])

    assert [first.status, second.status] == [Signup.Status.CONFIRMED] * 2
    assert [third.status, fourth.status] == [Signup.Status.WAITING] * 2
    assert [signups.waiting_position(third), signups.waiting_position(fourth)] == [1, 2]
    assert [m.to for m in mail.outbox] == [[m.email] for m in members[:4]]
    assert activity.title in mail.outbox[0].subject
    assert mail.outbox[2].subject.startswith("Wachtlijst: ")
    assert AuditEvent.objects.filter(action="signup.created").count() == 4


def test_cancel_moves_the_first_waiting_person_up_with_an_email(activity, members):
    taken = [sign(activity, m) for m in members[:4]]
    mail.outbox.clear()

    signups.cancel_signup(signup_id=taken[0].pk, by=members[0])

    statuses = dict(Signup.objects.filter(activity=activity).values_list("person__email", "status"))
    assert statuses == {
        members[0].email: "cancelled",
        members[1].email: "confirmed",
        members[2].email: "confirmed",
        members[3].email: "waiting",
    }
    assert [m.to for m in mail.outbox] == [[members[2].email]]
    assert mail.outbox[0].subject.startswith("Je hebt een plaats: ")
    assert signups.waiting_position(Signup.objects.get(person=members[3], activity=activity)) == 1
    assert AuditEvent.objects.filter(action="signup.moved_up", on_behalf_of=members[2]).exists()


def test_leaving_the_waiting_list_moves_nobody(activity, members):
    taken = [sign(activity, m) for m in members[:3]]
    signups.cancel_signup(signup_id=taken[2].pk, by=members[2])
    assert Signup.objects.filter(activity=activity, status="confirmed").count() == 2


@pytest.mark.parametrize(
    ("change", "msgid"),
    [
        ({"status": Activity.Status.CANCELLED}, "This activity is cancelled."),
        ({"signup_required": False}, "You do not need to sign up for this activity: just come."),
    ],
)
def test_cancelled_or_no_signup_needed_is_refused(house, resident, change, msgid):
    activity = make_activity(house, **change)
    with pytest.raises(SignupError) as err:
        sign(activity, resident)
    assert str(err.value) == nl(msgid)
    assert not Signup.objects.exists()


def test_past_or_started_activity_is_refused(house, resident):
    started = make_activity(house, start=timezone.now() - dt.timedelta(minutes=5))
    with pytest.raises(SignupError) as err:
        sign(started, resident)
    assert str(err.value) == nl("This activity has already started. Signing up is no longer possible.")
    assert not Signup.objects.exists()


def test_a_second_signup_is_refused_also_from_the_waiting_list(activity, members):
    for m in members[:3]:
        sign(activity, m)
    for m in (members[0], members[2]):
        with pytest.raises(SignupError) as err:
            sign(activity, m)
        assert str(err.value) == nl("You are already on the list for this activity.")
    assert Signup.objects.filter(activity=activity).count() == 3


def test_the_database_refuses_a_double_signup_with_the_same_message(activity, resident, monkeypatch):
    """When the pre-check misses it (a race), the constraint says no, with the same message."""
    sign(activity, resident)
    monkeypatch.setattr(signups, "on_the_list", lambda activity, person: False)
    with pytest.raises(SignupError) as err:
        sign(activity, resident)
    assert str(err.value) == nl("You are already on the list for this activity.")
    assert Signup.objects.filter(activity=activity).count() == 1


def test_members_only_activity_refuses_outsider_and_unverified(house, outsider, make_user):
    activity = make_activity(house, audience=Audience.MEMBERS)
    pending = make_user("nieuw@example.nl", "Nina Nieuw", house, "resident", status=Membership.Status.PENDING)

    with pytest.raises(SignupError) as err:
        sign(activity, outsider)
    assert str(err.value) == nl("This activity is only for members of %(house)s.", house=house.name)
    with pytest.raises(SignupError) as err:
        sign(activity, pending)
    assert str(err.value) == nl("Your membership is not verified yet. Staff of the house will do that soon.")
    assert not Signup.objects.exists()


def test_activity_for_everyone_is_open_to_any_account(house, outsider, make_user):
    stranger = make_user("buur@example.nl", "Buur Zonder Huis")
    activity = make_activity(house)
    assert sign(activity, outsider).status == Signup.Status.CONFIRMED
    assert sign(activity, stranger).status == Signup.Status.CONFIRMED


def test_staff_signs_up_someone_without_email_recorded_as_such(house, coordinator, make_user):
    granny = make_user(None, "Oma Jansen", house, "resident")
    activity = make_activity(house, capacity=1)

    signup = sign(activity, granny, by=coordinator)

    assert signup.status == Signup.Status.CONFIRMED
    assert signup.entered_by == coordinator
    event = AuditEvent.objects.get(action="signup.created")
    assert (event.actor, event.on_behalf_of) == (coordinator, granny)
    assert mail.outbox == []  # no address, no e-mail; the place counts all the same
    assert signups.signup_box(activity, coordinator).places_left == 0


def test_a_resident_cannot_sign_up_someone_else(activity, resident, members):
    with pytest.raises(SignupError) as err:
        sign(activity, members[0], by=resident)
    assert str(err.value) == nl("You can only sign up yourself.")
    with pytest.raises(SignupError):
        signups.cancel_signup(signup_id=sign(activity, members[0]).pk, by=resident)
    assert Signup.objects.get().status == Signup.Status.CONFIRMED


def test_staff_signs_someone_off_with_audit(activity, staff, members):
    signup = sign(activity, members[0])
    signups.cancel_signup(signup_id=signup.pk, by=staff)
    event = AuditEvent.objects.get(action="signup.cancelled")
    assert (event.actor, event.on_behalf_of) == (staff, members[0])


def test_signing_off_twice_is_refused(activity, resident):
    signup = sign(activity, resident)
    signups.cancel_signup(signup_id=signup.pk, by=resident)
    with translation.override("nl"), pytest.raises(SignupError) as err:
        signups.cancel_signup(signup_id=signup.pk, by=resident)
    assert str(err.value) == nl("This sign-up was already cancelled.")


def test_activity_in_the_living_room_with_a_booking(house, room, coordinator, resident):
    start = timezone.now() + dt.timedelta(days=2)
    booking = make_booking(room, coordinator, start, start + dt.timedelta(hours=2), title="Koffie")
    activity = Activity.objects.create(
        house=house,
        booking=booking,
        period=booking.period,
        title="Koffieochtend",
        category="coffee",
        signup_required=True,
        capacity=10,
    )
    sign(activity, resident)
    assert "Huiskamer" in mail.outbox[0].body


# --- the views -----------------------------------------------------------------------------------


def test_signup_view_signs_up_and_redirects_with_a_message(client_for, activity, resident):
    client = client_for(resident)
    url = reverse("activities:signup", kwargs={"house": activity.house.slug, "pk": activity.pk})
    response = client.post(url, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 302
    assert response["Location"] == activity.get_absolute_url()
    assert Signup.objects.get().person == resident
    assert client.get(url).status_code == 405  # a GET changes nothing


def test_signup_view_shows_the_reason_when_refused(client_for, house, resident):
    activity = make_activity(house, status=Activity.Status.CANCELLED)
    client = client_for(resident)
    url = reverse("activities:signup", kwargs={"house": house.slug, "pk": activity.pk})
    with translation.override("nl"):
        response = client.post(url)
    assert flashed(response) == [nl("This activity is cancelled.")]
    assert not Signup.objects.exists()


def test_other_houses_members_only_activity_is_not_found(client_for, house, other_house, resident):
    theirs = make_activity(other_house, audience=Audience.MEMBERS)
    client = client_for(resident)
    for slug in (house.slug, other_house.slug):
        url = reverse("activities:signup", kwargs={"house": slug, "pk": theirs.pk})
        assert client.post(url).status_code == 404
    assert not Signup.objects.exists()


def test_cancel_view(client_for, activity, resident):
    sign(activity, resident)
    url = reverse("activities:signup_cancel", kwargs={"house": activity.house.slug, "pk": activity.pk})
    response = client_for(resident).post(url)
    assert response.status_code == 302
    assert Signup.objects.get().status == Signup.Status.CANCELLED


def test_cancel_view_ignores_someone_elses_signup_id_from_a_resident(client_for, activity, resident, members):
    theirs = sign(activity, members[0])
    url = reverse("activities:signup_cancel", kwargs={"house": activity.house.slug, "pk": activity.pk})
    with translation.override("nl"):
        response = client_for(resident).post(url, {"signup": theirs.pk})
    assert flashed(response) == [nl("You can only sign yourself off.")]
    assert Signup.objects.get().status == Signup.Status.CONFIRMED


def test_signup_for_form_as_rendered(mfa_off, client_for, activity, coordinator, make_user, house):
    granny = make_user(None, "Oma Jansen", house, "resident")
    client = client_for(coordinator)
    url = reverse("activities:signup_for", kwargs={"house": house.slug, "pk": activity.pk})
    form = parse_form(client.get(url).content, form_id="signup-for-form")

    response = client.post(url, form.submit_data(person=str(granny.pk)), follow=True)

    assert response.redirect_chain[-1][0] == url
    assert Signup.objects.get().entered_by == coordinator
    assert [str(m) for m in response.context["messages"]] == [nl("%(name)s is signed up.", name="Oma Jansen")]


def test_signup_for_refuses_a_tampered_person(mfa_off, client_for, activity, coordinator, outsider, house):
    client = client_for(coordinator)
    url = reverse("activities:signup_for", kwargs={"house": house.slug, "pk": activity.pk})
    form = parse_form(client.get(url).content, form_id="signup-for-form")
    response = client.post(url, form.submit_data(person=str(outsider.pk)))
    assert response.status_code == 200
    assert response.context["form"].errors["person"] == [nl("Choose a member of this house.")]
    assert not Signup.objects.exists()


def test_signup_for_shows_a_double_signup_as_form_error(
    mfa_off, client_for, activity, coordinator, resident, house
):
    sign(activity, resident)
    url = reverse("activities:signup_for", kwargs={"house": house.slug, "pk": activity.pk})
    response = client_for(coordinator).post(url, {"person": resident.pk})
    assert response.context["form"].errors["person"] == [
        nl("%(name)s is already on the list for this activity.", name=resident.name)
    ]


def test_signup_for_is_for_coordinators_and_staff(mfa_off, client_for, activity, resident, student, house):
    url = reverse("activities:signup_for", kwargs={"house": house.slug, "pk": activity.pk})
    assert client_for(resident).get(url).status_code == 403
    assert client_for(student).get(url).status_code == 403


# --- the sign-up box on the activity page ----------------------------------------------------------


def render_box(activity, user) -> str:
    request = RequestFactory().get(activity.get_absolute_url())
    request.user = user
    template = Template('{% include "activities/_signup.html" %}')
    with translation.override("nl"):
        return template.render(
            Context({"activity": activity, "request": request, "user": user, "house": activity.house})
        )


def test_box_offers_signup_and_shows_places(activity, resident):
    html = render_box(activity, resident)
    form = parse_form(html, index=0)
    assert form.action == reverse(
        "activities:signup", kwargs={"house": activity.house.slug, "pk": activity.pk}
    )
    assert "Nog 2 plaatsen" in html


def test_box_when_full_offers_the_waiting_list_and_shows_own_place(activity, members):
    for m in members[:3]:
        sign(activity, m)
    assert "Vol: je kunt op de wachtlijst komen" in render_box(activity, members[4])
    assert "Zet mij op de wachtlijst" in render_box(activity, members[4])
    own = render_box(activity, members[2])
    assert "op plaats 1" in own
    assert "Haal mij van de wachtlijst" in own


def test_box_names_only_to_organisers_and_planners(activity, members, resident, student, make_user, house):
    sign(activity, members[0])
    organiser = make_user("org@example.nl", "Olga Organiseert")
    activity.organisers.add(organiser)
    assert members[0].name not in render_box(activity, resident)
    for person in (student, organiser):
        assert members[0].name in render_box(activity, person)


def test_box_links_for_staff_and_attendance_after_start(house, coordinator, resident):
    upcoming = make_activity(house)
    assert "Iemand anders aanmelden (op papier of telefoon)" in render_box(upcoming, coordinator)
    assert "Iemand anders aanmelden (op papier of telefoon)" not in render_box(upcoming, resident)
    started = make_activity(house, start=timezone.now() - dt.timedelta(hours=1))
    attendance = reverse("activities:activity_attendance", kwargs={"house": house.slug, "pk": started.pk})
    assert attendance in render_box(started, coordinator)
    assert attendance not in render_box(started, resident)


def test_box_for_a_visitor_asks_to_log_in(activity):
    from django.contrib.auth.models import AnonymousUser

    html = render_box(activity, AnonymousUser())
    assert "Log in om je aan te melden" in html
    assert "<form" not in html


@pytest.mark.parametrize("people", [2, 40])
def test_box_runs_a_fixed_number_of_queries(
    house, make_user, coordinator, people, django_assert_max_num_queries
):
    activity = make_activity(house, capacity=10)
    for i in range(people):
        sign(activity, make_user(f"p{i}@example.nl", f"P {i}", house, "resident"), by=coordinator)
    coordinator.forget_roles()
    with django_assert_max_num_queries(4):
        render_box(activity, coordinator)
