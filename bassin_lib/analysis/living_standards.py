"""Living standards and poverty (INSEE Filosofi): poverty rate, median, D1 and D9."""

from __future__ import annotations

import pandas as pd

from bassin_lib.analysis.common import as_period
from bassin_lib.inputs.schemas import INCOME_INDICATORS
from bassin_lib.inputs.territories import Territory


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
