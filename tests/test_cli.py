"""The command line in-process: subcommands, documented exit codes, one-line errors."""

from __future__ import annotations

import errno
import os

import pytest

from bassin_lib.running import cli, executors


def _run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    assert len(lines) == 1, lines
    assert lines[0].startswith("bassin_lib: ")
    return lines[0]


# --- parsing -------------------------------------------------------------------------------


def test_render_is_the_default_command_and_fetch_a_true_subcommand():
    assert cli.parse_args(["DA01", "--edition", "essai"]).command == "render"
    args = cli.parse_args(["DA01", "pole-fictif-alpha", "--edition", "essai", "--jobs", "2"])
    assert (args.territories, args.edition, args.jobs) == (
        ["DA01", "pole-fictif-alpha"],
        "essai",
        2,
    )
    assert cli.parse_args(["--all"]).all_territories
    real = cli.parse_args(["2705", "--data", "real", "--raw", "/data/raw"])
    assert (real.data_source, real.raw) == ("real", "/data/raw")
    fetch = cli.parse_args(["fetch", "--from", "/media/usb", "--update"])
    assert (fetch.command, fetch.from_dir, fetch.update) == ("fetch", "/media/usb", True)
    assert cli.parse_args(["fetch", "--list"]).list
    # a territory called like a command, with the command spelled out
    named = cli.parse_args(["render", "fetch", "render"])
    assert (named.command, named.territories) == ("render", ["fetch", "render"])


def test_help_documents_the_commands_and_the_exit_codes(capsys):
    code, out, _ = _run(capsys, "--help")
    assert code == 0
    for text in ("--edition", "--data", "--raw", "-p NAME VALUE", "fetch", "render fetch"):
        assert text in out
    for exit_code in ("0 ", "1 ", "2 ", "3 ", "4 ", "130"):
        assert f"\n  {exit_code}" in out
    code, out, _ = _run(capsys, "fetch", "--help")
    assert code == 0 and "--from" in out and "exit codes" in out


# --- exit 2: usage -------------------------------------------------------------------------


@pytest.mark.parametrize("edition", ["../x", "/tmp/x", "a/b", ".", "..", "", ".hidden"])
def test_an_edition_that_is_not_a_plain_folder_name_is_a_usage_error(tmp_path, capsys, edition):
    code, _, err = _run(capsys, "DA01", "--edition", edition, "--output", str(tmp_path / "out"))
    assert code == 2
    assert "--edition" in err and "plain folder name" in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "x").exists()


def test_an_unknown_parameter_is_a_usage_error(tmp_path, capsys):
    code, _, err = _run(
        capsys, "DA01", "-p", "crisis_strat", "2019Q4", "--output", str(tmp_path), "--no-progress"
    )
    assert code == 2
    assert "unknown parameter 'crisis_strat'" in _one_error_line(err)
    assert not (tmp_path / "demo").exists()


def test_fetch_of_an_unknown_dataset_is_a_usage_error(capsys):
    code, _, err = _run(capsys, "fetch", "--source", "nope")
    assert code == 2 and "unknown dataset" in _one_error_line(err)


# --- exit 3: data --------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["corrupted", "missing"])
def test_a_malformed_or_missing_official_file_is_a_data_error(tmp_path, capsys, layout):
    raw = tmp_path / "raw"
    (raw / "insee_ze2020" / "2023").mkdir(parents=True)
    if layout == "corrupted":  # a truncated download kept under the official name
        (raw / "insee_ze2020" / "2023" / "ZE2020_au_01-01-2023.zip").write_bytes(b"PK\x03\x04 cut")
    code, _, err = _run(
        capsys,
        "2705",
        "--data",
        "real",
        "--raw",
        str(raw),
        "--output",
        str(tmp_path / "out"),
        "--no-progress",
    )
    assert code == 3
    line = _one_error_line(err)
    assert ("ZE2020_au_01-01-2023.zip" in line) if layout == "corrupted" else ("missing" in line)


def test_fetch_that_cannot_find_a_file_is_a_data_error(tmp_path, capsys):
    code, _, err = _run(
        capsys,
        "fetch",
        "--source",
        "insee_chomage",
        "--from",
        str(tmp_path / "empty"),
        "--raw",
        str(tmp_path / "raw"),
    )
    assert code == 3 and "not found under" in _one_error_line(err)


# --- exit 4: a fault of the machine --------------------------------------------------------


