"""Seasonal adjustment (bassin_lib.analysis.seasonal): synthetic series built from a known trend
and a known seasonal pattern, which STL must give back; the eligibility rules (3 full years,
no gap, nothing interpolated); per-series work; bad input; and the STMT job seekers' option of
``jobseekers_departements`` with the source line of its chart.

Expected values are the components the series were built from, never outputs of the code.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from bassin_lib.analysis import jobseekers_departements
from bassin_lib.analysis.seasonal import (
    MIN_YEARS,
    PERIODS_PER_YEAR,
    seasonal_decomposition,
    seasonally_adjust,
)
from bassin_lib.errors import ParameterError
from bassin_lib.inputs import cube as cube_module
from bassin_lib.inputs.territories import Referentiel
from bassin_lib.rendering import figures

# A known monthly pattern (January first), summing to 0 over the year: high in winter and after
# the summer, low in June-August (the shape of registered job seekers).
MONTHLY_PATTERN = np.array([30.0, 20, 10, 0, -10, -20, -30, -20, 40, 10, 0, -30])
QUARTERLY_PATTERN = np.array([-20.0, 10, 25, -15])
assert MONTHLY_PATTERN.sum() == 0 and QUARTERLY_PATTERN.sum() == 0
TOLERANCE = 4.0
"""Largest error allowed on one period's seasonal component: 4 standard deviations of the
noise (sd 1) that STL cannot tell from the pattern; the mean over the years is held closer."""


def series(values, start="2015-01", freq="M", **columns) -> pd.DataFrame:
    """One series as a canonical long frame: ``level, code, period, value`` (+ ``columns``)."""
    periods = pd.period_range(start, periods=len(values), freq=freq)
    frame = pd.DataFrame({"level": "zone", "code": "0001", "period": periods, "value": values})
    return frame.assign(**columns)


def additive_monthly(n=60, pattern=MONTHLY_PATTERN, seed=0, noise=1.0):
    """``1000 + 2 t + pattern[month] + ε``, ``ε ~ N(0, noise²)``: (values, trend, seasonal)."""
    t = np.arange(n)
    trend = 1000.0 + 2.0 * t
    seasonal = pattern[t % 12]
    rng = np.random.default_rng(seed)
    return trend + seasonal + rng.normal(0.0, noise, n), trend, seasonal


# --- the decomposition gives back the known components ---------------------------------------


def test_a_monthly_series_gives_back_its_trend_and_its_pattern():
    values, trend, seasonal = additive_monthly()
    out = seasonally_adjust(series(values), model="additive")
    assert out["adjusted"].all()
    removed = values - out["value"].to_numpy()
    # the removed component is the known pattern, month by month (noise sd 1, 5 years)
    assert np.abs(removed - seasonal).max() < TOLERANCE
    by_month = pd.Series(removed).groupby(np.arange(60) % 12).mean().to_numpy()
    assert np.abs(by_month - MONTHLY_PATTERN).max() < 1.5
    # the adjusted series is the trend plus the noise: within a few noise sds of the trend
    assert np.abs(out["value"].to_numpy() - trend).max() < 5.0
    assert np.sqrt(np.mean((out["value"].to_numpy() - trend) ** 2)) < 2.0


def test_the_decomposition_adds_its_components_to_the_rows():
    values, trend, seasonal = additive_monthly()
    parts = seasonal_decomposition(series(values), model="additive")
    assert list(parts.columns) == [
        "level",
        "code",
        "period",
        "value",
        "trend",
        "seasonal",
        "residual",
        "adjusted",
    ]
    total = parts["trend"] + parts["seasonal"] + parts["residual"]
    np.testing.assert_allclose(total, values)  # additive: X = T + S + R
    assert np.abs(parts["seasonal"].to_numpy() - seasonal).max() < TOLERANCE
    assert np.abs(parts["trend"].to_numpy() - trend).max() < 5.0


def test_a_multiplicative_pattern_is_removed_as_a_factor():
    # 1000 × 1.004^t growth and factors exp(p), p summing to 0 (so their product is 1): the
    # seasonal factor is exp(p) and the adjusted series the trend (× a small noise)
    t = np.arange(48)
    trend = 1000.0 * 1.004**t
    factor = np.exp(MONTHLY_PATTERN[t % 12] / 600.0)  # ± 5 % to 7 %
    noise = np.exp(np.random.default_rng(1).normal(0.0, 0.001, 48))
    values = trend * factor * noise
    parts = seasonal_decomposition(series(values))  # multiplicative, the default
    np.testing.assert_allclose(parts["trend"] * parts["seasonal"] * parts["residual"], values)
    assert np.abs(parts["seasonal"].to_numpy() / factor - 1).max() < 0.005
    out = seasonally_adjust(series(values))
    assert np.abs(out["value"].to_numpy() / trend - 1).max() < 0.006
    np.testing.assert_allclose(values / out["value"].to_numpy(), parts["seasonal"])


def test_a_quarterly_series_is_adjusted_with_a_period_of_4():
    t = np.arange(40)  # 2010Q1 .. 2019Q4
    trend = 500.0 + 5.0 * t
    seasonal = QUARTERLY_PATTERN[t % 4]
    values = trend + seasonal + np.random.default_rng(2).normal(0.0, 1.0, 40)
    out = seasonally_adjust(series(values, "2010Q1", "Q"), model="additive")
    assert out["adjusted"].all()
    assert np.abs(values - out["value"].to_numpy() - seasonal).max() < TOLERANCE
    assert np.abs(out["value"].to_numpy() - trend).max() < 5.0


# --- which series are adjusted ---------------------------------------------------------------


def test_a_series_with_a_missing_month_inside_is_left_raw_and_flagged():
    values, _, _ = additive_monthly()
    values[30] = np.nan  # masked: missing, never 0, never interpolated
    frame = series(values)
    out = seasonally_adjust(frame)
    assert not out["adjusted"].any()
    pd.testing.assert_series_equal(out["value"], frame["value"])  # unchanged, NaN kept


def test_a_missing_row_inside_is_a_gap_too():
    values, _, _ = additive_monthly()
    frame = series(values).drop(index=30)
    assert not seasonally_adjust(frame)["adjusted"].any()


def test_three_full_years_are_needed():
    needed = MIN_YEARS * PERIODS_PER_YEAR["M"]
    assert needed == 36
    values, _, _ = additive_monthly(needed)
    assert seasonally_adjust(series(values))["adjusted"].all()
    short = series(values[:35])
    out = seasonally_adjust(short)
    assert not out["adjusted"].any()
    pd.testing.assert_series_equal(out["value"], short["value"])
    quarters = series(np.arange(11.0) + 100, "2015Q1", "Q")  # 11 quarters: under 3 years
    assert not seasonally_adjust(quarters)["adjusted"].any()


def test_missing_months_at_the_ends_do_not_prevent_the_adjustment():
    values, trend, _ = additive_monthly(40)
    values[:2] = np.nan  # the first two and the last month not (yet) published
    values[-1] = np.nan
    out = seasonally_adjust(series(values), model="additive")
    assert out["adjusted"].all()  # 37 consecutive months observed
    assert out["value"].iloc[:2].isna().all() and np.isnan(out["value"].iloc[-1])
    assert np.abs(out["value"].iloc[2:-1].to_numpy() - trend[2:-1]).max() < 6.0


def test_a_multiplicative_series_needs_positive_values():
    values, _, _ = additive_monthly()
    values -= 1000.0  # values around 0, some negative
    assert not seasonally_adjust(series(values))["adjusted"].any()
    assert seasonally_adjust(series(values), model="additive")["adjusted"].all()


def test_every_series_is_adjusted_on_its_own():
    first, trend_1, seasonal_1 = additive_monthly(seed=3)
    second, trend_2, seasonal_2 = additive_monthly(pattern=-2 * MONTHLY_PATTERN, seed=4)
    frame = pd.concat(
        [
            series(first, label="Un", sector="TOTAL", lower_bound=False),
            series(second, label="Deux", sector="TOTAL", lower_bound=True).assign(code="0002"),
            series(first[:24], label="Trois", sector="TOTAL", lower_bound=False).assign(
                code="0003"
            ),
        ],
        ignore_index=True,
    )
    frame = frame.sample(frac=1.0, random_state=5)  # rows in any order, index kept
    out = seasonally_adjust(frame, model="additive")
    assert out.index.equals(frame.index)
    assert list(out.columns) == [*frame.columns, "adjusted"]
    pd.testing.assert_frame_equal(
        out.drop(columns=["value", "adjusted"]), frame.drop(columns="value")
    )
    by_code = out.groupby("code")["adjusted"].all().to_dict()
    assert by_code == {"0001": True, "0002": True, "0003": False}
    for code, raw, seasonal in (("0001", first, seasonal_1), ("0002", second, seasonal_2)):
        rows = out[out["code"] == code].sort_values("period")
        removed = raw - rows["value"].to_numpy()
        assert np.abs(removed - seasonal).max() < TOLERANCE, code
    third = out[out["code"] == "0003"].sort_values("period")
    np.testing.assert_array_equal(third["value"].to_numpy(), first[:24])


def test_keys_name_the_series_of_a_frame_with_dimensions():
    jobs, _, seasonal = additive_monthly(seed=6)
    hours, _, _ = additive_monthly(seed=7)
    frame = pd.concat(
        [series(jobs, sector="Industrie"), series(hours, sector="Tertiaire")], ignore_index=True
    )
    with pytest.raises(ParameterError, match="duplicated"):
        seasonally_adjust(frame)  # two rows per (level, code, period)
    out = seasonally_adjust(frame, keys=("level", "code", "sector"), model="additive")
    assert out["adjusted"].all()
    industry = out[out["sector"] == "Industrie"]
    assert np.abs(jobs - industry["value"].to_numpy() - seasonal).max() < TOLERANCE


def test_importing_the_package_does_not_import_statsmodels():
    # statsmodels is imported by the first adjustment only: a kernel importing bassin_lib (and
    # a report without raw series) does not pay for it
    code = "import sys, bassin_lib.analysis; print('statsmodels' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_the_input_frame_is_not_modified():
    values, _, _ = additive_monthly()
    frame = series(values)
    before = frame.copy()
    seasonally_adjust(frame)
    pd.testing.assert_frame_equal(frame, before)


# --- bad input -------------------------------------------------------------------------------


def test_bad_input_is_refused_naming_the_column():
    values, _, _ = additive_monthly()
    frame = series(values)
    with pytest.raises(ParameterError, match=r"lacks column\(s\) \['period'\]"):
        seasonally_adjust(frame.drop(columns="period"))
    with pytest.raises(ParameterError, match="'period' column has dtype"):
        seasonally_adjust(frame.assign(period=frame["period"].astype(str)))
    mixed = pd.concat([frame, series([1.0], "2030Q1", "Q")], ignore_index=True)
    with pytest.raises(ParameterError, match=r"'period' column mixes frequencies \['M', 'Q-DEC'\]"):
        seasonally_adjust(mixed)
    yearly = series(np.arange(10.0) + 1, "2010", "Y")
    with pytest.raises(ParameterError, match="expected monthly or quarterly periods"):
        seasonally_adjust(yearly)
    with pytest.raises(ParameterError, match=r"duplicated \('level', 'code', 'period'\)"):
        seasonally_adjust(pd.concat([frame, frame.iloc[[3]]], ignore_index=True))
    with pytest.raises(ParameterError, match="value column 'value' has dtype"):
        seasonally_adjust(frame.assign(value=frame["value"].astype(str)))
    with pytest.raises(ParameterError, match=r"lacks column\(s\) \['count'\]"):
        seasonally_adjust(frame, value="count")
    with pytest.raises(ParameterError, match="keys"):
        seasonally_adjust(frame, keys=("code", "period"))
    with pytest.raises(ParameterError, match="model 'log' is not allowed"):
        seasonally_adjust(frame, model="log")
    with pytest.raises(ParameterError, match="must be a DataFrame"):
        seasonally_adjust(frame.to_dict())
    once = seasonally_adjust(frame)
    with pytest.raises(ParameterError, match=r"already has column\(s\) \['adjusted'\]"):
        seasonally_adjust(once)


def test_another_value_column_can_be_adjusted():
    values, _, seasonal = additive_monthly()
    frame = series(values).rename(columns={"value": "count"})
    out = seasonally_adjust(frame, value="count", model="additive")
    assert np.abs(values - out["count"].to_numpy() - seasonal).max() < TOLERANCE


# --- STMT job seekers: the option of jobseekers_departements and its chart -------------------

ZONES = pd.DataFrame(
    {
        "zone": ["2705"],
        "label": ["Zone Deux"],
        "region": ["27"],
        "region_label": ["Bourgogne-Franche-Comté"],
        "departements": ["70,90"],
    }
)
MONTHS = pd.period_range("2020-01", "2023-12", freq="M")  # 48 months, as STMT's extract


def stmt_cube(masked: bool = False):
    """A ``jobseekers_local`` table with seasonal départements 70 and 90 and region 27; France
    is the sum of the zoning's départements (70 and 90). ``masked``: 70 missing in June 2021."""
    t = np.arange(len(MONTHS))
    rows = []
    for level, code, base, amplitude in (
        ("departement", "70", 4000.0, 1.0),
        ("departement", "90", 13000.0, 2.0),
        ("region", "27", 230000.0, 1.5),
    ):
        values = base * (1 - 0.002 * t) * np.exp(amplitude * MONTHLY_PATTERN[t % 12] / 1000.0)
        rows.append(pd.DataFrame({"level": level, "code": code, "period": MONTHS, "value": values}))
    table = pd.concat(rows, ignore_index=True)
    if masked:
        june = (table["code"] == "70") & (table["period"] == pd.Period("2021-06", "M"))
        table.loc[june, "value"] = np.nan
    meta = {"france_label": "France", "sources": {"jobseekers_local": "Source : France Travail"}}
    referentiel = Referentiel(ZONES.copy(), {})
    return cube_module.build_cube({"jobseekers_local": table}, referentiel, meta=meta)


