"""Declared consistency checks: what the data of each section of a report must satisfy.

Each section of the notebook declares, once, the checks its data must pass
(:data:`SECTION_CHECKS`, expanded into :data:`CHECKS`); :func:`run_checks` runs them for one
territory and :func:`failed` gives those of one section that failed. A failed check opens its
section with a badge (:func:`bassin_lib.rendering.blocks.check_badge`), puts a line in the
ledger and ``indicators.json``, and withholds the section's comparative wording
(:func:`bassin_lib.rendering.sections.section`).

The kinds of check (:data:`KINDS`):

- ``non_negative``: no count is negative (jobs, job seekers, inhabitants, km², euros, hiring
  projects, temporary workers...);
- ``shares_in_range``: rates and shares lie within their bounds: percentages in [0, 100]
  (:data:`RANGES`: unemployment rate, poverty rate, components of disposable income, taxes in
  [-100, 0]), and the shares a section derives from two counts in [0, 1] (:data:`SHARES`: the
  hiring projects judged difficult or seasonal over the projects of the same occupation);
- ``categories_sum``: job seekers ``A + B + C = ABC`` wherever a table holds the published
  ``ABC`` (tolerance :data:`CATEGORIES_TOLERANCE`);
- ``france_total``: the sum of the zones is close to the France total, where the source
  publishes France rather than the cube computing it (tolerance :data:`FRANCE_TOLERANCE`);
- ``regions_sum``: the regions a source publishes add up to its zones (tolerance
  :data:`REGIONS_TOLERANCE`). INSEE's Estimations d'emploi publish regional parts of the 14
  inter-regional zones; the reader checks part by part that they add up to their zone and
  refuses the file otherwise (:mod:`bassin_lib.inputs.sources.insee_estel`), then keeps regions
  built from the parts, not the parts: in the cube the parts can only be checked in aggregate,
  ``Σ regions = Σ single-region zones + Σ parts``, equal to ``Σ zones`` exactly when the parts
  add up to their zones.

Scope. The checks of rows (``non_negative``, ``shares_in_range``, ``categories_sum``) read the
rows of the territory, its region and France (:meth:`~bassin_lib.inputs.cube.Cube.rows`): a
few milliseconds per territory. The checks of a whole table (``france_total``,
``regions_sum``) are the same for every territory and are computed once per cube.

Missing is missing: a masked cell (NaN) is never read as 0; a comparison that needs it is not
made (the cell is not checked), and a row the cube flags ``lower_bound`` (a sum over masked
cells) is not compared with a published total.

Data only. A :class:`CheckResult` keeps its failures as raw figures (``cases``: table, place,
period, value, expected, bounds...) and writes no number nor period: the French sentence of a
result is :func:`bassin_lib.rendering.blocks.check_detail`, with the report's formatting
(:mod:`bassin_lib.rendering.french`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bassin_lib.analysis.common import check_territory
from bassin_lib.errors import ParameterError
from bassin_lib.inputs import schemas
from bassin_lib.inputs.cube import COUNT_ROWS, RATE_TABLES, Cube
from bassin_lib.inputs.territories import Territory

CATEGORIES_TOLERANCE = (0.005, 1.0)
"""``A + B + C`` may differ from the published ``ABC`` by 0.5 % of ``ABC`` or 1 person,
whichever is larger: the sum of three figures, each rounded by the publisher, may differ from
the rounded total by a unit or so, never by more."""
FRANCE_TOLERANCE = 0.01
"""The sum of the zones may differ from the published France by 1 % of it: a publisher's
France may include what no zone holds (people or jobs not located, rounding of each zone),
but a larger gap means that the zones and the France figure do not describe the same thing
(counting the overseas zones in a France métropolitaine is + 1.9 % on Filosofi 2019). On the
real files, Filosofi 2019's 287 metropolitan zones hold 62,973,090 persons for 62,973,019 in
sheet METRO (71 persons apart)."""
REGIONS_TOLERANCE = (0.001, 1.0)
"""The published regions may differ from the sum of their zones by 0.1 % or 1 unit, whichever
is larger (rounding of each published figure). On the real files: Estel's regions and zones
agree exactly, Filosofi 2019's persons to 70 in 64 million."""
OVERSEAS_REGIONS = ("01", "02", "03", "04", "06")
"""INSEE codes of the overseas regions (Guadeloupe, Martinique, Guyane, La Réunion, Mayotte):
their zones are outside a France métropolitaine total."""
METROPOLITAN = "France métropolitaine"
"""``meta["france_labels"][table]`` of a table whose France row is France métropolitaine
(Filosofi's sheet METRO, :data:`bassin_lib.inputs.sources.insee_filosofi.FRANCE_SCOPE`)."""


