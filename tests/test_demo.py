import re

import numpy as np
import pandas as pd
import pytest

from bassin_lib.errors import ParameterError
from bassin_lib.inputs import demo, schemas


def test_default_size_regions_and_france(demo_data):
    zones = demo_data.zones
    assert len(zones) == 30 and zones["region"].nunique() == 3
    rates = demo_data.tables["unemployment_rate"]
    assert set(rates["level"]) == {"zone", "region", "france"}


def test_codes_cannot_be_mistaken_for_insee_codes_and_labels_are_fictional(demo_data):
    zones = demo_data.zones
    assert all(re.fullmatch(r"D[A-Z]\d{2}", z) for z in zones["zone"])
    assert not any(re.fullmatch(r"\d{4}", z) for z in zones["zone"])
    assert zones["label"].str.endswith("(fictive)").all()
    assert zones["region_label"].str.contains("fictive").all()


def test_same_seed_same_data_other_seed_other_data(demo_data):
    again = demo.generate()
    for name, table in demo_data.tables.items():
        pd.testing.assert_frame_equal(table, again.tables[name])
    other = demo.generate(seed=7)
    assert not other.tables["employment"]["value"].equals(demo_data.tables["employment"]["value"])


def test_size_is_a_parameter():
    data = demo.generate(n_zones=12, n_regions=4)
    assert len(data.zones) == 12 and data.zones["region"].nunique() == 4
    with pytest.raises(ParameterError, match="n_zones=3"):
        demo.generate(n_zones=3, n_regions=2)


def test_tables_are_canonical(demo_data):
    for name, table in demo_data.tables.items():
        schemas.validate(name, table, "demo")
        assert table["code"].map(type).eq(str).all()


def test_employment_covers_2010_2024_by_sector_raw_and_adjusted(demo_data):
    emp = demo_data.tables["employment"]
    assert emp["period"].min() == pd.Period("2010Q1") and emp["period"].max() == pd.Period("2024Q4")
    assert set(emp["adjustment"]) == {"brut", "cvs"}
    assert set(emp["sector"]) == {"TOTAL", *demo.SECTORS}
    # the total is the sum of the sectors
    wide = emp[emp["adjustment"] == "cvs"].pivot_table(
        index=["code", "period"], columns="sector", values="value"
    )
    np.testing.assert_allclose(wide["TOTAL"], wide.drop(columns="TOTAL").sum(axis=1))


def test_raw_series_is_seasonal_and_adjusted_is_not(demo_data):
    emp = demo_data.tables["employment"]
    hotels = emp[(emp["sector"] == "IZ") & (emp["period"].dt.year.between(2012, 2018))]
    by_q = hotels.assign(q=hotels["period"].dt.quarter).groupby(["adjustment", "q"])["value"].sum()
    raw, sa = by_q["brut"], by_q["cvs"]
    assert raw.idxmax() == 3  # summer peak
    assert (raw.max() - raw.min()) / raw.mean() > 5 * (sa.max() - sa.min()) / sa.mean()


def test_covid_shock_differs_by_zone(demo_data):
    emp = demo_data.tables["employment"]
    total = emp[(emp["sector"] == "TOTAL") & (emp["adjustment"] == "cvs")]
    wide = total.pivot(index="code", columns="period", values="value")
    q2 = wide[pd.Period("2020Q2")] / wide[pd.Period("2019Q4")] - 1
    assert (q2 < 0).all()
    assert q2.max() - q2.min() > 0.02


def test_jobseekers_categories_and_rounding(demo_data):
    js = demo_data.tables["jobseekers"]
    assert set(js["category"]) == {"A", "B", "C"}
    assert (js["value"] % 10 == 0).all()


def test_geometry_has_one_valid_polygon_per_zone(demo_data):
    geo = demo_data.geometry
    assert list(geo["zone"]) == list(demo_data.zones["zone"])
    assert geo.geometry.is_valid.all() and (geo.geometry.area > 0).all()
    # zones of one region tile it without overlap
    region = geo[geo["region"] == "RA"]
    assert region.geometry.union_all().area == pytest.approx(region.geometry.area.sum())


def test_meta_says_synthetic(demo_data):
    assert demo_data.meta["synthetic"] is True
    assert "fictives" in demo_data.meta["notice"]
    assert all("synthétiques" in line for line in demo_data.meta["sources"].values())
