"""Population and labour-market context: density, growth, labour-force identity, job seekers.

Domain catalogue J1, J4 (population), E5 and method 7 of §5.4 (labour force), E3 (job-seeker
categories). Functions take canonical long frames (:mod:`bassin_lib.schemas`) for **all**
territories at once and work with merges and groupby only. When a frame carries the cube's
boolean columns ``approximate`` and ``lower_bound`` they are propagated; otherwise they count
as false. Masked cells (``NaN``) give missing results, never zeros.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bassin_lib.errors import ParameterError
from bassin_lib.indicators.common import FLAGS, change_between
from bassin_lib.indicators.common import check_choice as _check_choice
from bassin_lib.indicators.common import frequency as _freq
from bassin_lib.indicators.common import long_rows as _long_rows
from bassin_lib.indicators.common import parse_period as _period

KEYS = ["level", "code", "period"]
VALUE_COLUMNS = ["level", "code", "period", "value"]
JOBSEEKER_CATEGORIES = ["A", "B", "C"]
ADJUSTMENTS = ["brut", "cvs"]


def population_density(population: pd.DataFrame, area: pd.DataFrame) -> pd.DataFrame:
    """Inhabitants per km², for every territory and year of the population frame (J4).

    Parameters
    ----------
    population : DataFrame
        Canonical ``population`` frame ``level, code, period, value`` (yearly periods).
    area : DataFrame
        Canonical ``area`` frame ``level, code, period, value`` (km², yearly periods).

    Returns
    -------
    DataFrame
        One row per population row, in input order: ``level, code, period, population, area,
        area_period`` (the year of the area used), ``density``, ``approximate``,
        ``lower_bound`` (the population is a lower bound, so is the density).

    Raises
    ------
    ParameterError
        A malformed frame (missing column, non-yearly periods, duplicated cells) or an area
        that is not positive.

    Notes
    -----
    ``density = P_y / S_y'`` where ``S_y'`` is the area of the same territory in the latest
    year ``y' ≤ y`` for which the area frame has a value (as-of match): a commune merger or a
    boundary change after ``y`` does not reach back. Areas change little, but the census
    geography does, and an area from a later geography would mix two perimeters. A population
    year before the first area year of the territory (the population series start in 1876,
    the area series in 1968) gets ``NaN`` rather than an area of a later year; so does a masked
    population. ``approximate`` is true when either input is approximate or the area is a
    lower bound.

    Examples
    --------
    >>> density = population_density(read_population(p), read_area(a))
    >>> density.query("code == '2705' and period == '2020'")
    """
    people = _long_rows(population, "population", VALUE_COLUMNS, freqs="Y")
    surface = _long_rows(area, "area", VALUE_COLUMNS, freqs="Y")
    bad = surface["value"] <= 0
    if bad.any():
        row = surface.loc[bad].iloc[0]
        raise ParameterError(
            f"area of {row['level']} {row['code']} in {row['period']} is {row['value']}; "
            "an area must be positive (km²)"
        )
    surface = surface[surface["value"].notna()]
    left = people.assign(_year=people["period"].dt.year, _order=np.arange(len(people)))
    right = pd.DataFrame(
        {
            "level": surface["level"],
            "code": surface["code"],
            "_year": surface["period"].dt.year,
            "area": surface["value"],
            "area_period": surface["period"],
            "area_approximate": surface["approximate"] | surface["lower_bound"],
        }
    )
    merged = pd.merge_asof(
        left.sort_values("_year", kind="stable"),
        right.sort_values("_year", kind="stable"),
        on="_year",
        by=["level", "code"],
        direction="backward",
    ).sort_values("_order", kind="stable", ignore_index=True)
    area_approximate = merged["area_approximate"].astype("boolean").fillna(False)
    return pd.DataFrame(
        {
            **{k: merged[k] for k in KEYS},
            "population": merged["value"],
            "area": merged["area"],
            "area_period": merged["area_period"],
            "density": merged["value"] / merged["area"],
            "approximate": (merged["approximate"] | area_approximate).astype(bool),
            "lower_bound": merged["lower_bound"].astype(bool),
        }
    )


def population_growth(population: pd.DataFrame, start, end) -> pd.DataFrame:
    """Population change between two years: total, % and annualised rate (J1).

    Parameters
    ----------
    population : DataFrame
        Canonical ``population`` frame ``level, code, period, value`` (yearly periods).
    start, end : str or Period
        Years such as ``"2014"`` and ``"2020"``; ``start`` before ``end``.

    Returns
    -------
    DataFrame
        One row per territory of the frame, in order of first appearance: ``level, code,
        start, end, start_value, end_value, change, change_pct, annual_change_pct,
        approximate, lower_bound`` (true when either end is).

    Raises
    ------
    ParameterError
        A malformed frame, a bad year, or ``start`` not before ``end``.

    Notes
    -----
    ``change = P_end − P_start``; ``change_pct = 100 × change / P_start``;
    ``annual_change_pct = 100 × ((P_end / P_start)^(1 / n) − 1)`` with ``n = end − start`` in
    years (compound annual rate). All are ``NaN`` when either end is missing, and the rates
    when ``P_start`` is 0.

    Examples
    --------
    >>> population_growth(population, "2014", "2020")
    """
    rows = _long_rows(population, "population", VALUE_COLUMNS, freqs="Y")
    first = _period(start, rows, "start")
    last = _period(end, rows, "end")
    if first >= last:
        raise ParameterError(f"start {first} must be before end {last}")
    out = change_between(rows, first, last, ["level", "code"])
    for flag in FLAGS:
        out[flag] = out[flag].astype("boolean").fillna(False).astype(bool)
    base = out["start_value"].where(out["start_value"] > 0)
    years = last.year - first.year
    out["change_pct"] = 100.0 * out["change"] / base
    out["annual_change_pct"] = 100.0 * ((out["end_value"] / base) ** (1.0 / years) - 1.0)
    return out[
        [
            "level",
            "code",
            "start",
            "end",
            "start_value",
            "end_value",
            "change",
            "change_pct",
            "annual_change_pct",
            *FLAGS,
        ]
    ]


def labour_force_identity(
    unemployment_rate: pd.DataFrame,
    employment_count: pd.DataFrame,
    start,
    end,
    *,
    sector: str = "TOTAL",
    adjustment: str = "cvs",
) -> pd.DataFrame:
    """Split the change in unemployment between labour force and employment (E5, §5.4 item 7).

    Parameters
    ----------
    unemployment_rate : DataFrame
        Canonical ``unemployment_rate`` frame ``level, code, period, value`` (%, quarterly).
    employment_count : DataFrame
        Employment counts ``level, code, period, value`` at the same frequency, e.g. the
        canonical ``employment`` frame (Urssaf private salaried jobs). When it has ``sector``
        or ``adjustment`` columns, only the rows of ``sector`` and ``adjustment`` are used.
    start, end : str or Period
        Periods such as ``"2019Q4"``, ``"2020Q4"``; ``start`` before ``end``.
    sector : str, default "TOTAL"
        Sector rows of ``employment_count`` to use.
    adjustment : {"cvs", "brut"}, default "cvs"
        Adjustment rows of ``employment_count`` to use (the unemployment rate is CVS).

    Returns
    -------
    DataFrame
        One row per territory present in both frames, sorted: ``level, code, start, end,
        rate_start, rate_end`` (%), ``employment_start, employment_end, labour_force_start,
        labour_force_end, unemployed_start, unemployed_end, change_employment,
        change_labour_force, change_unemployed, labour_force_part, employment_part,
        approximate, lower_bound`` (true when an input cell is: levels built on a lower-bound
        employment are lower bounds too, the changes and parts are not bounds).

    Raises
    ------
    ParameterError
        A malformed frame, frames of different frequencies, a rate outside 0–100, a bad
        period, ``start`` not before ``end``, or an unknown adjustment.

    Notes
    -----
    With the unemployment rate ``u = U / (E + U)`` (as a fraction), the labour force and the
    unemployed implied by the employment count ``E`` are, at each date,
    ``L = E / (1 − u)`` and ``U = u × L = L − E``. Between the two dates
    ``ΔU = ΔL − ΔE`` exactly, so the change in unemployment is the sum of
    ``labour_force_part = ΔL`` (labour force growing or shrinking: demography, migration,
    participation) and ``employment_part = −ΔE`` (jobs lost or created). The seed reads a
    stable rate explained « non pas par des bonnes performances de créations d'emploi … mais
    par la baisse de la population active »: ``ΔL < 0`` with ``−ΔE ≥ 0``.

    ``E`` here is the employment count provided, not the census employment of residents: with
    Urssaf private salaried jobs (the default use) it leaves out the public sector,
    self-employment and most agriculture, and counts jobs where the establishment is, while
    INSEE's rate is measured on residents. ``L`` and ``U`` are therefore the labour force and
    unemployed *implied on that employment base*, an approximation of the true ones (their
    levels are understated, in proportion to the share of employment left out); the
    decomposition is exact algebra on these figures and reads as an order of magnitude.
    A rate of 100 % gives ``NaN`` (``L`` undefined).

    Examples
    --------
    >>> cvs = cube.tables["employment"]
    >>> labour_force_identity(cube.tables["unemployment_rate"], cvs, "2014Q4", "2019Q4")
    """
    _check_choice(adjustment, "adjustment", ADJUSTMENTS)
    if not isinstance(sector, str):
        raise ParameterError(f"sector must be a string such as 'TOTAL', not {sector!r}")
    rates = _long_rows(unemployment_rate, "unemployment_rate", VALUE_COLUMNS)
    if isinstance(employment_count, pd.DataFrame):
        keep = pd.Series(True, index=employment_count.index)
        if "sector" in employment_count.columns:
            keep &= employment_count["sector"] == sector
        if "adjustment" in employment_count.columns:
            keep &= employment_count["adjustment"] == adjustment
        employment_count = employment_count[keep]
    jobs = _long_rows(employment_count, "employment_count", VALUE_COLUMNS)
    if _freq(rates) != _freq(jobs):
        raise ParameterError(
            f"unemployment_rate periods are {rates['period'].array.freqstr} but employment_count "
            f"periods are {jobs['period'].array.freqstr}; give both at the same frequency"
        )
    outside = (rates["value"] < 0) | (rates["value"] > 100)
    if outside.any():
        row = rates.loc[outside].iloc[0]
        raise ParameterError(
            f"unemployment rate {row['value']} for {row['level']} {row['code']} in "
            f"{row['period']} is outside 0–100 (%)"
        )
    first = _period(start, rates, "start")
    last = _period(end, rates, "end")
    if first >= last:
        raise ParameterError(f"start {first} must be before end {last}")
    pairs = (
        rates[["level", "code"]]
        .drop_duplicates()
        .merge(jobs[["level", "code"]].drop_duplicates(), on=["level", "code"])
        .sort_values(["level", "code"], ignore_index=True)
    )
    out = pairs.assign(start=first, end=last)
    flags = {flag: np.zeros(len(pairs), dtype=bool) for flag in FLAGS}
    ends = [(rates, first, "rate_start"), (rates, last, "rate_end")]
    ends += [(jobs, first, "employment_start"), (jobs, last, "employment_end")]
    for rows, period, name in ends:  # the four ends of the computation, not territories
        at = pairs.merge(
            rows.loc[rows["period"] == period, ["level", "code", "value", *FLAGS]],
            on=["level", "code"],
            how="left",
        )
        out[name] = at["value"].to_numpy(dtype=float)
        for flag in FLAGS:
            flags[flag] |= at[flag].astype("boolean").fillna(False).to_numpy(dtype=bool)
    for when in ("start", "end"):
        u = out[f"rate_{when}"] / 100.0
        employed = out[f"employment_{when}"]
        labour_force = employed / (1.0 - u).where(u < 1)
        out[f"labour_force_{when}"] = labour_force
        out[f"unemployed_{when}"] = labour_force - employed
    out["change_employment"] = out["employment_end"] - out["employment_start"]
    out["change_labour_force"] = out["labour_force_end"] - out["labour_force_start"]
    out["change_unemployed"] = out["unemployed_end"] - out["unemployed_start"]
    out["labour_force_part"] = out["change_labour_force"]
    out["employment_part"] = -out["change_employment"]
    for flag in FLAGS:
        out[flag] = flags[flag]
    return out


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
        A malformed frame or a category other than A, B, C and ABC.

    Notes
    -----
    ``ABC = A + B + C``; ``share_X = X / ABC``; ``share_BC = (B + C) / ABC``, the job seekers
    with some work in the month (« activité réduite »: B up to 78 hours, C more), whom the seed
    describes as « largement composées de travailleurs intérimaires ». ``ABC`` and every
    share are ``NaN`` when one category is masked or absent (a share over a partial total
    would be overstated), and the shares when ``ABC`` is 0. ``share_A + share_B + share_C = 1``.

    Examples
    --------
    >>> jobseeker_shares(cube.tables["jobseekers"]).query("code == '2705'")
    """
    rows = _long_rows(jobseekers, "jobseekers", ["level", "code", "period", "category", "value"])
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
