"""Registered job seekers (France Travail / DARES).

Two sources, two readings:

- ``jobseekers``: DARES quarterly counts by zone d'emploi, categories A, B, C and ABC
  (:func:`jobseekers_series`, :func:`jobseekers_change`, :func:`jobseeker_shares`);
- ``jobseekers_local``: France Travail's monthly STMT counts by département, region and commune
  of more than 5,000 inhabitants, category not stated by the source. No zone is published:
  :func:`jobseekers_departements` and :func:`jobseekers_departements_change` read the
  départements a territory covers, summed (a wider area than the territory), against its
  region; :func:`jobseekers_communes_change` reads the territory's large communes.
"""

from __future__ import annotations

import pandas as pd

from bassin_lib.analysis.common import (
    FLAGS,
    change_between,
    check_bool,
    check_territory,
    check_window,
    cube_change,
    cube_table,
    long_rows,
    select_rows,
    shared_doc,
    table_span,
)
from bassin_lib.analysis.seasonal import seasonally_adjust
from bassin_lib.errors import ParameterError
from bassin_lib.inputs import schemas
from bassin_lib.inputs.territories import Territory

TABLE = "jobseekers"
CATEGORIES = ["A", "B", "C", "ABC"]
JOBSEEKER_CATEGORIES = ["A", "B", "C"]
KEYS = ["level", "code", "period"]
LOCAL_TABLE = "jobseekers_local"
LOCAL_ROLES = ["departements", "region", "france"]
"""Rows of the département reading: the départements covered (summed), the territory's
region (as published), France (published, or the sum of every département)."""
DEFAULT_MONTHS = 12
"""Default window of the monthly changes: the last 12 months of the table."""


@shared_doc
def jobseekers_series(cube, territory: Territory | None) -> pd.DataFrame:
    """Job seekers by category (A, B, C and their sum ABC), territory vs region vs France.

    Parameters
    ----------
    {{cube_territory}}

    Returns
    -------
    DataFrame
        ``role, label, period, category, value, approximate, lower_bound``, by role, then
        category (A, B, C, ABC), then period.

    Raises
    ------
    ParameterError
        A territory not of this cube.

    Notes
    -----
    ``ABC = A + B + C``; it is missing when one of them is.
    """
    rows, keys = select_rows(cube, TABLE, territory)
    rows = rows[[*keys, "period", "category", "value", *FLAGS]]
    grouped = rows.groupby([*keys, "period"], sort=False)
    abc = grouped["value"].sum(min_count=3).to_frame()
    abc[FLAGS] = grouped[FLAGS].any()
    abc = abc.reset_index().assign(category="ABC")
    out = pd.concat([rows, abc], ignore_index=True)
    order = out["category"].map({c: i for i, c in enumerate(CATEGORIES)})
    by = [*keys, "_order", "period"]
    if territory is not None:
        order = order + 10 * out["role"].map({"territory": 0, "region": 1, "france": 2})
        by = ["_order", "period"]
    return (
        out.assign(_order=order)
        .sort_values(by, kind="stable", ignore_index=True)
        .drop(columns="_order")
    )


@shared_doc
def jobseekers_change(
    cube, territory: Territory | None, start: str = "2019Q4", end: str = "2020Q4"
) -> pd.DataFrame:
    """Change in job seekers by category between two quarters.

    Parameters
    ----------
    {{cube_territory}}
    start, end : str or Period, default "2019Q4", "2020Q4"
        Quarters of the job-seekers table, ``start`` not after ``end``.

    Returns
    -------
    DataFrame
        One row per (role, category): ``role, label, category, start, end, start_value,
        end_value, change, change_pct, approximate, lower_bound``.

    Raises
    ------
    ParameterError
        A territory not of this cube, a quarter that does not parse or lies outside the
        table's periods, ``start`` after ``end``.

    Notes
    -----
    ``change = DE_end − DE_start``; ``change_pct = 100 × change / DE_start``, for each
    category and ABC (:func:`jobseekers_series`).
    """
    rows = jobseekers_series(cube, territory)
    return cube_change(cube, TABLE, territory, start, end, by=("category",), rows=rows)


