"""Warm kernels: a papermill engine that runs notebook after notebook in one kernel per worker.

A plain papermill run starts a new Jupyter kernel for every notebook, then imports pandas,
matplotlib, geopandas and the library again (about 2 s of CPU before the first cell does any
work). Here each worker process (or Dask worker thread) keeps one kernel started ahead with the
heavy imports done (:data:`WARM_UP`), and between two notebooks only resets what a notebook can
change: the user namespace, the execution counter, open figures, matplotlib settings, warning
filters and registries, the working directory (:func:`bassin_lib.running._kernel_state.reset`). Modules
stay imported, which is the point.

A kernel is never reused after a failure: on a cell error, a timeout or a dead kernel it is
shut down and the next notebook gets a fresh one. Starting a kernel is retried once
(:data:`START_ATTEMPTS`, :func:`start_retrying`, for warm and plain runs alike) because kernels
started many at a time occasionally miss their first handshake; a second failure is reported as
:class:`~bassin_lib.errors.KernelStartError`.

The engine is registered with papermill as ``"bassin-warm"``, so a run is still a papermill run
(parameters cell, injected parameters, papermill metadata, error cells), only without the start
cost; a test checks that the HTML is byte for byte the one of a plain run.
"""

from __future__ import annotations

import threading
import time

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
from papermill.log import logger

from bassin_lib.errors import KernelStartError

ENGINE_NAME = "bassin-warm"
START_ATTEMPTS = 2
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
# run silently, binding no name in the user namespace
WARM_UP = "__import__('bassin_lib.running._kernel_state', fromlist=['_']).warm_up()"
RESET = "__import__('bassin_lib.running._kernel_state', fromlist=['_']).reset({cwd!r})"


def start_retrying(attempt, failed_to_start, what: str):
    """Call ``attempt()``, again when it failed to start its kernel: the one kernel-start retry.

    Parameters
    ----------
    attempt : callable
        Starts a kernel (and, for a plain papermill run, executes the notebook in it).
    failed_to_start : callable
        ``failed_to_start(exc)`` tells whether the exception ``attempt`` raised means that no
        kernel started (then it is tried again, :data:`START_ATTEMPTS` times in all); any other
        exception is raised as it is.
    what : str
        Names the kernel in the error message.

    Returns
    -------
    object
        What ``attempt`` returned.

    Raises
    ------
    KernelStartError
        When the last attempt failed to start too (chained to its exception).
    """
    last_error = None
    for _attempt in range(START_ATTEMPTS):
        try:
            return attempt()
        except Exception as exc:
            if not failed_to_start(exc):
                raise
            last_error = exc
    raise KernelStartError(
        f"kernel {what!r} did not start ({START_ATTEMPTS} attempts): {last_error}"
    ) from last_error


def _run_sync(coroutine_function):
    from jupyter_core.utils import run_sync

    return run_sync(coroutine_function)


async def _execute_silently(kc, code: str, timeout: float) -> None:
    """Run ``code`` without output, history or execution count; raise if it fails."""
    msg_id = kc.execute(code, silent=True, store_history=False, allow_stdin=False)
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"the kernel did not answer within {timeout:.0f} s")
        reply = await kc.get_shell_msg(timeout=remaining)
        if reply.get("parent_header", {}).get("msg_id") == msg_id:
            break
    content = reply["content"]
    if content.get("status") != "ok":
        raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")


class WarmKernel:
    """One started kernel and its client."""

    def __init__(self, kernel_name: str, start_timeout: float, cwd: str | None):
        from jupyter_client.manager import AsyncKernelManager

        self.kernel_name = kernel_name
        self.km = AsyncKernelManager(kernel_name=kernel_name)
        self.kc = None
        try:
            _run_sync(self.km.start_kernel)(extra_arguments=list(KERNEL_ARGUMENTS), cwd=cwd)
            self.kc = self.km.client()
            self.kc.start_channels()
            _run_sync(self.kc.wait_for_ready)(timeout=start_timeout)
            _run_sync(_execute_silently)(self.kc, WARM_UP, start_timeout)
        except BaseException:
            self.shutdown()
            raise

    def alive(self) -> bool:
        return bool(_run_sync(self.km.is_alive)())

    def reset(self, cwd: str, timeout: float = 60) -> None:
        """Make the kernel look like a fresh one (same modules imported) working in ``cwd``."""
        _run_sync(_execute_silently)(self.kc, RESET.format(cwd=str(cwd)), timeout)

    def shutdown(self) -> None:
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km.has_kernel:
                _run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # already dead: nothing left to stop
            pass
        finally:
            self.kc = None


