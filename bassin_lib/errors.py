"""One error root and one warning root for everything bassin_lib raises.

Every error class carries the exit code of the command line when it ends a run
(:attr:`BassinError.exit_code`):

==== ======================================================================================
code meaning
==== ======================================================================================
0    every territory rendered (or was up to date)
1    some territory failed or was refused (:class:`UnknownTerritoryError`), or the edition
     is locked by another run (:class:`EditionLockedError`)
2    usage error: bad argument, unknown parameter, bad ``--edition`` (:class:`ParameterError`)
3    data error: an official file missing or malformed (:class:`DataError`,
     :class:`DataFormatError`, :class:`FetchError`)
4    a fault of the machine: no space left, permission denied, read-only folder, unreachable
     cluster (:class:`MachineError`, :class:`SchedulerError`; :class:`KernelStartError` is
     recorded as one territory's failure instead)
130  interrupted (Ctrl-C)
==== ======================================================================================
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_DATA = 3
EXIT_MACHINE = 4
EXIT_INTERRUPTED = 130


class BassinError(Exception):
    """Root of every error bassin_lib raises on purpose (bad input, unknown territory...).

    Attributes
    ----------
    exit_code : int
        Exit code of the command line when this error ends a run (see the module docstring).
    """

    exit_code = EXIT_FAILED


class ParameterError(BassinError):
    """A function or command-line parameter has a value outside its allowed set."""

    exit_code = EXIT_USAGE


class DataError(BassinError):
    """Input data cannot be used: a file is missing, malformed, or could not be had."""

    exit_code = EXIT_DATA


class DataFormatError(DataError):
    """A data file or table does not have the expected layout or content."""


class FetchError(DataError):
    """An official file could not be downloaded, imported or accepted."""


class UnknownTerritoryError(BassinError):
    """A territory id is neither a zone code nor a declared group.

    Attributes
    ----------
    territory : str
        The id that was asked for.
    suggestions : list of str
        Close matches among the known ids ("id (label)"), best first.
    """

    def __init__(self, territory: str, suggestions: list[str]):
        self.territory = territory
        self.suggestions = list(suggestions)
        hint = (
            "close matches: " + ", ".join(self.suggestions)
            if self.suggestions
            else "no close match"
        )
        super().__init__(f"unknown territory {territory!r} ({hint})")

    def __reduce__(self):
        return type(self), (self.territory, self.suggestions)


class EditionLockedError(BassinError):
    """Another run of the same edition holds its lock: nothing was rendered."""


class MachineError(BassinError):
    """The machine refused a write: no space left, permission denied, read-only folder...

    Attributes
    ----------
    folder : str
        The folder that could not be written.
    reason : str
        The system's words (``strerror``), e.g. "No space left on device".
    """

    exit_code = EXIT_MACHINE

    def __init__(self, folder, reason: str):
        self.folder = str(folder)
        self.reason = reason
        super().__init__(f"cannot write to {self.folder}: {reason}")

    def __reduce__(self):  # crosses process boundaries (worker → batch)
        return type(self), (self.folder, self.reason)


class SchedulerError(BassinError):
    """The Dask scheduler given with ``--scheduler`` cannot be used (unreachable, no Dask)."""

    exit_code = EXIT_MACHINE


class KernelStartError(BassinError):
    """A Jupyter kernel could not be started, even on the retry.

    Recorded as the territory's failure (``kernel_start``) rather than ending the batch.
    """

    exit_code = EXIT_MACHINE


class BassinWarning(UserWarning):
    """Root of every warning bassin_lib emits (approximate aggregates, hedged sentences...)."""
