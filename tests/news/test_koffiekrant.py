"""The koffiekrant: what goes in, the PDF (two A4 pages, nothing fetched), the pages, publishing, races."""

from __future__ import annotations

import builtins
import datetime as dt
import io
import itertools
import re
import socket
import threading
import urllib.request
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from fpdf import FPDF
from PIL import Image

from activities.models import Activity
from activities.timeutil import make_local, week_start
from duties.statement import FONTS
from news import koffiekrant
from news.koffiekrant import (
    KoffiekrantError,
    NotAllowed,
    issue_content,
    plan_issue,
    publish_issue,
    render_pdf,
    save_word,
    unpublish_issue,
    week_label,
)
from news.models import Issue, Post
from news.services import create_post
from residents.models import AuditEvent, OpeningHours
from tests.forms import parse_form
from tests.threads import run_in_threads

pytestmark = pytest.mark.usefixtures("mfa_off")

WORD = (
    "Hoi buren!\n\nDeze week beginnen we met de **moestuin**. Kom zaterdag om 10 uur naar de tuin.\n\n"
    "- Koffie vanaf 10:00\n- Thee en koekjes ook\n\nTot snel bij de koffie!\nSam en Noor"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def monday():
    return week_start(timezone.localdate())


def files_in(root: Path) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file()) if Path(root).exists() else []


def pdf_pages(data: bytes) -> int:
    """Page objects in the file (fpdf2 writes them uncompressed: /Type /Page, the tree is /Pages)."""
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def make_post(house, title, **extra) -> Post:
    values = {
        "house": house,
        "title": title,
        "summary": f"Over {title}",
        "body_html": f"<p>{title}</p>",
        "status": Post.Status.PUBLISHED,
        "publish_at": timezone.now() - dt.timedelta(hours=1),
    }
    values.update(extra)
    return Post.objects.create(**values)


def photo(kind: str = "koffie", size=(1200, 800)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (150, 105, 70)).save(out, "JPEG")
    return SimpleUploadedFile(f"{kind}.jpg", out.getvalue(), content_type="image/jpeg")


def photo_post(house, staff, title, summary="Kom kijken!", **extra) -> Post:
    data = {
        "title": title,
        "summary": summary,
        "body": summary,
        "status": Post.Status.PUBLISHED,
        "publish_at": timezone.now() - dt.timedelta(hours=2),
        "pinned": False,
        "audience": Post.Audience.PUBLIC,
        "comments_enabled": True,
        "photo_consent": True,
        **extra,
    }
    return create_post(by=staff, house=house, data=data, images=[(photo(), f"Foto bij {title}")])


def make_activity(house, day: dt.date, start: str, end: str, title: str, **extra) -> Activity:
    values = {
        "house": house,
        "title": title,
        "category": "coffee",
        "place": "Huiskamer",
        "period": DateTimeTZRange(
            make_local(day, dt.time.fromisoformat(start)), make_local(day, dt.time.fromisoformat(end))
        ),
    }
    values.update(extra)
    return Activity.objects.create(**values)


def opening_hours(house) -> None:
    for weekday, opens, closes, label in [(0, 10, 12, "Koffieochtend"), (3, 19, 21, "")]:
        OpeningHours.objects.create(
            house=house, weekday=weekday, opens=dt.time(opens), closes=dt.time(closes), label=label
        )


