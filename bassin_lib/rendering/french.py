"""French formatting of numbers, dates, quarters and lists, through Babel (``fr_FR``).

Decimal comma, narrow no-break space between thousands, a no-break space before ``%`` and
``€``, and a spaced sign for changes: ``- 4,9 %``, ``+ 6,9 %``, ``12 345``, ``21 740 €``;
« 12 mars 2024 », « 1er avril 2024 »; « a, b et c ». Every text of a report formats its
figures here, and only here.
"""

from __future__ import annotations

import re
from datetime import date

from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal

LOCALE = "fr_FR"
NBSP = "\u00a0"


def format_number(value: float, decimals: int = 0) -> str:
    """French number: ``12 345``, ``4,9`` (``decimals`` digits after the comma)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def format_signed(value: float, decimals: int = 1, unit: str = "%") -> str:
    """Signed French figure with a spaced sign: ``- 4,9 %``, ``+ 6,9 %``, ``0,0 %``."""
    text = format_number(abs(value), decimals)
    zero = format_number(0, decimals)
    sign = "" if text == zero else ("- " if value < 0 else "+ ")
    return (
        f"{sign.replace(' ', NBSP)}{text}{NBSP}{unit}"
        if unit
        else f"{sign.replace(' ', NBSP)}{text}"
    )


def format_percent(value: float, decimals: int = 1) -> str:
    """French percentage of a level: ``13,8 %``."""
    return f"{format_number(value, decimals)}{NBSP}%"


def format_euros(value: float) -> str:
    """Amount in euros, rounded to the euro: ``21 740 €``."""
    return f"{format_number(value, 0)}{NBSP}€"


def format_points(value: float, decimals: int = 1) -> str:
    """Change of a rate in points: ``+ 0,6 point``, ``- 1,2 point``."""
    word = "point" if abs(round(value, decimals)) < 2 else "points"
    return format_signed(value, decimals, unit=word)


def ordinal(n: int) -> str:
    """French ordinal: ``1er``, ``2e``."""
    return "1er" if n == 1 else f"{n}e"


def quarter_label(period) -> str:
    """``4e trimestre 2019`` for Period('2019Q4')."""
    return f"{ordinal(period.quarter)} trimestre {period.year}"


def quarter_short(period) -> str:
    """``T4 2019`` for Period('2019Q4'), as in figure axes and titles."""
    return f"T{period.quarter} {period.year}"


def french_list(items: list[str]) -> str:
    """« a », « a et b », « a, b et c » (Babel's French list pattern)."""
    return format_list(list(items), locale=LOCALE) if items else ""


def french_date(day: date) -> str:
    """« 12 mars 2024 », « 1er avril 2024 »."""
    text = format_date(day, format="long", locale=LOCALE)
    return re.sub(r"^1 ", "1er ", text)


def french_dates(dates: tuple[date, ...]) -> str:
    """Sorted dates in French, days of a month grouped: « 12, 14 et 28 mars 2024 et 4 avril
    2024 »; more than eight dates: « du 12 mars 2024 au 4 avril 2024 (9 journées) »."""
    if len(dates) > 8:
        return f"du {french_date(dates[0])} au {french_date(dates[-1])} ({len(dates)} journées)"
    groups: dict[tuple[int, int], list[date]] = {}
    for day in dates:
        groups.setdefault((day.year, day.month), []).append(day)
    return french_list(
        [
            french_list([ordinal(d.day) if d.day == 1 else str(d.day) for d in days])
            + " "
            + format_date(days[0], format="MMMM y", locale=LOCALE)
            for days in groups.values()
        ]
    )
