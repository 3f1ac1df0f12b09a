"""(being written)"""

from django.http import Http404


def _missing(request, *args, **kwargs):
    raise Http404


home = log_add = log_edit = log_withdraw = statement = statement_pdf = review = log_return = export = _missing
duties = duty_take = duty_return = duty_add = duty_edit = duty_assign = obligations = _missing