def heavy(house, staff, monday, *, posts: int = 20, activities: int = 60, word: str = "") -> None:
    """A full week: many posts with photos and long texts, a full programme, 14 opening hours."""
    for n in range(posts):
        summary = f"Bericht {n}: " + "Dit is een lang verhaal over de buurt en de mensen. " * 5
        if n % 3 == 0:
            photo_post(house, staff, f"Bericht met foto {n} " + "en een lange titel " * 2, summary[:300])
        else:
            make_post(house, f"Bericht {n}", summary=summary[:300], pinned=n % 7 == 0)
    for n in range(activities):
        day = monday + dt.timedelta(days=n % 7)
        hour = 8 + (n // 7)
        make_activity(
            house,
            day,
            f"{hour:02d}:00",
            f"{hour:02d}:45",
            f"Activiteit {n} met een heel lange naam die over twee regels gaat",
            place="In de grote zaal achter de keuken",
            signup_required=n % 2 == 0,
        )
    for weekday in range(7):
        for opens in (9, 14):
            OpeningHours.objects.create(
                house=house, weekday=weekday, opens=dt.time(opens), closes=dt.time(opens + 2), label="Inloop"
            )
    Issue.objects.update_or_create(house=house, week_start=monday, defaults={"students_word": word or WORD})


# Six paragraphs of prose, as long as the word may be.
LONG_WORD = ("Een lange alinea van de studenten over wat er deze week gebeurt. " * 4 + "\n\n") * 6
LONG_WORD = LONG_WORD[: koffiekrant.WORD_MAX - 1].rsplit(" ", 1)[0] + "."


@pytest.fixture
def drawn_text(monkeypatch):
    """Every text the PDF writes (not the measuring): the file itself holds glyph numbers only."""
    texts: list[str] = []
    original = FPDF.multi_cell

    def multi_cell(self, w, h=None, text="", *args, **kwargs):
        if not kwargs.get("dry_run"):
            texts.append(text)
        return original(self, w, h, text, *args, **kwargs)

    monkeypatch.setattr(FPDF, "multi_cell", multi_cell)
    return texts


def week_kw(house, monday) -> dict:
    return koffiekrant.week_kwargs(house, monday)


def url(name, house, monday) -> str:
    return reverse(f"news:{name}", kwargs=week_kw(house, monday))


# --- weeks ---------------------------------------------------------------------------------------


def test_week_label_in_dutch():
    with translation.override("nl"):
        assert week_label(dt.date(2026, 11, 23)) == "Week 48 · 23 t/m 29 november 2026"
        assert week_label(dt.date(2026, 11, 30)) == "Week 49 · 30 november t/m 6 december 2026"
        assert week_label(dt.date(2026, 12, 28)) == "Week 53 · 28 december 2026 t/m 3 januari 2027"
        assert koffiekrant.pdf_filename(type("H", (), {"slug": "w4"}), dt.date(2026, 11, 23)) == (
            "koffiekrant-w4-2026-w48.pdf"
        )


@pytest.mark.parametrize(("year", "week"), [(2026, 54), (2027, 53), (2026, 0), (1999, 10), (2101, 1)])
def test_weeks_that_do_not_exist(year, week):
    with pytest.raises(ValueError):
        koffiekrant.monday_of(year, week)


# --- what goes in --------------------------------------------------------------------------------


def test_only_public_published_news_of_the_house_pinned_first(house, other_house, monday):
    now = timezone.now()
    make_post(house, "Nieuw", publish_at=now - dt.timedelta(hours=1))
    make_post(house, "Van vorige week", publish_at=now - dt.timedelta(days=6))
    make_post(None, "Voor alle huizen", publish_at=now - dt.timedelta(hours=3))
    make_post(house, "Oud maar vastgezet", pinned=True, publish_at=now - dt.timedelta(days=200))
    make_post(house, "Veel te oud", publish_at=now - dt.timedelta(days=200))
    make_post(house, "Alleen voor leden", audience=Post.Audience.MEMBERS)
    make_post(house, "Concept", status=Post.Status.DRAFT)
    make_post(house, "Straks", publish_at=now + dt.timedelta(days=1))
    make_post(other_house, "Bij de buren")

    content = issue_content(house, monday)

    assert [n.title for n in content.news] == [
        "Oud maar vastgezet",
        "Nieuw",
        "Voor alle huizen",
        "Van vorige week",
    ]
    assert content.news[0].link == reverse("news:post", kwargs={"house": "w4", "pk": content.news[0].post.pk})


def test_news_of_a_past_week_is_the_news_of_then(house, monday):
    past = monday - dt.timedelta(weeks=2)
    make_post(house, "Van toen", publish_at=make_local(past + dt.timedelta(days=2), dt.time(12)))
    make_post(house, "Van daarna", publish_at=make_local(past + dt.timedelta(days=8), dt.time(12)))
    make_post(house, "Veel eerder", publish_at=make_local(past - dt.timedelta(days=40), dt.time(12)))
    # Published before the end of that week and in the four weeks before: in that week's paper.
    assert [n.title for n in issue_content(house, past).news] == ["Van toen"]


def test_the_programme_is_the_weeks_public_activities(house, other_house, monday):
    sunday = monday + dt.timedelta(days=6)
    make_activity(house, sunday, "20:00", "21:30", "Zondagavondfilm")
    make_activity(house, monday, "10:00", "12:00", "Koffieochtend")
    make_activity(house, monday, "19:00", "20:00", "Bewonersoverleg", audience="members")
    make_activity(
        house, monday + dt.timedelta(days=2), "14:00", "15:00", "Gaat niet door", status="cancelled"
    )
    make_activity(house, monday - dt.timedelta(days=1), "23:00", "23:30", "Vorige week")
    make_activity(house, monday + dt.timedelta(days=7), "09:00", "10:00", "Volgende week")
    make_activity(other_house, monday, "10:00", "12:00", "Bij de buren")

    content = issue_content(house, monday)

    assert [a.title for a in content.activities] == ["Koffieochtend", "Zondagavondfilm"]
    days = plan_issue(content).days
    assert [d.date for d in days] == [monday, sunday]


def test_opening_hours_and_who_to_ask(house, monday):
    opening_hours(house)
    house.owner.phone = "050 123 45 67"
    house.owner.save()
    content = issue_content(house, monday)
    assert [(h.weekday, h.label) for h in content.opening_hours] == [(0, "Koffieochtend"), (3, "")]
    assert content.owner.phone == "050 123 45 67"
    assert content.house_address.endswith("/w4")
    assert "://" not in content.house_address


def test_the_students_word_is_markdown_made_safe(house, monday):
    Issue.objects.create(
        house=house, week_start=monday, students_word='**Hoi** <script>alert(1)</script> <img src="x">'
    )
    content = issue_content(house, monday)
    assert "<strong>Hoi</strong>" in content.word_html
    assert "<script" not in content.word_html and "<img" not in content.word_html
    assert content.word_blocks == [("p", "Hoi")]


@pytest.mark.parametrize("size", ["small", "large"])
def test_content_takes_a_fixed_number_of_queries(house, staff, monday, size, django_assert_num_queries):
    if size == "small":
        make_post(house, "Eén bericht")
        make_activity(house, monday, "10:00", "12:00", "Koffie")
    else:
        heavy(house, staff, monday, posts=12, activities=40)
    # issue, posts, their images, activities, opening hours, the owner
    with django_assert_num_queries(6):
        content = issue_content(house, monday)
        plan_issue(content)


# --- the PDF -------------------------------------------------------------------------------------


def test_pdf_is_a_two_page_a4_newsletter_in_dutch(house, staff, monday, drawn_text):
    opening_hours(house)
    photo_post(house, staff, "Nieuwe stoelen", "Er staan twaalf nieuwe stoelen.", pinned=True)
    make_post(house, "Moestuin", summary="We beginnen zaterdag.")
    make_activity(house, monday, "10:00", "12:00", "Koffieochtend", signup_required=True)
    Issue.objects.create(house=house, week_start=monday, students_word=WORD)

    with translation.override("en"):  # the paper is Dutch whatever the writer reads
        data = render_pdf(issue_content(house, monday))

    assert data.startswith(b"%PDF-")
    assert pdf_pages(data) == 2
    assert b"/MediaBox [0 0 595.28 841.89]" in data  # A4
    assert b"/Subtype /Image" in data  # the photo
    text = "\n".join(drawn_text)
    week = monday.isocalendar().week
    for expected in (
        "☕ Koffiekrant",
        f"Week {week}",
        "W4, Witmondplein 4",
        "Van de studenten",
        "Deze week beginnen we met de moestuin. Kom zaterdag om 10 uur naar de tuin.",
        "Koffie vanaf 10:00",
        "Nieuws",
        "Nieuwe stoelen",
        "Vastgezet",
        "Programma van deze week",
        "10:00–12:00",
        "Huiskamer · eerst aanmelden",
        "Wanneer is de deur open?",
        "Koffieochtend",
        "Zo vind je ons",
        "Al het nieuws: ",
        "Pagina 2 van 2",
    ):
        assert expected in text, expected
    with translation.override("nl"):
        assert date_format(monday, "l j F").capitalize() in text  # "Maandag 16 november"
    assert "**" not in text  # Markdown is read, not printed


def test_pdf_title_is_in_the_metadata(house, monday):
    data = render_pdf(issue_content(house, monday), compress=False)
    year, week, _day = monday.isocalendar()
    assert f"koffiekrant w4 {year}-W{week:02d}".encode() in data  # the keywords, plain ASCII
    title = f"Koffiekrant W4, Witmondplein 4 · Week {week}".encode("utf-16-be").hex().upper()
    assert title.encode() in data.upper()


def test_heavy_week_still_fits_on_two_pages(house, staff, monday, drawn_text):
    heavy(house, staff, monday)
    content = issue_content(house, monday)

    data = render_pdf(content)

    assert pdf_pages(data) == 2
    layout = plan_issue(content)
    assert layout.news_cut and layout.programme_cut
    assert 0 < len(layout.news) < len(content.news)
    assert layout.days and not layout.word_cut
    text = "\n".join(drawn_text)
    assert "Meer nieuws op " in text and "/w4/nieuws" in text
    assert "Meer activiteiten op " in text and "/w4/activiteiten" in text


def test_the_longest_word_is_printed_whole(house, staff, monday, drawn_text):
    heavy(house, staff, monday, word=LONG_WORD)
    content = issue_content(house, monday)
    assert len(content.students_word) <= koffiekrant.WORD_MAX

    data = render_pdf(content)

    assert pdf_pages(data) == 2
    assert not plan_issue(content).word_cut
    text = "\n".join(drawn_text)
    assert "Lees het nieuws van deze week op " in text or "Meer nieuws op " in text
    assert LONG_WORD.split("\n\n")[-1].strip() in text


def test_nothing_overlaps_or_runs_off_the_page(house, staff, monday):
    heavy(house, staff, monday, posts=10, activities=45)
    layout = plan_issue(issue_content(house, monday))
    for placed in [*layout.news, *layout.programme]:
        assert placed.y + placed.h <= koffiekrant.BOTTOM + 0.01
    for column in {p.x for p in layout.news}:
        boxes = sorted((p.y, p.y + p.h) for p in layout.news if p.x == column)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(boxes))


