#!/usr/bin/env python3
"""Batch benchmark: every figure is a ratio against a baseline measured in the same run.

1. The floor: the project's runner (``run_batch``: warm kernels, ``--jobs``) executing an empty
   parameterized notebook (the diagnostic's parameters cell alone) for ``--floor`` demo
   territories (40); each run below gives its per-territory time against it: wall time, and the
   median time of one territory in its worker as the ledger records it.
2. The runner against the naive loop a user would write: ``papermill`` CLI then ``jupyter
   nbconvert --to html`` CLI, territory after territory, on the same demo territories
   (``--naive``, default 40); then a no-change re-run (every report up to date) against the
   full run.
3. The demo batch: every territory of a ``--demo-zones`` synthetic dataset (default 300 zones
   and 2 groups: 302 territories), with its no-change re-run.
4. The national edition on real data: every zone and group of the official files (``--raw``,
   default ``/work/shared/data/real`` when present); ``--skip-national`` leaves it out.

For each run: peak memory of the whole process tree (runner, workers, kernels, sampled every
50 ms), average report size (``diagnostic.html``) and the edition's size on disk.

Usage::

    .venv/bin/python benchmarks/batch.py          # 40 + 302 demo territories + national edition
    .venv/bin/python benchmarks/batch.py --demo-zones 20 --naive 4 --floor 10 --skip-national
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bassin_lib.inputs import datasets  # noqa: E402
from bassin_lib.paths import DIAGNOSTIC_NOTEBOOK  # noqa: E402
from bassin_lib.running.batch import run_batch  # noqa: E402

SHARED_REAL = Path("/work/shared/data/real")
QUIET = {"progress": False, "log": lambda _line: None}


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


class Run:
    """One batch run: wall time, peak memory, what its edition holds."""

    def __init__(self, result, seconds: float, peak: int):
        self.result, self.seconds, self.peak = result, seconds, peak
        self.edition = result.edition_dir
        rendered = [r for r in result.records if r["status"] == "ok"]
        self.count = len(result.records)
        self.rendered = len(rendered)
        self.failed = len(result.failures)
        ledger = self.edition / "ledger.csv"
        with ledger.open(encoding="utf-8") as handle:
            worker = [float(r["seconds"]) for r in csv.DictReader(handle) if r.get("seconds")]
        # the median: the first territory of each worker also starts its kernel
        self.worker = statistics.median(worker) if worker else float("nan")
        pages = [p.stat().st_size for p in self.edition.glob("*/diagnostic.html")]
        self.page = statistics.fmean(pages) if pages else float("nan")
        files = [p for p in self.edition.rglob("*") if p.is_file()]
        self.disk = sum(p.stat().st_size for p in files)
        self.cube = sum(p.stat().st_size for p in files if "_cube" in p.parts)

    @property
    def per_territory(self) -> float:
        return self.seconds / self.count


def run(territories, output: Path, jobs: int, **options) -> Run:
    """A full run of the runner, with its peak memory."""
    with PeakMemory() as memory:
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the readers' notes on the official files
            result = run_batch(territories, output_root=output, jobs=jobs, **QUIET, **options)
        seconds = time.perf_counter() - started
    return Run(result, seconds, memory.peak)


def rerun(territories, output: Path, jobs: int, **options) -> float:
    """Seconds of a no-change re-run (every report up to date in the cache)."""
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = run_batch(territories, output_root=output, jobs=jobs, **QUIET, **options)
    seconds = time.perf_counter() - started
    stale = [r["territory"] for r in again.records if r["status"] not in ("cached", "rejected")]
    if stale:  # e.g. the library changed during the run
        print(f"  warning: {len(stale)} territories were not up to date on the re-run")
    return seconds


def empty_notebook(path: Path) -> Path:
    """The diagnostic's parameters cell alone: what the runner costs without the report."""
    diagnostic = nbformat.read(str(DIAGNOSTIC_NOTEBOOK), as_version=4)
    nb = nbformat.v4.new_notebook()
    nb.cells = [c for c in diagnostic.cells if "parameters" in c.metadata.get("tags", [])]
    nb.metadata["kernelspec"] = diagnostic.metadata["kernelspec"]
    nbformat.write(nb, path)
    return path


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


