"""The koffiekrant: a house's newsletter of one week, on paper (a PDF made with fpdf2) and on screen.

Only what anyone may read goes in, because the paper lies on the coffee table for anyone: published
news for everyone, activities for everyone, the opening hours, and the students' word once a
coordinator publishes it. The layout is planned before anything is drawn, so the PDF has two A4
pages whatever the amount of news (page 1: the word and the news; page 2: the programme, the opening
hours and how to reach the house); what does not fit is left out with a pointer to the website. The
printable web page shows the same selection.

The renderer reads only our own files: the DejaVu fonts in duties/fonts and the photos through the
storage API (bytes, never a path or URL handed to fpdf2, whose resource access is switched off).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from fpdf import FPDF, ResourceAccessPolicy

from activities import timeutil
from activities.selectors import ProgrammeDay, programme_days, public_week_activities
from activities.timeutil import local_day_bounds, local_zone
from duties.statement import add_fonts
from news.content import render_markdown
from news.images import NewsError
from news.models import Issue, Post, PostImage
from residents.audit import record
from residents.models import House, OpeningHours, Organisation
from residents.permissions import can

log = logging.getLogger(__name__)

WORD_MAX = Issue._meta.get_field("students_word").max_length  # 1500
MAX_NEWS = 8  # candidates; the layout prints as many as fit on page 1
MAX_ACTIVITIES = 60  # candidates; the layout prints as many as fit on page 2
MAX_HOUR_ROWS = 14
NEWS_DAYS = 28  # "recent": published in the four weeks before the week's end (pinned posts always)
FIRST_YEAR, LAST_YEAR = 2000, 2100  # weeks outside these years are not koffiekranten (404)


class KoffiekrantError(NewsError):
    """A koffiekrant change that cannot be made; the message is for the person, `field` for the form."""


class NotAllowed(KoffiekrantError, PermissionDenied):
    """The person may not do this (a KoffiekrantError, and a 403 if nobody catches it)."""


# --- weeks ---------------------------------------------------------------------------------------


def monday_of(year: int, week: int) -> dt.date:
    """The Monday of ISO week `week` of `year`; ValueError for week 0, week 54 or a year out of range."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError("year out of range")
    return dt.date.fromisocalendar(year, week, 1)


def week_kwargs(house: House, monday: dt.date) -> dict:
    year, week, _day = monday.isocalendar()
    return {"house": house.slug, "year": year, "week": week}


def week_dates(monday: dt.date) -> str:
    """'23 t/m 29 november 2026'; the month and year only once where they are the same."""
    sunday = monday + dt.timedelta(days=6)
    if monday.month == sunday.month:
        first = date_format(monday, "j")
    elif monday.year == sunday.year:
        first = date_format(monday, "j F")
    else:
        first = date_format(monday, "j F Y")
    return _("%(first)s up to and including %(last)s") % {
        "first": first,
        "last": date_format(sunday, "j F Y"),
    }


def week_label(monday: dt.date) -> str:
    """'Week 48 · 23 t/m 29 november 2026'."""
    return _("Week %(week)s · %(dates)s") % {"week": monday.isocalendar().week, "dates": week_dates(monday)}


def pdf_filename(house: House, monday: dt.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"koffiekrant-{house.slug}-{year}-w{week:02d}.pdf"


def _short_address(url: str) -> str:
    """An address as people type it: without http(s):// and without the last slash."""
    return url.split("://", 1)[-1].rstrip("/")


# --- the content of a week -----------------------------------------------------------------------


@dataclass
class NewsItem:
    post: Post
    image: PostImage | None
    teaser: str
    link: str

    @property
    def title(self) -> str:
        return self.post.title

    @property
    def pinned(self) -> bool:
        return self.post.pinned

    @property
    def day(self) -> dt.date:
        return timezone.localtime(self.post.publish_at).date()

    @property
    def has_photo(self) -> bool:
        image = self.image
        return bool(image and image.printed.name and image.width and image.height)


@dataclass
class IssueContent:
    house: House
    week_start: dt.date
    issue: Issue | None
    news: list[NewsItem]
    activities: list
    opening_hours: list[OpeningHours]
    owner: Organisation | None
    site_url: str = field(default="")

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)

    @property
    def year(self) -> int:
        return self.week_start.isocalendar().year

    @property
    def week(self) -> int:
        return self.week_start.isocalendar().week

    @property
    def is_published(self) -> bool:
        return self.issue is not None and self.issue.status == Issue.Status.PUBLISHED

    @property
    def students_word(self) -> str:
        return self.issue.students_word if self.issue else ""

    @property
    def word_html(self) -> SafeString:
        # nh3 cleans what Markdown makes (an allow-list, no raw HTML of the writer survives).
        return mark_safe(render_markdown(self.students_word))  # noqa: S308

    @property
    def word_blocks(self) -> list[tuple[str, str]]:
        return text_blocks(render_markdown(self.students_word))

    @property
    def house_url(self) -> str:
        return self.site_url + self.house.get_absolute_url()

    @property
    def house_address(self) -> str:
        return _short_address(self.house_url)

    @property
    def news_address(self) -> str:
        return _short_address(self.site_url + reverse("news:list", kwargs={"house": self.house.slug}))

    @property
    def programme_address(self) -> str:
        return _short_address(
            self.site_url + reverse("activities:programme", kwargs={"house": self.house.slug})
        )


