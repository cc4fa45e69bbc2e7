"""« Ce qui a changé depuis l'édition … »: one territory's record against the previous edition's.

Observatories publish an edition each quarter, and publishers revise what they published
(Urssaf revises its whole series at each release). A territory's ``indicators.json`` keeps
what a report said: its headline figures, the published series behind them (``series``:
``{name: {period: value}}``) and the qualifier of each comparative sentence (``qualifiers``:
``{section: {subject: qualifier}}``). :func:`compare` reads two such records, the previous
edition's and this one's, into a :class:`Changes`; :func:`block` writes it as the French
Markdown block of the report; :func:`compare_editions` does it for every territory of an
edition, for the index (:func:`summary`, :attr:`Changes.movement`, territories new and
absent).

What counts as a change
-----------------------
- a period **added**: published now (a value) and not before (absent or missing);
- a period **withdrawn**: published before, missing now;
- a **revision**: a period published in both editions whose value moved by at least
  :data:`REVISION_THRESHOLD_RELATIVE` of the previous value for a count (0,5 %), or
  :data:`REVISION_THRESHOLD_POINTS` for a rate (0,1 point); smaller revisions are counted,
  not listed;
- a **headline** whose period changed, or whose value as shown (one decimal) changed;
- a **qualifier** that changed, appeared or disappeared.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pandas as pd

from bassin_lib.analysis.registry import HEADLINES
from bassin_lib.errors import ParameterError
from bassin_lib.rendering import french

REVISION_THRESHOLD_RELATIVE = 0.005
"""A count (jobs) is said revised when it moved by at least 0,5 % of its previous value."""
REVISION_THRESHOLD_POINTS = 0.1
"""A rate (%) is said revised when it moved by at least 0,1 point: rates are published with
one decimal, so any revision of a published rate is listed."""
REVISIONS_LISTED = 6
"""At most this many revisions are listed in a report (the largest first); the others are
counted."""
PERIODS_LISTED = 4
"""Up to this many periods added to a series are named one by one; more are given as a
range."""
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Series:
    """A published series kept in ``indicators.json``.

    Attributes
    ----------
    label : str
        French name in a sentence (« emploi salarié privé »).
    kind : {"count", "rate"}
        A count is compared relatively (:data:`REVISION_THRESHOLD_RELATIVE`), a rate in points
        (:data:`REVISION_THRESHOLD_POINTS`).
    table : str
        The cube table the series is read from (:func:`bassin_lib.rendering.sections.record`);
        empty: the series' name.
    rows : tuple of (column, value)
        The filters that pick the series' rows of the table (besides the territory).
    """

    label: str
    kind: str
    table: str = ""
    rows: tuple = ()


SERIES = {
    "employment": Series(
        "emploi salarié privé", "count", rows=(("sector", "TOTAL"), ("adjustment", "cvs"))
    ),
    "unemployment_rate": Series("taux de chômage", "rate"),
    "poverty_rate": Series(
        "taux de pauvreté", "rate", table="income_poverty", rows=(("indicator", "poverty_rate"),)
    ),
}
"""The territory's published series kept in ``indicators.json`` (the figures behind its
headlines), by name: how they are named, compared and read from the cube. A series of an older
record not declared here is read as a rate when its name ends with ``rate``, else as a count,
and named by its key."""

SECTION_TITLES = {
    "title": "Titre",
    "identity": "Identité du territoire",
    "population": "Population",
    "method": "Méthode",
    "development_model": "Modèle de développement",
    "poverty": "Pauvreté et niveaux de vie",
    "unemployment": "Chômage",
    "unemployment_map": "Chômage (carte)",
    "long_run": "Tendance longue de l'emploi",
    "crisis": "Le choc de la crise sanitaire",
    "sectors": "Structure sectorielle",
    "sector_stories": "Les secteurs vus par les acteurs locaux",
    "jobseekers": "Demandeurs d'emploi",
    "interim": "Intérim",
    "recruitment": "Recrutement",
    "stakes": "Enjeux et préconisations",
    "appendix": "Annexe",
}
"""French title of each section of the report (:mod:`bassin_lib.rendering.sections`), by the
name its qualifiers are kept under."""

_QUARTER = re.compile(r"\d{4}Q[1-4]")


def series_spec(name: str) -> Series:
    """The :class:`Series` of ``name`` (:data:`SERIES`, else guessed from the name)."""
    if name in SERIES:
        return SERIES[name]
    return Series(name, "rate" if name.endswith("rate") else "count")


@dataclass(frozen=True)
class HeadlineChange:
    """A headline figure in the previous edition and in this one.

    Attributes
    ----------
    key : str
        Key in ``indicators.json`` (``"unemployment_rate"``).
    label : str
        French name in a sentence (the registry's ``short``).
    signed : bool
        A change (``- 0,5 %``) rather than a level (``7,4 %``).
    previous, current : float or None
        The figure in each edition (None: missing).
    previous_period, current_period : str or None
        Its period (``"2024Q3"``, ``"2019Q4-2020Q4"``), when the registry declares one.
    """

    key: str
    label: str
    signed: bool
    previous: float | None
    current: float | None
    previous_period: str | None = None
    current_period: str | None = None

    @property
    def difference(self) -> float | None:
        """``current − previous`` in points (every headline figure is in %); None when
        either is missing."""
        if self.previous is None or self.current is None:
            return None
        return self.current - self.previous

    @property
    def changed(self) -> bool:
        """Whether the figure as shown (one decimal) or its period changed."""
        return self.previous_period != self.current_period or _shown(
            self.previous, self.signed
        ) != _shown(self.current, self.signed)


@dataclass(frozen=True)
class Revision:
    """A period published in both editions whose value moved.

    Attributes
    ----------
    series : str
        Name of the series (``"employment"``).
    period : str
        ``"2023Q2"``, ``"2019"``.
    previous, current : float
    """

    series: str
    period: str
    previous: float
    current: float

    @property
    def difference(self) -> float:
        """``current − previous`` (jobs for a count, points for a rate)."""
        return self.current - self.previous

    @property
    def relative(self) -> float:
        """``(current − previous) / |previous|`` (infinite when ``previous`` is 0)."""
        if self.previous == 0:
            return math.copysign(math.inf, self.difference)
        return self.difference / abs(self.previous)

    @property
    def size(self) -> float:
        """How far the revision goes, in units of its threshold (≥ 1: listed)."""
        if series_spec(self.series).kind == "rate":
            return abs(self.difference) / REVISION_THRESHOLD_POINTS
        return abs(self.relative) / REVISION_THRESHOLD_RELATIVE


@dataclass(frozen=True)
class QualifierChange:
    """A comparative sentence whose qualifier changed (None: no such sentence in that edition).

    Attributes
    ----------
    section : str
        Section name (``"crisis"``).
    subject : str
        What the sentence compares (« emploi salarié privé, France »).
    previous, current : str or None
    """

    section: str
    subject: str
    previous: str | None
    current: str | None


@dataclass(frozen=True)
class Changes:
    """What changed for one territory since the previous edition (:func:`compare`).

    Attributes
    ----------
    territory, label : str
    previous_edition : str
        Label of the edition compared with (« 2024T3 »).
    edition : str or None
        Label of this edition, when the record gives it.
    new : bool
        The territory was not in the previous edition; nothing else is compared.
    added : dict
        ``{series: (period, ...)}``: periods published now and not before.
    withdrawn : dict
        ``{series: (period, ...)}``: periods published before and missing now.
    headlines : tuple of HeadlineChange
        Every headline figure of the registry found in either record, in registry order.
    revisions : tuple of Revision
        Revisions at or beyond the thresholds, largest first.
    minor_revisions : int
        Number of values revised under the thresholds.
    qualifiers : tuple of QualifierChange
        In section, then subject order.
    not_kept : tuple of str
        What the previous record does not keep (``"series"``, ``"qualifiers"``: an edition
        made before they were), so could not be compared.
    """

    territory: str
    label: str
    previous_edition: str
    edition: str | None = None
    new: bool = False
    added: dict[str, tuple[str, ...]] = field(default_factory=dict)
    withdrawn: dict[str, tuple[str, ...]] = field(default_factory=dict)
    headlines: tuple[HeadlineChange, ...] = ()
    revisions: tuple[Revision, ...] = ()
    minor_revisions: int = 0
    qualifiers: tuple[QualifierChange, ...] = ()
    not_kept: tuple[str, ...] = ()

    @property
    def unchanged(self) -> bool:
        """True when nothing counts as a change (minor revisions aside); False for a new
        territory."""
        return not (
            self.new
            or self.added
            or self.withdrawn
            or self.revisions
            or self.qualifiers
            or any(h.changed for h in self.headlines)
        )

    @property
    def movement(self) -> float | None:
        """How much the headlines moved: the largest absolute change of a headline figure,
        in points (every headline figure is in %), rounded to 6 decimals; None when no
        headline is known in both editions (a new territory)."""
        moves = [abs(h.difference) for h in self.headlines if h.difference is not None]
        return round(max(moves), 6) if moves else None


def compare(previous: dict | None, current: dict, *, previous_edition: str) -> Changes:
    """Compare a territory's ``indicators.json`` record with the previous edition's.

    Parameters
    ----------
    previous : dict or None
        The record of the previous edition; None when the territory was not in it.
    current : dict
        This edition's record: ``territory``, ``label``, the flat headline figures of the
        registry and their periods, and optionally ``edition``, ``series``
        (``{name: {period: value or None}}``) and ``qualifiers``
        (``{section: {subject: qualifier}}``). Missing values are None.
    previous_edition : str
        Label of the previous edition (« 2024T3 »), as the block names it.

    Returns
    -------
    Changes

    Raises
    ------
    ParameterError
        When a record is not a dict with a ``territory``, when the two records are of
        different territories or of different data sources (``data_source``, when both
        give it).

    Examples
    --------
    >>> before = {"territory": "DA02", "label": "Zone", "unemployment_rate": 5.8,
    ...           "series": {"employment": {"2024Q3": 1000.0}}}
    >>> now = {"territory": "DA02", "label": "Zone", "unemployment_rate": 5.9,
    ...        "series": {"employment": {"2024Q3": 1010.0, "2024Q4": 1012.0}}}
    >>> found = compare(before, now, previous_edition="2024T3")
    >>> found.added, [(r.period, r.previous, r.current) for r in found.revisions]
    ({'employment': ('2024Q4',)}, [('2024Q3', 1000.0, 1010.0)])
    """
    _check_record(current, "current")
    territory, label = str(current["territory"]), str(current.get("label") or current["territory"])
    edition = current.get("edition")
    if previous is None:
        return Changes(territory, label, previous_edition, edition, new=True)
    _check_record(previous, "previous")
    if str(previous["territory"]) != territory:
        raise ParameterError(
            f"records of different territories: {previous['territory']!r} and {territory!r}"
        )
    sources = (previous.get("data_source"), current.get("data_source"))
    if None not in sources and sources[0] != sources[1]:
        raise ParameterError(
            f"records of different data sources: {sources[0]!r} (edition {previous_edition}) "
            f"and {sources[1]!r}"
        )
    not_kept = tuple(
        key for key in ("series", "qualifiers") if not isinstance(previous.get(key), dict)
    )
    added, withdrawn, revisions, minor = {}, {}, [], 0
    if "series" not in not_kept and isinstance(current.get("series"), dict):
        before_series, now_series = previous["series"], current["series"]
        for name in sorted(set(before_series) | set(now_series)):
            before = _published(before_series.get(name))
            now = _published(now_series.get(name))
            periods = tuple(sorted(set(now) - set(before)))
            if periods:
                added[name] = periods
            periods = tuple(sorted(set(before) - set(now)))
            if periods:
                withdrawn[name] = periods
            for period in sorted(set(before) & set(now)):
                if _same(before[period], now[period]):
                    continue
                revision = Revision(name, period, before[period], now[period])
                if revision.size >= 1 - _TOLERANCE:
                    revisions.append(revision)
                else:
                    minor += 1
    revisions.sort(key=lambda r: (-r.size, r.series, r.period))
    return Changes(
        territory,
        label,
        previous_edition,
        edition,
        added=added,
        withdrawn=withdrawn,
        headlines=_headlines(previous, current),
        revisions=tuple(revisions),
        minor_revisions=minor,
        qualifiers=()
        if "qualifiers" in not_kept or not isinstance(current.get("qualifiers"), dict)
        else _qualifiers(previous["qualifiers"], current["qualifiers"]),
        not_kept=not_kept,
    )


def _check_record(record, which: str) -> None:
    if not isinstance(record, dict) or not record.get("territory"):
        raise ParameterError(
            f"{which} record: expected the dict of an indicators.json with a 'territory', "
            f"got {type(record).__name__}"
        )


def _number(value) -> float | None:
    """A figure of a record as a float, None when missing (None, NaN, not a number)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _published(series) -> dict[str, float]:
    """``{period: value}`` of the published (not missing) values of a series."""
    if not isinstance(series, dict):
        return {}
    out = {str(p): _number(v) for p, v in series.items()}
    return {p: v for p, v in out.items() if v is not None}


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=_TOLERANCE, abs_tol=_TOLERANCE)


