"""The pinned software environment: the lock file, its pins and its digest.

``requirements.lock`` at the project root pins every package that the project installs, direct
and transitive, runtime and test extras, each with the sha256 hashes of its files, for Linux
x86_64 and Python 3.11. ``./dev.sh run`` and ``./dev.sh test`` install exactly that set, and
``./dev.sh lock`` rewrites it from ``pyproject.toml``. Recording :func:`lock_digest` in a
report's provenance therefore names the exact set of packages the report was computed with.

Only the standard library is imported here.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from bassin_lib.paths import PROJECT_DIR

LOCK_FILE = PROJECT_DIR / "requirements.lock"
"""The lock file, at the project root next to ``pyproject.toml``."""

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def canonical_name(name: str) -> str:
    """Normalise a distribution name as PEP 503 does (``Jinja2`` and ``jinja2`` are one package).

    Parameters
    ----------
    name : str
        A distribution name as written in a requirement or a lock file.

    Returns
    -------
    str
        The name in lower case, each run of ``-``, ``_`` and ``.`` replaced by one ``-``.
    """
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_digest(path: str | Path | None = None) -> str | None:
    """sha256 of the lock file's bytes, to record in a report's provenance.

    Parameters
    ----------
    path : str or Path, optional
        The lock file; :data:`LOCK_FILE` when omitted.

    Returns
    -------
    str or None
        The 64-character lower-case hexadecimal digest, or None when the file does not exist
        (the package installed away from its source tree, say).
    """
    path = Path(LOCK_FILE if path is None else path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return hashlib.sha256(data).hexdigest()


def locked_versions(path: str | Path | None = None) -> dict[str, str]:
    """The version pinned for each package in the lock file.

    Parameters
    ----------
    path : str or Path, optional
        The lock file; :data:`LOCK_FILE` when omitted.

    Returns
    -------
    dict of str to str
        Canonical package name (:func:`canonical_name`) to its pinned version, in the file's
        order; empty when the file does not exist.
    """
    path = Path(LOCK_FILE if path is None else path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    return {canonical_name(name): version for name, version in _PIN.findall(text)}
