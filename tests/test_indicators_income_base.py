"""Captured income shares and the « modèle de développement » label.

Made-up captured income (M€), every zone capturing 1 000 M€ so that a share is value / 10:

    zone             productive  public  social  pensions  commuting  tourism
    2705 (2020)          328       100     130      290        120        32
    0001 (both)          140       200     120      250        150       140
    0002 (both)          150       220     110      258        130       132
    0003 (both)          150       180     140      250        100       180
    zone mean 2020      19.2 %    17.5 %  12.5 %   26.2 %     12.5 %    12.1 %
    2705 (2015)          350       110     110      280        100        50

Zone mean: productive (32.8 + 14 + 15 + 15) / 4 = 19.2; pensions (29 + 25 + 25.8 + 25) / 4
= 26.2 (the source study's benchmarks); public 70 / 4 = 17.5; social 50 / 4 = 12.5;
commuting 50 / 4 = 12.5; tourism 48.4 / 4 = 12.1.

Belfort (2705) in 2020 against the mean, margin 1 point: productive +13.6 and pensions +2.8
are levers; social +0.5 is under the margin; public, commuting and tourism are below. Since
2015: social +2.0, pensions +1.0, commuting +2.0 points rise by at least 1 point; productive
−1.8, public −1.0, tourism −1.8 do not. Levers: productive, social, pensions, commuting, hence
the source study's label « productif-social-retraite-pendulaire ».
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bassin_lib.analysis.development_model import (
    ADJECTIVES,
    COMPONENT_LABELS,
    COMPONENTS,
    ModelRule,
    development_model,
    income_base_shares,
)
from bassin_lib.errors import ParameterError

INCOME = {
    ("2705", "2020"): [328, 100, 130, 290, 120, 32],
    ("2705", "2015"): [350, 110, 110, 280, 100, 50],
    ("0001", "2020"): [140, 200, 120, 250, 150, 140],
    ("0002", "2020"): [150, 220, 110, 258, 130, 132],
    ("0003", "2020"): [150, 180, 140, 250, 100, 180],
    ("0001", "2015"): [140, 200, 120, 250, 150, 140],
    ("0002", "2015"): [150, 220, 110, 258, 130, 132],
    ("0003", "2015"): [150, 180, 140, 250, 100, 180],
}


def _income(table, level="zone"):
    rows = [
        (level, code, year, component, float(value))
        for (code, year), values in table.items()
        for component, value in zip(COMPONENTS, values, strict=True)
    ]
    level, code, year, component, value = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "level": list(level),
            "code": list(code),
            "period": pd.PeriodIndex(list(year), freq="Y"),
            "component": list(component),
            "value": list(value),
        }
    )


@pytest.fixture
def income():
    return _income(INCOME)


def _share(shares, code, year, component):
    rows = shares[
        (shares["code"] == code)
        & (shares["period"] == pd.Period(year, "Y"))
        & (shares["component"] == component)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def test_labels_and_adjectives_cover_every_component():
    assert COMPONENTS == ["productive", "public", "social", "pensions", "commuting", "tourism"]
    assert set(COMPONENTS) <= set(COMPONENT_LABELS)
    assert COMPONENT_LABELS["socialisation"].startswith("socialisation")
    assert [ADJECTIVES[c] for c in COMPONENTS] == [
        "productif",
        "public",
        "social",
        "retraite",
        "pendulaire",
        "touristique",
    ]


def test_income_base_shares_hand_example(income):
    out = income_base_shares(income)
    assert list(out.columns) == [
        "level",
        "code",
        "period",
        "component",
        "value",
        "share_pct",
        "lower_bound",
        "complete",
    ]
    belfort = out[(out["code"] == "2705") & (out["period"] == pd.Period("2020", "Y"))]
    assert list(belfort["component"]) == [*COMPONENTS, "socialisation"]
    assert _share(out, "2705", "2020", "productive")["share_pct"] == pytest.approx(32.8)  # 328/10
    assert _share(out, "2705", "2020", "pensions")["share_pct"] == pytest.approx(29.0)  # 290/10
    # socialisation (A7) = public + social + pensions = 100 + 130 + 290 = 520 → 52 %
    social = _share(out, "2705", "2020", "socialisation")
    assert social["value"] == 520
    assert social["share_pct"] == pytest.approx(52.0)
    assert not social["lower_bound"] and social["complete"]


def test_income_base_shares_masked_component(income):
    income.loc[
        (income["code"] == "0001")
        & (income["period"] == pd.Period("2020", "Y"))
        & (income["component"] == "social"),
        "value",
    ] = np.nan
    out = income_base_shares(income)
    # 0001 in 2020 without social: total 1 000 − 120 = 880
    assert np.isnan(_share(out, "0001", "2020", "social")["share_pct"])
    assert _share(out, "0001", "2020", "public")["share_pct"] == pytest.approx(100 * 200 / 880)
    social = _share(out, "0001", "2020", "socialisation")
    assert social["value"] == 450  # 200 + 250, a lower bound
    assert social["lower_bound"] and not social["complete"]
    assert _share(out, "0001", "2015", "public")["complete"]


def test_income_base_shares_absent_component_is_masked(income):
    kept = income[~((income["code"] == "0002") & (income["component"] == "tourism"))]
    out = income_base_shares(kept)
    assert np.isnan(_share(out, "0002", "2020", "tourism")["value"])
    assert not _share(out, "0002", "2020", "productive")["complete"]
    assert _share(out, "0002", "2020", "productive")["share_pct"] == pytest.approx(
        100 * 150 / 868  # 1 000 − 132
    )


def test_income_base_shares_unknown_component(income):
    bad = income.assign(component=income["component"].replace("tourism", "socialisation"))
    with pytest.raises(
        ParameterError, match=r"unknown income component\(s\) \['socialisation'\].*derived"
    ):
        income_base_shares(bad)


def test_development_model_reproduces_the_belfort_label(income):
    out = development_model(income_base_shares(income), since="2015")
    belfort = out[out["code"] == "2705"].iloc[0]
    assert belfort["label"] == "productif-social-retraite-pendulaire"
    assert belfort["levers"] == "productive, social, pensions, commuting"
    assert belfort["productive"] and belfort["social"] and belfort["pensions"]
    assert not belfort["public"] and not belfort["tourism"]
    assert belfort["period"] == pd.Period("2020", "Y")
    assert belfort["since"] == pd.Period("2015", "Y")
    assert belfort["complete"]
    assert list(out["code"]) == ["0001", "0002", "0003", "2705"]


def test_development_model_without_the_rising_criterion(income):
    out = development_model(income_base_shares(income), period="2020")
    labels = dict(zip(out["code"], out["label"], strict=True))
    assert labels["2705"] == "productif-retraite"  # +13.6 and +2.8 points above the mean
    # 0001: public 20 − 17.5 = +2.5, commuting 15 − 12.5 = +2.5, tourism 14 − 12.1 = +1.9
    assert labels["0001"] == "public-pendulaire-touristique"
    # 0002: public +4.5, tourism +1.1; 0003: social +1.5, tourism +5.9
    assert labels["0002"] == "public-touristique"
    assert labels["0003"] == "social-touristique"
    assert out["since"].isna().all()


def test_development_model_margin_order_and_no_lever(income):
    shares = income_base_shares(income)
    # margin 0: social 13.0 > 12.5 becomes a lever too
    zero = development_model(shares, period="2020", rule=ModelRule(margin=0.0))
    assert zero.loc[zero["code"] == "2705", "label"].item() == "productif-social-retraite"
    # a margin of 20 points leaves no lever: « diversifié »
    high = development_model(shares, period="2020", rule=ModelRule(margin=20.0))
    assert set(high["label"]) == {"diversifié"}
    assert (high["levers"] == "").all()
    # order: pensions first, productive left out
    rule = ModelRule(order=("pensions", "social", "commuting"))
    ordered = development_model(shares, since="2015", rule=rule)
    belfort = ordered[ordered["code"] == "2705"].iloc[0]
    assert belfort["label"] == "retraite-social-pendulaire"
    assert not belfort["productive"]


def test_development_model_france_benchmark(income):
    france = _income({("FR", "2020"): [200, 200, 125, 262, 125, 88]}, level="france")
    shares = income_base_shares(pd.concat([income, france], ignore_index=True))
    out = development_model(shares, benchmark="france", period="2020")
    # 2705 against France: productive 32.8 − 20 = +12.8, pensions 29 − 26.2 = +2.8
    assert out.loc[out["code"] == "2705", "label"].item() == "productif-retraite"
    # France against itself: no lever
    assert out.loc[out["code"] == "FR", "label"].item() == "diversifié"
    with pytest.raises(ParameterError, match=r"no France row .* use benchmark 'zone_mean'"):
        development_model(income_base_shares(income), benchmark="france")


def test_development_model_masked_share_is_not_a_lever(income):
    income.loc[
        (income["code"] == "2705")
        & (income["period"] == pd.Period("2015", "Y"))
        & (income["component"] == "social"),
        "value",
    ] = np.nan
    out = development_model(income_base_shares(income), since="2015")
    belfort = out[out["code"] == "2705"].iloc[0]
    assert not belfort["social"] and not belfort["complete"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"benchmark": "region"},
            r"benchmark 'region' is not allowed: choose one of \['zone_mean', 'france'\]",
        ),
        ({"rule": {"margin": 1}}, r"rule must be a ModelRule, not dict"),
        ({"period": "2019"}, r"period 2019 not in the shares frame; available: \['2015', '2020'\]"),
        ({"since": "2020"}, r"since 2020 must be before period 2020"),
        ({"period": "2020Q1"}, r"period: period '2020Q1' is not valid"),
    ],
)
def test_development_model_bad_arguments(income, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        development_model(income_base_shares(income), **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"margin": -1}, r"margin -1: expected a finite number ≥ 0"),
        ({"rise_points": float("nan")}, r"rise_points nan: expected a finite number ≥ 0"),
        ({"order": ("productive", "retail")}, r"order has unknown component\(s\) \['retail'\]"),
        ({"order": ("social", "social")}, r"repeats a component"),
        (
            {"adjectives": {"productive": "productif"}},
            r"no adjective for component\(s\) \['public'",
        ),
        ({"order": "productive"}, r"expected a sequence of components"),
    ],
)
def test_model_rule_validation(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        ModelRule(**kwargs)


# --- properties -----------------------------------------------------------------------------


@st.composite
def captured_income(draw):
    """Captured income by zone × component, two years (whole euros ≥ 1)."""
    n_zones = draw(st.integers(1, 5))
    return draw(hnp.arrays(np.int64, (n_zones, 2, 6), elements=st.integers(1, 10**6)))


def _frame(values):
    table = {
        (f"{z + 1:04d}", year): list(values[z, y])
        for z in range(values.shape[0])
        for y, year in enumerate(["2015", "2020"])
    }
    return _income(table)


@settings(max_examples=50, deadline=None)
@given(captured_income(), st.floats(min_value=0.01, max_value=1000))
def test_shares_sum_to_100_and_ignore_scale(values, factor):
    frame = _frame(values)
    out = income_base_shares(frame)
    parts = out[out["component"] != "socialisation"]
    assert parts["share_pct"].between(0, 100).all()
    sums = parts.groupby(["code", "period"])["share_pct"].sum()
    assert sums.to_numpy() == pytest.approx(np.full(len(sums), 100.0))
    scaled = income_base_shares(frame.assign(value=frame["value"] * factor))
    assert scaled["share_pct"].to_numpy() == pytest.approx(out["share_pct"].to_numpy(), rel=1e-9)


@settings(max_examples=50, deadline=None)
@given(captured_income(), st.randoms(use_true_random=False), st.floats(0, 5))
def test_label_is_invariant_to_row_order(values, random, margin):
    shares = income_base_shares(_frame(values))
    rule = ModelRule(margin=margin, rise_points=margin)
    out = development_model(shares, since="2015", rule=rule)
    order = list(range(len(shares)))
    random.shuffle(order)
    shuffled = development_model(shares.iloc[order], since="2015", rule=rule)
    pd.testing.assert_frame_equal(out, shuffled)
    # every label is made of the levers' adjectives, or « diversifié » without lever
    levers = out[COMPONENTS].sum(axis=1)
    assert ((levers == 0) == (out["label"] == "diversifié")).all()
    assert (out["label"].str.count("-") == (levers - 1).clip(lower=0)).all()


def test_development_model_threshold_is_inclusive(income):
    shares = income_base_shares(income)
    # Belfort pensions: 29.0 − 28.0 = exactly 1 point of rise; 2.8 points above the mean is
    # under a margin of 5, so only the rise can make pensions a lever
    rule = ModelRule(margin=5.0, rise_points=1.0, order=("pensions",))
    out = development_model(shares, since="2015", rule=rule)
    assert out.loc[out["code"] == "2705", "label"].item() == "retraite"
    stricter = ModelRule(margin=5.0, rise_points=1.01, order=("pensions",))
    out = development_model(shares, since="2015", rule=stricter)
    assert out.loc[out["code"] == "2705", "label"].item() == "diversifié"


def test_development_model_since_absent(income):
    shares = income_base_shares(income)
    with pytest.raises(ParameterError, match=r"since 2010 is out of range: .* from 2015 to 2020"):
        development_model(shares, since="2010")
    with pytest.raises(ParameterError, match=r"since 2017 not in the shares frame; available"):
        development_model(shares, since="2017")