def test_the_departements_series_can_be_seasonally_adjusted():
    cube = stmt_cube()
    territory = cube.territory("2705")
    raw = jobseekers_departements(cube, territory)
    assert "adjusted" not in raw.columns  # the default is unchanged
    adjusted = jobseekers_departements(cube, territory, adjust=True)
    assert list(adjusted.columns) == [*raw.columns, "adjusted"]
    assert adjusted.groupby("role")["adjusted"].all().to_dict() == {
        "departements": True,
        "france": True,
        "region": True,
    }
    # the sum 70 + 90 = 4000 (1 − 0.002 t) f70 + 13000 (1 − 0.002 t) f90: once adjusted, its
    # month-to-month path is the smooth decline, within 0.3 % of 17000 (1 − 0.002 t)
    own = adjusted[adjusted["role"] == "departements"]
    smooth = 17000.0 * (1 - 0.002 * np.arange(len(MONTHS)))
    assert np.abs(own["value"].to_numpy() / smooth - 1).max() < 0.003
    raw_own = raw[raw["role"] == "departements"]
    assert np.abs(raw_own["value"].to_numpy() / smooth - 1).max() > 0.03  # the raw swing
    pd.testing.assert_frame_equal(
        adjusted.drop(columns=["value", "adjusted"]), raw.drop(columns="value")
    )
    with pytest.raises(ParameterError, match="adjust 'yes' is not allowed"):
        jobseekers_departements(cube, territory, adjust="yes")