def test_an_empty_week_is_still_a_friendly_paper(house, monday, drawn_text):
    data = render_pdf(issue_content(house, monday))
    assert pdf_pages(data) == 2
    text = "\n".join(drawn_text)
    assert "Deze week is er geen nieuws." in text
    assert "Deze week staat er niets op het programma." in text
    assert "Er zijn nu geen vaste openingstijden." in text


def test_pdf_fetches_nothing_and_reads_only_our_files(house, staff, monday, media, monkeypatch):
    photo_post(house, staff, "Met foto")
    content = issue_content(house, monday)

    def refuse(*args, **kwargs):
        raise AssertionError("the PDF renderer tried to use the network")

    opened: list[str] = []
    real_open = builtins.open

    def watched_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(builtins, "open", watched_open)

    data = render_pdf(content)

    assert b"/Subtype /Image" in data
    ours = (str(FONTS), str(media))
    assert opened, "the fonts and the photo are read"
    assert all(name.startswith(ours) for name in opened), opened
    assert any(name.startswith(str(media)) for name in opened)


def test_a_missing_photo_file_prints_without_it(house, staff, monday, media, caplog):
    post = photo_post(house, staff, "Foto kwijt")
    image = post.images.get()
    image.printed.storage.delete(image.printed.name)
    data = render_pdf(issue_content(house, monday))
    assert pdf_pages(data) == 2
    assert b"/Subtype /Image" not in data
    assert "could not be read" in caplog.text