def _teaser(post: Post) -> str:
    if post.summary:
        return post.summary
    text = " ".join(strip_tags(post.body_html).split())
    return Truncator(text).chars(300)


def issue_content(
    house: House, monday: dt.date, *, issue: Issue | None = None, now: dt.datetime | None = None
) -> IssueContent:
    """Everything one week's koffiekrant may hold, in six queries whatever the amount of news.

    `issue`: the (locked) row when the caller has it; otherwise it is looked up."""
    now = now or timezone.now()
    start, _end = local_day_bounds(monday)
    _start, end = local_day_bounds(monday + dt.timedelta(days=6))
    if issue is None:
        issue = Issue.objects.filter(house=house, week_start=monday).select_related("published_by").first()
    # News as it stood at the end of that week (or now, for this and coming weeks).
    cutoff = min(now, end)
    posts = list(
        Post.objects.published(now=cutoff)
        .for_house(house)
        .filter(audience=Post.Audience.PUBLIC)
        .filter(Q(pinned=True) | Q(publish_at__gte=start - dt.timedelta(days=NEWS_DAYS)))
        .select_related("house")
        .prefetch_related(Prefetch("images", queryset=PostImage.objects.order_by("position", "pk")))
        .order_by("-pinned", "-publish_at", "-pk")[:MAX_NEWS]
    )
    news = [
        NewsItem(
            post=post,
            image=next(iter(post.images.all()), None),
            teaser=_teaser(post),
            link=post.url_in(house),
        )
        for post in posts
    ]
    activities = public_week_activities(house, start, end, limit=MAX_ACTIVITIES)
    hours = list(house.opening_hours.all()[:MAX_HOUR_ROWS])
    owner = Organisation.objects.filter(pk=house.owner_id).first()
    return IssueContent(
        house=house,
        week_start=monday,
        issue=issue,
        news=news,
        activities=activities,
        opening_hours=hours,
        owner=owner,
        site_url=settings.SITE_URL,
    )


