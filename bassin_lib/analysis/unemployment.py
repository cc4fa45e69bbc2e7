"""Unemployment: localised unemployment rate (INSEE) and the labour-force identity that splits
its change between labour force and employment."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bassin_lib.analysis.common import FLAGS, as_period, change_between, select_rows
from bassin_lib.analysis.common import check_choice as _check_choice
from bassin_lib.analysis.common import frequency as _freq
from bassin_lib.analysis.common import long_rows as _long_rows
from bassin_lib.analysis.common import parse_period as _period
from bassin_lib.errors import ParameterError
from bassin_lib.inputs.territories import Territory

VALUE_COLUMNS = ["level", "code", "period", "value"]
ADJUSTMENTS = ["brut", "cvs"]


def unemployment_rate_series(cube, territory: Territory) -> pd.DataFrame:
    """Quarterly unemployment rate (%), territory vs region vs France.

    Returns
    -------
    DataFrame
        ``role, label, period, value, approximate, lower_bound``; ``approximate`` is true for a
        group of several zones (population-weighted mean of zone rates).
    """
    rows, keys = select_rows(cube, "unemployment_rate", territory)
    return rows[[*keys, "period", "value", *FLAGS]]


def unemployment_rate_change(cube, territory: Territory, start: str, end: str) -> pd.DataFrame:
    """Unemployment rate at two quarters and its change in points.

    Returns
    -------
    DataFrame
        One row per role: ``start_value, end_value, change`` (points), and flags.
    """
    rows = unemployment_rate_series(cube, territory)
    keys = ["role", "label"] if territory is not None else ["level", "code"]
    out = change_between(rows, as_period(start, "Q"), as_period(end, "Q"), keys)
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
