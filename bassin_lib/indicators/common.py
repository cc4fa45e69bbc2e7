"""Helpers shared by indicator families."""

from __future__ import annotations

import pandas as pd

from bassin_lib.errors import ParameterError

FLAGS = ["approximate", "lower_bound"]


def as_period(value, freq: str) -> pd.Period:
    """Parse ``"2019Q4"`` / ``"2019"`` / a Period into a Period of ``freq``, or raise clearly."""
    try:
        period = pd.Period(value, freq=freq)
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"period {value!r} is not a valid {freq} period") from exc
    return period


def change_between(
    rows: pd.DataFrame, start: pd.Period, end: pd.Period, by: list[str]
) -> pd.DataFrame:
    """Absolute and relative change of ``value`` between two periods, for each ``by`` group.

    Returns
    -------
    DataFrame
        ``by`` columns, ``start``, ``end``, ``start_value``, ``end_value``, ``change``
        (end − start), ``change_pct`` (100 × change / start_value), ``approximate`` and
        ``lower_bound`` (true when either end is). Missing ends give missing changes.
    """
    keep = rows[rows["period"].isin([start, end])]
    wide = keep.set_index([*by, "period"])["value"].unstack("period")
    wide = wide.reindex(rows[by].drop_duplicates().set_index(by).index)
    flags = keep.groupby(by, sort=False)[FLAGS].any()
    out = pd.DataFrame(index=wide.index)
    out["start"] = start
    out["end"] = end
    out["start_value"] = wide.get(start, pd.Series(float("nan"), index=wide.index))
    out["end_value"] = wide.get(end, pd.Series(float("nan"), index=wide.index))
    out["change"] = out["end_value"] - out["start_value"]
    out["change_pct"] = 100.0 * out["change"] / out["start_value"]
    out = out.join(flags)
    return out.reset_index()
