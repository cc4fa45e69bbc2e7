"""Batch runner: validate territories, build the cube once, run the diagnostic notebook per
territory in parallel processes through papermill's Python API, export HTML, write the ledger
and the index page.

Layout of an edition::

    outputs/<edition>/index.html            links to every report, status of every run
    outputs/<edition>/ledger.csv            territory, label, status, seconds, error, report
    outputs/<edition>/<territory>/diagnostic.html (+ diagnostic.ipynb, indicators.json)
    outputs/<edition>/_cube/                the cube every notebook of the batch reads

One failing territory never stops the others; unknown territories are reported with close
matches and rendered by nobody.
"""

from __future__ import annotations

import csv
import hashlib
import json
import multiprocessing
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from bassin_lib import datasets, report
from bassin_lib.errors import ParameterError
from bassin_lib.paths import DIAGNOSTIC_NOTEBOOK, OUTPUT_DIR, PACKAGE_DIR

LEDGER_COLUMNS = ["territory", "label", "status", "failure", "cell", "seconds", "error", "report"]
FAILURES = {
    "cell_error": "erreur dans une cellule",
    "timeout": "délai dépassé",
    "dead_kernel": "noyau arrêté",
    "runner": "erreur du lanceur",
}
CACHE_FILE = ".cache-key"
SUCCESS = ("ok", "cached")


def _digest(paths, root: Path) -> str:
    """sha256 over files (their path relative to ``root`` and their bytes), in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def library_digest() -> str:
    """Content of the library: every module and template of ``bassin_lib``."""
    files = [
        p
        for p in PACKAGE_DIR.rglob("*")
        if p.is_file()
        and p.suffix in {".py", ".j2", ".html", ".json"}
        and "__pycache__" not in p.parts
    ]
    return _digest(files, PACKAGE_DIR)


def cache_key(notebook: str | Path, library: str, data: str, parameters: dict) -> str:
    """Content address of one report: notebook, library code, input data and parameters.

    A territory is rendered again only when this key changes (or with ``force``).
    """
    notebook = Path(notebook)
    payload = json.dumps(
        {
            "notebook": _digest([notebook], notebook.parent),
            "library": library,
            "data": data,
            "parameters": parameters,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _previous_ledger(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["territory"]: row for row in csv.DictReader(handle)}


@dataclass
class BatchResult:
    """What a batch did: one ledger record per requested territory, and where things are."""

    records: list[dict]
    edition_dir: Path
    index: Path
    ledger: Path
    failures: list[dict] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every requested territory rendered (or was up to date), 1 otherwise."""
        return 1 if self.failures else 0


