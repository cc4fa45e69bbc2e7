"""Noise band of a territory's comparison with France: how large a gap is usual.

The narrative qualifies the gap between a territory's change and France's (« plus marquée »,
« comparable »). A fixed threshold (:data:`NOISE_FLOOR_POINTS`, 0,5 point) ignores that a small
or volatile territory drifts away from France by more than that in ordinary times. This module
measures, on the periods before a reference period (the pre-crisis quarter), how far the
territory's change over a given horizon usually lies from France's over the same horizon:

- :func:`change_differentials`: the differential, period by period;
- :func:`differential_noise`: its standard deviation before the reference period, and the band
  (:class:`NoiseBand`): the standard deviation, never below the fixed floor;
- :func:`year_on_year_noise`: the same over one year (12 months, 4 quarters), the horizon at
  which a stable seasonal pattern cancels out of raw series.

Functions take the rows of one table for a territory and its comparators, as
:meth:`bassin_lib.inputs.cube.Cube.select` gives them (``role``, ``period``, ``value``…), with one
row per role and period (filter the dimensions first: ``sector="TOTAL"``, ``adjustment="cvs"``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bassin_lib.analysis.common import (
    as_period,
    check_bool,
    check_choice,
    check_count,
    frequency,
    long_rows,
)
from bassin_lib.analysis.seasonal import PERIODS_PER_YEAR, seasonally_adjust
from bassin_lib.errors import ParameterError

NOISE_FLOOR_POINTS = 0.5
"""The fixed floor of the band, in points: the gap under which two changes are « comparables »
whatever the territory (``docs/narrative.md``, level 0 of the scale)."""
MIN_DIFFERENTIALS = 8
"""Differentials needed for a standard deviation; with fewer, the band is the floor."""
ROLES = ["territory", "region", "france", "departements"]
"""Roles a compared series may have: those of ``Cube.select`` and of
:func:`bassin_lib.analysis.jobseekers_departements`."""
DIFFERENTIAL_COLUMNS = [
    "period",
    "start",
    "local_change_pct",
    "benchmark_change_pct",
    "differential_pts",
    "adjusted",
]
"""Columns of :func:`change_differentials`."""
_PER_YEAR = {**PERIODS_PER_YEAR, "Y": 1}


@dataclass(frozen=True)
class NoiseBand:
    """The usual spread of a territory's change around France's, before a reference period.

    Attributes
    ----------
    sigma : float or None
        Standard deviation of the differentials (points); None with fewer than
        :data:`MIN_DIFFERENTIALS` of them.
    n : int
        Number of differentials (end periods with both changes observed).
    first, last : Period or None
        End periods of the first and last differential counted in ``n``; None when ``n`` is 0.
    band : float
        ``max(floor, sigma)`` (points); ``floor`` when ``sigma`` is None. A gap under it is
        within the usual noise.
    mean : float or None
        Mean differential (points): the territory's usual lead (+) or lag (−) on France over
        the horizon; None when ``sigma`` is.
    horizon : int
        Periods each change spans.
    adjusted : bool
        Both series were seasonally adjusted before the changes were taken.
    floor : float
        The fixed floor, :data:`NOISE_FLOOR_POINTS`.
    """

    sigma: float | None
    n: int
    first: pd.Period | None
    last: pd.Period | None
    band: float
    mean: float | None
    horizon: int
    adjusted: bool
    floor: float = NOISE_FLOOR_POINTS


def _roles(roles) -> tuple[str, str]:
    if not isinstance(roles, tuple | list) or len(roles) != 2 or roles[0] == roles[1]:
        raise ParameterError(
            f"roles {roles!r} is not allowed: expected two different roles (local, benchmark), "
            "e.g. ('territory', 'france')"
        )
    for role in roles:
        check_choice(role, "role", ROLES)
    return roles[0], roles[1]


def _rows(frame) -> pd.DataFrame:
    """Checked ``role, period, value, approximate, lower_bound`` of ``frame``.

    Raises
    ------
    ParameterError
        Not a frame, a missing column, periods that are not pandas Periods (monthly, quarterly
        or yearly), a non-numeric value, two rows of one role and period.
    """
    if isinstance(frame, pd.DataFrame) and {"role", "period"} <= set(frame.columns):
        duplicated = frame.duplicated(["role", "period"])
        if duplicated.any():
            dims = [
                c
                for c in frame.columns
                if c not in ("role", "period", "value", "level", "code", "label")
                and frame[c].nunique(dropna=False) > 1
            ]
            raise ParameterError(
                f"frame has {int(duplicated.sum())} duplicated ('role', 'period') row(s), first "
                f"{frame.loc[duplicated, ['role', 'period']].iloc[0].tolist()}: one series per "
                f"role is expected; filter the column(s) {dims} first, e.g. "
                "cube.select(table, territory, sector='TOTAL')"
            )
    return long_rows(frame, "frame", ["role", "period", "value"], freqs="MQY")


def _differentials(
    rows: pd.DataFrame, horizon: int, roles: tuple[str, str], adjust: bool
) -> tuple[pd.DataFrame, bool]:
    """:func:`change_differentials` on checked rows, and whether both series were adjusted."""
    rows = rows[rows["role"].isin(roles)]
    rows = rows.assign(value=rows["value"].where(~rows["lower_bound"]))
    adjusted = False
    if adjust:
        smoothed = seasonally_adjust(rows, keys=("role",))
        by_role = smoothed.groupby("role")["adjusted"].any()
        adjusted = bool(by_role.reindex(list(roles), fill_value=False).all())
        if adjusted:  # both or neither: one adjusted series against a raw one would mix them
            rows = smoothed
    wide = rows.set_index(["period", "role"])["value"].unstack("role")
    wide = wide.reindex(columns=list(roles))
    if wide.empty:
        span = pd.PeriodIndex([], freq=rows["period"].dtype.freq)
    else:
        span = pd.period_range(wide.index.min(), wide.index.max(), name="period")
    wide = wide.reindex(span)
    earlier = wide.shift(horizon)
    change = 100.0 * (wide / earlier.where(earlier != 0) - 1.0)
    out = pd.DataFrame(
        {
            "period": span,
            "start": span - horizon,
            "local_change_pct": change[roles[0]].to_numpy(),
            "benchmark_change_pct": change[roles[1]].to_numpy(),
        }
    )
    out["differential_pts"] = out["local_change_pct"] - out["benchmark_change_pct"]
    out["adjusted"] = adjusted
    return out.iloc[horizon:].reset_index(drop=True)[DIFFERENTIAL_COLUMNS], adjusted


def change_differentials(
    frame: pd.DataFrame,
    *,
    horizon: int,
    roles: tuple[str, str] = ("territory", "france"),
    adjust: bool = False,
) -> pd.DataFrame:
    """Differential between a territory's change and France's over ``horizon`` periods, at
    every end period.

    Parameters
    ----------
    frame : DataFrame
        Rows of one table for a territory and its comparators (``cube.select(table,
        territory, ...)``): ``role``, ``period`` (pandas Periods: months, quarters or years),
        ``value``, optionally ``lower_bound``; one row per role and period.
    horizon : int
        Periods each change spans (≥ 1): 4 for a change over four quarters.
    roles : (str, str), default ("territory", "france")
        The local and the benchmark series, among :data:`ROLES` (``("territory", "region")``,
        ``("departements", "france")``…).
    adjust : bool, default False
        Raw monthly or quarterly series: seasonally adjust both series first
        (:func:`bassin_lib.analysis.seasonal.seasonally_adjust`, STL, multiplicative). When
        either series cannot be adjusted (too short, a gap), both are used raw and ``adjusted``
        is false.

    Returns
    -------
    DataFrame
        One row per end period from the frame's first period + ``horizon`` to its last:
        ``period`` (end), ``start`` (``period − horizon``), ``local_change_pct``,
        ``benchmark_change_pct`` (%), ``differential_pts`` (local − benchmark, points),
        ``adjusted`` (bool, the same on every row).

    Raises
    ------
    ParameterError
        A malformed frame (missing column, periods that are not Periods, non-numeric values),
        two rows of one role and period (the dimensions not filtered), ``horizon`` not an
        integer ≥ 1, an unknown role, ``adjust`` not a bool, ``adjust=True`` on yearly periods.

    Notes
    -----
    ``Δ_X(t) = 100 × (X_t / X_{t−h} − 1)`` and ``D(t) = Δ_local(t) − Δ_benchmark(t)``, ``h`` the
    horizon. A change is ``NaN`` when either end is missing (absent, ``NaN``, or flagged
    ``lower_bound``: a sum missing masked cells would make spurious swings) or the start is 0;
    nothing is interpolated, a missing value is never 0.

    Examples
    --------
    >>> rows = cube.select("employment", t, sector="TOTAL", adjustment="cvs")
    >>> change_differentials(rows, horizon=4)
    """
    check_count(horizon, "horizon", 1)
    pair = _roles(roles)
    check_bool(adjust, "adjust")
    return _differentials(_rows(frame), horizon, pair, bool(adjust))[0]


def _reference(before, freq: str) -> pd.Period:
    """``before`` as a period of the frame's frequency; a quarter, for monthly series, is read
    as its last month."""
    if isinstance(before, pd.Period) and freq == "M" and before.freqstr[0] == "Q":
        return before.asfreq("M", "end")
    try:
        return as_period(before, freq)
    except ParameterError as exc:
        if freq == "M" and not isinstance(before, pd.Period):
            try:
                return as_period(before, "Q").asfreq("M", "end")
            except ParameterError:
                pass
        raise ParameterError(f"before: {exc}") from None


def differential_noise(
    frame: pd.DataFrame,
    *,
    horizon: int,
    before,
    adjust: bool = False,
    roles: tuple[str, str] = ("territory", "france"),
) -> NoiseBand:
    """Noise band of a territory's change against France's: the standard deviation of their
    differential over ``horizon`` periods, on the end periods up to ``before``.

    Parameters
    ----------
    frame : DataFrame
        Rows of one table for a territory and its comparators (``cube.select(table,
        territory, ...)``): ``role``, ``period``, ``value``; one row per role and period.
    horizon : int
        Periods the compared changes span (≥ 1): the window of the comparison the band
        qualifies, e.g. 4 for 2019Q4 → 2020Q4.
    before : str or Period
        The reference period (the pre-crisis quarter): ``"2019Q4"``, ``"2020-01"`` or a Period of
        the frame's frequency; for monthly series, a quarter stands for its last month
        (``"2019Q4"`` → December 2019). The differentials used end at ``before`` or earlier.
        A period outside the frame's range is allowed (before it: no differential).
    adjust : bool, default False
        Raw monthly or quarterly series (STMT job seekers, monthly temporary work): seasonally
        adjust both series first (:func:`bassin_lib.analysis.seasonal.seasonally_adjust`, STL
        robust, multiplicative), on the periods up to ``before`` only. When either series
        cannot be adjusted (fewer than 3 full years, a gap), both are used raw and
        ``adjusted`` is false in the result.
    roles : (str, str), default ("territory", "france")
        The local and the benchmark series (:data:`ROLES`).

    Returns
    -------
    NoiseBand
        ``sigma``, ``n``, ``first``, ``last``, ``band``, ``mean``, ``horizon``, ``adjusted``,
        ``floor``.

    Raises
    ------
    ParameterError
        As :func:`change_differentials`, and a ``before`` that does not parse.

    Notes
    -----
    With ``D(t)`` the differentials of :func:`change_differentials` for ``t ≤ before``, both
    changes observed (missing ones skipped, never 0), ``n`` of them:

    ``sigma = sqrt(Σ (D(t) − D̄)² / (n − 1))`` (sample standard deviation) and
    ``band = max(NOISE_FLOOR_POINTS, sigma)``; with ``n < 8`` (:data:`MIN_DIFFERENTIALS`),
    ``sigma`` is None and ``band`` is the floor, 0,5 point.

    ``sigma`` is taken around the mean differential ``D̄`` (reported as ``mean``): a territory
    that always lags France by 2 points has a usual gap of 2 points, not a noisy one. The band
    depends only on the periods up to ``before``: later data, the crisis included, leave it
    unchanged. For ``h > 1`` successive differentials overlap by ``h − 1`` periods and are
    correlated: ``sigma`` still measures the spread of an ``h``-period differential, but rests
    on about ``n / h`` independent windows. Raw series: a seasonal pattern that differs from
    France's widens the band unless ``adjust`` is set or the horizon is a whole year
    (:func:`year_on_year_noise`).

    Examples
    --------
    >>> rows = cube.select("employment", t, sector="TOTAL", adjustment="cvs")
    >>> band = differential_noise(rows, horizon=4, before="2019Q4")
    >>> abs(gap) < band.band  # « comparable »
    """
    check_count(horizon, "horizon", 1)
    pair = _roles(roles)
    check_bool(adjust, "adjust")
    rows = _rows(frame)
    reference = _reference(before, frequency(rows))
    rows = rows[rows["period"] <= reference]
    found, adjusted = _differentials(rows, horizon, pair, bool(adjust))
    used = found.dropna(subset=["differential_pts"])
    n = len(used)
    sigma = mean = None
    if n >= MIN_DIFFERENTIALS:
        sigma = float(np.std(used["differential_pts"].to_numpy(), ddof=1))
        mean = float(used["differential_pts"].mean())
    band = NOISE_FLOOR_POINTS if sigma is None else max(NOISE_FLOOR_POINTS, sigma)
    return NoiseBand(
        sigma=sigma,
        n=n,
        first=used["period"].iloc[0] if n else None,
        last=used["period"].iloc[-1] if n else None,
        band=float(band),
        mean=mean,
        horizon=horizon,
        adjusted=adjusted,
    )


def year_on_year_noise(
    frame: pd.DataFrame,
    *,
    before,
    adjust: bool = False,
    roles: tuple[str, str] = ("territory", "france"),
) -> NoiseBand:
    """Noise band of year-on-year changes: :func:`differential_noise` over one year (12 months,
    4 quarters, 1 year, from the frame's frequency).

    Parameters
    ----------
    frame, before, adjust, roles
        As in :func:`differential_noise`.

    Returns
    -------
    NoiseBand

    Raises
    ------
    ParameterError
        As :func:`differential_noise`.

    Notes
    -----
    A change over a whole year compares the same month (quarter) of two years: a seasonal
    pattern stable over the two years cancels out of it, so raw monthly series (STMT job
    seekers, monthly temporary work) need no ``adjust`` at this horizon, and a series too short
    for STL (under 3 years) still gets a band from its second year on.

    Examples
    --------
    >>> year_on_year_noise(cube.select("interim", t, sector="TOTAL", measure="fte"),
    ...                    before="2019-12")
    """
    rows = _rows(frame)
    horizon = _PER_YEAR[frequency(rows)]
    return differential_noise(rows, horizon=horizon, before=before, adjust=adjust, roles=roles)
