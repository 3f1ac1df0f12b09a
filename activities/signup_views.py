"""(being written)"""

from django.http import Http404


def _missing(request, *args, **kwargs):
    raise Http404


signup = signup_cancel = signup_for = attendance = attendance_todo = reminders_setting = _missing
