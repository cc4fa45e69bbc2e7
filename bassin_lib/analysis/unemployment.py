"""Unemployment: localised unemployment rate (INSEE) and the labour-force identity that splits
its change between labour force and employment."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bassin_lib.analysis.common import (
    FLAGS,
    check_choice,
    check_window,
    cube_change,
    frame_span,
    frequency,
    long_rows,
    select_rows,
    shared_doc,
)
from bassin_lib.errors import ParameterError
from bassin_lib.inputs.territories import Territory

TABLE = "unemployment_rate"
VALUE_COLUMNS = ["level", "code", "period", "value"]
ADJUSTMENTS = ["brut", "cvs"]


@shared_doc
def unemployment_rate_series(cube, territory: Territory | None) -> pd.DataFrame:
    """Quarterly unemployment rate (%), territory vs region vs France.

    Parameters
    ----------
    {{cube_territory}}

    Returns
    -------
    DataFrame
        ``role, label, period, value, approximate, lower_bound``; ``approximate`` is true for a
        group of several zones.

    Raises
    ------
    ParameterError
        A territory not of this cube.

    Notes
    -----
    Rates as published for zones, regions and France; for a group of several zones, the
    population-weighted mean of its zones' rates, ``u_G = Σ_z P_z u_z / Σ_z P_z`` (population
    of the latest year).
    """
    rows, keys = select_rows(cube, TABLE, territory)
    return rows[[*keys, "period", "value", *FLAGS]]


@shared_doc
def unemployment_rate_change(
    cube, territory: Territory | None, start: str, end: str
) -> pd.DataFrame:
    """Unemployment rate at two quarters and its change in points.

    Parameters
    ----------
    {{cube_territory}}
    start, end : str or Period
        Quarters of the unemployment-rate table, ``start`` not after ``end``.

    Returns
    -------
    DataFrame
        The columns of :func:`~bassin_lib.analysis.employment_change` but ``change_pct``:
        ``change`` is in points.

    Raises
    ------
    ParameterError
        A territory not of this cube, a quarter that does not parse or lies outside the
        table's periods, ``start`` after ``end``.

    Notes
    -----
    ``change = u_end − u_start``, in percentage points.
    """
    rows = unemployment_rate_series(cube, territory)
    out = cube_change(cube, TABLE, territory, start, end, rows=rows)
    return out.drop(columns="change_pct")


def labour_force_identity(
    unemployment_rate: pd.DataFrame,
    employment_count: pd.DataFrame,
    start,
    end,
    *,
    sector: str = "TOTAL",
    adjustment: str = "cvs",
) -> pd.DataFrame:
    """Split the change in unemployment between labour force and employment (registry id E5).

    Parameters
    ----------
    unemployment_rate : DataFrame
        Canonical ``unemployment_rate`` frame ``level, code, period, value`` (%, quarterly).
    employment_count : DataFrame
        Employment counts ``level, code, period, value`` at the same frequency, e.g. the
        canonical ``employment`` frame (Urssaf private salaried jobs). When it has ``sector``
        or ``adjustment`` columns, only the rows of ``sector`` and ``adjustment`` are used.
    start, end : str or Period
        Periods such as ``"2019Q4"``, ``"2020Q4"``, within the periods of both frames;
        ``start`` before ``end``.
    sector : str, default "TOTAL"
        Sector rows of ``employment_count`` to use (one of its sectors, when it has a
        ``sector`` column).
    adjustment : {"cvs", "brut"}, default "cvs"
        Adjustment rows of ``employment_count`` to use (the unemployment rate is CVS); one of
        its adjustments when it has an ``adjustment`` column.

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
        A malformed frame, frames of different frequencies, a rate outside 0–100, a period
        that does not parse or lies outside either frame's periods, ``start`` not before
        ``end``, or a sector or adjustment absent from ``employment_count``.

    Notes
    -----
    With the unemployment rate ``u = U / (E + U)`` (as a fraction), the labour force and the
    unemployed implied by the employment count ``E`` are, at each date,
    ``L = E / (1 − u)`` and ``U = u × L = L − E``. Between the two dates
    ``ΔU = ΔL − ΔE`` exactly, so the change in unemployment is the sum of
    ``labour_force_part = ΔL`` (labour force growing or shrinking: demography, migration,
    participation) and ``employment_part = −ΔE`` (jobs lost or created). The source study reads a
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
    check_choice(adjustment, "adjustment", ADJUSTMENTS)
    if not isinstance(sector, str):
        raise ParameterError(f"sector must be a string such as 'TOTAL', not {sector!r}")
    rates = long_rows(unemployment_rate, "unemployment_rate", VALUE_COLUMNS)
    if isinstance(employment_count, pd.DataFrame):
        keep = pd.Series(True, index=employment_count.index)
        for column, value in (("sector", sector), ("adjustment", adjustment)):
            if column in employment_count.columns:
                values = employment_count[column].dropna().unique().tolist()
                check_choice(value, column, sorted(values))
                keep &= employment_count[column] == value
        employment_count = employment_count[keep]
    jobs = long_rows(employment_count, "employment_count", VALUE_COLUMNS)
    if frequency(rates) != frequency(jobs):
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
    span = frame_span(rates, "unemployment_rate frame") & frame_span(jobs, "employment_count frame")
    first, last = check_window(start, end, span, strict=True)
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
