"""Provenance sidecar: every figure and headline number names its dataset, producer, vintage,
files with their sha256 and the function that computed it; same inputs, same bytes."""

import hashlib
import json
import math
import re

import pytest

from bassin_lib import analysis as ind
from bassin_lib.analysis import headlines
from bassin_lib.analysis.registry import HEADLINES
from bassin_lib.errors import ParameterError
from bassin_lib.inputs import datasets
from bassin_lib.rendering import figures, maps, provenance
from bassin_lib.running.batch import run_batch


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo_cube():
    return datasets.build("demo")


def test_figure_is_returned_unchanged_with_its_title_table_and_function(demo_cube):
    t = demo_cube.territory("DA01")
    prov = provenance.Recorder(demo_cube, t)
    fig = figures.poverty(ind.income_poverty_levels(demo_cube, t), "Source : essai")
    assert prov.figure(fig, table="income_poverty", function=ind.income_poverty_levels) is fig
    entry = prov.payload()["figures"][0]
    assert entry["number"] == 1
    assert entry["title"] == "Taux de pauvreté et niveau de vie médian en 2021"
    assert entry["function"] == ["bassin_lib.analysis.living_standards.income_poverty_levels"]
    (dataset,) = entry["datasets"]
    assert dataset["table"] == "income_poverty" and dataset["subject"] == "revenus et pauvreté"


def test_demo_datasets_say_synthetic_and_name_the_generator(demo_cube):
    prov = provenance.Recorder(demo_cube, demo_cube.territory("DA01"))
    dataset = prov.dataset("employment")
    assert dataset["producer"] == "données synthétiques" and dataset["vintage"] is None
    assert dataset["files"] == []
    assert dataset["files_note"] == (
        "données générées par bassin_lib.inputs.demo.generate(end=2024Q4, n_regions=3, n_zones=30, "
        "seed=2020, start=2010Q1) : aucun fichier source"
    )
    assert dataset["cube_file"] is None  # a cube built in memory has no file
    payload = prov.payload()
    assert payload["synthetic"] is True and payload["generator"]["seed"] == 2020


def test_cube_file_sha256_is_the_saved_parquet(demo_cube, tmp_path):
    demo_cube.save(tmp_path)
    prov = provenance.Recorder(demo_cube, demo_cube.territory("DA01"), cube_dir=tmp_path)
    assert prov.dataset("jobseekers")["cube_file"] == {
        "file": "jobseekers.parquet",
        "sha256": _sha256(tmp_path / "jobseekers.parquet"),
    }
    assert prov.dataset("geometry")["cube_file"]["file"] == "geometry.parquet"


def test_numbers_and_headlines(demo_cube):
    t = demo_cube.territory("DA01")
    prov = provenance.Recorder(demo_cube, t)
    value = prov.number("x", float("nan"), table="employment", function=ind.employment_change)
    assert math.isnan(value)  # returned unchanged
    headline = headlines.compute(demo_cube, t)
    assert prov.headlines(headline) is headline
    numbers = prov.payload()["numbers"]
    assert numbers[0]["value"] is None  # NaN is written as null
    assert {n["name"]: n["value"] for n in numbers[1:]} == {
        "employment_change_pct": headline["employment_change_pct"],
        "unemployment_rate": headline["unemployment_rate"],
        "poverty_rate": headline["poverty_rate"],
    }
    assert numbers[2]["period"] == headline["unemployment_period"]


def test_every_headline_of_indicators_json_has_a_declared_provenance(demo_cube):
    headline = headlines.compute(demo_cube, demo_cube.territory("DA01"))
    declared = {entry.headline.key for entry in HEADLINES}
    assert set(headline) == declared | set(headlines.context_keys())
    prov = provenance.Recorder(demo_cube, demo_cube.territory("DA01"))
    with pytest.raises(ParameterError, match=r"headline\(s\) \['jobs'\] have no provenance"):
        prov.headlines({**headline, "jobs": 12})


