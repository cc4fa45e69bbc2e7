"""Shift-share decomposition, classic and dynamic.

Classic example, 2019Q4 → 2020Q4, two zones and three sectors, France being their sum:

    sector     0001 start/end   0002 start/end   France start/end   g_Ni
    C5             60 / 54          40 / 38         100 / 92        −0.08
    MN             20 / 24          80 / 84         100 / 108       +0.08
    GZ             20 / 22          80 / 84         100 / 106       +0.06
    total         100 / 100        200 / 206        300 / 306   g_N = +0.02
"""

import numpy as np
import pandas as pd
import pytest
from conftest import sector_frame
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bassin_lib.analysis.shift_share import dynamic_shift_share, shift_share
from bassin_lib.errors import ParameterError

COLUMNS = [
    "level",
    "code",
    "start",
    "end",
    "start_value",
    "end_value",
    "change",
    "national",
    "sector_mix",
    "local",
    "n_sectors",
    "complete",
]


def _rows(level, code, period, values):
    """Sector rows of one territory and quarter, from {sector: value}."""
    return pd.DataFrame(
        {
            "level": level,
            "code": code,
            "period": pd.PeriodIndex([period] * len(values), freq="Q"),
            "sector": list(values),
            "value": [float(v) for v in values.values()],
        }
    )


@pytest.fixture
def employment():
    return pd.concat(
        [
            _rows("zone", "0001", "2019Q4", {"C5": 60, "MN": 20, "GZ": 20, "TOTAL": 100}),
            _rows("zone", "0002", "2019Q4", {"C5": 40, "MN": 80, "GZ": 80, "TOTAL": 200}),
            _rows("france", "FR", "2019Q4", {"C5": 100, "MN": 100, "GZ": 100, "TOTAL": 300}),
            _rows("zone", "0001", "2020Q4", {"C5": 54, "MN": 24, "GZ": 22, "TOTAL": 100}),
            _rows("zone", "0002", "2020Q4", {"C5": 38, "MN": 84, "GZ": 84, "TOTAL": 206}),
            _rows("france", "FR", "2020Q4", {"C5": 92, "MN": 108, "GZ": 106, "TOTAL": 306}),
        ],
        ignore_index=True,
    ).assign(adjustment="cvs")


@pytest.fixture
def three_quarters():
    """Zone 0001 and France (given, not summed), two sectors, 2019Q4, 2020Q1, 2020Q2.

    France: C5 100 → 90 → 99, MN 100 → 110 → 121 (totals 200 → 200 → 220).
    Zone:   C5  50 → 40 → 40, MN  10 →  20 →  30 (totals  60 →  60 →  70).
    """
    return pd.concat(
        [
            _rows("france", "FR", "2019Q4", {"C5": 100, "MN": 100}),
            _rows("france", "FR", "2020Q1", {"C5": 90, "MN": 110}),
            _rows("france", "FR", "2020Q2", {"C5": 99, "MN": 121}),
            _rows("zone", "0001", "2019Q4", {"C5": 50, "MN": 10}),
            _rows("zone", "0001", "2020Q1", {"C5": 40, "MN": 20}),
            _rows("zone", "0001", "2020Q2", {"C5": 40, "MN": 30}),
        ],
        ignore_index=True,
    )


def _row(frame, code, **match):
    rows = frame[frame["code"] == code]
    for column, value in match.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1
    return rows.iloc[0]


# --- hand-computed examples -----------------------------------------------------------------


