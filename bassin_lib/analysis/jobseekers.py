"""Registered job seekers (France Travail / DARES): categories A, B, C and ABC."""

from __future__ import annotations

import pandas as pd

from bassin_lib.analysis.common import FLAGS, cube_change, long_rows, select_rows, shared_doc
from bassin_lib.errors import ParameterError
from bassin_lib.inputs.territories import Territory

TABLE = "jobseekers"
CATEGORIES = ["A", "B", "C", "ABC"]
JOBSEEKER_CATEGORIES = ["A", "B", "C"]
KEYS = ["level", "code", "period"]


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
