"""Population and labour-market context: density, growth, labour-force identity, job seekers.

Labour-force example, rate u and employment E → L = E / (1 − u), U = L − E:

    zone   2014Q4: u, E → L, U        2019Q4: u, E → L, U      ΔU    ΔL    ΔE   parts (L, −E)
    0001   10 %, 900 → 1 000, 100     10 %, 810 → 900, 90      −10   −100   −90   −100, +90
    0002   20 %, 800 → 1 000, 200     25 %, 750 → 1 000, 250   +50      0   −50      0, +50

Zone 0001 is the source study's story: a stable rate because the labour force shrank, not
because jobs were created.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bassin_lib.analysis.jobseekers import jobseeker_shares
from bassin_lib.analysis.population import population_density, population_growth
from bassin_lib.analysis.unemployment import labour_force_identity
from bassin_lib.errors import ParameterError
from bassin_lib.inputs.sources import anct_population


def _values(rows, freq):
    """Frame ``level, code, period, value`` from (level, code, period, value) tuples."""
    level, code, period, value = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "level": list(level),
            "code": list(code),
            "period": pd.PeriodIndex(list(period), freq=freq),
            "value": [float(v) for v in value],
        }
    )


def _one(frame, **match):
    rows = frame
    for column, value in match.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1
    return rows.iloc[0]


# --- population_density ---------------------------------------------------------------------


@pytest.fixture
def population():
    return _values(
        [
            ("zone", "0001", "1999", 4000),
            ("zone", "0001", "2015", 5000),
            ("zone", "0001", "2017", 4900),
            ("zone", "0001", "2020", 4800),
            ("zone", "0002", "2020", np.nan),
            ("zone", "0003", "2020", 300),
        ],
        "Y",
    )


@pytest.fixture
def area():
    return _values(
        [
            ("zone", "0001", "2012", 100),
            ("zone", "0001", "2017", 80),
            ("zone", "0001", "2021", 999),  # after every population year: never used
            ("zone", "0002", "2017", 50),
            ("zone", "0003", "2017", np.nan),  # masked area: no density
        ],
        "Y",
    )


def test_population_density_uses_the_latest_area_at_or_before(population, area):
    out = population_density(population, area)
    assert list(out.columns) == [
        "level",
        "code",
        "period",
        "population",
        "area",
        "area_period",
        "density",
        "approximate",
        "lower_bound",
    ]
    assert list(out["code"]) == list(population["code"])  # input order
    y = lambda year: pd.Period(year, "Y")  # noqa: E731
    assert _one(out, code="0001", period=y("2015"))["density"] == pytest.approx(50.0)  # 5000/100
    assert _one(out, code="0001", period=y("2015"))["area_period"] == y("2012")
    assert _one(out, code="0001", period=y("2017"))["density"] == pytest.approx(61.25)  # 4900/80
    assert _one(out, code="0001", period=y("2020"))["density"] == pytest.approx(60.0)  # 4800/80
    assert np.isnan(_one(out, code="0001", period=y("1999"))["density"])  # before 2012
    assert np.isnan(_one(out, code="0002", period=y("2020"))["density"])  # masked population
    assert np.isnan(_one(out, code="0003", period=y("2020"))["density"])  # masked area


def test_population_density_refuses_a_zero_area(population, area):
    area.loc[0, "value"] = 0.0
    with pytest.raises(ParameterError, match=r"area of zone 0001 in 2012 is 0.0; an area must"):
        population_density(population, area)


def test_population_density_needs_years(population, area):
    quarterly = area.assign(period=area["period"].dt.asfreq("Q"))
    with pytest.raises(ParameterError, match=r"area periods are Q-DEC; expected yearly periods"):
        population_density(population, quarterly)


def test_population_density_on_the_real_files(real_dir):
    folder = real_dir / "insee_population_ze"
    population = anct_population.read_population(folder / "pop_hist_1876_ze.xlsx")
    area = anct_population.read_area(folder / "insee_rp_hist_1968_superf_ze.xlsx")
    out = population_density(population, area)
    assert out["code"].nunique() == 306
    year = pd.Period("2020", "Y")
    people = population.set_index(["code", "period"])["value"]["2705", year]
    km2 = area.set_index(["code", "period"])["value"]["2705", year]
    assert people == 191_379
    belfort = _one(out, code="2705", period=year)
    assert belfort["area_period"] == year
    assert belfort["density"] == people / km2  # computed here from the two frames


# --- population_growth ----------------------------------------------------------------------


def test_population_growth_hand_example():
    population = _values(
        [
            ("zone", "0001", "2018", 10_000),
            ("zone", "0001", "2020", 12_100),
            ("zone", "0002", "2018", 5_000),
            ("zone", "0002", "2020", np.nan),
        ],
        "Y",
    )
    out = population_growth(population, "2018", "2020")
    one = _one(out, code="0001")
    assert one["change"] == 2_100  # 12 100 − 10 000
    assert one["change_pct"] == pytest.approx(21.0)  # 100 × 2 100 / 10 000
    assert one["annual_change_pct"] == pytest.approx(10.0)  # 1.21^(1/2) = 1.1
    assert np.isnan(_one(out, code="0002")["annual_change_pct"])


def test_population_growth_bad_years():
    population = _values([("zone", "0001", "2018", 1)], "Y")
    with pytest.raises(ParameterError, match=r"start 2020 must be before end 2018"):
        population_growth(population, "2020", "2018")
    with pytest.raises(ParameterError, match=r"start: period '2018Q1' is not valid"):
        population_growth(population, "2018Q1", "2020")


# --- labour_force_identity ------------------------------------------------------------------


@pytest.fixture
def rates():
    return _values(
        [
            ("zone", "0001", "2014Q4", 10.0),
            ("zone", "0001", "2019Q4", 10.0),
            ("zone", "0002", "2014Q4", 20.0),
            ("zone", "0002", "2019Q4", 25.0),
            ("zone", "0003", "2019Q4", 8.0),  # no employment: no row
        ],
        "Q",
    )


@pytest.fixture
def jobs():
    frame = _values(
        [
            ("zone", "0001", "2014Q4", 900),
            ("zone", "0001", "2019Q4", 810),
            ("zone", "0002", "2014Q4", 800),
            ("zone", "0002", "2019Q4", 750),
        ],
        "Q",
    )
    frame = frame.assign(sector="TOTAL", adjustment="cvs")
    other = frame.assign(sector="C5", value=1.0)  # must be filtered out
    brut = frame.assign(adjustment="brut", value=frame["value"] + 1)
    return pd.concat([frame, other, brut], ignore_index=True)


def test_labour_force_identity_hand_example(rates, jobs):
    out = labour_force_identity(rates, jobs, "2014Q4", "2019Q4")
    assert list(out["code"]) == ["0001", "0002"]
    one = _one(out, code="0001")
    assert one["labour_force_start"] == pytest.approx(1000)  # 900 / (1 − 0.10)
    assert one["unemployed_start"] == pytest.approx(100)  # 0.10 × 1 000
    assert one["labour_force_end"] == pytest.approx(900)  # 810 / 0.9
    assert one["unemployed_end"] == pytest.approx(90)
    assert one["change_unemployed"] == pytest.approx(-10)  # 90 − 100
    assert one["labour_force_part"] == pytest.approx(-100)  # ΔL = 900 − 1 000
    assert one["employment_part"] == pytest.approx(90)  # −ΔE = −(810 − 900)
    two = _one(out, code="0002")
    assert two["labour_force_start"] == pytest.approx(1000)  # 800 / 0.8
    assert two["labour_force_end"] == pytest.approx(1000)  # 750 / 0.75
    assert two["change_unemployed"] == pytest.approx(50)  # 250 − 200
    assert two["labour_force_part"] == pytest.approx(0)
    assert two["employment_part"] == pytest.approx(50)
    assert not out["approximate"].any() and not out["lower_bound"].any()


def test_labour_force_identity_plain_counts_and_missing_end(rates, jobs):
    plain = jobs[(jobs["sector"] == "TOTAL") & (jobs["adjustment"] == "cvs")]
    plain = plain.drop(columns=["sector", "adjustment"]).iloc[:3]  # 0002 2019Q4 missing
    out = labour_force_identity(rates, plain, "2014Q4", "2019Q4")
    assert _one(out, code="0001")["employment_part"] == pytest.approx(90)
    assert np.isnan(_one(out, code="0002")["change_unemployed"])


def test_labour_force_identity_errors(rates, jobs):
    with pytest.raises(ParameterError, match=r"start 2019Q4 must be before end 2014Q4"):
        labour_force_identity(rates, jobs, "2019Q4", "2014Q4")
    bad = rates.assign(value=rates["value"].where(rates["code"] != "0002", 120.0))
    with pytest.raises(ParameterError, match=r"unemployment rate 120.0 for zone 0002 .* 0–100"):
        labour_force_identity(bad, jobs, "2014Q4", "2019Q4")
    yearly = jobs.assign(period=jobs["period"].dt.asfreq("Y"))
    with pytest.raises(ParameterError, match=r"periods are Q-DEC but employment_count periods"):
        labour_force_identity(rates, yearly, "2014Q4", "2019Q4")
    with pytest.raises(ParameterError, match=r"adjustment 'raw' is not allowed"):
        labour_force_identity(rates, jobs, "2014Q4", "2019Q4", adjustment="raw")


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 60, allow_nan=False),
            st.floats(0, 60, allow_nan=False),
            st.floats(1, 1e6, allow_nan=False),
            st.floats(1, 1e6, allow_nan=False),
        ),
        min_size=1,
        max_size=5,
    ),
    st.floats(min_value=0.01, max_value=100),
)
def test_labour_force_identity_is_exact_and_scale_free(cases, factor):
    codes = [f"{i + 1:04d}" for i in range(len(cases))]
    rates = _values(
        [
            ("zone", c, p, u)
            for c, case in zip(codes, cases, strict=True)
            for p, u in zip(["2014Q4", "2019Q4"], case[:2], strict=True)
        ],
        "Q",
    )
    jobs = _values(
        [
            ("zone", c, p, e)
            for c, case in zip(codes, cases, strict=True)
            for p, e in zip(["2014Q4", "2019Q4"], case[2:], strict=True)
        ],
        "Q",
    )
    # zones 9xxx: the same rates with every employment count multiplied by factor
    scaled_rates = rates.assign(code="9" + rates["code"].str[1:])
    scaled_jobs = jobs.assign(code="9" + jobs["code"].str[1:], value=jobs["value"] * factor)
    out = labour_force_identity(
        pd.concat([rates, scaled_rates], ignore_index=True),
        pd.concat([jobs, scaled_jobs], ignore_index=True),
        "2014Q4",
        "2019Q4",
    )
    # ΔU = ΔL − ΔE, i.e. the two parts add up to the change in unemployment
    total = out["labour_force_part"] + out["employment_part"]
    assert total.to_numpy() == pytest.approx(
        out["change_unemployed"].to_numpy(), rel=1e-9, abs=1e-6
    )
    assert (out["unemployed_start"] >= -1e-9).all()
    # the rate is given back: U / L = u
    assert (100 * out["unemployed_end"] / out["labour_force_end"]).to_numpy() == pytest.approx(
        out["rate_end"].to_numpy(), abs=1e-9
    )
    # U and its parts are proportional to E: scaling the counts scales them
    base = out[~out["code"].str.startswith("9")]
    scaled = out[out["code"].str.startswith("9")]
    for column in ["change_unemployed", "labour_force_part", "employment_part"]:
        assert scaled[column].to_numpy() == pytest.approx(
            factor * base[column].to_numpy(), rel=1e-9, abs=1e-6
        )


# --- jobseeker_shares -----------------------------------------------------------------------


def _jobseekers(rows):
    level, code, period, category, value = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "level": list(level),
            "code": list(code),
            "period": pd.PeriodIndex(list(period), freq="Q"),
            "category": list(category),
            "value": [float(v) for v in value],
        }
    )


def test_jobseeker_shares_hand_example():
    frame = _jobseekers(
        [
            ("zone", "0051", "2019Q4", "A", 100),
            ("zone", "0051", "2019Q4", "B", 20),
            ("zone", "0051", "2019Q4", "C", 30),
            ("zone", "0051", "2019Q4", "ABC", 999),  # ignored: ABC is rebuilt
            ("zone", "2705", "2019Q4", "A", 200),
            ("zone", "2705", "2019Q4", "B", np.nan),
            ("zone", "2705", "2019Q4", "C", 60),
        ]
    )
    out = jobseeker_shares(frame)
    one = _one(out, code="0051")
    assert one["ABC"] == 150  # 100 + 20 + 30
    assert one["share_A"] == pytest.approx(2 / 3)  # 100 / 150
    assert one["share_B"] == pytest.approx(20 / 150)
    assert one["share_C"] == pytest.approx(0.2)  # 30 / 150
    assert one["share_BC"] == pytest.approx(1 / 3)  # (20 + 30) / 150
    masked = _one(out, code="2705")
    assert np.isnan(masked["ABC"]) and np.isnan(masked["share_A"])


def test_jobseeker_shares_unknown_category():
    frame = _jobseekers([("zone", "0051", "2019Q4", "D", 1)])
    with pytest.raises(ParameterError, match=r"unknown job-seeker category \['D'\]"):
        jobseeker_shares(frame)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 10_000)),
        min_size=1,
        max_size=5,
    ),
    st.floats(min_value=0.01, max_value=100),
)
def test_jobseeker_shares_sum_to_one_and_ignore_scale(counts, factor):
    rows = [
        ("zone", f"{i:04d}", "2020Q4", category, n)
        for i, case in enumerate(counts)
        for category, n in zip("ABC", case, strict=True)
    ]
    frame = _jobseekers(rows)
    out = jobseeker_shares(frame)
    shares = out[["share_A", "share_B", "share_C"]]
    positive = out["ABC"] > 0
    assert shares[positive].stack().between(0, 1).all()
    assert shares[positive].sum(axis=1).to_numpy() == pytest.approx(np.ones(positive.sum()))
    assert out.loc[~positive, "share_A"].isna().all()  # ABC = 0: no share
    scaled = jobseeker_shares(frame.assign(value=frame["value"] * factor))
    assert scaled["share_BC"].to_numpy() == pytest.approx(out["share_BC"].to_numpy(), nan_ok=True)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 10**6), st.floats(0.5, 10_000)), min_size=1, max_size=5),
    st.floats(min_value=0.01, max_value=100),
)
def test_density_scales_with_population_and_not_with_both(cases, factor):
    codes = [f"{i:04d}" for i in range(len(cases))]
    population = _values(
        [("zone", c, "2020", p) for c, (p, _) in zip(codes, cases, strict=True)], "Y"
    )
    area = _values([("zone", c, "2017", s) for c, (_, s) in zip(codes, cases, strict=True)], "Y")
    out = population_density(population, area)
    assert out["density"].to_numpy() == pytest.approx([p / s for p, s in cases])
    both = population_density(
        population.assign(value=population["value"] * factor),
        area.assign(value=area["value"] * factor),
    )
    assert both["density"].to_numpy() == pytest.approx(out["density"].to_numpy(), rel=1e-9)