def test_shift_share_hand_example(employment):
    out = shift_share(employment, "2019Q4", "2020Q4")
    assert list(out.columns) == COLUMNS
    one = _row(out, "0001")
    assert (one["start_value"], one["end_value"], one["change"]) == (100, 100, 0)
    assert one["national"] == pytest.approx(2.0)  # 100 × 0.02
    # 60 × (−0.08 − 0.02) + 20 × (0.08 − 0.02) + 20 × (0.06 − 0.02) = −6 + 1.2 + 0.8
    assert one["sector_mix"] == pytest.approx(-4.0)
    # (−6 − 60 × −0.08) + (4 − 20 × 0.08) + (2 − 20 × 0.06) = −1.2 + 2.4 + 0.8
    assert one["local"] == pytest.approx(2.0)
    two = _row(out, "0002")
    assert two["change"] == 6  # 206 − 200
    assert two["national"] == pytest.approx(4.0)  # 200 × 0.02
    assert two["sector_mix"] == pytest.approx(4.0)  # 40 × −0.10 + 80 × 0.06 + 80 × 0.04
    assert two["local"] == pytest.approx(-2.0)  # (−2 + 3.2) + (4 − 6.4) + (4 − 4.8)
    france = _row(out, "FR")
    assert france["national"] == pytest.approx(6.0)  # 300 × 0.02
    assert (france["sector_mix"], france["local"]) == (0.0, 0.0)
    assert out["complete"].all() and (out["n_sectors"] == 3).all()
    assert (out["start"] == pd.Period("2019Q4", freq="Q")).all()


def test_shift_share_accepts_periods(employment):
    as_strings = shift_share(employment, "2019Q4", "2020Q4")
    as_periods = shift_share(
        employment, pd.Period("2019Q4", freq="Q"), pd.Period("2020Q4", freq="Q")
    )
    pd.testing.assert_frame_equal(as_strings, as_periods)


def test_shift_share_masked_sector_is_excluded_at_both_ends(employment):
    masked = employment.copy()
    end_gz = (masked["code"] == "0002") & (masked["sector"] == "GZ")
    end_gz &= masked["period"] == pd.Period("2020Q4", freq="Q")
    masked.loc[end_gz, "value"] = np.nan
    two = _row(shift_share(masked, "2019Q4", "2020Q4"), "0002")
    # GZ left out at both ends: C5 + MN = 40 + 80 = 120 → 38 + 84 = 122
    assert (two["start_value"], two["end_value"], two["change"]) == (120, 122, 2)
    assert two["national"] == pytest.approx(2.4)  # 120 × 0.02 (France still complete)
    assert two["sector_mix"] == pytest.approx(0.8)  # 40 × −0.10 + 80 × 0.06
    assert two["local"] == pytest.approx(-1.2)  # (−2 + 3.2) + (4 − 6.4)
    assert (two["n_sectors"], two["complete"]) == (2, False)
    assert _row(shift_share(masked, "2019Q4", "2020Q4"), "0001")["complete"]


def test_dynamic_shift_share_hand_example(three_quarters):
    steps = dynamic_shift_share(three_quarters, "2019Q4", "2020Q2", by_step=True)
    assert list(steps.columns) == COLUMNS
    first = _row(steps, "0001", start=pd.Period("2019Q4", freq="Q"))
    # step 1: g_N = 200/200 − 1 = 0; g_C5 = −0.1, g_MN = +0.1
    assert first["national"] == pytest.approx(0.0)  # 60 × 0
    assert first["sector_mix"] == pytest.approx(-4.0)  # 50 × −0.1 + 10 × 0.1
    assert first["local"] == pytest.approx(4.0)  # (−10 + 5) + (10 − 1)
    second = _row(steps, "0001", start=pd.Period("2020Q1", freq="Q"))
    # step 2: g_N = 220/200 − 1 = 0.1; g_C5 = 99/90 − 1 = 0.1, g_MN = 121/110 − 1 = 0.1
    assert second["national"] == pytest.approx(6.0)  # 60 × 0.1
    assert second["sector_mix"] == pytest.approx(0.0, abs=1e-9)  # 40 × 0 + 20 × 0
    assert second["local"] == pytest.approx(4.0)  # (0 − 4) + (10 − 2)
    assert second["change"] == 10  # 70 − 60

    total = _row(dynamic_shift_share(three_quarters, "2019Q4", "2020Q2"), "0001")
    assert (total["start_value"], total["end_value"], total["change"]) == (60, 70, 10)
    assert total["national"] == pytest.approx(6.0)  # 0 + 6
    assert total["sector_mix"] == pytest.approx(-4.0)  # −4 + 0
    assert total["local"] == pytest.approx(8.0)  # 4 + 4
    assert total["start"] == pd.Period("2019Q4", freq="Q")
    assert total["end"] == pd.Period("2020Q2", freq="Q")


