"""Numbers to French sentences, in the register of the source study.

Figures are formatted by :mod:`bassin_lib.rendering.french` (``- 4,9 %``, ``12 345``). Two
changes are compared on the qualifier scale of ``docs/narrative.md`` (levels 0 to 3 from the
gap in points and the ratio of magnitudes: « comparable », « plus marquée », « nettement plus
intense », « beaucoup plus marquée »), calibrated on the source study's wordings listed there
and checked by ``tests/test_narrative.py``. Levels of a rate are compared in points (« proche
de », « supérieur à », « nettement inférieur à »).

A sentence is withheld when its data are missing, hedged when they are approximate (group of
zones), a lower bound (masked cells) or too small (a base count under the indicator's
``min_count`` in :mod:`bassin_lib.analysis.registry`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import pandas as pd

from bassin_lib.analysis.registry import BY_FUNCTION
from bassin_lib.rendering import french
from bassin_lib.rendering.french import (
    NBSP,
    format_euros,
    format_number,
    format_percent,
    format_points,
    format_signed,
    french_list,
    of_place,
    ordinal,
    period_at,
    period_between,
    quarter_label,
)

NOISE_POINTS = 0.5
QUARTER_NOISE_POINTS = 0.1


@dataclass
class Wording:
    """What the comparative sentences of one section said, and whether they may be said.

    Attributes
    ----------
    qualifiers : dict
        ``{subject: qualifier}`` of each comparison written while the record was open
        (« comparable », « nettement plus intense », « à rebours », « supérieur à »...): kept
        in ``indicators.json`` so that the next edition can name the sentences whose
        qualifier changed.
    withhold : bool
        When true (a declared check of the section failed), comparisons are not qualified:
        the figures are given side by side and the sentence says why.
    """

    qualifiers: dict = field(default_factory=dict)
    withhold: bool = False


_WORDING: ContextVar[Wording | None] = ContextVar("bassin_lib_wording", default=None)


@contextmanager
def wording(record: Wording) -> Iterator[Wording]:
    """Within this block, comparisons note their qualifier in ``record`` and obey its
    ``withhold`` (one record per report section: :func:`bassin_lib.rendering.sections.section`)."""
    token = _WORDING.set(record)
    try:
        yield record
    finally:
        _WORDING.reset(token)


def _note(about: str, qualifier: str) -> None:
    record = _WORDING.get()
    if record is not None:
        record.qualifiers[about] = qualifier


def _withheld_comparison() -> bool:
    record = _WORDING.get()
    return record is not None and record.withhold


WITHHELD_COMPARISON = (
    "comparaison non qualifiée, les données de cette section n'ayant pas passé les contrôles "
    "de cohérence"
)
"""Said in place of a qualifier when a declared check of the section failed."""


def min_count(function: str) -> int:
    """The base count under which a figure of the registry's ``function`` is said fragile."""
    return BY_FUNCTION[function].min_count or 0


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def gap_level(local: float, benchmark: float) -> int:
    """Size of the gap between two changes on the documented scale (0 to 3)."""
    gap = abs(local - benchmark)
    small, large = sorted([abs(local), abs(benchmark)])
    same_sign = local * benchmark > 0
    ratio = large / small if same_sign and small > 0 else math.inf
    if gap < NOISE_POINTS or ratio < 1.1:
        return 0
    level_gap = 1 if gap < 2 else 2 if gap < 20 else 3
    level_ratio = 1 if ratio < 1.5 or gap < 1 else 2
    return max(level_gap, level_ratio)


_STRONGER = {
    "decline": {
        1: "une tendance à la baisse plus marquée que celle observée",
        2: "une tendance à la baisse nettement plus intense que celle observée",
        3: "une tendance à la baisse beaucoup plus marquée que celle observée",
    },
    "rise": {
        1: "une progression plus forte que celle observée",
        2: "une progression nettement plus forte que celle observée",
        3: "une progression beaucoup plus forte que celle observée",
    },
}
_WEAKER = {
    "decline": {
        1: "une baisse moins marquée que celle observée",
        2: "une baisse nettement moins marquée que celle observée",
        3: "une baisse beaucoup moins marquée que celle observée",
    },
    "rise": {
        1: "une progression plus modérée que celle observée",
        2: "une progression plutôt modérée et bien inférieure à celle observée",
        3: "une progression très inférieure à celle observée",
    },
}


def compare_changes(
    local: float,
    benchmark: float,
    where: str = "en moyenne au niveau national",
    *,
    band: float | None = None,
    about: str | None = None,
) -> str:
    """Qualified comparison of two changes with the figures in brackets.

    Parameters
    ----------
    local, benchmark : float
        The two changes, in %.
    where : str
        Names the benchmark (« en moyenne au niveau national »).
    band : float, optional
        The territory's noise band, in points (:func:`bassin_lib.analysis.noise_band`): a gap
        inside it gets no comparative qualifier, whatever the fixed scale says, and the
        sentence says that the evolutions are close, within the territory's usual variations.
    about : str, optional
        The subject under which the qualifier is noted (:class:`Wording`); default ``where``.

    Examples
    --------
    >>> compare_changes(-4.9, -1.7).replace("\\u00a0", " ")
    'une tendance à la baisse nettement plus intense que celle observée en moyenne au niveau national (- 4,9 % contre - 1,7 %)'
    """
    figures = f"({format_signed(local)} contre {format_signed(benchmark)})"
    about = about or where
    if _withheld_comparison():
        return f"{figures[1:-1]} {where} ({WITHHELD_COMPARISON})"
    level = gap_level(local, benchmark)
    if level and band is not None and abs(local - benchmark) < band:
        _note(about, "proche (dans la bande de bruit)")
        return (
            f"une évolution proche de celle observée {where} {figures}, l'écart restant dans "
            f"les variations habituelles du territoire (±{NBSP}{format_number(band, 1)}{NBSP}"
            f"{'point' if round(band, 1) < 2 else 'points'})"
        )
    if level == 0:
        _note(about, "comparable")
        return f"une évolution comparable à celle observée {where} {figures}"
    if local * benchmark <= 0:
        _note(about, "à rebours")
        if local < benchmark:
            return f"une baisse, à rebours de l'évolution observée {where} {figures}"
        return f"une progression, à rebours de l'évolution observée {where} {figures}"
    direction = "decline" if local < 0 else "rise"
    table = _STRONGER if abs(local) > abs(benchmark) else _WEAKER
    words = table[direction][level]
    _note(about, words.removesuffix(" que celle observée").removesuffix(" à celle observée"))
    return f"{words} {where} {figures}"


def compare_levels(local: float, benchmark: float, *, about: str | None = None) -> str:
    """« proche de », « supérieur à », « nettement inférieur à »... for two rates in %.

    When the section's comparisons are withheld (:class:`Wording`), « à rapprocher de »: the
    figures side by side, unqualified. The qualifier is noted under ``about``, when given.
    """
    if _withheld_comparison():
        return "à rapprocher de"
    gap = local - benchmark
    if abs(gap) < NOISE_POINTS:
        word = "proche de"
    else:
        word = "supérieur à" if gap > 0 else "inférieur à"
        word = word if abs(gap) < 2 else f"nettement {word}"
    if about:
        _note(about, word)
    return word


def _about(subject: str, row) -> str:
    """Subject under which a comparison's qualifier is noted: what and over which periods
    (« l'emploi salarié privé, T4 2019 – T4 2020 »)."""
    try:
        return f"{subject}, {row['start']} – {row['end']}"
    except (KeyError, IndexError):
        return subject


def _row(frame, role: str, **match):
    rows = frame[frame["role"] == role]
    for column, value in match.items():
        rows = rows[rows[column] == value]
    return None if rows.empty else rows.iloc[0]


def _hedges(row) -> str:
    notes = []
    if bool(row.get("approximate", False)):
        notes.append("valeur approchée, moyenne des zones pondérée par leur population")
    if bool(row.get("lower_bound", False)):
        notes.append(
            "certaines cellules sont masquées par le secret statistique : le niveau est un minimum"
        )
    return f" ({' ; '.join(notes)})" if notes else ""


def withheld(subject: str) -> str:
    """The sentence said in place of a result whose data are missing."""
    return f"Les données nécessaires pour décrire {subject} ne sont pas disponibles pour ce territoire."


