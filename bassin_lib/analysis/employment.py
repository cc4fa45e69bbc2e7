"""Private salaried employment (Urssaf): levels, index, changes, quarter-by-quarter crisis reading."""

from __future__ import annotations

import pandas as pd

from bassin_lib.analysis.common import FLAGS, as_period, change_between, select_rows
from bassin_lib.inputs.territories import Territory

SHOCK_QUARTERS_2020 = ("2020Q1", "2020Q2", "2020Q4")


def _series(cube, territory: Territory | None, sector: str, adjustment: str):
    rows, keys = select_rows(cube, "employment", territory, sector=sector, adjustment=adjustment)
    return rows[[*keys, "period", "value", *FLAGS]], keys


def employment_index(
    cube,
    territory: Territory,
    base: str = "2010Q1",
    sector: str = "TOTAL",
    adjustment: str = "cvs",
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """Employment as an index, base 100 at ``base``, for the territory, its region and France.

    Formula: ``index_t = 100 × E_t / E_base``.

    Returns
    -------
    DataFrame
        ``role, label, period, value, index, approximate, lower_bound`` from ``start`` to ``end``
        (default: the whole series).
    """
    base_period = as_period(base, "Q")
    rows, keys = _series(cube, territory, sector, adjustment)
    base_values = rows[rows["period"] == base_period].set_index(keys)["value"].rename("_base")
    rows = rows.join(base_values, on=keys)
    rows = rows.assign(index=100.0 * rows["value"] / rows["_base"]).drop(columns="_base")
    if start is not None:
        rows = rows[rows["period"] >= as_period(start, "Q")]
    if end is not None:
        rows = rows[rows["period"] <= as_period(end, "Q")]
    return rows.reset_index(drop=True)


def employment_change(
    cube,
    territory: Territory,
    start: str = "2019Q4",
    end: str = "2020Q4",
    sector: str = "TOTAL",
    adjustment: str = "cvs",
) -> pd.DataFrame:
    """Change in employment between two quarters, territory vs region vs France.

    Formula: ``change = E_end − E_start``; ``change_pct = 100 × change / E_start``.

    Returns
    -------
    DataFrame
        One row per role: ``role, label, start, end, start_value, end_value, change,
        change_pct, approximate, lower_bound``.
    """
    rows, keys = _series(cube, territory, sector, adjustment)
    return change_between(rows, as_period(start, "Q"), as_period(end, "Q"), keys)


def quarterly_changes(
    cube,
    territory: Territory,
    start: str = "2019Q4",
    end: str = "2020Q4",
    sector: str = "TOTAL",
    adjustment: str = "cvs",
) -> pd.DataFrame:
    """Quarter-on-quarter change (%) for each quarter after ``start`` up to ``end``.

    Formula: ``qq_t = 100 × (E_t / E_{t−1} − 1)``.

    Returns
    -------
    DataFrame
        ``role, label, period, value, change_pct, approximate, lower_bound``.
    """
    return _lagged_changes(cube, territory, start, end, sector, adjustment, lag=1)


def year_on_year_changes(
    cube,
    territory: Territory,
    start: str = "2019Q4",
    end: str = "2020Q4",
    sector: str = "TOTAL",
    adjustment: str = "brut",
) -> pd.DataFrame:
    """Year-on-year change (%) of each quarter from ``start`` to ``end`` (« glissement annuel »).

    Formula: ``ga_t = 100 × (E_t / E_{t−4} − 1)``; on raw data by default, since comparing a
    quarter with the same quarter a year earlier already removes the seasonality.

    Returns
    -------
    DataFrame
        ``role, label, period, value, change_pct, approximate, lower_bound``.
    """
    return _lagged_changes(cube, territory, start, end, sector, adjustment, lag=4)


def _lagged_changes(cube, territory, start, end, sector, adjustment, lag: int) -> pd.DataFrame:
    first, last = as_period(start, "Q"), as_period(end, "Q")
    rows, keys = _series(cube, territory, sector, adjustment)
    rows = rows[(rows["period"] >= first - lag) & (rows["period"] <= last)]
    previous = rows.assign(period=rows["period"] + lag)[[*keys, "period", "value"]]
    rows = rows.merge(previous, on=[*keys, "period"], how="left", suffixes=("", "_before"))
    rows["change_pct"] = 100.0 * (rows["value"] / rows["value_before"] - 1.0)
    out = rows[rows["period"] > first] if lag == 1 else rows[rows["period"] >= first]
    return out.drop(columns="value_before").reset_index(drop=True)


def crisis_reading(
    cube,
    territory: Territory,
    start: str = "2019Q4",
    end: str = "2020Q4",
    shock_quarters: tuple[str, ...] | None = SHOCK_QUARTERS_2020,
) -> pd.DataFrame:
    """Quarter-by-quarter reading of a crisis: resilience in shock quarters, rebound otherwise.

    For each quarter q, with local and national q/q changes Δ_L and Δ_N (domain.md §3.2):
    q is a *shock* quarter when it is in ``shock_quarters`` (or, when that is None, when
    Δ_N < 0), else a *recovery* quarter. The reading is ``"good_resilience"`` /
    ``"weak_resilience"`` in a shock quarter and ``"good_rebound"`` / ``"weak_rebound"`` in a
    recovery quarter, good meaning Δ_L ≥ Δ_N.

    Returns
    -------
    DataFrame
        ``period, local, national, gap`` (points), ``phase`` (``"shock"``/``"recovery"``),
        ``reading``; with ``territory=None``, one row per geography and quarter, keyed by
        ``level, code, period``.
    """
    changes = quarterly_changes(cube, territory, start, end)
    if territory is None:  # every geography against France
        national = changes[changes["level"] == "france"].set_index("period")["change_pct"]
        out = changes[["level", "code", "period"]].copy()
        out["local"] = changes["change_pct"].to_numpy()
        out["national"] = out["period"].map(national).to_numpy()
    else:
        wide = changes.set_index(["period", "role"])["change_pct"].unstack("role")
        out = pd.DataFrame({"local": wide["territory"], "national": wide["france"]})
        out = out.reset_index()
    out["gap"] = out["local"] - out["national"]
    if shock_quarters is None:
        shock = out["national"] < 0
    else:
        tagged = [as_period(q, "Q") for q in shock_quarters]
        shock = out["period"].isin(tagged)
    out["phase"] = shock.map({True: "shock", False: "recovery"})
    good = (out["local"] >= out["national"]).map({True: "good_", False: "weak_"})
    out["reading"] = good + shock.map({True: "resilience", False: "rebound"})
    return out.reset_index(drop=True)