def test_bad_tables_and_functions_are_refused(demo_cube):
    prov = provenance.Recorder(demo_cube, demo_cube.territory("DA01"))
    with pytest.raises(ParameterError, match="table 'emploi': not in the cube"):
        prov.number("x", 1.0, table="emploi", function=ind.employment_change)
    with pytest.raises(ParameterError, match="expected a function"):
        prov.number("x", 1.0, table="employment", function=3)
    with pytest.raises(ParameterError, match="expected a Territory"):
        provenance.Recorder(demo_cube, "DA01")


def test_same_calls_same_bytes_and_save_is_a_no_op_without_folder(demo_cube, tmp_path):
    t = demo_cube.territory("pole-fictif-alpha")

    def recorded():
        prov = provenance.Recorder(demo_cube, t)
        fig = maps.territory_in_region(demo_cube.geometry, t, "Source : essai")
        prov.figure(fig, table="geometry", function=maps.territory_in_region)
        prov.headlines(headlines.compute(demo_cube, t))
        return prov

    first, second = recorded(), recorded()
    assert first.to_json() == second.to_json()
    assert first.save(None) is None and list(tmp_path.iterdir()) == []
    path = first.save(tmp_path)
    assert path.read_text(encoding="utf-8") == first.to_json()
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == json.loads(json.dumps(json.loads(text), sort_keys=True))
    assert not re.search(r"20\d\d-\d\d-\d\dT\d\d:", text)  # no timestamp


def _check_sidecar(folder, n_figures):
    """Figures of the HTML and numbers of indicators.json all have a provenance entry."""
    html = (folder / "diagnostic.html").read_text(encoding="utf-8")
    sidecar = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    headline = json.loads((folder / "indicators.json").read_text(encoding="utf-8"))
    assert html.count("<img ") == len(sidecar["figures"]) == n_figures
    assert [f["number"] for f in sidecar["figures"]] == list(range(1, len(sidecar["figures"]) + 1))
    for entry in sidecar["figures"] + sidecar["numbers"]:
        assert entry["function"] and all(f.startswith("bassin_lib.") for f in entry["function"])
        assert entry["datasets"] and all(d["producer"] for d in entry["datasets"])
    numbers = {n["name"]: n["value"] for n in sidecar["numbers"]}
    declared = {entry.headline.key for entry in HEADLINES}
    assert numbers == {k: v for k, v in headline.items() if k in declared}
    return sidecar


@pytest.fixture(scope="module")
def demo_batch(tmp_path_factory):
    output = tmp_path_factory.mktemp("outputs")
    result = run_batch(
        ["DA01", "pole-fictif-alpha"], output_root=output, progress=False, log=lambda *_: None
    )
    assert result.exit_code == 0
    return result, output


@pytest.mark.slow
def test_demo_reports_have_a_complete_provenance_sidecar(demo_batch):
    result, output = demo_batch
    for territory in ("DA01", "pole-fictif-alpha"):
        folder = result.edition_dir / territory
        # locator map, income bases, poverty, unemployment, its map, employment index,
        # quarterly changes, sectors, job seekers, temporary work (share, activity, profile),
        # recruitment
        sidecar = _check_sidecar(folder, 13)
        text = (folder / "provenance.json").read_text(encoding="utf-8")
        assert str(output) not in text  # no machine path
        assert sidecar["synthetic"] is True and sidecar["territory"]["id"] == territory
        for entry in sidecar["figures"]:
            for dataset in entry["datasets"]:
                assert dataset["producer"] == "données synthétiques" and dataset["files"] == []
                cube_file = result.edition_dir / "_cube" / dataset["cube_file"]["file"]
                if cube_file.exists():  # the batch's cube, as the notebook read it
                    assert dataset["cube_file"]["sha256"] == _sha256(cube_file)
    # the analysts' files of the example folder are listed with their checksums
    sidecar = json.loads((result.edition_dir / "DA01" / "provenance.json").read_text("utf-8"))
    names = [f["file"] for f in sidecar["analyst_files"]]
    assert "DA01/methode.md" in names and "DA01/secteurs/logistique.md" in names
    from bassin_lib.rendering.analysts import ANALYSES_DIR

    for entry in sidecar["analyst_files"]:
        assert entry["sha256"] == _sha256(ANALYSES_DIR / entry["file"])


