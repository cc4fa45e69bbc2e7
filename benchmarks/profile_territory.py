#!/usr/bin/env python3
"""Where one territory's time goes, on demo data and on real data.

The cube is built and saved into a temporary folder first (once per batch, as the runner
does). Then, for a few territories after a warm-up one, in this process and with a timer
around each step:

- the cube read (:func:`bassin_lib.inputs.cube.load_cube`: the cached cube a warm kernel
  reuses, and, once, the read without the cache);
- ``open_diagnostic`` (référentiel, provenance recorder, analysts' texts);
- each section function of :mod:`bassin_lib.rendering.sections` the notebook calls (read from
  the notebook's cells), split into its computation (indicators, sentences), the drawing of
  its charts (the functions of :mod:`~bassin_lib.rendering.figures` and
  :mod:`~bassin_lib.rendering.maps` that return a Figure) and its display (``sections.show``:
  the PNG rendering of each chart, the formatting of each block);

and, in a warm kernel (:mod:`bassin_lib.running.engine`) running the real notebook through
papermill for the same territories:

- the kernel reset between two notebooks;
- papermill's own time (parameters, kernel messages, the ``.ipynb`` written): the notebook's
  wall time less the durations of its cells;
- the HTML export (:func:`bassin_lib.rendering.page.notebook_to_html`) of the executed notebook;
- the writes (the page and the cache key written whole, the folder published by a rename).

Prints a table of seconds per territory (mean over the measured territories) and share of the
total; then the cells' durations in the kernel against the same work in this process (a
cross-check), and the once-per-batch costs. On a shared machine the seconds are noisy; the
shares and the ratios printed are measured in the same run.

Usage::

    .venv/bin/python benchmarks/profile_territory.py              # demo, then real when present
    .venv/bin/python benchmarks/profile_territory.py --data demo --territories DA01 DB02
    .venv/bin/python benchmarks/profile_territory.py --data real --raw /work/shared/data/real
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import inspect
import re
import statistics
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bassin_lib.inputs import cube as cube_module  # noqa: E402
from bassin_lib.inputs import datasets  # noqa: E402
from bassin_lib.paths import DIAGNOSTIC_NOTEBOOK  # noqa: E402

SHARED_REAL = Path("/work/shared/data/real")
NOT_CHARTS = {"to_image", "render_png", "style"}
"""Public functions of the chart modules that are not a chart: the display step, the style."""


def notebook_sections(notebook: Path) -> list[str]:
    """The section functions the notebook calls, in the order of its cells."""
    nb = nbformat.read(str(notebook), as_version=4)
    names = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            names += re.findall(r"sections\.(\w+)\(d\b", cell.source)
    return names


class ChartClock:
    """Time spent in the chart functions (those returning a Figure) while active.

    Every public function of the given modules is wrapped; only the outermost call counts, so
    a chart calling another public helper of its module is timed once.
    """

    def __init__(self, *modules):
        self.modules = modules
        self.seconds = 0.0
        self.count = 0
        self._depth = 0
        self._saved: list[tuple] = []

    def _wrap(self, function):
        from matplotlib.figure import Figure

        @functools.wraps(function)
        def timed(*args, **kwargs):
            self._depth += 1
            started = time.perf_counter()
            try:
                result = function(*args, **kwargs)
            finally:
                self._depth -= 1
            if self._depth == 0 and isinstance(result, Figure):
                self.seconds += time.perf_counter() - started
                self.count += 1
            return result

        return timed

    def __enter__(self):
        for module in self.modules:
            for name, function in vars(module).copy().items():
                if (
                    inspect.isfunction(function)
                    and function.__module__ == module.__name__
                    and not name.startswith("_")
                    and name not in NOT_CHARTS
                ):
                    self._saved.append((module, name, function))
                    setattr(module, name, self._wrap(function))
        return self

    def __exit__(self, *exc):
        for module, name, function in self._saved:
            setattr(module, name, function)
        self._saved.clear()

    def take(self) -> tuple[float, int]:
        """Seconds and charts since the last call."""
        out = (self.seconds, self.count)
        self.seconds, self.count = 0.0, 0
        return out


@contextlib.contextmanager
def kernel_display():
    """``IPython.display.display`` formatting each object as a kernel would (no front end).

    A Figure that reaches ``display`` is rendered as the inline backend would
    (``print_figure(fig, "png", bbox_inches="tight")``).
    """
    import IPython.display
    from IPython.core.formatters import DisplayFormatter
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    formatter = DisplayFormatter()

    def display(*objects, **_options):
        for obj in objects:
            if isinstance(obj, Figure):
                print_figure(obj, "png", bbox_inches="tight")
            else:
                formatter.format(obj)

    saved = IPython.display.display
    IPython.display.display = display
    try:
        yield
    finally:
        IPython.display.display = saved


def in_process(cube_dir: Path, territory: str, out_dir: Path, clock, data_source: str) -> dict:
    """Seconds of each step of one territory's notebook, run here (see module docstring)."""
    from bassin_lib.rendering import sections

    steps: dict[str, float] = {}
    started = time.perf_counter()
    cube_module.load_cube(cube_dir)
    steps["cube read (cached in the kernel)"] = time.perf_counter() - started
    started = time.perf_counter()
    d = sections.open_diagnostic(
        territory, edition="profile", data_source=data_source, cube_dir=cube_dir
    )
    steps["open_diagnostic (référentiel, provenance, analysts)"] = time.perf_counter() - started
    clock.take()
    for name in notebook_sections(DIAGNOSTIC_NOTEBOOK):
        function = getattr(sections, name)
        started = time.perf_counter()
        if name == "save":
            function(d, out_dir)
            steps["save: indicators.json, provenance.json"] = time.perf_counter() - started
            continue
        items = function(d)
        computed = time.perf_counter() - started
        drawn, charts = clock.take()
        started = time.perf_counter()
        with kernel_display():
            sections.show(items)
        shown = time.perf_counter() - started
        steps[f"section {name}: indicators, text"] = computed - drawn
        steps[f"section {name}: charts drawn"] = drawn
        steps[f"section {name}: display (PNG, blocks)"] = shown
        steps[f"charts of {name}"] = charts
    return steps


