"""Living standards and poverty (INSEE Filosofi): poverty rate, median, D1 and D9."""

from __future__ import annotations

import pandas as pd

from bassin_lib.analysis.common import (
    check_period,
    check_territory,
    cube_table,
    shared_doc,
    table_span,
)
from bassin_lib.inputs.schemas import INCOME_INDICATORS
from bassin_lib.inputs.territories import Territory

TABLE = "income_poverty"
FLAG_COLUMNS = [f"{indicator}_approximate" for indicator in INCOME_INDICATORS]
COLUMNS = ["role", "label", "period", *INCOME_INDICATORS, "approximate", *FLAG_COLUMNS]


@shared_doc
def income_poverty_levels(cube, territory: Territory, year: str | None = None) -> pd.DataFrame:
    """Poverty rate (%), median living standard, D1 and D9 (€/UC/year) in one year.

    Parameters
    ----------
    {{cube_one_territory}}
    year : str or Period, optional
        A year of the income and poverty table; default: the latest year for which the
        territory has a poverty rate.

    Returns
    -------
    DataFrame
        One row per role: ``role, label, period, poverty_rate, median_living_standard, d1, d9,
        approximate`` (any indicator of the row is), then one flag per indicator
        (``poverty_rate_approximate``, ``median_living_standard_approximate``,
        ``d1_approximate``, ``d9_approximate``); an indicator the source does not publish is a
        missing value. Empty (same columns) when ``year`` is None and the territory has no
        poverty rate.

    Raises
    ------
    ParameterError
        A territory that is None or not of this cube; a year that does not parse or lies
        outside the years of the income and poverty table.

    Notes
    -----
    Figures as published for zones, regions and France; for a group of several zones,
    population-weighted means of its zones, flagged ``approximate``, except the poverty rate
    when the table has the persons of fiscal households of every zone (real Filosofi data):
    ``Σ rate_z × persons_z / Σ persons_z``, exact (:mod:`bassin_lib.inputs.cube`). Medians and
    deciles of a group cannot be rebuilt from those of its zones: they stay approximate.
    """
    cube_table(cube, TABLE)
    check_territory(cube, territory, allow_none=False)
    period = None if year is None else check_period(year, table_span(cube, TABLE), "year")
    rows = cube.select(TABLE, territory)
    if period is None:
        own = rows[
            (rows["role"] == "territory")
            & (rows["indicator"] == "poverty_rate")
            & rows["value"].notna()
        ]
        if own.empty:
            return pd.DataFrame(columns=COLUMNS)
        period = own["period"].max()
    rows = rows[rows["period"] == period]
    wide = rows.set_index(["role", "label", "indicator"])["value"].unstack("indicator")
    wide = wide.reindex(columns=INCOME_INDICATORS)  # an unpublished indicator is a missing column
    wide = wide.reindex(
        rows[["role", "label"]].drop_duplicates().set_index(["role", "label"]).index
    )
    wide["approximate"] = rows.groupby(["role", "label"], sort=False)["approximate"].any()
    flags = rows.set_index(["role", "label", "indicator"])["approximate"].unstack("indicator")
    for indicator, column in zip(INCOME_INDICATORS, FLAG_COLUMNS, strict=True):
        flag = flags[indicator] if indicator in flags else pd.Series(False, index=wide.index)
        wide[column] = flag.reindex(wide.index).fillna(False).astype(bool)
    wide.columns.name = None
    return wide.reset_index().assign(period=period)