@dataclass(frozen=True)
class Range:
    """Bounds of the values of a table of rates or shares.

    Attributes
    ----------
    dimension : str or None
        Column whose value chooses the bounds (``"indicator"``), None for one bound for all.
    bounds : dict
        Value of ``dimension`` → ``(low, high)``; key None: every other value. A value with no
        bounds (and no None key) is not checked (a median in euros is not a share).
    unit : str
        Unit of the values in a sentence (``"%"``).
    """

    dimension: str | None
    bounds: dict
    unit: str = "%"


RANGES = {
    "unemployment_rate": Range(None, {None: (0.0, 100.0)}),
    "income_poverty": Range("indicator", {"poverty_rate": (0.0, 100.0)}),
    # components of disposable income, % of it; taxes are negative, non-salaried income may be
    "income_composition": Range(
        "component", {None: (0.0, 100.0), "PIMPOT": (-100.0, 0.0), "PBEN": (-100.0, 100.0)}
    ),
}
"""Tables of rates or shares and their bounds (``shares_in_range``)."""


@dataclass(frozen=True)
class Share:
    """Shares a section derives from two rows of a count table: ``part / whole`` in [0, 1].

    Attributes
    ----------
    dimension : str
        Column holding the measures (``"measure"``).
    whole : str
        The denominator's value of ``dimension`` (``"projects"``).
    parts : tuple of str
        The numerators' values (``"difficult"``, ``"seasonal"``).
    leave_out : dict
        Column → value of rows that are not cells of the table (the BMO rows of occupation
        ``"*"`` bound the masked figures: they are not shares of anything).
    """

    dimension: str
    whole: str
    parts: tuple[str, ...]
    leave_out: dict = field(default_factory=dict)


SHARES = {
    "recruitment_bmo": Share("measure", "projects", ("difficult", "seasonal"), {"occupation": "*"})
}
"""Count tables whose derived shares must lie in [0, 1] (``shares_in_range``)."""


@dataclass(frozen=True)
class Finding:
    """What one kind of check found in one table.

    Attributes
    ----------
    checked : int
        Comparisons made (0: the check does not apply; ``note`` says why).
    cases : DataFrame or None
        The failures, :data:`CASE_COLUMNS`; None when there is none.
    note : str
        Why the check does not apply to the table (when ``checked`` is 0).
    """

    checked: int
    cases: pd.DataFrame | None = None
    note: str = ""


CASE_COLUMNS = [
    "table",
    "level",
    "code",
    "period",
    "value",
    "expected",
    "low",
    "high",
    "tolerance",
    "subject",
    "numerator",
    "whole",
    "dimensions",
]
"""Columns of :attr:`Finding.cases`, raw figures; :attr:`CheckResult.cases` adds ``label``.

``value`` is the figure checked and ``expected`` what it should have been: 0 for a negative
count; the bound crossed by a rate (``low``, ``high``: its bounds) or a share (``value`` the
share, ``numerator`` and ``whole`` its two counts, ``subject`` the numerator's measure); the
published total for a sum (``A + B + C`` for ``ABC``, the zones for France or the regions),
with the gap allowed (``tolerance``) and, for the totals, the table's dimensions
(``dimensions``: ``((name, value), ...)``). ``subject`` of a rate: the value of
:attr:`Range.dimension` (None without one). Columns a kind does not use are missing (NaN)."""


