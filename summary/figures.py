"""What a figure is, how it reads, and the privacy rule every count of people goes through.

PRIVACY: a count of people from 1 to 4 shows as "< 5" (0 shows as 0), on the page, in the print
view, the PDF, the CSV and the charts. A figure worked out from such a count (an average, a share)
is not shown either, and neither is a difference with the period before when one side is hidden:
nobody can subtract their way to a small number. The same goes for the parts of a sum
(`hide_parts`) and for totals over several houses (`total_cell`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.formats import get_format, number_format
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from summary.selectors import CUR, Store

SMALL = 5  # counts of people below this (and above 0) are not shown


class Unit(enum.StrEnum):
    COUNT = "count"
    HOURS = "hours"
    PERCENT = "percent"
    AVERAGE = "average"


@dataclass(frozen=True)
class Reading:
    """The metrics of one house (or of all houses in `house_ids` together) in one window."""

    store: Store
    house_ids: tuple[int, ...]
    window: str = CUR

    def __call__(self, metric: str) -> float:
        if len(self.house_ids) == 1:
            return self.store.get(self.house_ids[0], metric, self.window)
        return self.store.total(self.house_ids, metric, self.window)

    def at(self, window: str) -> Reading:
        return Reading(self.store, self.house_ids, window)


class HouseReading:
    """A Reading of one house in one window, quicker to make and to read (report._house_cells makes
    one for each of 200 houses x 3 windows): the same values, as Store.get has them."""

    __slots__ = ("_get", "house_id", "store", "window")

    def __init__(self, store: Store, house_id: int, window: str = CUR) -> None:
        self.store, self.house_id, self.window = store, house_id, window
        self._get = store.values.get

    @property
    def house_ids(self) -> tuple[int, ...]:
        return (self.house_id,)

    def __call__(self, metric: str) -> float:
        return self._get((self.house_id, metric, self.window), 0.0)

    def at(self, window: str) -> HouseReading:
        return HouseReading(self.store, self.house_id, window)


@dataclass(frozen=True)
class Figure:
    key: str
    label: Promise | str
    explanation: Promise | str
    value: Callable[[Reading], float | None]
    unit: Unit = Unit.COUNT
    people: bool = False  # counts people: 1 to 4 shows as "< 5"
    # Figures of people this one is worked out from: when one of those is hidden, so is this one.
    from_people: tuple[str, ...] = ()
    listed: bool = True  # False: only in a chart's table and the CSV (e.g. one purpose of bookings)
    # Figures this one is the sum of: when one of those is hidden, the others are too, or the sum
    # minus the shown part would give the hidden number away.
    sum_of: tuple[str, ...] = ()


class Metric:
    """A figure that is one metric as counted (most are): report._cells reads a house's value of it
    straight from the store, without a Reading, as it does for thousands of cells at 200 houses."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, reading: Reading) -> float:
        return reading(self.name)


def metric(name: str) -> Callable[[Reading], float]:
    return Metric(name)


def ratio(part: float, whole: float, scale: float = 100) -> float | None:
    return part / whole * scale if whole else None


# --- cells: a value as people read it ---------------------------------------------------------


class Cell(NamedTuple):
    """A value as people read it. A named tuple, not a dataclass: a summary of 200 houses makes
    thousands of them, and a tuple is made in a third of the time of a frozen dataclass."""

    value: float | None  # the real number: never shown when `hidden`
    fixed: str | None = None  # what people read when it is not simply the number
    hidden: bool = False  # too few people: "< 5", or a figure worked out from such a count
    partial: bool = False  # a total shown as "N or more" (see total_cell)
    unit: Unit = Unit.COUNT

    @property
    def text(self) -> str:
        # Formatted when read: the table of houses holds thousands of cells, few are shown.
        return self.fixed if self.fixed is not None else format_value(self.unit, self.value)

    @property
    def comparable(self) -> bool:
        """May take part in a difference or a share."""
        return self.value is not None and not self.hidden and not self.partial

    @property
    def sort_key(self) -> tuple[int, float]:
        # Hidden counts sort as one group between 0 and 5: sorting must not tell 1 from 4.
        if self.value is None:
            return (0, 0.0)
        if self.hidden:
            return (1, 2.5)
        return (1, float(self.value))


def number(value: float, decimals: int = 0) -> str:
    """A number as Dutch readers expect it: 1.234,5 (the active language decides)."""
    return _number(value, decimals, _separators(get_language()))


def cell_texts(cells: Iterable[Cell]) -> list[str]:
    """[cell.text for cell in cells], the active language looked up once (a table of many)."""
    separators = _separators(get_language())
    texts = []
    for cell in cells:
        if cell.fixed is not None:
            texts.append(cell.fixed)
            continue
        unit, value = cell.unit, cell.value
        text = _number(value, decimals_for(unit, value), separators)
        texts.append(f"{text}%" if unit == Unit.PERCENT else text)  # as format_value has it
    return texts


def _number(value: float, decimals: int, separators: tuple[str, str] | None) -> str:
    if separators is not None and type(value) in (int, float) and 0 <= decimals <= 3:
        if not decimals and type(value) is float and value.is_integer() and -1e15 < value < 1e15:
            return f"{int(value):,}".replace(",", separators[1])  # most counts: a whole float
        text = str(value)
        if "e" not in text and "n" not in text:  # not 1e+16, 5e-05, inf or nan
            return _rounded(text, decimals, *separators)
    step = _STEPS.get(decimals) or Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP)
    if separators is None or not rounded.is_finite():
        return number_format(rounded, decimals, force_grouping=True)
    # What number_format does, without looking up the formats for each of the page's many numbers:
    # a rounded zero has no sign, groups of three digits.
    decimal_sep, thousand_sep = separators
    whole, _dot, fraction = f"{rounded if rounded else abs(rounded):f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.removeprefix('-')):,}".replace(",", thousand_sep)
    fraction = (fraction + "0" * decimals)[:decimals]
    return f"{sign}{whole}{decimal_sep}{fraction}" if decimals else f"{sign}{whole}"