def _headlines(previous: dict, current: dict) -> tuple[HeadlineChange, ...]:
    out = []
    for entry in HEADLINES:
        spec = entry.headline
        if spec.key not in previous and spec.key not in current:
            continue
        period_key = spec.period_key
        out.append(
            HeadlineChange(
                key=spec.key,
                label=spec.short,
                signed=spec.signed,
                previous=_number(previous.get(spec.key)),
                current=_number(current.get(spec.key)),
                previous_period=previous.get(period_key) if period_key else None,
                current_period=current.get(period_key) if period_key else None,
            )
        )
    return tuple(out)


def _qualifiers(previous: dict, current: dict) -> tuple[QualifierChange, ...]:
    out = []
    sections = [s for s in SECTION_TITLES if s in previous or s in current]
    sections += sorted((set(previous) | set(current)) - set(sections))
    for section in sections:
        before = previous.get(section) or {}
        now = current.get(section) or {}
        for subject in sorted(set(before) | set(now)):
            if before.get(subject) != now.get(subject):
                out.append(QualifierChange(section, subject, before.get(subject), now.get(subject)))
    return tuple(out)


# --- French ---------------------------------------------------------------------------------


def _shown(value: float | None, signed: bool) -> str:
    """A headline figure in French (``- 0,5 %``, ``7,4 %``; ``non disponible`` when missing)."""
    if value is None:
        return "non disponible"
    return french.format_signed(value) if signed else french.format_percent(value)