def jobseeker_shares(jobseekers: pd.DataFrame) -> pd.DataFrame:
    """Shares of categories A, B and C in the job seekers ABC, and of B + C (E1–E3).

    Parameters
    ----------
    jobseekers : DataFrame
        Canonical ``jobseekers`` (quarterly) or ``jobseekers_monthly`` frame ``level, code,
        period, category, value``; ``ABC`` rows, when present, are ignored (ABC is rebuilt as
        A + B + C).

    Returns
    -------
    DataFrame
        One row per territory and period, sorted: ``level, code, period, A, B, C, ABC,
        share_A, share_B, share_C, share_BC`` (fractions between 0 and 1), ``approximate``,
        ``lower_bound`` (true when one of the counts is).

    Raises
    ------
    ParameterError
        A malformed frame or a category other than A, B, C and ABC (named, with the
        allowed ones).

    Notes
    -----
    ``ABC = A + B + C``; ``share_X = X / ABC``; ``share_BC = (B + C) / ABC``, the job seekers with
    some work in the month (« activité réduite »: B up to 78 hours, C more), whom the source study
    describes as « largement composées de travailleurs intérimaires ». ``ABC`` and every share are
    ``NaN`` when one category is masked or absent (a share over a partial total would be
    overstated), and the shares when ``ABC`` is 0. ``share_A + share_B + share_C = 1``.
    Examples
    --------
    >>> jobseeker_shares(cube.tables["jobseekers"]).query("code == '2705'")
    """
    rows = long_rows(jobseekers, "jobseekers", ["level", "code", "period", "category", "value"])
    unknown = sorted(set(rows["category"]) - {*JOBSEEKER_CATEGORIES, "ABC"})
    if unknown:
        raise ParameterError(
            f"unknown job-seeker category {unknown}: allowed {[*JOBSEEKER_CATEGORIES, 'ABC']}"
        )
    rows = rows[rows["category"] != "ABC"]
    wide = rows.pivot(index=KEYS, columns="category", values="value").reindex(
        columns=JOBSEEKER_CATEGORIES
    )
    wide.columns.name = None
    wide["ABC"] = wide[JOBSEEKER_CATEGORIES].sum(axis=1, min_count=3)
    total = wide["ABC"].where(wide["ABC"] > 0)
    for category in JOBSEEKER_CATEGORIES:
        wide[f"share_{category}"] = wide[category] / total
    wide["share_BC"] = (wide["B"] + wide["C"]) / total
    flags = rows.groupby(KEYS)[FLAGS].any()
    out = wide.join(flags).reset_index()
    return out.sort_values(KEYS, kind="stable", ignore_index=True)


# --------------------------------------------------------------------------------------------
# France Travail STMT, monthly, by département and commune (``jobseekers_local``)
# --------------------------------------------------------------------------------------------


def _zoning_departements(cube) -> list[str]:
    """Every département of the zoning (the zones' ``departements``), sorted."""
    found = {d for ds in cube.referentiel.zones["departements"] for d in str(ds).split(",") if d}
    return sorted(found)


def _summed(rows: pd.DataFrame, codes: list[str], periods: pd.Index) -> pd.DataFrame:
    """Sum of the département rows of ``codes`` by period: NaN unless every code has a value.

    Returns ``period, value, parts`` (number of cells summed) for every period of ``periods``.
    """
    wide = (
        rows[rows["code"].isin(codes)]
        .pivot(index="period", columns="code", values="value")
        .reindex(index=periods, columns=codes)
    )
    parts = wide.notna().sum(axis=1)
    value = wide.sum(axis=1, min_count=1).where(parts == len(codes))
    out = pd.DataFrame({"value": value, "parts": parts.astype(int)})
    out.index.name = "period"
    return out.reset_index()


def _published(data: pd.DataFrame, level: str, code: str, periods: pd.Index) -> pd.DataFrame:
    """``period, value, parts, missing`` of one published geography (``missing``: its code when
    the table has no row of it)."""
    rows = data[(data["level"] == level) & (data["code"] == code)]
    value = rows.set_index("period")["value"].reindex(periods)
    out = pd.DataFrame({"value": value, "parts": value.notna().astype(int)}).reset_index()
    return out.assign(missing="" if len(rows) else code)


