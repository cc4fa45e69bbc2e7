"""End to end: papermill renders demo territories to HTML; the CLI validates before running."""

import csv
import re

import pandas as pd
import pytest
from notebook_factory import make_notebook

import papermill_runs
from bassin_lib.running.batch import run_batch


def _expected_change(tables, codes, start="2019Q4", end="2020Q4"):
    """Change in % of summed private jobs (CVS), straight from the demo table."""
    emp = tables["employment"]
    rows = emp[(emp["sector"] == "TOTAL") & (emp["adjustment"] == "cvs") & emp["code"].isin(codes)]
    first = rows[rows["period"] == pd.Period(start)]["value"].sum()
    last = rows[rows["period"] == pd.Period(end)]["value"].sum()
    return 100 * (last - first) / first


def _french(value):
    sign = "- " if value < 0 else "+ "
    return sign + f"{abs(value):.1f}".replace(".", ",") + " %"


def _text(html):
    body = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", body.replace("\u00a0", " ").replace("\u202f", " "))


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    output = tmp_path_factory.mktemp("outputs")
    lines = []
    result = run_batch(
        ["DA01", "pole-fictif-alpha", "DA1"],
        output_root=output,
        jobs=2,
        progress=False,
        log=lines.append,
    )
    return result, lines


@pytest.mark.slow
def test_valid_territories_render_and_unknown_one_is_reported(batch):
    result, lines = batch
    status = {r["territory"]: r["status"] for r in result.records}
    assert status == {"DA01": "ok", "pole-fictif-alpha": "ok", "DA1": "rejected"}
    assert result.exit_code == 1
    assert any("unknown territory 'DA1'" in line and "DA01 (" in line for line in lines)
    with result.ledger.open(encoding="utf-8") as handle:
        ledger = list(csv.DictReader(handle))
    assert [r["territory"] for r in ledger] == ["DA1", "DA01", "pole-fictif-alpha"]
    assert all(float(r["seconds"]) > 0 for r in ledger if r["status"] == "ok")


@pytest.mark.slow
@pytest.mark.parametrize(
    "territory, zones", [("DA01", ["DA01"]), ("pole-fictif-alpha", ["DA01", "DA02"])]
)
def test_report_html_has_the_right_sentence_figures_and_notice(batch, demo_data, territory, zones):
    result, _ = batch
    html = (result.edition_dir / territory / "diagnostic.html").read_text(encoding="utf-8")
    text = _text(html)
    local = _expected_change(demo_data.tables, zones)
    france = _expected_change(demo_data.tables, list(demo_data.zones["zone"]))
    assert f"({_french(local)} contre {_french(france)})" in text
    # identity card: population of the last year, summed by hand from the demo table
    population = demo_data.tables["population"]
    total = population[
        population["code"].isin(zones) & (population["period"] == pd.Period("2024", "Y"))
    ]["value"].sum()
    assert f"Population (2024) {int(total):,}".replace(",", " ") in text
    assert "Entre le 4e trimestre 2019 et le 4e trimestre 2020, l'emploi salarié privé" in text
    assert html.count('src="data:image/png;base64,') >= 6
    assert "Données synthétiques" in text and "ne décrivent aucun territoire réel" in text
    assert "Définitions des indicateurs" in text and "Taux de chômage localisé" in text
    assert "Selon l'enquête Besoins en main-d'œuvre 2024, les employeurs de" in text
    assert "(effet de structure)" in text and "(effet local)" in text
    assert "le modèle de développement du territoire est de type «" in text
    assert "le nombre de chômeurs implicite" in text
    assert "habitants par km²" in text and "par an en moyenne" in text
    assert "en activité réduite (catégories B et C) représentent" in text
    assert "les intérimaires représentent" in text and "sur un an" in text  # 6. Intérim
    assert re.search(r"<blockquote>\s*<p><strong>Données synthétiques", html)
    # no code, no prompts, no Python debris
    body = html.split("<body", 1)[1]
    assert "hl-ipython3" not in body and "jp-InputPrompt" not in body
    assert "from bassin_lib" not in body and "import " not in text
    for debris in ("Traceback", "DataFrame", "<Figure", "None", "NaN"):
        assert debris not in text
    assert '<html lang="fr">' in html
    assert "http://" not in html.split("<body")[0].replace("http://www.w3.org", "")


@pytest.mark.slow
def test_index_links_every_report(batch):
    result, _ = batch
    index = result.index.read_text(encoding="utf-8")
    assert 'href="DA01/diagnostic.html"' in index
    assert 'href="pole-fictif-alpha/diagnostic.html"' in index
    assert "refusé" in index and "Données synthétiques" in index


def test_cli_keeps_zone_codes_as_strings_and_documents_every_option(capsys):
    args = papermill_runs.parse_args(["0051", "2705"])
    assert args.territories == ["0051", "2705"]
    with pytest.raises(SystemExit):
        papermill_runs.parse_args(["--help"])
    help_text = capsys.readouterr().out
    for option in (
        "--all",
        "--data",
        "--edition",
        "--jobs",
        "--output",
        "--demo-zones",
        "--groups",
        "--timeout",
        "--no-progress",
        "--force",
        "--rerun-failed",
    ):
        assert option in help_text


def test_cli_without_territory_is_a_usage_error(capsys):
    assert papermill_runs.main(["--output", "/nonexistent-never-written"]) == 2
    assert "--all" in capsys.readouterr().err


def _failing_notebook(path):
    """A diagnostic-shaped notebook whose run fails for one territory only."""
    return make_notebook(
        path,
        'if territory == "DA02":\n    raise ValueError("panne simulée")\nprint("rendu", territory)',
    )


