"""Similar zones: standardised features and nearest neighbours.

Features example, 2019Q4, three zones and two sectors (France and TOTAL rows are ignored):

    zone   C5   MN   share_C5   unemployment   poverty
    0001   60   40     0.6           8           14
    0002   40   60     0.4          10           14
    0003   50   50     0.5          12           14

share_C5: mean 0.5, sd (ddof 0) = sqrt((0.1² + 0.1² + 0) / 3) = sqrt(0.02 / 3) → z = ±sqrt(3/2), 0.
unemployment: mean 10, sd = sqrt((4 + 0 + 4) / 3) = sqrt(8 / 3) → z = −sqrt(3/2), 0, +sqrt(3/2).
poverty is constant: z = 0 everywhere.

Neighbours example, standardised features f1, f2, f3 given directly:

    zone    f1   f2   f3   distance to A
    A        0    0    0   —
    B        1    0    0   1
    C        0    2    0   2
    D        1    1    1   sqrt(3) ≈ 1.732
    E        3    4    0   5
    F      NaN    3    0   sqrt(3/2 × 9) ≈ 3.674 (two known features, scaled to three)
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bassin_lib.analysis.similar_zones import similar_zones, structure_features
from bassin_lib.errors import ParameterError


def _employment(table):
    rows = [
        (level, code, sector, float(value))
        for (level, code), sectors in table.items()
        for sector, value in sectors.items()
    ]
    level, code, sector, value = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "level": list(level),
            "code": list(code),
            "period": pd.PeriodIndex(["2019Q4"] * len(rows), freq="Q"),
            "sector": list(sector),
            "adjustment": "cvs",
            "value": list(value),
        }
    )


@pytest.fixture
def employment():
    return _employment(
        {
            ("zone", "0001"): {"C5": 60, "MN": 40, "TOTAL": 100},
            ("zone", "0002"): {"C5": 40, "MN": 60, "TOTAL": 100},
            ("zone", "0003"): {"C5": 50, "MN": 50, "TOTAL": 100},
            ("france", "FR"): {"C5": 150, "MN": 150, "TOTAL": 300},
        }
    )


@pytest.fixture
def extra():
    return pd.DataFrame(
        {"unemployment": [8.0, 10.0, 12.0, 99.0], "poverty": [14.0, 14.0, 14.0, 14.0]},
        index=pd.Index(["0001", "0002", "0003", "9999"], name="code"),  # 9999: no employment
    )


def test_structure_features_hand_example(employment, extra):
    out = structure_features(employment, "2019Q4", extra=extra)
    assert list(out.index) == ["0001", "0002", "0003"]  # zones only, France left out
    assert list(out.columns) == ["share_C5", "share_MN", "unemployment", "poverty"]
    root = np.sqrt(1.5)
    assert out["share_C5"].to_numpy() == pytest.approx([root, -root, 0.0])
    assert out["share_MN"].to_numpy() == pytest.approx([-root, root, 0.0])
    assert out["unemployment"].to_numpy() == pytest.approx([-root, 0.0, root])
    assert (out["poverty"] == 0.0).all()  # constant feature


def test_structure_features_default_period_and_masked_share(employment):
    later = employment.assign(period=pd.Period("2020Q4", "Q"))
    later.loc[(later["code"] == "0003") & (later["sector"] == "MN"), "value"] = np.nan
    frame = pd.concat([employment, later], ignore_index=True)
    out = structure_features(frame)  # latest quarter: 2020Q4
    # 0003 with MN masked: C5 share 50 / 50 = 1; share_MN over 0001 and 0002 only
    assert np.isnan(out.loc["0003", "share_MN"])
    assert out.loc["0001", "share_MN"] == pytest.approx(-1.0)  # (0.4 − 0.5) / 0.1
    # share_C5 = 0.6, 0.4, 1.0: mean 2/3, sd sqrt((1/15² + 4/15² + 1/3²) / 3)
    shares = np.array([0.6, 0.4, 1.0])
    expected = (shares - shares.mean()) / shares.std()
    assert out["share_C5"].to_numpy() == pytest.approx(expected)


def test_structure_features_errors(employment, extra):
    message = r"period 2018Q4 is out of range: the employment frame has periods from 2019Q4"
    with pytest.raises(ParameterError, match=message):
        structure_features(employment, "2018Q4")
    with pytest.raises(ParameterError, match=r"period '2019-12' is not valid: expected a quarter"):
        structure_features(employment, "2019-12")
    with pytest.raises(ParameterError, match=r"extra column\(s\) \['label'\] are not numeric"):
        structure_features(employment, extra=extra.assign(label="x"))
    with pytest.raises(ParameterError, match=r"extra column\(s\) \['share_C5'\] clash"):
        structure_features(employment, extra=extra.rename(columns={"poverty": "share_C5"}))
    with pytest.raises(ParameterError, match=r"extra must be a DataFrame indexed by zone code"):
        structure_features(employment, extra={"0001": 1.0})
    message = r"level 'departement' is not allowed: choose one of \['france', 'zone'\]"
    with pytest.raises(ParameterError, match=message):
        structure_features(employment, level="departement")


@pytest.fixture
def features():
    return pd.DataFrame(
        {
            "f1": [0, 1, 0, 1, 3, np.nan],
            "f2": [0, 0, 2, 1, 4, 3],
            "f3": [0, 0, 0, 1, 0, 0],
        },
        index=pd.Index(["A", "B", "C", "D", "E", "F"], name="code"),
        dtype=float,
    )


def test_similar_zones_hand_example(features):
    out = similar_zones(features, "A", k=3)
    assert list(out.columns) == ["code", "rank", "distance", "top_features"]
    assert list(out["code"]) == ["B", "D", "C"]
    assert list(out["rank"]) == [1, 2, 3]
    assert out["distance"].to_numpy() == pytest.approx([1.0, np.sqrt(3), 2.0])
    # |difference| B: 1, 0, 0 → f2, f3 (0, column order), then f1
    # D: 1, 1, 1 → column order; C: 0, 2, 0 → f1, f3, then f2
    assert list(out["top_features"]) == ["f2, f3, f1", "f1, f2, f3", "f1, f3, f2"]


def test_similar_zones_missing_feature_is_scaled(features):
    out = similar_zones(features, "A", k=10)
    assert list(out["code"]) == ["B", "D", "C", "F", "E"]  # every other zone, A excluded
    far = out[out["code"] == "F"].iloc[0]
    assert far["distance"] == pytest.approx(np.sqrt(1.5 * 9))  # (3 / 2) × (0² + 3²)
    assert far["top_features"] == "f3, f2"  # f1 unknown for F


def test_similar_zones_identical_neighbour_and_ties():
    features = pd.DataFrame(
        {"f1": [1.0, 1.0, 0.0, 2.0], "f2": [0.5, 0.5, 0.5, 0.5]},
        index=["0003", "0002", "0001", "0004"],
    )
    out = similar_zones(features, "0003", k=3)
    assert out.iloc[0]["code"] == "0002" and out.iloc[0]["distance"] == 0.0
    assert list(out["code"][1:]) == ["0001", "0004"]  # both at distance 1: by code


@pytest.mark.parametrize(
    ("code", "k", "message"),
    [
        ("2750", 5, r"code '2750' is not allowed: choose one of \['0051', '2705', '2714'\]"),
        ("2705", 0, r"k 0 is not allowed: expected an integer ≥ 1"),
        ("2705", 2.5, r"k 2.5 is not allowed"),
        ("2705", True, r"k True is not allowed"),
    ],
)
def test_similar_zones_errors(code, k, message):
    features = pd.DataFrame({"f": [0.0, 1.0, 2.0]}, index=["2705", "2714", "0051"])
    with pytest.raises(ParameterError, match=message):
        similar_zones(features, code, k=k)


def test_similar_zones_zone_without_features():
    features = pd.DataFrame({"f": [np.nan, 1.0]}, index=["2705", "2714"])
    with pytest.raises(ParameterError, match=r"zone '2705' has no known feature"):
        similar_zones(features, "2705")


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(
    hnp.arrays(
        np.float64, st.tuples(st.integers(1, 8), st.integers(1, 4)), elements=st.floats(-5, 5)
    ),
    st.integers(1, 10),
)
def test_a_twin_zone_is_the_nearest_at_distance_zero(values, k):
    codes = [f"{i:04d}" for i in range(len(values))]
    features = pd.DataFrame(values, index=codes)
    features.columns = [f"f{j}" for j in range(values.shape[1])]
    twin = features.iloc[[0]].set_axis(["9999"])
    both = pd.concat([features, twin])
    out = similar_zones(both, "0000", k=k)
    assert out.iloc[0]["distance"] == 0.0
    every = similar_zones(both, "0000", k=len(both))
    assert every.loc[every["code"] == "9999", "distance"].item() == 0.0
    assert "0000" not in set(out["code"])
    assert len(out) == min(k, len(both) - 1)
    assert out["distance"].is_monotonic_increasing
    assert (out["distance"] >= 0).all()


@settings(max_examples=50, deadline=None)
@given(
    hnp.arrays(
        np.int64, st.tuples(st.integers(2, 6), st.integers(1, 4)), elements=st.integers(1, 1000)
    ),
    st.floats(min_value=0.01, max_value=100),
)
def test_features_are_z_scores_and_ignore_the_scale(jobs, factor):
    sectors = ["C5", "MN", "GZ", "OQ"][: jobs.shape[1]]
    table = {
        ("zone", f"{i:04d}"): dict(zip(sectors, row, strict=True)) for i, row in enumerate(jobs)
    }
    frame = _employment(table)
    out = structure_features(frame)
    assert out.mean().to_numpy() == pytest.approx(np.zeros(out.shape[1]), abs=1e-9)
    spread = out.std(ddof=0).to_numpy()
    # a standardised feature has sd 1, a constant one sd 0
    assert np.all(np.isclose(spread, 1.0) | np.isclose(spread, 0.0, atol=1e-9))
    scaled = structure_features(frame.assign(value=frame["value"] * factor))
    assert scaled.to_numpy() == pytest.approx(out.to_numpy(), abs=1e-6)
