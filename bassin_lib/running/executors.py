"""Executors: one territory's papermill run in a worker, on local processes or a Dask cluster."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import as_completed as local_completed
from pathlib import Path

from bassin_lib.errors import MachineError, SchedulerError
from bassin_lib.files import (
    is_machine_fault,
    make_temporary_dir,
    publish_dir,
    write_atomic,
    writing_to,
)
from bassin_lib.rendering import page
from bassin_lib.running.cache import CACHE_FILE
from bassin_lib.running.ledger import classify
from bassin_lib.running.parameters import injected

SCHEDULER_TIMEOUT = 20  # seconds to reach a Dask scheduler
WORK_DIR = ".work"
"""Folder of an edition where reports are made before being published by a rename."""
NOTEBOOK_MODES = ("full", "light", "none")
"""What a report folder keeps of its executed notebook (``--notebooks``): all of it, its
outputs without image data (:func:`lighten_notebook`: the page holds the only copy of each
image), or nothing. A failed run always keeps it whole: it is the only trace of the failure."""
DEFAULT_NOTEBOOKS = "light"
IMAGE_NOTE = "[image retirée de ce notebook allégé (--notebooks light) : voir diagnostic.html]"
"""What an image output of a light notebook shows instead of the image."""


def lighten_notebook(nb) -> int:
    """Replace the image data of an executed notebook's outputs by :data:`IMAGE_NOTE`, in place.

    Every other output (text, Markdown, HTML, errors) and papermill's metadata stay: the light
    notebook still tells what ran, how long each cell took and what it printed; the images are
    in the report page.

    Parameters
    ----------
    nb : NotebookNode
        An executed notebook (version 4).

    Returns
    -------
    int
        Number of images removed (also recorded in ``nb.metadata["bassin_lib"]``).
    """
    removed = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            images = [mime for mime in data if mime.startswith("image/")]
            if not images:
                continue
            for mime in images:
                del data[mime]
                output.get("metadata", {}).pop(mime, None)
            data["text/plain"] = IMAGE_NOTE
            removed += len(images)
    nb.metadata["bassin_lib"] = {"notebooks": "light", "images_removed": removed}
    return removed


def keep_notebook(nb, executed: Path, mode: str) -> None:
    """Leave in the report's work folder what ``mode`` keeps of its executed notebook.

    Parameters
    ----------
    nb : NotebookNode
        The executed notebook papermill returned (modified by ``"light"``).
    executed : Path
        The file papermill wrote.
    mode : {"full", "light", "none"}
        See :data:`NOTEBOOK_MODES`.
    """
    import nbformat

    if mode == "light":
        lighten_notebook(nb)
        write_atomic(executed, nbformat.writes(nb))
    elif mode == "none":
        executed.unlink(missing_ok=True)


def _cells_started(executed: Path) -> bool:
    """Whether papermill started any cell of the executed notebook (False without one)."""
    if not executed.exists():
        return False
    try:
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return False
    return any(c.get("metadata", {}).get("papermill", {}).get("start_time") for c in cells)


def execute_notebook(task: dict, executed: Path, work: Path):
    """papermill run of one territory's notebook, warm (default) or plain, within its time.

    Parameters
    ----------
    task : dict
        The territory's task (notebook, parameters, kernel, ``timeout``, ``warm``...).
    executed : Path
        Where papermill writes the executed notebook.
    work : Path
        The notebook's working directory and ``output_dir``.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook (also written to ``executed``).

    Notes
    -----
    The time allowed (``task["timeout"]``) is for all the notebook's cells together: each cell
    gets what is left. On any failure the warm kernel is discarded. Starting the kernel is
    retried once (:func:`bassin_lib.running.engine.start_retrying`): in the warm pool, or here
    for a plain run whose kernel failed before any cell ran.
    """
    import papermill as pm

    from bassin_lib.running import engine

    deadline = []  # set when the first cell starts: starting the kernel is not counted

    def time_left(_cell):
        if not deadline:
            deadline.append(time.monotonic() + task["timeout"])
        return max(1, int(deadline[0] - time.monotonic() + 0.999))

    options = dict(
        parameters=injected(task, work),
        kernel_name=task["kernel_name"],
        progress_bar=False,
        cwd=str(work),
        timeout_func=time_left,
        # the kernel's own log (e.g. its TCP transport notice) would flood the console;
        # cell errors still reach the ledger through papermill
        extra_arguments=list(engine.KERNEL_ARGUMENTS),
    )
    if not task["warm"]:
        return engine.start_retrying(
            lambda: pm.execute_notebook(str(task["notebook"]), str(executed), **options),
            lambda exc: (
                isinstance(exc, RuntimeError | TimeoutError) and not _cells_started(executed)
            ),
            task["kernel_name"],
        )
    kernel = engine.POOL.take(task["kernel_name"], str(work))
    try:
        return pm.execute_notebook(
            str(task["notebook"]),
            str(executed),
            engine_name=engine.ENGINE_NAME,
            kernel=kernel,
            **options,
        )
    except BaseException:
        engine.POOL.discard()
        raise


def render_one(task: dict) -> dict:
    """Run the notebook for one territory (in a worker), export its HTML, publish its folder.

    Parameters
    ----------
    task : dict
        The territory's task, built by :func:`bassin_lib.running.batch.run_batch`.

    Returns
    -------
    dict
        The territory's ledger record (``ok``, or ``failed`` with :func:`classify`'s fields).

    Raises
    ------
    MachineError
        When the machine refuses to write the report (no space left, read-only folder...):
        the batch stops rather than failing every territory the same way.

    Notes
    -----
    The report is made in a work folder next to the final one (same file system) and published
    by renames: an interrupted run leaves at most a hidden work folder, never half a page. The
    page links the edition's shared stylesheet when ``task["stylesheet"]`` is given; the folder
    keeps the executed notebook as ``task["notebooks"]`` says (:data:`NOTEBOOK_MODES`). A
    failed run publishes its whole executed notebook, without page.
    """

    started = time.perf_counter()
    edition_dir = Path(task["edition_dir"])
    final_dir = edition_dir / task["territory"]
    with writing_to(edition_dir):
        work = make_temporary_dir(edition_dir / WORK_DIR, prefix=f"{task['territory']}-")
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
        html = nb = None
        try:
            nb = execute_notebook(task, executed, work)
            html = page.notebook_to_html(
                nb, f"Diagnostic emploi : {task['label']}", stylesheet=task.get("stylesheet")
            )
        except Exception as exc:  # recorded in the ledger; the batch goes on
            if is_machine_fault(exc, edition_dir):
                raise MachineError(edition_dir, exc.strerror or str(exc)) from exc
            record.update(classify(exc))
        with writing_to(edition_dir):
            if html is not None:
                write_atomic(work / "diagnostic.html", html)
                keep_notebook(nb, executed, task.get("notebooks", DEFAULT_NOTEBOOKS))
                write_atomic(work / CACHE_FILE, task["cache_key"])
                record["report"] = f"{task['territory']}/diagnostic.html"
            publish_dir(work, final_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    record["seconds"] = round(time.perf_counter() - started, 2)
    return record


def shutdown_kernels() -> None:
    """Shut down the warm kernels of this process (a worker, at the end of the batch)."""
    from bassin_lib.running import engine

    engine.POOL.shutdown()


def _worker_init() -> None:
    """Local worker process: shut its warm kernels down when the pool stops it."""
    from multiprocessing import util

    util.Finalize(None, shutdown_kernels, exitpriority=10)


def run_local(tasks: list[dict], jobs: int):
    """Yield ``(task, record or exception)`` as territories finish, on local processes.

    Parameters
    ----------
    tasks : list of dict
    jobs : int
        Number of worker processes (each runs one kernel at a time).

    Yields
    ------
    tuple
        The task and its record, or the exception its worker raised.
    """
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(tasks)), mp_context=context, initializer=_worker_init
    )
    try:
        futures = {pool.submit(render_one, task): task for task in tasks}
        for future in local_completed(futures):
            try:
                yield futures[future], future.result()
            except Exception as exc:  # the task raised, or its worker died
                yield futures[future], exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_dask(tasks: list[dict], scheduler: str):
    """Yield ``(task, record or exception)`` as territories finish, on a Dask cluster.

    Parameters
    ----------
    tasks : list of dict
    scheduler : str
        Address of the Dask scheduler (``tcp://host:8786``).

    Yields
    ------
    tuple
        The task and its record, or the exception its worker raised.

    Raises
    ------
    SchedulerError
        When the scheduler cannot be reached within :data:`SCHEDULER_TIMEOUT` seconds.

    Notes
    -----
    Every worker must see the project, the output folder and the cube at the same paths (one
    machine, or a shared file system). Each worker thread keeps its own warm kernel, shut down
    at the end of the batch.
    """
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as exc:  # pragma: no cover - distributed is a dependency
        raise SchedulerError(f"--scheduler needs dask.distributed: {exc}") from exc
    try:
        client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
    except OSError as exc:
        raise SchedulerError(f"no Dask scheduler at {scheduler}: {exc}") from exc
    try:
        futures = client.map(render_one, tasks, pure=False)
        by_key = {future.key: task for future, task in zip(futures, tasks, strict=True)}
        for future in dask_completed(futures):
            try:
                yield by_key[future.key], future.result()
            except Exception as exc:  # the task raised, or its worker was lost
                yield by_key[future.key], exc
    finally:
        with contextlib.suppress(Exception):
            client.run(shutdown_kernels)
        client.close()