@dataclass(frozen=True)
class Check:
    """One declared check of one section.

    Attributes
    ----------
    section : str
        Name of the notebook's section (``sections.<name>(d)`` in ``notebooks/diagnostic.ipynb``).
    name : str
        Kind of check (:data:`KINDS`): ``non_negative``, ``shares_in_range``,
        ``categories_sum``, ``france_total``, ``regions_sum``.
    tables : tuple of str
        Canonical tables the section reads and the check covers (those absent from the cube
        are skipped).
    description : str
        What is checked, in French, for the reader (the badge names the check by it).
    function : callable
        ``function(context, table) -> Finding``.
    """

    section: str
    name: str
    tables: tuple[str, ...]
    description: str
    function: Callable


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one declared check for one territory.

    Attributes
    ----------
    section : str
        The notebook's section.
    name : str
        The kind of check (:attr:`Check.name`).
    ok : bool
        False when a comparison failed. A check that could make no comparison (``checked``
        0: no published ``ABC``, France not published...) is ok.
    description : str
        What is checked, in French (:attr:`Check.description`).
    tables : tuple of str
        The tables checked (those of the cube among :attr:`Check.tables`).
    checked : int
        Comparisons made.
    notes : tuple of str
        Why the check does not apply to its tables (when ``checked`` is 0), in French.
    cases : DataFrame or None
        Every failure: :data:`CASE_COLUMNS` plus ``label`` (the place, as the report names
        it), by table, then the territory before its region and France, then by period; None
        when the check passed. Not part of equality. Its French sentence:
        :func:`bassin_lib.rendering.blocks.check_detail`.
    """

    section: str
    name: str
    ok: bool
    description: str
    tables: tuple[str, ...]
    checked: int
    notes: tuple[str, ...] = ()
    cases: pd.DataFrame | None = field(default=None, compare=False, repr=False)

    @property
    def periods(self) -> list[str]:
        """The periods of the failures, sorted, as strings (``"2020Q2"``)."""
        return [] if self.cases is None else sorted({str(p) for p in self.cases["period"]})


# --------------------------------------------------------------------------------------------
# What a check reads
# --------------------------------------------------------------------------------------------


class Context:
    """What the checks of one territory read: the cube, the territory, and the rows of each
    table for the territory, its region and France (read once per table).

    Checks of a whole table keep their findings in the cube (``cube.__dict__``, as
    :meth:`Cube.rows` keeps its positions): computed once per cube, not per territory.
    """

    def __init__(self, cube: Cube, territory: Territory):
        self.cube = cube
        self.territory = territory
        self._rows: dict[str, pd.DataFrame] = {}

    def rows(self, table: str) -> pd.DataFrame:
        """The table's rows of the territory, its region and France."""
        if table not in self._rows:
            self._rows[table] = self.cube.rows(table, self.territory)
        return self._rows[table]

    def whole_table(self, kind: str, table: str, compute: Callable) -> Finding:
        """``compute(cube, table)``, once per cube, kind and table."""
        cache = self.cube.__dict__.setdefault("_check_cache", {})
        if (kind, table) not in cache:
            cache[(kind, table)] = compute(self.cube, table)
        return cache[(kind, table)]


def _cases(rows: pd.DataFrame, table: str, value, expected, **figures) -> pd.DataFrame:
    """Failure rows in :data:`CASE_COLUMNS` (``value``, ``expected`` and ``figures``: arrays or
    scalars aligned with ``rows``)."""
    where = {c: rows[c].to_numpy(dtype=object) for c in ("level", "code", "period")}
    return pd.DataFrame(
        {"table": table, **where, "value": value, "expected": expected, **figures},
        columns=CASE_COLUMNS,
    )


def _none(note: str) -> Finding:
    return Finding(0, None, note)


def _passed(checked: int) -> Finding:
    return Finding(int(checked))


def _flag(rows: pd.DataFrame, name: str) -> pd.Series:
    if name in rows.columns:
        return rows[name].fillna(False).astype(bool)
    return pd.Series(False, index=rows.index)