def employment_change(
    frame, subject: str = "l'emploi salarié privé", *, band: float | None = None
) -> str:
    """Sentence for :func:`bassin_lib.analysis.employment_change`; ``band`` is the territory's
    noise band (:func:`compare_changes`).

    « Entre le 4e trimestre 2019 et le 4e trimestre 2020, l'emploi salarié privé de X a reculé
    de 4,9 % (- 4 520 emplois) : une tendance à la baisse nettement plus intense que celle
    observée en moyenne au niveau national (- 4,9 % contre - 1,7 %). »
    """
    own, france = _row(frame, "territory"), _row(frame, "france")
    if (
        own is None
        or france is None
        or _missing(own["change_pct"])
        or _missing(france["change_pct"])
    ):
        return withheld(f"l'évolution de {subject}")
    local, national = float(own["change_pct"]), float(france["change_pct"])
    verb = "a reculé de" if local < 0 else "a progressé de" if local > 0 else "est resté stable,"
    amount = "" if local == 0 else f" {format_number(abs(local), 1)}{NBSP}%"
    jobs = format_signed(own["change"], 0, unit="emplois")
    sentence = (
        f"Entre le {quarter_label(own['start'])} et le {quarter_label(own['end'])}, {subject} "
        f"{of_place(own['label'])} {verb}{amount} ({jobs}){_hedges(own)} : "
        f"{compare_changes(local, national, band=band, about=_about(subject, own))}."
    )
    sentence += _region_change(frame)
    if own["start_value"] < min_count("employment_change"):
        sentence += " Ces évolutions portent sur de petits effectifs et sont à lire avec prudence."
    return sentence


def _region_change(frame) -> str:
    """« Dans la région X, l'évolution est de + 1,2 %. » (empty when the region has none)."""
    region = _row(frame, "region")
    if region is None or _missing(region["change_pct"]):
        return ""
    return (
        f" Dans la région {region['label']}, l'évolution est de "
        f"{format_signed(region['change_pct'])}."
    )


_READINGS = {
    "good_resilience": "une bonne capacité de résilience",
    "weak_resilience": "une faible capacité de résilience",
    "good_rebound": "une bonne capacité de rebond",
    "weak_rebound": "une faible capacité de rebond",
}


def crisis_reading(frame) -> str:
    """Sentence for :func:`bassin_lib.analysis.crisis_reading`.

    Quarters whose gap to France is under 0,1 point are said comparable, never good or weak.
    """
    if frame.empty or frame["local"].isna().any() or frame["national"].isna().any():
        return withheld("la dynamique trimestrielle de l'emploi pendant la crise")
    parts: dict[str, list] = {}
    for row in frame.itertuples():
        key = row.reading
        if abs(row.gap) < QUARTER_NOISE_POINTS:
            key = "comparable_" + row.phase
        parts.setdefault(key, []).append(row.period)
    words = dict(
        _READINGS,
        comparable_shock="une résistance comparable à la moyenne nationale",
        comparable_recovery="une reprise comparable à la moyenne nationale",
    )
    clauses = []
    for key, periods in parts.items():
        years = sorted({p.year for p in periods})
        ordinals = french_list([ordinal(p.quarter) for p in periods])
        noun = "trimestres" if len(periods) > 1 else "trimestre"
        clauses.append(
            f"{words[key]} au{'x' if len(periods) > 1 else ''} {ordinals} {noun} "
            f"{french_list([str(y) for y in years])}"
        )
    return (
        "Lu trimestre par trimestre, au regard de l'évolution nationale, le tissu économique "
        f"local montre {french_list(clauses)}."
    )


def jobseekers_change(frame, bands: dict | None = None) -> str:
    """Sentences for :func:`bassin_lib.analysis.jobseekers_change` (ABC then A); ``bands``:
    the territory's noise band of each category, in points (:func:`compare_changes`)."""
    sentences = []
    for category, name in (
        ("ABC", "demandeurs d'emploi (toutes catégories)"),
        ("A", "demandeurs d'emploi de catégorie A"),
    ):
        own = _row(frame, "territory", category=category)
        france = _row(frame, "france", category=category)
        if (
            own is None
            or france is None
            or _missing(own["change_pct"])
            or _missing(france["change_pct"])
        ):
            sentences.append(withheld(f"l'évolution des {name}"))
            continue
        more = "supplémentaires" if own["change"] >= 0 else "de moins"
        local, national = float(own["change_pct"]), float(france["change_pct"])
        sentences.append(
            f"Entre le {quarter_label(own['start'])} et le {quarter_label(own['end'])}, "
            f"{format_number(abs(own['change']))} {name} {more} ont été recensés{_hedges(own)}, "
            f"soit {compare_changes(local, national, band=(bands or {}).get(category), about=_about(name, own))}."
        )
        if own["start_value"] < min_count("jobseekers_change"):
            sentences[-1] += " Effectifs réduits : évolution à lire avec prudence."
    return " ".join(sentences)


def unemployment_rate(frame) -> str:
    """Sentence for :func:`bassin_lib.analysis.unemployment_rate_change`."""
    own, region, france = (_row(frame, r) for r in ("territory", "region", "france"))
    if own is None or _missing(own["end_value"]):
        return withheld("le taux de chômage")
    sentence = (
        f"Au {quarter_label(own['end'])}, le taux de chômage s'établit à "
        f"{format_percent(own['end_value'])}{_hedges(own)}"
    )
    comparisons = []
    for row, name in ((region, "la moyenne régionale"), (france, "la moyenne nationale")):
        if row is not None and not _missing(row["end_value"]):
            comparisons.append(
                f"{compare_levels(own['end_value'], row['end_value'], about=f'taux de chômage, {name}')} {name} "
                f"({format_percent(row['end_value'])})"
            )
    if comparisons:
        sentence += ", " + french_list(comparisons)
    if not _missing(own["change"]):
        sentence += (
            f" ; il a évolué de {format_points(own['change'])} depuis le "
            f"{quarter_label(own['start'])}"
        )
        if france is not None and not _missing(france["change"]):
            sentence += f" (France : {format_points(france['change'])})"
    return sentence + "."


def poverty(frame) -> str:
    """Sentence for :func:`bassin_lib.analysis.income_poverty_levels`."""
    own = _row(frame, "territory")
    if own is None or _missing(own.get("poverty_rate")):
        return withheld("la pauvreté")
    region, france = _row(frame, "region"), _row(frame, "france")
    sentence = (
        f"En {own['period'].year}, le taux de pauvreté atteint "
        f"{format_percent(own['poverty_rate'])}{_hedges(own)}"
    )
    comparisons = []
    for row, name in ((region, "la moyenne régionale"), (france, "la moyenne nationale")):
        if row is not None and not _missing(row.get("poverty_rate")):
            comparisons.append(
                f"{compare_levels(own['poverty_rate'], row['poverty_rate'], about=f'taux de pauvreté, {name}')} {name} "
                f"({format_percent(row['poverty_rate'])})"
            )
    if comparisons:
        sentence += ", " + french_list(comparisons)
    sentence += "."
    if not _missing(own.get("median_living_standard")):
        sentence += (
            f" Le niveau de vie médian est de {format_euros(own['median_living_standard'])} "
            "par an et par unité de consommation"
        )
        if france is not None and not _missing(france.get("median_living_standard")):
            sentence += f" (France : {format_euros(france['median_living_standard'])})"
        sentence += "."
    return sentence


def _share_range(row, measure: str) -> str:
    """« 45,7 % », or « entre 54,5 % et 57,7 % » when masked numerators leave a range (counted
    from none to the most they can be); a range that rounds to one figure is that figure."""
    low = row[f"share_{measure}"]
    high = row.get(f"share_{measure}_max", low)
    if not row[f"{measure}_lower_bound"] or _missing(high):
        return format_percent(low)
    low_text, high_text = format_percent(low), format_percent(high)
    return low_text if low_text == high_text else f"entre {low_text} et {high_text}"