def _refuse_replace(monkeypatch, number: int, only: str = ""):
    """``os.replace`` (the last step of every atomic write) fails like a full/read-only disk."""
    real_replace = os.replace

    def refuse(src, dst, *args, **kwargs):
        if only in os.fspath(dst):
            raise OSError(number, os.strerror(number), os.fspath(src))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", refuse)


def _leftovers(folder):
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.parametrize("number", [errno.ENOSPC, errno.EROFS], ids=["ENOSPC", "EROFS"])
def test_a_full_disk_while_writing_the_ledger_is_one_line_and_exit_4(
    tmp_path, capsys, monkeypatch, number
):
    out = tmp_path / "out"
    _refuse_replace(monkeypatch, number, only="ledger.csv")
    # an unknown territory only: no kernel runs, the ledger is the first thing written
    code, stdout, err = _run(capsys, "DA1", "--output", str(out), "--no-progress")
    assert code == 4
    line = [x for x in err.splitlines() if x.startswith("bassin_lib: ")]
    assert line == [f"bassin_lib: cannot write to {out / 'demo'}: {os.strerror(number)}"]
    assert "Traceback" not in err and stdout == ""
    assert not (out / "demo" / "ledger.csv").exists() and not (out / "demo" / "index.html").exists()
    assert _leftovers(out) == []


def test_a_full_disk_while_saving_the_cube_leaves_no_half_cube(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    _refuse_replace(monkeypatch, errno.ENOSPC)
    code, _, err = _run(capsys, "DA01", "--output", str(out), "--no-progress")
    assert code == 4
    line = _one_error_line(err)
    assert line == f"bassin_lib: cannot write to {out / 'demo' / '_cube'}: No space left on device"
    assert not (out / "demo" / "_cube").exists()
    assert not (out / "demo" / "ledger.csv").exists()
    assert _leftovers(out) == []


def test_a_worker_refused_a_write_stops_the_batch_with_exit_4(tmp_path, capsys, monkeypatch):
    from bassin_lib.errors import MachineError

    out = tmp_path / "out"
    started = []

    def full_disk(tasks, jobs):  # stands for the worker processes: the first one hits ENOSPC
        for task in tasks:
            started.append(task["territory"])
            yield task, MachineError(task["edition_dir"], os.strerror(errno.ENOSPC))

    monkeypatch.setattr(executors, "run_local", full_disk)
    code, _, err = _run(capsys, "DA01", "DA02", "--output", str(out), "--no-progress")
    assert code == 4
    assert _one_error_line(err) == (
        f"bassin_lib: cannot write to {out / 'demo'}: No space left on device"
    )
    assert started == ["DA01"]  # the batch stopped at the first fault
    assert (out / "demo" / "ledger.csv").read_text(encoding="utf-8").startswith("territory,")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_is_one_line_and_exit_4(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        code, _, err = _run(capsys, "DA01", "--output", str(out), "--no-progress")
    finally:
        out.chmod(0o755)
    assert code == 4
    assert _one_error_line(err) == f"bassin_lib: cannot write to {out / 'demo'}: Permission denied"


# --- render fetch --------------------------------------------------------------------------


def test_a_territory_called_fetch_is_rendered_by_render(tmp_path, capsys, monkeypatch):
    groups = tmp_path / "groups.yaml"
    groups.write_text(
        'groups:\n  fetch:\n    label: Groupe nommé fetch\n    zones: ["DA01", "DA02"]\n',
        encoding="utf-8",
    )
    sent = []

    def fake_run_local(tasks, jobs):  # stands for the worker processes: no kernel here
        for task in tasks:
            sent.append(task["territory"])
            folder = tmp_path / "out" / "demo" / task["territory"]
            folder.mkdir(parents=True)
            (folder / "diagnostic.html").write_text("<html></html>", encoding="utf-8")
            yield (
                task,
                {
                    "territory": task["territory"],
                    "label": task["label"],
                    "status": "ok",
                    "failure": "",
                    "cell": "",
                    "seconds": 0.1,
                    "error": "",
                    "report": f"{task['territory']}/diagnostic.html",
                },
            )

    monkeypatch.setattr(executors, "run_local", fake_run_local)
    code, out, err = _run(
        capsys,
        "render",
        "fetch",
        "--groups",
        str(groups),
        "--output",
        str(tmp_path / "out"),
        "--no-progress",
    )
    assert code == 0, err
    assert sent == ["fetch"]
    assert out.startswith("index: ")
    ledger = (tmp_path / "out" / "demo" / "ledger.csv").read_text(encoding="utf-8")
    assert "\nfetch,Groupe nommé fetch,ok," in ledger
