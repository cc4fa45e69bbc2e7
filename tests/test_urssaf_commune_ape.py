"""Urssaf commune × APE file: reader (real Rouen extract and small files in its layout), blank
cells, zone checks, the cube's coverage rule, the temporary-work share, and section 6.

The real file (zone 2815 Rouen only) is read from ``../shared/data/real`` (never copied here);
its tests are skipped when that folder is absent. Hand figures are summed in the tests with
Python's ``csv`` module, independently of the reader.
"""

from __future__ import annotations

import csv
import math
import re
import warnings

import pandas as pd
import pytest

import bassin_lib.analysis as ind
from bassin_lib.errors import BassinWarning, DataFormatError
from bassin_lib.inputs.cube import Cube, build_cube
from bassin_lib.inputs.sources import catalogue
from bassin_lib.inputs.sources import urssaf_commune_ape as ape
from bassin_lib.inputs.territories import Referentiel
from bassin_lib.rendering import french, sections

EXTRACT = "urssaf_commune_ape/etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last_ZE2815.csv"
COMPOSITION = "insee_ze2020_mapping/ZE2020_au_01-01-2023.xlsx"
LABELS = [
    "Région",
    "Ancienne région",
    "Département",
    "Zone d'emploi",
    "EPCI",
    "Nom commune",
    "Commune",
    "Grand secteur d'activité",
    "Secteur NA17",
    "Secteur NA38",
    "Secteur NA88",
    "APE",
]
CODES = [
    "Code région",
    "Code ancienne région",
    "Code département",
    "Code zone d'emploi",
    "Code EPCI",
    "Code commune",
    "Code APE",
]
YEARS = range(2006, 2023)
HEADER = [
    *LABELS,
    *CODES,
    *(c for y in YEARS for c in (f"Nombre d'établissements {y}", f"Effectifs salariés {y}")),
]
SECTORS = {  # APE code -> (NA17, NA38, NA88, APE) labels, as the export writes them
    "7820Z": (
        "MN Activités scientifiques et techniques ; soutien et services administratifs",
        "NZ Activités de services administratifs et de soutien",
        "78 Activités liées à l'emploi",
        "7820Z Activités des agences de travail temporaire",
    ),
    "4399A": (
        "FZ Construction",
        "FZ Construction",
        "43 Travaux de construction spécialisés",
        "4399A Travaux d'étanchéification",
    ),
}


def _line(commune: str, code: str, figures: dict[int, tuple[str, str]], zone: str = "2815"):
    """One row of the export: ``figures`` maps a year to (establishments, employees) texts;
    the other years are blank."""
    row = dict.fromkeys(HEADER, "")
    row.update(
        {
            "Région": "Normandie",
            "Zone d'emploi": "Rouen",
            "Commune": f"{commune} Commune {commune}",
            "Secteur NA17": SECTORS[code][0],
            "Secteur NA38": SECTORS[code][1],
            "Secteur NA88": SECTORS[code][2],
            "APE": SECTORS[code][3],
            "Code région": "28",
            "Code département": commune[:2],
            "Code zone d'emploi": zone,
            "Code commune": commune,
            "Code APE": code,
        }
    )
    for year, (establishments, employees) in figures.items():
        row[f"Nombre d'établissements {year}"] = establishments
        row[f"Effectifs salariés {year}"] = employees
    return [row[c] for c in HEADER]


