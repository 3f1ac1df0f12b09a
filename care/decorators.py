"""Who may open the team's pages of a house: its coordinators and staff."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from care.models import is_team


def team_only(view):
    """For views that take the House: its coordinators and staff; anyone else logged in gets 403
    (a superuser too, for that alone)."""

    @wraps(view)
    def wrapped(request, *args, house, **kwargs):
        if not is_team(request.user, house):
            raise PermissionDenied
        return view(request, *args, house=house, **kwargs)

    return wrapped
