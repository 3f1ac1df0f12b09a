"""The members page and the house home page cost the same number of queries at any size."""

from __future__ import annotations

import pytest
from django.urls import reverse

from residents.models import Membership, Role, User

# One budget per page, the same at both sizes: a query per row would blow it at 250 rows.
# A logged-in request costs about 7 before the view: session, user, usersessions' activity
# tracking (savepoint, select, user, update, release) and the roles. A feature that adds a
# fixed query may raise a budget; one that adds a query per row must not.
MEMBERS_PAGE_BUDGET = 11
HOUSE_PAGE_BUDGET = {"anonymous": 4, "resident": 8}  # + latest news


def _fill(house, members: int, pending: int) -> None:
    users = User.objects.bulk_create(
        User(email=f"lid{i}@example.nl", name=f"Lid {i:03d}", phone="050-1234567")
        for i in range(members + pending)
    )
    Membership.objects.bulk_create(
        Membership(
            user=u,
            house=house,
            role=Role.STUDENT if i % 10 == 0 else Role.RESIDENT,
            status=Membership.Status.ACTIVE if i < members else Membership.Status.PENDING,
            motivation="Ik woon hier om de hoek" if i >= members else "",
        )
        for i, u in enumerate(users)
    )


SIZES = [pytest.param(3, 2, id="small"), pytest.param(200, 50, id="large")]


@pytest.mark.parametrize(("members", "pending"), SIZES)
def test_members_page_query_budget(
    members, pending, house, staff, client_for, mfa_off, django_assert_max_num_queries
):
    _fill(house, members, pending)
    client = client_for(staff)
    url = reverse("residents:members", kwargs={"house": house.slug})
    client.get(url)  # the first request of a session also records the session (usersessions)
    with django_assert_max_num_queries(MEMBERS_PAGE_BUDGET):
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('name="decision" value="verify"') == pending
    assert f"Lid {members - 1:03d}" in body


@pytest.mark.parametrize(("members", "pending"), SIZES)
def test_members_page_query_budget_with_mfa(
    members, pending, house, staff, client_for, settings, django_assert_max_num_queries
):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    settings.MFA_REQUIRED_FOR_STAFF = True
    TOTP.activate(staff, generate_totp_secret())
    _fill(house, members, pending)
    client = client_for(staff)
    client.get(reverse("mine"))
    with django_assert_max_num_queries(MEMBERS_PAGE_BUDGET + 1):  # + the authenticator check
        response = client.get(reverse("residents:members", kwargs={"house": house.slug}))
    assert response.status_code == 200


@pytest.mark.parametrize(("members", "pending"), SIZES)
@pytest.mark.parametrize("persona", ["anonymous", "resident"])
def test_house_page_query_budget(
    members, pending, persona, request, house, client_for, django_assert_max_num_queries
):
    _fill(house, members, pending)
    client = client_for(request.getfixturevalue(persona))
    client.get(reverse("privacy"))
    with django_assert_max_num_queries(HOUSE_PAGE_BUDGET[persona]):
        response = client.get(house.get_absolute_url())
    assert response.status_code == 200
