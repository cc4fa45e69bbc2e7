"""Noise band of a territory's comparison with France (bassin_lib.analysis.noise): a standard
deviation computed by hand on a small frame, the fixed floor, a short history, missing values,
the seasonal option on raw monthly series, and bad input.

The frames are built from the changes they should give (values = cumulative products of
1 + change), so that every expected figure is hand arithmetic written in the test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bassin_lib.analysis.noise import (
    DIFFERENTIAL_COLUMNS,
    MIN_DIFFERENTIALS,
    NOISE_FLOOR_POINTS,
    NoiseBand,
    change_differentials,
    differential_noise,
    year_on_year_noise,
)
from bassin_lib.errors import ParameterError

# Differentials chosen for an easy standard deviation: n = 8, sum 8, mean 1; deviations
# 0, 2, −2, 1, −1, 3, 0, −3; squares 0 + 4 + 4 + 1 + 1 + 9 + 0 + 9 = 28;
# sample variance 28 / (8 − 1) = 4; sigma = 2.
DIFFERENTIALS = [1.0, 3.0, -1.0, 2.0, 0.0, 4.0, 1.0, -2.0]
FRANCE_CHANGE = 0.5  # France grows by 0,5 % each quarter


def levels(changes_pct, start=100.0) -> list[float]:
    """Values whose successive changes are ``changes_pct`` (%), from ``start``."""
    out = [start]
    for change in changes_pct:
        out.append(out[-1] * (1 + change / 100.0))
    return out


def frame_of(territory, france, start="2017Q4", freq="Q", **columns) -> pd.DataFrame:
    """Rows as ``cube.select`` gives them: ``role, level, code, label, period, value``."""
    parts = []
    for role, values in (("territory", territory), ("france", france)):
        periods = pd.period_range(start, periods=len(values), freq=freq)
        parts.append(
            pd.DataFrame(
                {
                    "role": role,
                    "level": "zone" if role == "territory" else "france",
                    "code": "0001" if role == "territory" else "FR",
                    "label": role,
                    "period": periods,
                    "value": [float(v) for v in values],
                    **columns,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def hand_frame() -> pd.DataFrame:
    """2017Q4 .. 2021Q4: the 8 quarterly changes of 2018Q1 .. 2019Q4 give DIFFERENTIALS; after
    2019Q4, a crisis (− 30 %, + 25 %…) that the band must not see."""
    crisis = [-30.0, 25.0, 5.0, -10.0, 8.0, 1.0, 2.0, 3.0]
    territory = levels([d + FRANCE_CHANGE for d in DIFFERENTIALS] + crisis)
    france = levels([FRANCE_CHANGE] * 16, start=1000.0)
    return frame_of(territory, france)


# --- the standard deviation, by hand ---------------------------------------------------------


def test_sigma_is_the_standard_deviation_of_the_differentials_before_the_reference():
    band = differential_noise(hand_frame(), horizon=1, before="2019Q4")
    assert isinstance(band, NoiseBand)
    assert band.n == 8
    assert (str(band.first), str(band.last)) == ("2018Q1", "2019Q4")
    assert band.sigma == pytest.approx(2.0)  # sqrt(28 / 7)
    assert band.mean == pytest.approx(1.0)  # 8 / 8
    assert band.band == pytest.approx(2.0)  # max(0,5 ; 2)
    assert (band.horizon, band.adjusted, band.floor) == (1, False, 0.5)
    # a Period is read as the string is
    assert differential_noise(hand_frame(), horizon=1, before=pd.Period("2019Q4")) == band


def test_the_differentials_period_by_period():
    found = change_differentials(hand_frame(), horizon=1)
    assert list(found.columns) == DIFFERENTIAL_COLUMNS
    assert len(found) == 16  # 2018Q1 .. 2021Q4
    first = found.iloc[:8]
    np.testing.assert_allclose(first["differential_pts"], DIFFERENTIALS)
    np.testing.assert_allclose(first["benchmark_change_pct"], FRANCE_CHANGE)
    np.testing.assert_allclose(first["local_change_pct"], np.add(DIFFERENTIALS, 0.5))
    assert str(found["period"].iloc[0]) == "2018Q1" and str(found["start"].iloc[0]) == "2017Q4"
    assert found.iloc[8]["differential_pts"] == pytest.approx(-30.0 - 0.5)


def test_a_longer_horizon_compounds_the_changes():
    # horizon 2, end 2018Q2: territory (1 + 1,5 %)(1 + 3,5 %) − 1 = 5,0525 %; France
    # 1,005² − 1 = 1,0025 %; differential 4,05 points
    found = change_differentials(hand_frame(), horizon=2)
    row = found.set_index(found["period"].astype(str)).loc["2018Q2"]
    assert row["local_change_pct"] == pytest.approx(5.0525)
    assert row["benchmark_change_pct"] == pytest.approx(1.0025)
    assert row["differential_pts"] == pytest.approx(4.05)
    band = differential_noise(hand_frame(), horizon=2, before="2019Q4")
    assert band.n == 7 and str(band.first) == "2018Q2"  # 2018Q2 .. 2019Q4
    assert band.sigma is None  # 7 < 8


def test_the_floor_holds_for_a_calm_territory():
    # differentials ± 0,1: sigma = sqrt(8 × 0,01 / 7) = 0,1069 < 0,5
    calm = [0.1, -0.1] * 4
    territory = levels([d + FRANCE_CHANGE for d in calm])
    band = differential_noise(
        frame_of(territory, levels([FRANCE_CHANGE] * 8)), horizon=1, before="2019Q4"
    )
    assert band.sigma == pytest.approx(math.sqrt(0.08 / 7))
    assert band.band == NOISE_FLOOR_POINTS == 0.5


def test_a_short_history_gives_the_floor_and_no_sigma():
    short = hand_frame()
    assert MIN_DIFFERENTIALS == 8
    band = differential_noise(short, horizon=1, before="2019Q3")  # 7 differentials
    assert (band.n, band.sigma, band.mean, band.band) == (7, None, None, 0.5)
    assert (str(band.first), str(band.last)) == ("2018Q1", "2019Q3")
    # a reference before the data: nothing to measure
    none = differential_noise(short, horizon=1, before="2015Q4")
    assert (none.n, none.sigma, none.first, none.last, none.band) == (0, None, None, None, 0.5)


# --- missing values --------------------------------------------------------------------------


def test_missing_values_are_skipped_never_zero():
    # 10 changes; the level between the 5th and the 6th is masked: both changes are missing
    # (never − 100 % nor infinite), the 8 others are DIFFERENTIALS: sigma 2 again
    changes = [*DIFFERENTIALS[:4], 7.0, -9.0, *DIFFERENTIALS[4:]]
    territory = levels([d + FRANCE_CHANGE for d in changes])
    territory[5] = float("nan")
    frame = frame_of(territory, levels([FRANCE_CHANGE] * 10, start=1000.0))
    found = change_differentials(frame, horizon=1)
    assert found["differential_pts"].isna().tolist() == [False] * 4 + [True] * 2 + [False] * 4
    band = differential_noise(frame, horizon=1, before="2020Q2")
    assert band.n == 8
    assert band.sigma == pytest.approx(2.0)
    assert (str(band.first), str(band.last)) == ("2018Q1", "2020Q2")
    # a lower bound (sum over masked cells) is not a level either
    bounded = frame_of(
        levels([d + FRANCE_CHANGE for d in changes]), levels([FRANCE_CHANGE] * 10, start=1000.0)
    ).assign(lower_bound=False)
    bounded.loc[(bounded["role"] == "territory") & (bounded.index == 5), "lower_bound"] = True
    assert differential_noise(bounded, horizon=1, before="2020Q2") == band
    # a France value missing drops the differential too; a missing row is a missing value
    no_row = frame.drop(index=frame.index[(frame["role"] == "france")][3])
    assert differential_noise(no_row, horizon=1, before="2020Q2").n == 6


# --- raw monthly series: the seasonal option -------------------------------------------------

PATTERN = np.array([3.0, 2, 1, 0, -1, -2, -3, -2, 4, 1, 0, -3])  # % of the level, sums to 0


def raw_monthly() -> pd.DataFrame:
    """2014-01 .. 2021-12. France grows smoothly by 0,1 % a month, without seasonality; the
    territory grows the same but carries a seasonal factor exp(PATTERN / 100): their
    differential is pure seasonality. A crisis follows 2019."""
    t = np.arange(96)
    trend = 1000.0 * 1.001**t
    trend[t >= 72] *= 0.9  # 2020: both fall by 10 %
    territory = 5 * trend * np.exp(PATTERN[t % 12] / 100.0)
    return frame_of(territory, 50 * trend, start="2014-01", freq="M")


def test_seasonal_adjustment_collapses_a_purely_seasonal_band_to_the_floor():
    frame = raw_monthly()
    raw = differential_noise(frame, horizon=3, before="2019-12")
    # three-month changes of the territory swing by several points with the pattern
    # (March → June: exp(−0,02 − 0,01) − 1 ≈ − 3 %; June → September: exp(0,06) − 1 ≈ + 6 %)
    assert raw.n == 69 and raw.sigma > 2.0 and raw.band == raw.sigma and not raw.adjusted
    adjusted = differential_noise(frame, horizon=3, before="2019-12", adjust=True)
    assert adjusted.adjusted and adjusted.n == 69
    assert adjusted.sigma < 0.2 and adjusted.band == NOISE_FLOOR_POINTS
    # a quarter stands for its last month
    assert differential_noise(frame, horizon=3, before="2019Q4", adjust=True) == adjusted
    # over a whole year the stable pattern cancels out without adjustment
    yearly = year_on_year_noise(frame, before="2019-12")
    assert yearly.horizon == 12 and yearly.n == 60
    assert yearly.sigma < 0.01 and yearly.band == NOISE_FLOOR_POINTS


def test_a_series_too_short_to_adjust_leaves_both_raw():
    frame = raw_monthly()
    frame = frame[(frame["role"] == "france") | (frame["period"] >= pd.Period("2018-01", "M"))]
    # the territory has 24 months before 2020: under 3 years, STL is not run; France alone
    # adjusted would mix an adjusted and a raw series, so both are read raw
    band = differential_noise(frame, horizon=3, before="2019-12", adjust=True)
    assert not band.adjusted
    assert band == differential_noise(frame, horizon=3, before="2019-12")


def test_other_roles_can_be_compared():
    frame = hand_frame()
    region = frame[frame["role"] == "france"].assign(role="region")
    both = pd.concat([frame, region], ignore_index=True)
    band = differential_noise(both, horizon=1, before="2019Q4", roles=("territory", "region"))
    assert band.sigma == pytest.approx(2.0)
    # a role absent from the frame: nothing to measure, the floor
    assert (
        differential_noise(frame, horizon=1, before="2019Q4", roles=("territory", "region")).n == 0
    )


def test_it_reads_cube_select_rows(demo_cube):
    t = demo_cube.territory("DA01")
    rows = demo_cube.select("employment", t, sector="TOTAL", adjustment="cvs")
    band = differential_noise(rows, horizon=4, before="2019Q4")
    # 2010Q1 .. 2019Q4 is 40 quarters: 36 four-quarter changes, 2011Q1 .. 2019Q4
    assert band.n == 36 and (str(band.first), str(band.last)) == ("2011Q1", "2019Q4")
    assert band.sigma is not None and band.band >= NOISE_FLOOR_POINTS


# --- bad input -------------------------------------------------------------------------------


def test_bad_input_is_refused():
    frame = hand_frame()
    with pytest.raises(ParameterError, match="horizon 0 is not allowed"):
        differential_noise(frame, horizon=0, before="2019Q4")
    with pytest.raises(ParameterError, match="before: period '2019-12' is not valid"):
        differential_noise(frame, horizon=1, before="2019-12")
    with pytest.raises(ParameterError, match="role 'teritory' is not allowed"):
        differential_noise(frame, horizon=1, before="2019Q4", roles=("teritory", "france"))
    with pytest.raises(ParameterError, match="two different roles"):
        differential_noise(frame, horizon=1, before="2019Q4", roles=("france", "france"))
    with pytest.raises(ParameterError, match="adjust 1 is not allowed"):
        differential_noise(frame, horizon=1, before="2019Q4", adjust=1)
    sectors = pd.concat(
        [frame.assign(sector="TOTAL"), frame.assign(sector="BE")], ignore_index=True
    )
    with pytest.raises(ParameterError, match=r"filter the column\(s\) \['sector'\] first"):
        differential_noise(sectors, horizon=1, before="2019Q4")
    with pytest.raises(ParameterError, match="'period' column has dtype"):
        differential_noise(
            frame.assign(period=frame["period"].astype(str)), horizon=1, before="2019Q4"
        )
    with pytest.raises(ParameterError, match=r"lacks column\(s\) \['role'\]"):
        differential_noise(frame.drop(columns="role"), horizon=1, before="2019Q4")
    yearly = frame_of(levels([1.0] * 10), levels([1.0] * 10), start="2010", freq="Y")
    assert differential_noise(yearly, horizon=1, before="2019").n == 9  # 2011 .. 2019
    with pytest.raises(ParameterError, match="expected monthly or quarterly periods"):
        differential_noise(yearly, horizon=1, before="2019", adjust=True)
