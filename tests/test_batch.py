"""End to end: papermill renders demo territories to HTML; the CLI validates before running;
an edition is publishable as it is (permissions, one shared stylesheet, nothing temporary)."""

import csv
import os
import re
import shutil
import stat

import nbformat
import pandas as pd
import pytest
from notebook_factory import make_notebook
from test_report_page import ESSENTIALS

import papermill_runs
from bassin_lib.errors import EditionLockedError, ParameterError
from bassin_lib.rendering import page
from bassin_lib.running import batch as batch_module
from bassin_lib.running import executors
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
    previous = os.umask(0o022)  # a usual account's, whatever the test runner's
    try:
        result = run_batch(
            ["DA01", "pole-fictif-alpha", "DA1"],
            output_root=output,
            jobs=2,
            progress=False,
            log=lines.append,
        )
    finally:
        os.umask(previous)
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


# --- an edition publishable as it is ------------------------------------------------------


@pytest.mark.slow
def test_the_edition_is_readable_by_others_and_holds_nothing_temporary(batch):
    result, _ = batch
    edition = result.edition_dir
    assert edition.stat().st_mode & 0o777 == 0o755
    for path in edition.rglob("*"):
        mode = path.lstat().st_mode
        if stat.S_ISDIR(mode):
            assert mode & 0o777 == 0o755, path  # not mkdtemp's 0o700
        else:
            assert stat.S_ISREG(mode) and mode & 0o777 == 0o644, path  # not mkstemp's 0o600
    names = {p.relative_to(edition).as_posix() for p in edition.rglob("*")}
    hidden = {n for n in names if any(part.startswith(".") for part in n.split("/"))}
    assert hidden == {"DA01/.cache-key", "pole-fictif-alpha/.cache-key"}  # no .work, no .lock
    assert not [n for n in names if n.endswith(".tmp")]
    assert {n for n in names if "/" not in n} == {
        "DA01",
        "pole-fictif-alpha",
        "_cube",
        "diagnostic.css",
        "edition.json",
        "index.html",
        "ledger.csv",
    }


@pytest.mark.slow
def test_the_stylesheet_is_written_once_and_every_page_links_it(batch):
    result, _ = batch
    edition = result.edition_dir
    assert list(edition.rglob("*.css")) == [edition / batch_module.STYLESHEET]
    assert (edition / "diagnostic.css").read_text(encoding="utf-8") == page.shared_stylesheet()
    shared = len(page.shared_stylesheet())
    for territory in ("DA01", "pole-fictif-alpha"):
        report = edition / territory / "diagnostic.html"
        html = report.read_text(encoding="utf-8")
        [href] = re.findall(r'<link href="([^"]+)" rel="stylesheet"/>', html)
        assert href == "../diagnostic.css"
        assert (report.parent / href).resolve() == (edition / "diagnostic.css").resolve()
        assert "--jp-content-font-family:" not in html  # JupyterLab's sheet is not repeated
        head = html.split("<body", 1)[0]
        assert len(head) < 3000 < shared


@pytest.mark.slow
def test_a_page_copied_alone_still_holds_the_essentials(batch, tmp_path):
    result, _ = batch
    alone = shutil.copy(result.edition_dir / "DA01" / "diagnostic.html", tmp_path / "DA01.html")
    html = alone.read_text(encoding="utf-8")
    style = "".join(re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.S))
    for rule in ESSENTIALS:
        assert rule in style, rule
    # the only thing fetched besides the page is the shared stylesheet: images are embedded
    sources = re.findall(r'\ssrc="([^"]*)"', html)
    assert len(sources) >= 6 and all(s.startswith("data:image/") for s in sources)
    assert re.findall(r'<link href="([^"]+)"', html) == ["../diagnostic.css"]


@pytest.mark.slow
def test_light_notebooks_hold_no_image_and_leave_the_page_unchanged(batch, tmp_path):
    result, _ = batch
    full = run_batch(
        ["DA01"],
        output_root=tmp_path,
        jobs=1,
        notebooks="full",
        progress=False,
        log=lambda _line: None,
    )
    assert full.exit_code == 0
    light_dir, full_dir = result.edition_dir / "DA01", full.edition_dir / "DA01"
    light_nb = nbformat.read(light_dir / "diagnostic.ipynb", as_version=4)
    full_nb = nbformat.read(full_dir / "diagnostic.ipynb", as_version=4)
    nbformat.validate(light_nb)

    def mimes(nb):
        return [m for c in nb.cells for o in c.get("outputs", []) for m in o.get("data", {})]

    images = [m for m in mimes(full_nb) if m.startswith("image/")]
    assert len(images) >= 6 and not [m for m in mimes(light_nb) if m.startswith("image/")]
    assert light_nb.metadata["bassin_lib"] == {"notebooks": "light", "images_removed": len(images)}
    # everything else is kept: the light notebook is the full one, images replaced by a note
    executors.lighten_notebook(full_nb)
    for light_cell, full_cell in zip(light_nb.cells, full_nb.cells, strict=True):
        assert light_cell.get("outputs") == full_cell.get("outputs")
    assert sum(executors.IMAGE_NOTE in str(c.get("outputs")) for c in light_nb.cells) >= 6
    # the page holds the images either way, the same bytes
    html_light = (light_dir / "diagnostic.html").read_text(encoding="utf-8")
    html_full = (full_dir / "diagnostic.html").read_text(encoding="utf-8")
    assert page.strip_timestamp(html_light) == page.strip_timestamp(html_full)
    light_size = (light_dir / "diagnostic.ipynb").stat().st_size
    assert light_size < (full_dir / "diagnostic.ipynb").stat().st_size / 5


