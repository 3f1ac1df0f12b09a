"""The login backends read a person's roles with the person: the same roles, one query less."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY, get_user
from django.test import RequestFactory

from residents.backends import AuthenticationBackend, ModelBackend
from residents.models import Membership, Role, User
from tests import factories

BACKENDS = [ModelBackend, AuthenticationBackend]


@pytest.fixture
def busy(house, other_house):
    """A person with several roles in two houses, and memberships that give no role."""
    person = factories.make_user("druk@example.nl", "Dirk Druk", house, Role.RESIDENT)
    Membership.objects.create(user=person, house=house, role=Role.COORDINATOR, status="active")
    Membership.objects.create(user=person, house=other_house, role=Role.STUDENT, status="active")
    Membership.objects.create(user=person, house=other_house, role=Role.RESIDENT, status="pending")
    return person


def _counted(person: User) -> dict[int, set[str]]:
    fresh = User.objects.get(pk=person.pk)
    return fresh._role_map()


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_roles_come_with_the_person(backend, busy, house, other_house, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = backend().get_user(busy.pk)
        roles = (user.roles_in(house), user.roles_in(other_house), user.has_any_role(Role.STAFF))
    assert roles == ({Role.RESIDENT, Role.COORDINATOR}, {Role.STUDENT}, False)
    assert user._role_map() == _counted(busy)
    assert not hasattr(user, "role_pairs")


@pytest.mark.parametrize("backend", BACKENDS)
def test_forgetting_the_roles_reads_them_again(backend, busy, house, django_assert_num_queries):
    user = backend().get_user(busy.pk)
    Membership.objects.filter(user=busy, role=Role.COORDINATOR).update(status="ended")
    with django_assert_num_queries(0):  # kept for the request, as before
        assert Role.COORDINATOR in user.roles_in(house)
    user.forget_roles()
    with django_assert_num_queries(1):
        assert user.roles_in(house) == {Role.RESIDENT}


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_roles_and_no_person(backend, make_user):
    loner = make_user("alleen@example.nl", "Alie Alleen")
    assert backend().get_user(loner.pk)._role_map() == {}
    assert backend().get_user(loner.pk + 1000) is None
    loner.is_active = False
    loner.save()
    assert backend().get_user(loner.pk) is None


def test_a_session_gets_the_person_with_roles(busy, house, client, django_assert_num_queries):
    client.force_login(busy)
    request = RequestFactory().get("/")
    request.session = client.session
    assert request.session[SESSION_KEY] == str(busy.pk)
    user = get_user(request)
    with django_assert_num_queries(0):
        assert user.roles_in(house) == {Role.RESIDENT, Role.COORDINATOR}


def test_logging_in_through_the_form_uses_the_portals_backend(client, resident, settings):
    resident.set_password("een-lang-wachtwoord-42")
    resident.save()
    response = client.post(
        "/accounts/login/", {"login": resident.email, "password": "een-lang-wachtwoord-42"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] in settings.AUTHENTICATION_BACKENDS
    assert client.session["_auth_user_backend"].startswith("residents.backends.")
    assert client.get("/mijn/").status_code == 200


def test_negative_control_djangos_own_backend_reads_the_roles_apart(busy, house, django_assert_num_queries):
    from django.contrib.auth.backends import ModelBackend as DjangosOwn

    with django_assert_num_queries(2):
        user = DjangosOwn().get_user(busy.pk)
        user.roles_in(house)