def in_kernel(kernel, cube_dir: Path, territory: str, work: Path, data_source: str) -> dict:
    """Kernel reset, papermill run, HTML export and writes of one territory, as the runner."""
    import papermill as pm

    from bassin_lib.files import publish_dir, write_atomic
    from bassin_lib.rendering import page
    from bassin_lib.running import engine
    from bassin_lib.running.cache import CACHE_FILE
    from bassin_lib.running.parameters import injected

    run = work / f".{territory}"
    run.mkdir(parents=True)
    task = {
        "parameters": {},
        "territory": territory,
        "edition": "profile",
        "data_source": data_source,
        "cube_dir": str(cube_dir),
    }
    steps, cells = {}, {}
    started = time.perf_counter()
    kernel.reset(str(run))
    steps["kernel reset"] = time.perf_counter() - started
    executed = run / "diagnostic.ipynb"
    started = time.perf_counter()
    pm.execute_notebook(
        str(DIAGNOSTIC_NOTEBOOK),
        str(executed),
        parameters=injected(task, run),
        engine_name=engine.ENGINE_NAME,
        kernel=kernel,
        kernel_name=kernel.kernel_name,
        progress_bar=False,
        cwd=str(run),
        extra_arguments=list(engine.KERNEL_ARGUMENTS),
    )
    wall = time.perf_counter() - started
    nb = nbformat.read(str(executed), as_version=4)
    for index, cell in enumerate(nb.cells):
        duration = cell.metadata.get("papermill", {}).get("duration")
        if cell.cell_type == "code" and duration is not None:
            found = re.findall(r"sections\.(\w+)\(", cell.source)
            cells[found[0] if found else f"cell {index}"] = duration
    steps["papermill: parameters, kernel messages, .ipynb"] = wall - sum(cells.values())
    started = time.perf_counter()
    html = page.notebook_to_html(executed, f"Diagnostic emploi : {territory}")
    steps["HTML export (nbconvert)"] = time.perf_counter() - started
    started = time.perf_counter()
    write_atomic(run / "diagnostic.html", html)
    write_atomic(run / CACHE_FILE, "0" * 64)
    publish_dir(run, work / territory)
    steps["writes: page, cache key, publish (rename)"] = time.perf_counter() - started
    return {"steps": steps, "cells": cells, "html_bytes": len(html.encode("utf-8"))}


def pick(cube, asked: list[str] | None, count: int) -> list[str]:
    """A warm-up territory then the measured ones (``asked``, or zones and a group)."""
    ids = cube.referentiel.ids
    if asked:
        return [next(t for t in ids if t not in asked), *asked]
    zones = list(cube.referentiel.zones.index)
    groups = list(cube.referentiel.groups)
    measured = zones[1:count] + groups[:1] if groups and count > 1 else zones[1 : count + 1]
    return [zones[0], *measured]


