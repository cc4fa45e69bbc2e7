"""Sector structure indicators: shares, location quotients, specialisation, spheres.

The hand-made example has two zones and three sectors, France being their sum, in 2019Q4:

    sector   zone 0001   zone 0002   France
    C5 (productive)   60          40      100
    MN (productive)   20          80      100
    GZ (presential)   20          80      100
    total            100         200      300

plus ``TOTAL`` rows (which every function must ignore) and, in 2020Q4, zone 0001 with MN
masked (NaN) to check the masked-cell rules.
"""

import numpy as np
import pandas as pd
import pytest
from conftest import sector_frame
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bassin_lib.analysis.sectors import (
    PRESENTIELLE,
    PRODUCTIVE,
    SPHERE_BY_SECTOR,
    location_quotients,
    sector_shares,
    specialisation_indices,
    sphere_shares,
)
from bassin_lib.errors import ParameterError

A17 = ["C1", "C2", "C3", "C4", "C5", "DE", "FZ", "GZ", "HZ", "IZ", "JZ", "KZ", "LZ", "MN", "OQ"]
A17 += ["RU", "AZ"]
A38 = ["AZ", "BZ", "CA", "CB", "CC", "CD", "CE", "CF", "CG", "CH", "CI", "CJ", "CK", "CL", "CM"]
A38 += ["DZ", "EZ", "FZ", "GZ", "HZ", "IZ", "JA", "JB", "JC", "KZ", "LZ", "MA", "MB", "MC", "NZ"]
A38 += ["OZ", "PZ", "QA", "QB", "RZ", "SZ", "TZ", "UZ"]


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
    frame = pd.concat(
        [
            _rows("zone", "0001", "2019Q4", {"C5": 60, "MN": 20, "GZ": 20, "TOTAL": 100}),
            _rows("zone", "0002", "2019Q4", {"C5": 40, "MN": 80, "GZ": 80, "TOTAL": 200}),
            _rows("france", "FR", "2019Q4", {"C5": 100, "MN": 100, "GZ": 100, "TOTAL": 300}),
            _rows("zone", "0001", "2020Q4", {"C5": 60, "MN": np.nan, "GZ": 40}),
            _rows("zone", "0002", "2020Q4", {"C5": 40, "MN": 80, "GZ": 60}),
            _rows("france", "FR", "2020Q4", {"C5": 100, "MN": 100, "GZ": 100}),
        ],
        ignore_index=True,
    )
    return frame.assign(adjustment="cvs")


def _cell(frame, code, period, **match):
    rows = frame[(frame["code"] == code) & (frame["period"] == pd.Period(period, freq="Q"))]
    for column, value in match.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1
    return rows.iloc[0]


# --- hand-computed examples -----------------------------------------------------------------


def test_sector_shares_hand_example_ignores_total(employment):
    out = sector_shares(employment)
    assert "TOTAL" not in set(out["sector"])
    assert list(out.columns) == ["level", "code", "period", "sector", "value", "share", "complete"]
    assert _cell(out, "0001", "2019Q4", sector="C5")["share"] == pytest.approx(0.6)  # 60 / 100
    assert _cell(out, "0002", "2019Q4", sector="MN")["share"] == pytest.approx(0.4)  # 80 / 200
    assert _cell(out, "FR", "2019Q4", sector="GZ")["share"] == pytest.approx(1 / 3)  # 100 / 300
    assert _cell(out, "0001", "2019Q4", sector="C5")["complete"]


def test_sector_shares_masked_cell_is_excluded_and_flagged(employment):
    out = sector_shares(employment)
    # 2020Q4, zone 0001: MN masked; shares over the observed C5 + GZ = 60 + 40 = 100
    assert _cell(out, "0001", "2020Q4", sector="C5")["share"] == pytest.approx(0.6)  # 60 / 100
    assert _cell(out, "0001", "2020Q4", sector="GZ")["share"] == pytest.approx(0.4)  # 40 / 100
    assert np.isnan(_cell(out, "0001", "2020Q4", sector="MN")["share"])
    assert not _cell(out, "0001", "2020Q4", sector="C5")["complete"]
    assert _cell(out, "0002", "2020Q4", sector="C5")["complete"]