def recruitment(frame, note: str | None = None) -> str:
    """Sentences for :func:`bassin_lib.analysis.recruitment_summary` (BMO survey).

    What the published cells show, then how much the cells masked for statistical secrecy can
    hide: the number of projects is a minimum (« au moins »), the masked cells add « au plus »
    so many projects (a share of the territory's total, and of France's) when the table bounds
    them, and the shares are ranges (« entre … et … ») when masked numerators are counted from
    none to the most they can be. Without a bound, the sentence counts the masked cells.

    Examples
    --------
    « Selon l'enquête Besoins en main-d'œuvre 2024, les employeurs de Nord Franche-Comté
    (Belfort + Montbéliard) prévoient au moins 9 235 projets de recrutement, total des cellules
    publiées ; les cellules masquées par le secret statistique en ajoutent au plus 253, soit au
    plus 2,7 % des projets du territoire (France : 2,0 %). Parmi les projets publiés, entre
    54,5 % et 57,7 % sont jugés difficiles (France : entre 56,3 % et 58,4 %) … »
    """
    own, france = _row(frame, "territory"), _row(frame, "france")
    if own is None or _missing(own["projects"]):
        return withheld("les projets de recrutement")
    hidden = own.get("projects_masked_max", float("nan") if own["lower_bound"] else 0.0)
    bounded = own["lower_bound"] and not _missing(hidden)
    at_least = "au moins " if own["lower_bound"] else ""
    sentence = (
        f"Selon l'enquête Besoins en main-d'œuvre {own['period'].year}, les employeurs "
        f"{of_place(str(own['label']))} prévoient {at_least}"
        f"{format_number(own['projects'])} projets de recrutement"
    )
    if bounded:
        sentence += (
            ", total des cellules publiées ; les cellules masquées par le secret statistique en "
            f"ajoutent au plus {format_number(hidden)}, soit au plus "
            f"{format_percent(own['masked_share_max'])} des projets du territoire"
        )
        if france is not None and not _missing(france.get("masked_share_max")):
            sentence += f" (France : {format_percent(france['masked_share_max'])})"
    sentence += "."
    shares, ranges = [], False
    for measure, words in (
        ("difficult", "sont jugés difficiles"),
        ("seasonal", "sont saisonniers"),
    ):
        value = own[f"share_{measure}"]
        if _missing(value):
            continue
        text = f"{_share_range(own, measure)} {words}"
        if france is not None and not _missing(france[f"share_{measure}"]):
            text += f" (France : {_share_range(france, measure)})"
        ranges = ranges or "entre " in text
        shares.append(text)
    if shares:
        among = "les projets publiés" if own["lower_bound"] else "ces projets"
        sentence += f" Parmi {among}, {french_list(shares)}."
        if ranges:
            sentence += (
                " Les fourchettes comptent pour zéro, puis pour leur maximum possible, les "
                "projets difficiles ou saisonniers des cellules masquées."
            )
    if own["lower_bound"] and not bounded:
        sentence += (
            f" {own['n_masked']} des {own['n_cells']} croisements zone × métier sont masqués par "
            "le secret statistique : le total est un minimum."
        )
    if note:
        sentence += f" {note}"
    return sentence


def not_published_on_map(
    subject: str,
    places: list[str],
    period=None,
    *,
    whole: bool = True,
    n_zones: int = 1,
    nowhere: bool = False,
) -> str:
    """Sentence under a map whose territory, or some of its zones, have no published value.

    Parameters
    ----------
    subject : str
        What is not published (« le taux de chômage localisé »).
    places : list of str
        The territory's label (``whole``), or the labels of its zones without a value.
    period : Period, optional
        The period of the map.
    whole : bool, default True
        No zone of the territory has a value.
    n_zones : int, default 1
        With ``whole``, the number of zones of the territory.
    nowhere : bool, default False
        No zone of the map has one either.

    Examples
    --------
    >>> import pandas as pd
    >>> not_published_on_map("le taux de chômage localisé", ["Mayotte"], pd.Period("2023Q3"))
    "Le taux de chômage localisé n'est pas publié pour Mayotte au 3e trimestre 2023 : la zone apparaît en grisé sur la carte."
    """
    where = french_list(places)
    if not whole:
        where = f"{'les zones' if len(places) > 1 else 'la zone'} d'emploi {where}"
    when = f" {french.period_at(period)}" if period is not None else ""
    if nowhere:
        text = (
            f"{subject} n'est publié ni pour {where} ni pour les zones d'emploi voisines{when} : "
            "la carte les montre en grisé."
        )
    else:
        several = n_zones > 1 if whole else len(places) > 1
        grey = "les zones apparaissent" if several else "la zone apparaît"
        text = f"{subject} n'est pas publié pour {where}{when} : {grey} en grisé sur la carte."
    return text[0].upper() + text[1:]


def specialisation(
    frame,
    territory_code: str,
    sector_labels: dict,
    n: int = 3,
    threshold: float = 1.2,
    *,
    subject: str = "l'emploi salarié privé",
) -> str:
    """Sentence naming the sectors most over-represented against France.

    Uses :func:`bassin_lib.analysis.location_quotients` rows of the territory; a sector is
    named when its index of specificity is at least ``threshold`` (1,2 by default: 20 % above
    the national share), at most ``n`` of them, largest first. The date is a quarter or a
    year, as the frame's period; ``subject`` names what is counted.
    """
    own = frame[(frame["code"] == territory_code) & frame["lq"].notna()]
    if own.empty:
        return withheld("la structure sectorielle de l'emploi")
    period = own["period"].iloc[0]
    top = own[own["lq"] >= threshold].sort_values("lq", ascending=False).head(n)
    when = period_at(period)
    if top.empty:
        return (
            f"{when[0].upper()}{when[1:]}, aucun secteur n'est nettement surreprésenté par "
            f"rapport à la France : la structure sectorielle de {subject} est "
            "proche de la structure nationale."
        )
    items = [
        f"{sector_labels.get(row.sector, row.sector).lower()} (indice de spécificité "
        f"{format_number(row.lq, 1)}, {format_percent(100 * row.share)} des emplois contre "
        f"{format_percent(100 * row.reference_share)} en France)"
        for row in top.itertuples()
    ]
    return (
        f"{when[0].upper()}{when[1:]}, les secteurs les plus surreprésentés par rapport à la "
        f"France sont : {french_list(items)}."
    )


def shift_share(frame, territory_code: str, *, subject: str = "l'emploi salarié privé") -> str:
    """Sentence for :func:`bassin_lib.analysis.shift_share` (components sum to the change);
    quarters or years as the frame's, ``subject`` naming what is counted."""
    rows = frame[frame["code"] == territory_code]
    if rows.empty or rows[["change", "national", "sector_mix", "local"]].isna().any(axis=None):
        return withheld("la décomposition de l'évolution de l'emploi")
    row = rows.iloc[0]
    caveat = (
        "" if bool(row["complete"]) else (" (certains secteurs, masqués, sont laissés de côté)")
    )
    between = period_between(row["start"], row["end"])
    return (
        f"{between[0].upper()}{between[1:]}, {subject} "
        f"a évolué de {format_signed(row['change'], 0, unit='emplois')}{caveat}. "
        "Au rythme national, il aurait évolué de "
        f"{format_signed(row['national'], 0, unit='emplois')} (effet national) ; la composition "
        f"sectorielle du territoire compte pour {format_signed(row['sector_mix'], 0, unit='emplois')} "
        "(effet de structure) et ses dynamiques propres pour "
        f"{format_signed(row['local'], 0, unit='emplois')} (effet local)."
    )


def annual_employment(total, salaried=None, non_salaried=None) -> str:
    """Sentences for :func:`bassin_lib.analysis.annual_employment_change` (INSEE Estel).

    ``total`` is the change of total employment (salaried and non-salaried); ``salaried`` and
    ``non_salaried``, when given, the changes of each over the same years, said after it.

    « Entre 1998 et 2018, le territoire a perdu 3 546 emplois, salariés et non salariés
    confondus : une tendance à la baisse […] (- 5,1 % contre + 15,6 %). »
    """
    own, france = _row(total, "territory"), _row(total, "france")
    if (
        own is None
        or france is None
        or _missing(own["change_pct"])
        or _missing(france["change_pct"])
    ):
        return withheld("l'évolution de l'emploi total")
    between = period_between(own["start"], own["end"])
    change = float(own["change"])
    did = (
        f"a gagné {format_number(change)} emplois"
        if change > 0
        else f"a perdu {format_number(-change)} emplois"
        if change < 0
        else "a conservé le même nombre d'emplois"
    )
    france_label = str(france["label"])
    where = "en moyenne au niveau national" if france_label == "France" else f"en {france_label}"
    sentence = (
        f"{between[0].upper()}{between[1:]}, le territoire {did}{_hedges(own)}, salariés et "
        f"non salariés confondus : "
        f"{compare_changes(float(own['change_pct']), float(france['change_pct']), where, about=_about('emploi total', own))}."
    )
    sentence += _region_change(total)
    parts = []
    for frame, name in (
        (salaried, "l'emploi salarié (public et privé)"),
        (non_salaried, "l'emploi non salarié"),
    ):
        part = None if frame is None else _row(frame, "territory")
        if part is None or _missing(part["change_pct"]):
            continue
        reference = _row(frame, "france")
        versus = (
            ""
            if reference is None or _missing(reference["change_pct"])
            else f" ({reference['label']} : {format_signed(reference['change_pct'])})"
        )
        parts.append(f"{name} de {format_signed(part['change_pct'])}{versus}")
    if parts:
        joined = french_list(parts).replace(" de ", " y a évolué de ", 1)
        sentence += f" Sur la même période, {joined}."
    if own["start_value"] < min_count("annual_employment_change"):
        sentence += " Ces évolutions portent sur de petits effectifs et sont à lire avec prudence."
    return sentence


