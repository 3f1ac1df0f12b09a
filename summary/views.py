"""The pilot summary of one house and of all houses a person may see; its print view, CSV and PDF;
staff's targets and stories. Aggregates only: nobody's name, nobody's own words."""

from __future__ import annotations

import datetime as dt
import functools
import gc
import html
import re
import threading
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.template.context import make_context
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from residents.decorators import archive_allowed, house_view
from residents.models import House, Role
from residents.permissions import can, require
from summary import exports, periods, services
from summary import report as reports
from summary.figures import cell_texts
from summary.forms import PeriodForm, StoryForm, TargetsForm
from summary.models import Story, Target

PER_PAGE = 50


_pause = {"count": 0, "enable": False}  # views running with the collector paused; enable it after
_pause_lock = threading.Lock()


def gc_paused(view):
    """Run the view with Python's cyclic garbage collector paused.

    A summary of 200 houses makes some 50,000 short-lived objects (figures, cells, rows) that
    reference counting frees when the response is done. Collected while they lived, they were moved
    to the oldest generation, and every two or three pages that set off a full collection of all of
    the process's ~200,000 objects (about 60 ms a page on average at 200 houses). Paused, they are
    freed before any collection sees them. Nested or concurrent pauses (threads) end with the last.
    Not for the PDF: rendering it makes cyclic garbage of its own.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with _pause_lock:
            if _pause["count"] == 0 and gc.isenabled():
                gc.disable()
                _pause["enable"] = True
            _pause["count"] += 1
        try:
            return view(*args, **kwargs)
        finally:
            with _pause_lock:
                _pause["count"] -= 1
                if _pause["count"] == 0 and _pause["enable"]:
                    _pause["enable"] = False
                    gc.enable()

    return wrapper


def _render_summary(request, template_name: str, context: dict) -> HttpResponse:
    """render(), letting go of the page's context as soon as the page is rendered.

    Django's template Context refers to itself (each ContextDict pushed on it keeps the Context), so
    whatever the context holds stays in a reference cycle after render(): at 200 houses the report's
    ~28,000 objects (the store's entries, cells, houses) waited for the cyclic garbage collector
    (about 10 ms a page, and the reason gc_paused did not free them). Taking the page's own values
    off the Context again breaks the cycle: reference counting frees them when the view returns.
    """
    template = loader.get_template(template_name)
    page_context = make_context(context, request, autoescape=template.backend.engine.autoescape)
    try:
        content = template.template.render(page_context)
    finally:
        page_context.pop()  # the dict make_context pushed: the last on the Context after rendering
    return HttpResponse(content)


def houses_for(user) -> list[House]:
    """The houses whose summary a person may read: where they are viewer, coordinator or staff."""
    if not user.is_authenticated:
        return []
    houses = House.objects.filter(is_active=True)
    if not user.is_superuser:
        houses = houses.filter(pk__in=House.objects.where(user, Role.VIEWER, Role.COORDINATOR, Role.STAFF))
    return list(houses.order_by("name", "pk"))


def _houses_or_403(user) -> list[House]:
    """The houses of /overzicht/ and its downloads; someone who may read none gets a 403."""
    houses = houses_for(user)
    if not houses:
        raise PermissionDenied
    return houses


def _build(request, houses: list[House], *, every_house: bool = False):
    now = timezone.now()
    today = timezone.localdate(now)
    pilot = periods.pilot_period(houses, today)
    period, problem = periods.parse_period(request.GET, pilot=pilot, today=today)
    report = reports.build(houses=houses, period=period, now=now, every_house=every_house)
    return report, problem


def _period_choices(period: periods.Period, today: dt.date) -> list[dict]:
    """Quick links to the usual periods (the form does the rest)."""
    this_month = periods.month_of(today)
    options = [
        (_("Whole pilot"), {"periode": periods.PILOT}),
        (_("This month"), this_month.params()),
        (_("Last month"), this_month.previous().params()),
        (_("This quarter"), periods.quarter_of(today).params()),
        (_("This year"), periods.year_of(today).params()),
    ]
    return [
        {"label": label, "query": urlencode(params), "current": params == period.params()}
        for label, params in options
    ]


def _context(request, report, problem: str, *, house: House | None) -> dict:
    period = report.period
    today = timezone.localdate(report.now)
    query = urlencode(period.params())
    form = PeriodForm(
        initial={
            "periode": period.kind,
            "van": period.first_day if period.kind != periods.PILOT else None,
            "tot": period.last_day if period.kind == periods.CUSTOM else None,
        }
    )
    steps = {}
    if period.kind in (periods.MONTH, periods.QUARTER, periods.YEAR):
        steps = {
            "previous": urlencode(period.previous().params()),
            "next": urlencode(period.next().params()),
        }
    prefix, kwargs = ("summary:house", {"house": house.slug}) if house else ("summary:all", {})
    return {
        "house": house,
        "report": report,
        "problem": problem,
        "form": form,
        "query": query,
        "choices": _period_choices(period, today),
        "steps": steps,
        "page_url": reverse(prefix, kwargs=kwargs),
        "print_url": reverse(f"{prefix}_print", kwargs=kwargs) + "?" + query,
        "csv_url": reverse(f"{prefix}_csv", kwargs=kwargs) + "?" + query,
        "pdf_url": reverse(f"{prefix}_pdf", kwargs=kwargs) + "?" + query,
        "can_edit": house is not None and can(request.user, "summary.edit", house),
    }


_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_MARK = "--huis--"  # stands in for a slug in the address reverse() makes once


def _cells_html(row) -> str:
    # A cell's text is a number or one of the summary's own words ("< 5", a dash, "12 or more"): plain
    # strings, escaped as {{ cell.text }} escapes them.
    return "".join([f'<td class="num">{html.escape(str(text))}</td>' for text in cell_texts(row.cells)])


def house_rows_html(rows, query: str) -> SafeString:
    """The rows of the table of houses on the page (_houses.html), as the template loop over them
    made them, character for character: written here, as 50 rows of 11 cells through the template
    engine took longer than working out the figures.

    The address of each house's summary is reverse() made once, with the slug put in: a slug
    reverse() would quote (not one of a SlugField's characters) goes through reverse() itself.
    """
    head, _mark, tail = reverse("summary:house", kwargs={"house": _MARK}).partition(_MARK)
    query = conditional_escape(query)
    out = []
    for row in rows:
        house = row.house
        slug = str(house.slug)
        if _SLUG.fullmatch(slug):
            address = f"{head}{slug}{tail}"
        else:
            address = reverse("summary:house", kwargs={"house": slug})
        out.append(
            f'\n      <tr>\n        <th scope="row"><a href="{conditional_escape(address)}?{query}">'
            f"{conditional_escape(house.name)}</a></th>\n        {_cells_html(row)}\n      </tr>\n      "
        )
    return mark_safe("".join(out))  # noqa: S308 (every value in it is escaped above)


def print_rows_html(rows) -> SafeString:
    """The rows of the print view's table of houses (print.html), as its template loop made them."""
    out = [f'<tr><th scope="row">{conditional_escape(r.house.name)}</th>{_cells_html(r)}</tr>' for r in rows]
    return mark_safe("".join(out))  # noqa: S308 (every value in it is escaped)


def _house_table(request, report, context: dict) -> None:
    """The table of houses: sorted by a column through links, 50 rows a page."""
    key = request.GET.get("sorteer", "huis")
    if key not in reports.SORT_KEYS:
        key = "huis"
    descending = request.GET.get("richting") == "af"
    rows = reports.sort_rows(report.house_rows, report.columns, key, descending)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("pagina"))
    base = context["query"]
    headers = []
    for sort_key, figure_key in reports.SORT_KEYS.items():
        figure = next((f for f in report.columns if f.key == figure_key), None)
        current = sort_key == key
        # A number column starts with the largest; the name column with A.
        first_descending = figure is not None
        direction = ("op" if descending else "af") if current else ("af" if first_descending else "op")
        headers.append(
            {
                "label": reports.SHORT_LABELS[figure.key] if figure else _("House"),
                "query": f"{base}&{urlencode({'sorteer': sort_key, 'richting': direction})}",
                "aria_sort": ("descending" if descending else "ascending") if current else "",
                "numeric": figure is not None,
                "next_direction": direction,
            }
        )
    context.update(
        {
            "table_headers": headers,
            "table_page": page,
            "table_body": house_rows_html(page.object_list, context["query"]),
            "table_query": f"{base}&{urlencode({'sorteer': key, 'richting': 'af' if descending else 'op'})}",
        }
    )


# --- the summary pages ------------------------------------------------------------------------


@house_view
@require("summary.view")
@gc_paused
def house_summary(request, house: House):
    report, problem = _build(request, [house])
    return _render_summary(request, "summary/summary.html", _context(request, report, problem, house=house))


@login_required
@gc_paused
def all_summary(request):
    houses = _houses_or_403(request.user)
    report, problem = _build(request, houses)
    context = _context(request, report, problem, house=None)
    _house_table(request, report, context)
    return _render_summary(request, "summary/summary.html", context)


@house_view
@require("summary.view")
@gc_paused
def house_print(request, house: House):
    report, problem = _build(request, [house])
    return _render_summary(request, "summary/print.html", _context(request, report, problem, house=house))


@login_required
@gc_paused
def all_print(request):
    houses = _houses_or_403(request.user)
    report, problem = _build(request, houses)
    context = _context(request, report, problem, house=None)
    context["table_rows"] = reports.sort_rows(report.house_rows, report.columns, "huis", False)
    context["table_body"] = print_rows_html(context["table_rows"])
    context["short_labels"] = [reports.SHORT_LABELS[f.key] for f in report.columns]
    return _render_summary(request, "summary/print.html", context)


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _file_name(report, house: House | None, extension: str) -> str:
    who = house.slug if house else "alle-huizen"
    return f"overzicht-{who}-{report.period.first_day:%Y-%m-%d}-{report.period.last_day:%Y-%m-%d}.{extension}"


@house_view
@require("summary.view")
@gc_paused
def house_csv(request, house: House):
    report, _problem = _build(request, [house], every_house=True)
    return _download(exports.csv_bytes(report), "text/csv; charset=utf-8", _file_name(report, house, "csv"))


@login_required
@gc_paused
def all_csv(request):
    houses = _houses_or_403(request.user)
    report, _problem = _build(request, houses, every_house=True)
    return _download(exports.csv_bytes(report), "text/csv; charset=utf-8", _file_name(report, None, "csv"))


@house_view
@require("summary.view")
def house_pdf(request, house: House):
    from summary.pdf import render_pdf

    report, _problem = _build(request, [house])
    return _download(render_pdf(report), "application/pdf", _file_name(report, house, "pdf"))


@login_required
def all_pdf(request):
    from summary.pdf import render_pdf

    houses = _houses_or_403(request.user)
    report, _problem = _build(request, houses)
    return _download(render_pdf(report), "application/pdf", _file_name(report, None, "pdf"))


# --- staff: targets and stories --------------------------------------------------------------


def _summary_url(house: House) -> str:
    return reverse("summary:house", kwargs={"house": house.slug})


@archive_allowed  # an ended house's final story is written after its end
@house_view
@require("summary.edit")
@require_http_methods(["GET", "POST"])
def targets(request, house: House):
    current = dict(Target.objects.filter(house=house).values_list("figure", "value"))
    form = TargetsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.save_targets(house=house, by=request.user, values=form.targets())
        except services.SummaryError as err:
            form.add_error(None, str(err))
        else:
            if changes:
                messages.success(request, _("The targets are saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect(_summary_url(house))
    return render(request, "summary/targets.html", {"house": house, "form": form})


@archive_allowed  # an ended house's final story is written after its end
@house_view
@require("summary.edit")
def stories(request, house: House):
    items = Story.objects.filter(house=house).prefetch_related("quotes").order_by("-first_day", "pk")
    return render(request, "summary/stories.html", {"house": house, "stories": items})


def _story(house: House, pk: int) -> Story:
    story = Story.objects.filter(house=house, pk=pk).first()
    if story is None:
        raise Http404
    return story


def _story_form(request, house: House, story: Story | None):
    form = StoryForm(request.POST or None, instance=story or Story(house=house))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_story(
                house=house, by=request.user, data=form.story_data(), quotes=form.quotes(), story=story
            )
        except services.SummaryError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, _("The story is saved."))
            return redirect(
                _summary_url(house)
                + "?"
                + urlencode(periods.Period(saved.first_day, saved.last_day).params())
            )
    return render(request, "summary/story_form.html", {"house": house, "form": form, "story": story})


@archive_allowed  # an ended house's final story is written after its end
@house_view
@require("summary.edit")
@require_http_methods(["GET", "POST"])
def story_add(request, house: House):
    return _story_form(request, house, None)


@archive_allowed  # an ended house's final story is written after its end
@house_view
@require("summary.edit")
@require_http_methods(["GET", "POST"])
def story_edit(request, house: House, pk: int):
    return _story_form(request, house, _story(house, pk))


@archive_allowed  # an ended house's final story is written after its end
@house_view
@require("summary.edit")
@require_http_methods(["GET", "POST"])
def story_delete(request, house: House, pk: int):
    story = _story(house, pk)
    if request.method == "POST":
        services.delete_story(story=story, by=request.user)
        messages.success(request, _("The story “%(title)s” is deleted.") % {"title": story.title})
        return redirect(reverse("summary:stories", kwargs={"house": house.slug}))
    return render(request, "summary/story_delete.html", {"house": house, "story": story})