def test_classic_differs_from_dynamic_on_the_same_window(three_quarters):
    classic = _row(shift_share(three_quarters, "2019Q4", "2020Q2"), "0001")
    # g_N = 220/200 − 1 = 0.1; g_C5 = 99/100 − 1 = −0.01; g_MN = 121/100 − 1 = 0.21
    assert classic["national"] == pytest.approx(6.0)  # 60 × 0.1
    assert classic["sector_mix"] == pytest.approx(-4.4)  # 50 × −0.11 + 10 × 0.11
    assert classic["local"] == pytest.approx(8.4)  # (−10 + 0.5) + (20 − 2.1)


def test_dynamic_step_of_two_quarters(three_quarters):
    one_step = dynamic_shift_share(three_quarters, "2019Q4", "2020Q2", step=2, by_step=True)
    # a single step covering the window is the classic decomposition: 6, −4.4, 8.4
    zone = _row(one_step, "0001")
    assert (zone["national"], zone["sector_mix"], zone["local"]) == pytest.approx((6, -4.4, 8.4))


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("function", [shift_share, dynamic_shift_share])
def test_start_not_before_end(employment, function):
    with pytest.raises(ParameterError, match="start 2020Q4 must be before end 2019Q4"):
        function(employment, "2020Q4", "2019Q4")
    with pytest.raises(ParameterError, match="start 2019Q4 must be before end 2019Q4"):
        function(employment, "2019Q4", "2019Q4")


@pytest.mark.parametrize("function", [shift_share, dynamic_shift_share])
def test_unknown_reference(employment, function):
    with pytest.raises(ParameterError, match=r"unknown reference \('region', '27'\)"):
        function(employment, "2019Q4", "2020Q4", reference=("region", "27"))


def test_period_outside_the_frame_or_absent_from_the_reference(employment):
    message = r"start 2018Q4 is out of range: the employment frame has periods from 2019Q4 to"
    with pytest.raises(ParameterError, match=message):
        shift_share(employment, "2018Q4", "2020Q4")
    # quarter by quarter needs 2020Q1..2020Q3, which the example does not have
    with pytest.raises(ParameterError, match=r"\['2020Q1', '2020Q2', '2020Q3'\] absent"):
        dynamic_shift_share(employment, "2019Q4", "2020Q4")


def test_unparsable_or_wrong_frequency_period(employment):
    # the usual spellings of a quarter are read as that quarter (common.as_period)
    pd.testing.assert_frame_equal(
        shift_share(employment, "2019T4", "2020-T4"), shift_share(employment, "2019Q4", "2020Q4")
    )
    with pytest.raises(ParameterError, match="start: period '2019Q5' is not valid: expected a"):
        shift_share(employment, "2019Q5", "2020Q4")
    with pytest.raises(ParameterError, match="has frequency Y-DEC"):
        shift_share(employment, pd.Period("2019", freq="Y"), "2020Q4")


def test_step_must_divide_the_window(three_quarters):
    with pytest.raises(ParameterError, match=r"step 3 does not divide the 2 periods"):
        dynamic_shift_share(three_quarters, "2019Q4", "2020Q2", step=3)
    with pytest.raises(ParameterError, match="step 0 is not allowed"):
        dynamic_shift_share(three_quarters, "2019Q4", "2020Q2", step=0)


# --- properties -----------------------------------------------------------------------------


@st.composite
def counts(draw):
    """Jobs by zone × quarter × sector (whole numbers ≥ 1), at least two quarters."""
    shape = (draw(st.integers(1, 3)), draw(st.integers(2, 5)), draw(st.integers(1, 4)))
    return draw(hnp.arrays(np.int64, shape, elements=st.integers(1, 1000)))


def _frame(jobs):
    return sector_frame(jobs)


def _components_add_up(out):
    total = out["national"] + out["sector_mix"] + out["local"]
    assert total.to_numpy() == pytest.approx(out["change"].to_numpy(), rel=1e-9, abs=1e-6)
    change = out["end_value"] - out["start_value"]
    assert out["change"].to_numpy() == pytest.approx(change.to_numpy(), rel=1e-9, abs=1e-6)


