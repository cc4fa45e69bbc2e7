"""French formatting of numbers, dates, quarters, months and lists, through Babel (``fr_FR``),
and the names of the départements with the preposition they take (« du Doubs »).

Decimal comma, narrow no-break space between thousands, a no-break space before ``%`` and
``€``, and a spaced sign for changes: ``- 4,9 %``, ``+ 6,9 %``, ``12 345``, ``21 740 €``;
« 12 mars 2024 », « 1er avril 2024 »; « a, b et c ». Every text of a report formats its
figures here, and only here.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal

LOCALE = "fr_FR"
NBSP = "\u00a0"


@lru_cache(maxsize=4096)  # a chart's tick labels repeat from one territory to the next
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


def _quarterly(period) -> bool:
    return period.freqstr.startswith("Q")


def period_at(period) -> str:
    """« au 4e trimestre 2019 » for a quarter, « en 2018 » for a year (a date in a sentence)."""
    return f"au {quarter_label(period)}" if _quarterly(period) else f"en {period.year}"


def period_between(start, end) -> str:
    """« entre le 4e trimestre 2012 et le 4e trimestre 2019 », « entre 1998 et 2018 »."""
    if _quarterly(start):
        return f"entre le {quarter_label(start)} et le {quarter_label(end)}"
    return f"entre {start.year} et {end.year}"


def period_short(period) -> str:
    """``T4 2019`` for a quarter, ``2018`` for a year, as in figure titles."""
    return quarter_short(period) if _quarterly(period) else str(period.year)


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


def month_label(period) -> str:
    """« janvier 2020 » for Period('2020-01', 'M')."""
    return format_date(date(period.year, period.month, 1), format="MMMM y", locale=LOCALE)


# --- Départements: names and the preposition before them ------------------------------------

DEPARTEMENTS: dict[str, tuple[str, int]] = {
    "01": ("Ain", 5),
    "02": ("Aisne", 5),
    "03": ("Allier", 5),
    "04": ("Alpes-de-Haute-Provence", 4),
    "05": ("Hautes-Alpes", 4),
    "06": ("Alpes-Maritimes", 4),
    "07": ("Ardèche", 5),
    "08": ("Ardennes", 4),
    "09": ("Ariège", 5),
    "10": ("Aube", 5),
    "11": ("Aude", 5),
    "12": ("Aveyron", 5),
    "13": ("Bouches-du-Rhône", 4),
    "14": ("Calvados", 2),
    "15": ("Cantal", 2),
    "16": ("Charente", 3),
    "17": ("Charente-Maritime", 3),
    "18": ("Cher", 2),
    "19": ("Corrèze", 3),
    "2A": ("Corse-du-Sud", 3),
    "2B": ("Haute-Corse", 3),
    "21": ("Côte-d'Or", 3),
    "22": ("Côtes-d'Armor", 4),
    "23": ("Creuse", 3),
    "24": ("Dordogne", 3),
    "25": ("Doubs", 2),
    "26": ("Drôme", 3),
    "27": ("Eure", 5),
    "28": ("Eure-et-Loir", 1),
    "29": ("Finistère", 2),
    "30": ("Gard", 2),
    "31": ("Haute-Garonne", 3),
    "32": ("Gers", 2),
    "33": ("Gironde", 3),
    "34": ("Hérault", 5),
    "35": ("Ille-et-Vilaine", 1),
    "36": ("Indre", 5),
    "37": ("Indre-et-Loire", 1),
    "38": ("Isère", 5),
    "39": ("Jura", 2),
    "40": ("Landes", 4),
    "41": ("Loir-et-Cher", 2),
    "42": ("Loire", 3),
    "43": ("Haute-Loire", 3),
    "44": ("Loire-Atlantique", 3),
    "45": ("Loiret", 2),
    "46": ("Lot", 2),
    "47": ("Lot-et-Garonne", 2),
    "48": ("Lozère", 3),
    "49": ("Maine-et-Loire", 0),
    "50": ("Manche", 3),
    "51": ("Marne", 3),
    "52": ("Haute-Marne", 3),
    "53": ("Mayenne", 3),
    "54": ("Meurthe-et-Moselle", 0),
    "55": ("Meuse", 3),
    "56": ("Morbihan", 2),
    "57": ("Moselle", 3),
    "58": ("Nièvre", 3),
    "59": ("Nord", 2),
    "60": ("Oise", 5),
    "61": ("Orne", 5),
    "62": ("Pas-de-Calais", 2),
    "63": ("Puy-de-Dôme", 2),
    "64": ("Pyrénées-Atlantiques", 4),
    "65": ("Hautes-Pyrénées", 4),
    "66": ("Pyrénées-Orientales", 4),
    "67": ("Bas-Rhin", 2),
    "68": ("Haut-Rhin", 2),
    "69": ("Rhône", 2),
    "70": ("Haute-Saône", 3),
    "71": ("Saône-et-Loire", 0),
    "72": ("Sarthe", 3),
    "73": ("Savoie", 3),
    "74": ("Haute-Savoie", 3),
    "75": ("Paris", 0),
    "76": ("Seine-Maritime", 3),
    "77": ("Seine-et-Marne", 0),
    "78": ("Yvelines", 4),
    "79": ("Deux-Sèvres", 4),
    "80": ("Somme", 3),
    "81": ("Tarn", 2),
    "82": ("Tarn-et-Garonne", 2),
    "83": ("Var", 2),
    "84": ("Vaucluse", 2),
    "85": ("Vendée", 3),
    "86": ("Vienne", 3),
    "87": ("Haute-Vienne", 3),
    "88": ("Vosges", 4),
    "89": ("Yonne", 5),
    "90": ("Territoire de Belfort", 2),
    "91": ("Essonne", 5),
    "92": ("Hauts-de-Seine", 4),
    "93": ("Seine-Saint-Denis", 3),
    "94": ("Val-de-Marne", 2),
    "95": ("Val-d'Oise", 2),
    "971": ("Guadeloupe", 3),
    "972": ("Martinique", 3),
    "973": ("Guyane", 3),
    "974": ("La Réunion", 0),
    "976": ("Mayotte", 0),
}
"""The 101 départements: code → (name, type of name). The type is Insee's ``TNCC`` of the Code
officiel géographique, which says which article the name takes, hence the preposition « de »
before it (:data:`OF_ARTICLE`): 0 none, « de » (« de Paris », « de La Réunion »); 1 none,
« d' » (« d'Eure-et-Loir »); 2 « le », « du » (« du Doubs »); 3 « la », « de la » (« de la
Haute-Saône »); 4 « les », « des » (« des Vosges »); 5 « l' », « de l' » (« de l'Ain »)."""

OF_ARTICLE = {0: "de ", 1: "d'", 2: "du ", 3: "de la ", 4: "des ", 5: "de l'"}
"""Preposition « de » with the article of each type of name (Insee ``TNCC``)."""


def departement_name(code: str) -> str:
    """« Haute-Saône » for ``"70"``; an unknown code is returned unchanged."""
    return DEPARTEMENTS[code][0] if code in DEPARTEMENTS else code


def of_departement(code: str) -> str:
    """The département's name after « de »: « du Doubs », « de la Haute-Saône », « de l'Ain »,
    « des Vosges », « d'Eure-et-Loir », « de Paris »."""
    if code not in DEPARTEMENTS:
        return f"de {code}"
    name, kind = DEPARTEMENTS[code]
    return OF_ARTICLE[kind] + name


def departements_names(codes) -> str:
    """« Doubs, Haute-Saône et Territoire de Belfort »: names without article (legends)."""
    return french_list([departement_name(code) for code in codes])


def departements_scale(codes) -> str:
    """« à l'échelle des départements du Doubs, de la Haute-Saône et du Territoire de Belfort »,
    « à l'échelle du département du Doubs » for one."""
    codes = list(codes)
    word = "des départements" if len(codes) > 1 else "du département"
    return f"à l'échelle {word} {french_list([of_departement(code) for code in codes])}"


def of_place(label: str) -> str:
    """« de Belfort », « d'Ajaccio », « du Centre-Atlantique », « de l'Est », « des Sables »."""
    for article, of in (("Le ", "du "), ("Les ", "des "), ("La ", "de la ")):
        if label.startswith(article):
            return of + label[len(article) :]
    if label[:2] in ("L'", "L’"):
        return "de l'" + label[2:]
    return ("d'" if label[:1].upper() in "AEIOUYÂÉÈÊÎÔÛ" else "de ") + label