def profile(data_source: str, raw: Path | None, asked, count: int, demo_zones: int) -> None:
    from bassin_lib.rendering import figures, maps
    from bassin_lib.running import engine
    from bassin_lib.running.parameters import kernel_name

    print(f"\n=== {data_source} data ===")
    once: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="profile-") as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            built = datasets.build(data_source, demo_zones=demo_zones, raw_dir=raw)
        once["cube build"] = time.perf_counter() - started
        territories = pick(built, asked, count)
        started = time.perf_counter()
        cube_dir = built.save(tmp / "_cube")
        once["cube save (parquet)"] = time.perf_counter() - started
        size = sum(p.stat().st_size for p in cube_dir.iterdir())
        del built
        started = time.perf_counter()
        cube_module.load_cube(cube_dir, shared=False)
        once["cube read, without the cache (load_cube)"] = time.perf_counter() - started
        started = time.perf_counter()
        cube_module.load_cube(cube_dir)
        once["cube read, first of a kernel (load_cube, kept)"] = time.perf_counter() - started
        print(
            f"cube: {size / 2**20:.1f} MB on disk; territories: {territories[0]} (warm-up), "
            f"then {', '.join(territories[1:])}"
        )

        started = time.perf_counter()
        kernel = engine.WarmKernel(kernel_name(DIAGNOSTIC_NOTEBOOK), 120, str(tmp))
        once["kernel start and warm-up imports (per worker)"] = time.perf_counter() - started
        per_step: dict[str, list[float]] = defaultdict(list)
        kernel_cells: dict[str, list[float]] = defaultdict(list)
        setup_cells, pages = [], []
        try:
            with ChartClock(figures, maps) as clock:
                for i, territory in enumerate(territories):
                    ran = in_kernel(kernel, cube_dir, territory, tmp / "runs", data_source)
                    setup_cells.append(ran["cells"].get("open_diagnostic", float("nan")))
                    local = in_process(
                        cube_dir, territory, tmp / "out" / territory, clock, data_source
                    )
                    if i == 0:
                        continue  # warm-up: first use of fonts, caches, the exporter
                    pages.append(ran["html_bytes"])
                    for name, seconds in {**ran["steps"], **local}.items():
                        per_step[name].append(seconds)
                    for name, seconds in ran["cells"].items():
                        kernel_cells[name].append(seconds)
        finally:
            kernel.shutdown()

    order = [
        "kernel reset",
        "cube read (cached in the kernel)",
        "open_diagnostic (référentiel, provenance, analysts)",
        *[s for s in per_step if s.startswith("section ")],
        "save: indicators.json, provenance.json",
        "papermill: parameters, kernel messages, .ipynb",
        "HTML export (nbconvert)",
        "writes: page, cache key, publish (rename)",
    ]
    charts = {k: max(v) for k, v in per_step.items() if k.startswith("charts of ")}
    mean = {
        name: statistics.fmean(per_step[name])
        for name in order
        if any(per_step.get(name, ())) or name in ("cube read (cached in the kernel)",)
    }
    total = sum(mean.values())
    print(f"\nper territory, mean of {len(territories) - 1} (seconds, share of the total):")
    print(f"  {'step':<66} {'s':>7} {'share':>7}")
    for name, seconds in mean.items():
        section = name.split(":")[0].removeprefix("section ")
        n = charts.get(f"charts of {section}", 0) if name.endswith("charts drawn") else 0
        label = f"{name} ({n} chart{'s' * (n > 1)})" if n else name
        print(f"  {label:<66} {seconds:7.3f} {100 * seconds / total:6.1f}%")
    print(f"  {'total':<66} {total:7.3f} {100.0:6.1f}%")
    groups = {
        "indicators, text (all sections)": ": indicators, text",
        "charts drawn (all sections)": ": charts drawn",
        "display: PNG rendering, blocks (all sections)": ": display",
    }
    print("  of which:")
    for label, marker in groups.items():
        seconds = sum(v for k, v in mean.items() if marker in k)
        print(f"    {label:<64} {seconds:7.3f} {100 * seconds / total:6.1f}%")
    print(f"  average page: {statistics.fmean(pages) / 2**10:.0f} KB")

    in_kernel_cells = sum(statistics.fmean(v) for v in kernel_cells.values())
    here = sum(v for k, v in mean.items() if k.startswith(("section", "save", "open", "cube")))
    print(
        f"\ncross-check: the notebook's cells took {in_kernel_cells:.3f} s in the kernel, the "
        f"same steps {here:.3f} s in this process (ratio {in_kernel_cells / here:.2f})"
    )
    first, later = setup_cells[0], statistics.fmean(setup_cells[1:])
    print(
        f"setup cell (open_diagnostic, cube read) in the kernel: {first:.3f} s for the first "
        f"notebook, {later:.3f} s for the next ones (the cube is read once per kernel: "
        f"{first / later:.0f}x)"
    )
    print("\nonce per batch, per worker or per kernel (not in the table):")
    for name, seconds in once.items():
        print(f"  {name:<66} {seconds:7.3f}")
    cold = once["cube read, without the cache (load_cube)"]
    print(
        f"  cube read cached / without the cache: "
        f"{mean['cube read (cached in the kernel)'] / cold:.5f} (same process)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["demo", "real", "both"], default="both")
    parser.add_argument(
        "--raw",
        type=Path,
        default=None,
        help=f"folder of the official files (default {SHARED_REAL} when present, else data/raw)",
    )
    parser.add_argument("--territories", nargs="+", help="territories measured (default: zones)")
    parser.add_argument("--count", type=int, default=3, help="territories measured (3)")
    parser.add_argument("--demo-zones", type=int, default=30, help="zones of the demo (30)")
    args = parser.parse_args()
    if args.data in ("demo", "both"):
        profile("demo", None, args.territories, args.count, args.demo_zones)
    if args.data in ("real", "both"):
        from bassin_lib.inputs.fetch import RAW_DIR

        raw = args.raw or (SHARED_REAL if SHARED_REAL.is_dir() else RAW_DIR)
        if not Path(raw).is_dir() or not any(Path(raw).iterdir()):
            print(f"\n=== real data: skipped, no official files in {raw} (--raw DIR) ===")
            return
        profile("real", Path(raw), args.territories, args.count, args.demo_zones)


if __name__ == "__main__":
    main()