def _text(html):
    body = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    body = body[body.index("<main") :]
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", body.replace("\u00a0", " ").replace("\u202f", " "))


@pytest.mark.slow
def test_demo_report_places_the_analysts_texts_in_their_sections(demo_batch):
    result, _ = demo_batch
    text = _text((result.edition_dir / "DA01" / "diagnostic.html").read_text("utf-8"))
    order = [
        "1. Identité du territoire et méthode",
        "Entretiens : 7 entretiens avec 10 personnes",
        "Dates des entretiens : 12, 14, 21 et 28 mars 2024 et 4 avril 2024",
        "2. Modèle de développement",
        "4. Emploi salarié privé",
        "Les secteurs vus par les acteurs locaux",
        "Transports et logistique",
        "5. Demandeurs d'emploi",
        "8. Enjeux et préconisations",
        "Synthèse des entretiens",
        "Paroles d'acteurs",
        "Préconisations",
        "Annexe : sources et méthode",
        "Le fichier provenance.json",
    ]
    positions = [text.rindex(item) for item in order]
    assert positions == sorted(positions), list(zip(order, positions, strict=True))
    group = _text((result.edition_dir / "pole-fictif-alpha" / "diagnostic.html").read_text("utf-8"))
    assert (
        "Aucun texte d'analyste n'a été déposé pour ce territoire "
        "(dossier data/analyses/pole-fictif-alpha/)" in group
    )
    assert "Aucun entretien n'est consigné pour ce territoire" in group
    assert "Les secteurs vus par les acteurs locaux" not in group


@pytest.mark.slow
def test_real_report_sidecar_gives_the_official_files_sha256(real_dir, tmp_path):
    result = run_batch(
        ["2705"],
        data_source="real",
        raw_dir=real_dir,
        edition="reel",
        output_root=tmp_path,
        progress=False,
        log=lambda *_: None,
    )
    assert result.exit_code == 0
    # locator map, income composition, poverty, unemployment, its map, private employment
    # index, total employment index (Estel), quarterly changes, sectors (Estel A5), job seekers
    # by département, recruitment: 11 figures (no temporary-work file covers Belfort)
    sidecar = _check_sidecar(result.edition_dir / "2705", 11)
    assert sidecar["synthetic"] is False and sidecar["generator"] is None
    checked = set()
    for entry in [*sidecar["figures"], *sidecar["numbers"], {"datasets": [sidecar["zoning"]]}]:
        for dataset in entry["datasets"]:
            assert dataset["files"], dataset["table"]
            assert dataset["vintage"] and dataset["files_note"] is None
            for record in dataset["files"]:
                assert record["sha256"] == _sha256(real_dir / record["path"]), record
                checked.add(record["file"])
    assert {
        "chomage-zone-t1-2003-t3-2023.xlsx",
        "base-cc-filosofi-2019_XLSX.zip",
        "urssaf_emploi_ze_quarterly_2012_2025.csv",
        "ZE2020_au_01-01-2023.xlsx",
        "Base_open_data_BMO_2024.xlsx",
        "France_Travail_Bassin_Emploi_2021.csv",
        "ze2020_2023_simplified_0p003deg.geojson",
        "emploi-zone-1998-2018.xlsx",
        "emploi_demandeur.csv",
    } <= checked
    producers = {d["table"]: d["producer"] for f in sidecar["figures"] for d in f["datasets"]}
    assert producers["unemployment_rate"] == "Insee"
    assert producers["employment"] == "Urssaf"
    assert producers["recruitment_bmo"] == "France Travail"
    assert producers["employment_estel"] == "Insee"
    assert producers["income_composition"].startswith("Insee")  # Filosofi: Insee-DGFiP-Cnaf…
    assert producers["jobseekers_local"] == "France Travail"


def test_provenance_names_the_lock_of_the_environment(demo_cube):
    from bassin_lib.environment import LOCK_FILE

    payload = provenance.Recorder(demo_cube, demo_cube.territory("DA01")).payload()
    assert payload["environment"] == {
        "lock_file": "requirements.lock",
        "lock_sha256": _sha256(LOCK_FILE),
    }
