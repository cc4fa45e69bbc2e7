"""Seasonal adjustment of raw monthly or quarterly series (STL, statsmodels).

Most series of the package are published seasonally adjusted (« CVS »): Urssaf's and INSEE's
employment, INSEE's unemployment rates, DARES's quarterly temporary work. A few are raw: France
Travail's monthly STMT job seekers (``jobseekers_local``) and the monthly temporary work
(``interim``). This module removes their seasonal component so that they can be read month
to month, or compared with a CVS series:

- :func:`seasonal_decomposition`: trend, seasonal and residual components of each series;
- :func:`seasonally_adjust`: the same rows with ``value`` seasonally adjusted.

Both take a canonical long frame (``period`` of pandas Periods, monthly or quarterly, one row
per series and period) and work series by series: a series is the rows sharing the values of
``keys``. They are pure: the input frame is not modified.

Which series are adjusted
-------------------------
A series is adjusted only when its observed values (not ``NaN``) are consecutive and cover at
least :data:`MIN_YEARS` full years (36 months, 12 quarters): STL needs several cycles to tell
the seasonal pattern from the trend, and a masked cell is missing, never zero and never
interpolated. ``NaN`` rows before the first or after the last observed value do not prevent
the adjustment (they stay ``NaN``); one missing period between them does. A series that does
not qualify is returned unchanged with ``adjusted`` false, without error or warning: the
caller says « données brutes » for it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bassin_lib.analysis.common import check_choice, frequency, long_rows
from bassin_lib.errors import ParameterError

PERIODS_PER_YEAR = {"M": 12, "Q": 4}
"""STL's ``period``: the length of the seasonal cycle, in periods of the series."""
MIN_YEARS = 3
"""Full years of consecutive observed values a series needs to be adjusted."""
SEASONAL_WINDOW = 7
"""STL's ``seasonal``: the seasonal LOESS smoother spans 7 cycles (years), the default of
Cleveland et al. (1990) and statsmodels."""
MODELS = ["multiplicative", "additive"]
COMPONENTS = ["trend", "seasonal", "residual", "adjusted"]
"""Columns :func:`seasonal_decomposition` adds to the frame."""


def _keys(keys, value: str) -> list[str]:
    """``keys`` as a list of column names, checked (not ``period`` nor the value column)."""
    if isinstance(keys, str):
        keys = (keys,)
    if not isinstance(keys, tuple | list) or not all(isinstance(k, str) for k in keys):
        raise ParameterError(
            f"keys {keys!r} is not allowed: expected a tuple of column names, "
            "e.g. ('level', 'code')"
        )
    wrong = [k for k in keys if k in ("period", value)]
    if wrong or len(set(keys)) != len(keys):
        raise ParameterError(
            f"keys {tuple(keys)!r} is not allowed: the columns naming a series, each once, "
            f"without 'period' nor the value column {value!r}"
        )
    return list(keys)


def _series_rows(frame, keys: list[str], value: str, taken: list[str]) -> pd.DataFrame:
    """Checked ``keys, period, value`` of ``frame`` (fresh 0..n−1 index, in input order).

    Raises
    ------
    ParameterError
        Not a frame, a missing column, an output column already present (``taken``), periods
        that are not pandas Periods (mixed frequencies named) or neither months nor quarters,
        a non-numeric value column, a duplicated cell.
    """
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"frame must be a DataFrame, not {type(frame).__name__}")
    if not isinstance(value, str):
        raise ParameterError(f"value {value!r} is not allowed: expected a column name")
    required = [*keys, "period", value]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ParameterError(f"frame lacks column(s) {missing}; required columns: {required}")
    present = [c for c in taken if c in frame.columns]
    if present:
        raise ParameterError(
            f"frame already has column(s) {present}: its series were decomposed or adjusted "
            "once (seasonally_adjust, seasonal_decomposition); pass the raw series"
        )
    periods = frame["period"]
    if not isinstance(periods.dtype, pd.PeriodDtype):
        kinds = {getattr(p, "freqstr", None) for p in periods.dropna().unique()}
        if None not in kinds and len(kinds) > 1:
            raise ParameterError(
                f"frame 'period' column mixes frequencies {sorted(kinds)}: one frequency, "
                "monthly or quarterly, is expected"
            )
    if not pd.api.types.is_numeric_dtype(frame[value]) or pd.api.types.is_bool_dtype(frame[value]):
        raise ParameterError(
            f"frame value column {value!r} has dtype {frame[value].dtype}: "
            "expected numbers (NaN where masked)"
        )
    probe = pd.DataFrame(
        {
            **{k: frame[k].to_numpy() for k in keys},
            "period": periods.array,
            "value": frame[value].to_numpy(),
        }
    )
    return long_rows(probe, "frame", [*keys, "period", "value"], freqs="MQ")


