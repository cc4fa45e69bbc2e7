"""Population (ANCT / INSEE census): density, growth and change between two years.

:func:`population_density` and :func:`population_growth` take canonical long frames
(:mod:`bassin_lib.inputs.schemas`) for **all** territories at once and work with merges and
groupby only; :func:`population_change` reads the cube. When a frame carries the cube's
boolean columns ``approximate`` and ``lower_bound`` they are propagated; otherwise they count
as false. Masked cells (``NaN``) give missing results, never zeros.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bassin_lib.analysis.common import (
    CHANGE_COLUMNS,
    FLAGS,
    change_between,
    check_window,
    cube_change,
    frame_span,
    long_rows,
    shared_doc,
)
from bassin_lib.errors import ParameterError
from bassin_lib.inputs.territories import Territory

TABLE = "population"
KEYS = ["level", "code", "period"]
VALUE_COLUMNS = ["level", "code", "period", "value"]


def population_density(population: pd.DataFrame, area: pd.DataFrame) -> pd.DataFrame:
    """Inhabitants per km², for every territory and year of the population frame.

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
    people = long_rows(population, "population", VALUE_COLUMNS, freqs="Y")
    surface = long_rows(area, "area", VALUE_COLUMNS, freqs="Y")
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
    """Population change between two years: total, % and annualised rate.

    Parameters
    ----------
    population : DataFrame
        Canonical ``population`` frame ``level, code, period, value`` (yearly periods).
    start, end : str or Period
        Years of the frame such as ``"2014"`` and ``"2020"``; ``start`` before ``end``.

    Returns
    -------
    DataFrame
        One row per territory of the frame, in order of first appearance: ``level, code,
        start, end, start_value, end_value, change, change_pct, annual_change_pct,
        approximate, lower_bound`` (true when either end is).

    Raises
    ------
    ParameterError
        A malformed frame, a year that does not parse or lies outside the frame's years, or
        ``start`` not before ``end``.

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
    rows = long_rows(population, "population", VALUE_COLUMNS, freqs="Y")
    first, last = check_window(start, end, frame_span(rows, "population frame"), strict=True)
    out = change_between(rows, first, last, ["level", "code"])
    for flag in FLAGS:
        out[flag] = out[flag].astype("boolean").fillna(False).astype(bool)
    base = out["start_value"].where(out["start_value"] > 0)
    years = last.year - first.year
    out["change_pct"] = 100.0 * out["change"] / base
    out["annual_change_pct"] = 100.0 * ((out["end_value"] / base) ** (1.0 / years) - 1.0)
    return out[["level", "code", *CHANGE_COLUMNS, "change_pct", "annual_change_pct", *FLAGS]]


@shared_doc
def population_change(cube, territory: Territory | None, start: str, end: str) -> pd.DataFrame:
    """Population at two years and its change (count and %), territory vs region vs France.

    Parameters
    ----------
    {{cube_territory}}
    start, end : str or Period
        Years of the population table (``"2014"``), ``start`` not after ``end``.

    Returns
    -------
    {{change_rows}}

    Raises
    ------
    ParameterError
        A territory not of this cube, a year that does not parse or lies outside the table's
        years, ``start`` after ``end``.

    Notes
    -----
    ``change = P_end − P_start``; ``change_pct = 100 × change / P_start``.
    """
    return cube_change(cube, TABLE, territory, start, end)