def test_lighten_notebook_replaces_only_image_data():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("figure()")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="imprimé\n"),
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 640x480>"},
            metadata={"image/png": {"width": 600}},
        ),
        nbformat.v4.new_output(
            "display_data", data={"text/markdown": "## Titre", "image/svg+xml": "<svg/>"}
        ),
        nbformat.v4.new_output("display_data", data={"text/markdown": "Texte."}),
    ]
    nb.cells = [cell, nbformat.v4.new_markdown_cell("## Section")]
    assert executors.lighten_notebook(nb) == 2
    stream, figure, mixed, text = cell.outputs
    assert stream.text == "imprimé\n" and text.data == {"text/markdown": "Texte."}
    assert figure.data == {"text/plain": executors.IMAGE_NOTE} and figure.metadata == {}
    assert mixed.data == {"text/markdown": "## Titre", "text/plain": executors.IMAGE_NOTE}
    nbformat.validate(nb)


def test_notebooks_option_is_checked_and_its_choices_agree(capsys):
    assert papermill_runs.parse_args(["DA01"]).notebooks == executors.DEFAULT_NOTEBOOKS == "light"
    for mode in executors.NOTEBOOK_MODES:  # every mode of the runner is a choice of the CLI
        assert papermill_runs.parse_args(["DA01", "--notebooks", mode]).notebooks == mode
    assert papermill_runs.main(["DA01", "--notebooks", "half", "--no-progress"]) == 2
    assert "--notebooks" in capsys.readouterr().err
    with pytest.raises(ParameterError, match="--notebooks half"):
        run_batch(["DA01"], notebooks="half", output_root="/nonexistent-never-written")


def test_the_lock_file_lasts_as_long_as_the_run_and_clears_what_a_killed_run_left(tmp_path):
    edition = tmp_path / "demo"
    (edition / ".work" / "DA01-0a1b2c3d").mkdir(parents=True)
    (edition / ".ledger.csv.0a1b2c3d.tmp").write_text("half")
    (edition / "ledger.csv").write_text("whole")
    with batch_module._edition_lock(edition):
        assert (edition / ".lock").exists()
        assert sorted(p.name for p in edition.iterdir()) == [".lock", "ledger.csv"]
        with pytest.raises(EditionLockedError), batch_module._edition_lock(edition):
            pass
        assert (edition / ".lock").exists()  # still held by the first run
        (edition / ".work").mkdir()
    assert sorted(p.name for p in edition.iterdir()) == ["ledger.csv"]


def test_a_lock_file_removed_while_waiting_for_it_is_taken_again(tmp_path, monkeypatch):
    """The run that held the lock removed its file just before this one locked it: this one
    holds a file nobody else sees, and takes the lock again on the file now at the path."""
    edition = tmp_path / "demo"
    edition.mkdir()
    flock = batch_module.fcntl.flock
    calls = []

    def late(handle, operation):
        calls.append(os.fstat(handle.fileno()).st_ino)
        if len(calls) == 1:
            (edition / ".lock").unlink()
        return flock(handle, operation)

    monkeypatch.setattr(batch_module.fcntl, "flock", late)
    handle = batch_module._lock(edition)
    try:
        assert len(calls) == 2
        assert os.fstat(handle.fileno()).st_ino == (edition / ".lock").stat().st_ino
    finally:
        handle.close()


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
        "--notebooks",
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
        notebooks="none",
        progress=False,
        log=lambda _line: None,
    )
    status = {r["territory"]: (r["status"], r["error"]) for r in result.records}
    assert status["DA01"] == ("ok", "") and status["DA03"] == ("ok", "")
    assert status["DA02"] == ("failed", "ValueError: panne simulée")
    assert result.exit_code == 1
    # the failed run leaves its (whole) executed notebook, but no report; with
    # notebooks="none" a successful one keeps no notebook
    assert (result.edition_dir / "DA02" / "diagnostic.ipynb").exists()
    assert not (result.edition_dir / "DA02" / "diagnostic.html").exists()
    assert not (result.edition_dir / "DA01" / "diagnostic.ipynb").exists()
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
    stylesheet = (out / "demo" / "diagnostic.css").stat()
    # nothing changed: the successful ones are not run again; the failed one is
    second = run(["DA01", "DA02", "DA03"])
    status = {r["territory"]: r["status"] for r in second.records}
    assert status == {"DA01": "cached", "DA02": "failed", "DA03": "cached"}
    assert "à jour" in second.index.read_text(encoding="utf-8")
    again = (out / "demo" / "diagnostic.css").stat()  # unchanged: not written again
    assert (again.st_ino, again.st_mtime_ns) == (stylesheet.st_ino, stylesheet.st_mtime_ns)
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
    # what the folder keeps of the notebook is part of the key
    assert run(["DA01"], notebooks="full").records[0]["status"] == "ok"
    assert run(["DA01"], notebooks="full").records[0]["status"] == "cached"


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