class _Blocks(HTMLParser):
    """Sanitised HTML of the students' word -> [("p" | "li" | "h", text)], for the PDF."""

    BLOCKS = {"p": "p", "li": "li", "h2": "h", "h3": "h", "h4": "h", "blockquote": "p"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self.kind = "p"
        self.buffer: list[str] = []
        self.href: str | None = None
        self.link_text: list[str] = []
        self.in_li = 0

    def flush(self) -> None:
        text = "".join(self.buffer)
        lines = [" ".join(line.split()) for line in text.split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            self.blocks.append((self.kind, text))
        self.buffer = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.flush()
            if tag == "li":
                self.in_li += 1
            self.kind = "li" if self.in_li else self.BLOCKS[tag]
        elif tag == "br":
            self.buffer.append("\n")
        elif tag == "a":
            self.href = dict(attrs).get("href") or None
            self.link_text = []

    def handle_endtag(self, tag):
        if tag == "a":
            text = "".join(self.link_text).strip()
            if self.href and self.href.removeprefix("mailto:") not in (text, f"{text}/"):
                self.buffer.append(f" ({_short_address(self.href)})")
            self.href = None
        elif tag in self.BLOCKS:
            self.flush()
            if tag == "li":
                self.in_li -= 1
            self.kind = "li" if self.in_li else "p"

    def handle_data(self, data):
        self.buffer.append(data)
        if self.href is not None:
            self.link_text.append(data)


def text_blocks(html: str) -> list[tuple[str, str]]:
    """Paragraphs, list items and headings of sanitised HTML as plain text (no markup reaches fpdf2)."""
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    parser.flush()
    return parser.blocks


# --- the layout: planned first, then drawn ------------------------------------------------------

PAGE_W, PAGE_H = 210.0, 297.0
M = 14.0  # margins
W = PAGE_W - 2 * M
GAP = 8.0
COL_W = (W - GAP) / 2
BOTTOM = PAGE_H - 17.0  # content ends here; the page foot is below
IMAGE_MAX_H = 58.0
# (largest photo height, most photos) tried for page 1; the best page wins (_Koffiekrant.plan_news).
NEWS_TRIES = ((IMAGE_MAX_H, 9), (46.0, 9), (36.0, 9), (IMAGE_MAX_H, 1), (46.0, 1), (36.0, 1), (0.0, 0))
FONT = "DejaVu"

GREEN = (31, 95, 63)
GREEN_DARK = (20, 63, 42)
SAND = (247, 243, 234)
SAND_LINE = (217, 211, 196)
INK = (27, 27, 27)
GREY = (78, 78, 78)
WHITE = (255, 255, 255)

BODY = 12.0  # pt: large enough to read at the coffee table
TIME = 11.0  # the times in the programme, bold


def _lh(size: float) -> float:
    """Line height in mm for a font size in pt (1.35 x the size)."""
    return size * 0.3528 * 1.35


@dataclass
class Placed:
    """Something put on the page at (x, y) in a column of width w, h high."""

    kind: str  # "news", "day", "activity"
    obj: object
    x: float
    y: float
    w: float
    h: float
    photo_h: float = 0.0  # a post's photo, this high (0: without)
    continued: bool = False  # a day's heading repeated at the top of the next column
    text: str = ""  # a post's teaser as printed (shortened when the post is long and room is short)


@dataclass
class Layout:
    """What fits on the two pages, and where; the PDF draws it and the web page shows the same."""

    word: list[tuple[str, str]] = field(default_factory=list)
    word_cut: bool = False
    news: list[Placed] = field(default_factory=list)
    news_cut: bool = False
    programme: list[Placed] = field(default_factory=list)
    programme_cut: bool = False

    @property
    def days(self) -> list[ProgrammeDay]:
        return programme_days([p.obj for p in self.programme if p.kind == "activity"])


class _Paper(FPDF):
    """An A4 page with our fonts; every text goes through `put`, which measures or draws alike."""

    def __init__(self):
        super().__init__(orientation="P", unit="mm", format="A4")
        # Load nothing implicitly: no URL, no file path; photos come in as bytes.
        self.resource_access_policy = ResourceAccessPolicy.NONE
        add_fonts(self, FONT)
        self.set_auto_page_break(False)
        self.set_margins(M, M, M)
        self.c_margin = 0
        regular, bold = self.fonts["dejavu"], self.fonts["dejavuB"]
        self.glyphs = set(regular.cmap) & set(bold.cmap)

    def clean(self, text: str) -> str:
        """Only characters the font can show (an emoji would print as an empty box)."""
        text = unicodedata.normalize("NFC", text or "")
        text = "".join(c for c in text if c == "\n" or ord(c) in self.glyphs)
        return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()

    def put(self, x, y, w, text, *, size=BODY, style="", color=INK, align="L", lh=None, draw=True) -> float:
        """Write `text` in a box `w` wide at (x, y), or only measure it; returns the height."""
        text = self.clean(text)
        if not text:
            return 0.0
        self.set_font(FONT, style, size)
        lh = lh or _lh(size)
        if not draw:
            return self.multi_cell(w, lh, text, align=align, dry_run=True, output="HEIGHT")
        self.set_text_color(*color)
        self.set_xy(x, y)
        return self.multi_cell(w, lh, text, align=align, output="HEIGHT")

    def width_of(self, text: str, *, size=BODY, style="") -> float:
        self.set_font(FONT, style, size)
        return self.get_string_width(self.clean(text))

    def fit(self, text: str, w: float, *, size: float, style: str = "") -> str:
        """`text` cut with an ellipsis to fit one line `w` wide."""
        text = self.clean(text)
        if self.width_of(text, size=size, style=style) <= w:
            return text
        while text and self.width_of(text + "…", size=size, style=style) > w:
            text = text[:-1]
        return text.rstrip() + "…"

    def band(self, x, y, w, h, color, radius=2.5) -> None:
        self.set_fill_color(*color)
        self.rect(x, y, w, h, style="F", round_corners=True, corner_radius=radius)

    def rule(self, x, y, w, color=GREEN, width=0.6) -> None:
        self.set_draw_color(*color)
        self.set_line_width(width)
        self.line(x, y, x + w, y)


class _Koffiekrant:
    """Plans (draw=False) and draws (draw=True) one issue with the same code, so they agree."""

    def __init__(self, pdf: _Paper, content: IssueContent):
        self.pdf = pdf
        self.c = content
        self.layout = Layout()

    # -- page 1: masthead, the students' word, news ---------------------------------------------

    def masthead(self, draw: bool) -> float:
        pdf, c = self.pdf, self.c
        y = M
        band_h = 27.0
        if draw:
            pdf.band(M, y, W, band_h, GREEN)
            pdf.put(M + 6, y + 6.5, W * 0.62, "☕ Koffiekrant", size=32, style="B", color=WHITE, lh=14)
            week = _("Week %(week)s") % {"week": c.week}
            right = W * 0.38 - 6
            pdf.put(M + W - 6 - right, y + 4.5, right, week, size=20, style="B", color=WHITE, align="R")
            dates = week_dates(c.week_start)
            size = 12.0
            while size > 8 and pdf.width_of(dates, size=size) > right:
                size -= 0.5
            pdf.put(M + W - 6 - right, y + 15, right, dates, size=size, color=WHITE, align="R")
        y += band_h + 3.5
        y += pdf.put(M, y, W, c.house.name, size=15, style="B", draw=draw)
        address = f"{c.house.street}, {c.house.postcode} {c.house.city} · {c.house_address}"
        y += pdf.put(M, y, W, address, size=BODY, color=GREY, draw=draw)
        y += 1.5
        tagline = _("For everyone in the neighbourhood. Take one home!")
        y += pdf.put(M, y, W, tagline, size=BODY, style="B", color=GREEN_DARK, draw=draw)
        y += 2.5
        if draw:
            pdf.rule(M, y, W, width=0.8)
        return y + 5 - M

    def word(self, y: float, room: float, draw: bool) -> float:
        """The students' word in a sand box; paragraphs that do not fit in `room` are left out."""
        pdf, c = self.pdf, self.c
        if not draw:
            self.layout.word = c.word_blocks
        blocks = self.layout.word
        if not blocks:
            return 0.0
        pad = 5.0
        inner = W - 2 * pad - 2.5
        x = M + pad + 2.5

        def block_h(kind, text):
            if kind == "h":
                return pdf.put(x, 0, inner, text, size=13, style="B", draw=False) + 1.5
            if kind == "li":
                return pdf.put(x + 5, 0, inner - 5, text, draw=False) + 1.0
            return pdf.put(x, 0, inner, text, draw=False) + 2.5

        def gap(before, kind):
            return 1.5 if before == "li" and kind != "li" else 0.0

        heading = _("A word from the students")
        head_h = pdf.put(x, 0, inner, heading, size=15, style="B", draw=False) + 2
        if not draw:
            used, kept, before = 2 * pad + head_h, [], None
            for kind, text in blocks:
                h = gap(before, kind) + block_h(kind, text)
                if used + h > room:
                    self.layout.word_cut = True
                    break
                kept.append((kind, text))
                used, before = used + h, kind
            self.layout.word = blocks = kept
        kinds = [None] + [k for k, _t in blocks]
        height = 2 * pad + head_h
        height += sum(gap(b, k) + block_h(k, t) for b, (k, t) in zip(kinds, blocks, strict=False))
        if self.layout.word_cut:
            height += pdf.put(x, 0, inner, "…", draw=False)
        if not draw:
            return height
        pdf.band(M, y, W, height, SAND, radius=3)
        pdf.set_fill_color(*GREEN)
        pdf.rect(M, y, 2.5, height, style="F")
        yy = y + pad
        yy += pdf.put(x, yy, inner, heading, size=15, style="B", color=GREEN_DARK) + 2
        for before, (kind, text) in zip(kinds, blocks, strict=False):
            yy += gap(before, kind)
            if kind == "h":
                yy += pdf.put(x, yy, inner, text, size=13, style="B") + 1.5
            elif kind == "li":
                pdf.put(x, yy, 5, "•", style="B", color=GREEN)
                yy += pdf.put(x + 5, yy, inner - 5, text) + 1.0
            else:
                yy += pdf.put(x, yy, inner, text) + 2.5
        if self.layout.word_cut:
            pdf.put(x, yy, inner, "…")
        return height

    def news_height(self, item: NewsItem, photo_h: float, w: float, teaser: str | None = None) -> float:
        pdf = self.pdf
        h = photo_h + 3 if photo_h else 0.0
        h += pdf.put(0, 0, w, item.title, size=14, style="B", draw=False) + 0.5
        h += pdf.put(0, 0, w, self.news_meta(item), size=10, draw=False) + 1
        h += pdf.put(0, 0, w, item.teaser if teaser is None else teaser, draw=False)
        return h

    def shorter_teaser(self, item: NewsItem, room: float) -> str | None:
        """The start of the teaser that fits in `room` with the title, or None below two lines."""
        words = item.teaser.split()
        if self.news_height(item, 0, COL_W, "") + 2 * _lh(BODY) > room or len(words) < 2:
            return None
        best, low, high = None, 1, len(words) - 1
        while low <= high:
            middle = (low + high) // 2
            text = " ".join(words[:middle]).rstrip(",.;:") + " …"
            if self.news_height(item, 0, COL_W, text) <= room:
                best, low = text, middle + 1
            else:
                high = middle - 1
        return best

    @staticmethod
    def photo_heights(item: NewsItem, w: float) -> list[float]:
        """The photo's heights to try, largest first; 0 is without the photo."""
        if not item.has_photo:
            return [0.0]
        full = min(w * item.image.height / item.image.width, IMAGE_MAX_H)
        return [full] + [h for h in (46.0, 36.0) if h < full] + [0.0]

    def news_meta(self, item: NewsItem) -> str:
        day = date_format(item.day, "j F")
        return f"{_('Pinned')} · {day}" if item.pinned else day

    def plan_news(self, top: float, bottom: float) -> None:
        """Try a few photo sizes and keep the page that shows the most. The first photo counts as
        much as a post (a page of grey text reads badly), more photos a little less."""
        best = None
        for cap, photos in NEWS_TRIES:
            placed, cut = self.fit_news(top, bottom, cap, photos)
            shown = sum(1 for p in placed if p.photo_h)
            score = len(placed) + (1 + 0.4 * (shown - 1) if shown else 0)
            if best is None or score > best[0]:
                best = (score, placed, cut)
        _score, placed, cut = best
        # Drawn and shown column by column, top to bottom: the order people read in.
        self.layout.news = sorted(placed, key=lambda p: (p.x, p.y))
        self.layout.news_cut = cut

    def fit_news(self, top: float, bottom: float, cap: float, photos: int) -> tuple[list[Placed], bool]:
        """First fit, column by column, at most `photos` photos at most `cap` high; a post that does
        not fit with its photo goes without; one that does not fit at all is left out."""
        columns = [[M, top], [M + COL_W + GAP, top]]
        space = 7.0  # between two posts in a column, with a thin line
        placed: list[Placed] = []
        cut = False
        for item in self.c.news:
            with_photo = sum(1 for p in placed if p.photo_h)
            heights = [h for h in self.photo_heights(item, COL_W) if h <= cap and with_photo < photos]
            heights = heights or [0.0]
            spot = None
            for photo_h in heights:
                h = self.news_height(item, photo_h, COL_W)
                for col in columns:
                    y = col[1] + (space if col[1] > top else 0)
                    if y + h <= bottom:
                        spot = Placed("news", item, col[0], y, COL_W, h, photo_h=photo_h, text=item.teaser)
                        col[1] = y + h
                        break
                if spot:
                    break
            if spot is None:
                # Too long for any column: its start, in the column with the most room left.
                col = min(columns, key=lambda c: c[1])
                y = col[1] + (space if col[1] > top else 0)
                teaser = self.shorter_teaser(item, bottom - y)
                if teaser is not None:
                    h = self.news_height(item, 0, COL_W, teaser)
                    spot = Placed("news", item, col[0], y, COL_W, h, text=teaser)
                    col[1] = y + h
            if spot:
                placed.append(spot)
            else:
                cut = True
        return placed, cut

    def draw_news(self, p: Placed) -> None:
        pdf, item = self.pdf, p.obj
        y = p.y
        if y > self.news_top + 1:
            pdf.rule(p.x, y - 3.5, p.w, color=SAND_LINE, width=0.4)
        if p.photo_h:
            ratio = item.image.height / item.image.width
            w = p.photo_h / ratio
            data = _photo_bytes(item.image)
            if data is not None:
                pdf.image(io.BytesIO(data), x=p.x + (p.w - w) / 2, y=y, w=w, h=p.photo_h)
            y += p.photo_h + 3
        y += pdf.put(p.x, y, p.w, item.title, size=14, style="B", color=GREEN_DARK) + 0.5
        y += pdf.put(p.x, y, p.w, self.news_meta(item), size=10, color=GREY) + 1
        pdf.put(p.x, y, p.w, p.text)

    def page_one(self, draw: bool) -> None:
        pdf, c = self.pdf, self.c
        y = M + self.masthead(draw)
        note_h = 9.0
        # The students' word comes first (news is on the website too): it may fill the page but
        # for the news heading and a line saying where the news is.
        word_h = self.word(y, BOTTOM - note_h - y - 26, draw)
        if word_h:
            y += word_h + 6
        heading_h = pdf.put(M, y, W, _("News"), size=18, style="B", color=GREEN_DARK, draw=draw)
        y += heading_h + 3
        self.news_top = y
        if not draw:
            self.plan_news(y, BOTTOM - note_h - 2)
        elif not self.layout.news:
            if c.news:
                none = _("Read this week's news at %(address)s") % {"address": c.news_address}
            else:
                none = _("There is no news this week.")
            pdf.put(M, y, W, none, color=GREY)
        for placed in self.layout.news if draw else ():
            self.draw_news(placed)
        if draw:
            if self.layout.news:  # (without any, the line under the heading says where the news is)
                if self.layout.news_cut:
                    note = _("More news at %(address)s") % {"address": c.news_address}
                else:
                    note = _("All news: %(address)s") % {"address": c.news_address}
                pdf.rule(M, BOTTOM - note_h + 1, W, color=SAND_LINE, width=0.4)
                pdf.put(M, BOTTOM - note_h + 2.5, W, note, style="B", color=GREEN_DARK)
            self.foot(1)

    # -- page 2: the programme, opening hours, how to reach the house ---------------------------

    def running_head(self, draw: bool) -> float:
        pdf, c = self.pdf, self.c
        h = 12.0
        if draw:
            pdf.band(M, M, W, h, GREEN)
            week = _("Week %(week)s") % {"week": c.week}
            week_w = pdf.width_of(week, size=13, style="B") + 2
            title = pdf.fit(f"☕ Koffiekrant · {c.house.name}", W - 14 - week_w - 4, size=13, style="B")
            pdf.put(M + 5, M + 3, W - 14 - week_w, title, size=13, style="B", color=WHITE)
            pdf.put(M + W - 5 - week_w, M + 3, week_w, week, size=13, style="B", color=WHITE, align="R")
        return h + 5

    def time_width(self) -> float:
        return self.pdf.width_of("00:00–00:00", size=TIME, style="B") + 2.5

    @staticmethod
    def times(activity) -> str:
        zone = local_zone()
        return f"{activity.start.astimezone(zone):%H:%M}–{activity.end.astimezone(zone):%H:%M}"

    def activity_detail(self, activity) -> str:
        detail = activity.where
        if activity.signup_required:
            detail = f"{detail} · {_('sign up first')}" if detail else _("sign up first")
        return detail

    def detail_inline(self, activity, w: float) -> bool:
        """The place fits after a one-line title: then it goes on the same line (saves room)."""
        pdf = self.pdf
        title = pdf.width_of(activity.title, style="B")
        detail = pdf.width_of(self.activity_detail(activity), size=10.5)
        return title + 3 + detail <= w - self.time_width()

    def activity_height(self, activity, w: float) -> float:
        pdf = self.pdf
        tw = self.time_width()
        h = pdf.put(0, 0, w - tw, activity.title, style="B", draw=False)
        if not self.detail_inline(activity, w):
            h += pdf.put(0, 0, w - tw, self.activity_detail(activity), size=10.5, draw=False)
        return max(h, _lh(BODY)) + 2.5

    def day_title(self, day: dt.date, continued: bool) -> str:
        if continued:
            name = date_format(day, "l")
            return _("%(day)s (continued)") % {"day": name[:1].upper() + name[1:]}
        title = date_format(day, "l j F")
        return title[:1].upper() + title[1:]

    def day_height(self) -> float:
        return _lh(13) + 4.5

    def plan_programme(self, top: float, bottom: float) -> None:
        """Day by day down the left column, then the right one; a day's heading stays with its first
        activity and is repeated when the day goes on in the next column. When not everything fits,
        the foot of the right column says where the rest is."""
        for reserve in (0.0, _lh(BODY) * 2 + 2):
            self.layout.programme, self.layout.programme_cut = [], False
            self.flow_programme(top, [(M, bottom), (M + COL_W + GAP, bottom - reserve)])
            if not self.layout.programme_cut:
                return

    def flow_programme(self, top: float, columns: list[tuple[float, float]]) -> None:
        ci, y = 0, top
        last_day = None
        for activity in self.c.activities:
            day = activity.start.astimezone(local_zone()).date()
            new_day = day != last_day
            while True:
                x, col_bottom = columns[ci]
                at_top = y == top
                heading = new_day or at_top
                h = self.activity_height(activity, COL_W) + (self.day_height() if heading else 0)
                gap = 3.0 if heading and not at_top else 0.0
                if y + gap + h <= col_bottom:
                    break
                if ci + 1 == len(columns):
                    self.layout.programme_cut = True
                    return
                ci, y = ci + 1, top
            y += gap
            if heading:
                self.layout.programme.append(
                    Placed("day", day, x, y, COL_W, self.day_height(), continued=not new_day)
                )
                y += self.day_height()
            ah = self.activity_height(activity, COL_W)
            self.layout.programme.append(Placed("activity", activity, x, y, COL_W, ah))
            y += ah
            last_day = day

    def draw_programme(self) -> None:
        pdf = self.pdf
        tw = self.time_width()
        for p in self.layout.programme:
            if p.kind == "day":
                pdf.band(p.x, p.y, p.w, _lh(13) + 2, SAND, radius=1.5)
                title = pdf.fit(self.day_title(p.obj, p.continued), p.w - 4, size=13, style="B")
                pdf.put(p.x + 2, p.y + 1, p.w - 4, title, size=13, style="B", color=GREEN_DARK)
                continue
            a = p.obj
            pdf.put(p.x, p.y + 0.3, tw, self.times(a), size=TIME, style="B", color=GREEN_DARK, lh=_lh(BODY))
            h = pdf.put(p.x + tw, p.y, p.w - tw, a.title, style="B")
            detail = self.activity_detail(a)
            if self.detail_inline(a, p.w):
                x = p.x + tw + pdf.width_of(a.title, style="B") + 3
                # Same baseline as the title: a smaller font sits a little lower in its line.
                pdf.put(x, p.y + 0.6, p.x + p.w - x, detail, size=10.5, color=GREY, lh=_lh(BODY) - 0.6)
            else:
                pdf.put(p.x + tw, p.y + h, p.w - tw, detail, size=10.5, color=GREY)

    def hours_rows(self) -> list[tuple[str, str, str]]:
        rows = []
        for slot in self.c.opening_hours:
            day = str(slot.get_weekday_display())
            rows.append((day[:1].upper() + day[1:], f"{slot.opens:%H:%M}–{slot.closes:%H:%M}", slot.label))
        return rows

    def hours_block(self, x: float, y: float, w: float, draw: bool) -> float:
        pdf, house = self.pdf, self.c.house
        start = y
        y += pdf.put(x, y, w, _("When is the door open?"), size=15, style="B", color=GREEN_DARK, draw=draw)
        y += 2
        rows = self.hours_rows()
        day_w = max([pdf.width_of(d, style="B") for d, _t, _l in rows] or [0]) + 3
        time_w = pdf.width_of("00:00–00:00") + 3
        for day, times, label in rows:
            pdf.put(x, y, day_w, day, style="B", draw=draw)
            pdf.put(x + day_w, y, time_w, times, draw=draw)
            label = label or _("Drop-in")
            y += max(pdf.put(x + day_w + time_w, y, w - day_w - time_w, label, draw=draw), _lh(BODY)) + 0.8
        if not rows:
            y += pdf.put(x, y, w, _("There are no fixed opening hours right now."), draw=draw)
        if house.opening_note:
            y += 1.5
            note = f"{_('Please note:')} {house.opening_note}"
            y += pdf.put(x, y, w, note, size=11, color=GREY, draw=draw)
        return y - start

    def contact_block(self, x: float, y: float, w: float, draw: bool) -> float:
        pdf, c = self.pdf, self.c
        house, owner = c.house, c.owner
        start = y
        y += pdf.put(x, y, w, _("How to find us"), size=15, style="B", color=GREEN_DARK, draw=draw) + 2
        address = f"{house.name}\n{house.street}, {house.postcode} {house.city}"
        y += pdf.put(x, y, w, address, draw=draw) + 1.5
        y += pdf.put(x, y, w, c.house_address, style="B", color=GREEN_DARK, draw=draw) + 1.5
        if owner is not None and (owner.phone or owner.email):
            ask = _("Questions? %(organisation)s") % {"organisation": owner.name}
            lines = "\n".join(v for v in (ask, owner.phone, owner.email) if v)
            y += pdf.put(x, y, w, lines, size=11, color=GREY, draw=draw) + 1.5
        y += pdf.put(x, y, w, _("Just walk in: the coffee is ready!"), style="B", draw=draw)
        return y - start

    def bottom_box(self, top: float | None, draw: bool) -> float:
        """Opening hours and how to reach the house, side by side in a sand box at the foot."""
        pad = 5.0
        left_w = (W - 2 * pad - GAP) * 0.57
        right_w = W - 2 * pad - GAP - left_w
        y = (top or 0) + pad
        if draw:
            h = self.box_h
            self.pdf.band(M, top, W, h, SAND, radius=3)
        left = self.hours_block(M + pad, y, left_w, draw)
        right = self.contact_block(M + pad + left_w + GAP, y, right_w, draw)
        return max(left, right) + 2 * pad

    def page_two(self, draw: bool) -> None:
        pdf, c = self.pdf, self.c
        y = M + self.running_head(draw)
        y += pdf.put(M, y, W, _("Programme of this week"), size=18, style="B", color=GREEN_DARK, draw=draw)
        intro = _(
            "Everyone is welcome. Where it says “sign up first”, sign up on %(address)s "
            "or at the coffee table."
        ) % {"address": c.programme_address}
        y += pdf.put(M, y, W, intro, size=BODY, draw=draw) + 4
        if not draw:
            self.box_h = self.bottom_box(None, draw=False)
            self.plan_programme(y, BOTTOM - self.box_h - 6)
        else:
            if self.layout.programme:
                self.draw_programme()
            else:
                nothing = _("Nothing is planned this week. Look at %(address)s or just walk in.") % {
                    "address": c.programme_address
                }
                pdf.put(M, y, W, nothing)
            if self.layout.programme_cut:
                x = M + COL_W + GAP
                more = _("More activities at %(address)s") % {"address": c.programme_address}
                more_y = BOTTOM - self.box_h - 6 - _lh(BODY) * 2
                pdf.put(x, more_y, COL_W, more, style="B", color=GREEN_DARK)
            self.bottom_box(BOTTOM - self.box_h, draw=True)
            self.foot(2)

    def foot(self, page: int) -> None:
        pdf, c = self.pdf, self.c
        y = PAGE_H - 12
        left = f"Koffiekrant · {c.house.name} · {week_label(c.week_start)}"
        right = _("Page %(page)s of %(pages)s") % {"page": page, "pages": 2}
        right_w = pdf.width_of(right, size=9) + 1
        pdf.put(M, y, W - right_w - 4, pdf.fit(left, W - right_w - 4, size=9), size=9, color=GREY)
        pdf.put(M + W - right_w, y, right_w, right, size=9, color=GREY, align="R")

    # -- both ------------------------------------------------------------------------------------

    def plan(self) -> Layout:
        if not self.pdf.page:
            self.pdf.add_page()  # measuring needs a page; planning draws nothing on it
        self.page_one(draw=False)
        self.page_two(draw=False)
        return self.layout

    def draw(self) -> None:
        if not self.pdf.page:
            self.pdf.add_page()
        self.page_one(draw=True)
        self.pdf.add_page()
        self.page_two(draw=True)


def _photo_bytes(image: PostImage) -> bytes | None:
    """The print rendition's bytes, read through the storage (our media), never from a URL."""
    file = image.printed
    try:
        with file.storage.open(file.name, "rb") as handle:
            return handle.read()
    except OSError:
        log.warning("koffiekrant: photo %s could not be read; printed without it", file.name)
        return None


def plan_issue(content: IssueContent) -> Layout:
    """What of the content fits on the two pages: the same selection the PDF prints."""
    with translation.override(settings.LANGUAGE_CODE):
        return _Koffiekrant(_Paper(), content).plan()


def render_pdf(content: IssueContent, *, compress: bool = True) -> bytes:
    """The koffiekrant as a two-page A4 PDF, in the language of the house (Dutch)."""
    with translation.override(settings.LANGUAGE_CODE):
        pdf = _Paper()
        pdf.set_compression(compress)
        pdf.set_lang(settings.LANGUAGE_CODE)
        pdf.set_title(f"Koffiekrant {content.house.name} · {week_label(content.week_start)}")
        pdf.set_author(content.house.name)
        pdf.set_subject(_("The newsletter of %(house)s") % {"house": content.house.name})
        pdf.set_keywords(f"koffiekrant {content.house.slug} {content.year}-W{content.week:02d}")
        pdf.set_creator("Wijkhuis")
        writer = _Koffiekrant(pdf, content)
        writer.plan()
        writer.draw()
        return bytes(pdf.output())


# --- changes: the students' word, publishing ---------------------------------------------------


def _check_monday(monday: dt.date) -> None:
    if timeutil.week_start(monday) != monday or not FIRST_YEAR <= monday.year <= LAST_YEAR:
        raise KoffiekrantError(_("A koffiekrant week starts on a Monday."), field="week")


def _locked_issue(house: House, monday: dt.date) -> Issue:
    """The week's issue, made if needed, locked until the transaction ends (two writers queue)."""
    Issue.objects.bulk_create([Issue(house=house, week_start=monday)], ignore_conflicts=True)
    return Issue.objects.select_for_update().get(house=house, week_start=monday)


def _week_code(monday: dt.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _delete_file(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        log.warning("koffiekrant: could not delete file %s", name)


def clean_word(text: str) -> str:
    """The word as stored: Windows line ends made plain, spaces around it removed."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def save_word(*, house: House, week_start: dt.date, by, text: str) -> Issue:
    """Save the students' word of a week's issue. A published issue is locked: take it back first."""
    if not can(by, "koffiekrant.write", house):
        raise NotAllowed(_("You may not write in the koffiekrant of this house."))
    _check_monday(week_start)
    text = clean_word(text)
    if len(text) > WORD_MAX:
        raise KoffiekrantError(
            _("The word may have at most %(max)s characters; now it has %(count)s.")
            % {"max": WORD_MAX, "count": len(text)},
            field="students_word",
        )
    with transaction.atomic():
        issue = _locked_issue(house, week_start)
        if issue.status == Issue.Status.PUBLISHED:
            raise KoffiekrantError(
                _("This koffiekrant is already published. A coordinator can first set it back to a draft.")
            )
        old = issue.students_word
        if old != text:
            issue.students_word = text
            issue.updated_by = by
            issue.save(update_fields=["students_word", "updated_by", "updated_at"])
            record(
                "koffiekrant.word_saved",
                actor=by,
                target=issue,
                house=house,
                changes={"week": _week_code(week_start), "length": [len(old), len(text)]},
            )
    return issue


def publish_issue(*, house: House, week_start: dt.date, by, now: dt.datetime | None = None) -> Issue:
    """Make the PDF and keep it as handed out; publishing again makes it anew (the old file goes)."""
    if not can(by, "koffiekrant.publish", house):
        raise NotAllowed(_("Only coordinators and staff may publish the koffiekrant."))
    _check_monday(week_start)
    written = None
    try:
        with transaction.atomic():
            issue = _locked_issue(house, week_start)
            again = issue.status == Issue.Status.PUBLISHED
            old = (issue.pdf.storage, issue.pdf.name) if issue.pdf.name else None
            content = issue_content(house, week_start, issue=issue, now=now)
            pdf = render_pdf(content)
            issue.pdf.save(pdf_filename(house, week_start), ContentFile(pdf), save=False)
            written = (issue.pdf.storage, issue.pdf.name)
            issue.status = Issue.Status.PUBLISHED
            issue.published_at = now or timezone.now()
            issue.published_by = by
            issue.save()
            record(
                "koffiekrant.republished" if again else "koffiekrant.published",
                actor=by,
                target=issue,
                house=house,
                changes={
                    "week": _week_code(week_start),
                    **({} if again else {"status": [Issue.Status.DRAFT, Issue.Status.PUBLISHED]}),
                    "news": len(content.news),
                    "activities": len(content.activities),
                },
            )
            if old is not None:
                transaction.on_commit(lambda: _delete_file(*old))
    except BaseException:
        if written is not None:
            _delete_file(*written)
        raise
    return issue


def unpublish_issue(*, house: House, week_start: dt.date, by) -> Issue:
    """Take a published issue back: a draft again, its stored PDF deleted once this is committed."""
    if not can(by, "koffiekrant.publish", house):
        raise NotAllowed(_("Only coordinators and staff may publish the koffiekrant."))
    _check_monday(week_start)
    with transaction.atomic():
        issue = Issue.objects.select_for_update().filter(house=house, week_start=week_start).first()
        if issue is None or issue.status != Issue.Status.PUBLISHED:
            raise KoffiekrantError(_("This koffiekrant is not published."))
        old = (issue.pdf.storage, issue.pdf.name) if issue.pdf.name else None
        issue.status = Issue.Status.DRAFT
        issue.pdf = ""
        issue.published_at = None
        issue.published_by = None
        issue.updated_by = by
        issue.save()
        record(
            "koffiekrant.unpublished",
            actor=by,
            target=issue,
            house=house,
            changes={"week": _week_code(week_start), "status": [Issue.Status.PUBLISHED, Issue.Status.DRAFT]},
        )
        if old is not None:
            transaction.on_commit(lambda: _delete_file(*old))
    return issue
