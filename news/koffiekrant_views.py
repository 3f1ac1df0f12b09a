"""The koffiekrant's pages: past issues, one week on screen and on paper, the students' word, publishing.

Who sees what: the list of published issues, their pages and PDFs are for everyone who may see the
house (the paper lies on the coffee table anyway). A week that is not published yet is a preview
for those who write the koffiekrant (students, coordinators, editors, staff): it holds only public
news and activities, but the students' word is not checked yet, so for anyone else it does not exist.
The PDF is always in Dutch, the language of the paper; the page follows the reader's language.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.timeutil import week_start
from news import koffiekrant
from news.koffiekrant_forms import WeekForm, WordForm
from news.models import Issue
from residents.decorators import house_view
from residents.models import House
from residents.permissions import can, require

log = logging.getLogger(__name__)

PER_PAGE = 26  # half a year of weekly issues


def _monday(year: int, week: int) -> dt.date:
    try:
        return koffiekrant.monday_of(year, week)
    except ValueError:
        raise Http404 from None


def week_url(house: House, monday: dt.date, name: str = "koffiekrant_week") -> str:
    return reverse(f"news:{name}", kwargs=koffiekrant.week_kwargs(house, monday))


def _may_write(user, house: House) -> bool:
    return can(user, "koffiekrant.write", house)


@house_view
def issue_list(request, house: House):
    writer = _may_write(request.user, house)
    form = None
    this_week = week_start(timezone.localdate())
    if writer:
        year, week, _day = this_week.isocalendar()
        form = WeekForm(
            request.GET if "week" in request.GET else None, initial={"week": f"{year}-W{week:02d}"}
        )
        if form.is_bound and form.is_valid():
            return redirect(week_url(house, form.cleaned_data["week"]))
    published = Issue.objects.filter(house=house, status=Issue.Status.PUBLISHED).order_by("-week_start")
    page = Paginator(published, PER_PAGE).get_page(request.GET.get("pagina"))
    drafts = []
    if writer:
        drafts = list(
            Issue.objects.filter(house=house, status=Issue.Status.DRAFT, week_start__gte=this_week)
            .exclude(students_word="")
            .order_by("week_start")[:10]
        )
    for issue in [*page.object_list, *drafts]:
        issue.url = week_url(house, issue.week_start)
        issue.pdf_url = week_url(house, issue.week_start, "koffiekrant_pdf")
        issue.label = koffiekrant.week_label(issue.week_start)
    return render(
        request,
        "news/koffiekrant/list.html",
        {
            "house": house,
            "page": page,
            "issues": page.object_list,
            "drafts": drafts,
            "form": form,
            "writer": writer,
            "this_week": {
                "url": week_url(house, this_week),
                "label": koffiekrant.week_label(this_week),
            },
            "next_week": {
                "url": week_url(house, this_week + dt.timedelta(weeks=1)),
                "label": koffiekrant.week_label(this_week + dt.timedelta(weeks=1)),
            },
        },
    )


@house_view
def issue_week(request, house: House, year: int, week: int):
    monday = _monday(year, week)
    writer = _may_write(request.user, house)
    content = koffiekrant.issue_content(house, monday)
    if not (writer or content.is_published):
        raise Http404
    layout = koffiekrant.plan_issue(content)
    return render(
        request,
        "news/koffiekrant/issue.html",
        {
            "house": house,
            "content": content,
            "issue": content.issue,
            "layout": layout,
            "writer": writer,
            "publisher": can(request.user, "koffiekrant.publish", house),
            "week_label": koffiekrant.week_label(monday),
            "week_dates": koffiekrant.week_dates(monday),
            "pdf_url": week_url(house, monday, "koffiekrant_pdf"),
            "word_url": week_url(house, monday, "koffiekrant_word"),
            "publish_url": week_url(house, monday, "koffiekrant_publish"),
            "unpublish_url": week_url(house, monday, "koffiekrant_unpublish"),
            "previous_url": week_url(house, monday - dt.timedelta(weeks=1)),
            "next_url": week_url(house, monday + dt.timedelta(weeks=1)),
            "list_url": reverse("news:koffiekrant", kwargs={"house": house.slug}),
        },
    )


@house_view
def issue_pdf(request, house: House, year: int, week: int):
    """A published issue as it was handed out; a draft made now, for those who write it."""
    monday = _monday(year, week)
    issue = Issue.objects.filter(house=house, week_start=monday).first()
    filename = koffiekrant.pdf_filename(house, monday)
    published = issue is not None and issue.status == Issue.Status.PUBLISHED
    if published and issue.pdf.name:
        try:
            handle = issue.pdf.storage.open(issue.pdf.name, "rb")
        except OSError:
            log.warning("koffiekrant: stored PDF %s is missing; made anew", issue.pdf.name)
        else:
            return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
    if not (published or _may_write(request.user, house)):
        raise Http404
    pdf = koffiekrant.render_pdf(koffiekrant.issue_content(house, monday, issue=issue))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if not published:
        response["Cache-Control"] = "private, no-store"
    return response


@house_view
@require("koffiekrant.write")
def issue_word(request, house: House, year: int, week: int):
    monday = _monday(year, week)
    issue = Issue.objects.filter(house=house, week_start=monday).first()
    locked = issue is not None and issue.status == Issue.Status.PUBLISHED
    # A published issue's word is what was handed out: it changes only after "set back to draft".
    form = None
    if not locked:
        form = WordForm(
            request.POST if request.method == "POST" else None,
            initial={"students_word": issue.students_word if issue else ""},
        )
    if form is not None and form.is_bound and form.is_valid():
        try:
            koffiekrant.save_word(
                house=house, week_start=monday, by=request.user, text=form.cleaned_data["students_word"]
            )
        except koffiekrant.KoffiekrantError as err:
            form.add_error(err.field if err.field in form.fields else None, str(err))
        else:
            messages.success(request, _("The word from the students is saved."))
            return redirect(week_url(house, monday))
    return render(
        request,
        "news/koffiekrant/word_form.html",
        {
            "house": house,
            "form": form,
            "issue": issue,
            "locked": locked,
            "week_label": koffiekrant.week_label(monday),
            "week_url": week_url(house, monday),
        },
    )


@require_POST
@house_view
@require("koffiekrant.publish")
def issue_publish(request, house: House, year: int, week: int):
    monday = _monday(year, week)
    try:
        issue = koffiekrant.publish_issue(house=house, week_start=monday, by=request.user)
    except koffiekrant.KoffiekrantError as err:
        messages.error(request, str(err))
    else:
        messages.success(
            request,
            _("The koffiekrant of week %(week)s is published. Everyone finds it under the published issues.")
            % {"week": issue.week_start.isocalendar().week},
        )
    return redirect(week_url(house, monday))


@require_POST
@house_view
@require("koffiekrant.publish")
def issue_unpublish(request, house: House, year: int, week: int):
    monday = _monday(year, week)
    try:
        koffiekrant.unpublish_issue(house=house, week_start=monday, by=request.user)
    except koffiekrant.KoffiekrantError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, _("The koffiekrant is set back to a draft."))
    return redirect(week_url(house, monday))


WEEK = "<slug:house>/koffiekrant/<int:year>-w<int:week>/"

urlpatterns = [
    path("<slug:house>/koffiekrant/", issue_list, name="koffiekrant"),
    path(WEEK, issue_week, name="koffiekrant_week"),
    path(WEEK + "pdf/", issue_pdf, name="koffiekrant_pdf"),
    path(WEEK + "woord/", issue_word, name="koffiekrant_word"),
    path(WEEK + "publiceren/", issue_publish, name="koffiekrant_publish"),
    path(WEEK + "intrekken/", issue_unpublish, name="koffiekrant_unpublish"),
]
