"""Every chart has a title with its period, the three comparators and a « Source : … » line."""

import pandas as pd

from bassin_lib import analysis as ind
from bassin_lib.inputs import cube as cube_module
from bassin_lib.inputs import datasets
from bassin_lib.rendering import figures, maps

SOURCE = "Source : essai"


def _texts(fig):
    texts = [t.get_text() for t in fig.texts]
    texts += [fig._suptitle.get_text()] if fig._suptitle else []
    texts += [fig._supxlabel.get_text()] if fig._supxlabel else []
    for ax in fig.axes:
        texts.append(ax.get_title(loc="left"))
        legend = ax.get_legend()
        if legend:
            texts += [t.get_text() for t in legend.get_texts()]
    return " | ".join(texts)


def test_charts_have_period_comparison_and_source(tiny_cube):
    t = tiny_cube.territory("0051")
    charts = {
        "T4 2019 – T4 2020": figures.quarterly_changes(ind.quarterly_changes(tiny_cube, t), SOURCE),
        "(T4 2019 – T4 2020)": figures.jobseekers_change(
            ind.jobseekers_change(tiny_cube, t), SOURCE
        ),
        "T4 2019 – T4 2020 ": figures.employment_index(
            ind.employment_index(tiny_cube, t, base="2019Q4"), "2019Q4", SOURCE
        ),
        "en 2020": figures.poverty(ind.income_poverty_levels(tiny_cube, t), SOURCE),
    }
    for period, fig in charts.items():
        text = _texts(fig) + " "
        assert period in text, text
        assert SOURCE in text
        if "pauvreté" not in text:
            assert "Zone Un" in text and "Région Une" in text and "France" in text


def test_unemployment_chart_period(tiny_cube):
    fig = figures.unemployment_rate(
        ind.unemployment_rate_series(tiny_cube, tiny_cube.territory("2705")), SOURCE
    )
    assert "T4 2020 – T4 2020" in _texts(fig)


def test_map_locates_the_territory_in_its_region():
    cube = datasets.build("demo", demo_zones=12)
    t = cube.territory("pole-fictif-alpha")
    fig = maps.territory_in_region(cube.geometry, t, SOURCE)
    text = _texts(fig)
    assert "Localisation de Pôle fictif Alpha" in text and SOURCE in text
    # the region's zones are drawn, the territory's two zones in the territory colour
    collection = fig.axes[0].collections[-1]
    assert len(collection.get_paths()) == 2
    assert isinstance(cube, cube_module.Cube) and isinstance(t.zones, tuple)
    assert pd.Series(cube.geometry["zone"]).is_unique