def _write(path, rows):
    """The export's layout: ``;``, UTF-8 with BOM, CRLF, labels quoted where needed."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


SMALL = [
    # agencies: commune A has 100 temp workers in 2022, commune B a blank cell that year
    _line("76001", "7820Z", {2021: ("2", "90"), 2022: ("2", "100")}),
    _line("76002", "7820Z", {2021: ("1", "30")}),
    # construction: both communes blank in 2022 (no establishment), numbers in 2021
    _line("76001", "4399A", {2021: ("1", "5")}),
    _line("76002", "4399A", {2021: ("3", "15")}),
]


def _cell(table, year, nomenclature, sector, measure, code="2815"):
    rows = table[
        (table["code"] == code)
        & (table["period"] == pd.Period(str(year), "Y"))
        & (table["nomenclature"] == nomenclature)
        & (table["sector"] == sector)
        & (table["measure"] == measure)
    ]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# --- small files in the official layout ------------------------------------------------------


def test_blank_cells_make_lower_bounds_and_all_blank_sums_missing(tmp_path):
    table, labels = ape.read_with_labels(_write(tmp_path / "ape.csv", SMALL))
    assert list(table.columns) == [
        "level",
        "code",
        "period",
        "nomenclature",
        "sector",
        "measure",
        "value",
        "lower_bound",
    ]
    # 2022: 100 + blank -> 100, a lower bound (the blank may hide temp workers)
    agencies = _cell(table, 2022, "APE", "7820Z", "employees")
    assert agencies["value"] == 100 and agencies["lower_bound"]
    # 2021: 90 + 30, every cell a number -> exact
    assert _cell(table, 2021, "APE", "7820Z", "employees")["value"] == 120
    assert not _cell(table, 2021, "APE", "7820Z", "employees")["lower_bound"]
    # 2022 construction: only blanks -> missing, never 0, and not a bound
    building = _cell(table, 2022, "NA17", "FZ", "employees")
    assert math.isnan(building["value"]) and not building["lower_bound"]
    assert _cell(table, 2021, "NA88", "43", "establishments")["value"] == 4  # 1 + 3
    # 2006: every cell blank in every sector
    assert table[table["period"] == pd.Period("2006", "Y")]["value"].isna().all()
    assert labels["NA38"]["FZ"] == "Construction"
    assert labels["APE"]["7820Z"] == "Activités des agences de travail temporaire"
    assert labels["NA88"]["78"] == "Activités liées à l'emploi"


def test_a_malformed_cell_names_file_row_and_column(tmp_path):
    rows = [*SMALL]
    rows[2] = _line("76001", "4399A", {2021: ("1", "5"), 2022: ("1", "12a")})
    path = _write(tmp_path / "bad.csv", rows)
    with pytest.raises(DataFormatError) as error:
        ape.read(path)
    message = str(error.value)
    assert str(path) in message and "row 4" in message
    assert "column 'Effectifs salariés 2022'" in message and "'12a'" in message


@pytest.mark.parametrize(
    ("change", "column", "found"),
    [
        ({"Secteur NA38": "Construction"}, "Secteur NA38", "'Construction'"),
        ({"APE": "4399B Travaux d'étanchéification"}, "APE", '"4399B'),
        ({"Code commune": "76A01"}, "Code commune", "'76A01'"),
        ({"Effectifs salariés 2021": "-3"}, "Effectifs salariés 2021", "'-3'"),
    ],
)
def test_bad_codes_labels_and_negative_figures(tmp_path, change, column, found):
    row = dict(zip(HEADER, _line("76001", "4399A", {2021: ("1", "5")}), strict=True))
    row.update(change)
    path = _write(tmp_path / "bad.csv", [SMALL[0], [row[c] for c in HEADER]])
    with pytest.raises(DataFormatError, match=rf"row 3, column '{column}': found {found}"):
        ape.read(path)


def test_a_commune_and_ape_code_given_twice_and_a_missing_year_column(tmp_path):
    with pytest.raises(DataFormatError, match="rows 2 and 3 both give commune '76001'"):
        ape.read(_write(tmp_path / "twice.csv", [SMALL[0], SMALL[0]]))
    text = (tmp_path / "twice.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "year.csv").write_text(
        text.replace(";Effectifs salariés 2022", ";Effectifs 2022"), encoding="utf-8-sig"
    )
    with pytest.raises(DataFormatError, match="column 'Effectifs salariés 2022' is missing"):
        ape.read(tmp_path / "year.csv")


def _communes(zones: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "commune": list(zones),
            "commune_label": list(zones),
            "zone": list(zones.values()),
            "zone_label": "x",
            "zone_part": None,
            "departement": "76",
            "region": "28",
        }
    )


def test_zone_codes_are_checked_against_the_composition(tmp_path):
    path = _write(tmp_path / "ape.csv", SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("error", BassinWarning)
        same = ape.read(path, _communes({"76001": "2815", "76002": "2815"}))
    # a commune the composition puts elsewhere: the export's zone is kept, and said
    with pytest.warns(BassinWarning, match=r"1 commune\(s\) in another zone.*76002 \(export 2815"):
        kept = ape.read(path, _communes({"76001": "2815", "76002": "2816"}))
    pd.testing.assert_frame_equal(kept, same)
    # an export zone code that is no ZE2020 zone: the composition's zone is used
    rows = [*SMALL[:3], _line("76002", "4399A", {2021: ("3", "15")}, zone="9999")]
    with pytest.warns(BassinWarning, match="not a ZE2020 zone"):
        moved = ape.read(
            _write(tmp_path / "moved.csv", rows), _communes({"76001": "2815", "76002": "2815"})
        )
    assert set(moved["code"]) == {"2815"}
    # ... and a commune in neither is an error at its row
    with pytest.raises(DataFormatError, match="row 5, column \"Code zone d'emploi\": found '9999'"):
        ape.read(tmp_path / "moved.csv", _communes({"76001": "2815"}))


def test_interim_share_against_a_hand_computation(tmp_path):
    table = ape.read(_write(tmp_path / "ape.csv", SMALL))
    share = ind.interim_share_ape(table)
    first = share[share["period"] == pd.Period("2021", "Y")].iloc[0]
    # 2021: 7820Z 90 + 30 = 120 of 120 + 5 + 15 = 140 employees
    assert first["interim"] == 120 and first["employment"] == 140
    assert first["share_pct"] == pytest.approx(100 * 120 / 140)
    assert not first["lower_bound"] and not first["approximate"]
    last = share[share["period"] == pd.Period("2022", "Y")].iloc[0]
    # 2022: 100 (a minimum: commune B blank) of 100 (construction all blank, left out)
    assert last["share_pct"] == pytest.approx(100.0)
    assert last["interim_lower_bound"] and last["employment_lower_bound"]
    assert last["approximate"] and not last["lower_bound"]
    assert last["base_period"] == pd.Period("2021", "Y")
    assert last["change_pts"] == pytest.approx(100.0 - 100 * 120 / 140)
    assert last["interim_change_pct"] == pytest.approx(100 * (100 / 120 - 1))
    # years with no temp-work row at all have no share (never 0)
    assert share[share["period"] == pd.Period("2006", "Y")]["share_pct"].isna().all()


def test_the_cube_computes_only_fully_covered_aggregates(tmp_path):
    table = ape.read(_write(tmp_path / "ape.csv", SMALL))
    zones = pd.DataFrame(
        {
            "zone": ["2815", "2816", "2705"],
            "label": ["Rouen", "Vernon", "Belfort"],
            "region": ["28", "28", "27"],
            "region_label": ["Normandie", "Normandie", "Bourgogne-Franche-Comté"],
            "departements": ["76", "27", "90"],
        }
    )
    groups = {"seul": {"label": "Seul", "zones": ("2815",)}}
    cube = build_cube({"employment_ape": table}, Referentiel(zones, groups))
    out = cube.tables["employment_ape"]
    assert set(out["level"]) == {"zone", "group"}  # no region 28 (2816 absent), no France
    assert cube.meta["levels"]["employment_ape"] == {
        "published": ["zone"],
        "computed": ["group"],
        "not_covered": ["region", "france"],
    }
    group = _cell(out, 2022, "APE", "7820Z", "employees", code="seul")
    assert group["value"] == 100 and group["lower_bound"]  # the zone's flag is kept


def test_zones_outside_the_urssaf_scope_do_not_block_france(tmp_path):
    table = ape.read(_write(tmp_path / "ape.csv", SMALL))
    zones = pd.DataFrame(
        {
            "zone": ["0601", "2815"],
            "label": ["Mayotte", "Rouen"],
            "region": ["06", "28"],
            "region_label": ["Mayotte", "Normandie"],
            "departements": ["976", "76"],
        }
    )
    cube = build_cube({"employment_ape": table}, Referentiel(zones))
    # Urssaf's files leave Mayotte out: France is the sum of the zones in the scope
    france = _cell(cube.tables["employment_ape"], 2021, "APE", "7820Z", "employees", code="FR")
    assert france["value"] == 120 and france["level"] == "france"
    assert cube.meta["levels"]["employment_ape"]["not_covered"] == []


def test_the_dataset_is_in_the_catalogue():
    found = [s for s in catalogue() if s.name == "urssaf_commune_ape"]
    assert len(found) == 1
    source = found[0]
    assert source.publisher == "Urssaf" and "open.urssaf.fr" in source.page
    assert (
        source.files[0].name
        == "etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last.csv"
    )
    assert source.licence == "licence indiquée par l'Urssaf sur open.urssaf.fr"


# --- the real Rouen extract --------------------------------------------------------------------


@pytest.fixture(scope="module")
def rouen(real_dir):
    path = real_dir / EXTRACT
    if not path.is_file():
        pytest.skip(f"real Urssaf commune × APE extract not available: {path} is absent")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    from bassin_lib.inputs.sources import insee_ze2020

    communes = insee_ze2020.read_composition(real_dir / COMPOSITION)
    with warnings.catch_warnings():
        warnings.simplefilter("error", BassinWarning)  # the 218 communes all agree
        table, labels = ape.read_with_labels(path, communes)
    return rows, table, labels, communes


def _hand_sum(rows, column, keep=lambda row: True):
    return sum(float(r[column]) for r in rows if r[column] != "" and keep(r))


def test_real_extract_sums_match_hand_sums(rouen):
    rows, table, labels, _ = rouen
    assert set(table["code"]) == {"2815"}
    total = _hand_sum(rows, "Effectifs salariés 2022")  # 183 731 private jobs
    apes = table[
        (table["nomenclature"] == "APE")
        & (table["measure"] == "employees")
        & (table["period"] == pd.Period("2022", "Y"))
    ]
    assert apes["value"].sum() == total == 183_731
    for nomenclature in ("NA17", "NA38", "NA88"):
        rows_of = table[
            (table["nomenclature"] == nomenclature)
            & (table["measure"] == "employees")
            & (table["period"] == pd.Period("2022", "Y"))
        ]
        assert rows_of["value"].sum() == total
    food = _hand_sum(rows, "Effectifs salariés 2022", lambda r: r["Secteur NA17"].startswith("C1 "))
    assert _cell(table, 2022, "NA17", "C1", "employees")["value"] == food
    agro = _hand_sum(rows, "Effectifs salariés 2022", lambda r: r["Secteur NA38"].startswith("CA "))
    assert _cell(table, 2022, "NA38", "CA", "employees")["value"] == agro
    temp = _hand_sum(rows, "Effectifs salariés 2022", lambda r: r["Code APE"] == "7820Z")
    agencies = _cell(table, 2022, "APE", "7820Z", "employees")
    assert agencies["value"] == temp == 5_999
    assert agencies["lower_bound"]  # some agency rows are blank in 2022
    count = _hand_sum(rows, "Nombre d'établissements 2022", lambda r: r["Code APE"] == "7820Z")
    assert _cell(table, 2022, "APE", "7820Z", "establishments")["value"] == count
    assert labels["NA17"]["C1"] == "Industries agro-alimentaires"
    assert labels["NA38"]["FZ"] == "Construction"
    assert labels["APE"]["4399A"] == "Travaux d'étanchéification"


def test_real_interim_share_and_its_change(rouen):
    rows, table, _, _ = rouen
    share = ind.interim_share_ape(table).set_index("period")
    for year in (2006, 2022):
        temp = _hand_sum(rows, f"Effectifs salariés {year}", lambda r: r["Code APE"] == "7820Z")
        total = _hand_sum(rows, f"Effectifs salariés {year}")
        assert share.loc[pd.Period(str(year), "Y"), "share_pct"] == pytest.approx(
            100 * temp / total
        )
    last = share.loc[pd.Period("2022", "Y")]
    assert round(last["share_pct"], 1) == 3.3  # 5 999 / 183 731
    assert round(last["change_pts"], 1) == -1.4  # 4,7 % at the end of 2006
    assert last["approximate"]  # blank cells: both counts are minimums


def test_real_section_says_france_is_absent(rouen):
    _, table, labels, communes = rouen
    from bassin_lib.inputs.sources import insee_ze2020

    zones = insee_ze2020.zones_from_composition(communes)
    source = ape.source("2022")
    cube = build_cube(
        {"employment_ape": table},
        Referentiel(zones),
        meta={
            "sources": {"employment_ape": source.source_line()},
            "france_label": "France",
            "sector_labels": labels,
        },
    )
    assert cube.meta["levels"]["employment_ape"]["not_covered"] == ["region", "france"]
    d = _diagnostic(cube, "2815")
    texts, figs = _split(sections.interim(d))
    sentence = " ".join(texts)
    assert "au moins 5\u202f999 intérimaires" in sentence
    assert "soit 3,3\u00a0% de l'emploi salarié privé d'après les données Urssaf" in sentence
    assert "contre 4,7\u00a0% fin 2006 (-\u00a01,4\u00a0point" in sentence
    assert "la comparaison avec la France (et la région) n'est pas possible" in sentence
    assert "comptés dans la commune de l'agence" in sentence
    assert len(figs) == 1
    (recorded,) = d.prov.figures
    assert "2006 – 2022" in recorded["title"]
    supxlabel = figs[0]._supxlabel.get_text().replace("\n", " ")
    assert supxlabel.startswith("Source : Urssaf, Établissements et effectifs salariés")
    assert "(2022), intérim compté au lieu de l'agence (APE 7820Z)" in supxlabel


# --- section 6 of the demo -------------------------------------------------------------------


def _diagnostic(cube, territory):
    return sections.diagnostic_of(cube, territory, edition="essai")


def _split(items):
    texts = [item.data for item in items if hasattr(item, "data")]
    figs = [item for item in items if not hasattr(item, "data")]
    return texts, figs


@pytest.mark.parametrize("territory", ["DA01", "pole-fictif-alpha"])
def test_demo_section_shows_share_year_on_year_and_profile(demo_cube, territory):
    d = _diagnostic(demo_cube, territory)
    texts, figs = _split(sections.interim(d))
    text = " ".join(texts)
    assert "les intérimaires représentent" in text and "de l'emploi salarié privé" in text
    assert "moyenne nationale" in text
    assert re.search(r"En avril 2020, au plus bas, l'activité intérimaire .* sur un an", text)
    assert "dernier mois connu" in text and "(France : " in text
    assert "sont des hommes" in text and "ont moins de 25 ans" in text
    assert "nan" not in text.lower() and not re.search(r"\b[a-z]+_[a-z_]+\b", text)
    assert len(figs) == 3
    titles = [f["title"] for f in d.prov.figures]
    assert titles[0].startswith("Part de l'intérim dans l'emploi salarié privé, T1 2010 – T4 2024")
    assert titles[1].startswith("Activité intérimaire en glissement annuel, janvier 2019 –")
    assert titles[2].startswith("Profil des intérimaires résidant sur le territoire, 2024")
    for figure in d.prov.figures:
        assert all(s["source_line"].startswith("Source : ") for s in figure["datasets"])


def test_demo_share_sentence_matches_the_indicator(demo_cube):
    d = _diagnostic(demo_cube, "DA01")
    share = ind.interim_share(demo_cube.tables["interim_quarterly"], demo_cube.tables["employment"])
    own = share[(share["code"] == "DA01") & (share["period"] == pd.Period("2024Q4"))].iloc[0]
    texts, _ = _split(sections.interim(d))
    expected = f"{own['share_pct']:.1f}".replace(".", ",")
    assert f"représentent {expected}\u00a0% de l'emploi salarié privé" in texts[0]


def test_a_cube_without_temporary_work_says_so_in_one_sentence(demo_cube):
    tables = {
        name: table
        for name, table in demo_cube.tables.items()
        if not name.startswith("interim") and name != "employment_ape"
    }
    cube = Cube(tables, demo_cube.referentiel, demo_cube.geometry, demo_cube.meta)
    texts, figs = _split(sections.interim(_diagnostic(cube, "DA01")))
    assert figs == [] and len(texts) == 1
    assert texts[0].startswith("*Aucune donnée « intérim » n'est disponible")


def test_real_rouen_section_4_lists_its_largest_na38_sectors(rouen):
    rows, table, labels, communes = rouen
    from bassin_lib.inputs.sources import insee_ze2020

    zones = insee_ze2020.zones_from_composition(communes)
    cube = build_cube(
        {"employment_ape": table},
        Referentiel(zones),
        meta={
            "sources": {"employment_ape": ape.source("2022").source_line()},
            "france_label": "France",
            "sector_labels": labels,
        },
    )
    texts, figs = _split(sections.sectors(_diagnostic(cube, "2815")))
    text = "\n".join(texts)
    assert "38 secteurs d'activité (NA38)" in text and "comparaison nationale" in text
    by_na38: dict[str, float] = {}
    for row in rows:
        if row["Effectifs salariés 2022"]:
            code = row["Secteur NA38"].split(" ", 1)[0]
            by_na38[code] = by_na38.get(code, 0.0) + float(row["Effectifs salariés 2022"])
    first = max(by_na38, key=by_na38.get)
    share = 100 * by_na38[first] / sum(by_na38.values())
    table_lines = [line for line in text.splitlines() if line.startswith("| ")]
    expected = f"{labels['NA38'][first]} | {french.format_number(by_na38[first])} | "
    assert expected in table_lines[1]  # the first row under the header
    assert french.format_percent(share) in table_lines[1]