def specialisation_indices(frame, territory_code: str, *, subject: str) -> str:
    """Sentence for :func:`bassin_lib.analysis.specialisation_indices` (one period): Krugman,
    Hoover and Herfindahl of the territory, Herfindahl of France."""
    own = frame[(frame["code"] == territory_code) & frame["krugman"].notna()]
    if own.empty:
        return withheld("la spécialisation sectorielle de l'emploi")
    row = own.iloc[0]
    france = frame[(frame["level"] == "france") & (frame["period"] == row["period"])]
    when = period_at(row["period"])
    caveat = "" if bool(row["complete"]) else " (calculé sur les seuls secteurs connus)"
    sentence = (
        f"{when[0].upper()}{when[1:]}, l'indice de Krugman, qui mesure l'écart entre la "
        f"structure sectorielle de {subject} du territoire et celle de la France (0 pour une "
        f"structure identique, 2 au plus), vaut {format_number(row['krugman'], 2)}{caveat} : "
        f"{format_percent(100 * row['hoover'])} des emplois devraient changer de secteur pour "
        "que le territoire ait la structure nationale (indice de Hoover). L'indice de "
        "Herfindahl, qui mesure la concentration de l'emploi dans quelques secteurs, est de "
        f"{format_number(row['herfindahl'], 2)}"
    )
    if len(france) and not _missing(france["herfindahl"].iloc[0]):
        sentence += f", contre {format_number(france['herfindahl'].iloc[0], 2)} en France"
    return sentence + "."


SPHERE_NAMES = {"presentielle": "présentielle", "productive": "productive"}


def spheres(frame, territory_code: str, *, subject: str, level: str) -> str:
    """Sentence for :func:`bassin_lib.analysis.sphere_shares` (one period): the présentielle
    sphere's share of the territory's jobs against France, and the approximation it rests on
    (``level``: the sector level mapped to spheres, « secteurs A17 (…) »)."""
    own = frame[(frame["code"] == territory_code) & frame["share"].notna()]
    own = own.set_index("sphere")
    if "presentielle" not in own.index or "productive" not in own.index:
        return withheld("la répartition de l'emploi entre sphères présentielle et productive")
    france = frame[(frame["level"] == "france") & frame["share"].notna()].set_index("sphere")
    present = own.loc["presentielle"]
    when = period_at(present["period"])
    versus = (
        f", contre {format_percent(100 * france.loc['presentielle', 'share'])} en France"
        if "presentielle" in france.index
        else ""
    )
    caveat = (
        "" if bool(present["complete"]) else " (certains secteurs, masqués, sont laissés de côté)"
    )
    return (
        f"{when[0].upper()}{when[1:]}, la sphère présentielle (activités tournées vers les "
        "besoins des personnes présentes sur le territoire, résidents et touristes) regroupe "
        f"{format_percent(100 * present['share'])} de {subject} du territoire{versus}{caveat} ; "
        f"la sphère productive, {format_percent(100 * own.loc['productive', 'share'])}. Le "
        f"rattachement des {level} à une sphère est une approximation : chaque secteur va à la "
        "sphère de la plupart de ses emplois."
    )


def spheres_unavailable(level: str) -> str:
    """The sentence said when the sector level cannot be split into spheres (A5)."""
    return (
        "La répartition de l'emploi entre sphère présentielle et sphère productive ne peut pas "
        f"être établie à partir des {level} : le tertiaire marchand réunit des activités des "
        "deux sphères (commerce de détail et services aux particuliers d'un côté, commerce de "
        "gros, transport de marchandises et services aux entreprises de l'autre). Elle n'est "
        "donc pas donnée ici."
    )


def development_model(model_row, shares, labels: dict | None = None) -> str:
    """Sentence for :func:`bassin_lib.analysis.development_model` (one territory's row) with
    the shares of :func:`bassin_lib.analysis.income_base_shares` of the territory."""
    if model_row is None or not isinstance(model_row.get("label"), str):
        return withheld("le modèle de développement")
    if labels is None:
        from bassin_lib.analysis.development_model import COMPONENT_LABELS as labels
    levers = [c.strip() for c in str(model_row.get("levers") or "").split(",") if c.strip()]
    own = shares.set_index("component")["share_pct"]
    if not levers:
        return (
            f"Aucune base de revenus ne se détache de la moyenne des zones d'emploi en "
            f"{model_row['period'].year} : le modèle de développement est « diversifié »."
        )
    items = [
        f"{labels.get(c, c).lower()} ({format_percent(own[c])} des revenus captés)"
        for c in levers
        if c in own.index
    ]
    since = model_row.get("since")
    rule = "supérieures d'au moins un point à la moyenne des zones d'emploi" + (
        f", ou en hausse depuis {since.year}" if isinstance(since, pd.Period) else ""
    )
    return (
        f"En {model_row['period'].year}, le modèle de développement du territoire est de type "
        f"« {model_row['label']} » : les bases de revenus qui le caractérisent ({rule}) "
        f"sont {french_list(items)}."
    )


def labour_force(frame, territory_code: str) -> str:
    """Sentence for :func:`bassin_lib.analysis.labour_force_identity` (ΔU = ΔL − ΔE)."""
    rows = frame[frame["code"] == territory_code]
    needed = ["change_unemployed", "labour_force_part", "employment_part"]
    if rows.empty or rows[[c for c in needed if c in rows]].isna().any(axis=None):
        return withheld("la décomposition de l'évolution du chômage")
    row = rows.iloc[0]
    return (
        f"Entre le {quarter_label(row['start'])} et le {quarter_label(row['end'])}, le nombre de "
        f"chômeurs implicite (déduit du taux de chômage et de l'emploi salarié privé) a évolué de "
        f"{format_signed(row['change_unemployed'], 0, unit='personnes')} : la population active "
        f"y contribue pour {format_signed(row['labour_force_part'], 0, unit='')} et l'emploi pour "
        f"{format_signed(row['employment_part'], 0, unit='')}. L'emploi salarié privé ne couvre "
        "pas tout l'emploi : ces ordres de grandeur sont approchés."
    )


def similar_zones(
    frame, zone_labels: dict, sector_labels: dict, *, subject: str = "l'emploi salarié privé"
) -> str:
    """Sentence for :func:`bassin_lib.analysis.similar_zones`: the nearest zones and, for the
    nearest, the features on which it is closest (``subject``: what the shares count)."""
    if frame is None or len(frame) == 0:
        return withheld("les zones comparables")
    names = [f"{zone_labels.get(code, code)} ({code})" for code in frame["code"]]

    def feature(name: str) -> str:
        sector = name.removeprefix("share_")
        return f"la part de « {sector_labels.get(sector, sector).lower()} »"

    first = frame.iloc[0]
    closest = [feature(f.strip()) for f in str(first["top_features"]).split(",") if f.strip()]
    sentence = (
        f"Les zones d'emploi dont la structure sectorielle de {subject} est "
        f"la plus proche sont : {french_list(names)}."
    )
    if closest:
        sentence += f" La plus proche, {names[0]}, l'est surtout par {french_list(closest)}."
    return sentence


