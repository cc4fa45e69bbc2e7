"""Temporary work: share of employment, year-on-year change, sector mix, profiles.

Hand-made example (temp workers, quarterly, measure ``jobs``; private jobs, CVS, TOTAL):

    territory     quarter   interim                                  employment   share
    region 27     2019Q4    TOTAL 110 (sectors 70 + 40, ignored)       1 000      11.0 %
    region 27     2020Q4    TOTAL 88                                     960       9.1666 %
    France        2019Q4    no TOTAL: 400 + 100 + masked = 500 (≥)    20 000       2.5 % (≥)
    France        2020Q4    TOTAL 380                                 19 000       2.0 %

The département 90 has temp workers but no employment row, the zone 2705 employment but no
temp workers: neither gets a share.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bassin_lib.analysis.interim import (
    interim_profile_shares,
    interim_sector_mix,
    interim_share,
    interim_yoy,
)
from bassin_lib.errors import ParameterError


def _interim(rows, freq="Q", measure="jobs"):
    """Interim frame from (level, code, period, sector, value) tuples."""
    level, code, period, sector, value = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "level": list(level),
            "code": list(code),
            "period": pd.PeriodIndex(list(period), freq=freq),
            "sector": list(sector),
            "measure": measure,
            "value": [float(v) for v in value],
        }
    )


def _employment(rows):
    """Employment frame from (level, code, period, adjustment, value) tuples (TOTAL)."""
    level, code, period, adjustment, value = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "level": list(level),
            "code": list(code),
            "period": pd.PeriodIndex(list(period), freq="Q"),
            "sector": "TOTAL",
            "adjustment": list(adjustment),
            "value": [float(v) for v in value],
        }
    )


@pytest.fixture
def quarterly():
    return _interim(
        [
            ("region", "27", "2019Q4", "TOTAL", 110),
            ("region", "27", "2019Q4", "Industrie", 70),
            ("region", "27", "2019Q4", "Tertiaire", 40),
            ("region", "27", "2020Q4", "TOTAL", 88),
            ("france", "FR", "2019Q4", "Industrie", 400),
            ("france", "FR", "2019Q4", "Construction", 100),
            ("france", "FR", "2019Q4", "Tertiaire", np.nan),
            ("france", "FR", "2020Q4", "TOTAL", 380),
            ("departement", "90", "2019Q4", "TOTAL", 30),
        ]
    )


@pytest.fixture
def employment():
    return _employment(
        [
            ("region", "27", "2019Q4", "cvs", 1000),
            ("region", "27", "2019Q4", "brut", 1100),
            ("region", "27", "2020Q4", "cvs", 960),
            ("france", "FR", "2019Q4", "cvs", 20000),
            ("france", "FR", "2020Q4", "cvs", 19000),
            ("zone", "2705", "2019Q4", "cvs", 500),
        ]
    )


def _one(frame, **match):
    rows = frame
    for column, value in match.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1
    return rows.iloc[0]


# --- interim_share --------------------------------------------------------------------------


def test_interim_share_hand_example(quarterly, employment):
    out = interim_share(quarterly, employment)
    assert list(out.columns) == [
        "level",
        "code",
        "period",
        "interim",
        "employment",
        "share_pct",
        "approximate",
        "lower_bound",
    ]
    assert set(out["code"]) == {"27", "FR"}  # département 90 and zone 2705 have no pair
    q4_19, q4_20 = pd.Period("2019Q4", "Q"), pd.Period("2020Q4", "Q")
    region = _one(out, code="27", period=q4_19)
    assert region["interim"] == 110  # the published TOTAL, not 70 + 40
    assert region["share_pct"] == pytest.approx(11.0)  # 100 × 110 / 1 000 (cvs, not brut)
    assert not region["lower_bound"]
    assert _one(out, code="27", period=q4_20)["share_pct"] == pytest.approx(100 * 88 / 960)
    france = _one(out, code="FR", period=q4_19)
    assert france["interim"] == 500  # 400 + 100, Tertiaire masked
    assert france["share_pct"] == pytest.approx(2.5)  # 100 × 500 / 20 000
    assert france["lower_bound"] and not france["approximate"]
    assert _one(out, code="FR", period=q4_20)["share_pct"] == pytest.approx(2.0)  # 380 / 19 000


def test_interim_share_brut_denominator(quarterly, employment):
    out = interim_share(quarterly, employment, adjustment="brut")
    assert len(out) == 1
    assert out.iloc[0]["share_pct"] == pytest.approx(10.0)  # 100 × 110 / 1 100


def test_interim_share_from_monthly_interim(employment):
    monthly = _interim(
        [
            ("region", "27", "2019-10", "TOTAL", 100),
            ("region", "27", "2019-11", "TOTAL", 105),
            ("region", "27", "2019-12", "TOTAL", 110),
            ("region", "27", "2020-10", "TOTAL", 96),  # 2020Q4 has one month only
        ],
        freq="M",
    )
    last = interim_share(monthly, employment)
    assert _one(last, period=pd.Period("2019Q4", "Q"))["share_pct"] == pytest.approx(11.0)
    assert len(last) == 1  # December 2020 is absent: no end-of-quarter stock
    mean = interim_share(monthly, employment, months="mean")
    # (100 + 105 + 110) / 3 = 105 → 100 × 105 / 1 000 = 10.5 %
    assert _one(mean, period=pd.Period("2019Q4", "Q"))["share_pct"] == pytest.approx(10.5)
    assert np.isnan(_one(mean, period=pd.Period("2020Q4", "Q"))["share_pct"])


def test_interim_share_lower_bound_denominator_is_approximate(quarterly, employment):
    flagged = employment.assign(lower_bound=employment["code"] == "27", approximate=False)
    out = interim_share(quarterly, flagged)
    region = _one(out, code="27", period=pd.Period("2019Q4", "Q"))
    assert region["approximate"] and not region["lower_bound"]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("measure", "hours", r"measure 'hours' is not allowed: choose one of \['jobs', 'fte'\]"),
        ("adjustment", "sa", r"adjustment 'sa' is not allowed: choose one of \['brut', 'cvs'\]"),
        ("months", "first", r"months 'first' is not allowed: choose one of \['last', 'mean'\]"),
    ],
)
def test_interim_share_bad_option(quarterly, employment, option, value, message):
    with pytest.raises(ParameterError, match=message):
        interim_share(quarterly, employment, **{option: value})


def test_interim_share_needs_quarterly_employment(quarterly, employment):
    yearly = employment.assign(period=employment["period"].dt.asfreq("Y"))
    yearly = yearly.drop_duplicates(["level", "code", "period", "adjustment"])
    with pytest.raises(ParameterError, match=r"employment periods are Y-DEC; expected quarterly"):
        interim_share(quarterly, yearly)


def test_interim_frame_checks(quarterly, employment):
    with pytest.raises(ParameterError, match=r"interim frame lacks column\(s\) \['measure'\]"):
        interim_share(quarterly.drop(columns="measure"), employment)
    with pytest.raises(ParameterError, match=r"interim frame has 1 duplicated"):
        interim_yoy(pd.concat([quarterly, quarterly.iloc[[0]]], ignore_index=True))
    with pytest.raises(ParameterError, match=r"interim 'period' column has dtype"):
        interim_yoy(quarterly.assign(period=quarterly["period"].astype(str)))
    with pytest.raises(ParameterError, match=r"interim must be a DataFrame, not list"):
        interim_yoy([1, 2])


# --- interim_yoy ----------------------------------------------------------------------------


@pytest.fixture
def monthly():
    # made-up activity (FTE) reproducing the source study's year-on-year figures (F3)
    return _interim(
        [
            ("zone", "2705", "2019-05", "TOTAL", 1000),
            ("zone", "2705", "2020-05", "TOTAL", 217),
            ("zone", "2705", "2019-10", "TOTAL", 1000),
            ("zone", "2705", "2020-10", "TOTAL", 730),
            ("france", "FR", "2019-05", "TOTAL", 1000),
            ("france", "FR", "2020-05", "TOTAL", 528),
            ("france", "FR", "2019-10", "TOTAL", 0),
            ("france", "FR", "2020-10", "TOTAL", 10),
            ("france", "FR", "2019-05", "Industrie", np.nan),
            ("france", "FR", "2020-05", "Industrie", 200),
        ],
        freq="M",
        measure="fte",
    )


def test_interim_yoy_reproduces_the_seed_rates(monthly):
    out = interim_yoy(monthly)
    may, october = pd.Period("2020-05", "M"), pd.Period("2020-10", "M")
    zone_may = _one(out, code="2705", period=may)
    assert zone_may["previous_value"] == 1000
    assert zone_may["change_pct"] == pytest.approx(-78.3)  # 100 × (217 / 1 000 − 1)
    assert _one(out, code="FR", period=may, sector="TOTAL")["change_pct"] == pytest.approx(-47.2)
    assert _one(out, code="2705", period=october)["change_pct"] == pytest.approx(-27.0)
    # first year: no earlier value; a masked or zero earlier value gives NaN, never ±inf
    assert np.isnan(_one(out, code="2705", period=pd.Period("2019-05", "M"))["change_pct"])
    assert np.isnan(_one(out, code="FR", period=may, sector="Industrie")["change_pct"])
    assert np.isnan(_one(out, code="FR", period=october)["change_pct"])
    assert len(out) == len(monthly)


def test_interim_yoy_quarterly_lag_is_four_quarters():
    frame = _interim(
        [
            ("region", "27", "2019Q2", "TOTAL", 200),
            ("region", "27", "2020Q1", "TOTAL", 150),
            ("region", "27", "2020Q2", "TOTAL", 150),
        ]
    )
    out = interim_yoy(frame)
    assert _one(out, period=pd.Period("2020Q2", "Q"))["change_pct"] == pytest.approx(-25.0)
    assert np.isnan(_one(out, period=pd.Period("2020Q1", "Q"))["change_pct"])  # no 2019Q1


def test_interim_yoy_flags_either_end(monthly):
    flagged = monthly.assign(
        lower_bound=monthly["period"] == pd.Period("2019-05", "M"), approximate=False
    )
    out = interim_yoy(flagged)
    assert _one(out, code="2705", period=pd.Period("2020-05", "M"))["lower_bound"]
    assert not _one(out, code="2705", period=pd.Period("2020-10", "M"))["lower_bound"]


def test_interim_yoy_refuses_yearly_periods(quarterly):
    yearly = quarterly.assign(period=quarterly["period"].dt.asfreq("Y"))
    with pytest.raises(ParameterError, match=r"interim periods are Y-DEC; expected monthly or"):
        interim_yoy(yearly)


# --- interim_sector_mix ---------------------------------------------------------------------


@pytest.fixture
def activity():
    # FTE by sector, November and December 2020; industry 69 % locally, 41.6 % in France
    rows = []
    for code, level, values in [
        ("2705", "zone", {"Industrie": (300, 390), "Services": (100, 110), "BTP": (50, 50)}),
        ("FR", "france", {"Industrie": (200, 216), "Services": (250, 234), "BTP": (50, 50)}),
        ("2714", "zone", {"Industrie": (100, np.nan), "Services": (50, 50), "BTP": (0, 0)}),
    ]:
        for sector, (november, december) in values.items():
            rows.append((level, code, "2020-11", sector, november))
            rows.append((level, code, "2020-12", sector, december))
        rows.append((level, code, "2020-12", "TOTAL", 99999))  # ignored
        rows.append((level, code, "2020-10", "Industrie", 99999))  # outside the window
    return _interim(rows, freq="M", measure="fte")


def test_interim_sector_mix_over_a_window(activity):
    out = interim_sector_mix(activity, ("2020-11", "2020-12"))
    assert list(out.columns) == [
        "level",
        "code",
        "start",
        "end",
        "sector",
        "value",
        "share",
        "lower_bound",
        "complete",
    ]
    assert "TOTAL" not in set(out["sector"])
    local = _one(out, code="2705", sector="Industrie")
    assert local["value"] == 690  # 300 + 390
    assert local["share"] == pytest.approx(0.69)  # 690 / (690 + 210 + 100)
    assert local["complete"] and not local["lower_bound"]
    assert _one(out, code="FR", sector="Industrie")["share"] == pytest.approx(0.416)  # 416/1000
    # zone 2714: December industry masked → 100 is a lower bound; shares over 100 + 100 + 0
    partial = _one(out, code="2714", sector="Industrie")
    assert partial["lower_bound"] and not partial["complete"]
    assert partial["share"] == pytest.approx(0.5)
    assert _one(out, code="2714", sector="BTP")["share"] == 0.0


def test_interim_sector_mix_single_period_and_jobs(activity):
    out = interim_sector_mix(activity, pd.Period("2020-12", "M"))
    assert _one(out, code="2705", sector="Industrie")["share"] == pytest.approx(
        390 / 550
    )  # 390+110+50
    with pytest.raises(ParameterError, match=r"no 'jobs' sector rows between 2020-11 and 2020-12"):
        interim_sector_mix(activity, ("2020-11", "2020-12"), measure="jobs")


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2020Q4", r"period: period '2020Q4' is not valid: expected a month"),
        (("2020-12", "2020-11"), r"period start 2020-12 must not be after period end 2020-11"),
        ("2019-05", r"period 2019-05 is out of range: the interim frame has periods from 2020-"),
        (("2020-11",), r"give one period or a \(start, end\) pair"),
    ],
)
def test_interim_sector_mix_bad_period(activity, period, message):
    with pytest.raises(ParameterError, match=message):
        interim_sector_mix(activity, period)


# --- interim_profile_shares -----------------------------------------------------------------


def _profile(rows):
    level, code, dimension, category, value = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "level": list(level),
            "code": list(code),
            "period": pd.PeriodIndex(["2020"] * len(rows), freq="Y"),
            "dimension": list(dimension),
            "category": list(category),
            "value": [float(v) for v in value],
        }
    )


def test_interim_profile_shares_hand_example():
    profile = _profile(
        [
            ("zone", "2705", "age", "under_25", 307),
            ("zone", "2705", "age", "25_49", 500),
            ("zone", "2705", "age", "50_plus", 193),
            ("zone", "2705", "age", "TOTAL", 1000),
            ("zone", "2705", "sex", "men", 720),
            ("zone", "2705", "sex", "women", 280),
            ("france", "FR", "age", "under_25", 262),
            ("france", "FR", "age", "25_49", 538),
            ("france", "FR", "age", "50_plus", np.nan),
        ]
    )
    out = interim_profile_shares(profile)
    assert "TOTAL" not in set(out["category"])
    # 307 / (307 + 500 + 193) = 0.307, the source study's 30.7 % under 25 (F7)
    assert _one(out, code="2705", category="under_25")["share"] == pytest.approx(0.307)
    assert _one(out, code="2705", category="men")["share"] == pytest.approx(0.72)  # 720 / 1000
    assert _one(out, code="2705", category="men")["complete"]
    france = _one(out, code="FR", category="under_25")
    assert france["share"] == pytest.approx(262 / 800)  # 50_plus masked: over 262 + 538
    assert not france["complete"]
    assert np.isnan(_one(out, code="FR", category="50_plus")["share"])


def test_interim_profile_shares_duplicates():
    profile = _profile([("zone", "2705", "sex", "men", 1), ("zone", "2705", "sex", "men", 2)])
    with pytest.raises(ParameterError, match=r"profile frame has 1 duplicated"):
        interim_profile_shares(profile)


# --- properties -----------------------------------------------------------------------------

SECTORS = ["Industrie", "Services", "BTP", "Commerce", "Transports"]


@st.composite
def activity_cube(draw):
    """Activity by territory × month × sector (whole numbers ≥ 1)."""
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 5)))
    return draw(hnp.arrays(np.int64, shape, elements=st.integers(1, 10_000)))


def _activity_frame(values, measure="fte"):
    n_codes, n_months, n_sectors = values.shape
    index = pd.MultiIndex.from_product(
        [
            [f"{i + 1:04d}" for i in range(n_codes)],
            pd.period_range("2019-01", periods=n_months, freq="M"),
            SECTORS[:n_sectors],
        ],
        names=["code", "period", "sector"],
    )
    frame = pd.DataFrame({"value": values.ravel().astype(float)}, index=index).reset_index()
    return frame.assign(level="zone", measure=measure)


@settings(max_examples=50, deadline=None)
@given(activity_cube(), st.integers(0, 3), st.floats(min_value=0.01, max_value=1000))
def test_sector_mix_shares_sum_to_one_and_ignore_scale(values, last, factor):
    frame = _activity_frame(values)
    end = pd.Period("2019-01", "M") + min(last, values.shape[1] - 1)
    out = interim_sector_mix(frame, ("2019-01", end))
    assert out["share"].between(0, 1).all()
    sums = out.groupby("code")["share"].sum()
    assert sums.to_numpy() == pytest.approx(np.ones(len(sums)))
    assert out["complete"].all()
    scaled = interim_sector_mix(frame.assign(value=frame["value"] * factor), ("2019-01", end))
    assert scaled["share"].to_numpy() == pytest.approx(out["share"].to_numpy(), rel=1e-9)


@settings(max_examples=50, deadline=None)
@given(activity_cube(), st.floats(min_value=0.01, max_value=1000))
def test_profile_shares_sum_to_one_and_ignore_scale(values, factor):
    frame = _activity_frame(values).rename(columns={"sector": "category"})
    frame = frame.drop(columns="measure").assign(dimension="age")
    out = interim_profile_shares(frame)
    assert out["share"].between(0, 1).all()
    sums = out.groupby(["code", "period"])["share"].sum()
    assert sums.to_numpy() == pytest.approx(np.ones(len(sums)))
    scaled = interim_profile_shares(frame.assign(value=frame["value"] * factor))
    assert scaled["share"].to_numpy() == pytest.approx(out["share"].to_numpy(), rel=1e-9)


@settings(max_examples=50, deadline=None)
@given(activity_cube(), st.floats(min_value=0.01, max_value=1000))
def test_yoy_ignores_scale_and_matches_the_formula(values, factor):
    frame = _activity_frame(values)
    out = interim_yoy(frame)
    scaled = interim_yoy(frame.assign(value=frame["value"] * factor))
    assert scaled["change_pct"].to_numpy() == pytest.approx(
        out["change_pct"].to_numpy(), rel=1e-9, abs=1e-9, nan_ok=True
    )
    # only 4 months in the frame: never a month a year earlier
    assert out["change_pct"].isna().all()
    shifted = frame.assign(period=frame["period"] + 12, value=frame["value"] * 2)
    both = interim_yoy(pd.concat([frame, shifted], ignore_index=True))
    later = both[both["period"] >= pd.Period("2020-01", "M")]
    assert later["change_pct"].to_numpy() == pytest.approx(np.full(len(later), 100.0))


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(1, 10_000), min_size=1, max_size=4),
    st.floats(min_value=0.01, max_value=1000),
)
def test_interim_share_ignores_a_common_scale(counts, factor):
    # regions 01…: n temp workers for 10 n + 7 jobs; regions 91…: both multiplied by factor
    codes = [f"{i + 1:02d}" for i in range(len(counts))]
    rows = [(c, n, 10 * n + 7) for c, n in zip(codes, counts, strict=True)]
    rows += [("9" + c[1:], n * factor, (10 * n + 7) * factor) for c, n, _ in rows]
    interim = _interim([("region", c, "2020Q4", "TOTAL", n) for c, n, _ in rows])
    employment = _employment([("region", c, "2020Q4", "cvs", e) for c, _, e in rows])
    out = interim_share(interim, employment).set_index("code")["share_pct"]
    base = out.loc[codes].to_numpy()
    scaled = out.loc[["9" + c[1:] for c in codes]].to_numpy()
    assert scaled == pytest.approx(base, rel=1e-9)
    assert base == pytest.approx([100 * n / (10 * n + 7) for n in counts])