def _local_rows(cube, territory: Territory) -> pd.DataFrame:
    """The département reading of :func:`jobseekers_departements`, unchecked."""
    data = cube_table(cube, LOCAL_TABLE)
    periods = pd.Index(sorted(data["period"].unique()), name="period")
    departements = data[data["level"] == "departement"]
    covered = list(territory.departements)
    published = set(departements["code"])
    every = _zoning_departements(cube)
    parts = []
    own = _summed(departements, covered, periods)
    own = own.assign(
        role="departements",
        code="+".join(covered),
        label=" + ".join(covered),
        missing=", ".join(c for c in covered if c not in published),
    )
    parts.append(own)
    region = _published(data, "region", territory.region, periods)
    parts.append(region.assign(role="region", code=territory.region, label=territory.region_label))
    france = _published(data, "france", schemas.FRANCE_CODE, periods)
    if not (data["level"] == "france").any():  # not published: the sum of every département
        france = _summed(departements, every, periods).assign(
            missing=", ".join(c for c in every if c not in published)
        )
    parts.append(
        france.assign(
            role="france", code=schemas.FRANCE_CODE, label=cube.meta.get("france_label", "France")
        )
    )
    out = pd.concat(parts, ignore_index=True)
    out["value"] = out["value"].astype(float)
    out["approximate"] = False
    out["lower_bound"] = False
    return out[["role", "code", "label", "period", "value", "parts", "missing", *FLAGS]]


def jobseekers_departements(cube, territory: Territory, *, adjust: bool = False) -> pd.DataFrame:
    """Monthly job seekers of the départements a territory covers, summed, against its region
    and France (France Travail STMT, ``jobseekers_local``).

    Parameters
    ----------
    cube : Cube
        A cube holding the ``jobseekers_local`` table.
    territory : Territory
        A territory of the cube; its départements are ``territory.departements`` (those holding
        at least one of its communes; for a group of zones, the union of its zones').
    adjust : bool, default False
        True: each role's series seasonally adjusted by bassin_lib
        (:func:`bassin_lib.analysis.seasonal.seasonally_adjust`, STL, multiplicative), with a
        column ``adjusted`` telling which were; the STMT counts are raw (see Notes).

    Returns
    -------
    DataFrame
        One row per role and month of the table, in the order of :data:`LOCAL_ROLES`:
        ``role`` (``"departements"``, ``"region"``, ``"france"``), ``code`` (``"25+70+90"``,
        the region code, ``"FR"``), ``label`` (the codes summed, ``"25 + 70 + 90"``; the region's
        name; France), ``period`` (month), ``value`` (job seekers; NaN when not computable),
        ``parts`` (cells summed that month), ``missing`` (codes the table never publishes:
        départements of the sum, the region, or, for France, the départements of the zoning),
        ``approximate`` and ``lower_bound`` (always false: nothing is estimated); with
        ``adjust=True``, ``value`` seasonally adjusted where ``adjusted`` (bool, per role) is
        true, as computed (raw) elsewhere.

    Raises
    ------
    ParameterError
        ``territory`` is not a territory of this cube (``None`` is refused: the reading is of
        one territory); ``adjust`` not a bool.
    DataFormatError
        The cube has no ``jobseekers_local`` table.

    Notes
    -----
    ``DE_dép(t) = Σ_{d ∈ D} DE_d(t)``, ``D`` the départements covered by the territory. The sum
    is NaN in a month where one of them has no value (absent or masked): a partial sum would
    understate the count. It describes the whole départements, a wider area than the territory
    (the source publishes no zone d'emploi). The region is taken as published (no sum). France
    is the published France row if any, else ``Σ`` over every département of the zoning when
    each has a value that month, else NaN (the 2020-2024 extract lacks Yvelines and Mayotte:
    France is NaN). The source rounds each cell to 10: a sum of ``n`` cells is within
    ``± 5 n`` of the unrounded sum. Category not stated by the source.

    The STMT counts are raw, not seasonally adjusted (France Travail's query publishes the
    monthly stocks as they are; the file states no correction). With ``adjust=True`` each
    role's monthly series (the sum, the region, France) is adjusted after the sum: ``CVS_t =
    DE_t / S_t``, ``S`` its STL seasonal factor (robust, period 12, seasonal window 7). A
    series with a missing month inside its span (a masked département in the sum) or under 36
    observed months is left raw, ``adjusted`` false; France, never computable from the
    2020-2024 extract, stays NaN.
    """
    check_territory(cube, territory, allow_none=False)
    check_bool(adjust, "adjust")
    rows = _local_rows(cube, territory)
    if not adjust:
        return rows
    return seasonally_adjust(rows, keys=("role",), model="multiplicative")