class KernelPool:
    """The warm kernel of each thread of this process (one kernel per worker thread)."""

    def __init__(self):
        self._local = threading.local()
        self._all: list[WarmKernel] = []
        self._lock = threading.Lock()

    def take(self, kernel_name: str, cwd: str, start_timeout: float = 60) -> WarmKernel:
        """The thread's kernel, reset for a new notebook, or a freshly started one."""
        kernel = getattr(self._local, "kernel", None)
        if kernel is not None:
            try:
                if kernel.kernel_name == kernel_name and kernel.alive():
                    kernel.reset(cwd)
                    return kernel
            except Exception:  # a kernel that cannot be reset is replaced
                pass
            self.discard()

        def start() -> WarmKernel:
            started = WarmKernel(kernel_name, start_timeout, cwd)
            try:
                started.reset(cwd)
            except BaseException:
                started.shutdown()
                raise
            return started

        kernel = start_retrying(start, lambda _exc: True, kernel_name)
        self._local.kernel = kernel
        with self._lock:
            self._all.append(kernel)
        return kernel

    def discard(self) -> None:
        """Shut down the thread's kernel (after a failure); the next notebook starts a new one."""
        kernel = getattr(self._local, "kernel", None)
        self._local.kernel = None
        if kernel is not None:
            kernel.shutdown()
            with self._lock:
                if kernel in self._all:
                    self._all.remove(kernel)

    def shutdown(self) -> None:
        """Shut down every kernel of this process."""
        with self._lock:
            kernels, self._all = self._all, []
        for kernel in kernels:
            kernel.shutdown()
        self._local = threading.local()


POOL = KernelPool()


class WrittenAtEnd(NotebookExecutionManager):
    """papermill's execution manager, writing the executed notebook once, when it ends.

    papermill writes the whole notebook (validated, every output so far encoded again) when
    each cell starts and when it completes: 66 writes for the diagnostic's 33 cells, about half
    of a worker's CPU time. A warm run is not watched while it runs (its notebook is in a
    hidden work folder until published), so the notebook is written once, by
    ``notebook_complete``, which papermill calls whether the notebook ended well or not (a cell
    error, a timeout, a dead kernel): a failed run still publishes its executed notebook.
    """

    _ended = False

    def save(self, **kwargs):
        if self._ended:
            super().save(**kwargs)
        else:
            self.last_save_time = self.now()

    def notebook_complete(self, **kwargs):
        self._ended = True
        super().notebook_complete(**kwargs)


class WarmEngine(NBClientEngine):
    """papermill engine executing the notebook in the worker's warm kernel (see module doc).

    Extra keyword: ``kernel`` (a :class:`WarmKernel` from :data:`POOL`); everything else is
    passed to papermill's notebook client as in the default engine. The notebook is written
    when it ends, not at each cell (:class:`WrittenAtEnd`).
    """

    @classmethod
    def execute_notebook(
        cls,
        nb,
        kernel_name,
        output_path=None,
        progress_bar=True,
        log_output=False,
        autosave_cell_every=30,
        **kwargs,
    ):
        # papermill's Engine.execute_notebook, with the manager that writes at the end
        nb_man = WrittenAtEnd(
            nb,
            output_path=output_path,
            progress_bar=progress_bar,
            log_output=log_output,
            autosave_cell_every=autosave_cell_every,
        )
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        kernel: WarmKernel = kwargs.pop("kernel")
        kwargs.pop("input_path", None)
        kwargs = {k: v for k, v in kwargs.items() if k not in ("timeout", "startup_timeout")}
        client = PapermillNotebookClient(
            nb_man,
            km=kernel.km,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            **kwargs,
        )
        client.kc = kernel.kc  # reuse the started client: no new channels, no new handshake
        return client.execute()


papermill_engines.register(ENGINE_NAME, WarmEngine)