def test_location_quotients_hand_example(employment):
    out = location_quotients(employment)
    # zone 0001 in 2019Q4: shares 0.6, 0.2, 0.2 against France 1/3 each
    assert _cell(out, "0001", "2019Q4", sector="C5")["lq"] == pytest.approx(1.8)  # 0.6 × 3
    assert _cell(out, "0001", "2019Q4", sector="MN")["lq"] == pytest.approx(0.6)  # 0.2 × 3
    # rest of France = France − 0001 = zone 0002: shares 40/200 = 0.2, 80/200 = 0.4, 0.4
    assert _cell(out, "0001", "2019Q4", sector="C5")["lq_rest"] == pytest.approx(3.0)  # .6/.2
    assert _cell(out, "0001", "2019Q4", sector="GZ")["lq_rest"] == pytest.approx(0.5)  # .2/.4
    # zone 0002: shares 0.2, 0.4, 0.4; the rest is zone 0001 (0.6, 0.2, 0.2)
    assert _cell(out, "0002", "2019Q4", sector="MN")["lq"] == pytest.approx(1.2)  # 0.4 × 3
    assert _cell(out, "0002", "2019Q4", sector="C5")["lq_rest"] == pytest.approx(1 / 3)  # .2/.6
    assert _cell(out, "0002", "2019Q4", sector="MN")["lq_rest"] == pytest.approx(2.0)  # .4/.2
    assert _cell(out, "0002", "2019Q4", sector="MN")["reference_share"] == pytest.approx(1 / 3)


def test_location_quotients_of_the_reference(employment):
    out = location_quotients(employment)
    france = out[out["code"] == "FR"]
    assert (france["lq"] == 1.0).all()
    assert france["lq_rest"].isna().all()


def test_location_quotients_other_reference(employment):
    out = location_quotients(employment, reference=("zone", "0002"))
    # 0001 against 0002 in 2019Q4: C5 0.6 / 0.2 = 3, MN 0.2 / 0.4 = 0.5
    assert _cell(out, "0001", "2019Q4", sector="C5")["lq"] == pytest.approx(3.0)
    assert _cell(out, "0001", "2019Q4", sector="MN")["lq"] == pytest.approx(0.5)


def test_location_quotients_masked_cell(employment):
    out = location_quotients(employment)
    masked = _cell(out, "0001", "2020Q4", sector="MN")
    assert np.isnan(masked["lq"]) and np.isnan(masked["lq_rest"])
    # C5 share 60 / (60 + 40) = 0.6 against France 100 / 300: lq = 1.8
    c5 = _cell(out, "0001", "2020Q4", sector="C5")
    assert c5["lq"] == pytest.approx(1.8)
    assert not c5["complete"]


def test_specialisation_indices_hand_example(employment):
    out = specialisation_indices(employment)
    assert list(out.columns) == [
        "level",
        "code",
        "period",
        "krugman",
        "hoover",
        "herfindahl",
        "n_sectors",
        "complete",
    ]
    one = _cell(out, "0001", "2019Q4")
    # |0.6 − 1/3| + |0.2 − 1/3| + |0.2 − 1/3| = 4/15 + 2/15 + 2/15 = 8/15
    assert one["krugman"] == pytest.approx(8 / 15)
    assert one["hoover"] == pytest.approx(4 / 15)
    assert one["herfindahl"] == pytest.approx(0.44)  # 0.36 + 0.04 + 0.04
    assert (one["n_sectors"], one["complete"]) == (3, True)
    two = _cell(out, "0002", "2019Q4")
    # |0.2 − 1/3| + 2 × |0.4 − 1/3| = 2/15 + 2/15 = 4/15
    assert two["krugman"] == pytest.approx(4 / 15)
    assert two["herfindahl"] == pytest.approx(0.36)  # 0.04 + 0.16 + 0.16
    france = _cell(out, "FR", "2019Q4")
    assert france["krugman"] == 0
    assert france["herfindahl"] == pytest.approx(1 / 3)  # 3 × (1/3)²


def test_specialisation_indices_masked_cell_uses_common_support(employment):
    one = _cell(specialisation_indices(employment), "0001", "2020Q4")
    # MN masked: support C5, GZ. Zone 60/100 = 0.6, 40/100 = 0.4; France 100/200 = 0.5, 0.5
    assert one["krugman"] == pytest.approx(0.2)  # |0.6 − 0.5| + |0.4 − 0.5|
    assert one["herfindahl"] == pytest.approx(0.52)  # 0.36 + 0.16
    assert (one["n_sectors"], one["complete"]) == (2, False)