def population(growth, density, territory_code: str) -> str:  # density may be None
    """Sentence on population change (:func:`bassin_lib.analysis.population_growth`) and
    density (:func:`bassin_lib.analysis.population_density`) of one territory."""
    own = growth[growth["code"] == territory_code]
    if own.empty or own[["start_value", "end_value"]].isna().any(axis=None):
        return withheld("l'évolution de la population")
    row = own.iloc[0]
    sentence = (
        f"Le territoire compte {format_number(row['end_value'])} habitants en {row['end'].year}, "
        f"soit {format_signed(row['change_pct'])} depuis {row['start'].year} "
        f"({format_signed(row['annual_change_pct'], 2)} par an en moyenne)"
    )
    france = growth[growth["level"] == "france"]
    if len(france) and not _missing(france["annual_change_pct"].iloc[0]):
        sentence += (
            f", contre {format_signed(france['annual_change_pct'].iloc[0], 2)} par an en France"
        )
    sentence += "."
    dens = (
        None
        if density is None
        else density[(density["code"] == territory_code) & density["density"].notna()]
    )
    if dens is not None and len(dens):
        last = dens.sort_values("period").iloc[-1]
        sentence += (
            f" Sa densité est de {format_number(last['density'])} habitants par km² "
            f"en {last['period'].year}."
        )
    return sentence


def jobseeker_shares(shares, territory_code: str) -> str:
    """Sentence on the share of job seekers in reduced activity (categories B and C)."""
    own = shares[(shares["code"] == territory_code) & shares["share_BC"].notna()]
    if own.empty:
        return withheld("la composition des demandeurs d'emploi")
    last = own.sort_values("period").iloc[-1]
    france = shares[(shares["level"] == "france") & (shares["period"] == last["period"])]
    sentence = (
        f"Au {quarter_label(last['period'])}, les demandeurs d'emploi en activité réduite "
        f"(catégories B et C) représentent {format_percent(100 * last['share_BC'])} des inscrits "
        "en catégories A, B, C"
    )
    if len(france) and not _missing(france["share_BC"].iloc[0]):
        sentence += f" (France : {format_percent(100 * france['share_BC'].iloc[0])})"
    return sentence + "."


# --- Job seekers by département and commune (France Travail STMT, monthly) -------------------

STMT_CATEGORY_NOTE = "Catégories non précisées par la source (vraisemblablement A, B et C)"
"""What the report says of the category of the STMT counts: the file does not state it."""


def _month_change(own, benchmark, where: str) -> str:
    """« 660 de plus qu'en décembre 2023 : une évolution comparable à celle observée … »."""
    count = format_number(abs(own["change"]))
    more = "de plus" if own["change"] >= 0 else "de moins"
    text = f"{count} {more} qu'en {french.month_label(own['start'])}"
    if benchmark is None or _missing(benchmark["change_pct"]):
        return f"{text} ({format_signed(own['change_pct'])})"
    about = _about(f"demandeurs d'emploi {where}", own)
    return f"{text} : {compare_changes(own['change_pct'], benchmark['change_pct'], where, about=about)}"


def jobseekers_departements(recent, crisis, departements, territory_kind: str) -> str:
    """Sentences for :func:`bassin_lib.analysis.jobseekers_departements_change`: the level and
    change of the départements covered, against the region (and France when computable).

    Parameters
    ----------
    recent : DataFrame
        The change over the last months (default window of the indicator).
    crisis : DataFrame or None
        The change over the crisis window (months), or None when the data do not cover it.
    departements : sequence of str
        Codes of the départements summed (``territory.departements``).
    territory_kind : {"zone", "group"}
    """
    own = _row(recent, "departements")
    scale = french.departements_scale(departements)
    if own is None or _missing(own["end_value"]):
        return withheld(f"les demandeurs d'emploi {scale}")
    region, france = _row(recent, "region"), _row(recent, "france")
    where_region = f"dans la région {region['label']}" if region is not None else "dans la région"
    if region is not None and _missing(region["change_pct"]):
        region = None
    if france is not None and _missing(france["change_pct"]):
        france = None
    whose = (
        "que recoupe la zone d'emploi"
        if territory_kind == "zone"
        else "que recoupent les zones d'emploi du territoire"
    )
    sentences = [
        f"{scale[:1].upper()}{scale[1:]}, {whose}, France Travail recense "
        f"{format_number(own['end_value'])} demandeurs d'emploi inscrits en "
        f"{french.month_label(own['end'])}"
        + (
            f", soit {_month_change(own, region, where_region)}."
            if not _missing(own["change"])
            else "."
        )
    ]
    if france is not None:
        sentences.append(
            f"En France, l'évolution est de {format_signed(france['change_pct'])} sur la même "
            "période."
        )
    if crisis is not None:
        own_crisis = _row(crisis, "departements")
        region_crisis = _row(crisis, "region")
        if own_crisis is not None and not _missing(own_crisis["change"]):
            if region_crisis is not None and _missing(region_crisis["change_pct"]):
                region_crisis = None
            sentences.append(
                f"Sur la fenêtre de crise, de {french.month_label(own_crisis['start'])} à "
                f"{french.month_label(own_crisis['end'])}, leur nombre a évolué de "
                f"{format_signed(own_crisis['change_pct'])}"
                + (
                    f" (région : {format_signed(region_crisis['change_pct'])})."
                    if region_crisis is not None
                    else "."
                )
            )
    sentences.append(
        "Ces chiffres portent sur les départements entiers, au-delà du territoire : la source "
        "ne publie pas de chiffres par zone d'emploi."
    )
    sentences.append(f"{STMT_CATEGORY_NOTE} ; effectifs arrondis à la dizaine par la source.")
    france_row = _row(recent, "france")
    if france is None and france_row is not None and france_row["missing"]:
        absent = [c.strip() for c in str(france_row["missing"]).split(",")]
        sentences.append(
            "La comparaison avec la France n'est pas possible : le fichier ne couvre pas tous "
            f"les départements (absents : {french_list([french.departement_name(c) for c in absent])})."
        )
    return " ".join(sentences)


COMMUNES_LISTED = 6
"""Communes named in the sentence on the territory's large communes; the others are counted."""


def jobseekers_communes(frame, territory_kind: str) -> str:
    """Sentence for :func:`bassin_lib.analysis.jobseekers_communes_change`: the territory's
    communes of more than 5,000 inhabitants, their count and change (empty when none)."""
    if frame is None or frame.empty:
        return ""
    known = frame[frame["end_value"].notna()]
    unknown = frame[frame["end_value"].isna()]
    where = "de la zone d'emploi" if territory_kind == "zone" else "du territoire"
    items = []
    for i, row in enumerate(known.head(COMMUNES_LISTED).itertuples(index=False)):
        change = (
            ""
            if _missing(row.change_pct)
            else f", {format_signed(row.change_pct)}"
            + (f" depuis {french.month_label(row.start)}" if i == 0 else "")
        )
        count = format_number(row.end_value) + (
            f" demandeurs d'emploi en {french.month_label(row.end)}" if i == 0 else ""
        )
        items.append(f"{row.label} ({count}{change})")
    others = len(known) - len(items)
    if others:
        items.append(
            f"{others} autre{'s' if others > 1 else ''} commune{'s' if others > 1 else ''}"
        )
    sentence = ""
    if items:
        sentence = (
            f"Parmi les communes de plus de 5{NBSP}000 habitants {where}, France Travail publie "
            f"{french_list(items)}."
        )
        small = known["start_value"] < min_count("jobseekers_communes_change")
        if small.any():
            sentence += (
                " Effectifs réduits pour certaines communes : évolutions à lire avec prudence."
            )
    if len(unknown):
        names = french_list(list(unknown["label"]))
        sentence += (
            f" Les chiffres {'de' if len(unknown) == 1 else 'des communes'} {names} sont "
            "ambigus dans la source (deux valeurs pour un même mois) et ne sont pas repris."
        )
    return sentence.strip()


# --- Living standards and income composition (Filosofi) ---------------------------------------

EURO_NOISE_PCT = 0.5
"""Gap, in % of the benchmark, under which two amounts in euros are said « proches »."""
EURO_CLEAR_PCT = 5.0
"""Gap, in % of the benchmark, from which an amount is « nettement » above or below."""


