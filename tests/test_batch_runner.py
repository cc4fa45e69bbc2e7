"""Batch runner at scale: parameters checked before any kernel, warm kernels giving the plain
papermill reports, kernel start retried once, interrupted runs resumed, Dask cluster."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from notebook_factory import make_notebook

import papermill_runs
from bassin_lib.errors import EditionLockedError, ParameterError, SchedulerError
from bassin_lib.paths import DIAGNOSTIC_NOTEBOOK
from bassin_lib.rendering import page
from bassin_lib.running import batch, executors
from bassin_lib.running.batch import run_batch
from bassin_lib.running.parameters import validate_parameters

ROOT = Path(__file__).resolve().parents[1]
QUIET = {"progress": False, "log": lambda _line: None}


# --- parameters ----------------------------------------------------------------------------


def test_parameters_are_checked_against_the_parameters_cell():
    checked = validate_parameters(
        DIAGNOSTIC_NOTEBOOK,
        {"crisis_start": "2019Q4", "shock_quarters": "2020Q1, 2020Q2"},
    )
    assert checked == {"crisis_start": "2019Q4", "shock_quarters": ["2020Q1", "2020Q2"]}
    with pytest.raises(ParameterError, match="unknown parameter 'crisis_strat'.*crisis_start"):
        validate_parameters(DIAGNOSTIC_NOTEBOOK, {"crisis_strat": "2019Q4"})
    with pytest.raises(ParameterError, match="set by the runner"):
        validate_parameters(DIAGNOSTIC_NOTEBOOK, {"territory": "0051"})
    with pytest.raises(ParameterError, match="not a quarter"):
        validate_parameters(DIAGNOSTIC_NOTEBOOK, {"crisis_end": "2020-12"})
    with pytest.raises(ParameterError, match="not a quarter"):
        validate_parameters(DIAGNOSTIC_NOTEBOOK, {"shock_quarters": "2020Q1,T2"})
    with pytest.raises(ParameterError, match="not a text value"):
        validate_parameters(DIAGNOSTIC_NOTEBOOK, {"long_run_start": 2012})


def test_quarters_are_read_by_the_one_parser_and_passed_on_canonical():
    checked = validate_parameters(
        DIAGNOSTIC_NOTEBOOK,
        {"crisis_start": "2019-T4", "crisis_end": "2020t4", "shock_quarters": "2020-T1,2020Q2"},
    )
    assert checked == {
        "crisis_start": "2019Q4",
        "crisis_end": "2020Q4",
        "shock_quarters": ["2020Q1", "2020Q2"],
    }
    with pytest.raises(ParameterError, match="'2019Q5' is not a quarter"):
        validate_parameters(DIAGNOSTIC_NOTEBOOK, {"crisis_start": "2019Q5"})


def test_parameter_types_follow_the_defaults(tmp_path):
    notebook = make_notebook(
        tmp_path / "typed.ipynb", "pass", extra='zone = "0051"\nsmoothing = 4\nshare = 0.5\n'
    )
    checked = validate_parameters(notebook, {"zone": "0051", "smoothing": "8", "share": "1"})
    assert checked == {"zone": "0051", "smoothing": 8, "share": 1.0}  # "0051" stays a string
    with pytest.raises(ParameterError, match="'smoothing'.*not a int"):
        validate_parameters(notebook, {"smoothing": "huit"})
    bare = tmp_path / "bare.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), bare)
    with pytest.raises(ParameterError, match="no cell tagged 'parameters'"):
        validate_parameters(bare, {})


def test_cli_rejects_an_unknown_parameter_before_any_kernel_starts(tmp_path, capsys):
    started = time.perf_counter()
    code = papermill_runs.main(
        ["DA01", "-p", "crisis_strat", "2019Q4", "--output", str(tmp_path), "--no-progress"]
    )
    assert code == 2
    assert "unknown parameter 'crisis_strat'" in capsys.readouterr().err
    assert time.perf_counter() - started < 5  # no cube, no kernel
    assert not (tmp_path / "demo").exists()


# --- warm kernels ----------------------------------------------------------------------------


@pytest.mark.slow
def test_warm_kernels_give_the_reports_of_plain_papermill(tmp_path):
    """One worker renders three territories in one warm kernel; a plain papermill run (a new
    kernel each) gives the same HTML bytes, the same outputs and execution counts."""
    territories = ["DA01", "pole-fictif-alpha", "DB02"]
    warm = run_batch(territories, output_root=tmp_path / "warm", jobs=1, **QUIET)
    cold = run_batch(territories, output_root=tmp_path / "cold", jobs=1, warm=False, **QUIET)
    assert warm.exit_code == cold.exit_code == 0
    for territory in territories:
        a = (warm.edition_dir / territory / "diagnostic.html").read_text(encoding="utf-8")
        b = (cold.edition_dir / territory / "diagnostic.html").read_text(encoding="utf-8")
        assert page.strip_timestamp(a) == page.strip_timestamp(b), territory
        nb_a = nbformat.read(warm.edition_dir / territory / "diagnostic.ipynb", as_version=4)
        nb_b = nbformat.read(cold.edition_dir / territory / "diagnostic.ipynb", as_version=4)
        for cell_a, cell_b in zip(nb_a.cells, nb_b.cells, strict=True):
            if cell_a.cell_type == "code":
                assert cell_a.execution_count == cell_b.execution_count
                assert cell_a.outputs == cell_b.outputs


@pytest.mark.slow
def test_a_failure_never_leaks_into_the_next_territory_of_the_same_kernel(tmp_path):
    notebook = make_notebook(
        tmp_path / "leak.ipynb",
        "assert 'left_over' not in dir(), 'state leaked from the previous notebook'\n"
        "left_over = territory\n"
        "import os\n"
        "if territory == 'DA02':\n    os._exit(1)\n"
        "if territory == 'DA03':\n    raise ValueError('panne')\n"
        "print(os.getcwd().split('/')[-2], territory)",
    )
    result = run_batch(
        ["DA01", "DA02", "DA03", "DA04", "DA05"],
        output_root=tmp_path / "out",
        jobs=1,
        notebook=notebook,
        **QUIET,
    )
    status = {r["territory"]: (r["status"], r["failure"]) for r in result.records}
    assert status == {
        "DA01": ("ok", ""),
        "DA02": ("failed", "dead_kernel"),
        "DA03": ("failed", "cell_error"),
        "DA04": ("ok", ""),
        "DA05": ("ok", ""),
    }
    # each notebook ran in its own work folder (the kernel's working directory)
    assert ".work DA05" in (result.edition_dir / "DA05" / "diagnostic.html").read_text()


def _flaky_kernel(tmp_path: Path, name: str, failures: int) -> Path:
    """A kernelspec whose first ``failures`` starts exit at once, then a normal IPython kernel."""
    script = tmp_path / f"{name}.py"
    script.write_text(
        "import os, sys\n"
        "count_file = sys.argv[1]\n"
        "count = int(open(count_file).read()) if os.path.exists(count_file) else 0\n"
        "open(count_file, 'w').write(str(count + 1))\n"
        f"if count < {failures}:\n    sys.exit(3)\n"
        "from ipykernel import kernelapp\n"
        "sys.argv = [sys.argv[0]] + sys.argv[2:]\n"
        "kernelapp.launch_new_instance()\n"
    )
    spec = tmp_path / "jupyter" / "kernels" / name
    spec.mkdir(parents=True)
    argv = [sys.executable, str(script), str(tmp_path / f"{name}.count"), "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": name, "language": "python"})
    )
    return tmp_path / f"{name}.count"


@pytest.mark.slow
@pytest.mark.parametrize("warm", [True, False], ids=["warm", "plain"])
def test_a_kernel_that_fails_to_start_is_retried_once(tmp_path, monkeypatch, warm):
    once = _flaky_kernel(tmp_path, "flaky-once", failures=1)
    never = _flaky_kernel(tmp_path, "flaky-always", failures=99)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    ok = run_batch(
        ["DA01"],
        output_root=tmp_path / "out",
        jobs=1,
        notebook=make_notebook(tmp_path / "once.ipynb", "print('rendu')", kernel="flaky-once"),
        warm=warm,
        **QUIET,
    )
    assert ok.records[0]["status"] == "ok"
    assert once.read_text() == "2"  # one failed start, one retry
    failed = run_batch(
        ["DA01"],
        output_root=tmp_path / "out2",
        jobs=1,
        notebook=make_notebook(tmp_path / "never.ipynb", "print('rendu')", kernel="flaky-always"),
        warm=warm,
        **QUIET,
    )
    row = failed.records[0]
    assert (row["status"], row["failure"]) == ("failed", "kernel_start")
    assert never.read_text() == "2"  # tried twice, not more
    assert "noyau" in failed.index.read_text(encoding="utf-8")


# --- interrupted runs ------------------------------------------------------------------------


def _start_cli(tmp_path: Path, notebook: Path, territories: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "papermill_runs.py"), *territories, "--jobs", "1"]
        + ["--output", str(tmp_path / "out"), "--notebook", str(notebook), "--no-progress"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, like a terminal job
        # a terminal job receives Ctrl-C even when the tests run in the background, where the
        # shell starts every command with SIGINT ignored (and Python then keeps it ignored)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for_reports(edition: Path, count: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(list(edition.glob("*/diagnostic.html"))) >= count:
            return
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} reports after {timeout} s")


def _assert_whole(edition: Path) -> set[str]:
    """Every published territory folder is a whole report; returns their names."""
    published = {p.name for p in edition.iterdir() if p.is_dir() and not p.name.startswith(".")}
    published.discard("_cube")
    for name in published:
        files = {p.name for p in (edition / name).iterdir()}
        assert {"diagnostic.html", "diagnostic.ipynb", ".cache-key"} <= files, (name, files)
    return published


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "killed"])
def test_an_interrupted_run_leaves_whole_reports_and_the_next_run_resumes(tmp_path, sig):
    notebook = make_notebook(
        tmp_path / "slow.ipynb", "import time\ntime.sleep(1.5)\nprint('rendu')"
    )
    territories = ["DA01", "DA02", "DA03", "DA04", "DA05", "DA06"]
    edition = tmp_path / "out" / "demo"
    process = _start_cli(tmp_path, notebook, territories)
    _wait_for_reports(edition, 2)
    os.killpg(process.pid, sig)
    _out, err = process.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert process.returncode == 130
        assert "running the same command again resumes" in err
    else:
        assert process.returncode == -signal.SIGKILL
    finished = _assert_whole(edition)
    assert 2 <= len(finished) < len(territories)
    # the next run takes the finished ones from the cache and renders the others
    again = run_batch(territories, output_root=tmp_path / "out", jobs=2, notebook=notebook, **QUIET)
    status = {r["territory"]: r["status"] for r in again.records}
    assert {t for t, s in status.items() if s == "cached"} == finished
    assert set(status.values()) <= {"ok", "cached"}
    assert _assert_whole(edition) == set(territories)
    assert not (edition / ".work").exists()


def test_two_runs_of_one_edition_cannot_overlap(tmp_path):
    import fcntl

    edition = tmp_path / "demo"
    edition.mkdir()
    with (edition / batch.LOCK_FILE).open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(EditionLockedError, match="another run of the edition"):
            run_batch(["DA01"], output_root=tmp_path, **QUIET)


# --- Dask ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_dask_cluster_gives_the_outputs_of_the_local_runner(tmp_path):
    from distributed import LocalCluster

    territories = ["DA01", "pole-fictif-alpha", "DA9"]
    local = run_batch(territories, output_root=tmp_path / "local", jobs=2, **QUIET)
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        remote = run_batch(
            territories, output_root=tmp_path / "dask", scheduler=cluster.scheduler_address, **QUIET
        )
    assert remote.exit_code == local.exit_code == 1  # DA9 is unknown in both
    summary = [(r["territory"], r["status"]) for r in remote.records]
    assert summary == [(r["territory"], r["status"]) for r in local.records]
    for territory in ("DA01", "pole-fictif-alpha"):
        pages = [
            page.strip_timestamp((run.edition_dir / territory / "diagnostic.html").read_text())
            for run in (remote, local)
        ]
        assert pages[0] == pages[1], territory


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT", 2)
    with pytest.raises(SchedulerError, match="no Dask scheduler at tcp://127.0.0.1:9"):
        run_batch(["DA01"], output_root=tmp_path, scheduler="tcp://127.0.0.1:9", **QUIET)


@pytest.mark.slow
def test_editing_an_analysts_file_renders_that_territory_again(tmp_path):
    root = tmp_path / "analyses"
    (root / "DA01").mkdir(parents=True)
    (root / "DA01" / "enjeux.md").write_text("Premier texte.", encoding="utf-8")
    notebook = make_notebook(tmp_path / "a.ipynb", "print(territory)", extra='analyses_dir = ""\n')

    def run():
        result = run_batch(
            ["DA01", "DA02"],
            output_root=tmp_path / "out",
            notebook=notebook,
            parameters={"analyses_dir": str(root)},
            **QUIET,
        )
        return {r["territory"]: r["status"] for r in result.records}

    assert run() == {"DA01": "ok", "DA02": "ok"}
    assert run() == {"DA01": "cached", "DA02": "cached"}
    (root / "DA01" / "enjeux.md").write_text("Texte revu.", encoding="utf-8")
    assert run() == {"DA01": "ok", "DA02": "cached"}