def period_label(period: str | None) -> str:
    """A period of a record in French: « T4 2024 » for ``"2024Q4"``, « 2019 », « janvier
    2020 » for ``"2020-01"``, « T4 2019 – T4 2020 » for the window ``"2019Q4-2020Q4"``."""
    if not period:
        return ""
    period = str(period)
    if _is_window(period):
        start, _, end = period.partition("-")
        return f"{period_label(start)} – {period_label(end)}"
    try:
        parsed = pd.Period(period)
    except (ValueError, TypeError):
        return period
    if parsed.freqstr.startswith("M"):
        return french.month_label(parsed)
    return french.period_short(parsed)


def _periods_text(periods: tuple[str, ...]) -> str:
    """« T4 2024 », « T3 2024 et T4 2024 », « de T1 2023 à T1 2025 (9 trimestres) »."""
    if len(periods) <= PERIODS_LISTED:
        return french.french_list([period_label(p) for p in periods])
    if all(_QUARTER.fullmatch(p) for p in periods):
        unit = "trimestres"
    elif all(re.fullmatch(r"\d{4}", p) for p in periods):
        unit = "années"
    else:
        unit = "périodes"
    return f"de {period_label(periods[0])} à {period_label(periods[-1])} ({len(periods)} {unit})"


def _series_value(name: str, value: float) -> str:
    if series_spec(name).kind == "rate":
        return french.format_percent(value)
    return french.format_number(value, 0)


