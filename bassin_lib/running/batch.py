"""The batch: check territories and parameters, build the cube once, render every territory,
write the ledger and the index page.

Layout of an edition::

    outputs/<edition>/index.html            links to every report, status of every run
    outputs/<edition>/ledger.csv            territory, label, status, seconds, error, report,
                                            checks (the data checks a report failed)
    outputs/<edition>/diagnostic.css        the stylesheet every report links (once per edition)
    outputs/<edition>/edition.json          label, data source, date of the first run, and the
                                            edition it is compared with
    outputs/<edition>/changes.html          « Ce qui a changé depuis l'édition … » (when compared)
    outputs/<edition>/<territory>/diagnostic.html (+ diagnostic.ipynb, indicators.json,
                                            provenance.json)
    outputs/<edition>/_cube/                the cube every notebook of the batch reads

One failing territory never stops the others; unknown territories are reported with close
matches and rendered by nobody. One run at a time per edition (a lock file, present only while
a run holds it). Every file is written whole (:mod:`bassin_lib.files`) and every folder
published by a rename, so an interrupted run leaves finished reports and nothing else, and the
next run resumes; a finished run leaves nothing temporary. Files and folders have the ordinary
permissions (``0o666`` / ``0o777`` less the umask): the edition can be served as it is.

An edition is compared with a previous one of the same output root
(:func:`~bassin_lib.running.editions.resolve_compare_to`): each report gets the block « Ce qui
a changé depuis l'édition … » (:mod:`bassin_lib.rendering.changes`), the index a column and the
page ``changes.html``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from bassin_lib.errors import EditionLockedError, MachineError, ParameterError
from bassin_lib.files import (
    make_temporary_dir,
    publish_dir,
    remove_stale_temporaries,
    write_atomic,
    write_if_changed,
    writing_to,
)
from bassin_lib.inputs import datasets
from bassin_lib.paths import DIAGNOSTIC_NOTEBOOK, OUTPUT_DIR
from bassin_lib.rendering import changes as edition_changes
from bassin_lib.rendering import index_site, page
from bassin_lib.running import cache, editions, executors, ledger
from bassin_lib.running.parameters import (
    check_edition,
    kernel_name,
    notebook_parameters,
    validate_parameters,
)

LOCK_FILE = ".lock"
CUBE_DIR = "_cube"
STYLESHEET = "diagnostic.css"
"""The stylesheet the reports of an edition share, at the root of the edition
(:func:`~bassin_lib.rendering.page.shared_stylesheet`): each report links it as
``../diagnostic.css``. A file, not a folder: every folder of an edition but ``_cube`` is a
report."""
COMPARE_PARAMETER = "compare_to"
"""The notebook parameter the runner sets to the folder of the edition compared with (``""``:
none), when the notebook declares it."""


@dataclass
class BatchResult:
    """What a batch did: one ledger record per requested territory, and where things are."""

    records: list[dict]
    edition_dir: Path
    index: Path
    ledger: Path
    failures: list[dict] = field(default_factory=list)
    compared_to: str | None = None
    """The edition compared with (None: none)."""
    changes: Path | None = None
    """The page « Ce qui a changé depuis l'édition … », when the edition was compared."""

    @property
    def exit_code(self) -> int:
        """0 when every requested territory rendered (or was up to date), 1 otherwise."""
        return 1 if self.failures else 0


def _lock(edition_dir: Path):
    """Take the edition's lock file (an open handle holding ``flock``), or raise.

    The file is removed by the run that held it, before it lets go: a run that opened it in
    the meantime finds, once it holds the lock, that the file at that path is no longer (or not
    the same as) the one it locked, and tries again.
    """
    path = edition_dir / LOCK_FILE
    while True:
        with writing_to(edition_dir):
            handle = path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise EditionLockedError(
                f"another run of the edition is in progress ({edition_dir}); wait for it"
            ) from None
        try:
            current = os.stat(path)
        except FileNotFoundError:
            current = None
        mine = os.fstat(handle.fileno())
        if current is not None and (current.st_dev, current.st_ino) == (mine.st_dev, mine.st_ino):
            return handle
        handle.close()