def _rounded(text: str, decimals: int, decimal_sep: str, thousand_sep: str) -> str:
    """What number() makes of Decimal(text) (a plain decimal: digits, maybe a sign and a point),
    worked out on the digits: a page has hundreds of numbers, and a Decimal took three times as long.

    ROUND_HALF_UP on the digits: away from zero when the first digit let go is 5 or more.
    """
    negative = text.startswith("-")
    whole, _dot, fraction = text.removeprefix("-").partition(".")
    fraction = fraction.ljust(decimals + 1, "0")
    rounded = int(whole + fraction[:decimals]) + (fraction[decimals] >= "5")
    sign = "-" if negative and rounded else ""  # a rounded zero has no sign
    if not decimals:
        return f"{sign}{rounded:,}".replace(",", thousand_sep)
    whole_part, fraction_part = divmod(rounded, 10**decimals)
    return f"{sign}{whole_part:,}".replace(",", thousand_sep) + f"{decimal_sep}{fraction_part:0{decimals}d}"


_STEPS = {n: Decimal(1).scaleb(-n) for n in range(4)}
_SEPARATORS: dict[str | None, tuple[str, str] | None] = {}


def _separators(language: str | None) -> tuple[str, str] | None:
    """The language's decimal and thousands separators, when it groups by three (else None: then
    number_format does the work). Looked up once per language (and again when settings change)."""
    if language not in _SEPARATORS:
        grouping = get_format("NUMBER_GROUPING", language, use_l10n=True)
        _SEPARATORS[language] = (
            (
                str(get_format("DECIMAL_SEPARATOR", language, use_l10n=True)),
                str(get_format("THOUSAND_SEPARATOR", language, use_l10n=True)),
            )
            if grouping == 3
            else None
        )
    return _SEPARATORS[language]


@receiver(setting_changed)
def _forget_separators(**kwargs) -> None:
    _SEPARATORS.clear()


def plain_number(value: float, decimals: int = 0) -> str:
    """The same without thousands separators, for the CSV."""
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return number_format(rounded, decimals, force_grouping=False, use_l10n=True)


def decimals_for(unit: Unit, value: float) -> int:
    if unit == Unit.COUNT:
        return 0
    if unit in (Unit.HOURS, Unit.PERCENT):
        shown = round(float(value), 1)  # decide on what is shown: 9,96 is "10", 9,04 is "9"
        return 0 if abs(shown) >= 10 or shown.is_integer() else 1
    return 1


def format_value(unit: Unit, value: float, *, plain: bool = False) -> str:
    text = (plain_number if plain else number)(value, decimals_for(unit, value))
    if unit == Unit.PERCENT and not plain:
        return f"{text}%"
    return text


def is_small(value: float | None) -> bool:
    return value is not None and 0 < round(value) < SMALL


def small_text() -> str:
    return _("< 5")


NO_FIGURE = "–"


def cell(figure: Figure, value: float | None, *, hidden_sources: bool = False) -> Cell:
    """The value of a figure for one house (or for a page showing only one house)."""
    if value is None:
        return Cell(None, NO_FIGURE)
    if figure.people and is_small(value):
        return Cell(value, small_text(), hidden=True)
    if hidden_sources:
        return Cell(value, NO_FIGURE, hidden=True)
    return Cell(value, unit=figure.unit)


def total_cell(
    figure: Figure,
    total: float | None,
    parts: Iterable[Cell],
    *,
    hidden_sources: bool = False,
) -> Cell:
    """A total over several houses, whose own cells are `parts`.

    If some houses show "< 5", the total minus the houses that are shown would give their number
    away when it is 1 to 4. Then the total reads "N or more", N being what the shown houses add up
    to, and takes part in no difference.
    """
    base = cell(figure, total, hidden_sources=hidden_sources)
    if not figure.people or base.hidden or total is None:
        return base
    parts = list(parts)
    if not any(p.hidden for p in parts):
        return base
    shown = sum(p.value for p in parts if p.value is not None and not p.hidden)
    if not is_small(total - shown):
        return base
    return Cell(total, _("%(n)s or more") % {"n": format_value(figure.unit, shown)}, partial=True)


def hide_parts(figure: Figure, cells: dict[str, Cell]) -> None:
    """Suppress the shown parts of a sum when one part is hidden (see Figure.sum_of)."""
    parts = [cells[k] for k in figure.sum_of if k in cells]
    if not any(p.hidden or p.partial for p in parts):
        return
    for key in figure.sum_of:
        part = cells.get(key)
        if part is not None and part.value and not part.hidden:
            cells[key] = Cell(part.value, NO_FIGURE, hidden=True)


def change(figure: Figure, now: Cell, before: Cell) -> str:
    """The difference with the period before in words, or "" when it may not or cannot be shown."""
    if not (now.comparable and before.comparable):
        return ""
    diff = now.value - before.value
    amount = format_value(figure.unit, abs(diff))
    if figure.unit == Unit.PERCENT:
        amount = amount.removesuffix("%")
        if round(diff, 1) == 0:
            return _("the same")
        if diff > 0:
            return _("%(n)s percentage points more") % {"n": amount}
        return _("%(n)s percentage points less") % {"n": amount}
    if amount in ("0", "0,0", "0.0"):
        return _("the same")
    if diff > 0:
        return _("%(n)s more") % {"n": amount}
    return _("%(n)s less") % {"n": amount}
