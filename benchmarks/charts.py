#!/usr/bin/env python3
"""Chart rendering of one territory's report: IPython's inline path against bassin_lib's.

Builds the demo cube, draws every chart of one territory's report with the section functions
the notebook calls (:mod:`bassin_lib.rendering.sections`) and renders each chart three ways,
each time on freshly built figures, in the same process:

- baseline: what ``display(fig)`` costs under ``%matplotlib inline``, IPython's
  ``print_figure(fig, "png", bbox_inches="tight")`` (two draws, full-colour PNG);
- bassin_lib: :func:`bassin_lib.rendering.figures.render_png` (one draw, cropped palette PNG),
  what ``sections.show`` displays;
- SVG, for the record (the vector alternative): one draw by matplotlib's SVG canvas, text as
  paths; its bytes are what a page would inline.

Prints, per chart and in total, the best time over the repeats and the bytes of each path, with
the ratios baseline / bassin_lib, and whether bassin_lib gave the same bytes on every repeat.
Times are the process's CPU time (``time.process_time``): the machine's cores are shared, and
wall-clock times of a few tens of milliseconds move with the other processes' load. A PNG
weighs 4/3 of its bytes in the page (base64).

Usage: .venv/bin/python benchmarks/charts.py [--territory DA01] [--repeats 3]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from IPython.core.pylabtools import print_figure  # noqa: E402
from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from profile_territory import notebook_sections  # noqa: E402

from bassin_lib.inputs import datasets  # noqa: E402
from bassin_lib.paths import DIAGNOSTIC_NOTEBOOK  # noqa: E402
from bassin_lib.rendering import figures, sections  # noqa: E402

SECTIONS = [name for name in notebook_sections(DIAGNOSTIC_NOTEBOOK) if name != "save"]
"""The sections the notebook shows, in its order (read from its cells)."""


def diagnostic(cube, territory: str) -> sections.Diagnostic:
    """A diagnostic as the notebook's setup cell opens it."""
    return sections.diagnostic_of(cube, territory, edition="essai")


def charts(cube, territory: str) -> list[tuple[str, Figure]]:
    """Every chart of the report, in order, named by its section (and rank within it)."""
    d = diagnostic(cube, territory)
    out = []
    for name in SECTIONS:
        drawn = [item for item in getattr(sections, name)(d) if isinstance(item, Figure)]
        for k, fig in enumerate(drawn):
            out.append((name if len(drawn) == 1 else f"{name} {k + 1}", fig))
    return out


def baseline(fig: Figure) -> bytes:
    """IPython's inline rendering of a Figure, as ``display(fig)`` does it."""
    return print_figure(fig, "png", bbox_inches="tight")


def svg(fig: Figure) -> bytes:
    """The figure as SVG (one draw, text as paths), with the titles wrapped as for the PNG."""
    for text in [*figures._figure_texts(fig), *figures._axes_titles(fig)]:
        text.set_wrap(True)
    buffer = io.StringIO()
    with figures.style():
        FigureCanvasSVG(fig).print_svg(buffer, metadata={"Date": None})
    return buffer.getvalue().encode()


PATHS = {"baseline": baseline, "bassin_lib": figures.render_png, "svg": svg}


def measure(cube, territory: str, repeats: int) -> tuple[list[str], dict, dict, bool]:
    """Best CPU time (s) and bytes per chart and path, and whether bassin_lib's bytes repeat."""
    names: list[str] = []
    times: dict[tuple[str, str], float] = {}
    sizes: dict[tuple[str, str], int] = {}
    same = True
    for _ in range(repeats):
        for path, render in PATHS.items():
            built = charts(cube, territory)  # fresh figures for every path and repeat
            names = [name for name, _ in built]
            for name, fig in built:
                start = time.process_time()
                data = render(fig)
                elapsed = time.process_time() - start
                key = (name, path)
                times[key] = min(times.get(key, float("inf")), elapsed)
                if path == "bassin_lib" and key in sizes and sizes[key] != len(data):
                    same = False
                sizes[key] = len(data)
    return names, times, sizes, same


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--territory", default="DA01")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    cube = datasets.build("demo")
    names, times, sizes, same = measure(cube, args.territory, args.repeats)

    header = (
        f"{'chart':<20} {'baseline ms':>11} {'KB':>6} {'bassin_lib ms':>13} {'KB':>6} "
        f"{'time ×':>7} {'bytes ×':>7} {'svg ms':>7} {'svg KB':>7}"
    )
    print(f"Charts of {args.territory} (demo): CPU time, best of {args.repeats}; bytes of the file")
    print(header)
    print("-" * len(header))
    totals = dict.fromkeys(PATHS, 0.0), dict.fromkeys(PATHS, 0)
    for name in [*names, "total"]:
        if name == "total":
            t, b = totals
            print("-" * len(header))
        else:
            t = {path: times[name, path] for path in PATHS}
            b = {path: sizes[name, path] for path in PATHS}
            for path in PATHS:
                totals[0][path] += t[path]
                totals[1][path] += b[path]
        print(
            f"{name:<20} {1000 * t['baseline']:>11.0f} {b['baseline'] / 1000:>6.1f} "
            f"{1000 * t['bassin_lib']:>13.0f} {b['bassin_lib'] / 1000:>6.1f} "
            f"{t['baseline'] / t['bassin_lib']:>7.2f} {b['baseline'] / b['bassin_lib']:>7.2f} "
            f"{1000 * t['svg']:>7.0f} {b['svg'] / 1000:>7.1f}"
        )
    print(f"bassin_lib bytes identical on every repeat: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
