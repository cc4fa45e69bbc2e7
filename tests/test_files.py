"""Atomic writes: a file whole or untouched, a folder published whole, a cube never half saved."""

from __future__ import annotations

import errno
import os

import pytest

from bassin_lib import files
from bassin_lib.errors import DataFormatError, MachineError
from bassin_lib.inputs import cube as cube_module


def _refuse_replace(monkeypatch):
    def full(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), src)

    monkeypatch.setattr(os, "replace", full)


def test_write_atomic_writes_text_and_bytes_with_ordinary_permissions(tmp_path):
    text = files.write_atomic(tmp_path / "deep" / "a.txt", "é\n")
    assert text.read_text(encoding="utf-8") == "é\n"
    assert files.write_atomic(tmp_path / "b.bin", b"\x00\x01").read_bytes() == b"\x00\x01"
    umask = os.umask(0)
    os.umask(umask)
    assert text.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = files.write_atomic(tmp_path / "ledger.csv", "old")
    _refuse_replace(monkeypatch)
    with pytest.raises(OSError, match="No space left"):
        files.write_atomic(path, "new")
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.csv"]


def test_writing_to_names_the_folder(tmp_path):
    with pytest.raises(MachineError) as caught, files.writing_to(tmp_path / "demo"):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp_path / "demo" / "x"))
    assert str(caught.value) == f"cannot write to {tmp_path / 'demo'}: Read-only file system"
    assert caught.value.exit_code == 4


def test_machine_faults_are_told_from_other_os_errors(tmp_path):
    assert files.is_machine_fault(OSError(errno.ENOSPC, "full"))
    assert files.is_machine_fault(
        PermissionError(errno.EACCES, "no", str(tmp_path / "a")), tmp_path
    )
    assert not files.is_machine_fault(PermissionError(errno.EACCES, "no", "/usr/bin/x"), tmp_path)
    assert not files.is_machine_fault(FileNotFoundError(errno.ENOENT, "gone"))
    assert not files.is_machine_fault(ValueError("no"))


def test_publish_dir_replaces_a_folder_whole(tmp_path):
    target = tmp_path / "DA01"
    target.mkdir()
    (target / "old.html").write_text("old")
    staging = tmp_path / ".work" / "DA01-x"
    staging.mkdir(parents=True)
    (staging / "diagnostic.html").write_text("new")
    files.publish_dir(staging, target)
    assert [p.name for p in target.iterdir()] == ["diagnostic.html"]
    assert list((tmp_path / ".work").iterdir()) == []


def test_an_interrupted_cube_save_is_not_read_as_a_cube(tiny_cube, tmp_path, monkeypatch):
    tiny_cube.save(tmp_path / "cube")
    assert cube_module.load_cube(tmp_path / "cube").territory("duo").zones == ("0051", "2705")
    _refuse_replace(monkeypatch)
    with pytest.raises(OSError):
        tiny_cube.save(tmp_path / "cube")
    monkeypatch.undo()
    with pytest.raises(DataFormatError, match="not a cube folder"):
        cube_module.load_cube(tmp_path / "cube")
    assert not [p for p in (tmp_path / "cube").iterdir() if p.name.endswith(".tmp")]


@pytest.fixture
def umask_022():
    """The umask of a usual account, whatever the test runner's."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_temporary_folders_have_ordinary_permissions_once_published(tmp_path, umask_022):
    first = files.make_temporary_dir(tmp_path / ".work", prefix="DA01-")
    second = files.make_temporary_dir(tmp_path / ".work", prefix="DA01-")
    assert first != second and first.name.startswith("DA01-") and not any(first.iterdir())
    assert first.stat().st_mode & 0o777 == 0o755  # tempfile.mkdtemp would give 0o700
    files.write_atomic(first / "diagnostic.html", "page")
    published = files.publish_dir(first, tmp_path / "DA01")
    assert published.stat().st_mode & 0o777 == 0o755
    assert (published / "diagnostic.html").stat().st_mode & 0o777 == 0o644


def test_write_if_changed_leaves_an_equal_file_alone(tmp_path):
    path = tmp_path / "diagnostic.css"
    assert files.write_if_changed(path, "body {}\n")
    before = path.stat()
    assert not files.write_if_changed(path, b"body {}\n")
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert files.write_if_changed(path, "main {}\n")
    assert path.read_text() == "main {}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["diagnostic.css"]


def test_stale_temporaries_of_interrupted_writes_are_removed(tmp_path):
    (tmp_path / ".ledger.csv.0a1b2c3d.tmp").write_text("half")
    (tmp_path / ".index.html.99aa88bb.tmp").write_text("half")
    (tmp_path / "ledger.csv").write_text("whole")
    (tmp_path / ".cache-key").write_text("key")
    (tmp_path / "notes.tmp").write_text("not ours")  # not a hidden temporary of write_atomic
    removed = files.remove_stale_temporaries(tmp_path)
    assert sorted(p.name for p in removed) == [
        ".index.html.99aa88bb.tmp",
        ".ledger.csv.0a1b2c3d.tmp",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cache-key", "ledger.csv", "notes.tmp"]
    assert files.remove_stale_temporaries(tmp_path / "absent") == []
