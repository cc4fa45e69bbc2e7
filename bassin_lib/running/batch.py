"""Batch runner: validate territories and parameters, build the cube once, run the diagnostic
notebook per territory in parallel (local processes, or a Dask cluster) through papermill's
Python API with warm kernels, export HTML, write the ledger and the index page.

Layout of an edition::

    outputs/<edition>/index.html            links to every report, status of every run
    outputs/<edition>/ledger.csv            territory, label, status, seconds, error, report
    outputs/<edition>/<territory>/diagnostic.html (+ diagnostic.ipynb, indicators.json)
    outputs/<edition>/_cube/                the cube every notebook of the batch reads

One failing territory never stops the others; unknown territories are reported with close
matches and rendered by nobody. One run at a time per edition (a lock file); an interrupted run
(Ctrl-C, killed process) leaves finished reports published whole and nothing else, and the next
run resumes: finished territories are up to date in the cache, the others run.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import difflib
import fcntl
import hashlib
import json
import multiprocessing
import re
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import as_completed as local_completed
from dataclasses import dataclass, field
from pathlib import Path

from bassin_lib.errors import ParameterError
from bassin_lib.inputs import datasets
from bassin_lib.paths import DIAGNOSTIC_NOTEBOOK, OUTPUT_DIR, PACKAGE_DIR
from bassin_lib.rendering import blocks as report

LEDGER_COLUMNS = ["territory", "label", "status", "failure", "cell", "seconds", "error", "report"]
CACHE_FILE = ".cache-key"
LOCK_FILE = ".lock"
SUCCESS = ("ok", "cached")
RUNNER_PARAMETERS = ("territory", "edition", "data_source", "output_dir", "cube_dir")
SCHEDULER_TIMEOUT = 20  # seconds to reach a Dask scheduler
_QUARTER = re.compile(r"^\d{4}Q[1-4]$")


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


def cache_key(notebook: str, library: str, data: str, parameters: dict) -> str:
    """Content address of one report from the digests of the notebook, the library code
    (:func:`library_digest`) and the input data, and its parameters (including the digest of
    the territory's analysts' files).

    A territory is rendered again only when this key changes (or with ``force``).
    """
    payload = json.dumps(
        {
            "notebook": notebook,
            "library": library,
            "data": data,
            "parameters": parameters,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _analyses_digest(territory: str, parameters: dict) -> str | None:
    """Content of the territory's analysts' files (None without a folder): editing them
    renders the report again."""
    from bassin_lib.rendering.analysts import territory_folder

    folder = territory_folder(territory, parameters.get("analyses_dir", ""))
    if not folder.is_dir():
        return None
    return _digest([p for p in folder.rglob("*") if p.is_file()], folder)


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


def notebook_parameters(notebook: str | Path) -> dict[str, object]:
    """Parameters declared in the notebook's ``parameters`` cell, with their default values.

    Raises :class:`ParameterError` when the notebook has no such cell, or lacks a parameter the
    runner sets (``territory``, ``edition``, ``data_source``, ``output_dir``, ``cube_dir``).
    """
    import papermill as pm

    declared = pm.inspect_notebook(str(notebook))
    if not declared:
        raise ParameterError(f"{notebook}: no cell tagged 'parameters'")
    missing = [name for name in RUNNER_PARAMETERS if name not in declared]
    if missing:
        raise ParameterError(
            f"{notebook}: the parameters cell must declare {', '.join(missing)} (set by the runner)"
        )
    defaults = {}
    for name, info in declared.items():
        try:
            defaults[name] = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            defaults[name] = None  # an expression: any value is accepted, as given
    return defaults


def validate_parameters(notebook: str | Path, given: dict | None) -> dict:
    """Check user parameters against the notebook's parameters cell, before any kernel starts.

    - an unknown name is an error (with close matches), and so is a runner-owned one;
    - a value given as text (command line) takes the type of the default: text stays text
      (``"0051"`` is never 51), numbers and booleans are parsed, a list is read from
      comma-separated values; a value of another type is an error;
    - a parameter whose default is a quarter (``"2019Q4"``) must be a quarter.

    Returns the parameters with their values converted.
    """
    defaults = notebook_parameters(notebook)
    checked = {}
    for name, value in (given or {}).items():
        if name in RUNNER_PARAMETERS:
            raise ParameterError(
                f"parameter {name!r} is set by the runner (use the territories, --edition or "
                "--data instead)"
            )
        if name not in defaults:
            close = difflib.get_close_matches(name, list(defaults), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            accepted = ", ".join(n for n in defaults if n not in RUNNER_PARAMETERS)
            raise ParameterError(
                f"unknown parameter {name!r} for {Path(notebook).name}{hint} (accepted: {accepted})"
            )
        checked[name] = _convert(name, value, defaults[name])
    return checked


def _convert(name: str, value, default):
    def fail(expected: str):
        raise ParameterError(f"parameter {name!r}: {value!r} is not {expected}")

    if default is None:
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            fail("a text value")
        if _QUARTER.match(default) and not _QUARTER.match(value):
            fail("a quarter such as 2019Q4")
        return value
    if isinstance(default, list):
        items = (
            [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value
        )
        if not isinstance(items, list | tuple):
            fail("a list")
        if all(isinstance(d, str) and _QUARTER.match(d) for d in default):
            for item in items:
                if not isinstance(item, str) or not _QUARTER.match(item):
                    raise ParameterError(f"parameter {name!r}: {item!r} is not a quarter")
        return list(items)
    kind = type(default)
    if isinstance(value, str):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            fail(f"a {kind.__name__}")
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if type(value) is not kind:
        fail(f"a {kind.__name__}")
    return value


def _kernel_name(notebook: str | Path) -> str:
    """The kernel the notebook asks for (its ``kernelspec``), ``python3`` when it names none."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    return nb.metadata.get("kernelspec", {}).get("name") or "python3"