@pytest.mark.slow
def test_one_failing_territory_does_not_stop_the_others(tmp_path):
    notebook = _failing_notebook(tmp_path / "failing.ipynb")
    result = run_batch(
        ["DA01", "DA02", "DA03"],
        output_root=tmp_path / "out",
        jobs=2,
        notebook=notebook,
        progress=False,
        log=lambda _line: None,
    )
    status = {r["territory"]: (r["status"], r["error"]) for r in result.records}
    assert status["DA01"] == ("ok", "") and status["DA03"] == ("ok", "")
    assert status["DA02"] == ("failed", "ValueError: panne simulée")
    assert result.exit_code == 1
    # the failed run leaves its executed notebook, but no report
    assert (result.edition_dir / "DA02" / "diagnostic.ipynb").exists()
    assert not (result.edition_dir / "DA02" / "diagnostic.html").exists()
    assert "rendu DA03" in (result.edition_dir / "DA03" / "diagnostic.html").read_text()
    # a second (forced) run over the same edition replaces the report folder whole
    again = run_batch(
        ["DA03"],
        output_root=tmp_path / "out",
        jobs=1,
        notebook=notebook,
        progress=False,
        force=True,
        log=lambda _line: None,
    )
    assert again.exit_code == 0 and again.records[0]["status"] == "ok"
    assert sorted(p.name for p in (again.edition_dir / "DA03").iterdir()) == [
        ".cache-key",
        "diagnostic.html",
        "diagnostic.ipynb",
    ]
    assert not (again.edition_dir / ".work").exists()


def test_cli_fetch_lists_the_official_datasets(capsys):
    assert papermill_runs.main(["fetch", "--list"]) == 0
    listing = capsys.readouterr().out
    for name in (
        "insee_ze2020",
        "insee_chomage",
        "insee_filosofi",
        "urssaf_emploi",
        "dares_demandeurs",
        "francetravail_bmo",
        "dares_interim",
        "anct_population",
    ):
        assert name in listing
    assert papermill_runs.main(["fetch", "--source", "nope"]) == 2
    assert "unknown dataset" in capsys.readouterr().err


@pytest.mark.slow
def test_content_addressed_cache_force_and_rerun_failed(tmp_path):
    notebook = _failing_notebook(tmp_path / "failing.ipynb")
    out = tmp_path / "out"

    def run(territories=None, **options):
        return run_batch(
            territories,
            output_root=out,
            jobs=2,
            notebook=notebook,
            progress=False,
            log=lambda _line: None,
            **options,
        )

    first = run(["DA01", "DA02", "DA03"])
    assert {r["territory"]: r["status"] for r in first.records} == {
        "DA01": "ok",
        "DA02": "failed",
        "DA03": "ok",
    }
    # nothing changed: the successful ones are not run again; the failed one is
    second = run(["DA01", "DA02", "DA03"])
    status = {r["territory"]: r["status"] for r in second.records}
    assert status == {"DA01": "cached", "DA02": "failed", "DA03": "cached"}
    assert "à jour" in second.index.read_text(encoding="utf-8")
    # --rerun-failed takes only the failed one; the ledger keeps the others
    third = run(rerun_failed=True)
    assert [r["territory"] for r in third.records if r["status"] != "cached"][:1] == ["DA02"]
    with third.ledger.open(encoding="utf-8") as handle:
        assert {row["territory"] for row in csv.DictReader(handle)} == {"DA01", "DA02", "DA03"}
    # the notebook changed: everything runs again; --force does too
    notebook.write_text(notebook.read_text().replace("rendu", "rendu v2"))
    fourth = run(["DA01"])
    assert fourth.records[0]["status"] == "ok"
    assert "rendu v2 DA01" in (out / "demo" / "DA01" / "diagnostic.html").read_text()
    assert run(["DA01"], force=True).records[0]["status"] == "ok"
    assert run(["DA01"]).records[0]["status"] == "cached"


@pytest.mark.slow
def test_failures_are_classified_cell_error_timeout_dead_kernel(tmp_path):
    notebook = make_notebook(
        tmp_path / "faults.ipynb",
        (
            "import os, time\n"
            "if territory == 'DA01':\n    raise ValueError('panne simulée')\n"
            "if territory == 'DA02':\n    time.sleep(30)\n"
            "if territory == 'DA03':\n    os.kill(os.getpid(), 9)  # the kernel killed with SIGKILL\n"
            "print('rendu', territory)"
        ),
    )
    result = run_batch(
        ["DA01", "DA02", "DA03", "DA04"],
        output_root=tmp_path / "out",
        jobs=2,
        notebook=notebook,
        timeout=3,
        progress=False,
        log=lambda _line: None,
    )
    rows = {r["territory"]: r for r in result.records}
    assert (rows["DA01"]["failure"], rows["DA01"]["cell"]) == ("cell_error", 2)
    assert rows["DA01"]["error"] == "ValueError: panne simulée"
    assert rows["DA02"]["failure"] == "timeout"
    assert rows["DA03"]["failure"] == "dead_kernel"
    assert rows["DA04"]["status"] == "ok"
    assert result.exit_code == 1
    index = result.index.read_text(encoding="utf-8")
    assert "erreur dans une cellule (cellule 2)" in index and "délai dépassé" in index
    assert "noyau arrêté" in index


@pytest.mark.slow
@pytest.mark.parametrize("territory", ["DA01", "pole-fictif-alpha"])
def test_demo_report_passes_a_reviewers_reading(batch, territory):
    from reviewer import assert_reads_as_a_french_diagnostic

    result, _ = batch
    assert_reads_as_a_french_diagnostic(result.edition_dir / territory)
