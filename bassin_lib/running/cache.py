"""Content-addressed cache: a report is rendered again only when what produced it changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from bassin_lib.environment import lock_digest
from bassin_lib.paths import PACKAGE_DIR

CACHE_FILE = ".cache-key"
"""File of a report folder holding the key of what produced it (:func:`cache_key`)."""


def digest(paths, root: Path) -> str:
    """sha256 over files: their path relative to ``root`` and their bytes, in sorted order.

    Parameters
    ----------
    paths : iterable of Path
        Files below ``root``.
    root : Path

    Returns
    -------
    str
        Hexadecimal digest.
    """
    sha = hashlib.sha256()
    for path in sorted(paths):
        sha.update(str(path.relative_to(root)).encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()


def folder_digest(folder: Path) -> str:
    """:func:`digest` of the files directly in ``folder`` (a saved cube)."""
    return digest([p for p in folder.iterdir() if p.is_file()], folder)


def library_digest() -> str:
    """Content of the library and its environment: every module and template of
    ``bassin_lib``, and the lock file that pins the packages it runs on.

    Returns
    -------
    str
        Hexadecimal digest.
    """
    files = [
        p
        for p in PACKAGE_DIR.rglob("*")
        if p.is_file()
        and p.suffix in {".py", ".j2", ".html", ".json"}
        and "__pycache__" not in p.parts
    ]
    code = digest(files, PACKAGE_DIR)
    return hashlib.sha256(f"{code}\n{lock_digest()}".encode()).hexdigest()


def notebook_digest(notebook: str | Path) -> str:
    """Content of the notebook file."""
    notebook = Path(notebook)
    return digest([notebook], notebook.parent)


def analyses_digest(territory: str, parameters: dict) -> str | None:
    """Content of the territory's analysts' files (None without a folder).

    Editing them renders the report again.

    Parameters
    ----------
    territory : str
        Territory id.
    parameters : dict
        The user's notebook parameters (``analyses_dir`` is read from them).

    Returns
    -------
    str or None
    """
    from bassin_lib.rendering.analysts import territory_folder

    folder = territory_folder(territory, parameters.get("analyses_dir", ""))
    if not folder.is_dir():
        return None
    return digest([p for p in folder.rglob("*") if p.is_file()], folder)


def cache_key(notebook: str, library: str, data: str, parameters: dict) -> str:
    """Content address of one report.

    Parameters
    ----------
    notebook, library, data : str
        Digests of the notebook, of the library code (:func:`library_digest`) and of the input
        data (the saved cube).
    parameters : dict
        The report's parameters, including the digest of the territory's analysts' files
        (:func:`analyses_digest`).

    Returns
    -------
    str
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


def is_up_to_date(folder: Path, key: str) -> bool:
    """Whether the report folder holds a report produced under ``key``.

    Parameters
    ----------
    folder : Path
        ``outputs/<edition>/<territory>``.
    key : str
        The key of this run (:func:`cache_key`).

    Returns
    -------
    bool
    """
    key_file = folder / CACHE_FILE
    return (
        key_file.exists()
        and (folder / "diagnostic.html").exists()
        and key_file.read_text(encoding="utf-8") == key
    )