def compare_euro_levels(local: float, benchmark: float) -> str:
    """« proche de », « supérieur à », « nettement inférieur à »... for two amounts in euros.

    The variant of :func:`compare_levels` for living standards (medians, deciles): the gap is
    measured in % of the benchmark, not in points. Under :data:`EURO_NOISE_PCT` (0,5 %)
    « proche de »; under :data:`EURO_CLEAR_PCT` (5 %) « supérieur à » / « inférieur à »; else
    « nettement supérieur à » / « nettement inférieur à ».

    Examples
    --------
    >>> compare_euro_levels(21740, 21640), compare_euro_levels(37150, 39600)
    ('proche de', 'nettement inférieur à')
    """
    gap = 100 * (local - benchmark) / benchmark
    if abs(gap) < EURO_NOISE_PCT:
        return "proche de"
    word = "supérieur à" if gap > 0 else "inférieur à"
    return word if abs(gap) < EURO_CLEAR_PCT else f"nettement {word}"


def _euro_verdict(local: float, benchmark) -> int:
    """-1 below, 0 close, +1 above, on the scale of :func:`compare_euro_levels`."""
    if benchmark is None or _missing(benchmark):
        return 0
    word = compare_euro_levels(local, float(benchmark))
    return 0 if word == "proche de" else (1 if "supérieur" in word else -1)


def rounded_share(value: float, step: float = 5.0, within: float = 1.0) -> str:
    """A share said in round figures when it is close to one, in the source study's register.

    « presque 30 % » for 29,2 (at most ``within`` points under a multiple of ``step``),
    « un peu plus de 30 % » for 30,6, « 30 % » for 30,0; otherwise the figure (« 27,4 % »).
    """
    nearest = step * round(value / step)
    gap = round(value - nearest, 1)
    rounded = format_percent(nearest, 0)
    if gap == 0:
        return rounded
    if -within <= gap < 0:
        return f"presque {rounded}"
    if 0 < gap <= within:
        return f"un peu plus de {rounded}"
    return format_percent(value)


_LIVING_STANDARDS = (
    (
        "median_living_standard",
        "Le niveau de vie médian est de {} par an et par unité de consommation",
    ),
    ("d1", "Le 1er décile, sous lequel vivent les 10 % les plus pauvres, est de {}"),
    ("d9", "Le 9e décile, au-dessus duquel vivent les 10 % les plus aisés, est de {}"),
)
_TAILS = {"d1": "les 10 % les plus pauvres", "d9": "les 10 % les plus aisés"}
_DECILES = {"d1": "1er décile", "d9": "9e décile"}
_VERDICT_WORDS = {-1: "inférieur à", 0: "proche de", 1: "supérieur à"}


def living_standards(frame) -> str:
    """Sentences for :func:`bassin_lib.analysis.income_poverty_levels`: the poverty rate
    (:func:`poverty`), then the median, D1 and D9 each compared with the region and France
    (:func:`compare_euro_levels`), and the reading of the source study when it holds.

    The reading « les niveaux de vie sont inférieurs à ceux de la région et de la France,
    excepté pour les 10 % les plus pauvres » is said when the median is below both benchmarks
    (beyond 0,5 %): the deciles that are not below both are named as the exceptions (and
    symmetrically for « supérieurs »). A group's median and deciles are approximate (they
    cannot be rebuilt from its zones'), and said so; its poverty rate, rebuilt exactly from the
    persons of its zones when the data allow, is said exact.
    """
    own = _row(frame, "territory")
    rate = frame.drop(columns=["median_living_standard"], errors="ignore")
    if "poverty_rate_approximate" in frame:
        rate = rate.assign(approximate=frame["poverty_rate_approximate"])
    text = poverty(rate)
    if own is None or _missing(own.get("poverty_rate")):
        return text
    region, france = _row(frame, "region"), _row(frame, "france")
    verdicts: dict[str, tuple[int, int]] = {}
    for column, intro in _LIVING_STANDARDS:
        if _missing(own.get(column)):
            continue
        value = float(own[column])
        sentence = intro.format(format_euros(value))
        compared = [
            (compare_euro_levels(value, float(row[column])), name, format_euros(row[column]))
            for row, name in ((region, "la région"), (france, f"la {france_name(france)}"))
            if row is not None and not _missing(row.get(column))
        ]
        if len(compared) == 2 and compared[0][0] == compared[1][0]:
            (word, first, one), (_, second, two) = compared
            sentence += f" : {word} ceux de {first} ({one}) et de {second} ({two})"
        elif compared:
            sentence += " : " + french_list(
                [f"{word} celui de {name} ({amount})" for word, name, amount in compared]
            )
        text += f" {sentence}."
        verdicts[column] = (
            _euro_verdict(value, None if region is None else region.get(column)),
            _euro_verdict(value, None if france is None else france.get(column)),
        )
    text += _living_standards_reading(verdicts, france)
    approximate = [
        bool(own.get(f"{column}_approximate", own.get("approximate", False)))
        for column, _ in _LIVING_STANDARDS
        if column in verdicts
    ]
    if any(approximate):
        text += (
            " Pour un groupe de zones, la médiane et les déciles sont des valeurs approchées "
            "(moyennes des zones pondérées par leur population) : ils ne se déduisent pas de ceux "
            "des zones."
        )
        if not bool(own.get("poverty_rate_approximate", True)):
            text += (
                " Le taux de pauvreté est, lui, recalculé exactement à partir du nombre de "
                "personnes des ménages fiscaux de chaque zone."
            )
    return text


def _living_standards_reading(verdicts: dict, france) -> str:
    """The source study's reading (« inférieurs …, excepté pour les 10 % les plus pauvres »)
    when the median is below (or above) both benchmarks and at most one decile is not.

    ``verdicts[k]`` is ``(against region, against France)`` in -1, 0, +1.
    """
    median = verdicts.get("median_living_standard")
    if france is None or median is None or not median[0] == median[1] != 0:
        return ""
    side = median[0]
    names = ("la région", f"la {france_name(france)}")
    exceptions = []
    for k in ("d1", "d9"):
        if k not in verdicts or verdicts[k] == (side, side):
            continue
        differing = [(v, name) for v, name in zip(verdicts[k], names, strict=True) if v != side]
        if len(differing) == 2 and differing[0][0] == differing[1][0]:
            why = f"{_VERDICT_WORDS[differing[0][0]]} ceux de {names[0]} et de {names[1]}"
        else:
            why = french_list([f"{_VERDICT_WORDS[v]} celui de {name}" for v, name in differing])
        exceptions.append(f"{_TAILS[k]} ({_DECILES[k]} {why})")
    if len(exceptions) == 2:  # only the median: no reading of the whole distribution
        return ""
    word = "inférieurs" if side < 0 else "supérieurs"
    return (
        f" Les niveaux de vie sont ainsi {word} à ceux de la région et de la "
        f"{france_name(france)}" + (f", excepté pour {exceptions[0]}" if exceptions else "") + "."
    )


def france_name(row) -> str:
    """The name of a France row: « France métropolitaine » for Filosofi, else « France »."""
    label = None if row is None else row.get("label")
    return label if isinstance(label, str) and label else "France"


_COMPOSITION_ITEMS = (
    ("PPAT", "les revenus du patrimoine"),
    ("PPSOC", "les prestations sociales"),
)


def _against(row_region, row_france, column: str, sign: float = 1.0, named: bool = False) -> str:
    """« contre 32,4 % dans la région et 28,3 % en France métropolitaine » (known figures);
    ``named``: « dans la région Bourgogne-Franche-Comté »."""
    parts = []
    if row_region is not None and not _missing(row_region.get(column)):
        region = f"la région {row_region['label']}" if named else "la région"
        parts.append(f"{format_percent(sign * row_region[column])} dans {region}")
    if row_france is not None and not _missing(row_france.get(column)):
        parts.append(f"{format_percent(sign * row_france[column])} en {france_name(row_france)}")
    return f"contre {french_list(parts)}" if parts else ""