def test_characters_the_font_lacks_are_left_out(house, monday, drawn_text):
    make_post(house, "Bingo 🎉 met ş en ë")
    render_pdf(issue_content(house, monday))
    assert "Bingo met ş en ë" in drawn_text
    assert "🎉" not in "".join(drawn_text)


# --- the students' word, publishing --------------------------------------------------------------


def test_student_saves_the_word(house, student, monday):
    issue = save_word(house=house, week_start=monday, by=student, text="  Hoi buren!\r\nTot zo.  ")
    assert issue.students_word == "Hoi buren!\nTot zo."
    assert issue.status == Issue.Status.DRAFT and issue.updated_by == student
    event = AuditEvent.objects.get(action="koffiekrant.word_saved")
    assert event.actor == student and event.house == house


def test_word_too_long_or_not_a_monday_saves_nothing(house, student, monday):
    with translation.override("nl"), pytest.raises(KoffiekrantError, match="maximaal 1500 tekens"):
        save_word(house=house, week_start=monday, by=student, text="x" * 1501)
    with translation.override("nl"), pytest.raises(KoffiekrantError, match="begint op maandag"):
        save_word(house=house, week_start=monday + dt.timedelta(days=1), by=student, text="Hoi")
    assert not Issue.objects.exists()
    # Windows line ends count once, as the browser counts them.
    text = ("y" * 99 + "\r\n") * 15
    assert len(save_word(house=house, week_start=monday, by=student, text=text).students_word) == 1499