@settings(max_examples=50, deadline=None)
@given(counts())
def test_classic_components_sum_to_the_change(jobs):
    frame, periods = _frame(jobs)
    out = shift_share(frame, periods[0], periods[-1])
    _components_add_up(out)
    zones = out[out["level"] == "zone"]
    france = out[out["level"] == "france"].iloc[0]
    # France is the sum of the zones: their national parts add up to France's, their sector-mix
    # and local parts cancel out, and France's own sector-mix and local parts are 0
    assert zones["national"].sum() == pytest.approx(france["national"], rel=1e-9, abs=1e-6)
    assert zones["sector_mix"].sum() == pytest.approx(0.0, abs=1e-6)
    assert zones["local"].sum() == pytest.approx(0.0, abs=1e-6)
    assert (france["sector_mix"], france["local"]) == (0.0, 0.0)
    assert out["complete"].all()


@settings(max_examples=50, deadline=None)
@given(counts())
def test_dynamic_components_sum_to_the_change(jobs):
    frame, periods = _frame(jobs)
    summed = dynamic_shift_share(frame, periods[0], periods[-1])
    steps = dynamic_shift_share(frame, periods[0], periods[-1], by_step=True)
    _components_add_up(summed)
    _components_add_up(steps)
    assert len(steps) == len(summed) * (len(periods) - 1)
    components = ["national", "sector_mix", "local"]
    per_territory = steps.groupby(["level", "code"])[components].sum()
    expected = summed.set_index(["level", "code"])[components].loc[per_territory.index]
    assert per_territory.to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-9, abs=1e-6)
    # the first step starts where the window starts, the last ends where it ends
    first = steps[steps["start"] == periods[0]].set_index(["level", "code"])["start_value"]
    last = steps[steps["end"] == periods[-1]].set_index(["level", "code"])["end_value"]
    indexed = summed.set_index(["level", "code"])
    assert (indexed["start_value"] == first.loc[indexed.index]).all()
    assert (indexed["end_value"] == last.loc[indexed.index]).all()


@settings(max_examples=50, deadline=None)
@given(counts())
def test_dynamic_with_one_step_is_the_classic_decomposition(jobs):
    frame, periods = _frame(jobs)
    one_step = dynamic_shift_share(frame, periods[0], periods[-1], step=len(periods) - 1)
    classic = shift_share(frame, periods[0], periods[-1])
    pd.testing.assert_frame_equal(one_step, classic, rtol=1e-9, atol=1e-9)


@st.composite
def masked_counts(draw):
    """Counts as above plus a mask of the zones' cells (France stays the unmasked sum)."""
    jobs = draw(counts())
    return jobs, draw(hnp.arrays(np.bool_, jobs.shape))


def _masked_frame(jobs, mask):
    frame, periods = _frame(jobs)
    n_zone_cells = mask.size  # zones come first in the frame, in jobs' order
    hidden = np.concatenate([mask.ravel(), np.zeros(len(frame) - n_zone_cells, dtype=bool)])
    frame.loc[hidden, "value"] = np.nan
    return frame, periods


@settings(max_examples=50, deadline=None)
@given(masked_counts())
def test_masked_cells_keep_the_identity_and_clear_complete(draws):
    jobs, mask = draws
    frame, periods = _masked_frame(jobs, mask)
    classic = shift_share(frame, periods[0], periods[-1]).set_index("code")
    dynamic = dynamic_shift_share(frame, periods[0], periods[-1]).set_index("code")
    for out in (classic, dynamic):
        _components_add_up(out[out["n_sectors"] > 0])
        assert out[out["n_sectors"] == 0]["change"].isna().all()
        assert out.loc["FR", "complete"]
    for i in range(jobs.shape[0]):
        code = f"{i + 1:04d}"
        # classic: a sector masked at either end is dropped; dynamic: masked at any period
        assert classic.loc[code, "complete"] == (not mask[i, [0, -1], :].any())
        assert dynamic.loc[code, "complete"] == (not mask[i].any())
        kept = ~mask[i].any(axis=0)
        assert dynamic.loc[code, "n_sectors"] == kept.sum()