def seasonal_decomposition(
    frame: pd.DataFrame,
    *,
    keys: tuple[str, ...] = ("level", "code"),
    value: str = "value",
    model: str = "multiplicative",
) -> pd.DataFrame:
    """Trend, seasonal and residual components of each monthly or quarterly series (STL).

    Parameters
    ----------
    frame : DataFrame
        Long frame with the ``keys`` columns, ``period`` (pandas Periods, monthly or
        quarterly, one frequency) and the ``value`` column (numbers, ``NaN`` where masked);
        any other column (``sector``, ``label``, ``approximate``, ``lower_bound``…) is kept as
        it is. One row per series and period.
    keys : tuple of str, default ("level", "code")
        Columns whose values name a series; add the frame's dimensions (``("level", "code",
        "sector", "measure")``), or ``("role",)`` for a frame of ``cube.select``.
    value : str, default "value"
        Column of the values to decompose.
    model : {"multiplicative", "additive"}, default "multiplicative"
        ``"multiplicative"``: ``value = trend × seasonal × residual``, STL on ``log(value)``
        (counts, whose seasonal swing grows with their level); a series with a value ≤ 0 is
        then not decomposed. ``"additive"``: ``value = trend + seasonal + residual``.

    Returns
    -------
    DataFrame
        ``frame``'s rows, index and columns, plus ``trend`` (in the unit of ``value``),
        ``seasonal`` and ``residual`` (factors around 1 when multiplicative, in the unit of
        ``value`` and around 0 when additive; ``NaN`` on the rows of a series not decomposed
        and on ``NaN`` values) and ``adjusted`` (bool: the row's series was decomposed).

    Raises
    ------
    ParameterError
        ``frame`` is not a DataFrame or lacks a column; ``period`` is not a column of pandas
        Periods, mixes frequencies or is neither monthly nor quarterly; ``value`` is not
        numeric; two rows share a series and period (« duplicated … row(s) »); ``keys`` names
        ``period`` or the value column; ``model`` is unknown; the frame already has one of the
        added columns (decomposed or adjusted once).

    See Also
    --------
    seasonally_adjust : the adjusted values themselves.

    Notes
    -----
    STL (Seasonal-Trend decomposition using LOESS, Cleveland et al., 1990, *Journal of Official
    Statistics* 6, 3-73), as ``statsmodels.tsa.seasonal.STL``, one fit per series, with:

    - ``period`` 12 for months, 4 for quarters (:data:`PERIODS_PER_YEAR`);
    - ``seasonal=7`` (:data:`SEASONAL_WINDOW`): each calendar month's (quarter's) sub-series is
      smoothed by a local linear LOESS over 7 years, so the pattern may drift slowly; on the 3
      to 5 years these series cover, it is close to one pattern for the whole span;
    - ``trend`` and ``low_pass`` at statsmodels' defaults (the smallest odd integers above
      ``1.5 × period / (1 − 1.5 / seasonal)`` and ``period``: 23 and 13 months, 9 and 5
      quarters);
    - ``robust=True`` (15 outer iterations): outlying periods, such as spring 2020, get small
      weights in the seasonal and trend fits; they are not smoothed away but stay in the
      residual, as in published CVS series.

    Eligibility (module docstring): observed values consecutive over at least
    :data:`MIN_YEARS` full years, and all > 0 for the multiplicative model; nothing is
    interpolated. Flags such as ``lower_bound`` are kept as they are: a series summed over
    masked cells is decomposed like any other.

    Examples
    --------
    >>> parts = seasonal_decomposition(series, keys=("role",))
    >>> parts.loc[parts["adjusted"], ["period", "trend", "seasonal"]]
    """
    check_choice(model, "model", MODELS)
    keys = _keys(keys, value)
    rows = _series_rows(frame, keys, value, COMPONENTS)
    period = PERIODS_PER_YEAR[frequency(rows)]
    values = rows["value"].to_numpy(dtype=float)
    series = rows.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
    observed = ~np.isnan(values)
    cells = pd.DataFrame(
        {
            "series": series[observed],
            "ordinal": rows["period"].array.asi8[observed],
            "value": values[observed],
            "row": np.flatnonzero(observed),
        }
    )
    stats = cells.groupby("series").agg(
        first=("ordinal", "min"),
        last=("ordinal", "max"),
        n=("ordinal", "size"),
        low=("value", "min"),
    )
    eligible = (stats["last"] - stats["first"] + 1 == stats["n"]) & (
        stats["n"] >= MIN_YEARS * period
    )
    if model == "multiplicative":
        eligible &= stats["low"] > 0
    chosen = stats.index[eligible].to_numpy()
    trend, seasonal, residual = (np.full(len(rows), np.nan) for _ in range(3))
    fitted = cells[np.isin(cells["series"], chosen)].sort_values(["series", "ordinal"])
    # One STL fit per series (a loop over series, never over rows); imported here so that
    # importing bassin_lib does not import statsmodels.
    from statsmodels.tsa.seasonal import STL

    for _, one in fitted.groupby("series", sort=False):
        y = one["value"].to_numpy()
        fit = STL(
            np.log(y) if model == "multiplicative" else y,
            period=period,
            seasonal=SEASONAL_WINDOW,
            robust=True,
        ).fit()
        at = one["row"].to_numpy()
        parts = (np.asarray(fit.trend), np.asarray(fit.seasonal), np.asarray(fit.resid))
        if model == "multiplicative":
            parts = tuple(np.exp(p) for p in parts)
        trend[at], seasonal[at], residual[at] = parts
    out = frame.copy()
    out["trend"] = trend
    out["seasonal"] = seasonal
    out["residual"] = residual
    out["adjusted"] = np.isin(series, chosen)
    return out