def _revision_gap(revision: Revision) -> str:
    if series_spec(revision.series).kind == "rate":
        return french.format_points(revision.difference)
    if math.isinf(revision.relative):
        return french.format_signed(revision.difference, 0, unit="")
    return french.format_signed(100 * revision.relative)


def _headline_line(h: HeadlineChange, previous_edition: str) -> str:
    # a window shared by both editions is named once, after the figure's name
    window = h.current_period if h.current_period == h.previous_period else None
    window = window if window and _is_window(window) else None

    def at(value, period):
        when = f" ({period_label(period)})" if period and period != window else ""
        return f"{_shown(value, h.signed)}{when}"

    name = f"{h.label} ({period_label(window)})" if window else h.label
    if not h.changed:
        return f"{name} : {at(h.current, h.current_period)}, sans changement"
    gap = f" ({french.format_points(h.difference)})" if h.difference is not None else ""
    return (
        f"{name} : {at(h.current, h.current_period)}, contre "
        f"{at(h.previous, h.previous_period)} dans l'édition {previous_edition}{gap}"
    )


def _is_window(period: str) -> bool:
    start, dash, end = str(period).partition("-")
    return bool(dash and _QUARTER.fullmatch(start) and _QUARTER.fullmatch(end))


def thresholds_text() -> str:
    """The revision thresholds in French: « 0,5 % pour les effectifs, 0,1 point pour les
    taux »."""
    relative = french.format_percent(100 * REVISION_THRESHOLD_RELATIVE)
    points = french.format_number(REVISION_THRESHOLD_POINTS, 1)
    return f"{relative} pour les effectifs, {points}{french.NBSP}point pour les taux"


