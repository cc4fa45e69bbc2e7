"""Every chart has a title with its period, the three comparators and a « Source : … » line;
it reaches the report as a compact PNG drawn once."""

import io

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from IPython.core.pylabtools import print_figure
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from PIL import Image

from bassin_lib import analysis as ind
from bassin_lib.inputs import cube as cube_module
from bassin_lib.inputs import datasets
from bassin_lib.rendering import figures, maps, sections
from bassin_lib.rendering.provenance import figure_title

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


# --- rendering: drawn once, into a compact PNG ------------------------------------------------


def _png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _report_charts(cube, territory: str) -> list:
    """Every chart of one territory's report, from the sections the notebook calls."""
    d = sections.diagnostic_of(cube, territory, edition="essai")
    names = ["identity", "development_model", "poverty", "unemployment", "unemployment_map"]
    names += ["long_run", "crisis", "sectors", "jobseekers", "interim", "recruitment"]
    return [
        item for name in names for item in getattr(sections, name)(d) if isinstance(item, Figure)
    ]


def _chart(tiny_cube):
    t = tiny_cube.territory("0051")
    return figures.quarterly_changes(ind.quarterly_changes(tiny_cube, t), SOURCE)


def test_a_chart_is_laid_out_and_drawn_once(tiny_cube, monkeypatch):
    draws, layouts = [], []
    draw, execute = Figure.draw, ConstrainedLayoutEngine.execute
    monkeypatch.setattr(
        Figure, "draw", lambda fig, renderer: draws.append(1) or draw(fig, renderer)
    )
    monkeypatch.setattr(
        ConstrainedLayoutEngine,
        "execute",
        lambda self, fig: layouts.append(1) or execute(self, fig),
    )
    figures.render_png(_chart(tiny_cube))
    assert (len(draws), len(layouts)) == (1, 1)
    # what display(fig) did under %matplotlib inline: a draw without rendering (the layout),
    # the tight bounding box, then the draw
    draws.clear(), layouts.clear()
    print_figure(_chart(tiny_cube), "png", bbox_inches="tight")
    assert (len(draws), len(layouts)) == (2, 1)


def test_the_image_keeps_its_pixel_size_and_dpi_in_fewer_bytes(tiny_cube):
    before = _png(print_figure(_chart(tiny_cube), "png", bbox_inches="tight"))
    data = figures.render_png(_chart(tiny_cube))
    image = _png(data)
    assert abs(image.width - before.width) <= 3 and abs(image.height - before.height) <= 3
    assert image.info["dpi"] == pytest.approx((100, 100), abs=0.01)
    assert image.mode == "P"  # a palette of 256 colours at most
    assert (image.convert("RGB").getpixel((0, 0))) == (255, 255, 255)  # background exact
    assert figures.render_png(_chart(tiny_cube)) == data  # same figure, same bytes
    plain = io.BytesIO()
    _chart(tiny_cube).savefig(plain, format="png")
    assert len(data) < 0.6 * len(plain.getvalue())


def test_the_palette_keeps_every_colour_within_a_few_levels(demo_cube):
    """Each pixel of every chart of a report against the same figure drawn in full colour."""
    for fig in _report_charts(demo_cube, "DA01"):
        data = figures.render_png(fig, close=False)
        full = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
        drawn = np.asarray(_png(data).convert("RGB")).astype(int)
        colours = np.unique(full.reshape(-1, 3)[::7], axis=0)
        palette = np.unique(drawn.reshape(-1, 3), axis=0)
        distance = np.abs(colours[:, None, :] - palette[None, :, :]).max(axis=2).min(axis=1)
        assert distance.max() <= 15, figure_title(fig)


def test_nothing_of_a_report_chart_is_cut(demo_cube):
    """Titles, source lines, legends and colour bars stay inside the figure: a line too long
    for it (the recruitment chart's title, the sector chart's source) is wrapped."""
    charts = _report_charts(demo_cube, "DA01")
    assert len(charts) >= 10
    for fig in charts:
        data = figures.render_png(fig, close=False)
        box = fig.get_tightbbox(fig.canvas.get_renderer()).transformed(fig.dpi_scale_trans)
        inside = fig.bbox.padded(1)
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1, figure_title(fig)
        assert inside.y0 <= box.y0 and box.y1 <= inside.y1, figure_title(fig)
        pad = 2 * round(figures.PNG_PAD_INCHES * fig.dpi)
        assert _png(data).width <= fig.bbox.width + pad


def test_a_title_too_long_is_wrapped_at_the_edge():
    with figures.style():
        fig = Figure(figsize=(5, 3), layout="constrained")
        ax = fig.add_subplot()
        ax.set_yticks([0, 1], ["une étiquette", "b"])
        ax.set_title("Un titre bien trop long pour la largeur de cette figure " * 2, loc="left")
        fig.supxlabel("Source : " + "une ligne de source interminable " * 3, x=0.0, ha="left")
    data = figures.render_png(fig, close=False)
    for text in (ax._left_title, fig._supxlabel):
        box = text.get_window_extent()
        assert box.x1 <= fig.bbox.x1 + 0.5 and box.height > 2 * 8  # wrapped on several lines
    assert _png(data).size[0] <= 500 + 20


def test_a_transparent_figure_stays_transparent():
    with figures.style():
        fig = Figure(figsize=(2, 2), layout="constrained", facecolor="none")
        fig.add_subplot().plot([0, 1], [1, 0])
    image = _png(figures.render_png(fig))
    assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0


def test_show_displays_the_image_once_drawn(tiny_cube, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    fig = _chart(tiny_cube)
    sections.show(["texte", fig, None])
    assert shown[0] == "texte" and len(shown) == 2
    assert isinstance(shown[1], IPython.display.Image) and shown[1].format == "png"
    assert shown[1].data.startswith(b"\x89PNG")
    assert not isinstance(fig.canvas, FigureCanvasAgg)  # the canvas and its pixels are freed
