"""End to end on the real official files of ../shared/data/real: Belfort (2705), Montbéliard
(2714) and their group, with figures checked against the workbooks' own cells; Rouen (2815),
the one zone of the Urssaf commune × APE extract; and zones for which publishers give no rate
or no data at all (Ouest-Guyanais 0301, Mayotte 0601), which render all the same."""

import io
import re
import zipfile

import openpyxl
import pytest

from bassin_lib.running.batch import run_batch


def _cells(path, sheet, header_name, codes, columns, member=None):
    """Cells of ``columns`` for rows whose first column is in ``codes`` (read with openpyxl)."""
    if member:
        with zipfile.ZipFile(path) as archive:
            source = io.BytesIO(archive.read(member))
    else:
        source = path
    rows = openpyxl.load_workbook(source, read_only=True)[sheet].iter_rows(values_only=True)
    header = None
    found = {}
    for row in rows:
        if header is None:
            if row and row[0] == header_name:
                header = list(row)
            continue
        if row and row[0] in codes:
            found[row[0]] = {c: row[header.index(c)] for c in columns}
    return found


def _french(value):
    return f"{float(value):.1f}".replace(".", ",") + " %"


def _text(html):
    body = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", body.replace("\u00a0", " ").replace("\u202f", " "))


@pytest.fixture(scope="module")
def rendered(real_dir, tmp_path_factory):
    result = run_batch(
        ["2705", "2714", "nord-franche-comte", "2815", "0301", "0601"],
        data_source="real",
        raw_dir=real_dir,
        edition="reel",
        jobs=2,
        output_root=tmp_path_factory.mktemp("outputs"),
        progress=False,
        log=lambda _line: None,
    )
    return result


@pytest.mark.slow
def test_the_three_territories_render(rendered):
    assert [(r["territory"], r["status"]) for r in rendered.records] == [
        ("2705", "ok"),
        ("2714", "ok"),
        ("nord-franche-comte", "ok"),
        ("2815", "ok"),
        ("0301", "ok"),
        ("0601", "ok"),
    ]
    assert rendered.exit_code == 0


@pytest.mark.slow
def test_unemployment_and_poverty_equal_the_official_cells(rendered, real_dir):
    rates = _cells(
        real_dir / "insee_chomage_localise" / "chomage-zone-t1-2003-t3-2023.xlsx",
        "txcho_ze",
        "ZE2020",
        {"2705", "2714"},
        ["2023-T3"],
    )
    poverty = _cells(
        real_dir / "insee_filosofi" / "base-cc-filosofi-2019_XLSX.zip",
        "ZE2020",
        "CODGEO",
        {"2705", "2714"},
        ["TP6019", "MED19"],
        member="base-cc-filosofi-2019-geo2022.xlsx",
    )
    for zone in ("2705", "2714"):
        text = _text((rendered.edition_dir / zone / "diagnostic.html").read_text("utf-8"))
        rate = rates[zone]["2023-T3"]
        assert f"Au 3e trimestre 2023, le taux de chômage s'établit à {_french(rate)}" in text
        assert f"En 2019, le taux de pauvreté atteint {_french(poverty[zone]['TP6019'])}" in text
        median = f"{int(float(poverty[zone]['MED19'])):,}".replace(",", " ")
        assert f"Le niveau de vie médian est de {median} €" in text


@pytest.mark.slow
def test_real_reports_name_sources_and_vintages_and_say_what_is_missing(rendered):
    text = _text(
        (rendered.edition_dir / "nord-franche-comte" / "diagnostic.html").read_text("utf-8")
    )
    assert "Source : Insee, Taux de chômage localisés par zone d'emploi (2023T3)" in text
    assert "Source : Insee-DGFiP-Cnaf-Cnav-CCMSA, Filosofi" in text and "(2019)" in text
    assert "Source : Urssaf, Effectifs salariés" in text
    assert "zones d'emploi : Source : Insee, Zonage en zones d'emploi 2020 (2023)" in text
    assert "Données synthétiques" not in text
    assert "habitants par km²" in text  # ANCT population and area
    # BMO: through the commune-based crosswalk, said so, with masked cells as minimums
    assert "Source : France Travail, enquête Besoins en main-d'œuvre (2024)" in text
    assert "ne sont pas des zones d'emploi de l'Insee" in text
    assert "prévoient au moins" in text and "sont jugés difficiles (France : entre" in text
    # no zone-level job seekers file in the real set: France Travail's monthly STMT file, read
    # at the level of the départements, the level said in the sentence and the chart
    assert (
        "À l'échelle des départements du Doubs, de la Haute-Saône et du Territoire de Belfort, "
        "que recoupent les zones d'emploi du territoire, France Travail recense 79 020 "
        "demandeurs d'emploi inscrits en décembre 2024"
    ) in text
    assert "Catégories non précisées par la source (vraisemblablement A, B et C)" in text
    assert "Source : France Travail, STMT, demandeurs d'emploi inscrits par mois" in text
    assert "Aucune donnée « demandeurs d'emploi par zone d'emploi »" not in text
    # section 4 on real data: INSEE Estimations d'emploi, total since 1998 and A5 sectors
    assert "Aucune donnée « emploi salarié privé par secteur »" not in text
    estel = "Source : Insee, Estimations d'emploi, emploi par zone d'emploi (1998-2018)"
    assert f"({estel} ; secteurs A5 (5 grands secteurs))" in text
    assert "Entre 1998 et 2018, le territoire a perdu" in text
    assert "(effet de structure)" in text and "indice de Krugman" in text
    assert "ne peut pas être établie à partir des secteurs A5" in text
    # a group's rates are approximations, said so
    assert "(valeur approchée, moyenne des zones pondérée par leur population)" in text
    assert "Belfort, Montbéliard" in text or "2705 Belfort" in text


@pytest.mark.slow
@pytest.mark.parametrize("territory", ["nord-franche-comte", "2705", "2815", "0301", "0601"])
def test_real_report_passes_a_reviewers_reading(rendered, territory):
    from reviewer import assert_reads_as_a_french_diagnostic

    assert_reads_as_a_french_diagnostic(rendered.edition_dir / territory)


@pytest.mark.slow
def test_rouen_shows_its_na38_structure_and_temporary_work_share(rendered):
    text = _text((rendered.edition_dir / "2815" / "diagnostic.html").read_text(encoding="utf-8"))
    assert "Au niveau plus fin des 38 secteurs d'activité (NA38)" in text
    # 5 999 temporary workers out of 183 731 private jobs at the end of 2022 (hand sums of the
    # extract's cells in tests/test_urssaf_commune_ape.py)
    assert "emploient au moins 5 999 intérimaires, soit 3,3 % de l'emploi salarié privé" in text


@pytest.mark.slow
def test_zones_without_published_rates_render_and_say_so(rendered):
    for zone in ("0301", "0601"):
        html = (rendered.edition_dir / zone / "diagnostic.html").read_text(encoding="utf-8")
        assert "n'est pas publié" in _text(html) or "n'est publié ni" in _text(html)


@pytest.mark.slow
def test_belfort_and_the_group_have_every_section_filled(rendered):
    """No « Aucune donnée » section; temporary work, which no file here covers for Belfort,
    says why in one sentence."""
    for territory in ("2705", "nord-franche-comte"):
        folder = rendered.edition_dir / territory
        text = _text((folder / "diagnostic.html").read_text(encoding="utf-8"))
        assert "Aucune donnée" not in text, territory
        assert "ne couvre pas ce territoire" in text
