"""Registered job seekers (France Travail / DARES): categories A, B, C and ABC."""

from __future__ import annotations

import pandas as pd

from bassin_lib.indicators.common import FLAGS, as_period, change_between, select_rows
from bassin_lib.territories import Territory

CATEGORIES = ["A", "B", "C", "ABC"]


def jobseekers_series(cube, territory: Territory) -> pd.DataFrame:
    """Job seekers by category (A, B, C and their sum ABC), territory vs region vs France.

    Returns
    -------
    DataFrame
        ``role, label, period, category, value, approximate, lower_bound``. ABC is the sum of
        A, B and C; it is missing when one of them is.
    """
    rows, keys = select_rows(cube, "jobseekers", territory)
    rows = rows[[*keys, "period", "category", "value", *FLAGS]]
    grouped = rows.groupby([*keys, "period"], sort=False)
    abc = grouped["value"].sum(min_count=3).to_frame()
    abc[FLAGS] = grouped[FLAGS].any()
    abc = abc.reset_index().assign(category="ABC")
    out = pd.concat([rows, abc], ignore_index=True)
    if territory is None:
        rank = out["category"].map({c: i for i, c in enumerate(CATEGORIES)})
        return (
            out.assign(_rank=rank)
            .sort_values([*keys, "_rank", "period"], kind="stable", ignore_index=True)
            .drop(columns="_rank")
        )
    order = out["role"].map({"territory": 0, "region": 1, "france": 2}) * 10 + out["category"].map(
        {c: i for i, c in enumerate(CATEGORIES)}
    )
    return (
        out.assign(_order=order)
        .sort_values(["_order", "period"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def jobseekers_change(
    cube, territory: Territory, start: str = "2019Q4", end: str = "2020Q4"
) -> pd.DataFrame:
    """Change in job seekers by category between two quarters.

    Formula: ``change = DE_end − DE_start``; ``change_pct = 100 × change / DE_start``.

    Returns
    -------
    DataFrame
        One row per (role, category): ``role, label, category, start, end, start_value,
        end_value, change, change_pct, approximate, lower_bound``.
    """
    rows = jobseekers_series(cube, territory)
    keys = ["role", "label"] if territory is not None else ["level", "code"]
    return change_between(rows, as_period(start, "Q"), as_period(end, "Q"), [*keys, "category"])
