"""Choropleth: the zones shown around a territory, colours that follow the values, French
colour bar, title with the period and the « Source : … » line; zones without a value greyed
(« Donnée non publiée »), a territory without one still mapped and said so."""

import dataclasses

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
from bassin_lib.rendering import maps, narrative, sections

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


def _title(fig) -> str:
    return fig._suptitle.get_text()


def _texts(fig) -> str:
    texts = [fig._supxlabel.get_text(), _title(fig)]
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
    assert SOURCE in text and "Zone Un" in text and "Donnée non publiée" in text
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
    assert _title(latest) == "Taux, T1 2021"
    asked = maps.choropleth(GEOMETRY, values, ZONE, "Taux", SOURCE, period="2020Q4")
    assert _title(asked) == "Taux, T4 2020"
    series = maps.choropleth(
        GEOMETRY, pd.Series({"Z001": 1.0, "Z002": 2.0}), ZONE, "Part", SOURCE, extent="region"
    )
    assert _title(series) == "Part"


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


# --- zones without a value (INSEE publishes no rate for Guyane and Mayotte) -----------------

GREY = matplotlib.colors.to_rgba("#d9d9d9")


def _grey_collections(ax):
    return [c for c in ax.collections if c.get_hatch() == "////"]


def test_a_zone_without_value_is_greyed_and_the_legend_says_so():
    values = _rates({"Z001": 5.0, "Z002": None, "Z003": 7.0})
    fig = maps.choropleth(GEOMETRY, values, ZONE, "Taux", SOURCE)
    ax = fig.axes[0]
    (grey,) = _grey_collections(ax)
    assert len(grey.get_paths()) == 1  # Z002 only
    assert np.allclose(grey.get_facecolors()[0], GREY)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Zone Un", "Donnée non publiée", "Limite de région"]
    # the colour bar runs over the published values: 5 to 7
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[1].get_yticklabels() if t.get_text()]
    assert ticks[0] == "5,0\u00a0%" and ticks[-1] == "7,0\u00a0%"


def test_a_territory_without_value_shows_its_neighbours_and_its_outline():
    values = _rates({"Z001": None, "Z002": 6.0, "Z003": 7.0})
    fig = maps.choropleth(GEOMETRY, values, ZONE, "Taux", SOURCE)
    ax = fig.axes[0]
    assert _title(fig) == "Taux, T3 2023"
    coloured = ax.collections[0]  # Z002 and Z003
    assert len(coloured.get_paths()) == 2
    (grey,) = _grey_collections(ax)
    assert len(grey.get_paths()) == 1 and np.allclose(grey.get_facecolors()[0], GREY)
    # the territory's outline: the boundary of Z001, in black
    outline = [line for line in ax.get_lines() if line.get_linewidth() == 1.8]
    assert len(outline) == 1
    xs = np.asarray(outline[0].get_xdata(), dtype=float)
    assert np.nanmin(xs) == pytest.approx(0, abs=0.01) and np.nanmax(xs) == pytest.approx(1, 0.01)
    assert "Donnée non publiée" in _texts(fig)


def test_no_value_at_all_for_the_zones_shown_still_renders():
    # Guyane: no zone of the map has a rate; the period is the latest of the other zones
    values = pd.concat([_rates({"Z004": 9.0}, "2023Q3"), _rates({"Z001": None}, "2023Q3")])
    fig = maps.choropleth(GEOMETRY, values, ZONE, "Taux", SOURCE, extent="region")
    assert _title(fig) == "Taux, T3 2023"
    assert len(fig.axes) == 1  # no colour bar: nothing is coloured
    (grey,) = _grey_collections(fig.axes[0])
    assert len(grey.get_paths()) == 2  # Z001 and Z002
    assert "Donnée non publiée" in _texts(fig)
    zone_values, period = maps.values_at(values, {"Z001", "Z002"})
    assert str(period) == "2023Q3" and zone_values.reindex(["Z001", "Z002"]).isna().all()


def test_sentence_for_a_territory_without_published_value():
    q3 = pd.Period("2023Q3", "Q")
    subject = "le taux de chômage localisé"
    alone = narrative.not_published_on_map(subject, ["Mayotte"], q3)
    assert alone == (
        "Le taux de chômage localisé n'est pas publié pour Mayotte au 3e trimestre 2023 : "
        "la zone apparaît en grisé sur la carte."
    )
    nowhere = narrative.not_published_on_map(subject, ["Savanes"], q3, nowhere=True)
    assert nowhere.startswith(
        "Le taux de chômage localisé n'est publié ni pour Savanes ni pour les zones d'emploi "
        "voisines au 3e trimestre 2023"
    )
    part = narrative.not_published_on_map(subject, ["Savanes"], q3, whole=False)
    assert "pour la zone d'emploi Savanes au 3e trimestre 2023 : la zone apparaît" in part
    group = narrative.not_published_on_map(subject, ["Guyane"], q3, n_zones=3)
    assert group.endswith("les zones apparaissent en grisé sur la carte.")


def _diagnostic(cube, territory):
    return sections.diagnostic_of(cube, territory, edition="essai")


def test_section_map_of_a_zone_whose_rate_is_not_published(demo_cube):
    rates = demo_cube.tables["unemployment_rate"]
    unpublished = rates.assign(value=rates["value"].where(rates["code"] != "DA01"))
    cube = dataclasses.replace(
        demo_cube, tables={**demo_cube.tables, "unemployment_rate": unpublished}
    )
    items = sections.unemployment_map(_diagnostic(cube, "DA01"))
    texts = [item.data for item in items if hasattr(item, "data")]
    figures = [item for item in items if not hasattr(item, "data")]
    assert len(texts) == 1 and len(figures) == 1
    label = cube.territory("DA01").label
    assert texts[0] == (
        f"Le taux de chômage localisé n'est pas publié pour {label} au 4e trimestre 2024 : "
        "la zone apparaît en grisé sur la carte."
    )
    assert "Donnée non publiée" in _texts(figures[0])
    # a zone with its rate: the map alone
    items = sections.unemployment_map(_diagnostic(demo_cube, "DA01"))
    assert [hasattr(item, "data") for item in items] == [False]