def _month_window(cube, start, end) -> tuple[pd.Period, pd.Period]:
    """``start`` and ``end`` checked against the months of ``jobseekers_local``; None: the last
    :data:`DEFAULT_MONTHS` months (``end`` the last month, ``start`` 12 months before)."""
    span = table_span(cube, LOCAL_TABLE)
    first, last = check_window(start, end, span, optional=True)
    if last is None:
        last = span.last
    if first is None:
        first = max(last - DEFAULT_MONTHS, span.first)
    if first > last:
        raise ParameterError(f"start {first} must not be after end {last}")
    return first, last


def jobseekers_departements_change(
    cube, territory: Territory, start=None, end=None
) -> pd.DataFrame:
    """Change in job seekers of the départements a territory covers, its region and France,
    between two months (France Travail STMT).

    Parameters
    ----------
    cube : Cube
    territory : Territory
        A territory of the cube (see :func:`jobseekers_departements`).
    start, end : str or Period, optional
        Months of the ``jobseekers_local`` table (``"2020-01"``), ``start`` not after ``end``.
        Default: ``end`` the last month of the table, ``start`` 12 months earlier (or the first
        month, if the table is shorter).

    Returns
    -------
    DataFrame
        One row per role (``departements``, ``region``, ``france``): ``role, code, label,
        start, end, start_value, end_value, change, change_pct, parts`` (cells summed at
        ``end``), ``missing`` (as in :func:`jobseekers_departements`), ``approximate``,
        ``lower_bound``.

    Raises
    ------
    ParameterError
        A territory not of this cube, a month that does not parse or lies outside the table,
        ``start`` after ``end``.

    Notes
    -----
    ``change = DE_fin − DE_début``; ``change_pct = 100 × change / DE_début``, ``DE`` the sum
    of :func:`jobseekers_departements`.
    """
    check_territory(cube, territory, allow_none=False)
    first, last = _month_window(cube, start, end)
    rows = _local_rows(cube, territory)
    out = change_between(rows, first, last, ["role", "code", "label"])
    at_end = rows[rows["period"] == last].set_index("role")[["parts", "missing"]]
    out = out.join(at_end, on="role")
    return out[
        [
            "role",
            "code",
            "label",
            "start",
            "end",
            "start_value",
            "end_value",
            "change",
            "change_pct",
            "parts",
            "missing",
            *FLAGS,
        ]
    ]


def jobseekers_communes_change(cube, territory: Territory, start=None, end=None) -> pd.DataFrame:
    """Job seekers of the territory's communes of more than 5,000 inhabitants that France
    Travail publishes, and their change between two months (STMT).

    Parameters
    ----------
    cube : Cube
        With the ``jobseekers_local`` table and ``meta["communes"]`` (commune → label and zone,
        :func:`bassin_lib.inputs.real.commune_index`).
    territory : Territory
    start, end : str or Period, optional
        As in :func:`jobseekers_departements_change` (default: the last 12 months).

    Returns
    -------
    DataFrame
        One row per commune of the territory's zones published at level ``commune``: ``code,
        label, zone, start, end, start_value, end_value, change, change_pct, approximate,
        lower_bound``, largest count at ``end`` first (NaN last), then by code. Empty (same
        columns) when the territory has none or the cube does not locate communes.

    Raises
    ------
    ParameterError
        As :func:`jobseekers_departements_change`.

    Notes
    -----
    ``change_pct = 100 × (DE_fin − DE_début) / DE_début`` for each commune. Only communes of
    more than 5,000 inhabitants are published: their sum is not the territory's count.
    A commune given two different counts by the file is NaN (reader's notes).
    """
    check_territory(cube, territory, allow_none=False)
    first, last = _month_window(cube, start, end)
    data = cube_table(cube, LOCAL_TABLE)
    zones = set(territory.zones)
    own = {
        code: (label, zone)
        for code, (label, zone) in cube.meta.get("communes", {}).items()
        if zone in zones
    }
    rows = data[(data["level"] == "commune") & data["code"].isin(own)]
    rows = rows.assign(**{flag: False for flag in FLAGS})
    columns = [
        "code",
        "label",
        "zone",
        "start",
        "end",
        "start_value",
        "end_value",
        "change",
        "change_pct",
        *FLAGS,
    ]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    out = change_between(rows, first, last, ["code"])
    out["label"] = out["code"].map(lambda c: own[c][0])
    out["zone"] = out["code"].map(lambda c: own[c][1])
    out = out.sort_values("code", kind="stable").sort_values(
        "end_value", ascending=False, na_position="last", kind="stable"
    )
    return out[columns].reset_index(drop=True)