@pytest.mark.parametrize("persona", ["resident", "viewer", "outsider"])
def test_others_may_not_write(house, monday, request, persona):
    with pytest.raises(NotAllowed):
        save_word(house=house, week_start=monday, by=request.getfixturevalue(persona), text="Hoi")
    assert not Issue.objects.exists()


def test_publish_keeps_the_pdf_as_handed_out(house, coordinator, monday, media):
    make_activity(house, monday, "10:00", "12:00", "Koffieochtend")
    issue = publish_issue(house=house, week_start=monday, by=coordinator)

    issue.refresh_from_db()
    assert issue.status == Issue.Status.PUBLISHED and issue.published_by == coordinator
    year, week, _day = monday.isocalendar()
    assert issue.pdf.name == f"koffiekrant/koffiekrant-w4-{year}-w{week:02d}.pdf"
    stored = issue.pdf.read()
    assert stored.startswith(b"%PDF-")
    event = AuditEvent.objects.get(action="koffiekrant.published")
    assert event.changes["activities"] == 1

    # The programme changes afterwards: the paper that was handed out does not.
    make_activity(house, monday, "14:00", "16:00", "Later erbij")
    issue.refresh_from_db()
    assert issue.pdf.read() == stored


def test_publish_again_replaces_the_file_and_unpublish_removes_it(
    house, coordinator, staff, monday, media, django_capture_on_commit_callbacks
):
    first = publish_issue(house=house, week_start=monday, by=coordinator).pdf.name
    with django_capture_on_commit_callbacks(execute=True):
        second = publish_issue(house=house, week_start=monday, by=staff).pdf.name
    assert first != second
    assert [p.name for p in files_in(media / "koffiekrant")] == [Path(second).name]
    assert AuditEvent.objects.filter(action="koffiekrant.republished").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        issue = unpublish_issue(house=house, week_start=monday, by=coordinator)
    assert issue.status == Issue.Status.DRAFT and not issue.pdf
    assert files_in(media / "koffiekrant") == []
    with pytest.raises(KoffiekrantError):
        unpublish_issue(house=house, week_start=monday, by=coordinator)


def test_a_published_word_is_locked(house, student, coordinator, monday):
    save_word(house=house, week_start=monday, by=student, text="Eerste versie")
    publish_issue(house=house, week_start=monday, by=coordinator)
    with translation.override("nl"), pytest.raises(KoffiekrantError, match="al gepubliceerd"):
        save_word(house=house, week_start=monday, by=student, text="Stiekem anders")
    assert Issue.objects.get().students_word == "Eerste versie"