def test_a_sum_with_a_masked_month_stays_raw():
    cube = stmt_cube(masked=True)
    adjusted = jobseekers_departements(cube, cube.territory("2705"), adjust=True)
    flags = adjusted.groupby("role")["adjusted"].all().to_dict()
    assert flags == {"departements": False, "france": False, "region": True}


def source_line(frame) -> str:
    fig = figures.jobseekers_departements(frame, ("70", "90"), "Source : France Travail")
    return fig._supxlabel.get_text()


def test_the_chart_says_whether_its_lines_were_adjusted():
    cube = stmt_cube()
    territory = cube.territory("2705")
    raw = jobseekers_departements(cube, territory)
    assert source_line(raw) == "Source : France Travail, données brutes"
    adjusted = jobseekers_departements(cube, territory, adjust=True)
    assert source_line(adjusted) == (
        "Source : France Travail, données corrigées des variations saisonnières par bassin_lib"
    )
    masked = stmt_cube(masked=True)
    partly = jobseekers_departements(masked, masked.territory("2705"), adjust=True)
    assert source_line(partly) == (
        "Source : France Travail, données corrigées des variations saisonnières par bassin_lib, "
        "sauf «\u00a0Haute-Saône et Territoire de Belfort\u00a0» et «\u00a0France\u00a0» "
        "(données brutes)"
    )
