"""(being written)"""

from django.http import Http404


def _missing(request, *args, **kwargs):
    raise Http404


ideas = idea_add = idea_detail = idea_support = idea_status = poll_add = poll_detail = _missing
