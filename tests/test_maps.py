"""Choropleth: the zones shown around a territory, colours that follow the values, French
colour bar, title with the period and the « Source : … » line."""

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from bassin_lib import analysis as ind
from bassin_lib.errors import ParameterError
from bassin_lib.inputs import datasets
from bassin_lib.inputs.territories import Territory
from bassin_lib.rendering import maps

SOURCE = "Source : essai"

# Four unit squares: Z1 Z2 side by side in R1, Z3 just right of them in R2 (a gap of 0.05,
# within 5 % of R1's extent), Z4 far away in R3.
GEOMETRY = gpd.GeoDataFrame(
    {
        "zone": ["Z001", "Z002", "Z003", "Z004"],
        "region": ["R1", "R1", "R2", "R3"],
    },
    geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2.05, 0, 3.05, 1), box(10, 10, 11, 11)],
)
ZONE = Territory(
    id="Z001",
    kind="zone",
    label="Zone Un",
    zones=("Z001",),
    region="R1",
    region_label="Région Une",
    regions=("R1",),
    departements=("01",),
)


def _rates(values, period="2023Q3"):
    return pd.DataFrame(
        {
            "level": "zone",
            "code": list(values),
            "period": pd.Period(period, "Q"),
            "value": list(values.values()),
        }
    )


def test_extent_region_neighbours_all():
    assert list(maps.shown_zones(GEOMETRY, ZONE, "region")["zone"]) == ["Z001", "Z002"]
    assert list(maps.shown_zones(GEOMETRY, ZONE, "neighbours")["zone"]) == [
        "Z001",
        "Z002",
        "Z003",
    ]
    assert len(maps.shown_zones(GEOMETRY, ZONE, "all")) == 4
    with pytest.raises(ParameterError, match=r"extent 'france': allowed \['region'"):
        maps.shown_zones(GEOMETRY, ZONE, "france")


def _texts(fig) -> str:
    texts = [fig._supxlabel.get_text()]
    for ax in fig.axes:
        texts.append(ax.get_title(loc="left"))
        texts += [t.get_text() for t in ax.get_yticklabels()]
        texts.append(ax.get_ylabel())
        if ax.get_legend():
            texts += [t.get_text() for t in ax.get_legend().get_texts()]
    return " | ".join(texts)


def test_choropleth_colours_follow_values_and_missing_zones_are_hatched():
    values = _rates({"Z001": 5.0, "Z002": 10.0, "Z003": None, "Z004": 99.0})
    fig = maps.choropleth(
        GEOMETRY, values, ZONE, "Taux de chômage\n(en %)", SOURCE, legend="Taux de chômage"
    )
    text = _texts(fig)
    assert "Taux de chômage, T3 2023\n(en %)" in text  # the period is appended to line one
    assert SOURCE in text and "Zone Un" in text and "Donnée non disponible" in text
    assert "Limite de région" in text and "Taux de chômage" in text
    # the colour bar runs over the zones shown only (Z004, far away, is not shown): 5 to 10
    ax, bar = fig.axes
    fig.canvas.draw()
    ticks = [t.get_text() for t in bar.get_yticklabels() if t.get_text()]
    assert ticks[0] == "5,0\u00a0%" and ticks[-1] == "10,0\u00a0%"
    cmap = matplotlib.colormaps["cividis_r"]
    faces = ax.collections[0].get_facecolors()  # Z001 then Z002, the zones with a value
    assert np.allclose(faces[0], cmap(0.0)) and np.allclose(faces[1], cmap(1.0))
    assert ax.collections[1].get_hatch() == "////"  # Z003, no value


def test_choropleth_picks_the_latest_period_or_the_one_asked():
    values = pd.concat(
        [
            _rates({"Z001": 5.0, "Z002": 6.0, "Z003": 7.0}, "2020Q4"),
            _rates({"Z001": 8.0, "Z002": 9.0, "Z003": 4.0}, "2021Q1"),
        ]
    )
    latest = maps.choropleth(GEOMETRY, values, ZONE, "Taux", SOURCE)
    assert latest.axes[0].get_title(loc="left") == "Taux, T1 2021"
    asked = maps.choropleth(GEOMETRY, values, ZONE, "Taux", SOURCE, period="2020Q4")
    assert asked.axes[0].get_title(loc="left") == "Taux, T4 2020"
    series = maps.choropleth(
        GEOMETRY, pd.Series({"Z001": 1.0, "Z002": 2.0}), ZONE, "Part", SOURCE, extent="region"
    )
    assert series.axes[0].get_title(loc="left") == "Part"


def test_choropleth_refuses_ambiguous_or_absent_values():
    doubled = pd.concat([_rates({"Z001": 5.0}), _rates({"Z001": 6.0})])
    with pytest.raises(ParameterError, match=r"several values of 'value' for zone\(s\) \['Z001'\]"):
        maps.choropleth(GEOMETRY, doubled, ZONE, "Taux", SOURCE)
    with pytest.raises(ParameterError, match="column 'rate' not in the values"):
        maps.choropleth(GEOMETRY, _rates({"Z001": 5.0}), ZONE, "Taux", SOURCE, column="rate")
    with pytest.raises(ParameterError, match="period 2019Q1 not in the values"):
        maps.choropleth(GEOMETRY, _rates({"Z001": 5.0}), ZONE, "Taux", SOURCE, period="2019Q1")
    elsewhere = Territory("Z009", "zone", "Ailleurs", ("Z009",), "R1", "R", ("R1",), ("01",))
    with pytest.raises(ParameterError, match="'Z009': none of its zones is on the map"):
        maps.choropleth(GEOMETRY, _rates({"Z001": 5.0}), elsewhere, "Taux", SOURCE)


def test_demo_unemployment_map_of_a_group():
    cube = datasets.build("demo")
    t = cube.territory("pole-fictif-alpha")
    fig = maps.choropleth(
        cube.geometry,
        ind.unemployment_rate_series(cube, None),
        t,
        "Taux de chômage localisé par zone d'emploi",
        cube.meta["sources"]["unemployment_rate"],
    )
    text = _texts(fig)
    assert "Taux de chômage localisé par zone d'emploi, T4 2024" in text
    assert "Source : données synthétiques" in text
    assert "Pôle fictif Alpha (DA01 + DA02)" in text