def report(title: str, measured: Run, floor: Run | None, rerun_seconds: float | None = None):
    """Print one run's figures, as ratios to the floor where there is one."""
    print(f"\n{title}")
    if measured.failed:
        print(f"  FAILED territories:                         {measured.failed}")
    print(f"  wall time:                                  {measured.seconds:7.1f} s")
    print(f"  wall time per territory:                    {measured.per_territory:7.2f} s")
    if floor is not None:
        print(
            f"    / floor (empty notebook, same runner):    "
            f"{measured.per_territory / floor.per_territory:7.2f}"
        )
    print(f"  one territory in its worker (median):       {measured.worker:7.2f} s")
    if floor is not None:
        print(
            f"    / floor:                                  {measured.worker / floor.worker:7.2f}"
        )
    if rerun_seconds is not None:
        print(f"  no-change re-run:                           {rerun_seconds:7.2f} s")
        print(
            f"  no-change re-run / full run:                "
            f"{100 * rerun_seconds / measured.seconds:7.2f} %"
        )
    print(f"  peak memory (process tree):                 {measured.peak / 2**30:7.2f} GB")
    print(f"  average report (diagnostic.html):           {measured.page / 2**10:7.0f} KB")
    print(
        f"  edition on disk:                            {measured.disk / 2**20:7.1f} MB "
        f"(cube {measured.cube / 2**20:.1f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--naive",
        "--territories",
        dest="naive",
        type=int,
        default=40,
        help="demo territories of the comparison with the naive loop (40)",
    )
    parser.add_argument(
        "--floor", type=int, default=40, help="demo territories of the empty-notebook floor (40)"
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--demo-zones",
        "--large-zones",
        dest="demo_zones",
        type=int,
        default=300,
        help="zones of the demo batch, every zone and group rendered (300: 302 territories; "
        "0: skip it)",
    )
    parser.add_argument("--skip-national", action="store_true", help="leave the real data out")
    parser.add_argument(
        "--raw",
        type=Path,
        default=None,
        help=f"official files of the national edition (default {SHARED_REAL} when present, "
        "else data/raw)",
    )
    args = parser.parse_args()
    print(f"machine: {psutil.cpu_count()} cores; runner --jobs {args.jobs}")
    print("(a shared machine makes seconds noisy: compare the ratios, measured in this run)")
    zones = max(30, args.naive, args.floor)
    ids = datasets.build("demo", demo_zones=zones).referentiel.ids
    territories = ids[: args.naive]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        floor = run(
            ids[: args.floor],
            work / "floor",
            args.jobs,
            demo_zones=zones,
            notebook=empty_notebook(work / "empty.ipynb"),
        )
        print(
            f"\nfloor: the runner on an empty parameterized notebook, {floor.count} territories: "
            f"{floor.per_territory:.2f} s per territory (wall), {floor.worker:.2f} s in its "
            f"worker"
        )

        (work / "naive").mkdir()
        base = naive(territories, work / "naive", zones)
        compared = run(territories, work / "runner", args.jobs, demo_zones=zones)
        again = rerun(territories, work / "runner", args.jobs, demo_zones=zones)
        report(f"{len(territories)} demo territories", compared, floor, again)
        print(f"  naive loop (papermill CLI + nbconvert CLI): {base:7.1f} s")
        print(f"  speed-up of the runner over the naive loop: {base / compared.seconds:7.2f}x")
        print(
            f"  naive per territory / floor:                "
            f"{base / len(territories) / floor.per_territory:7.2f}"
        )

        if args.demo_zones:
            options = {"all_territories": True, "demo_zones": args.demo_zones}
            large = run(None, work / "large", args.jobs, **options)
            again = rerun(None, work / "large", args.jobs, **options)
            report(
                f"demo batch: {large.count} territories ({args.demo_zones} synthetic zones + "
                f"groups), --all",
                large,
                floor,
                again,
            )

        if args.skip_national:
            return
        from bassin_lib.inputs.fetch import RAW_DIR

        raw = args.raw or (SHARED_REAL if SHARED_REAL.is_dir() else RAW_DIR)
        if not Path(raw).is_dir() or not any(Path(raw).iterdir()):
            print(f"\nnational edition: skipped, no official files in {raw} (--raw DIR)")
            return
        national = run(
            None,
            work / "national",
            args.jobs,
            all_territories=True,
            data_source="real",
            raw_dir=raw,
        )
        report(
            f"national edition, real data ({raw}): {national.count} territories, --all",
            national,
            floor,
        )


if __name__ == "__main__":
    main()
