"""The ledger of an edition (``ledger.csv``): one record per territory, and how runs failed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from bassin_lib.files import write_atomic

LEDGER_COLUMNS = [
    "territory",
    "label",
    "status",
    "failure",
    "cell",
    "seconds",
    "error",
    "report",
    "checks",
]
"""Columns of ``ledger.csv``. ``checks`` lists the declared checks of the data that failed for
a published report (:func:`failed_checks`), empty when none did."""
SUCCESS = ("ok", "cached")
"""Statuses of a territory whose report is published and current."""
CHECKS_SEPARATOR = "; "


def read_ledger(path: Path) -> dict[str, dict]:
    """Records of an earlier run, by territory (empty when there is no ledger).

    Parameters
    ----------
    path : Path
        ``outputs/<edition>/ledger.csv``.

    Returns
    -------
    dict
        Territory id → record (values as text).
    """
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["territory"]: row for row in csv.DictReader(handle)}


def write_ledger(records: list[dict], path: Path) -> Path:
    """Write the records as ``ledger.csv``, whole or not at all.

    Parameters
    ----------
    records : list of dict
        One record per territory (columns :data:`LEDGER_COLUMNS`; ``None`` is written empty).
    path : Path

    Returns
    -------
    Path
        ``path``.
    """
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=LEDGER_COLUMNS)
    writer.writeheader()
    for record in records:
        writer.writerow(
            {k: ("" if record.get(k) is None else record.get(k)) for k in LEDGER_COLUMNS}
        )
    return write_atomic(path, buffer.getvalue())


def failed_checks(indicators: Path) -> str:
    """The failed checks of a report, for the ledger's ``checks`` column.

    Parameters
    ----------
    indicators : Path
        The report's ``indicators.json``, whose ``checks_failed`` lists
        ``{"section": ..., "check": ..., "detail": ...}``.

    Returns
    -------
    str
        ``"section/check"`` of each failed check, joined by ``"; "`` in the file's order
        (``"jobseekers/abc_sum; crisis/france_total"``); ``""`` when none failed, or when the
        file is absent, unreadable or does not keep ``checks_failed`` (a report made before).
    """
    try:
        record = json.loads(indicators.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    failed = record.get("checks_failed") if isinstance(record, dict) else None
    if not isinstance(failed, list):
        return ""
    names = [
        f"{item.get('section', '')}/{item.get('check', '')}"
        for item in failed
        if isinstance(item, dict)
    ]
    return CHECKS_SEPARATOR.join(dict.fromkeys(names))


def classify(exc: BaseException) -> dict:
    """Ledger fields for a failed run: kind of failure, failing cell, one-line message.

    Parameters
    ----------
    exc : BaseException
        What the territory's run raised.

    Returns
    -------
    dict
        ``status`` ("failed"), ``failure``, ``cell``, ``error``. ``failure`` is
        ``cell_error`` (a cell raised; papermill gives its index in ``cell``), ``timeout`` (the
        territory ran past its time), ``dead_kernel`` (the kernel died: killed, out of memory),
        ``kernel_start`` (no kernel could be started, even on the retry) or ``runner``
        (anything else: the notebook could not be read, a cluster worker lost).
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from bassin_lib.errors import KernelStartError

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


def failed_record(task: dict, exc: BaseException) -> dict:
    """The record of a territory whose worker raised (see :func:`classify`)."""
    return {
        "territory": task["territory"],
        "label": task["label"],
        "seconds": None,
        "report": "",
        **classify(exc),
    }


def rejected_record(error: Exception) -> dict:
    """The record of a territory refused before any run (unknown id, bad type)."""
    return {
        "territory": str(getattr(error, "territory", "")) or str(error),
        "label": "territoire inconnu",
        "status": "rejected",
        "failure": "unknown_territory",
        "cell": "",
        "seconds": None,
        "error": str(error),
        "report": "",
    }


def cached_record(task: dict) -> dict:
    """The record of a territory whose report is up to date (not run again)."""
    return {
        "territory": task["territory"],
        "label": task["label"],
        "status": "cached",
        "seconds": 0.0,
        "error": "",
        "report": f"{task['territory']}/diagnostic.html",
    }
