#!/usr/bin/env python3
"""Batch timing: the project's runner against the naive loop (papermill CLI then nbconvert CLI,
territory after territory), measured in the same process run on the same demo territories.

Usage: .venv/bin/python benchmarks/batch.py [--territories N] [--jobs J]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bassin_lib import datasets  # noqa: E402
from bassin_lib.batch import run_batch  # noqa: E402
from bassin_lib.paths import DIAGNOSTIC_NOTEBOOK  # noqa: E402


def naive(territories: list[str], work: Path) -> float:
    """What a user would write: papermill CLI then nbconvert CLI, one territory at a time."""
    bin_dir = Path(sys.executable).parent
    started = time.perf_counter()
    cube_dir = work / "cube"
    datasets.build("demo").save(cube_dir)
    for territory in territories:
        out = work / f"{territory}.ipynb"
        subprocess.run(
            [
                str(bin_dir / "papermill"),
                str(DIAGNOSTIC_NOTEBOOK),
                str(out),
                "-r",
                "territory",
                territory,
                "-p",
                "cube_dir",
                str(cube_dir),
                "--no-progress-bar",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(bin_dir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--territories", type=int, default=6)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    territories = datasets.build("demo").referentiel.ids[: args.territories]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base = naive(territories, work / "naive")
        started = time.perf_counter()
        run_batch(
            territories,
            output_root=work / "runner",
            jobs=args.jobs,
            progress=False,
            log=lambda _line: None,
        )
        ours = time.perf_counter() - started
    print(f"territories: {len(territories)}")
    print(f"naive loop (papermill CLI + nbconvert CLI): {base:.1f} s")
    print(f"bassin_lib runner (--jobs {args.jobs}): {ours:.1f} s")
    print(f"speed-up: {base / ours:.2f}x")


if __name__ == "__main__":
    main()