def _classify(exc: BaseException) -> dict:
    """Ledger fields for a failed run: kind of failure, failing cell, one-line message.

    ``cell_error``: a cell raised (papermill gives its index); ``timeout``: a cell ran past the
    time allowed; ``dead_kernel``: the kernel died (killed, out of memory); ``runner``: anything
    else (the notebook could not be read or the report written).
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, PapermillExecutionError):
        kind, text = "cell_error", f"{exc.ename}: {exc.evalue}"
        cell = exc.cell_index
    elif isinstance(exc, CellTimeoutError | TimeoutError):
        kind, cell = "timeout", ""
    elif isinstance(exc, DeadKernelError):
        kind, cell = "dead_kernel", ""
    else:
        kind, cell = "runner", ""
    first_line = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return {"status": "failed", "failure": kind, "cell": cell, "error": first_line[:500]}


def _render_one(task: dict) -> dict:
    """Run the notebook for one territory (in a worker process) and export its HTML."""
    import papermill as pm

    started = time.perf_counter()
    edition_dir = Path(task["edition_dir"])
    final_dir = edition_dir / task["territory"]
    # Work next to the final folder (same file system), publish with renames: an interrupted
    # run leaves at most a hidden work folder, never half a report.
    scratch = edition_dir / ".work"
    scratch.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{task['territory']}-", dir=scratch))
    executed = work / "diagnostic.ipynb"
    record = {
        "territory": task["territory"],
        "label": task["label"],
        "status": "ok",
        "seconds": None,
        "error": "",
        "report": "",
        "failure": "",
        "cell": "",
    }
    try:
        try:
            pm.execute_notebook(
                str(task["notebook"]),
                str(executed),
                parameters={
                    "territory": task["territory"],
                    "edition": task["edition"],
                    "data_source": task["data_source"],
                    "output_dir": str(work),
                    "cube_dir": task["cube_dir"],
                },
                kernel_name="python3",
                progress_bar=False,
                cwd=str(work),
                execution_timeout=task["timeout"],
                # the kernel's own log (e.g. its TCP transport notice) would flood the console;
                # cell errors still reach the ledger through papermill
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
            )
            html = report.notebook_to_html(executed, f"Diagnostic emploi : {task['label']}")
            (work / "diagnostic.html").write_text(html, encoding="utf-8")
            (work / CACHE_FILE).write_text(task["cache_key"], encoding="utf-8")
            record["report"] = f"{task['territory']}/diagnostic.html"
        except Exception as exc:  # recorded in the ledger; the batch goes on
            record.update(_classify(exc))
        old = None
        if final_dir.exists():
            old = final_dir.rename(work.with_name(work.name + ".old"))
        work.rename(final_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    record["seconds"] = round(time.perf_counter() - started, 2)
    return record


def run_batch(
    territories: list[str] | None = None,
    *,
    all_territories: bool = False,
    data_source: str = "demo",
    edition: str = "demo",
    jobs: int = 2,
    output_root: str | Path = OUTPUT_DIR,
    demo_zones: int = 30,
    groups_file: str | Path | None = None,
    raw_dir: str | Path | None = None,
    timeout: int = 600,
    notebook: str | Path = DIAGNOSTIC_NOTEBOOK,
    progress: bool = True,
    force: bool = False,
    rerun_failed: bool = False,
    log=print,
) -> BatchResult:
    """Render diagnostics for territories (or all of them) and write ledger and index.

    Parameters
    ----------
    territories : list of str, optional
        Zone codes (strings) and group ids; ignored ids are reported, never guessed.
    all_territories : bool
        Render every zone and every group of the data source.
    data_source : {"demo", "real"}
    raw_dir : path, optional
        Folder of the official files for ``data_source="real"`` (default ``data/raw``).
    edition : str
        Name of the output folder ``outputs/<edition>``.
    jobs : int
        Parallel processes (each runs one kernel at a time).
    timeout : int
        Seconds allowed to each notebook cell.
    force : bool
        Render even the territories whose report is up to date.
    rerun_failed : bool
        Render only the territories that failed in the edition's previous ledger.
    log : callable
        Receives one French/English line per event (unknown territory, failure, summary).

    Notes
    -----
    Content-addressed cache: each report folder keeps the key of what produced it (notebook,
    library code, input data of the cube, parameters: :func:`cache_key`); a territory whose key
    is unchanged is not run again and is recorded as ``cached``. The ledger and the index keep
    the territories of earlier runs of the edition that this run did not touch.

    Returns
    -------
    BatchResult
    """
    if jobs < 1:
        raise ParameterError(f"--jobs {jobs}: at least 1")
    if not territories and not all_territories and not rerun_failed:
        raise ParameterError("name at least one territory, or ask for all of them (--all)")
    edition_dir = Path(output_root) / edition
    previous = _previous_ledger(edition_dir / "ledger.csv")
    cube = datasets.build(
        data_source, groups_file=groups_file, demo_zones=demo_zones, raw_dir=raw_dir
    )
    referentiel = cube.referentiel
    if rerun_failed:
        requested = [t for t, row in previous.items() if row["status"] == "failed"]
        log(f"à relancer (échecs précédents) : {', '.join(requested) or 'aucun'}")
    else:
        requested = referentiel.ids if all_territories else list(territories)
    valid, errors = referentiel.validate(requested)

    records: list[dict] = []
    for error in errors:
        log(f"refusé : {error}")
        records.append(
            {
                "territory": str(getattr(error, "territory", "")) or str(error),
                "label": "territoire inconnu",
                "status": "rejected",
                "failure": "unknown_territory",
                "cell": "",
                "seconds": None,
                "error": str(error),
                "report": "",
            }
        )

    cube_dir = edition_dir / "_cube"
    if valid:
        cube.save(cube_dir)
        data_key = _digest([p for p in cube_dir.iterdir() if p.is_file()], cube_dir)
        code_key = library_digest()
    tasks = [
        {
            "territory": t.id,
            "label": t.label,
            "edition": edition,
            "data_source": data_source,
            "edition_dir": str(edition_dir),
            "cube_dir": str(cube_dir),
            "timeout": timeout,
            "notebook": str(notebook),
        }
        for t in valid
    ]
    cached = []
    for task in tasks:
        parameters = {k: task[k] for k in ("territory", "edition", "data_source", "timeout")}
        task["cache_key"] = cache_key(notebook, code_key, data_key, parameters)
        folder = edition_dir / task["territory"]
        key_file = folder / CACHE_FILE
        if (
            not force
            and key_file.exists()
            and (folder / "diagnostic.html").exists()
            and key_file.read_text(encoding="utf-8") == task["cache_key"]
        ):
            cached.append(task)
    for task in cached:
        records.append(
            {
                "territory": task["territory"],
                "label": task["label"],
                "status": "cached",
                "seconds": 0.0,
                "error": "",
                "report": f"{task['territory']}/diagnostic.html",
            }
        )
    if cached:
        log(f"{len(cached)} diagnostic(s) à jour, non relancé(s) (--force pour tout refaire)")
    tasks = [task for task in tasks if task not in cached]
    done: dict[str, dict] = {}
    if tasks:
        from tqdm.auto import tqdm

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context) as pool:
            futures = {pool.submit(_render_one, task): task for task in tasks}
            bar = tqdm(
                total=len(tasks), desc="Diagnostics", unit="territoire", disable=not progress
            )
            for future in as_completed(futures):
                task = futures[future]
                try:
                    record = future.result()
                except Exception as exc:  # a worker died: record it, keep going
                    record = {
                        "territory": task["territory"],
                        "label": task["label"],
                        "seconds": None,
                        "report": "",
                        **_classify(exc),
                    }
                done[record["territory"]] = record
                if record["status"] != "ok":
                    bar.write(f"échec : {record['territory']} : {record['error']}")
                bar.update(1)
            bar.close()
    records += [done[t["territory"]] for t in tasks]
    this_run = {r["territory"] for r in records}
    kept = [
        {**row, "seconds": float(row["seconds"]) if row.get("seconds") else None}
        for tid, row in previous.items()
        if tid not in this_run
        and row["status"] in SUCCESS
        and (edition_dir / tid / "diagnostic.html").exists()
    ]
    try:
        (edition_dir / ".work").rmdir()  # left only when empty; a killed run's leftovers stay
    except OSError:
        pass

    failures = [r for r in records if r["status"] not in SUCCESS]
    records = records + kept
    headline = {}
    for record in records:
        path = edition_dir / record["territory"] / "indicators.json"
        if record["status"] in SUCCESS and path.exists():
            headline[record["territory"]] = json.loads(path.read_text(encoding="utf-8"))
    ledger = _write_ledger(records, edition_dir / "ledger.csv")
    index = report.write_atomic(
        edition_dir / "index.html",
        report.render_index(records, edition, cube.meta.get("notice"), headline),
    )
    rendered = sum(r["status"] == "ok" for r in records[: len(records) - len(kept)])
    log(
        f"{rendered} diagnostic(s) rendu(s), {len(cached)} à jour, {len(failures)} échec(s) ou "
        f"refus ; index : {index}"
    )
    return BatchResult(
        records=records, edition_dir=edition_dir, index=index, ledger=ledger, failures=failures
    )


def _write_ledger(records: list[dict], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=LEDGER_COLUMNS)
        writer.writeheader()
        for record in records:
            writer.writerow(
                {k: ("" if record.get(k) is None else record.get(k)) for k in LEDGER_COLUMNS}
            )
    tmp.replace(path)
    return path