def income_composition(levels, profile) -> str:
    """Paragraphs for :func:`bassin_lib.analysis.income_composition_levels` and
    :func:`bassin_lib.analysis.income_composition_profile` (section 2 on real data).

    First what the figures are (the composition of the residents' disposable income, Filosofi)
    and are not (the captured-income bases of the source study); then the shares of the
    territory against its region and France, pensions in round figures when close to one
    (« presque 30 % », :func:`rounded_share`); then the profile and its rule.
    """
    own = _row(levels, "territory")
    if own is None or _missing(own.get("PACT")):
        return withheld("la composition des revenus des ménages")
    region, france = _row(levels, "region"), _row(levels, "france")
    year = own["period"].year
    france_words = france_name(france)
    paragraphs = [
        "Les revenus captés de l'étude de référence (revenus productifs, publics, sociaux, "
        "pendulaires, pensions et dépenses touristiques) n'ont pas d'équivalent dans les données "
        "ouvertes utilisées ici. Cette section décrit à la place la composition du revenu disponible des "
        f"ménages qui résident sur le territoire (Insee, Filosofi {year}) : la part de chaque "
        "source dans le revenu des habitants, impôts déduits. Elle dit d'où viennent les revenus "
        "des ménages, non quelles activités font entrer des revenus sur le territoire : le modèle "
        "de développement n'en est qu'approché."
    ]
    figures = f"En {year}, les revenus d'activité"
    if not _missing(own.get("PTSA")):
        figures += f", dont les salaires et traitements ({format_percent(own['PTSA'])}),"
    figures += (
        f" représentent {format_percent(own['PACT'])} du revenu disponible des ménages "
        f"{of_place(own['label'])}"
    )
    against = _against(region, france, "PACT", named=True)
    figures += f", {against}." if against else "."
    if not _missing(own.get("PPEN")):
        said = rounded_share(float(own["PPEN"]))
        exact = format_percent(own["PPEN"])
        against = _against(region, france, "PPEN")
        brackets = ", ".join(p for p in ("" if said == exact else exact, against) if p)
        figures += f" Les pensions, retraites et rentes en apportent {said}" + (
            f" ({brackets})" if brackets else ""
        )
        others = [
            f"{words} {format_percent(own[column])}"
            + (f" ({_against(region, france, column)})" if _against(region, france, column) else "")
            for column, words in _COMPOSITION_ITEMS
            if not _missing(own.get(column))
        ]
        if others:
            figures += ", " + french_list(others)
        if not _missing(own.get("PIMPOT")):
            against = _against(region, france, "PIMPOT", sign=-1.0)
            figures += f" ; les impôts en retranchent {format_percent(-own['PIMPOT'])}" + (
                f" ({against})" if against else ""
            )
        figures += "."
    paragraphs.append(figures)
    row = None
    if profile is not None and len(profile):
        rows = profile[profile["role"] == "territory"]
        row = None if rows.empty else rows.iloc[0]
    if row is not None and row["profile"]:
        from bassin_lib.analysis.development_model import PROFILE_BASES, PROFILE_NOUNS

        margin = format_number(row["margin"], 0 if float(row["margin"]).is_integer() else 1)
        strong = [b for b in PROFILE_BASES if b in str(row["strong"]).split(", ")]
        sentence = f"Au regard de la {france_words}, {own['label']} est un {row['profile']}"
        if strong:
            sentence += " : " + french_list(
                [
                    f"la part des {PROFILE_NOUNS[b]} y dépasse de "
                    f"{format_number(row[f'gap_{b}'], 1)} points celle de la {france_words} "
                    f"({format_percent(own[b])} contre {format_percent(france[b])})"
                    for b in strong
                ]
            )
        else:
            sentence += (
                " : aucune des sources de revenu de ses ménages ne dépasse de "
                f"{margin} points ou plus la part observée en {france_words}"
            )
        sentence += (
            f". Règle retenue : la dominante est la source la plus forte parmi les revenus "
            f"d'activité, les pensions, les revenus du patrimoine et les prestations sociales ; "
            f"une « forte part » est une part supérieure d'au moins {margin} points à celle de "
            f"la {france_words}."
        )
        paragraphs.append(sentence)
    if bool(own.get("approximate", False)):
        paragraphs.append(
            "Pour un groupe de zones, ces parts sont des valeurs approchées (moyennes des parts "
            "des zones pondérées par leur population) : Filosofi ne publie pas le revenu "
            "disponible total des zones, qui permettrait de les recalculer exactement."
        )
    return "\n\n".join(paragraphs)


# --- 6. Intérim ------------------------------------------------------------------------------


def _share_words(own_value: float, rows: list[tuple[object, str]]) -> str:
    """« supérieure à la moyenne régionale (4,1 %) et proche de la moyenne nationale (3,9 %) »."""
    words = []
    for row, name in rows:
        if row is not None and not _missing(row["share_pct"]):
            level = compare_levels(own_value, row["share_pct"])
            level = level.replace("supérieur", "supérieure").replace("inférieur", "inférieure")
            words.append(f"{level} {name} ({format_percent(row['share_pct'])})")
    return french_list(words)


def interim_share(frame, since=None) -> str:
    """Sentence for :func:`bassin_lib.analysis.interim_share` rows with roles (quarterly).

    « Au 4e trimestre 2024, les intérimaires représentent 4,3 % de l'emploi salarié privé de X,
    une part supérieure à la moyenne nationale (3,9 %) ; elle était de 5,1 % au 4e trimestre
    2019 (- 0,8 point). »
    """
    own_rows = frame[(frame["role"] == "territory") & frame["share_pct"].notna()]
    if own_rows.empty:
        return withheld("la part de l'intérim dans l'emploi")
    own = own_rows.iloc[-1]
    at = own["period"]
    region = _row(frame, "region", period=at)
    france = _row(frame, "france", period=at)
    sentence = (
        f"Au {quarter_label(at)}, les intérimaires représentent "
        f"{format_percent(own['share_pct'])} de l'emploi salarié privé {of_place(own['label'])}"
        f"{_hedges(own)}"
    )
    compared = _share_words(
        own["share_pct"], [(region, "la moyenne régionale"), (france, "la moyenne nationale")]
    )
    if compared:
        sentence += f", une part {compared}"
    start = _row(frame, "territory", period=pd.Period(since, "Q")) if since else None
    if start is not None and not _missing(start["share_pct"]) and start["period"] != at:
        sentence += (
            f" ; elle était de {format_percent(start['share_pct'])} au "
            f"{quarter_label(start['period'])} "
            f"({format_points(own['share_pct'] - start['share_pct'])})"
        )
    return (
        sentence + ". Les intérimaires sont comptés dans l'établissement utilisateur, en fin de "
        "trimestre, pour 100 emplois salariés privés du territoire."
    )


def interim_activity(frame, mix=None) -> str:
    """Sentences for :func:`bassin_lib.analysis.interim_yoy` rows with roles (monthly, one
    measure), and the sector mix of :func:`bassin_lib.analysis.interim_sector_mix` when given.

    The worst month of the territory's all-sector activity since January 2020, compared with
    France; the last month; the sector that fell most that month; the largest sector of the
    last months.
    """
    total = frame[(frame["sector"] == "TOTAL") & frame["change_pct"].notna()]
    own = total[total["role"] == "territory"]
    if own.empty:
        return withheld("l'évolution de l'activité intérimaire")
    crisis = own[own["period"] >= pd.Period("2020-01", "M")]
    sentences = []
    if not crisis.empty:
        worst = crisis.loc[crisis["change_pct"].idxmin()]
        at = worst["period"]
        france = _row(total, "france", period=at)
        verb = "a reculé" if worst["change_pct"] < 0 else "a progressé"
        sentence = (
            f"En {french.month_label(at)}, au plus bas, l'activité intérimaire (en équivalents "
            f"temps plein) de {worst['label']} {verb} de "
            f"{format_number(abs(worst['change_pct']), 1)}{NBSP}% sur un an{_hedges(worst)}"
        )
        if france is not None:
            about = "activité intérimaire au plus bas"
            sentence += (
                f" : {compare_changes(worst['change_pct'], france['change_pct'], about=about)}"
            )
        sectors = frame[
            (frame["role"] == "territory")
            & (frame["period"] == at)
            & (frame["sector"] != "TOTAL")
            & frame["change_pct"].notna()
        ]
        if len(sectors):
            hardest = sectors.loc[sectors["change_pct"].idxmin()]
            sentence += (
                f". Le secteur le plus touché ce mois-là est « {hardest['sector']} » "
                f"({format_signed(hardest['change_pct'])})"
            )
        sentences.append(sentence + ".")
    last = own.iloc[-1]
    france = _row(total, "france", period=last["period"])
    sentence = (
        f"En {french.month_label(last['period'])}, dernier mois connu, l'activité intérimaire "
        f"évolue de {format_signed(last['change_pct'])} sur un an"
    )
    if france is not None:
        sentence += f" (France : {format_signed(france['change_pct'])})"
    sentences.append(sentence + ".")
    if mix is not None and len(mix):
        sentences.append(_interim_mix(mix))
    return " ".join(s for s in sentences if s)


