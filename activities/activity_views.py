"""(being written)"""

from django.http import Http404


def _missing(request, *args, **kwargs):
    raise Http404


programme = programme_print = activity_add = activity_detail = activity_edit = _missing
activity_cancel = series_edit = series_stop = _missing