@pytest.mark.parametrize("persona", ["student", "resident", "viewer"])
def test_only_coordinators_and_staff_publish(house, monday, request, persona, media):
    with pytest.raises(NotAllowed):
        publish_issue(house=house, week_start=monday, by=request.getfixturevalue(persona))
    assert files_in(media) == []


# --- two publishes at once ----------------------------------------------------------------------


def _publisher(barrier, house, monday, user):
    def go():
        barrier.wait(60)
        with translation.override("nl"):
            return publish_issue(house=house, week_start=monday, by=user)

    return go


def assert_one_paper(house, monday, media) -> None:
    issue = Issue.objects.get(house=house, week_start=monday)
    files = [p.name for p in files_in(media / "koffiekrant")]
    assert files == [Path(issue.pdf.name).name], f"files {files} for {issue.pdf.name}"
    actions = sorted(
        AuditEvent.objects.filter(action__startswith="koffiekrant.").values_list("action", flat=True)
    )
    assert actions == ["koffiekrant.published", "koffiekrant.republished"], actions


@pytest.mark.django_db(transaction=True)
def test_two_publishes_at_once_leave_one_paper(house, coordinator, staff, monday, media):
    barrier = threading.Barrier(2)
    results = run_in_threads(
        _publisher(barrier, house, monday, coordinator), _publisher(barrier, house, monday, staff)
    )
    assert [kind for kind, _v in results] == ["ok", "ok"], results
    assert_one_paper(house, monday, media)


@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_lock_a_file_is_orphaned(
    house, coordinator, staff, monday, media, monkeypatch
):
    """Proves the test above can fail: without the row lock both read "not published yet" and both
    keep their own file; one of them is then referenced by nothing."""
    Issue.objects.create(house=house, week_start=monday)  # the row exists: no wait on the insert
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)
    both_read = threading.Barrier(2)
    original = koffiekrant.render_pdf

    def render_after_both_read(content, **kwargs):
        both_read.wait(60)  # the worst interleaving: both have read the issue before either writes
        return original(content, **kwargs)

    monkeypatch.setattr(koffiekrant, "render_pdf", render_after_both_read)
    barrier = threading.Barrier(2)
    run_in_threads(_publisher(barrier, house, monday, coordinator), _publisher(barrier, house, monday, staff))

    with pytest.raises(AssertionError):
        assert_one_paper(house, monday, media)


# --- the pages -----------------------------------------------------------------------------------


def test_the_koffiekrant_is_in_the_house_menu(client, house):
    response = client.get(house.get_absolute_url())
    assert reverse("news:koffiekrant", kwargs={"house": "w4"}) in response.content.decode()
    assert ">Koffiekrant</a>" in response.content.decode()


def test_everyone_finds_published_issues(client_for, house, coordinator, monday, resident, outsider):
    last_week = monday - dt.timedelta(weeks=1)
    publish_issue(house=house, week_start=last_week, by=coordinator)
    Issue.objects.create(house=house, week_start=monday, students_word="Nog niet af")
    list_url = reverse("news:koffiekrant", kwargs={"house": "w4"})
    for person in (None, resident, outsider):
        client = client_for(person)
        text = client.get(list_url).content.decode()
        assert "Gepubliceerde nummers" in text
        assert week_label_nl(last_week) in text
        assert url("koffiekrant_pdf", house, last_week) in text
        assert 'id="week-form"' not in text and "Nog niet af" not in text
        assert client.get(url("koffiekrant_week", house, last_week)).status_code == 200
        assert client.get(url("koffiekrant_week", house, monday)).status_code == 404
        pdf = client.get(url("koffiekrant_pdf", house, last_week))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert b"".join(pdf.streaming_content) == Issue.objects.get(week_start=last_week).pdf.read()
        assert client.get(url("koffiekrant_pdf", house, monday)).status_code == 404


def week_label_nl(monday) -> str:
    with translation.override("nl"):
        return week_label(monday)


def test_no_issues_yet(client, house):
    response = client.get(reverse("news:koffiekrant", kwargs={"house": "w4"}))
    assert "Er is nog geen koffiekrant gepubliceerd." in response.content.decode()


