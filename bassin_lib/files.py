"""Atomic writes: a file is whole or absent, a folder is published whole by a rename.

Everything is created with the permissions of any generated site: files ``0o666`` and folders
``0o777`` less the process's umask (``tempfile.mkstemp`` and ``mkdtemp`` would give ``0o600`` and
``0o700``, which a web server running as another user cannot read once published by a rename).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from pathlib import Path

from bassin_lib.errors import MachineError

WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EIO})
"""``errno`` values of a write the machine refused, whatever the file."""
ACCESS_ERRNOS = frozenset({errno.EACCES, errno.EPERM})
"""``errno`` values of a file the process may not write (or read)."""
TEMPORARY_SUFFIX = ".tmp"
"""Suffix of the temporary file of :func:`write_atomic` (``.<name>.<random>.tmp``)."""


def write_atomic(path: str | Path, content: str | bytes) -> Path:
    """Write ``content`` to ``path`` whole, or leave ``path`` as it was.

    The content goes to a temporary file in the same folder, is flushed to disk (``fsync``),
    then renamed over ``path`` (``os.replace``); the temporary file is removed on any failure.

    Parameters
    ----------
    path : str or Path
        File to write; its folder is created when missing.
    content : str or bytes
        Text (written as UTF-8) or bytes.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OSError
        When the machine refuses the write (no space left, read-only folder...); ``path`` is
        then untouched.
    """
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}")
        try:  # mode 0o666 less the umask, like an ordinary new file (mkstemp would give 0o600)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        break
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_folder(path.parent)
    return path


def write_if_changed(path: str | Path, content: str | bytes) -> bool:
    """Write ``content`` to ``path`` atomically (:func:`write_atomic`) unless it holds it already.

    Parameters
    ----------
    path : str or Path
    content : str or bytes
        Text (UTF-8) or bytes.

    Returns
    -------
    bool
        True when the file was written, False when it already held ``content`` (its date and
        bytes untouched).
    """
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    try:
        if path.read_bytes() == data:
            return False
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        pass
    write_atomic(path, data)
    return True


def make_temporary_dir(parent: str | Path, prefix: str = "") -> Path:
    """A new, empty folder ``<parent>/<prefix><random>``, for a folder to publish by a rename.

    Unlike ``tempfile.mkdtemp`` (mode ``0o700``), the folder has the ordinary mode ``0o777``
    less the umask, so that once published (:func:`publish_dir`) others can read it as they
    read any folder of a generated site.

    Parameters
    ----------
    parent : str or Path
        Where to make it (created when missing); on the file system of the final place.
    prefix : str
        Start of its name.

    Returns
    -------
    Path
        The new folder; removing it is the caller's business.
    """
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    while True:
        folder = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            folder.mkdir(mode=0o777)  # less the umask, as mkdir(1) does
        except FileExistsError:
            continue
        return folder


def remove_stale_temporaries(folder: str | Path) -> list[Path]:
    """Remove the temporary files :func:`write_atomic` left directly in ``folder``.

    A process killed while writing leaves its ``.<name>.<random>.tmp`` file behind; call this
    only when nothing else writes to ``folder`` (e.g. under the lock of an edition).

    Parameters
    ----------
    folder : str or Path

    Returns
    -------
    list of Path
        The files removed.
    """
    removed = []
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for path in Path(folder).glob(f".*{TEMPORARY_SUFFIX}"):
            if path.is_file() and not path.is_symlink():
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
    return removed


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries (the rename) to disk, where the system allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def publish_dir(staging: str | Path, target: str | Path) -> Path:
    """Put the finished folder ``staging`` in the place of ``target``, by renames.

    ``target`` (when it exists) is first renamed next to ``staging`` (``<staging>.old``), then
    ``staging`` is renamed to ``target`` and the old folder removed. Both must be on the same
    file system. An interruption leaves either the old folder or the new one at ``target``
    (or, between the two renames, none), never a mix; what is left next to ``staging`` is for
    the caller to clear.

    Parameters
    ----------
    staging : str or Path
        A complete folder.
    target : str or Path
        Where it is published.

    Returns
    -------
    Path
        ``target``.
    """
    staging, target = Path(staging), Path(target)
    old = None
    if target.exists():
        old = staging.with_name(staging.name + ".old")
        target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        if old is not None:
            with contextlib.suppress(OSError):
                old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    _sync_folder(target.parent)
    return target


def is_machine_fault(exc: BaseException, folder: str | Path | None = None) -> bool:
    """Whether ``exc`` is a write the machine refused, rather than a fault of the program.

    Parameters
    ----------
    exc : BaseException
    folder : str or Path, optional
        The folder being written: a permission error counts only for a file below it (a
        permission error elsewhere, e.g. on a program to start, is not a write fault).

    Returns
    -------
    bool
        True for an ``OSError`` whose ``errno`` is in :data:`WRITE_ERRNOS` (no space left,
        read-only file system...), or in :data:`ACCESS_ERRNOS` for a file below ``folder``.
    """
    if not isinstance(exc, OSError):
        return False
    if exc.errno in WRITE_ERRNOS:
        return True
    if exc.errno not in ACCESS_ERRNOS:
        return False
    if folder is None:
        return True
    if not isinstance(exc.filename, str | bytes | os.PathLike):
        return False
    path = Path(os.fsdecode(exc.filename)).absolute()
    root = Path(folder).absolute()
    return path == root or root in path.parents


@contextlib.contextmanager
def writing_to(folder: str | Path):
    """Context in which any ``OSError`` becomes a :class:`MachineError` naming ``folder``.

    Parameters
    ----------
    folder : str or Path
        The folder being written, named in the message (``cannot write to <folder>: <reason>``).

    Raises
    ------
    MachineError
        Instead of the ``OSError`` (chained to it).
    """
    try:
        yield
    except OSError as exc:
        raise MachineError(folder, exc.strerror or str(exc)) from exc
