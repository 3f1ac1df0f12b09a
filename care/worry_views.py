"""Worry pages: raising one (anyone), the receipt, and the team's list, entry form and handling.

The team's pages are for the coordinators and staff of the house: not logged in → the login page; the
list and the entry form → 403 for everyone else (a superuser too); a worry's page and its actions → 404
for everyone else, so an id tells nobody whether a worry exists. Every view that takes worry input hides
the POST from error reports (sensitive_post_parameters) and its variables (sensitive_variables).
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from care import worries
from care.decorators import team_only
from care.errors import CareError
from care.models import Worry
from care.worry_forms import (
    CloseForm,
    ContactForm,
    EnterWorryForm,
    NoteForm,
    RaiseWorryForm,
    ReferForm,
    TakeForm,
    WorryFilterForm,
)
from residents.decorators import house_view
from residents.models import House

PER_PAGE = 25


def _client_ip(request) -> str:
    """The visitor's internet address as allauth sees it (behind a proxy too), for the flood limit."""
    try:
        return get_adapter(request).get_client_ip(request) or "unknown"
    except PermissionDenied:
        return "unknown"  # one shared count, rather than none at all


def _retention_text() -> str:
    days = settings.WORRY_RETENTION_DAYS
    if days % 365 == 0:
        years = days // 365
        return ngettext("%(n)d year", "%(n)d years", years) % {"n": years}
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


# --- raising a worry: anyone ---------------------------------------------------------------------


@require_GET
def raise_choose(request):
    """`/melden/`: which house? With one active house, straight to its form."""
    houses = list(House.objects.visible_to(request.user).filter(ended_at__isnull=True))
    if len(houses) == 1:
        return redirect("care:raise", house=houses[0].slug)
    mine = set()
    if request.user.is_authenticated:
        mine = {h.pk for h in houses if request.user.roles_in(h)}
    houses.sort(key=lambda h: (h.pk not in mine, h.name.lower()))
    return render(request, "care/worries/choose.html", {"houses": houses, "mine": mine})


@never_cache
@sensitive_post_parameters()
@house_view
@sensitive_variables()
def raise_worry(request, house: House):
    user = request.user if request.user.is_authenticated else None
    form = RaiseWorryForm(request.POST or None, house=house, member=user)
    if request.method == "POST":
        if form.is_bot:
            # Looks accepted to the bot; nothing is saved or sent.
            return redirect("care:received", house=house.slug)
        if form.is_valid():
            try:
                worries.raise_worry(
                    house=house,
                    data=form.worry_data(),
                    channel=Worry.Channel.WEBSITE,
                    by=user,
                    language=request.LANGUAGE_CODE,
                    ip=None if user else _client_ip(request),
                )
            except CareError as err:
                err.show_on(form)
            else:
                return redirect("care:received", house=house.slug)
    return render(
        request,
        "care/worries/raise.html",
        {
            "house": house,
            "form": form,
            "opening_hours": list(house.opening_hours.all()),
            "retention": _retention_text(),
            "is_team": worries.is_team(request.user, house),
        },
    )


@require_GET
@house_view
def received(request, house: House):
    """The receipt: received, what happens now, where to go when it cannot wait. Never the content."""
    return render(
        request,
        "care/worries/received.html",
        {"house": house, "opening_hours": list(house.opening_hours.all())},
    )


# --- the team ------------------------------------------------------------------------------------


def _team_worry(request, house: House, pk: int) -> Worry:
    """The worry, if it belongs to this house and `request.user` is on its team; else a 404."""
    worry = (
        Worry.objects.for_team(request.user)
        .filter(house=house, pk=pk)
        .select_related("house", "handler", "entered_by", "raised_by", "referred_to")
        .first()
    )
    if worry is None:
        raise Http404
    return worry


def _detail_url(worry: Worry) -> str:
    return reverse("care:worry", kwargs={"house": worry.house.slug, "pk": worry.pk})


@never_cache
@login_required
@house_view
@team_only
def worry_list(request, house: House):
    members = list(worries.team_members(house))
    filters = WorryFilterForm(request.GET or None, members=members)
    status, handler = filters.status_value(), filters.handler_value()
    qs = Worry.objects.for_team(request.user).filter(house=house).select_related("handler")
    if status == "open":
        qs = qs.open()
    elif status != "all":
        qs = qs.filter(status=status)
    if handler == "me":
        qs = qs.filter(handler=request.user)
    elif handler == "nobody":
        qs = qs.filter(handler__isnull=True)
    elif handler:
        qs = qs.filter(handler_id=handler)
    if status == Worry.Status.CLOSED:
        qs = qs.order_by("-closed_at", "-pk")
    else:
        # New ones first, the longest waiting on top; closed ones last, the latest first.
        rank = Case(
            When(status=Worry.Status.NEW, then=Value(0)),
            When(status=Worry.Status.CLOSED, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
        qs = qs.annotate(rank=rank).order_by("rank", "created_at", "pk")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("pagina"))
    now = timezone.now()
    today = timezone.localdate(now)
    for worry in page.object_list:
        worry.days_ago = (today - timezone.localdate(worry.created_at)).days
        worry.waiting_too_long = worries.is_waiting_too_long(worry, now)
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "care/worries/list.html",
        {
            "house": house,
            "page": page,
            "worries": page.object_list,
            "filters": filters,
            "filtered": status != "open" or bool(handler),
            "query": query.urlencode(),
        },
    )