def _interim_mix(mix) -> str:
    """« Sur novembre et décembre 2024, l'industrie représente 45,2 % de l'activité intérimaire
    (France : 38,0 %). »"""
    own = mix[(mix["role"] == "territory") & mix["share"].notna()]
    if own.empty:
        return ""
    top = own.loc[own["share"].idxmax()]
    france = _row(mix, "france", sector=top["sector"])
    start, end = top["start"], top["end"]
    if start == end:
        window = f"En {french.month_label(end)}"
    elif start.year == end.year and (end - start).n == 1:
        window = f"En {french.month_label(start).rsplit(' ', 1)[0]} et {french.month_label(end)}"
    else:
        window = f"De {french.month_label(start)} à {french.month_label(end)}"
    sentence = (
        f"{window}, le secteur « {top['sector']} » concentre "
        f"{format_percent(100 * top['share'])} de l'activité intérimaire du territoire"
    )
    if france is not None and not _missing(france["share"]):
        sentence += f" (France : {format_percent(100 * france['share'])})"
    if not top["complete"]:
        sentence += ", une part surestimée car des cellules sont masquées"
    return sentence + "."


def interim_profile(frame) -> str:
    """Sentence for :func:`bassin_lib.analysis.interim_profile_shares` rows with roles: men,
    under 25 and long monthly hours in the last year, against France, and the change of long
    hours since the first year."""
    own = frame[(frame["role"] == "territory") & frame["share"].notna()]
    if own.empty:
        return withheld("le profil des intérimaires")
    year = own["period"].max()
    label = own["label"].iloc[0]
    parts = []
    for dimension, category, words in (
        ("sex", "men", "sont des hommes"),
        ("age", "under_25", "ont moins de 25 ans"),
    ):
        row = _row(own, "territory", period=year, dimension=dimension, category=category)
        if row is None:
            continue
        text = f"{format_percent(100 * row['share'])} {words}"
        france = _row(frame, "france", period=year, dimension=dimension, category=category)
        if france is not None and not _missing(france["share"]):
            text += f" (France : {format_percent(100 * france['share'])})"
        parts.append(text)
    sentence = ""
    if parts:
        sentence = (
            f"En {year.year}, parmi les intérimaires qui résident sur le territoire de {label}, "
            f"{french_list(parts)}."
        )
    long = own[(own["dimension"] == "hours") & (own["category"] == "over_150h")]
    if len(long) > 1:
        first, last = long.iloc[0], long.iloc[-1]
        sentence += (
            f" La part de ceux qui travaillent plus de 150 heures dans le mois est de "
            f"{format_percent(100 * last['share'])}, contre "
            f"{format_percent(100 * first['share'])} en {first['period'].year} "
            f"({format_points(100 * (last['share'] - first['share']))})."
        )
    return sentence.strip() or withheld("le profil des intérimaires")


def interim_ape(frame, partial: bool = False) -> str:
    """Sentences for :func:`bassin_lib.analysis.interim_share_ape` rows with roles (yearly,
    Urssaf commune × APE).

    « Au 31 décembre 2022, les agences de travail temporaire (APE 7820Z) de X emploient 5 999
    intérimaires, soit 3,3 % de l'emploi salarié privé d'après les données Urssaf, contre 4,7 %
    fin 2006 (- 1,4 point). » The scope (temporary workers counted where the agency is), the
    comparison with France or why it is absent, and the blank cells of the file follow.

    Parameters
    ----------
    partial : bool, default False
        The file covers only some zones (no France aggregate): said instead of the comparison.
    """
    own_rows = frame[(frame["role"] == "territory") & frame["share_pct"].notna()]
    if own_rows.empty and partial and not (frame["role"] == "territory").any():
        return (
            "Le fichier Urssaf des établissements et effectifs salariés par commune et APE de "
            "cette édition ne couvre pas ce territoire : la part de l'intérim dans l'emploi "
            "salarié privé n'y est pas calculée."
        )
    if own_rows.empty:
        return withheld("la part de l'intérim dans l'emploi salarié privé (données Urssaf)")
    own = own_rows.iloc[-1]
    year = own["period"].year
    at_least = "au moins " if own["interim_lower_bound"] else ""
    sentence = (
        f"Au 31 décembre {year}, les agences de travail temporaire (APE 7820Z) du territoire de "
        f"{own['label']} emploient {at_least}{format_number(own['interim'])} intérimaires, soit "
        f"{format_percent(own['share_pct'])} de l'emploi salarié privé d'après les données Urssaf"
    )
    if own["base_period"] != own["period"] and not _missing(own["change_pts"]):
        base = own_rows.iloc[0]
        sentence += (
            f", contre {format_percent(base['share_pct'])} fin {base['period'].year} "
            f"({format_points(own['change_pts'])} ; effectif intérimaire "
            f"{format_signed(own['interim_change_pct'])})"
        )
    sentences = [sentence + "."]
    france = _row(frame, "france", period=own["period"])
    if france is not None and not _missing(france["share_pct"]):
        sentences.append(
            f"La part est {_share_words(own['share_pct'], [(france, 'la moyenne nationale')])}."
        )
    elif partial:
        sentences.append(
            "Le fichier Urssaf de cette édition ne couvre pas toutes les zones d'emploi : la "
            "comparaison avec la France (et la région) n'est pas possible."
        )
    else:
        sentences.append("La part nationale n'est pas disponible dans cette édition.")
    sentences.append(
        "Les intérimaires sont comptés dans la commune de l'agence qui les emploie, non là où ils "
        "travaillent : un territoire qui accueille les agences d'un bassin plus large affiche une "
        "part plus élevée."
    )
    if own["interim_lower_bound"] or own["employment_lower_bound"]:
        sentences.append(
            "Une cellule vide du fichier signifie « aucun établissement ou chiffre non publié » : "
            "elle est laissée de côté, les effectifs sont donc des minimums et la part une "
            "valeur approchée."
        )
    return " ".join(sentences)


def sector_detail(label: str, count: int, period, lower_bound: bool) -> str:
    """Introduction of the detailed sector table of a territory (Urssaf commune × APE, NA38),
    which the file does not allow to compare with France."""
    sentence = (
        f"Au niveau plus fin des 38 secteurs d'activité (NA38), les {count} secteurs qui "
        f"emploient le plus de salariés du secteur privé {of_place(label)} fin {period.year} "
        "sont les suivants (emploi compté au lieu de l'établissement)."
    )
    if lower_bound:
        sentence += (
            " Certaines cellules communales ne sont pas publiées : les effectifs sont des minimums."
        )
    return sentence + (
        " Le fichier disponible ne couvre pas toute la France : la comparaison nationale n'est "
        "pas possible à ce niveau de détail."
    )


# --- appendix: noise bands ---------------------------------------------------------------------


def noise_bands(bands: dict) -> str:
    """The appendix's statement of the noise bands used by the report's comparisons.

    ``bands`` is ``{subject: NoiseBand}`` (:func:`bassin_lib.analysis.differential_noise`):
    each band is said with the changes and quarters it was estimated on, or as the fixed floor
    when the history was too short.
    """
    parts = []
    for subject, band in bands.items():
        width = (
            f"±{NBSP}{format_number(band.band, 1)}{NBSP}{'point' if band.band < 2 else 'points'}"
        )
        if band.sigma is None:
            how = f"seuil fixe : historique trop court ({band.n} écart{'s' if band.n > 1 else ''})"
        else:
            how = (
                f"écart-type de {band.n} écarts d'évolution sur {band.horizon} trimestres, "
                f"{french.period_between(band.first, band.last)}"
            )
            if band.band > band.sigma:
                how += ", relevé au seuil fixe"
        parts.append(f"pour {subject}, {width} ({how})")
    return (
        "**Bandes de bruit.** Un écart d'évolution entre le territoire et la France n'est "
        "qualifié (« plus marquée », « nettement », « à rebours ») que s'il dépasse la variation "
        "habituelle de cet écart avant la crise : l'écart-type des écarts d'évolution "
        "territoire − France sur le même nombre de trimestres, calculés jusqu'au trimestre de "
        f"référence, et au moins {format_number(NOISE_POINTS, 1)}{NBSP}point. Bandes utilisées : "
        f"{' ; '.join(parts)}."
    )
