"""Every chart has a title with its period, the three comparators and a « Source : … » line."""

import matplotlib.dates as mdates
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


def test_the_crisis_window_shaded_is_the_parameters_one():
    cube = datasets.build("demo")
    t = cube.territory("DA01")
    index = ind.employment_index(cube, t, base="2012Q4", start="2012Q4")
    fig = figures.employment_index(index, "2012Q4", SOURCE, crisis=("2008Q2", "2009Q3"))
    (span,) = [p for p in fig.axes[0].patches if p.get_label().startswith("Fenêtre de crise")]
    assert span.get_label() == "Fenêtre de crise (T3 2008 – T3 2009)"
    left, right = span.get_x(), span.get_x() + span.get_width()
    assert pd.Timestamp(mdates.num2date(left)).date() == pd.Timestamp("2008-07-01").date()
    assert pd.Timestamp(mdates.num2date(right)).date() == pd.Timestamp("2009-09-30").date()
    unshaded = figures.employment_index(index, "2012Q4", SOURCE)
    assert not [p for p in unshaded.axes[0].patches if "crise" in p.get_label()]