def test_sphere_shares_hand_example(employment):
    out = sphere_shares(employment)
    productive = _cell(out, "0001", "2019Q4", sphere=PRODUCTIVE)
    assert productive["value"] == 80  # C5 60 + MN 20
    assert productive["share"] == pytest.approx(0.8)  # 80 / 100
    presential = _cell(out, "0002", "2019Q4", sphere=PRESENTIELLE)
    assert presential["value"] == 80  # GZ 80
    assert presential["share"] == pytest.approx(0.4)  # 80 / 200
    assert _cell(out, "FR", "2019Q4", sphere=PRODUCTIVE)["share"] == pytest.approx(2 / 3)


def test_sphere_shares_masked_sector_gives_a_lower_bound(employment):
    out = sphere_shares(employment)
    productive = _cell(out, "0001", "2020Q4", sphere=PRODUCTIVE)
    # C5 60 + MN masked: 60 is a lower bound; share over observed 60 + 40 = 100
    assert productive["value"] == 60
    assert productive["share"] == pytest.approx(0.6)
    assert productive["lower_bound"] and not productive["complete"]
    presential = _cell(out, "0001", "2020Q4", sphere=PRESENTIELLE)
    assert not presential["lower_bound"]


def test_sphere_mapping_covers_a17_and_a38():
    assert set(A17) | set(A38) == set(SPHERE_BY_SECTOR)
    assert set(SPHERE_BY_SECTOR.values()) == {PRESENTIELLE, PRODUCTIVE}
    # anchors of the documented rule
    assert SPHERE_BY_SECTOR["GZ"] == SPHERE_BY_SECTOR["OQ"] == SPHERE_BY_SECTOR["QA"]
    assert SPHERE_BY_SECTOR["GZ"] == PRESENTIELLE
    assert SPHERE_BY_SECTOR["C5"] == SPHERE_BY_SECTOR["MN"] == SPHERE_BY_SECTOR["CL"]
    assert SPHERE_BY_SECTOR["C5"] == PRODUCTIVE


def test_lower_bound_cells_make_results_incomplete(employment):
    flagged = employment.assign(lower_bound=employment["code"] == "0002")
    out = sector_shares(flagged)
    assert not _cell(out, "0002", "2019Q4", sector="C5")["complete"]
    assert _cell(out, "FR", "2019Q4", sector="C5")["complete"]


# --- bad input ------------------------------------------------------------------------------


def test_sector_missing_from_sphere_mapping(employment):
    extra = _rows("zone", "0001", "2019Q4", {"XX": 5}).assign(adjustment="cvs")
    with pytest.raises(ParameterError, match=r"sector\(s\) \['XX'\] not in the sphere mapping"):
        sphere_shares(pd.concat([employment, extra], ignore_index=True))


def test_custom_sphere_mapping_missing_a_sector(employment):
    with pytest.raises(ParameterError, match=r"\['GZ'\] not in the sphere mapping"):
        sphere_shares(employment, mapping={"C5": PRODUCTIVE, "MN": PRODUCTIVE})


@pytest.mark.parametrize("function", [location_quotients, specialisation_indices])
def test_unknown_reference(employment, function):
    with pytest.raises(ParameterError, match=r"unknown reference \('france', 'XX'\)"):
        function(employment, reference=("france", "XX"))


def test_reference_must_be_a_pair(employment):
    with pytest.raises(ParameterError, match="reference must be a \\(level, code\\) pair"):
        location_quotients(employment, reference="FR")


def test_mixed_adjustments(employment):
    both = pd.concat([employment, employment.assign(adjustment="brut")], ignore_index=True)
    with pytest.raises(ParameterError, match=r"mixes adjustments \['brut', 'cvs'\]"):
        sector_shares(both)


def test_missing_column(employment):
    with pytest.raises(ParameterError, match=r"lacks column\(s\) \['sector'\]"):
        sector_shares(employment.drop(columns="sector"))


def test_duplicated_cells(employment):
    with pytest.raises(ParameterError, match="duplicated"):
        sector_shares(pd.concat([employment, employment.head(1)], ignore_index=True))


# --- properties -----------------------------------------------------------------------------


@st.composite
def counts(draw):
    """Jobs by zone × quarter × sector (whole numbers ≥ 1)."""
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4)))
    return draw(hnp.arrays(np.int64, shape, elements=st.integers(1, 1000)))