def seasonally_adjust(
    frame: pd.DataFrame,
    *,
    keys: tuple[str, ...] = ("level", "code"),
    value: str = "value",
    model: str = "multiplicative",
) -> pd.DataFrame:
    """Seasonally adjusted monthly or quarterly series: the seasonal component removed (STL).

    Parameters
    ----------
    frame : DataFrame
        Long frame with the ``keys`` columns, ``period`` (pandas Periods, monthly or
        quarterly) and the ``value`` column, e.g. a raw canonical table (``jobseekers_local``,
        ``interim``) or the rows of :func:`bassin_lib.analysis.jobseekers_departements`; other
        columns are kept as they are.
    keys : tuple of str, default ("level", "code")
        Columns whose values name a series (see :func:`seasonal_decomposition`).
    value : str, default "value"
        Column to adjust.
    model : {"multiplicative", "additive"}, default "multiplicative"
        See :func:`seasonal_decomposition`.

    Returns
    -------
    DataFrame
        ``frame``'s rows, index and columns, ``value`` replaced by the seasonally adjusted value
        (float) on the rows of adjusted series, unchanged elsewhere (``NaN`` stays ``NaN``), and
        a bool column ``adjusted``: the row's series was adjusted (the same for every row of a
        series).

    Raises
    ------
    ParameterError
        As :func:`seasonal_decomposition`; a frame that already has an ``adjusted`` column
        (adjusted once) is refused.

    Notes
    -----
    ``CVS_t = X_t / S_t`` (multiplicative) or ``CVS_t = X_t − S_t`` (additive), ``S`` the
    seasonal component of :func:`seasonal_decomposition` (STL, robust, period 12 or 4,
    seasonal window 7). Trend and irregular are kept: a shock stays in the adjusted series.
    A series with a missing period inside its span, or shorter than :data:`MIN_YEARS` full
    years of observed values (or with a value ≤ 0, multiplicative), is returned unchanged with
    ``adjusted`` false (module docstring): say « données brutes » for it.

    Examples
    --------
    >>> seasonally_adjust(cube.tables["jobseekers_local"])  # every département, region, commune
    >>> seasonally_adjust(monthly, keys=("level", "code", "sector", "measure"))
    """
    parts = seasonal_decomposition(frame, keys=keys, value=value, model=model)
    raw = parts[value].to_numpy(dtype=float)
    seasonal = parts["seasonal"].to_numpy()
    adjusted = raw / seasonal if model == "multiplicative" else raw - seasonal
    out = parts.drop(columns=["trend", "seasonal", "residual"])
    out[value] = np.where(out["adjusted"].to_numpy(), adjusted, raw)
    return out
