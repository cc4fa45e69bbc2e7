#!/usr/bin/env python3
"""Render territorial employment diagnostics with papermill, one notebook run per territory.

Examples
--------
Every zone and group of the embedded demo data, two processes::

    python papermill_runs.py --all --jobs 2

Two territories (zone codes are strings; pass them as they are written, "0051" stays "0051")::

    python papermill_runs.py DA01 pole-fictif-alpha

Download the official files into data/raw (or import them from a folder, offline)::

    python papermill_runs.py fetch
    python papermill_runs.py fetch --from /media/usb/bassin-data
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
        epilog=(
            "Official files: 'papermill_runs.py fetch --help' downloads them into data/raw "
            "with a manifest (or imports them from a local folder)."
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
        choices=["demo", "real"],
        dest="data_source",
        help="data source: 'demo' = embedded synthetic data (default); 'real' = the official "
        "files (see 'fetch' and --raw)",
    )
    parser.add_argument(
        "--raw",
        default=None,
        metavar="DIR",
        help="folder holding the official files for --data real (default: data/raw, filled "
        "by 'papermill_runs.py fetch'); any folder below which they are found will do",
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
        default=900,
        metavar="SECONDS",
        help="time allowed to each territory's notebook, all cells together (default: 900)",
    )
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        dest="parameters",
        help="another notebook parameter, e.g. -p crisis_start 2019Q4 (repeatable); checked "
        "against the notebook's parameters cell before anything runs, text stays text",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on a Dask distributed cluster (e.g. tcp://10.0.0.5:8786) instead of local "
        "processes; workers must see the project and outputs/ at the same paths",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="start a new kernel for every notebook (plain papermill) instead of reusing warm "
        "kernels; slower, same reports",
    )
    parser.add_argument(
        "--notebook",
        default=None,
        metavar="FILE",
        help="parameterized notebook to run (default: notebooks/diagnostic.ipynb); its "
        "parameters cell must declare territory, edition, data_source, output_dir, cube_dir",
    )
    parser.add_argument("--no-progress", action="store_true", help="do not draw the progress bar")
    parser.add_argument(
        "--force",
        action="store_true",
        help="render every territory again, even those whose report is up to date (by default "
        "a territory is rendered again only when its notebook, the library code, its "
        "parameters or its input data changed)",
    )
    parser.add_argument(
        "--rerun-failed",
        action="store_true",
        help="render only the territories that failed in the previous run of the edition",
    )
    return parser.parse_args(argv)


def parse_fetch_args(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="papermill_runs.py fetch",
        description=(
            "Download the official files into data/raw/<source>/<vintage>/ and record them in "
            "data/raw/manifest.json (URL, size, sha256, retrieval date, vintage, licence). "
            "Partial downloads resume; a file whose checksum changed is refused unless "
            "--update; http_proxy/https_proxy are honoured."
        ),
    )
    parser.add_argument(
        "--source",
        action="append",
        metavar="NAME",
        help="only this dataset (repeatable); default: all",
    )
    parser.add_argument(
        "--from",
        dest="from_dir",
        metavar="DIR",
        help="import the files from this folder instead of the network",
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="accept files whose checksum differs from the known one",
    )
    parser.add_argument("--raw", metavar="DIR", help="raw data folder (default: data/raw)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="network timeout (default: 60)",
    )
    parser.add_argument("--list", action="store_true", help="list the datasets and exit")
    return parser.parse_args(argv)


def fetch_main(argv) -> int:
    args = parse_fetch_args(argv)
    from bassin_lib.inputs.fetch import RAW_DIR, fetch
    from bassin_lib.inputs.sources import catalogue

    sources = catalogue()
    if args.list:
        for source in sources:
            print(f"{source.name}\t{source.vintage}\t{source.publisher}\t{source.page}")
        return 0
    names = sorted({source.name for source in sources})
    unknown = sorted(set(args.source or []) - set(names))
    if unknown:
        print(f"erreur : unknown dataset(s) {unknown}; known: {names}", file=sys.stderr)
        return 2
    chosen = [s for s in sources if not args.source or s.name in args.source]
    try:
        results = fetch(
            chosen,
            args.raw or RAW_DIR,
            update=args.update,
            from_dir=args.from_dir,
            timeout=args.timeout,
            log=lambda line: print(line, file=sys.stderr),
        )
    except BassinError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 1
    for result in results:
        print(f"{result.status}\t{result.source}\t{result.path}")
    return 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["fetch"]:
        return fetch_main(argv[1:])
    args = parse_args(argv)
    from bassin_lib.paths import OUTPUT_DIR
    from bassin_lib.running.batch import run_batch

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
            raw_dir=args.raw,
            timeout=args.timeout,
            progress=not args.no_progress,
            force=args.force,
            rerun_failed=args.rerun_failed,
            parameters=dict(args.parameters),
            **({"notebook": args.notebook} if args.notebook else {}),
            scheduler=args.scheduler,
            warm=not args.cold,
            log=lambda line: print(line, file=sys.stderr),
        )
    except BassinError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "interrompu : les diagnostics terminés sont publiés ; relancer la même commande "
            "reprend là où elle s'est arrêtée",
            file=sys.stderr,
        )
        return 130
    print(f"Index : {result.index}")
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