def _frame(jobs):
    return sector_frame(jobs)[0]


@settings(max_examples=50, deadline=None)
@given(counts())
def test_shares_lie_in_unit_interval_and_sum_to_one(jobs):
    out = sector_shares(_frame(jobs))
    assert out["share"].between(0, 1).all()
    sums = out.groupby(["level", "code", "period"])["share"].sum()
    assert sums.to_numpy() == pytest.approx(np.ones(len(sums)))
    assert out["complete"].all()


@settings(max_examples=50, deadline=None)
@given(counts())
def test_location_quotient_of_france_is_one(jobs):
    out = location_quotients(_frame(jobs))
    france = out[out["level"] == "france"]
    assert (france["lq"] == 1.0).all()
    assert france["lq_rest"].isna().all()
    # the reference-share-weighted mean of a territory's quotients is Σ S_i × s_i / S_i = 1
    weighted = (out["reference_share"] * out["lq"]).groupby([out["code"], out["period"]]).sum()
    assert weighted.to_numpy() == pytest.approx(np.ones(len(weighted)))


@settings(max_examples=50, deadline=None)
@given(counts(), st.floats(min_value=0.01, max_value=100))
def test_scaling_a_territory_leaves_shares_lq_and_indices_unchanged(jobs, factor):
    frame = _frame(jobs)
    # zone 9999 is zone 0001 with every count multiplied by factor (France left as it is)
    first = frame[frame["code"] == "0001"]
    scaled = first.assign(code="9999", value=first["value"] * factor)
    both = pd.concat([frame, scaled], ignore_index=True)
    quotients = location_quotients(both)
    for column in ["share", "lq"]:
        before = quotients.loc[quotients["code"] == "0001", column].to_numpy()
        after = quotients.loc[quotients["code"] == "9999", column].to_numpy()
        assert after == pytest.approx(before, rel=1e-9)
    indices = specialisation_indices(both)
    columns = ["krugman", "hoover", "herfindahl"]
    before = indices.loc[indices["code"] == "0001", columns].to_numpy()
    after = indices.loc[indices["code"] == "9999", columns].to_numpy()
    assert after == pytest.approx(before, rel=1e-9, abs=1e-12)


@settings(max_examples=50, deadline=None)
@given(counts())
def test_hoover_is_half_krugman(jobs):
    out = specialisation_indices(_frame(jobs))
    assert (out["hoover"] == out["krugman"] / 2).all()
    assert out["krugman"].between(0, 2 + 1e-12).all()
    n = out["n_sectors"]
    assert (out["herfindahl"] >= 1 / n - 1e-12).all() and (out["herfindahl"] <= 1 + 1e-12).all()


@settings(max_examples=50, deadline=None)
@given(counts())
def test_sphere_shares_sum_to_one(jobs):
    out = sphere_shares(_frame(jobs))
    sums = out.groupby(["level", "code", "period"])["share"].sum()
    assert sums.to_numpy() == pytest.approx(np.ones(len(sums)))
    assert not out["lower_bound"].any()


@settings(max_examples=50, deadline=None)
@given(counts(), st.data())
def test_masked_cells_are_left_out_and_flagged(jobs, data):
    mask = data.draw(hnp.arrays(np.bool_, jobs.shape))
    frame = _frame(jobs)
    hidden = np.concatenate([mask.ravel(), np.zeros(len(frame) - mask.size, dtype=bool)])
    frame.loc[hidden, "value"] = np.nan  # zones come first in the frame, in jobs' order
    out = sector_shares(frame)
    assert out.loc[hidden, "share"].isna().all()
    observed = out[~hidden]
    sums = observed.groupby(["code", "period"])["share"].sum()
    assert sums.to_numpy() == pytest.approx(np.ones(len(sums)))
    complete = out.groupby(["code", "period"])["complete"].first()
    fully_observed = ~pd.Series(hidden).groupby([out["code"], out["period"]]).any()
    assert (complete == fully_observed.loc[complete.index]).all()
    indices = specialisation_indices(frame)
    # NaN when every sector of a zone-period is masked (empty support)
    np.testing.assert_array_equal(indices["hoover"], indices["krugman"] / 2)
    assert indices.loc[indices["n_sectors"] == 0, "krugman"].isna().all()
    assert (indices["n_sectors"] <= jobs.shape[2]).all()