def _classify(exc: BaseException) -> dict:
    """Ledger fields for a failed run: kind of failure, failing cell, one-line message.

    ``cell_error``: a cell raised (papermill gives its index); ``timeout``: the territory ran
    past its time; ``dead_kernel``: the kernel died (killed, out of memory); ``kernel_start``:
    no kernel could be started, even on the retry; ``runner``: anything else (the notebook
    could not be read, the report not written, a cluster worker lost).
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from bassin_lib.running.engine import KernelStartError

    text = f"{type(exc).__name__}: {exc}"
    cell = ""
    if isinstance(exc, PapermillExecutionError):
        kind, text = "cell_error", f"{exc.ename}: {exc.evalue}"
        cell = exc.cell_index
    elif isinstance(exc, CellTimeoutError | TimeoutError):
        kind = "timeout"
    elif isinstance(exc, DeadKernelError):
        kind = "dead_kernel"
    elif isinstance(exc, KernelStartError):
        kind = "kernel_start"
    else:
        kind = "runner"
    first_line = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return {"status": "failed", "failure": kind, "cell": cell, "error": first_line[:500]}


def _execute(task: dict, executed: Path, work: Path) -> None:
    """papermill run of one territory's notebook, warm (default) or plain, within its time.

    The time allowed (``task["timeout"]``) is for all the notebook's cells together: each cell
    gets what is left. On any failure the warm kernel is discarded. A plain run whose kernel
    failed to start (a runtime error or time-out before any cell ran) is retried once, as the
    warm pool does.
    """
    import papermill as pm

    from bassin_lib.running import engine

    deadline = []  # set when the first cell starts: starting the kernel is not counted

    def time_left(_cell):
        if not deadline:
            deadline.append(time.monotonic() + task["timeout"])
        return max(1, int(deadline[0] - time.monotonic() + 0.999))

    options = dict(
        parameters={
            **task["parameters"],
            "territory": task["territory"],
            "edition": task["edition"],
            "data_source": task["data_source"],
            "output_dir": str(work),
            "cube_dir": task["cube_dir"],
        },
        kernel_name=task["kernel_name"],
        progress_bar=False,
        cwd=str(work),
        timeout_func=time_left,
        # the kernel's own log (e.g. its TCP transport notice) would flood the console;
        # cell errors still reach the ledger through papermill
        extra_arguments=list(engine.KERNEL_ARGUMENTS),
    )
    if not task["warm"]:
        for attempt in range(engine.START_ATTEMPTS):
            try:
                pm.execute_notebook(str(task["notebook"]), str(executed), **options)
                return
            except (RuntimeError, TimeoutError) as exc:
                started = executed.exists() and any(
                    c.get("metadata", {}).get("papermill", {}).get("start_time")
                    for c in json.loads(executed.read_text(encoding="utf-8"))["cells"]
                )
                if started:
                    raise
                if attempt + 1 == engine.START_ATTEMPTS:
                    raise engine.KernelStartError(f"kernel did not start: {exc}") from exc
    kernel = engine.POOL.take(task["kernel_name"], str(work))
    try:
        pm.execute_notebook(
            str(task["notebook"]),
            str(executed),
            engine_name=engine.ENGINE_NAME,
            kernel=kernel,
            **options,
        )
    except BaseException:
        engine.POOL.discard()
        raise


def _render_one(task: dict) -> dict:
    """Run the notebook for one territory (in a worker) and export its HTML."""
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
            _execute(task, executed, work)
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


def _shutdown_kernels() -> None:
    from bassin_lib.running import engine

    engine.POOL.shutdown()


def _worker_init() -> None:
    """Local worker process: shut its warm kernels down when the pool stops it."""
    from multiprocessing import util

    util.Finalize(None, _shutdown_kernels, exitpriority=10)


def _run_local(tasks: list[dict], jobs: int):
    """Yield ``(task, record or exception)`` as territories finish, on local processes."""
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(tasks)), mp_context=context, initializer=_worker_init
    )
    try:
        futures = {pool.submit(_render_one, task): task for task in tasks}
        for future in local_completed(futures):
            try:
                yield futures[future], future.result()
            except Exception as exc:  # a worker died
                yield futures[future], exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_dask(tasks: list[dict], scheduler: str):
    """Yield ``(task, record or exception)`` as territories finish, on a Dask cluster.

    Every worker must see the project, the output folder and the cube at the same paths (one
    machine, or a shared file system). Each worker thread keeps its own warm kernel, shut down
    at the end of the batch.
    """
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as exc:  # pragma: no cover - distributed is a dependency
        raise ParameterError(f"--scheduler needs dask.distributed: {exc}") from exc
    try:
        client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
    except OSError as exc:
        raise ParameterError(f"no Dask scheduler at {scheduler}: {exc}") from exc
    try:
        futures = client.map(_render_one, tasks, pure=False)
        by_key = {future.key: task for future, task in zip(futures, tasks, strict=True)}
        for future in dask_completed(futures):
            try:
                yield by_key[future.key], future.result()
            except Exception as exc:  # the task raised, or its worker was lost
                yield by_key[future.key], exc
    finally:
        with contextlib.suppress(Exception):
            client.run(_shutdown_kernels)
        client.close()


@contextlib.contextmanager
def _edition_lock(edition_dir: Path):
    """One run at a time per edition; clears what a killed run left in ``.work``."""
    edition_dir.mkdir(parents=True, exist_ok=True)
    handle = (edition_dir / LOCK_FILE).open("w")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ParameterError(
                f"another run of the edition is in progress ({edition_dir}); wait for it"
            ) from None
        shutil.rmtree(edition_dir / ".work", ignore_errors=True)
        yield
    finally:
        handle.close()


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
    timeout: int = 900,
    notebook: str | Path = DIAGNOSTIC_NOTEBOOK,
    parameters: dict | None = None,
    progress: bool = True,
    force: bool = False,
    rerun_failed: bool = False,
    warm: bool = True,
    scheduler: str | None = None,
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
        Parallel local processes (each runs one kernel at a time); ignored with ``scheduler``.
    timeout : int
        Seconds allowed to each territory (the whole notebook).
    parameters : dict, optional
        Other notebook parameters (e.g. ``{"crisis_start": "2019Q4"}``), checked against the
        notebook's parameters cell before anything runs (:func:`validate_parameters`).
    force : bool
        Render even the territories whose report is up to date.
    rerun_failed : bool
        Render only the territories that failed in the edition's previous ledger.
    warm : bool
        Run notebooks in warm kernels (:mod:`bassin_lib.running.engine`, default) rather than a new
        kernel per notebook; the reports are the same.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``): run the territories on
        its workers instead of local processes.
    log : callable
        Receives one line per event (unknown territory, failure, summary).

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
    if timeout < 1:
        raise ParameterError(f"--timeout {timeout}: at least 1 second")
    if not territories and not all_territories and not rerun_failed:
        raise ParameterError("name at least one territory, or ask for all of them (--all)")
    if not Path(notebook).is_file():
        raise ParameterError(f"notebook not found: {notebook}")
    user_parameters = validate_parameters(notebook, parameters)
    kernel_name = _kernel_name(notebook)
    edition_dir = Path(output_root) / edition
    with _edition_lock(edition_dir):
        return _run_locked(
            territories,
            all_territories=all_territories,
            data_source=data_source,
            edition=edition,
            edition_dir=edition_dir,
            jobs=jobs,
            demo_zones=demo_zones,
            groups_file=groups_file,
            raw_dir=raw_dir,
            timeout=timeout,
            notebook=notebook,
            user_parameters=user_parameters,
            kernel_name=kernel_name,
            progress=progress,
            force=force,
            rerun_failed=rerun_failed,
            warm=warm,
            scheduler=scheduler,
            log=log,
        )


def _run_locked(
    territories,
    *,
    all_territories,
    data_source,
    edition,
    edition_dir,
    jobs,
    demo_zones,
    groups_file,
    raw_dir,
    timeout,
    notebook,
    user_parameters,
    kernel_name,
    progress,
    force,
    rerun_failed,
    warm,
    scheduler,
    log,
) -> BatchResult:
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
        notebook_key = _digest([Path(notebook)], Path(notebook).parent)
    # the notebooks read the saved cube; here only its référentiel, geometry and meta are
    # needed from now on (for the index): free the tables while the kernels work
    cube.tables.clear()
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
            "parameters": user_parameters,
            "warm": warm,
            "kernel_name": kernel_name,
        }
        for t in valid
    ]
    cached = []
    for task in tasks:
        parameters = {
            **user_parameters,
            **{k: task[k] for k in ("territory", "edition", "data_source")},
        }
        parameters["analyses"] = _analyses_digest(task["territory"], user_parameters)
        task["cache_key"] = cache_key(notebook_key, code_key, data_key, parameters)
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
    interrupted = False
    if tasks:
        from tqdm.auto import tqdm

        runs = _run_dask(tasks, scheduler) if scheduler else _run_local(tasks, jobs)
        bar = tqdm(total=len(tasks), desc="Diagnostics", unit="territoire", disable=not progress)
        try:
            for task, outcome in runs:
                if isinstance(outcome, BaseException):
                    outcome = {
                        "territory": task["territory"],
                        "label": task["label"],
                        "seconds": None,
                        "report": "",
                        **_classify(outcome),
                    }
                done[outcome["territory"]] = outcome
                if outcome["status"] != "ok":
                    bar.write(f"échec : {outcome['territory']} : {outcome['error']}")
                bar.update(1)
        except KeyboardInterrupt:
            interrupted = True
            bar.write("interrompu : les diagnostics terminés sont publiés ; relancer reprend")
        finally:
            runs.close()
            bar.close()
    records += [done[t["territory"]] for t in tasks if t["territory"] in done]
    this_run = {r["territory"] for r in records}
    kept = [
        {**row, "seconds": float(row["seconds"]) if row.get("seconds") else None}
        for tid, row in previous.items()
        if tid not in this_run
        and row["status"] in SUCCESS
        and (edition_dir / tid / "diagnostic.html").exists()
    ]
    with contextlib.suppress(OSError):
        (edition_dir / ".work").rmdir()  # left only when empty

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
        report.render_index(
            records,
            edition,
            cube.meta.get("notice"),
            headline,
            shapes=report.territory_shapes(
                cube, [r["territory"] for r in records if r["status"] in ("ok", "cached")]
            ),
        ),
    )
    rendered = sum(r["status"] == "ok" for r in records[: len(records) - len(kept)])
    log(
        f"{rendered} diagnostic(s) rendu(s), {len(cached)} à jour, {len(failures)} échec(s) ou "
        f"refus ; index : {index}"
    )
    if interrupted:
        raise KeyboardInterrupt
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
