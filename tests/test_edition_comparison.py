"""Editions compared (issue 14, « What changed »): the runner's side. ``--compare-to`` and the
default previous edition (bassin_lib.running.editions.resolve_compare_to, edition.json), the
parameter given to each notebook and the cache key, the index's column and changes.html, the
ledger's ``checks`` column; then, end to end, two demo editions whose data differ by one
revised quarter and one added quarter."""

from __future__ import annotations

import csv
import html
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from notebook_factory import make_notebook

from bassin_lib.errors import ParameterError
from bassin_lib.inputs import demo
from bassin_lib.running import cli, executors, ledger
from bassin_lib.running.batch import run_batch
from bassin_lib.running.editions import EDITION_FILE, edition_info, resolve_compare_to


def _indicators(territory: str, **figures) -> dict:
    record = {
        "territory": territory,
        "label": f"Zone {territory}",
        "employment_change_pct": -1.0,
        "employment_window": "2019Q4-2020Q4",
        "unemployment_rate": 7.0,
        "unemployment_period": "2024Q3",
        "poverty_rate": 14.0,
        "data_source": "demo",
        "series": {"employment": {"2024Q3": 1000.0}},
        "qualifiers": {},
        "checks_failed": [],
    }
    record.update(figures)
    return record


def _edition(root: Path, name: str, source: str | None, created: str | None, reports=("DA01",)):
    """An edition folder made by hand: its reports and, when ``created`` is given, its
    edition.json."""
    folder = root / name
    folder.mkdir(parents=True)
    for territory in reports:
        (folder / territory).mkdir()
        (folder / territory / "diagnostic.html").write_text("<p>rapport</p>", encoding="utf-8")
        record = _indicators(territory, data_source=source)
        (folder / territory / "indicators.json").write_text(json.dumps(record), encoding="utf-8")
    if created is not None:
        info = {"edition": name, "data_source": source, "created": created, "compared_to": None}
        (folder / EDITION_FILE).write_text(json.dumps(info), encoding="utf-8")
    return folder


# --- the previous edition ---------------------------------------------------------------------


@pytest.fixture
def root(tmp_path):
    """Editions of two data sources; one without edition.json (made before it existed), one
    without any report."""
    root = tmp_path / "outputs"
    _edition(root, "2024T2", "demo", "2024-07-01T08:00:00.000000+00:00")
    _edition(root, "2024T3", "demo", "2024-10-01T08:00:00.000000+00:00", ("DA01", "DA02"))
    _edition(root, "reel-2024T3", "real", "2024-11-01T08:00:00.000000+00:00")
    _edition(root, "vide", "demo", "2024-12-01T08:00:00.000000+00:00", reports=())
    old = _edition(root, "ancienne", "demo", None)
    january = datetime(2024, 1, 2, tzinfo=UTC).timestamp()
    os.utime(old / "DA01" / "indicators.json", (january, january))
    (root / ".cachee").mkdir()
    return root


def test_the_default_is_the_last_edition_of_the_same_data_source(root):
    assert resolve_compare_to(root, "2024T4", "demo") == "2024T3"  # not « vide »: no report
    assert resolve_compare_to(root, "2024T4", "real") == "reel-2024T3"
    # an edition rendered again keeps its previous one, even when a later edition exists
    assert resolve_compare_to(root, "2024T3", "demo") == "2024T2"
    # an edition made before edition.json existed is read from its reports
    assert resolve_compare_to(root, "2024T2", "demo") == "ancienne"
    info = edition_info(root / "ancienne")
    assert info["data_source"] == "demo" and info["created"].startswith("2024-01-02")
    assert info["reports"] == 1
    assert edition_info(root / "vide")["reports"] == 0


def test_no_default_when_there_is_no_previous_edition_of_the_data_source(root, tmp_path):
    assert resolve_compare_to(root, "ancienne", "demo") is None  # the oldest one
    assert resolve_compare_to(root, "reel-2024T3", "real") is None
    assert resolve_compare_to(tmp_path / "nowhere", "2024T4", "demo") is None
    assert resolve_compare_to(root, "2024T4", "demo", "none") is None
    assert resolve_compare_to(root, "2024T4", "demo", "None") is None