# --------------------------------------------------------------------------------------------
# The kinds of check
# --------------------------------------------------------------------------------------------


def non_negative(context: Context, table: str) -> Finding:
    """No value of the table is negative (masked values are not checked).

    Parameters
    ----------
    context : Context
    table : str
        A table of counts (every canonical table but the rates of :data:`RANGES`).

    Returns
    -------
    Finding
        One case per negative value.
    """
    rows = context.rows(table)
    values = rows["value"].to_numpy(dtype=float)
    bad = values < 0  # NaN compares False: a masked value is not checked
    if not bad.any():
        return _passed(np.count_nonzero(~np.isnan(values)))
    return Finding(
        int(np.count_nonzero(~np.isnan(values))), _cases(rows[bad], table, values[bad], 0.0)
    )


def shares_in_range(context: Context, table: str) -> Finding:
    """Rates and shares lie within their bounds: :data:`RANGES` for a table of rates,
    :data:`SHARES` for the shares derived from a table of counts.

    Notes
    -----
    A published rate is compared with its bounds as it is (no tolerance: a rate rounded to one
    decimal stays within [0, 100]). A derived share ``part / whole`` must satisfy
    ``0 ≤ part ≤ whole``; cells where either is masked, or ``whole`` is 0, are not checked.
    """
    if table in RANGES:
        return _rates_in_range(context.rows(table), table, RANGES[table])
    if table in SHARES:
        return _shares_of_counts(context.rows(table), table, SHARES[table])
    return _none(f"la table {table} ne contient ni taux ni parts")


def _rates_in_range(rows: pd.DataFrame, table: str, spec: Range) -> Finding:
    low = np.full(len(rows), np.nan)
    high = np.full(len(rows), np.nan)
    named = [key for key in spec.bounds if key is not None]
    keys = rows[spec.dimension].to_numpy() if spec.dimension else np.full(len(rows), None)
    if None in spec.bounds:
        default = ~np.isin(keys, named) if named else np.ones(len(rows), dtype=bool)
        low[default], high[default] = spec.bounds[None]
    for key in named:
        where = keys == key
        low[where], high[where] = spec.bounds[key]
    values = rows["value"].to_numpy(dtype=float)
    known = ~np.isnan(values) & ~np.isnan(low)
    with np.errstate(invalid="ignore"):
        bad = known & ((values < low) | (values > high))
    if not bad.any():
        return _passed(np.count_nonzero(known))
    wrong = rows[bad]
    subject = wrong[spec.dimension].to_numpy(dtype=object) if spec.dimension else None
    expected = np.where(values[bad] < low[bad], low[bad], high[bad])
    cases = _cases(
        wrong, table, values[bad], expected, low=low[bad], high=high[bad], subject=subject
    )
    return Finding(int(np.count_nonzero(known)), cases)


def _shares_of_counts(rows: pd.DataFrame, table: str, spec: Share) -> Finding:
    for column, value in spec.leave_out.items():
        if column in rows.columns:
            rows = rows[rows[column] != value]
    if rows.empty:
        return _none(f"la table {table} n'a pas de ligne pour ce territoire")
    others = [d for d in schemas.DIMENSIONS.get(table, []) if d != spec.dimension]
    key = _key_codes(rows, ["level", "code", "period", *[d for d in others if d in rows]])
    measure = rows[spec.dimension].to_numpy(dtype=object)
    values = rows["value"].to_numpy(dtype=float)
    is_whole = measure == spec.whole
    if not is_whole.any():
        return _none(f"la table {table} n'a pas de ligne {spec.whole}")
    wholes = pd.Index(key[is_whole])  # one whole per cell (the table's keys are unique)
    checked, parts = 0, []
    for part in spec.parts:
        at = measure == part
        found = wholes.get_indexer(key[at])
        whole = np.where(found >= 0, values[is_whole][found], np.nan)
        numerator = values[at]
        with np.errstate(invalid="ignore"):
            known = ~np.isnan(numerator) & ~np.isnan(whole) & (whole > 0)
            bad = known & ((numerator < 0) | (numerator > whole))
        checked += int(known.sum())
        if bad.any():
            shares = numerator[bad] / whole[bad]
            parts.append(
                _cases(
                    rows[at][bad],
                    table,
                    shares,
                    np.clip(shares, 0.0, 1.0),
                    low=0.0,
                    high=1.0,
                    subject=part,
                    numerator=numerator[bad],
                    whole=whole[bad],
                )
            )
    if not parts:
        return _passed(checked)
    return Finding(checked, pd.concat(parts, ignore_index=True))


