"""Social cohesion: unemployment rate (INSEE), poverty and living standards (Filosofi), population."""

from __future__ import annotations

import pandas as pd

from bassin_lib.indicators.common import FLAGS, as_period, change_between, select_rows
from bassin_lib.schemas import INCOME_INDICATORS
from bassin_lib.territories import Territory


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


def income_poverty_levels(cube, territory: Territory, year: str | None = None) -> pd.DataFrame:
    """Poverty rate (%), median living standard, D1 and D9 (€/UC/year) in one year.

    Parameters
    ----------
    year : str, optional
        Default: the latest year for which the territory has a poverty rate.

    Returns
    -------
    DataFrame
        One row per role: ``role, label, period, poverty_rate, median_living_standard, d1, d9,
        approximate``.
    """
    rows = cube.select("income_poverty", territory)
    if year is None:
        own = rows[
            (rows["role"] == "territory")
            & (rows["indicator"] == "poverty_rate")
            & rows["value"].notna()
        ]
        if own.empty:
            return pd.DataFrame(
                columns=[
                    "role",
                    "label",
                    "period",
                    "poverty_rate",
                    "median_living_standard",
                    "d1",
                    "d9",
                    "approximate",
                ]
            )
        period = own["period"].max()
    else:
        period = as_period(year, "Y")
    rows = rows[rows["period"] == period]
    wide = rows.set_index(["role", "label", "indicator"])["value"].unstack("indicator")
    wide = wide.reindex(columns=INCOME_INDICATORS)  # an unpublished indicator is a missing column
    wide = wide.reindex(
        rows[["role", "label"]].drop_duplicates().set_index(["role", "label"]).index
    )
    wide["approximate"] = rows.groupby(["role", "label"], sort=False)["approximate"].any()
    wide.columns.name = None
    return wide.reset_index().assign(period=period)


def population_change(cube, territory: Territory, start: str, end: str) -> pd.DataFrame:
    """Population at two years and its change (count and %)."""
    rows, keys = select_rows(cube, "population", territory)
    rows = rows[[*keys, "period", "value", *FLAGS]]
    return change_between(rows, as_period(start, "Y"), as_period(end, "Y"), keys)