def test_an_explicit_edition_must_be_an_edition_folder_of_the_same_data_source(root):
    assert resolve_compare_to(root, "2024T4", "demo", "2024T2") == "2024T2"
    with pytest.raises(ParameterError, match=r"--compare-to 2025T1: no edition folder .*2025T1"):
        resolve_compare_to(root, "2024T4", "demo", "2025T1")
    with pytest.raises(ParameterError, match="--compare-to '../x': give the name of an edition"):
        resolve_compare_to(root, "2024T4", "demo", "../x")
    with pytest.raises(ParameterError, match="an edition is not compared with itself"):
        resolve_compare_to(root, "2024T3", "demo", "2024T3")
    with pytest.raises(ParameterError, match="edition of data source 'real', not 'demo'"):
        resolve_compare_to(root, "2024T4", "demo", "reel-2024T3")


# --- the command line -------------------------------------------------------------------------


def test_compare_to_is_parsed_and_documented(capsys):
    assert cli.parse_args(["DA01"]).compare_to is None
    assert cli.parse_args(["DA01", "--compare-to", "2024T3"]).compare_to == "2024T3"
    assert cli.parse_args(["DA01", "--compare-to", "none"]).compare_to == "none"
    assert cli.main(["--help"]) == 0
    assert "--compare-to EDITION" in capsys.readouterr().out


