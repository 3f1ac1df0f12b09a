"""Hours through the pages: forms submitted as rendered, the review queue, statement, export, budgets."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from activities.timeutil import make_local
from duties import hours
from duties.models import HourLog, Obligation
from residents.models import AuditEvent
from tests.forms import parse_form

pytestmark = pytest.mark.usefixtures("mfa_off")

T = dt.time
TEN, NOON = T(10, 0), T(12, 0)


def nl(msgid: str) -> str:
    with translation.override("nl"):
        return gettext(msgid)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def past(days: int = 3) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


@pytest.fixture
def obligation(house, student, coordinator):
    today = timezone.localdate()
    return Obligation.objects.create(
        student=student,
        house=house,
        first_day=today - dt.timedelta(days=60),
        last_day=today + dt.timedelta(days=300),
        hours_required=96,
        set_by=coordinator,
    )


def make_log(student, house, day=None, start=TEN, end=NOON, what="Koffieochtend"):
    return hours.log_hours(
        student=student, house=house, day=day or past(), start_time=start, end_time=end, what=what
    )


def test_anonymous_goes_to_login(client_for):
    response = client_for(None).get(reverse("duties:home"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_resident_sees_an_explanation(resident, client_for):
    response = client_for(resident).get(reverse("duties:home"))
    assert response.status_code == 200
    assert (
        "You have nothing to do here" in response.content.decode()
        or nl(
            "This page is for students who live in a house and do hours for the neighbourhood, and for their "
            "coordinators. You have nothing to do here."
        )
        in response.content.decode()
    )
    assert client_for(resident).get(reverse("duties:log_add")).status_code == 403
    assert client_for(resident).get(reverse("duties:review")).status_code == 403


def test_student_logs_through_the_form_and_sees_progress(house, student, coordinator, obligation, client_for):
    client = client_for(student)
    page = client.get(reverse("duties:log_add"))
    form = parse_form(page.content, form_id="log-form")
    assert "status" not in form.field_names
    data = form.submit_data(
        day=past().isoformat(), start_time="10:00", end_time="12:00", what="Koffieochtend", status="approved"
    )
    response = client.post(reverse("duties:log_add"), data, follow=True)
    assert messages_of(response) == [nl("Your hours are logged. A coordinator reviews them.")]
    entry = HourLog.objects.get()
    assert (entry.status, entry.minutes, entry.house) == (HourLog.Status.SUBMITTED, 120, house)
    html = response.content.decode()
    assert "<progress" in html
    assert 'max="5760"' in html and 'value="0"' in html
    hours.approve_logs(log_ids=[entry.pk], by=coordinator)
    html = client.get(reverse("duties:home")).content.decode()
    assert 'value="120"' in html


def test_overlap_through_the_form_keeps_the_input(house, student, client_for):
    make_log(student, house)
    client = client_for(student)
    form = parse_form(client.get(reverse("duties:log_add")).content, form_id="log-form")
    data = form.submit_data(day=past().isoformat(), start_time="11:00", end_time="13:00", what="Nog eens")
    response = client.post(reverse("duties:log_add"), data)
    assert response.status_code == 200
    assert HourLog.objects.count() == 1
    content = response.content.decode()
    expected = nl("You already logged hours at this time. Choose another time or change that log.")
    assert expected in content or expected.replace("'", "&#x27;") in content


def test_future_and_too_long_refused_in_form(house, student, client_for):
    client = client_for(student)
    form = parse_form(client.get(reverse("duties:log_add")).content, form_id="log-form")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    for changes in (
        {"day": tomorrow, "start_time": "10:00", "end_time": "11:00"},
        {"day": past().isoformat(), "start_time": "06:00", "end_time": "19:00"},
        {"day": past().isoformat(), "start_time": "12:00", "end_time": "11:00"},
    ):
        response = client.post(reverse("duties:log_add"), form.submit_data(what="x", **changes))
        assert response.status_code == 200
    assert HourLog.objects.count() == 0


def test_edit_and_withdraw(house, student, coordinator, make_user, client_for):
    entry = make_log(student, house)
    hours.return_log(log_id=entry.pk, by=coordinator, reason="Welke activiteit?")
    client = client_for(student)
    home = client.get(reverse("duties:home")).content.decode()
    assert "Welke activiteit?" in home
    url = reverse("duties:log_edit", kwargs={"pk": entry.pk})
    form = parse_form(client.get(url).content, form_id="log-form")
    assert form.data["start_time"] == "10:00"
    client.post(url, form.submit_data(what="Koffieochtend met quiz", status="approved"))
    entry.refresh_from_db()
    assert (entry.status, entry.what) == (HourLog.Status.SUBMITTED, "Koffieochtend met quiz")
    other = make_user("ander@example.nl", "Ayşe Yılmaz", house, "student")
    assert client_for(other).get(url).status_code == 404
    assert client_for(other).post(reverse("duties:log_withdraw", kwargs={"pk": entry.pk})).status_code == 404
    withdraw = parse_form(home.encode(), action=reverse("duties:log_withdraw", kwargs={"pk": entry.pk}))
    client.post(withdraw.action, withdraw.data)
    entry.refresh_from_db()
    assert entry.status == HourLog.Status.WITHDRAWN


def test_review_approve_several_and_return(house, student, coordinator, obligation, client_for):
    a = make_log(student, house)
    b = make_log(student, house, start=T(14, 0), end=T(15, 0))
    c = make_log(student, house, start=T(16, 0), end=T(17, 0))
    client = client_for(coordinator)
    page = client.get(reverse("duties:review"))
    assert page.status_code == 200
    form = parse_form(page.content, form_id="approve-form")
    response = client.post(
        reverse("duties:review"), {**form.data, "logs": [str(a.pk), str(b.pk)], "status": "x"}, follow=True
    )
    assert response.status_code == 200
    statuses = dict(HourLog.objects.values_list("pk", "status"))
    assert statuses == {a.pk: "approved", b.pk: "approved", c.pk: "submitted"}
    assert AuditEvent.objects.filter(action="hours.approved", actor=coordinator).count() == 2
    back = parse_form(response.content, form_id=f"return-{c.pk}")
    client.post(back.action, back.submit_data(reason=""))
    assert HourLog.objects.get(pk=c.pk).status == "submitted"
    client.post(back.action, back.submit_data(reason="Dubbel gelogd?"))
    c.refresh_from_db()
    assert (c.status, c.return_reason) == ("returned", "Dubbel gelogd?")


def test_student_cannot_review_or_approve(house, student, make_user, client_for):
    entry = make_log(student, house)
    other = make_user("ander@example.nl", "Ties Tweede", house, "student")
    client = client_for(other)
    assert client.get(reverse("duties:review")).status_code == 403
    assert client.post(reverse("duties:review"), {"logs": [entry.pk]}).status_code == 403
    assert client_for(student).post(reverse("duties:review"), {"logs": [entry.pk]}).status_code == 403
    assert HourLog.objects.get().status == "submitted"


def test_outside_coordinator_cannot_return(house, other_house, student, make_user, client_for):
    entry = make_log(student, house)
    stranger = make_user("c2@example.nl", "Cas Elders", other_house, "coordinator")
    url = reverse("duties:log_return", kwargs={"pk": entry.pk})
    assert client_for(stranger).post(url, {"reason": "nee"}).status_code == 404
    approve = client_for(stranger).post(reverse("duties:review"), {"logs": [entry.pk]})
    assert approve.status_code == 302
    assert HourLog.objects.get().status == "submitted"


def test_csv_neutralises_formulas(house, student, staff, client_for):
    make_log(student, house, what='=HYPERLINK("http://x")')
    make_log(student, house, start=T(13, 0), end=T(14, 0), what="+31 6 1234")
    make_log(student, house, start=T(15, 0), end=T(16, 0), what="@SUM(A1)")
    make_log(student, house, start=T(17, 0), end=T(18, 0), what="-1 koffie")
    response = client_for(staff).get(reverse("duties:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    whats = sorted(row[6] for row in rows[1:])
    assert whats == sorted(['\'=HYPERLINK("http://x")', "'+31 6 1234", "'@SUM(A1)", "'-1 koffie"])


def test_statement_page_and_pdf(house, student, coordinator, obligation, client_for):
    entry = make_log(student, house)
    make_log(student, house, start=T(14, 0), end=T(14, 30))  # pending: not on the statement
    hours.approve_logs(log_ids=[entry.pk], by=coordinator)
    query = {"verplichting": obligation.pk}
    page = client_for(student).get(reverse("duties:statement"), query)
    assert page.status_code == 200
    html = page.content.decode()
    assert coordinator.name in html and house.name in html and "2,0" in html
    response = client_for(student).get(reverse("duties:statement_pdf"), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="verklaring-uren-sam-student-' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    assert b"total-minutes:120" in response.content
    # The coordinator may fetch it for the student; another student or house may not.
    as_coordinator = client_for(coordinator).get(
        reverse("duties:statement_pdf"), {**query, "student": student.pk}
    )
    assert as_coordinator.status_code == 200


def test_statement_not_for_others(house, other_house, student, obligation, make_user, client_for):
    other = make_user("ander@example.nl", "Ayşe Yılmaz", house, "student")
    stranger = make_user("c2@example.nl", "Cas Elders", other_house, "coordinator")
    for person in (other, stranger):
        assert (
            client_for(person).get(reverse("duties:statement"), {"verplichting": obligation.pk}).status_code
            == 404
        )
    assert client_for(student).get(reverse("duties:statement")).status_code == 404


def test_pdf_prints_turkish_names(house, coordinator, make_user, client_for):
    ayse = make_user("ayse@example.nl", "Ayşe Yılmaz", house, "student")
    today = timezone.localdate()
    ob = Obligation.objects.create(
        student=ayse, house=house, first_day=today - dt.timedelta(days=10), last_day=today, hours_required=8
    )
    entry = make_log(ayse, house, what="Bezoek bij mevrouw Öztürk")
    hours.approve_logs(log_ids=[entry.pk], by=coordinator)
    response = client_for(ayse).get(reverse("duties:statement_pdf"), {"verplichting": ob.pk})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "ayse-ylmaz" in response["Content-Disposition"] or "ayse-yilmaz" in response["Content-Disposition"]


# --- query budgets -------------------------------------------------------------------------------


def fill(student, house, n: int) -> None:
    """`n` logs of `student`, an hour each on distinct days or hours in the past, mixed statuses."""
    today = timezone.localdate()
    statuses = [HourLog.Status.SUBMITTED, HourLog.Status.APPROVED, HourLog.Status.RETURNED]
    logs = []
    for i in range(n):
        day = today - dt.timedelta(days=1 + i // 8)
        start = make_local(day, T(8 + i % 8, 0))
        logs.append(
            HourLog(
                student=student,
                house=house,
                period=DateTimeTZRange(start, start + dt.timedelta(hours=1)),
                minutes=60,
                what=f"Taak {i}",
                status=statuses[i % 3],
                return_reason="Waarom?" if i % 3 == 2 else "",
            )
        )
    HourLog.objects.bulk_create(logs)


# Counted at 3 logs; the same budget must hold at 300.
BUDGET = {"home": 5, "review": 5}


@pytest.mark.parametrize("n", [3, 300])
def test_student_page_budget(n, house, student, obligation, client_for, django_assert_max_num_queries):
    fill(student, house, n)
    client = client_for(student)
    with django_assert_max_num_queries(BUDGET["home"]):
        assert client.get(reverse("duties:home")).status_code == 200


@pytest.mark.parametrize("n", [3, 300])
def test_review_page_budget(
    n, house, student, coordinator, make_user, obligation, client_for, django_assert_max_num_queries
):
    fill(student, house, n)
    second = make_user("tweede@example.nl", "Ties Tweede", house, "student")
    Obligation.objects.create(
        student=second,
        house=house,
        first_day=obligation.first_day,
        last_day=obligation.last_day,
        hours_required=8,
    )
    fill(second, house, n)
    client = client_for(coordinator)
    with django_assert_max_num_queries(BUDGET["review"]):
        response = client.get(reverse("duties:review"))
    assert response.status_code == 200
    assert response.content.decode().count('name="logs"') == 2 * len(range(0, n, 3))
