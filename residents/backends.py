"""The login backends: Django's and allauth's, loading a person's roles with the person.

Every signed-in page asks which houses the person has which role in (the menu, permissions). The
session's person is read once per request by the backend's get_user; these backends read the roles
in that same query (an array of "house:role" from the active memberships), so a page does not pay a
second round trip for them. User.forget_roles() still makes the next question read them again.
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.postgres.fields import ArrayField
from django.db.models import CharField
from django.db.models.expressions import RawSQL

from residents.models import Membership, User


def with_roles(queryset):
    """`queryset` of people, each with `role_pairs`: ["<house id>:<role>", ...] of active memberships
    (as User._role_map reads them). Plain SQL: it is compiled on every signed-in request."""
    membership, user = Membership._meta.db_table, User._meta.db_table
    sql = (
        f"ARRAY(SELECT m.house_id::text || ':' || m.role FROM \"{membership}\" AS m "  # noqa: S608
        f'WHERE m.user_id = "{user}".id AND m.status = %s)'
    )
    return queryset.annotate(
        role_pairs=RawSQL(sql, (Membership.Status.ACTIVE.value,), output_field=ArrayField(CharField()))  # noqa: S611
    )


def _get_user(backend, user_id):
    user = with_roles(User._default_manager.filter(pk=user_id)).first()
    if user is None or not backend.user_can_authenticate(user):
        return None
    user.keep_roles(user.role_pairs)
    del user.role_pairs
    return user


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        return _get_user(self, user_id)


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id):
        return _get_user(self, user_id)