def test_an_explicit_edition_that_does_not_exist_is_a_usage_error(tmp_path, capsys):
    out = tmp_path / "out"
    code = cli.main(["DA01", "--compare-to", "2025T1", "--output", str(out), "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == [f"bassin_lib: --compare-to 2025T1: no edition folder {out / '2025T1'}"]
    assert not out.exists()  # refused before anything is written


def test_the_runner_sets_compare_to_not_the_user(tmp_path, capsys):
    notebook = make_notebook(tmp_path / "nb.ipynb", "pass", extra='compare_to = ""\n')
    code = cli.main(
        ["DA01", "--notebook", str(notebook), "-p", "compare_to", "x", "--output", str(tmp_path)]
    )
    assert code == 2
    assert "parameter 'compare_to' is set by the runner" in capsys.readouterr().err


# --- the batch, with workers that stand for papermill ----------------------------------------


class FakeWorkers:
    """Stands for the worker processes (no kernel): writes each territory's report folder
    with the indicators.json of ``records[edition][territory]``, and keeps the tasks."""

    def __init__(self, records: dict):
        self.records = records
        self.tasks: list[dict] = []

    def __call__(self, tasks, jobs):
        for task in tasks:
            self.tasks.append(task)
            folder = Path(task["edition_dir"]) / task["territory"]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "diagnostic.html").write_text("<p>rapport</p>", encoding="utf-8")
            record = self.records[task["edition"]][task["territory"]]
            (folder / "indicators.json").write_text(json.dumps(record), encoding="utf-8")
            (folder / ".cache-key").write_text(task["cache_key"], encoding="utf-8")
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


def test_an_edition_is_compared_with_the_previous_one_and_its_records_are_in_the_key(
    tmp_path, monkeypatch
):
    out = tmp_path / "out"
    notebook = make_notebook(tmp_path / "nb.ipynb", "pass", extra='compare_to = ""\n')
    failed = [{"section": "jobseekers", "check": "abc_sum", "detail": "A + B + C ≠ ABC"}]
    workers = FakeWorkers(
        {
            "2024T3": {"DA01": _indicators("DA01"), "DA02": _indicators("DA02")},
            "2024T4": {
                "DA01": _indicators("DA01", unemployment_rate=7.4, checks_failed=failed),
                "DA03": _indicators("DA03"),
            },
        }
    )
    monkeypatch.setattr(executors, "run_local", workers)
    lines: list[str] = []

    def run(territories, edition, **options):
        workers.tasks.clear()
        lines.clear()
        return run_batch(
            territories,
            edition=edition,
            output_root=out,
            notebook=notebook,
            progress=False,
            log=lines.append,
            **options,
        )

    first = run(["DA01", "DA02"], "2024T3")
    assert first.compared_to is None and first.changes is None
    assert [t["parameters"]["compare_to"] for t in workers.tasks] == ["", ""]
    info = json.loads((out / "2024T3" / EDITION_FILE).read_text(encoding="utf-8"))
    assert (info["edition"], info["data_source"], info["compared_to"]) == ("2024T3", "demo", None)
    assert "Évolution depuis" not in first.index.read_text(encoding="utf-8")

    second = run(["DA01", "DA03"], "2024T4")
    assert second.compared_to == "2024T3"
    previous_dir = str((out / "2024T3").resolve())
    assert [t["parameters"]["compare_to"] for t in workers.tasks] == [previous_dir] * 2
    assert f"comparaison avec l'édition 2024T3 ({previous_dir})" in lines
    info = json.loads((out / "2024T4" / EDITION_FILE).read_text(encoding="utf-8"))
    assert (
        info["compared_to"] == "2024T3"
        and info["created"]
        > json.loads((out / "2024T3" / EDITION_FILE).read_text(encoding="utf-8"))["created"]
    )
    index = html.unescape(second.index.read_text(encoding="utf-8"))
    assert "Évolution depuis l'édition 2024T3" in index and 'href="changes.html"' in index
    assert re.search(r'data-sort="0\.4">taux de chômage \+\s0,4\spoint</td>', index)
    assert ">nouveau territoire</td>" in index
    page = html.unescape(second.changes.read_text(encoding="utf-8"))
    assert '<a href="../2024T3/DA02/diagnostic.html">Zone DA02</a> (DA02)' in page  # absent
    assert '<a href="DA03/diagnostic.html">Zone DA03</a> (DA03)' in page  # new
    with second.ledger.open(encoding="utf-8") as handle:
        checks = {row["territory"]: row["checks"] for row in csv.DictReader(handle)}
    assert checks == {"DA01": "jobseekers/abc_sum", "DA03": ""}

    # nothing changed: up to date; the previous edition's record of DA01 changed: DA01 again
    assert {r["status"] for r in run(["DA01", "DA03"], "2024T4").records} == {"cached"}
    path = out / "2024T3" / "DA01" / "indicators.json"
    path.write_text(json.dumps(_indicators("DA01", unemployment_rate=6.9)), encoding="utf-8")
    statuses = {r["territory"]: r["status"] for r in run(["DA01", "DA03"], "2024T4").records}
    assert statuses == {"DA01": "ok", "DA03": "cached"}
    assert second.changes.exists()

    # compared with none: no block (an empty folder given), no column, no page
    third = run(["DA01", "DA03"], "2024T4", compare_to="none")
    assert third.compared_to is None and third.changes is None
    assert [t["parameters"]["compare_to"] for t in workers.tasks] == ["", ""]
    assert not (out / "2024T4" / "changes.html").exists()
    assert "Évolution depuis" not in third.index.read_text(encoding="utf-8")


def test_a_notebook_without_compare_to_gets_no_such_parameter(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _edition(out, "2024T3", "demo", "2024-10-01T08:00:00.000000+00:00")
    notebook = make_notebook(tmp_path / "nb.ipynb", "pass")
    workers = FakeWorkers({"2024T4": {"DA01": _indicators("DA01")}})
    monkeypatch.setattr(executors, "run_local", workers)
    result = run_batch(
        ["DA01"], edition="2024T4", output_root=out, notebook=notebook, progress=False,
        log=lambda _line: None,
    )  # fmt: skip
    assert result.compared_to == "2024T3" and result.changes.exists()  # the index compares
    assert "compare_to" not in workers.tasks[0]["parameters"]


# --- the ledger -------------------------------------------------------------------------------


def test_the_ledger_lists_the_failed_checks_of_a_report(tmp_path):
    path = tmp_path / "indicators.json"
    failed = [
        {"section": "jobseekers", "check": "abc_sum", "detail": "..."},
        {"section": "crisis", "check": "france_total", "detail": "..."},
    ]
    path.write_text(json.dumps({"territory": "DA01", "checks_failed": failed}), encoding="utf-8")
    assert ledger.failed_checks(path) == "jobseekers/abc_sum; crisis/france_total"
    path.write_text(json.dumps({"territory": "DA01", "checks_failed": []}), encoding="utf-8")
    assert ledger.failed_checks(path) == ""
    path.write_text(json.dumps({"territory": "DA01"}), encoding="utf-8")  # made before
    assert ledger.failed_checks(path) == ""
    assert ledger.failed_checks(tmp_path / "absent.json") == ""
    written = ledger.write_ledger([{"territory": "DA01", "checks": "a/b"}], tmp_path / "l.csv")
    assert written.read_text(encoding="utf-8").splitlines() == [
        "territory,label,status,failure,cell,seconds,error,report,checks",
        "DA01,,,,,,,,a/b",
    ]


# --- end to end: two demo editions ------------------------------------------------------------

REVISED, ADDED, REVISION = "2023Q2", "2025Q1", 0.03


def revise(tables: dict) -> tuple[dict, float, float]:
    """The demo tables of the next edition: DA01's private jobs of :data:`REVISED` revised up by
    3 % (its largest sector and the total, seasonally adjusted and raw alike, so that sectors
    still add up; the region and France, summed from the zones, follow), and one quarter more
    (:data:`ADDED`, every zone at its level of the last quarter). Returns the tables and DA01's
    total then and now."""
    employment = tables["employment"].copy()
    at = (employment["code"] == "DA01") & (employment["period"] == pd.Period(REVISED, "Q"))
    before = after = None
    for adjustment in ("cvs", "brut"):
        rows = employment[at & (employment["adjustment"] == adjustment)]
        total = rows[rows["sector"] == "TOTAL"]
        sectors = rows[rows["sector"] != "TOTAL"]
        delta = round(REVISION * float(total["value"].iloc[0]))
        employment.loc[total.index, "value"] += delta
        employment.loc[sectors["value"].idxmax(), "value"] += delta
        if adjustment == "cvs":
            before = float(total["value"].iloc[0])
            after = before + delta
    last = employment[employment["period"] == employment["period"].max()].copy()
    last["period"] = pd.Period(ADDED, "Q")
    tables = {**tables, "employment": pd.concat([employment, last], ignore_index=True)}
    return tables, before, after


def _text(page: str) -> str:
    body = re.sub(r"<style.*?</style>", "", page, flags=re.S)
    body = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return re.sub(r"\s+", " ", body.replace("\u00a0", " ").replace("\u202f", " "))


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


@pytest.mark.slow
def test_two_demo_editions_report_the_revised_and_the_added_quarter(tmp_path, monkeypatch):
    out = tmp_path / "outputs"

    def run(edition):
        return run_batch(
            ["DA01"], edition=edition, output_root=out, jobs=1, progress=False,
            log=lambda _line: None,
        )  # fmt: skip

    first = run("2024T3")
    assert first.exit_code == 0 and first.compared_to is None
    generate = demo.generate
    figures = {}

    def next_edition(*args, **kwargs):
        data = generate(*args, **kwargs)
        data.tables, figures["before"], figures["after"] = revise(data.tables)
        return data

    monkeypatch.setattr(demo, "generate", next_edition)
    second = run("2024T4")
    assert second.exit_code == 0 and second.compared_to == "2024T3"
    record = json.loads((out / "2024T4" / "DA01" / "indicators.json").read_text(encoding="utf-8"))
    assert ADDED in record["series"]["employment"], "the writer side keeps no series yet"

    text = _text((out / "2024T4" / "DA01" / "diagnostic.html").read_text(encoding="utf-8"))
    # the block's heading (its first mention is in the contents)
    block = text[text.rindex("Ce qui a changé depuis l'édition 2024T3") :]
    assert "Nouvelles données publiées : emploi salarié privé : T1 2025." in block
    before, after = figures["before"], figures["after"]
    percent = f"{100 * (after - before) / before:.1f}".replace(".", ",")  # about 3,0
    assert (
        "Révisions des chiffres déjà publiés (d'au moins 0,5 % pour les effectifs, 0,1 point "
        f"pour les taux) : emploi salarié privé, T2 2023 : {_number(after)} au lieu de "
        f"{_number(before)} (+ {percent} %)."
    ) in block
    # exactly those changes: headlines unchanged, nothing withdrawn, no smaller revision, no
    # sentence whose qualifier changed
    assert block.count("sans changement") == 3
    for absent in ("ne sont plus publiées", "légèrement révisée", "Appréciations modifiées"):
        assert absent not in block
    assert "Rien n'a changé" not in block

    index = html.unescape(second.index.read_text(encoding="utf-8"))
    assert "Évolution depuis l'édition 2024T3" in index
    assert '<td class="change" data-sort="0.0">1 période ajoutée ; 1 révision</td>' in index
    assert 'href="changes.html"' in index and second.changes.exists()
    assert run("2024T4").records[0]["status"] == "cached"