@never_cache
@sensitive_post_parameters()
@login_required
@house_view
@team_only
@sensitive_variables()
def worry_enter(request, house: House):
    """The team enters a worry heard at the coffee table or by phone."""
    form = EnterWorryForm(request.POST or None, house=house)
    if request.method == "POST" and form.is_valid():
        try:
            worry = worries.raise_worry(
                house=house,
                data=form.worry_data(),
                channel=form.cleaned_data["channel"],
                entered_by=request.user,
                language=request.LANGUAGE_CODE,
            )
        except CareError as err:
            err.show_on(form)
        else:
            if form.cleaned_data["take_it"]:
                try:
                    worries.take(worry=worry, by=request.user)
                except CareError as err:
                    messages.error(request, err.message)
            messages.success(
                request, _("The worry is saved as %(reference)s.") % {"reference": worry.reference}
            )
            return redirect(_detail_url(worry))
    return render(request, "care/worries/enter.html", {"house": house, "form": form})


def _render_detail(request, worry: Worry, bound=None, status=200):
    """The worry's page for its team, with `bound` the action form that was just refused."""
    house = worry.house
    notes = list(worry.notes.select_related("author"))
    members = list(worries.team_members(house))
    partners = list(house.partners.all())
    kw = {"house": house.slug, "pk": worry.pk}
    forms = {
        "take": TakeForm(
            worry=worry, by=request.user, members=members, action=reverse("care:worry_take", kwargs=kw)
        ),
        "contact": ContactForm(action=reverse("care:worry_contact", kwargs=kw)),
        "refer": ReferForm(worry=worry, partners=partners, action=reverse("care:worry_refer", kwargs=kw)),
        "close": CloseForm(action=reverse("care:worry_close", kwargs=kw)),
        "note": NoteForm(action=reverse("care:worry_note", kwargs=kw)),
    }
    error_form = None
    if bound is not None:
        name, form = bound
        forms[name] = error_form = form
    return render(
        request,
        "care/worries/detail.html",
        {
            "house": house,
            "worry": worry,
            "notes": notes,
            "forms": forms,
            "error_form": error_form,
            "partners": partners,
            "waiting_too_long": worries.is_waiting_too_long(worry),
            "reopen_url": reverse("care:worry_reopen", kwargs=kw),
        },
        status=status,
    )


@never_cache
@login_required
@house_view
def worry_detail(request, house: House, pk: int):
    worry = _team_worry(request, house, pk)
    worries.log_view(worry=worry, by=request.user)
    return _render_detail(request, worry)


def _action(name: str, form_class, service, *, success: str):
    """A POST-only action on one worry: parse the form, call the service, back to the worry's page.

    When the form or the rule refuses, the worry's page comes back with that form's errors (and the
    view is logged, as the page shows the worry again).
    """

    @never_cache
    @require_POST
    @sensitive_post_parameters()
    @login_required
    @house_view
    @sensitive_variables()
    def view(request, house: House, pk: int):
        worry = _team_worry(request, house, pk)
        kw = {"house": house.slug, "pk": pk}
        extra = {}
        if name == "take":
            extra = {"worry": worry, "by": request.user}
        elif name == "refer":
            extra = {"worry": worry}
        form = form_class(request.POST, action=reverse(f"care:worry_{name}", kwargs=kw), **extra)
        if form.is_valid():
            try:
                service(worry=worry, by=request.user, **form.cleaned_data)
            except CareError as err:
                err.show_on(form)
            else:
                messages.success(request, success)
                return redirect(_detail_url(worry))
        worries.log_view(worry=worry, by=request.user)
        return _render_detail(request, worry, bound=(name, form))

    view.__name__ = view.__qualname__ = f"worry_{name}"
    return view


worry_take = _action("take", TakeForm, worries.take, success=_("Saved: who handles this worry."))
worry_contact = _action("contact", ContactForm, worries.record_contact, success=_("The contact is saved."))
worry_refer = _action("refer", ReferForm, worries.refer, success=_("The worry is referred."))
worry_close = _action("close", CloseForm, worries.close, success=_("The worry is closed."))
worry_note = _action("note", NoteForm, worries.add_note, success=_("The note is saved."))


@never_cache
@require_POST
@sensitive_post_parameters()
@login_required
@house_view
def worry_reopen(request, house: House, pk: int):
    worry = _team_worry(request, house, pk)
    try:
        worries.reopen(worry=worry, by=request.user)
    except CareError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("The worry is open again."))
    return redirect(_detail_url(worry))


urlpatterns = [
    path("melden/", raise_choose, name="raise_choose"),
    path("<slug:house>/melden/", raise_worry, name="raise"),
    path("<slug:house>/melden/ontvangen/", received, name="received"),
    path("<slug:house>/meldingen/", worry_list, name="worries"),
    path("<slug:house>/meldingen/nieuw/", worry_enter, name="worry_enter"),
    path("<slug:house>/meldingen/<int:pk>/", worry_detail, name="worry"),
    path("<slug:house>/meldingen/<int:pk>/oppakken/", worry_take, name="worry_take"),
    path("<slug:house>/meldingen/<int:pk>/contact/", worry_contact, name="worry_contact"),
    path("<slug:house>/meldingen/<int:pk>/doorverwijzen/", worry_refer, name="worry_refer"),
    path("<slug:house>/meldingen/<int:pk>/afsluiten/", worry_close, name="worry_close"),
    path("<slug:house>/meldingen/<int:pk>/heropenen/", worry_reopen, name="worry_reopen"),
    path("<slug:house>/meldingen/<int:pk>/notitie/", worry_note, name="worry_note"),
]