def test_student_previews_a_week_and_downloads_the_draft(client_for, house, student, monday):
    make_post(house, "Nieuwe stoelen")
    client = client_for(student)
    response = client.get(url("koffiekrant_week", house, monday))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Dit is een voorbeeld, nog niet gepubliceerd." in text
    assert "Nieuwe stoelen" in text
    assert 'id="publish-form"' not in text  # students write; coordinators publish
    assert "css/koffiekrant.css" in text
    pdf = client.get(url("koffiekrant_pdf", house, monday))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    year, week, _day = monday.isocalendar()
    assert pdf["Content-Disposition"] == f'attachment; filename="koffiekrant-w4-{year}-w{week:02d}.pdf"'
    assert "no-store" in pdf["Cache-Control"]


def test_choose_a_week_with_the_form(client_for, house, student):
    client = client_for(student)
    list_url = reverse("news:koffiekrant", kwargs={"house": "w4"})
    form = parse_form(client.get(list_url).content, form_id="week-form")
    assert 'type="week"' in client.get(list_url).content.decode()

    response = client.get(list_url, form.submit_data(week="2026-W48"))
    assert response.status_code == 302
    assert response["Location"] == "/w4/koffiekrant/2026-w48/"
    # A date in the week, for browsers without a week picker
    assert (
        client.get(list_url, form.submit_data(week="25-11-2026"))["Location"] == "/w4/koffiekrant/2026-w48/"
    )

    response = client.get(list_url, form.submit_data(week="2026-W54"))
    assert response.status_code == 200
    assert "Week 54 van 2026 bestaat niet. Kies een andere week." in response.content.decode()
    response = client.get(list_url, form.submit_data(week="volgende week"))
    assert "Kies een week, bijvoorbeeld 2026-W48." in response.content.decode()


@pytest.mark.parametrize("path", ["2026-w54/", "2027-w53/", "2026-w0/", "1999-w10/", "2026-w48/pdf/x/"])
def test_weeks_that_do_not_exist_are_404(client_for, house, student, path):
    assert client_for(student).get(f"/w4/koffiekrant/{path}").status_code == 404


def test_student_writes_the_word_through_the_form(client_for, house, student, monday):
    client = client_for(student)
    week_page = client.get(url("koffiekrant_week", house, monday)).content.decode()
    assert "Schrijf het stukje van de studenten" in week_page
    word_url = url("koffiekrant_word", house, monday)
    assert word_url in week_page
    form = parse_form(client.get(word_url).content, form_id="word-form")

    response = client.post(word_url, form.submit_data(students_word="Hoi **buren**!\r\n\r\nTot zo."))

    assert response.status_code == 302
    assert response["Location"] == url("koffiekrant_week", house, monday)
    page = client.get(response["Location"]).content.decode()
    assert "Het stukje van de studenten is opgeslagen." in page
    assert "<strong>buren</strong>" in page
    assert Issue.objects.get().students_word == "Hoi **buren**!\n\nTot zo."


def test_a_word_too_long_is_a_clear_error(client_for, house, student, monday):
    client = client_for(student)
    word_url = url("koffiekrant_word", house, monday)
    form = parse_form(client.get(word_url).content, form_id="word-form")
    response = client.post(word_url, form.submit_data(students_word="x" * 1501))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Nog niet opgeslagen." in text
    assert "Het stukje mag maximaal 1500 tekens lang zijn. Nu zijn het er 1501." in text
    assert not Issue.objects.exists()


def test_the_word_of_a_published_issue_cannot_be_changed(client_for, house, student, coordinator, monday):
    save_word(house=house, week_start=monday, by=student, text="Zoals uitgedeeld")
    publish_issue(house=house, week_start=monday, by=coordinator)
    client = client_for(student)
    word_url = url("koffiekrant_word", house, monday)
    response = client.get(word_url)
    assert "Deze koffiekrant is al gepubliceerd." in response.content.decode()
    assert 'id="word-form"' not in response.content.decode()
    client.post(word_url, {"students_word": "Anders"})
    assert Issue.objects.get().students_word == "Zoals uitgedeeld"