def _quoted(text: str | None) -> str:
    return f"« {text} »"


def _qualifier_line(q: QualifierChange) -> str:
    where = f"{SECTION_TITLES.get(q.section, q.section)}, {q.subject}"
    if q.previous is None:
        return f"{where} : {_quoted(q.current)}, comparaison nouvelle"
    if q.current is None:
        return f"{where} : comparaison absente de cette édition (elle disait {_quoted(q.previous)})"
    return f"{where} : {_quoted(q.current)} au lieu de {_quoted(q.previous)}"


def _bullets(lines: list[str]) -> str:
    return "\n".join(
        f"- {line}{' ;' if i < len(lines) - 1 else '.'}" for i, line in enumerate(lines)
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def heading(previous_edition: str) -> str:
    """« Ce qui a changé depuis l'édition 2024T3 »."""
    return f"Ce qui a changé depuis l'édition {previous_edition}"


def block(changes: Changes, *, level: int = 2) -> str:
    """The French Markdown block « Ce qui a changé depuis l'édition … » of a report.

    Parameters
    ----------
    changes : Changes
        From :func:`compare`.
    level : int, default 2
        Level of the block's heading (``##``).

    Returns
    -------
    str
        The heading, then: a new territory's one sentence; or, when nothing changed, one
        sentence that says so; else the periods added (and withdrawn), the headline figures
        then and now, the revisions at or beyond the thresholds (the largest
        :data:`REVISIONS_LISTED`, the others and the smaller ones counted), and the sentences
        whose qualifier changed. Plain Markdown, no HTML.
    """
    if not 1 <= level <= 6:
        raise ParameterError(f"level {level}: a Markdown heading level, 1 to 6")
    previous_edition = changes.previous_edition
    parts = [f"{'#' * level} {heading(previous_edition)}"]
    if changes.new:
        parts.append(f"Ce territoire ne figurait pas dans l'édition {previous_edition}.")
        return "\n\n".join(parts) + "\n"
    if changes.not_kept:
        kept = {"series": "les séries publiées", "qualifiers": "les appréciations des comparaisons"}
        parts.append(
            f"L'édition {previous_edition} ne conservait pas "
            f"{french.french_list([kept[k] for k in changes.not_kept])} : "
            "seul le reste est comparé."
        )
    minor = ""
    if changes.minor_revisions:
        revised = _count(
            changes.minor_revisions,
            "valeur déjà publiée a été légèrement révisée",
            "valeurs déjà publiées ont été légèrement révisées",
        )
        minor = f"{revised}, sous les seuils retenus ({thresholds_text()})."
    if changes.unchanged:
        parts.append(
            f"Rien n'a changé depuis l'édition {previous_edition} : mêmes périodes publiées, "
            "aucune révision au-delà des seuils retenus, mêmes chiffres clés et mêmes "
            "appréciations."
        )
        if minor:
            parts.append(minor)
        return "\n\n".join(parts) + "\n"
    if changes.added:
        lines = [
            f"{series_spec(name).label} : {_periods_text(periods)}"
            for name, periods in changes.added.items()
        ]
        parts += ["**Nouvelles données publiées** :", _bullets(lines)]
    if changes.withdrawn:
        lines = [
            f"{series_spec(name).label} : {_periods_text(periods)}"
            for name, periods in changes.withdrawn.items()
        ]
        parts += ["**Données qui ne sont plus publiées** :", _bullets(lines)]
    if changes.headlines:
        lines = [_headline_line(h, previous_edition) for h in changes.headlines]
        parts += ["**Chiffres clés** :", _bullets(lines)]
    if changes.revisions:
        listed = changes.revisions[:REVISIONS_LISTED]
        lines = [
            f"{series_spec(r.series).label}, {period_label(r.period)} : "
            f"{_series_value(r.series, r.current)} au lieu de "
            f"{_series_value(r.series, r.previous)} ({_revision_gap(r)})"
            for r in listed
        ]
        others = len(changes.revisions) - len(listed)
        if others:
            lines.append(
                f"et {_count(others, 'autre révision', 'autres révisions')} de cette ampleur"
            )
        parts += [
            f"**Révisions des chiffres déjà publiés** (d'au moins {thresholds_text()}) :",
            _bullets(lines),
        ]
    if minor:
        parts.append(minor)
    if changes.qualifiers:
        lines = [_qualifier_line(q) for q in changes.qualifiers]
        parts += ["**Appréciations modifiées** :", _bullets(lines)]
    return "\n\n".join(parts) + "\n"


# --- the edition: index and « changes » page -------------------------------------------------


def summary(changes: Changes) -> str:
    """A short French summary of a territory's changes, for a cell of the index table.

    « nouveau territoire », « aucun changement », or the headlines that moved with their gap,
    then counts: « taux de chômage + 0,1 point ; 1 période ajoutée ; 2 révisions ».
    """
    if changes.new:
        return "nouveau territoire"
    if changes.unchanged:
        return "aucun changement"
    parts = [
        f"{h.label} {french.format_points(h.difference)}"
        if h.difference is not None
        else f"{h.label} {_shown(h.current, h.signed)}"
        for h in changes.headlines
        if h.changed
    ]
    added = sum(len(p) for p in changes.added.values())
    if added:
        parts.append(_count(added, "période ajoutée", "périodes ajoutées"))
    withdrawn = sum(len(p) for p in changes.withdrawn.values())
    if withdrawn:
        parts.append(_count(withdrawn, "période retirée", "périodes retirées"))
    if changes.revisions:
        parts.append(_count(len(changes.revisions), "révision", "révisions"))
    if changes.qualifiers:
        parts.append(
            _count(len(changes.qualifiers), "appréciation modifiée", "appréciations modifiées")
        )
    return " ; ".join(parts)


@dataclass(frozen=True)
class EditionChanges:
    """What changed across an edition since the previous one (:func:`compare_editions`).

    Attributes
    ----------
    previous_edition : str
    territories : dict
        ``{territory: Changes}`` of every territory of this edition (``new`` when it was not
        in the previous one), in the order given.
    absent : tuple of (str, str)
        ``(territory, label)`` of the previous edition's territories without a record in
        this one, by territory id.
    """

    previous_edition: str
    territories: dict[str, Changes]
    absent: tuple[tuple[str, str], ...] = ()

    @property
    def new(self) -> list[Changes]:
        """The territories that were not in the previous edition."""
        return [c for c in self.territories.values() if c.new]

    def ranked(self) -> list[Changes]:
        """The territories of both editions, those whose headlines moved most first
        (:attr:`Changes.movement`; ties and unknown movements by territory id, unknown last)."""
        known = [c for c in self.territories.values() if not c.new]
        return sorted(
            known,
            key=lambda c: (c.movement is None, -(c.movement or 0.0), c.territory),
        )


def compare_editions(
    previous: dict[str, dict], current: dict[str, dict], *, previous_edition: str
) -> EditionChanges:
    """Compare every territory of an edition with the previous edition.

    Parameters
    ----------
    previous, current : dict
        ``{territory: indicators.json record}`` of each edition (territories with a report).
    previous_edition : str
        Label of the previous edition.

    Returns
    -------
    EditionChanges
    """
    territories = {
        tid: compare(previous.get(tid), record, previous_edition=previous_edition)
        for tid, record in current.items()
    }
    absent = tuple(
        (tid, str(previous[tid].get("label") or tid))
        for tid in sorted(set(previous) - set(current))
    )
    return EditionChanges(previous_edition, territories, absent)
