#!/usr/bin/env python3
"""Batch benchmark: every figure is a ratio against a baseline measured in the same run.

1. The project's runner (``run_batch``: warm kernels, ``--jobs``) against the naive loop a user
   would write: ``papermill`` CLI then ``jupyter nbconvert --to html`` CLI, territory after
   territory, on the same demo territories (default 40).
2. Per-territory cost against the floor: papermill (Python API, a new kernel each time, as
   papermill does) executing an empty parameterized notebook.
3. A no-change re-run (every report up to date in the cache) against the full run.
4. Peak memory of the whole process tree (runner, worker processes, kernels), sampled.
5. The runner, the no-change re-run and peak memory again on 300+ synthetic zones (every zone
   and group of a ``--large-zones`` demo).

Usage::

    .venv/bin/python benchmarks/batch.py                      # 40 territories + 300 zones
    .venv/bin/python benchmarks/batch.py --territories 10 --large-zones 0   # quick look
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bassin_lib.inputs import datasets  # noqa: E402
from bassin_lib.paths import DIAGNOSTIC_NOTEBOOK  # noqa: E402
from bassin_lib.running.batch import run_batch  # noqa: E402


class PeakMemory:
    """Peak resident memory of this process and all its descendants, sampled every 50 ms."""

    def __init__(self):
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def naive(territories: list[str], work: Path, zones: int) -> float:
    """What a user would write: papermill CLI then nbconvert CLI, one territory at a time."""
    bin_dir = Path(sys.executable).parent
    started = time.perf_counter()
    cube_dir = work / "cube"
    datasets.build("demo", demo_zones=zones).save(cube_dir)
    for territory in territories:
        out = work / f"{territory}.ipynb"
        subprocess.run(
            [str(bin_dir / "papermill"), str(DIAGNOSTIC_NOTEBOOK), str(out)]
            + ["-r", "territory", territory, "-p", "cube_dir", str(cube_dir)]
            + ["--no-progress-bar"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(bin_dir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - started


def floor(work: Path, runs: int = 5) -> float:
    """Seconds per notebook for papermill executing an empty parameterized notebook."""
    import papermill as pm

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('territory = "DA01"')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = work / "empty.ipynb"
    nbformat.write(nb, path)
    started = time.perf_counter()
    for i in range(runs):
        pm.execute_notebook(
            str(path), str(work / f"empty-{i}.ipynb"), parameters={"territory": "DA02"},
            progress_bar=False,
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )  # fmt: skip
    return (time.perf_counter() - started) / runs


def runner(territories, output: Path, jobs: int, **options) -> tuple[float, float, int]:
    """Full run then no-change re-run: seconds of each and peak memory (bytes) of the full run."""
    quiet = {"progress": False, "log": lambda _line: None}
    with PeakMemory() as memory:
        started = time.perf_counter()
        result = run_batch(territories, output_root=output, jobs=jobs, **quiet, **options)
        full = time.perf_counter() - started
    if result.exit_code:
        raise SystemExit(f"the runner failed: {result.failures[:3]}")
    started = time.perf_counter()
    again = run_batch(territories, output_root=output, jobs=jobs, **quiet, **options)
    rerun = time.perf_counter() - started
    stale = [r["territory"] for r in again.records if r["status"] != "cached"]
    if stale:  # e.g. the library changed during the run
        print(f"  warning: {len(stale)} territories were not up to date on the re-run")
    return full, rerun, memory.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--territories", type=int, default=40, help="demo territories (40)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--large-zones", type=int, default=300, help="zones of the large run (0: skip it)"
    )
    args = parser.parse_args()
    cores = psutil.cpu_count()
    print(f"machine: {cores} cores; runner --jobs {args.jobs}")
    zones = max(30, args.territories)
    territories = datasets.build("demo", demo_zones=zones).referentiel.ids[: args.territories]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "naive").mkdir()
        per_floor = floor(work)
        base = naive(territories, work / "naive", zones)
        full, rerun, peak = runner(territories, work / "runner", args.jobs, demo_zones=zones)
        print(f"\n{len(territories)} demo territories")
        print(f"  naive loop (papermill CLI + nbconvert CLI): {base:7.1f} s")
        print(f"  bassin_lib runner:                          {full:7.1f} s")
        print(f"  speed-up over the naive loop:               {base / full:7.2f}x")
        per_territory = full / len(territories)
        print(f"  floor, papermill on an empty notebook:      {per_floor:7.2f} s per notebook")
        print(f"  runner, wall time per territory:            {per_territory:7.2f} s")
        print(f"  per-territory cost / floor:                 {per_territory / per_floor:7.2f}")
        print(
            f"  naive per territory / floor:                "
            f"{base / len(territories) / per_floor:7.2f}"
        )
        print(f"  no-change re-run:                           {rerun:7.2f} s")
        print(f"  no-change re-run / full run:                {100 * rerun / full:7.2f} %")
        print(f"  peak memory (process tree):                 {peak / 2**30:7.2f} GB")
        if args.large_zones:
            large, large_rerun, large_peak = runner(
                None,
                work / "large",
                args.jobs,
                all_territories=True,
                demo_zones=args.large_zones,
            )
            count = len(datasets.build("demo", demo_zones=args.large_zones).referentiel.ids)
            print(f"\n{count} territories ({args.large_zones} synthetic zones + groups), --all")
            print(f"  bassin_lib runner:                          {large:7.1f} s")
            print(f"  runner, wall time per territory:            {large / count:7.2f} s")
            print(f"  per-territory cost / floor:                 {large / count / per_floor:7.2f}")
            print(
                f"  no-change re-run / full run:                {100 * large_rerun / large:7.2f} %"
            )
            print(f"  peak memory (process tree):                 {large_peak / 2**30:7.2f} GB")


if __name__ == "__main__":
    main()
