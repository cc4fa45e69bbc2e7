"""Editions of an output root: what each one is (``edition.json``), which one an edition is
compared with, and the records of its reports.

An edition folder holds :data:`EDITION_FILE` (its label, data source and the date of its first
run) and one folder per report whose ``indicators.json`` is the territory's record
(:func:`bassin_lib.rendering.sections.record`). :func:`resolve_compare_to` finds the edition a
new one is compared with; :func:`records_of` and :func:`record_digest` read the records the
comparison and the cache key need.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from bassin_lib.errors import ParameterError
from bassin_lib.running.parameters import check_edition

EDITION_FILE = "edition.json"
"""What an edition is, at its root: ``edition`` (its label), ``data_source``, ``created`` (date
of its first run, ISO 8601 UTC, kept by later runs) and ``compared_to`` (the edition its last
run compared it with, or null). :func:`resolve_compare_to` reads it to find the previous
edition."""
NO_COMPARISON = "none"
"""``--compare-to none``: compare with no edition."""


def _edition_file(edition_dir: Path) -> dict | None:
    """The edition's :data:`EDITION_FILE` (None when absent or unreadable)."""
    try:
        info = json.loads((edition_dir / EDITION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def _reports(edition_dir: Path) -> list[Path]:
    """The report folders of an edition (a ``diagnostic.html`` and an ``indicators.json``)."""
    if not edition_dir.is_dir():
        return []
    return [
        folder
        for folder in sorted(edition_dir.iterdir())
        if folder.is_dir()
        and not folder.name.startswith((".", "_"))
        and (folder / "indicators.json").is_file()
        and (folder / "diagnostic.html").is_file()
    ]


def timestamp(seconds: float | None = None) -> str:
    """A date as :data:`EDITION_FILE` writes it: ISO 8601, UTC, to the microsecond."""
    moment = datetime.now(UTC) if seconds is None else datetime.fromtimestamp(seconds, UTC)
    return moment.isoformat(timespec="microseconds")


def edition_info(edition_dir: str | Path) -> dict | None:
    """What an edition folder is: its label, data source and date, and whether it has reports.

    Parameters
    ----------
    edition_dir : path
        A folder of the output root.

    Returns
    -------
    dict or None
        ``edition``, ``data_source`` (None when unknown), ``created`` (ISO 8601 UTC) and
        ``reports`` (number of report folders); None when the folder has neither
        :data:`EDITION_FILE` nor any report. An edition made before :data:`EDITION_FILE`
        existed is read from its reports: the ``data_source`` of the first
        ``indicators.json`` that gives one, and the date of the oldest of them.
    """
    edition_dir = Path(edition_dir)
    reports = _reports(edition_dir)
    info = _edition_file(edition_dir)
    if info is None and not reports:
        return None
    out = {
        "edition": edition_dir.name,
        "data_source": None,
        "created": None,
        "reports": len(reports),
    }
    if info is not None:
        out.update(
            edition=str(info.get("edition") or edition_dir.name),
            data_source=info.get("data_source"),
            created=info.get("created"),
        )
    if out["data_source"] is None or out["created"] is None:
        dates = []
        for folder in reports:
            path = folder / "indicators.json"
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
                dates.append(path.stat().st_mtime)
            except (OSError, ValueError):
                continue
            if out["data_source"] is None and isinstance(record, dict):
                out["data_source"] = record.get("data_source")
        if out["created"] is None and dates:
            out["created"] = timestamp(min(dates))
    return out


def resolve_compare_to(
    output_root: str | Path, edition: str, data_source: str, compare_to: str | None = None
) -> str | None:
    """The edition that ``edition`` is compared with (a folder of ``output_root``), or None.

    Parameters
    ----------
    output_root : path
        Folder of the editions.
    edition : str
        This edition.
    data_source : {"demo", "real"}
        This edition's data source.
    compare_to : str, optional
        None: the previous edition of the same data source, when there is one. ``"none"``: no
        comparison. Else the name of an edition folder of ``output_root``.

    Returns
    -------
    str or None
        The folder name of the edition compared with.

    Raises
    ------
    ParameterError
        When ``compare_to`` is not a plain folder name, is this edition, names a folder that
        does not exist, or an edition of another data source.

    Notes
    -----
    The previous edition is, among the folders of ``output_root`` that hold reports of the
    same data source (:func:`edition_info`), the one created last before this edition (its
    :data:`EDITION_FILE`'s ``created``, else the date of its oldest report; for an edition
    not made yet, the last one). Running
    an edition again therefore keeps comparing it with the same previous one, even when a
    later edition exists; an edition whose data source cannot be told is never taken by
    default.
    """
    if compare_to is not None and compare_to.strip().lower() == NO_COMPARISON:
        return None
    root = Path(output_root)
    if compare_to is not None:
        try:
            check_edition(compare_to)
        except ParameterError:
            raise ParameterError(
                f"--compare-to {compare_to!r}: give the name of an edition folder of {root} "
                f"(such as 2024T3), or {NO_COMPARISON}"
            ) from None
        if compare_to == edition:
            raise ParameterError(
                f"--compare-to {compare_to}: an edition is not compared with itself"
            )
        folder = root / compare_to
        if not folder.is_dir():
            raise ParameterError(f"--compare-to {compare_to}: no edition folder {folder}")
        info = edition_info(folder)
        source = info["data_source"] if info else None
        if source is not None and source != data_source:
            raise ParameterError(
                f"--compare-to {compare_to}: {folder} is an edition of data source {source!r}, "
                f"not {data_source!r}"
            )
        return compare_to
    if not root.is_dir():
        return None
    before = (edition_info(root / edition) or {}).get("created")
    candidates = []
    for folder in root.iterdir():
        if not folder.is_dir() or folder.name.startswith(".") or folder.name == edition:
            continue
        info = edition_info(folder)
        if not info or not info["reports"] or info["data_source"] != data_source:
            continue
        created = str(info["created"] or "")
        if before and created >= before:
            continue
        candidates.append((created, folder.name))
    return max(candidates)[1] if candidates else None


def record_digest(edition_dir: Path | None, territory: str) -> str | None:
    """sha256 of the territory's ``indicators.json`` in ``edition_dir`` (None: none)."""
    if edition_dir is None:
        return None
    try:
        return hashlib.sha256(
            (edition_dir / territory / "indicators.json").read_bytes()
        ).hexdigest()
    except OSError:
        return None


def records_of(edition_dir: Path) -> dict[str, dict]:
    """``{territory: indicators.json record}`` of the reports of an edition folder (records
    that cannot be read are left out)."""
    out = {}
    for folder in _reports(edition_dir):
        try:
            record = json.loads((folder / "indicators.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict):
            out[folder.name] = {**record, "territory": str(record.get("territory") or folder.name)}
    return out
