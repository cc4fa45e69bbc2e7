"""Private salaried employment (Urssaf): levels, index, changes, quarter-by-quarter crisis reading.

Every function reads the cube's ``employment`` table (quarterly, by ``sector`` and
``adjustment``) for one territory and its comparators, or for every geography at once with
``territory=None``.
"""

from __future__ import annotations

import pandas as pd

from bassin_lib.analysis.common import (
    FLAGS,
    as_period,
    check_period,
    check_window,
    cube_change,
    select_rows,
    shared_doc,
    table_span,
)
from bassin_lib.analysis.registry import BY_FUNCTION
from bassin_lib.errors import ParameterError
from bassin_lib.inputs.territories import Territory

TABLE = "employment"
SHOCK_QUARTERS_2020 = ("2020Q1", "2020Q2", "2020Q4")


def _series(cube, territory: Territory | None, sector: str, adjustment: str):
    rows, keys = select_rows(cube, TABLE, territory, sector=sector, adjustment=adjustment)
    return rows[[*keys, "period", "value", *FLAGS]], keys


@shared_doc
def employment_index(
    cube,
    territory: Territory | None,
    base: str = "2010Q1",
    sector: str = "TOTAL",
    adjustment: str = "cvs",
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """Employment as an index, base 100 at ``base``, for the territory, its region and France.

    Parameters
    ----------
    {{cube_territory}}
    base : str or Period, default "2010Q1"
        Quarter of the employment table equal to 100.
    sector : str, default "TOTAL"
        A sector of the employment table (``"TOTAL"`` or a NAF code).
    adjustment : {"cvs", "brut"}, default "cvs"
        Seasonally adjusted or raw series (the values of the table).
    start, end : str or Period, optional
        First and last quarters returned (default: the whole series); ``start`` not after
        ``end``.

    Returns
    -------
    DataFrame
        ``role, label, period, value, index, approximate, lower_bound`` from ``start`` to ``end``.
        The index is missing where the base or the quarter is masked.

    Raises
    ------
    ParameterError
        A territory not of this cube, a sector or adjustment absent from the table, a quarter
        that does not parse or lies outside the table's periods, ``start`` after ``end``.

    Notes
    -----
    ``index_t = 100 × E_t / E_base``.
    """
    span = table_span(cube, TABLE)
    base_period = check_period(base, span, "base")
    first, last = check_window(start, end, span, optional=True)
    rows, keys = _series(cube, territory, sector, adjustment)
    base_values = rows[rows["period"] == base_period].set_index(keys)["value"].rename("_base")
    rows = rows.join(base_values, on=keys)
    rows = rows.assign(index=100.0 * rows["value"] / rows["_base"]).drop(columns="_base")
    if first is not None:
        rows = rows[rows["period"] >= first]
    if last is not None:
        rows = rows[rows["period"] <= last]
    return rows.reset_index(drop=True)


@shared_doc
def employment_change(
    cube,
    territory: Territory | None,
    start: str = "2019Q4",
    end: str = "2020Q4",
    sector: str = "TOTAL",
    adjustment: str = "cvs",
) -> pd.DataFrame:
    """Change in employment between two quarters, territory vs region vs France.

    Parameters
    ----------
    {{cube_territory}}
    start, end : str or Period, default "2019Q4", "2020Q4"
        Quarters of the employment table, ``start`` not after ``end``.
    sector : str, default "TOTAL"
        A sector of the employment table.
    adjustment : {"cvs", "brut"}, default "cvs"
        Seasonally adjusted or raw series (the values of the table).

    Returns
    -------
    {{change_rows}}

    Raises
    ------
    ParameterError
        As :func:`employment_index`.

    Notes
    -----
    ``change = E_end − E_start``; ``change_pct = 100 × change / E_start``.
    """
    filters = {"sector": sector, "adjustment": adjustment}
    return cube_change(cube, TABLE, territory, start, end, **filters)


def quarterly_changes(
    cube,
    territory: Territory | None,
    start: str = "2019Q4",
    end: str = "2020Q4",
    sector: str = "TOTAL",
    adjustment: str = "cvs",
) -> pd.DataFrame:
    """Quarter-on-quarter change (%) for each quarter after ``start`` up to ``end``.

    Parameters
    ----------
    cube, territory, start, end, sector, adjustment
        As in :func:`employment_change`.

    Returns
    -------
    DataFrame
        ``role, label, period, value, change_pct, approximate, lower_bound``.

    Raises
    ------
    ParameterError
        As :func:`employment_index`.

    Notes
    -----
    ``qq_t = 100 × (E_t / E_{t−1} − 1)``.
    """
    return _lagged_changes(cube, territory, start, end, sector, adjustment, lag=1)


def year_on_year_changes(
    cube,
    territory: Territory | None,
    start: str = "2019Q4",
    end: str = "2020Q4",
    sector: str = "TOTAL",
    adjustment: str = "brut",
) -> pd.DataFrame:
    """Year-on-year change (%) of each quarter from ``start`` to ``end`` (« glissement annuel »).

    Parameters
    ----------
    cube, territory, start, end, sector
        As in :func:`employment_change`.
    adjustment : {"brut", "cvs"}, default "brut"
        Raw series by default: comparing a quarter with the same quarter a year earlier
        already removes the seasonality.

    Returns
    -------
    DataFrame
        Columns of :func:`quarterly_changes`; a quarter whose year-earlier value is masked or
        before the table has no change.

    Raises
    ------
    ParameterError
        As :func:`employment_index`.

    Notes
    -----
    ``ga_t = 100 × (E_t / E_{t−4} − 1)``.
    """
    return _lagged_changes(cube, territory, start, end, sector, adjustment, lag=4)


def _lagged_changes(cube, territory, start, end, sector, adjustment, lag: int) -> pd.DataFrame:
    first, last = check_window(start, end, table_span(cube, TABLE))
    rows, keys = _series(cube, territory, sector, adjustment)
    rows = rows[(rows["period"] >= first - lag) & (rows["period"] <= last)]
    previous = rows.assign(period=rows["period"] + lag)[[*keys, "period", "value"]]
    rows = rows.merge(previous, on=[*keys, "period"], how="left", suffixes=("", "_before"))
    rows["change_pct"] = 100.0 * (rows["value"] / rows["value_before"] - 1.0)
    out = rows[rows["period"] > first] if lag == 1 else rows[rows["period"] >= first]
    return out.drop(columns="value_before").reset_index(drop=True)


def _shock_quarters(shock_quarters) -> list[pd.Period] | None:
    """Parse the quarters tagged as shocks (None: derived from the national change)."""
    if shock_quarters is None:
        return None
    if isinstance(shock_quarters, str | pd.Period) or not hasattr(shock_quarters, "__iter__"):
        raise ParameterError(
            f"shock_quarters {shock_quarters!r} is not allowed: expected None or a sequence "
            "of quarters such as ('2020Q1', '2020Q2')"
        )
    try:
        return [as_period(q, "Q") for q in shock_quarters]
    except ParameterError as exc:
        raise ParameterError(f"shock_quarters: {exc}") from None


@shared_doc
def crisis_reading(
    cube,
    territory: Territory | None,
    start: str = "2019Q4",
    end: str = "2020Q4",
    shock_quarters: tuple[str, ...] | None = SHOCK_QUARTERS_2020,
) -> pd.DataFrame:
    """Quarter-by-quarter reading of a crisis: resilience in shock quarters, rebound otherwise.

    Parameters
    ----------
    {{cube_territory}}
    start, end : str or Period, default "2019Q4", "2020Q4"
        Quarters of the employment table: the quarters read are those after ``start`` up to
        ``end`` (total, seasonally adjusted employment).
    shock_quarters : sequence of str or Period, or None, default ("2020Q1", "2020Q2", "2020Q4")
        Quarters read as shocks (lockdowns); quarters outside the window are ignored.
        ``None``: a quarter is a shock when the national change is negative.

    Returns
    -------
    DataFrame
        ``period, local, national, gap`` (points), ``phase`` (``"shock"``/``"recovery"``),
        ``reading``; with ``territory=None``, one row per geography and quarter, keyed by
        ``level, code, period``.

    Raises
    ------
    ParameterError
        As :func:`employment_index`, or ``shock_quarters`` neither None nor a sequence of
        quarters.

    Notes
    -----
    For each quarter q, with local and national quarter-on-quarter changes Δ_L and Δ_N
    (:func:`quarterly_changes`): q is a *shock* quarter when it is in ``shock_quarters`` (or,
    when that is None, when Δ_N < 0), else a *recovery* quarter. The reading is
    ``"good_resilience"`` / ``"weak_resilience"`` in a shock quarter and ``"good_rebound"`` /
    ``"weak_rebound"`` in a recovery quarter, good meaning Δ_L ≥ Δ_N (the registry's
    favourable direction for this indicator is ``"up"``); ``gap = Δ_L − Δ_N``.
    """
    tagged = _shock_quarters(shock_quarters)
    changes = quarterly_changes(cube, territory, start, end)
    if territory is None:  # every geography against France
        national = changes[changes["level"] == "france"].set_index("period")["change_pct"]
        out = changes[["level", "code", "period"]].copy()
        out["local"] = changes["change_pct"].to_numpy()
        out["national"] = out["period"].map(national).to_numpy()
    else:
        wide = changes.set_index(["period", "role"])["change_pct"].unstack("role")
        wide = wide.reindex(columns=["territory", "france"])  # a role without rows: missing
        out = pd.DataFrame({"local": wide["territory"], "national": wide["france"]})
        out = out.reset_index()
    out["gap"] = out["local"] - out["national"]
    shock = out["national"] < 0 if tagged is None else out["period"].isin(tagged)
    out["phase"] = shock.map({True: "shock", False: "recovery"})
    favourable = BY_FUNCTION["crisis_reading"].favourable  # "up": more jobs is good news
    better = (
        out["local"] >= out["national"] if favourable == "up" else out["local"] <= out["national"]
    )
    good = better.map({True: "good_", False: "weak_"})
    out["reading"] = (good + shock.map({True: "resilience", False: "rebound"})).where(
        out["local"].notna() & out["national"].notna()
    )
    return out.reset_index(drop=True)