@pytest.mark.parametrize(("persona", "status"), [("resident", 403), ("viewer", 403), ("outsider", 403)])
def test_only_writers_reach_the_word_form(client_for, house, monday, request, persona, status):
    client = client_for(request.getfixturevalue(persona))
    word_url = url("koffiekrant_word", house, monday)
    assert client.get(word_url).status_code == status
    assert client.post(word_url, {"students_word": "Hoi"}).status_code == status
    assert not Issue.objects.exists()


def test_anonymous_is_asked_to_log_in_for_the_word(client, house, monday):
    response = client.get(url("koffiekrant_word", house, monday))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_coordinator_publishes_through_the_page(
    client_for, house, coordinator, monday, media, django_capture_on_commit_callbacks
):
    client = client_for(coordinator)
    page = client.get(url("koffiekrant_week", house, monday)).content
    form = parse_form(page, form_id="publish-form")
    assert "Publiceren" in page.decode()

    response = client.post(form.action, form.data)

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    week = monday.isocalendar().week
    assert (
        f"De koffiekrant van week {week} is gepubliceerd. Iedereen vindt hem bij de gepubliceerde nummers."
        in page
    )
    assert "Opnieuw publiceren met het nieuwste nieuws" in page
    assert Issue.objects.get().status == Issue.Status.PUBLISHED

    form = parse_form(page, form_id="unpublish-form")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form.action, form.data)
    page = client.get(response["Location"]).content.decode()
    assert "De koffiekrant is teruggezet. Het is weer een concept." in page
    assert Issue.objects.get().status == Issue.Status.DRAFT
    assert files_in(media / "koffiekrant") == []


@pytest.mark.parametrize("persona", ["student", "resident", "viewer", "outsider"])
def test_others_cannot_publish(client_for, house, monday, request, persona, media):
    client = client_for(request.getfixturevalue(persona))
    assert client.post(url("koffiekrant_publish", house, monday)).status_code == 403
    assert not Issue.objects.filter(status=Issue.Status.PUBLISHED).exists()
    assert files_in(media) == []


def test_draft_week_and_pdf_are_hidden_from_readers(client_for, house, monday, resident, viewer):
    Issue.objects.create(house=house, week_start=monday, students_word="Geheim concept")
    for person in (None, resident, viewer):
        client = client_for(person)
        assert client.get(url("koffiekrant_week", house, monday)).status_code == 404
        assert client.get(url("koffiekrant_pdf", house, monday)).status_code == 404


def test_the_printed_page_hides_the_site_and_shows_the_papers_parts(client_for, house, staff, monday):
    opening_hours(house)
    photo_post(house, staff, "Met foto")
    make_activity(house, monday, "10:00", "12:00", "Koffieochtend")
    text = client_for(staff).get(url("koffiekrant_week", house, monday)).content.decode()
    for part in ("Programma van deze week", "Wanneer is de deur open?", "Zo vind je ons", "Al het nieuws: "):
        assert part in text
    assert 'alt="Foto bij Met foto"' in text
    assert "10:00–12:00" in text
    css = (Path(__file__).resolve().parents[2] / "static/css/koffiekrant.css").read_text()
    assert "@page { size: A4;" in css and ".kk-tools, .messages { display: none" in css


@pytest.mark.parametrize("size", ["small", "large"])
def test_page_queries_do_not_grow(client_for, house, staff, monday, size, django_assert_max_num_queries):
    if size == "small":
        make_post(house, "Eén bericht")
    else:
        heavy(house, staff, monday, posts=12, activities=40)
        for weeks in range(1, 30):
            Issue.objects.create(
                house=house, week_start=monday - dt.timedelta(weeks=weeks), status=Issue.Status.PUBLISHED
            )
    client = client_for(staff)
    week_url = url("koffiekrant_week", house, monday)
    list_url = reverse("news:koffiekrant", kwargs={"house": "w4"})
    client.get(week_url)  # warm the session
    # session, user, house, roles, then the six of the content (or: count, issues, drafts): the same
    # for little and much
    with django_assert_max_num_queries(10):
        assert client.get(week_url).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(list_url).status_code == 200
