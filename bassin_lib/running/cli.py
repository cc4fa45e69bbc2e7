"""The command line (``papermill_runs.py``, console script ``bassin``): ``render`` and ``fetch``."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from bassin_lib.errors import (
    EXIT_INTERRUPTED,
    EXIT_MACHINE,
    EXIT_OK,
    BassinError,
    ParameterError,
)

COMMANDS = ("render", "fetch")
DEFAULT_COMMAND = "render"
EXIT_CODES = """\
exit codes:
  0    every territory rendered (or was up to date); fetch: every file is in place
  1    some territory failed or was refused (see ledger.csv), or another run of the
       edition is in progress
  2    usage error: bad argument, unknown notebook parameter, bad --edition
  3    data error: an official file missing or malformed (fetch: a file that could not be
       downloaded or accepted; with --from, the zoning missing)
  4    a fault of the machine: no space left, permission denied, read-only folder,
       unreachable Dask scheduler; one line names the folder, e.g.
       "bassin_lib: cannot write to outputs/demo: No space left on device"
  130  interrupted (Ctrl-C): finished reports are published; the same command resumes
"""


def _prog() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return name if name in ("papermill_runs.py", "bassin") else "papermill_runs.py"


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=90)


def _edition(value: str) -> str:
    from bassin_lib.running.parameters import check_edition

    try:
        return check_edition(value)
    except ParameterError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_render(commands, prog: str) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "render",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="render diagnostics (the default command: 'render' may be left out)",
        description=_wrap(
            "Render one HTML diagnostic per territory (zone d'emploi or group of zones) by "
            "executing notebooks/diagnostic.ipynb with papermill, then write "
            "outputs/<edition>/index.html and ledger.csv. 'render' is the default command and "
            f"may be left out: '{prog} DA01' is '{prog} render DA01'."
        ),
        epilog=(
            f"{EXIT_CODES}\n"
            "commands:\n"
            "  render  (default) this one\n"
            "  fetch   download the official files into data/raw with a manifest (or import\n"
            f"          them from a folder): '{prog} fetch --help'\n\n"
            "A territory named like a command is rendered with the command spelled out:\n"
            f"  {prog} render fetch"
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
        help=f"folder holding the official files for --data real (default: data/raw, filled "
        f"by '{prog} fetch'); any folder below which they are found will do",
    )
    parser.add_argument(
        "--edition",
        default="demo",
        type=_edition,
        help="name of the edition, i.e. of the folder outputs/<edition>: a plain folder name, "
        "not a path (default: demo)",
    )
    parser.add_argument(
        "--compare-to",
        default=None,
        metavar="EDITION",
        dest="compare_to",
        help="compare with this edition (a folder of the output root): each report gets a block "
        "'Ce qui a changé depuis l'édition EDITION' (periods added, headline figures then and "
        "now, revisions, qualifiers changed) and the index a column and a page changes.html. "
        "Default: the previous edition of the same data source in the output root, when there "
        "is one; 'none': no comparison",
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
        "against the notebook's parameters cell before anything runs, text stays text, a "
        "quarter is written 2019Q4 or 2019-T4",
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
    parser.add_argument(
        "--notebooks",
        default="light",
        choices=["light", "full", "none"],
        help="what each report folder keeps of its executed notebook: 'light' (default) its "
        "outputs without image data, the page holding the only copy of each image; 'full' "
        "everything, images included; 'none' no notebook. A failed run keeps its whole "
        "notebook. Changing it renders the reports again",
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
    parser.set_defaults(run=_render)
    return parser


def _add_fetch(commands) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "fetch",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="download the official files into data/raw (or import them from a folder)",
        description=_wrap(
            "Download the official files into data/raw/<source>/<vintage>/ and record them in "
            "data/raw/manifest.json (URL, size, sha256, retrieval date, vintage, licence). "
            "Each dataset's declared vintage is taken, or, for the INSEE unemployment rates, the "
            "newest file linked from the publisher's page; --vintage takes another one (see "
            "--list). Each vintage's checksum is kept in the manifest: a new vintage is "
            "recorded, a known one whose checksum changed is refused unless --update. Partial "
            "downloads resume; redirects are followed; http_proxy/https_proxy are honoured. "
            "With --from DIR, every dataset found below DIR is imported and the others are "
            "listed; only a missing zoning is an error."
        ),
        epilog=EXIT_CODES,
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
        help="import the files found below this folder instead of the network (the datasets "
        "not found are listed; exit code 3 only when the zoning is missing)",
    )
    parser.add_argument(
        "--vintage",
        metavar="V",
        help="take this vintage (2026, 2025T4...: see --list; any vintage a dataset's naming "
        "rule covers; 'latest': the newest file linked from its page) of the --source datasets, "
        "or of every dataset that knows it",
    )
    parser.add_argument(
        "--url",
        metavar="URL",
        help="download the file of the one --source dataset from this address (a vintage "
        "whose address no public evidence confirms)",
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
    parser.add_argument(
        "--list", action="store_true", help="list the datasets, their vintages and licences"
    )
    parser.set_defaults(run=_fetch)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The parser of the command line, with its subcommands ``render`` and ``fetch``.

    Returns
    -------
    argparse.ArgumentParser
        Its ``commands`` attribute maps each command name to its own parser.
    """
    prog = _prog()
    parser = argparse.ArgumentParser(
        prog=prog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Territorial employment diagnostics rendered with papermill.",
        epilog=EXIT_CODES,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parser.commands = {"render": _add_render(commands, prog), "fetch": _add_fetch(commands)}
    return parser


def _with_command(argv: list[str]) -> list[str]:
    """``argv`` with the default command ``render`` put in front when it names none."""
    return argv if argv[:1] and argv[0] in COMMANDS else [DEFAULT_COMMAND, *argv]


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line (``render`` when no command is named).

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    argparse.Namespace
        ``command`` and the options of that command.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args, extra = parser.parse_known_args(_with_command(argv))
    if extra:  # said by the command's parser, with the command's usage
        parser.commands[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _render(args: argparse.Namespace) -> int:
    from bassin_lib.paths import OUTPUT_DIR
    from bassin_lib.running.batch import run_batch

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
        notebooks=args.notebooks,
        compare_to=args.compare_to,
        log=_say,
    )
    print(f"index: {result.index}")
    return result.exit_code


def _fetch(args: argparse.Namespace) -> int:
    from bassin_lib.inputs.fetch import RAW_DIR, describe, fetch, knows
    from bassin_lib.inputs.sources import catalogue

    sources = catalogue()
    if args.list:
        print("\n".join(describe(sources)))
        return EXIT_OK
    names = sorted({source.name for source in sources})
    unknown = sorted(set(args.source or []) - set(names))
    if unknown:
        raise ParameterError(f"unknown dataset(s) {unknown}; known: {names}")
    if args.url and len(set(args.source or [])) != 1:
        raise ParameterError("--url needs exactly one --source NAME (the dataset of the file)")
    chosen = [s for s in sources if not args.source or s.name in args.source]
    if args.vintage and not args.source:
        chosen = [s for s in chosen if knows(s, args.vintage)]
        if not chosen:
            raise ParameterError(f"no dataset knows the vintage {args.vintage!r} (see --list)")
    results = fetch(
        chosen,
        args.raw or RAW_DIR,
        update=args.update,
        from_dir=args.from_dir,
        vintage=args.vintage,
        url=args.url,
        timeout=args.timeout,
        log=_say,
    )
    for result in results:
        print(f"{result.status}\t{result.source}\t{result.vintage}\t{result.path}")
    absent = sorted({f"{r.source} ({r.name})" for r in results if r.status == "absent"})
    if absent:
        _say(f"not found under {args.from_dir}, not imported: {', '.join(absent)}")
    return EXIT_OK


def _say(line: str) -> None:
    print(line, file=sys.stderr)


def main(argv=None) -> int:
    """Run the command line; returns its exit code (documented in ``--help``).

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``). Without a command,
        ``render`` is meant: ``DA01 --edition essai`` is ``render DA01 --edition essai``.

    Returns
    -------
    int
        0 all rendered (or up to date); 1 some territory failed or was refused; 2 usage error;
        3 data error; 4 a fault of the machine; 130 interrupted. An error ends with one line on
        stderr (``bassin_lib: …``), without traceback.
    """
    try:
        args = parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2), already printed
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    try:
        return args.run(args)
    except BassinError as exc:
        _say(f"bassin_lib: {exc}")
        return exc.exit_code
    except OSError as exc:  # a fault of the machine outside the folders written on purpose
        where = f"{exc.filename}: " if exc.filename else ""
        _say(f"bassin_lib: {where}{exc.strerror or exc}")
        return EXIT_MACHINE
    except KeyboardInterrupt:
        _say(
            "bassin_lib: interrupted; finished work is kept (reports are published whole), and "
            "running the same command again resumes where it stopped"
        )
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
