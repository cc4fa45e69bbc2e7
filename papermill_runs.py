#!/usr/bin/env python3
"""Render territorial employment diagnostics with papermill, one notebook run per territory.

Examples
--------
Every zone and group of the embedded demo data, two processes::

    python papermill_runs.py --all --jobs 2

Two territories (zone codes are strings; pass them as they are written, "0051" stays "0051")::

    python papermill_runs.py DA01 pole-fictif-alpha
"""

from __future__ import annotations

import argparse
import sys

from bassin_lib.errors import BassinError


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="papermill_runs.py",
        description=(
            "Render one HTML diagnostic per territory (zone d'emploi or group of zones) by "
            "executing notebooks/diagnostic.ipynb with papermill, then write "
            "outputs/<edition>/index.html and ledger.csv. Exit code: 0 when every territory "
            "rendered, 1 when any failed or was unknown, 2 on a usage error."
        ),
    )
    parser.add_argument(
        "territories",
        nargs="*",
        metavar="TERRITORY",
        help="zone codes (e.g. DA01, 2705, 0051) or group ids "
        "(e.g. pole-fictif-alpha); kept as strings",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        dest="all_territories",
        help="render every zone and every group of the data source",
    )
    parser.add_argument(
        "--data",
        default="demo",
        choices=["demo"],
        dest="data_source",
        help="data source: 'demo' = embedded synthetic data (default)",
    )
    parser.add_argument(
        "--edition",
        default="demo",
        help="name of the edition, i.e. of the folder outputs/<edition> (default: demo)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=2,
        help="number of territories rendered in parallel (default: 2)",
    )
    parser.add_argument(
        "--output",
        default=None,
        metavar="DIR",
        help="root folder of the editions (default: the project's outputs/)",
    )
    parser.add_argument(
        "--demo-zones",
        type=int,
        default=30,
        metavar="N",
        help="number of synthetic zones in the demo data (default: 30)",
    )
    parser.add_argument(
        "--groups",
        default=None,
        metavar="FILE",
        help="YAML file of groups of zones (default: data/groups-demo.yaml for the demo)",
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=600,
        metavar="SECONDS",
        help="time allowed to each notebook cell (default: 600)",
    )
    parser.add_argument("--no-progress", action="store_true", help="do not draw the progress bar")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from bassin_lib.batch import run_batch
    from bassin_lib.paths import OUTPUT_DIR

    try:
        result = run_batch(
            args.territories,
            all_territories=args.all_territories,
            data_source=args.data_source,
            edition=args.edition,
            jobs=args.jobs,
            output_root=args.output or OUTPUT_DIR,
            demo_zones=args.demo_zones,
            groups_file=args.groups,
            timeout=args.timeout,
            progress=not args.no_progress,
            log=lambda line: print(line, file=sys.stderr),
        )
    except BassinError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    print(f"Index : {result.index}")
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