@contextlib.contextmanager
def _edition_lock(edition_dir: Path):
    """One run at a time per edition.

    Clears what a killed run left (the work folder, temporary files of interrupted writes) and,
    at the end, leaves nothing of its own: the work folder (when empty) and the lock file are
    removed.
    """
    with writing_to(edition_dir):
        edition_dir.mkdir(parents=True, exist_ok=True)
    handle = _lock(edition_dir)
    try:
        shutil.rmtree(edition_dir / executors.WORK_DIR, ignore_errors=True)
        remove_stale_temporaries(edition_dir)
        yield
    finally:
        with contextlib.suppress(OSError):
            (edition_dir / executors.WORK_DIR).rmdir()  # left only when a worker still uses it
        with contextlib.suppress(OSError):
            (edition_dir / LOCK_FILE).unlink()  # while still holding it: see _lock
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
    notebooks: str = executors.DEFAULT_NOTEBOOKS,
    compare_to: str | None = None,
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
    edition : str
        Name of the output folder ``outputs/<edition>``: a plain folder name, not a path.
    jobs : int
        Parallel local processes (each runs one kernel at a time); ignored with ``scheduler``.
    output_root : path
        Folder of the editions (default ``outputs/``).
    demo_zones : int
        Number of synthetic zones of the demo data.
    groups_file : path, optional
        YAML file of groups of zones.
    raw_dir : path, optional
        Folder of the official files for ``data_source="real"`` (default ``data/raw``).
    timeout : int
        Seconds allowed to each territory (the whole notebook).
    notebook : path
        The parameterized notebook (default ``notebooks/diagnostic.ipynb``).
    parameters : dict, optional
        Other notebook parameters (e.g. ``{"crisis_start": "2019Q4"}``), checked against the
        notebook's parameters cell before anything runs
        (:func:`~bassin_lib.running.parameters.validate_parameters`).
    progress : bool
        Draw a progress bar.
    force : bool
        Render even the territories whose report is up to date.
    rerun_failed : bool
        Render only the territories that failed in the edition's previous ledger.
    warm : bool
        Run notebooks in warm kernels (:mod:`bassin_lib.running.engine`, default) rather than a
        new kernel per notebook; the reports are the same.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``): run the territories on
        its workers instead of local processes.
    notebooks : {"light", "full", "none"}
        What each report folder keeps of its executed notebook
        (:data:`~bassin_lib.running.executors.NOTEBOOK_MODES`): by default its outputs without
        image data (the page holds the images); ``"full"``: as papermill wrote it; ``"none"``:
        nothing. A failed run keeps its whole notebook. Part of the cache key.
    compare_to : str, optional
        The edition (a folder of ``output_root``) this one is compared with; None (default):
        the previous edition of the same data source, when there is one
        (:func:`~bassin_lib.running.editions.resolve_compare_to`); ``"none"``: no comparison.
        The runner gives its folder to each notebook (parameter ``compare_to``, when the
        notebook declares it), and the territory's record in it is part of the report's cache
        key.
    log : callable
        Receives one line per event (unknown territory, failure, summary).

    Returns
    -------
    BatchResult

    Raises
    ------
    ParameterError
        For a bad argument or notebook parameter, or an edition to compare with that does
        not exist, before anything is written.
    DataError
        When the input data cannot be read (an official file missing or malformed).
    EditionLockedError
        When another run of the edition is in progress.
    MachineError
        When the machine refuses a write (no space left, read-only folder...); files already
        published stay whole.
    SchedulerError
        When the Dask scheduler cannot be reached.

    Notes
    -----
    Content-addressed cache: each report folder keeps the key of what produced it (notebook,
    library code, input data of the cube, parameters:
    :func:`~bassin_lib.running.cache.cache_key`); a territory whose key is unchanged is not run
    again and is recorded as ``cached``. The ledger and the index keep the territories of
    earlier runs of the edition that this run did not touch.

    The reports link the edition's stylesheet (:data:`STYLESHEET`), written by each run that
    has territories to show, when its content changed.

    The ledger's ``checks`` column lists the declared checks of the data that failed for each
    published report (read from its ``indicators.json``). Each run writes
    :data:`~bassin_lib.running.editions.EDITION_FILE`; when the edition is compared, the index
    gains a column « Évolution depuis l'édition … » and links ``changes.html`` (:func:`index_site.render_changes`).
    """
    if jobs < 1:
        raise ParameterError(f"--jobs {jobs}: at least 1")
    if timeout < 1:
        raise ParameterError(f"--timeout {timeout}: at least 1 second")
    if notebooks not in executors.NOTEBOOK_MODES:
        raise ParameterError(
            f"--notebooks {notebooks}: one of {', '.join(executors.NOTEBOOK_MODES)}"
        )
    check_edition(edition)
    if not territories and not all_territories and not rerun_failed:
        raise ParameterError("name at least one territory, or ask for all of them (--all)")
    if not Path(notebook).is_file():
        raise ParameterError(f"notebook not found: {notebook}")
    user_parameters = validate_parameters(notebook, parameters)
    if COMPARE_PARAMETER in user_parameters:
        raise ParameterError(
            f"parameter {COMPARE_PARAMETER!r} is set by the runner: use --compare-to EDITION "
            f"(or --compare-to {editions.NO_COMPARISON})"
        )
    compared_to = editions.resolve_compare_to(output_root, edition, data_source, compare_to)
    injects = COMPARE_PARAMETER in notebook_parameters(notebook)
    kernel = kernel_name(notebook)
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
            kernel_name=kernel,
            progress=progress,
            force=force,
            rerun_failed=rerun_failed,
            warm=warm,
            scheduler=scheduler,
            notebooks=notebooks,
            compared_to=compared_to,
            inject_compare=injects,
            log=log,
        )


def _save_cube(cube, edition_dir: Path) -> Path:
    """Save the cube in the work folder, then publish it as ``<edition>/_cube`` whole."""
    cube_dir = edition_dir / CUBE_DIR
    with writing_to(cube_dir):
        staging = make_temporary_dir(edition_dir / executors.WORK_DIR, prefix="cube-")
        try:
            cube.save(staging)
            publish_dir(staging, cube_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return cube_dir


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
    notebooks,
    compared_to,
    inject_compare,
    log,
) -> BatchResult:
    previous = ledger.read_ledger(edition_dir / "ledger.csv")
    compared_dir = (edition_dir.parent / compared_to).resolve() if compared_to else None
    if compared_dir is not None:
        log(f"comparaison avec l'édition {compared_to} ({compared_dir})")
    cube = datasets.build(
        data_source, groups_file=groups_file, demo_zones=demo_zones, raw_dir=raw_dir
    )
    if rerun_failed:
        requested = [t for t, row in previous.items() if row["status"] == "failed"]
        log(f"à relancer (échecs précédents) : {', '.join(requested) or 'aucun'}")
    else:
        requested = cube.referentiel.ids if all_territories else list(territories)
    valid, errors = cube.referentiel.validate(requested)

    records: list[dict] = []
    for error in errors:
        log(f"refusé : {error}")
        records.append(ledger.rejected_record(error))

    cube_dir = edition_dir / CUBE_DIR
    if valid:
        _save_cube(cube, edition_dir)
        with writing_to(edition_dir):  # before any report that links it is published
            write_if_changed(edition_dir / STYLESHEET, page.shared_stylesheet())
        data_key = cache.folder_digest(cube_dir)
        code_key = cache.library_digest()
        notebook_key = cache.notebook_digest(notebook)
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
            "stylesheet": f"../{STYLESHEET}",
            "notebooks": notebooks,
        }
        for t in valid
    ]
    cached = []
    for task in tasks:
        parameters = {
            **user_parameters,
            **{k: task[k] for k in ("territory", "edition", "data_source")},
        }
        parameters["analyses"] = cache.analyses_digest(task["territory"], user_parameters)
        parameters["notebooks"] = notebooks  # what the folder keeps is part of what it is
        if inject_compare:
            task["parameters"] = {
                **user_parameters,
                COMPARE_PARAMETER: str(compared_dir) if compared_dir else "",
            }
            # the report reads the territory's record of the edition compared with
            parameters["compare_to"] = compared_to
            parameters["compared_record"] = editions.record_digest(compared_dir, task["territory"])
        task["cache_key"] = cache.cache_key(notebook_key, code_key, data_key, parameters)
        if not force and cache.is_up_to_date(edition_dir / task["territory"], task["cache_key"]):
            cached.append(task)
    records += [ledger.cached_record(task) for task in cached]
    if cached:
        log(f"{len(cached)} diagnostic(s) à jour, non relancé(s) (--force pour tout refaire)")
    tasks = [task for task in tasks if task not in cached]
    done, interrupted, fault = _render(tasks, jobs, scheduler, progress)
    records += [done[t["territory"]] for t in tasks if t["territory"] in done]
    this_run = {r["territory"] for r in records}
    kept = [
        {**row, "seconds": float(row["seconds"]) if row.get("seconds") else None}
        for tid, row in previous.items()
        if tid not in this_run
        and row["status"] in ledger.SUCCESS
        and (edition_dir / tid / "diagnostic.html").exists()
    ]
    failures = [r for r in records if r["status"] not in ledger.SUCCESS]
    rendered = sum(r["status"] == "ok" for r in records)
    records = records + kept
    for record in records:
        if record["status"] in ledger.SUCCESS:
            record["checks"] = ledger.failed_checks(
                edition_dir / record["territory"] / "indicators.json"
            )
    index_html, changes_html = _site_pages(records, edition, edition_dir, cube, compared_dir)
    known = editions.edition_info(edition_dir) or {}
    edition_json = json.dumps(
        {
            "edition": edition,
            "data_source": data_source,
            "created": known.get("created") or editions.timestamp(),
            "compared_to": compared_to,
        },
        ensure_ascii=False,
        indent=2,
        sort_keys=True,
    )
    changes_path = edition_dir / index_site.CHANGES_PAGE
    with writing_to(edition_dir):
        ledger_path = ledger.write_ledger(records, edition_dir / "ledger.csv")
        if changes_html is not None:  # before the index that links it
            write_atomic(changes_path, changes_html)
        else:
            changes_path.unlink(missing_ok=True)  # of an earlier run that was compared
        index = write_atomic(edition_dir / "index.html", index_html)
        write_if_changed(edition_dir / editions.EDITION_FILE, edition_json + "\n")
    if fault is not None:
        raise fault
    log(
        f"{rendered} diagnostic(s) rendu(s), {len(cached)} à jour, {len(failures)} échec(s) ou "
        f"refus ; index : {index}"
    )
    if interrupted:
        raise KeyboardInterrupt
    return BatchResult(
        records=records,
        edition_dir=edition_dir,
        index=index,
        ledger=ledger_path,
        failures=failures,
        compared_to=compared_to,
        changes=changes_path if changes_html is not None else None,
    )


def _render(tasks: list[dict], jobs: int, scheduler: str | None, progress: bool):
    """Run the tasks; returns (records by territory, interrupted, machine fault or None).

    A worker that the machine refused to write for (:class:`MachineError`) stops the batch:
    every other territory would fail the same way.
    """
    done: dict[str, dict] = {}
    interrupted, fault = False, None
    if not tasks:
        return done, interrupted, fault
    from tqdm.auto import tqdm

    runs = executors.run_dask(tasks, scheduler) if scheduler else executors.run_local(tasks, jobs)
    bar = tqdm(total=len(tasks), desc="Diagnostics", unit="territoire", disable=not progress)
    try:
        for task, outcome in runs:
            if isinstance(outcome, MachineError):
                fault = outcome
                break
            if isinstance(outcome, BaseException):
                outcome = ledger.failed_record(task, outcome)
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
    return done, interrupted, fault


def _site_pages(
    records: list[dict], edition: str, edition_dir: Path, cube, compared_dir: Path | None
) -> tuple[str, str | None]:
    """HTML of the edition's index page (headline figures read from each report folder) and,
    when the edition is compared with ``compared_dir``, of its page of changes."""
    headline = {}
    for record in records:
        path = edition_dir / record["territory"] / "indicators.json"
        if record["status"] in ledger.SUCCESS and path.exists():
            headline[record["territory"]] = json.loads(path.read_text(encoding="utf-8"))
    changes = None
    if compared_dir is not None:
        changes = edition_changes.compare_editions(
            editions.records_of(compared_dir), headline, previous_edition=compared_dir.name
        )
    notice = cube.meta.get("notice")
    index_html = index_site.render_index(
        records,
        edition,
        notice,
        headline,
        shapes=index_site.territory_shapes(
            cube, [r["territory"] for r in records if r["status"] in ledger.SUCCESS]
        ),
        changes=changes,
    )
    if changes is None:
        return index_html, None
    return index_html, index_site.render_changes(
        changes, edition, notice, records, previous_dir=compared_dir.name
    )