def _key_codes(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """One integer per distinct combination of the ``keys`` columns of ``frame``."""
    codes, sizes = [], []
    for column in keys:
        code, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        codes.append(code)
        sizes.append(max(len(uniques), 1))
    return np.ravel_multi_index(codes, sizes)


def categories_sum(context: Context, table: str) -> Finding:
    """Job seekers: ``A + B + C = ABC`` where the table holds the published ``ABC``.

    Notes
    -----
    Tolerance :data:`CATEGORIES_TOLERANCE`: ``|A + B + C − ABC| ≤ max(0.5 % × ABC, 1)``. A
    period where one of the four is masked is not checked, nor a row the cube flags
    ``lower_bound`` (a sum over masked zones: its ``A + B + C`` and its ``ABC`` do not cover
    the same zones).
    """
    rows = context.rows(table)
    if "category" not in rows.columns or not (rows["category"] == "ABC").any():
        return _none(
            f"la table {table} ne porte pas de total ABC publié (le cube n'en garde que les "
            "catégories A, B et C, dont ABC est la somme)"
        )
    rows = rows[~_flag(rows, "lower_bound")]
    dims = [d for d in schemas.DIMENSIONS.get(table, []) if d != "category" and d in rows.columns]
    keys = ["level", "code", "period", *dims]
    wide = rows.set_index([*keys, "category"])["value"].unstack("category")
    wide = wide.reindex(columns=["A", "B", "C", "ABC"])
    complete = wide.notna().all(axis=1)
    wide = wide[complete]
    total = wide["A"] + wide["B"] + wide["C"]
    gap = total - wide["ABC"]
    relative, absolute = CATEGORIES_TOLERANCE
    tolerance = np.maximum(relative * wide["ABC"].abs(), absolute)
    bad = gap.abs() > tolerance
    if not bad.any():
        return _passed(len(wide))
    cases = _cases(
        wide[bad].reset_index(),
        table,
        total[bad].to_numpy(),
        wide.loc[bad, "ABC"].to_numpy(),
        tolerance=tolerance[bad].to_numpy(),
    )
    return Finding(len(wide), cases)


def _count_rows(table: str, data: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``data`` that hold counts: every row of a count table, the
    :data:`~bassin_lib.inputs.cube.COUNT_ROWS` of a rate table."""
    if table not in RATE_TABLES:
        return data
    if table not in COUNT_ROWS:
        return data.iloc[0:0]
    dimension, values = COUNT_ROWS[table]
    return data[data[dimension].isin(values)]


def _published(cube: Cube, table: str) -> list[str]:
    return cube.meta.get("levels", {}).get(table, {}).get("published", [])


def _sums(rows: pd.DataFrame, keys: list[str], expected_members: int | None = None):
    """Sum of ``value`` by ``keys``, NaN where a member is masked, flagged ``lower_bound`` or
    (``expected_members``) absent."""
    grouped = rows.groupby(keys, observed=True, sort=True)
    total = grouped["value"].sum(min_count=1)
    complete = grouped["value"].count() == grouped["value"].size()
    if "lower_bound" in rows.columns:
        complete &= ~grouped["lower_bound"].any()
    if expected_members is not None:
        complete &= grouped["value"].size() == expected_members
    return total.where(complete)


def _france_scope(cube: Cube, table: str) -> set[str]:
    """Zones whose sum the table's France row covers: every zone, or the metropolitan ones
    when its France is France métropolitaine (``meta["france_labels"]``)."""
    zones = cube.referentiel.zones
    if cube.meta.get("france_labels", {}).get(table) == METROPOLITAN:
        zones = zones[~zones["region"].isin(OVERSEAS_REGIONS)]
    return set(zones["zone"])


def _compare_totals(sums: pd.Series, reference: pd.Series, table: str, tolerance) -> Finding:
    """Compare the sums of the zones with a published total, both indexed by ``period`` and
    the table's dimensions; ``tolerance(|reference|)`` is the gap allowed. The cases are
    national (level ``france``)."""
    both = pd.concat([sums.rename("value"), reference.rename("expected")], axis=1, join="inner")
    both = both.dropna()
    if both.empty:
        return _none(f"aucune période de la table {table} où toutes les zones soient connues")
    allowed = tolerance(both["expected"].abs())
    bad = (both["value"] - both["expected"]).abs() > allowed
    if not bad.any():
        return _passed(len(both))
    wrong = both[bad].reset_index().assign(level="france", code=schemas.FRANCE_CODE)
    dims = [d for d in schemas.DIMENSIONS.get(table, []) if d in wrong.columns]
    cases = _cases(
        wrong,
        table,
        wrong["value"].to_numpy(),
        wrong["expected"].to_numpy(),
        tolerance=allowed[bad].to_numpy(),
        dimensions=[
            tuple(zip(dims, values, strict=True))
            for values in wrong[dims].itertuples(index=False, name=None)
        ],
    )
    return Finding(len(both), cases)


def _france_total(cube: Cube, table: str) -> Finding:
    published = _published(cube, table)
    if "france" not in published:
        return _none(f"la France de la table {table} est la somme des zones, calculée ici")
    if "zone" not in published:
        return _none(f"la table {table} ne publie pas de zones")
    data = _count_rows(table, cube.tables[table])
    if data.empty:
        return _none(f"la table {table} ne contient pas d'effectifs")
    keys = ["period", *[d for d in schemas.DIMENSIONS.get(table, []) if d in data.columns]]
    scope = _france_scope(cube, table)
    zones = data[(data["level"] == "zone") & data["code"].isin(scope)]
    france = data[(data["level"] == "france") & (data["code"] == schemas.FRANCE_CODE)]
    return _compare_totals(
        _sums(zones, keys, expected_members=len(scope)),
        france.set_index(keys)["value"],
        table,
        lambda reference: FRANCE_TOLERANCE * reference,
    )


def france_total(context: Context, table: str) -> Finding:
    """The sum of the zones is within :data:`FRANCE_TOLERANCE` of the France the source
    publishes (not applicable when the cube computes France itself, or the table holds rates).

    Notes
    -----
    ``|Σ_z X_z − X_France| ≤ 1 % × X_France`` for each period and dimension, over the zones of
    France's scope (the metropolitan zones for a France métropolitaine,
    :data:`OVERSEAS_REGIONS`). A period where one of them is masked or absent is not checked:
    its sum would be a lower bound. Computed once per cube.
    """
    return context.whole_table("france_total", table, _france_total)


def _regions_sum(cube: Cube, table: str) -> Finding:
    published = _published(cube, table)
    if "region" not in published or "zone" not in published:
        return _none(f"la table {table} ne publie pas à la fois des régions et des zones")
    data = _count_rows(table, cube.tables[table])
    if data.empty:
        return _none(f"la table {table} ne contient pas d'effectifs")
    keys = ["period", *[d for d in schemas.DIMENSIONS.get(table, []) if d in data.columns]]
    # the regions with a figure (a region the source does not publish has none: the cube's
    # sum over its zones without figures), and the zones the référentiel places in them
    regions = data[(data["level"] == "region") & data["value"].notna()]
    regions = regions.rename(columns={"code": "region"})[[*keys, "region", "value"]]
    zones = data[data["level"] == "zone"]
    zones = zones.assign(region=zones["code"].map(cube.referentiel.zones["region"]))
    zones = zones.merge(regions[[*keys, "region"]], on=[*keys, "region"], how="inner")
    relative, absolute = REGIONS_TOLERANCE
    return _compare_totals(
        _sums(zones, keys),
        regions.groupby(keys, observed=True, sort=True)["value"].sum(),
        table,
        lambda reference: np.maximum(relative * reference, absolute),
    )


def regions_sum(context: Context, table: str) -> Finding:
    """The regions the source publishes add up to its zones, within :data:`REGIONS_TOLERANCE`.

    Notes
    -----
    ``|Σ_z X_z − Σ_r X_r| ≤ max(0,1 % × Σ_r X_r, 1)`` for each period and dimension, over the
    regions with a figure and the zones the référentiel places in them (an inter-regional zone
    in the region of most of its communes: only the national sum can be compared, not region
    by region). For INSEE's Estimations d'emploi, whose regions are built from the regional
    parts of the inter-regional zones, this is the check of the parts that the cube still
    allows (module docstring). A period where one of the zones is masked is not checked.
    Computed once per cube.
    """
    return context.whole_table("regions_sum", table, _regions_sum)


@dataclass(frozen=True)
class Kind:
    """A kind of check: its function and its French description."""

    function: Callable
    description: str


KINDS = {
    "non_negative": Kind(non_negative, "aucun effectif négatif"),
    "shares_in_range": Kind(
        shares_in_range, "taux et parts dans leurs bornes (de 0 à 100 %, ou de 0 à 1)"
    ),
    "categories_sum": Kind(
        categories_sum,
        "demandeurs d'emploi des catégories A + B + C égaux au total ABC publié "
        "(à 0,5 % ou 1 personne près)",
    ),
    "france_total": Kind(
        france_total, "somme des zones égale au total France publié par la source (à 1 % près)"
    ),
    "regions_sum": Kind(
        regions_sum,
        "régions publiées par la source égales à la somme de leurs zones, parties régionales "
        "des zones interrégionales comprises (à 0,1 % près)",
    ),
}
"""The kinds of check, by name."""

_EMPLOYMENT = ("employment", "employment_ape", "employment_estel")
SECTION_CHECKS = {
    "population": {"non_negative": ("population", "area"), "france_total": ("population",)},
    "development_model": {
        "non_negative": ("income_base",),
        "shares_in_range": ("income_composition",),
        "france_total": ("income_base",),
    },
    "poverty": {
        "non_negative": ("income_poverty",),
        "shares_in_range": ("income_poverty",),
        "france_total": ("income_poverty",),
        "regions_sum": ("income_poverty",),
    },
    "unemployment": {
        "shares_in_range": ("unemployment_rate",),
        "non_negative": ("employment",),
        "france_total": ("employment",),
    },
    "unemployment_map": {"shares_in_range": ("unemployment_rate",)},
    "long_run": {
        "non_negative": ("employment", "employment_estel"),
        "france_total": ("employment", "employment_estel"),
        "regions_sum": ("employment_estel",),
    },
    "crisis": {"non_negative": ("employment",), "france_total": ("employment",)},
    "sectors": {
        "non_negative": _EMPLOYMENT,
        "france_total": _EMPLOYMENT,
        "regions_sum": ("employment_estel",),
    },
    "jobseekers": {
        "non_negative": ("jobseekers", "jobseekers_monthly", "jobseekers_local"),
        "categories_sum": ("jobseekers", "jobseekers_monthly"),
        "france_total": ("jobseekers", "jobseekers_monthly"),
    },
    "interim": {
        "non_negative": (
            "interim",
            "interim_quarterly",
            "interim_profile",
            "employment_ape",
            "employment",
        ),
        "france_total": (
            "interim",
            "interim_quarterly",
            "interim_profile",
            "employment_ape",
            "employment",
        ),
    },
    "recruitment": {
        "non_negative": ("recruitment_bmo",),
        "shares_in_range": ("recruitment_bmo",),
        "france_total": ("recruitment_bmo",),
    },
}
"""Section → kind of check → the tables of the section it covers: the declaration. A table is
listed under a section when the section reads it (:mod:`bassin_lib.rendering.sections`)."""

CHECKS = tuple(
    Check(section, name, tables, KINDS[name].description, KINDS[name].function)
    for section, declared in SECTION_CHECKS.items()
    for name, tables in declared.items()
)
"""Every declared check, in the notebook's order of sections."""


# --------------------------------------------------------------------------------------------
# Running them
# --------------------------------------------------------------------------------------------


def _places(cube: Cube, territory: Territory, table: str) -> dict:
    """(level, code) → the place as the report names it (the référentiel's labels; France as
    the table's source names it)."""
    labels = {
        (row.level, row.code): row.label
        for row in cube.comparators(territory).itertuples(index=False)
    }
    labels[("france", schemas.FRANCE_CODE)] = cube.meta.get("france_labels", {}).get(
        table, cube.meta.get("france_label", "France")
    )
    return labels


_ROLE = {"territory": 0, "group": 0, "zone": 0, "region": 1, "france": 2}


def _result(check: Check, context: Context, tables: list[str]) -> CheckResult:
    findings = {table: check.function(context, table) for table in tables}
    checked = sum(f.checked for f in findings.values())
    failing = []
    for table, finding in findings.items():
        if finding.cases is None:
            continue
        cases = finding.cases.copy()
        places = _places(context.cube, context.territory, table)
        cases["label"] = [
            places.get((level, code), code)
            for level, code in zip(cases["level"], cases["code"], strict=True)
        ]
        order = cases["level"].map(_ROLE).fillna(3)
        cases = (
            cases.assign(_order=order, _period=cases["period"].astype(str))
            .sort_values(["_order", "_period"], kind="stable")
            .drop(columns=["_order", "_period"])
            .reset_index(drop=True)
        )
        failing.append(cases)
    return CheckResult(
        section=check.section,
        name=check.name,
        ok=not failing,
        description=check.description,
        tables=tuple(tables),
        checked=checked,
        notes=() if checked else tuple(f.note for f in findings.values() if f.note),
        cases=pd.concat(failing, ignore_index=True) if failing else None,
    )


def run_checks(cube: Cube, territory: Territory) -> list[CheckResult]:
    """Run every declared check (:data:`CHECKS`) for one territory.

    Parameters
    ----------
    cube : Cube
    territory : Territory
        A territory of the cube (``cube.territory(id)``); the checks of rows read its rows,
        its region's and France's, the checks of a whole table the whole table.

    Returns
    -------
    list of CheckResult
        One per declared check with at least one of its tables in the cube (a check whose
        tables are all absent is left out: its section says that it has no data), in the
        order of :data:`CHECKS`.

    Raises
    ------
    ParameterError
        ``cube`` is not a Cube, or ``territory`` not one of its territories.

    Notes
    -----
    Costs a few milliseconds per territory: each table's rows are read once for every check
    of every section, and the checks of a whole table run once per cube.

    Examples
    --------
    >>> results = run_checks(cube, cube.territory("2705"))  # doctest: +SKIP
    >>> [blocks.check_detail(r) for r in failed(results, "jobseekers")]  # doctest: +SKIP
    """
    check_territory(cube, territory, allow_none=False)
    context = Context(cube, territory)
    results = []
    for check in CHECKS:
        tables = [t for t in check.tables if t in cube.tables and not cube.tables[t].empty]
        if tables:
            results.append(_result(check, context, tables))
    return results


def failed(results: list[CheckResult], section: str) -> list[CheckResult]:
    """The checks of ``section`` that failed.

    Parameters
    ----------
    results : list of CheckResult
        From :func:`run_checks`.
    section : str
        A section of the notebook (``sections.<name>(d)``); a section that declares no check has
        none.

    Returns
    -------
    list of CheckResult
        Those of ``section`` whose ``ok`` is False, in declaration order.

    Raises
    ------
    ParameterError
        ``section`` is not a string.
    """
    if not isinstance(section, str):
        raise ParameterError(f"section {section!r} is not allowed: expected a section name")
    return [r for r in results if r.section == section and not r.ok]
