"""Readers of the INSEE and ANCT datasets (bassin_lib.inputs.sources.insee_* and anct_population).

Two parts:

1. the real official files of ../shared/data/real (skipped when absent): counts stated by the
   publisher or PROVENANCE.md, and one figure per reader checked against the workbook cell,
   read independently here with openpyxl;
2. a catalogue of malformed files, written by the tests in the official layouts (tiny invented
   figures, never real data): each gives a DataFormatError naming the file (and sheet, row,
   column) or the documented handling.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import box

from bassin_lib.errors import DataFormatError, ParameterError
from bassin_lib.inputs.sources import Source, anct_population, insee_chomage, insee_filosofi
from bassin_lib.inputs.sources import insee_ze2020 as ze
from bassin_lib.inputs.sources._excel import cell_text, open_workbook, read_csv_table
from bassin_lib.inputs.territories import Referentiel

# --------------------------------------------------------------------------------------------
# Real files (module-scoped: each big workbook is read once)
# --------------------------------------------------------------------------------------------

COMPOSITION_XLSX = "insee_ze2020_mapping/ZE2020_au_01-01-2023.xlsx"
COMPOSITION_CSV = "insee_ze2020_mapping/zones_emloi_ZE2020_2023.csv"
CHOMAGE_XLSX = "insee_chomage_localise/chomage-zone-t1-2003-t3-2023.xlsx"
FILOSOFI_2019 = "insee_filosofi/base-cc-filosofi-2019_XLSX.zip"
FILOSOFI_2018 = "insee_filosofi/base-cc-filosofi-2018_XLSX-geo2021.zip"
POPULATION_XLSX = "insee_population_ze/pop_hist_1876_ze.xlsx"
AREA_XLSX = "insee_population_ze/insee_rp_hist_1968_superf_ze.xlsx"


def workbook_cell(book: openpyxl.Workbook, sheet: str, key_column: str, key: str, column: str):
    """The raw cell value at (row whose ``key_column`` is ``key``, column ``column``)."""
    rows = book[sheet].iter_rows(values_only=True)
    header = None
    for row in rows:
        if header is None:
            if key_column in row:
                header = list(row)
            continue
        if row[header.index(key_column)] == key:
            return row[header.index(column)]
    raise AssertionError(f"{key} not found in {sheet}")


@pytest.fixture(scope="module")
def composition(real_dir):
    return ze.read_composition(real_dir / COMPOSITION_XLSX)


@pytest.fixture(scope="module")
def rates(real_dir):
    return insee_chomage.read(real_dir / CHOMAGE_XLSX)


@pytest.fixture(scope="module")
def filosofi_2019(real_dir):
    return insee_filosofi.read(real_dir / FILOSOFI_2019)


def test_composition_has_306_zones_and_34945_communes(composition):
    assert len(composition) == 34_945
    assert composition["zone"].nunique() == 306
    assert list(composition.columns) == [
        "commune",
        "commune_label",
        "zone",
        "zone_label",
        "zone_part",
        "departement",
        "region",
    ]
    assert all(pd.api.types.is_string_dtype(composition[c]) for c in composition)


def test_composition_belfort_and_montbeliard(composition):
    by_zone = composition.groupby("zone")
    assert by_zone.size()[["2705", "2714"]].tolist() == [164, 146]
    assert set(by_zone.get_group("2705")["zone_label"]) == {"Belfort"}
    assert set(by_zone.get_group("2714")["zone_label"]) == {"Montbéliard"}
    # PROVENANCE.md: 2705 = 99 communes in 90 + 65 in 70 (Héricourt 70285); 2714 = 138 + 6 + 2
    assert by_zone.get_group("2705")["departement"].value_counts().to_dict() == {"90": 99, "70": 65}
    assert by_zone.get_group("2714")["departement"].value_counts().to_dict() == {
        "25": 138,
        "70": 6,
        "90": 2,
    }
    heri = composition.set_index("commune").loc["70285"]
    assert (heri["commune_label"], heri["zone"]) == ("Héricourt", "2705")


def test_composition_regional_parts_only_for_trans_regional_zones(composition):
    parts = composition.dropna(subset=["zone_part"])
    assert parts["zone"].str.startswith("00").all()
    assert (parts["zone_part"] == parts["zone"] + "-" + parts["region"]).all()
    assert composition.loc[~composition["zone"].str.startswith("00"), "zone_part"].isna().all()


def test_composition_from_csv_equals_composition_from_xlsx(composition, real_dir):
    from_csv = ze.read_composition(real_dir / COMPOSITION_CSV)
    pd.testing.assert_frame_equal(from_csv, composition)


def test_zones_from_composition_builds_a_referentiel(composition):
    zones = ze.zones_from_composition(composition)
    assert len(zones) == 306
    rows = zones.set_index("zone")
    assert rows.loc["2705"].tolist() == ["Belfort", "27", "Bourgogne-Franche-Comté", "70,90"]
    assert rows.loc["2714"].tolist() == ["Montbéliard", "27", "Bourgogne-Franche-Comté", "25,70,90"]
    # Alençon 0051: 113 communes in Normandie (28), 72 in Pays de la Loire (52)
    assert rows.loc["0051", "region"] == "28"
    territory = Referentiel(zones).resolve("2714")
    assert territory.region_label == "Bourgogne-Franche-Comté"


def test_zone_list_agrees_with_composition(real_dir, composition):
    zones = ze.read_zone_list(real_dir / COMPOSITION_XLSX)
    assert len(zones) == 306 and zones["nb_communes"].sum() == 34_945
    counts = composition.groupby("zone").size()
    assert (zones.set_index("zone")["nb_communes"] == counts.loc[zones["zone"]]).all()
    assert zones.set_index("zone").loc["2714", "label"] == "Montbéliard"


@pytest.mark.parametrize(
    "name",
    [
        "insee_ze2020_geometry/ze2020_2023.shp",
        "insee_ze2020_geometry/derived/ze2020_2023_simplified_0p003deg.geojson",
    ],
)
def test_geometry_has_the_306_zones(real_dir, name, composition):
    shapes = ze.read_geometry(real_dir / name)
    assert list(shapes.columns) == ["zone", "label", "geometry"]
    assert set(shapes["zone"]) == set(composition["zone"])
    assert shapes.crs.to_epsg() == 4326
    assert shapes.set_index("zone").loc["2705", "label"] == "Belfort"


def test_unemployment_rate_layout(rates):
    assert set(rates["level"]) == {"zone"}  # the workbook has no region or France rows
    assert rates["code"].nunique() == 302
    assert (rates["period"].min(), rates["period"].max()) == (
        pd.Period("2003Q1", "Q"),
        pd.Period("2023Q3", "Q"),
    )
    # Guadeloupe, Martinique, La Réunion: 15 zones whose series start in 2014-T1 (NaN before)
    wide = rates.pivot(index="code", columns="period", values="value")
    late = wide.index[wide[pd.Period("2013Q4", "Q")].isna()]
    assert len(late) == 15 and wide.loc[late, pd.Period("2014Q1", "Q")].notna().all()
    assert rates["value"].isna().sum() == 15 * 44  # 2003-T1..2013-T4 = 44 quarters


def test_unemployment_rate_equals_the_workbook_cells(rates, real_dir):
    book = openpyxl.load_workbook(real_dir / CHOMAGE_XLSX, read_only=True)
    try:
        cells = {
            z: workbook_cell(book, "txcho_ze", "ZE2020", z, "2023-T3") for z in ("2705", "2714")
        }
    finally:
        book.close()
    last = rates[rates["period"] == pd.Period("2023Q3", "Q")].set_index("code")["value"]
    assert last["2705"] == cells["2705"] == 8.6
    assert last["2714"] == cells["2714"] == 10


def test_regional_parts_of_trans_regional_zones(real_dir):
    parts = insee_chomage.read_regional_parts(real_dir / CHOMAGE_XLSX)
    assert list(parts.columns) == ["level", "code", "zone_part", "period", "value"]
    assert parts["zone_part"].nunique() == 28 and parts["code"].nunique() == 14
    alencon = parts[parts["code"] == "0051"]
    assert set(alencon["zone_part"]) == {"0051-28", "0051-52"}
    book = openpyxl.load_workbook(real_dir / CHOMAGE_XLSX, read_only=True)
    try:
        cell = workbook_cell(book, "txcho_parties reg", "ZER2020", "2851", "2023-T3")
    finally:
        book.close()
    last = alencon[alencon["period"] == pd.Period("2023Q3", "Q")].set_index("zone_part")
    assert last.loc["0051-28", "value"] == cell


def test_filosofi_2019_levels_and_poverty_rate_cell(filosofi_2019, real_dir):
    assert filosofi_2019.groupby("level")["code"].nunique().to_dict() == {
        "zone": 297,
        "region": 15,  # 13 metropolitan + Martinique + La Réunion; the BdF block is left out
        "france": 1,  # France métropolitaine (sheet METRO)
    }
    assert set(filosofi_2019["period"]) == {pd.Period("2019", "Y")}
    with zipfile.ZipFile(real_dir / FILOSOFI_2019) as archive:
        data = archive.read(archive.namelist()[0])
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        cell = workbook_cell(book, "ZE2020", "CODGEO", "2714", "TP6019")
        france = workbook_cell(book, "METRO", "CODGEO", "1", "TP6019")
        median = workbook_cell(book, "ZE2020", "CODGEO", "2705", "MED19")
    finally:
        book.close()
    value = filosofi_2019.set_index(["level", "code", "indicator"])["value"]
    assert value["zone", "2714", "poverty_rate"] == cell == 14.7
    assert value["france", "FR", "poverty_rate"] == france
    assert value["zone", "2705", "median_living_standard"] == median
    assert ("region", "01") not in value.index.droplevel(2)  # Guadeloupe: not Filosofi


def test_filosofi_2018_and_year_parameter(real_dir):
    table = insee_filosofi.read(real_dir / FILOSOFI_2018, year=2018)
    assert set(table["period"]) == {pd.Period("2018", "Y")}
    assert table.groupby("level")["code"].nunique().to_dict() == {
        "zone": 297,
        "region": 15,
        "france": 1,
    }
    with pytest.raises(DataFormatError, match=r"filosofi-2018.*ZE2020.*no column 'TP6019'"):
        insee_filosofi.read(real_dir / FILOSOFI_2018, year=2019)


def test_population_and_area_equal_the_workbook_cells(real_dir):
    population = anct_population.read_population(real_dir / POPULATION_XLSX)
    area = anct_population.read_area(real_dir / AREA_XLSX)
    assert population["code"].nunique() == 306 and area["code"].nunique() == 306
    assert population["period"].nunique() == 34  # 19 census years 1876-1999 + 2006..2020
    pop = population.set_index(["code", "period"])["value"]
    km2 = area.set_index(["code", "period"])["value"]
    cells = {}
    for name, column in ((POPULATION_XLSX, "pop"), (AREA_XLSX, "superf_choro")):
        book = openpyxl.load_workbook(real_dir / name, read_only=True)
        try:
            for row in book["Data"].iter_rows(min_row=6, values_only=True):
                if row[0] == "2705" and row[2] == "2020":
                    cells[column] = row[3]
        finally:
            book.close()
    assert pop["2705", pd.Period("2020", "Y")] == cells["pop"] == 191_379
    assert km2["2705", pd.Period("2020", "Y")] == cells["superf_choro"]
    assert population["value"].isna().sum() > 0 and (population["value"].dropna() > 0).all()


# --------------------------------------------------------------------------------------------
# Fixture writers: tiny files in the official layouts
# --------------------------------------------------------------------------------------------

COMPOSITION_HEADER = ["CODGEO", "LIBGEO", "ZE2020", "LIBZE2020", "ZE2020_PARTIE_REG", "DEP", "REG"]
COMPOSITION_ROWS = [
    ["90010", "Belfort", "2705", "Belfort", None, "90", "27"],
    ["70285", "Héricourt", "2705", "Belfort", None, "70", "27"],
    ["25388", "Montbéliard", "2714", "Montbéliard", None, "25", "27"],
    ["61001", "Alençon", "0051", "Alençon", "0051-28", "61", "28"],
    ["72001", "Commune A", "0051", "Alençon", "0051-52", "72", "52"],
    ["72002", "Commune B", "0051", "Alençon", "0051-52", "72", "52"],
]
INSEE_BANNER = ["Zones d'emploi 2020", "France - Composition communale", "Mise en ligne", "@Insee"]


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write a workbook whose sheets are given row by row (None = empty cell)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def composition_sheet(rows=None, header=None, banner=None) -> list[list]:
    """Sheet Composition_communale: 4 banner rows, French titles, header (row 6), data."""
    banner = INSEE_BANNER if banner is None else banner
    header = header or COMPOSITION_HEADER
    titles = ["Code géographique communal", "Libellé géographique", "Zone d'emploi 2020"]
    return [[b] for b in banner] + [titles, header] + (rows or COMPOSITION_ROWS)


def write_composition(path: Path, **kwargs) -> Path:
    return write_xlsx(
        path, {"ZE2020": zone_list_sheet(), ze.COMPOSITION_SHEET: composition_sheet(**kwargs)}
    )


def zone_list_sheet(rows=None) -> list[list]:
    rows = rows or [["0051", "Alençon", 3], ["2705", "Belfort", 2], ["2714", "Montbéliard", 1]]
    return (
        [[b] for b in INSEE_BANNER]
        + [["Zone", "Libellé", "Nombre"]]
        + [["ZE2020", "LIBZE2020", "NB_COM"]]
        + rows
    )


def composition_csv(sep=",", rows=None) -> str:
    lines = [sep.join(COMPOSITION_HEADER)]
    for row in rows or COMPOSITION_ROWS:
        lines.append(sep.join("" if v is None else str(v) for v in row))
    return "\n".join(lines) + "\n"


QUARTERS = ["2003-T1", "2003-T2", "2003-T3"]


def chomage_sheets(rows=None, quarters=None, zone_sheet="txcho_ze") -> dict[str, list[list]]:
    """Workbook of the localised unemployment rates: txcho_ze (header row 6), parts (row 8)."""
    quarters = quarters or QUARTERS
    rows = rows or [
        ["0051", "Alençon", "00", "INTERRÉGIONAL ", 7, 7.4, 7.2],
        ["2705", "Belfort", "27", "BOURGOGNE FRANCHE COMTE", 8.1, 8.3, 8.6],
        ["2714", "Montbéliard", "27", "BOURGOGNE FRANCHE COMTE", 9.9, 10, 10.2],
    ]
    zones = [
        ["Taux de chômage localisés par zone d'emploi"],
        ["Source : Insee"],
        [],
        [],
        ["Code de la zone", "Libellé", "Code région", "Libellé région", "1er trimestre 2003"],
        ["ZE2020", "LIBZE2020", "REG", "LIBREG", *quarters],
        *rows,
    ]
    parts = [
        ["Taux de chômage localisés pour les parties régionales"],
        ["Source : Insee"],
        ['NB : codées "RRXX"'],
        ["Par exemple"],
        [],
        [],
        ["Code de la partie", "Libellé", "1er trimestre 2003"],
        ["ZER2020", "LIBZER2020", *quarters],
        ["2851", "Alençon - partie Normandie", 7.4, 6.7, 6.9],
        ["5251", "Alençon - partie Pays de la Loire", 6.3, 6.2, 6.0],
    ]
    return {
        "Documentation": [["Taux de chômage localisés"]],
        zone_sheet: zones,
        "txcho_parties reg": parts,
    }


FILOSOFI_HEADER = [
    "CODGEO",
    "LIBGEO",
    "NBMENFISC19",
    "MED19",
    "TP6019",
    "TP60AGE119",
    "D119",
    "D919",
]


def filosofi_sheet(rows, header=None) -> list[list]:
    banner = [["FiLoSoFi - Année 2019"], ["Zones d'emploi 2020"], ["Mise en ligne"], ["@Insee"]]
    return (
        banner + [["Code géographique", "Libellé géographique"], header or FILOSOFI_HEADER] + rows
    )


FILOSOFI_ZONES = [
    ["2705", "Belfort", 80000, 21740, 14, "s", 11860, 37150],
    ["2714", "Montbéliard", 70000, 21090, "s", 20.1, None, 35490],
]
FILOSOFI_REGIONS = [
    ["27", "Bourgogne-Franche-Comté", 1200000, 21650, 12.8, 20, 11600, 36800],
    [],
    ["Guadeloupe, Guyane, Mayotte"],
    ["Source : Insee, enquête Budget de famille 2017."],
    FILOSOFI_HEADER,
    ["06", "Mayotte", 63374, 3140, 77.3, 85.4, 0, 21300],
]
FILOSOFI_METRO = [["1", "France métropolitaine", 27000000, 21930, 14.5, 22.7, 11620, 39600]]


def write_filosofi(path: Path, zones=None, header=None, as_zip=True, with_regions=True) -> Path:
    sheets = {}
    if with_regions:
        sheets["REG"] = filosofi_sheet(FILOSOFI_REGIONS)
        sheets["METRO"] = filosofi_sheet(FILOSOFI_METRO)
    sheets["ZE2020"] = filosofi_sheet(zones or FILOSOFI_ZONES, header)
    xlsx = write_xlsx(path.with_suffix(".xlsx"), sheets)
    if not as_zip:
        return xlsx
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(xlsx, "base-cc-filosofi-2019-geo2022.xlsx")
    xlsx.unlink()
    return path


def anct_sheets(value_column="pop", rows=None) -> dict[str, list[list]]:
    """ANCT export: sheet Data (2 banner rows, empty row, title over column D, header row 5)."""
    rows = rows or [
        ["2705", "Belfort", "2019", 192_000],
        ["2705", "Belfort", "2020", 191_000],
        ["2714", "Montbéliard", "2020", None],
    ]
    data = [
        ["Observatoire des territoires - ANCT"],
        ["Historique de populations depuis 1876 (Zone d'emploi (2020))"],
        [],
        [None, None, None, "Historique de la population depuis 1876"],
        ["codgeo", "libgeo", "an", value_column],
        *rows,
    ]
    return {"Data": data, value_column: [["Source: Insee"]]}


# --------------------------------------------------------------------------------------------
# Documented handling: the reader copes and says how
# --------------------------------------------------------------------------------------------


def test_fixture_composition_reads_and_majority_region(tmp_path):
    communes = ze.read_composition(write_composition(tmp_path / "ZE2020.xlsx"))
    assert communes["zone_part"].isna().tolist() == [True, True, True, False, False, False]
    zones = ze.zones_from_composition(communes).set_index("zone")
    # 0051: 1 commune in region 28, 2 in region 52 → 52
    assert zones.loc["0051", ["region", "region_label", "departements"]].tolist() == [
        "52",
        "Pays de la Loire",
        "61,72",
    ]


def test_region_tie_goes_to_the_smaller_code(tmp_path):
    rows = COMPOSITION_ROWS[:5]  # 0051: one commune in 28, one in 52
    zones = ze.zones_from_composition(
        ze.read_composition(write_composition(tmp_path / "t.xlsx", rows=rows))
    )
    assert zones.set_index("zone").loc["0051", "region"] == "28"


@pytest.mark.parametrize("banner_rows", [0, 2, 9])
def test_banner_rows_moved_still_reads(tmp_path, banner_rows):
    reference = ze.read_composition(write_composition(tmp_path / "ref.xlsx"))
    banner = [f"bandeau {i}" for i in range(banner_rows)]
    moved = ze.read_composition(write_composition(tmp_path / "moved.xlsx", banner=banner))
    pd.testing.assert_frame_equal(moved, reference)


@pytest.mark.parametrize(
    ("sep", "encoding"),
    [(",", "utf-8"), (";", "utf-8"), (";", "utf-8-sig"), (",", "latin-1"), (";", "cp1252")],
)
def test_csv_separator_and_encoding_variants_read_the_same(tmp_path, sep, encoding):
    reference = ze.read_composition(write_composition(tmp_path / "ref.xlsx"))
    path = tmp_path / "composition.csv"
    path.write_bytes(composition_csv(sep).encode(encoding))
    pd.testing.assert_frame_equal(ze.read_composition(path), reference)


def test_codes_that_lost_their_leading_zeros_are_padded(tmp_path):
    # what a spreadsheet does to a CSV: 0051 → 51, commune 01001 → 1001, département 01 → 1
    rows = [["1001", "L'Abergement", "51", "Alençon", None, "1", "84"]]
    path = tmp_path / "resaved.csv"
    path.write_text(composition_csv(",", rows), encoding="utf-8")
    communes = ze.read_composition(path)
    assert communes.iloc[0][["commune", "zone", "departement"]].tolist() == ["01001", "0051", "01"]
    # and numeric cells in a workbook
    sheets = chomage_sheets(rows=[[51, "Alençon", "00", "INTERRÉGIONAL", 7, 7.4, 7.2]])
    rates = insee_chomage.read(write_xlsx(tmp_path / "numeric.xlsx", sheets))
    assert set(rates["code"]) == {"0051"}


@pytest.mark.parametrize("marker", ["s", "nd", "n.d.", "*", "secret", "nc", "", "S", " nd "])
def test_masked_cells_become_nan_never_zero(tmp_path, marker):
    rows = [["2705", "Belfort", "27", "BFC", 8.1, marker, 8.6]]
    rates = insee_chomage.read(write_xlsx(tmp_path / "masked.xlsx", chomage_sheets(rows=rows)))
    assert rates["value"].tolist()[0] == 8.1 and math.isnan(rates["value"].tolist()[1])
    assert (rates["value"] != 0).all()


def test_chomage_fixture_and_regional_parts(tmp_path):
    path = write_xlsx(tmp_path / "chomage.xlsx", chomage_sheets())
    rates = insee_chomage.read(path).set_index(["code", "period"])["value"]
    assert rates["2705", pd.Period("2003Q3", "Q")] == 8.6
    parts = insee_chomage.read_regional_parts(path)
    assert set(parts["zone_part"]) == {"0051-28", "0051-52"} and set(parts["code"]) == {"0051"}


def test_filosofi_fixture_masked_cells_and_levels(tmp_path):
    table = insee_filosofi.read(write_filosofi(tmp_path / "filo.zip"))
    value = table.set_index(["level", "code", "indicator"])["value"]
    assert value["zone", "2705", "poverty_rate"] == 14
    assert math.isnan(value["zone", "2714", "poverty_rate"])  # "s"
    assert math.isnan(value["zone", "2714", "d1"])  # empty cell
    assert value["france", "FR", "median_living_standard"] == 21930
    assert set(table.loc[table["level"] == "region", "code"]) == {
        "27"
    }  # block after blank left out
    assert set(table["period"]) == {pd.Period("2019", "Y")}


def test_filosofi_bare_xlsx_equals_zip_and_region_sheets_are_optional(tmp_path):
    from_zip = insee_filosofi.read(write_filosofi(tmp_path / "filo.zip"))
    from_xlsx = insee_filosofi.read(write_filosofi(tmp_path / "bare.zip", as_zip=False))
    pd.testing.assert_frame_equal(from_zip, from_xlsx)
    zones_only = insee_filosofi.read(write_filosofi(tmp_path / "z.zip", with_regions=False))
    assert set(zones_only["level"]) == {"zone"}


def test_anct_fixture_population_and_area(tmp_path):
    population = anct_population.read_population(write_xlsx(tmp_path / "pop.xlsx", anct_sheets()))
    assert population["value"].tolist()[:2] == [192_000, 191_000]
    assert math.isnan(population["value"].tolist()[2])
    area_rows = [["2705", "Belfort", "2020", "1 281,73"]]  # French formatting accepted
    area = anct_population.read_area(
        write_xlsx(tmp_path / "area.xlsx", anct_sheets("superf_choro", area_rows))
    )
    assert area["value"].tolist() == [1281.73] and area["period"].tolist() == [
        pd.Period("2020", "Y")
    ]


def test_geometry_fixture_pads_numeric_codes(tmp_path):
    path = tmp_path / "zones.geojson"
    gpd.GeoDataFrame(
        {"ze2020": [51, 2705], "libze2020": ["Alençon", "Belfort"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs="EPSG:4326",
    ).to_file(path, driver="GeoJSON")
    assert ze.read_geometry(path)["zone"].tolist() == ["0051", "2705"]


def test_cell_text_round_trips_floats():
    assert [cell_text(v) for v in (None, " a ", 7, 7.0, 7.4, 0.1 + 0.2)] == [
        "",
        "a",
        "7",
        "7",
        "7.4",
        "0.30000000000000004",
    ]


def test_sources_are_declared():
    for source in (ze.SOURCE, insee_chomage.SOURCE, insee_filosofi.SOURCE, anct_population.SOURCE):
        assert isinstance(source, Source) and source.files and source.page.startswith("https://")
    assert insee_chomage.SOURCE.vintage == "2023T3" and ze.SOURCE.vintage == "2023"
    assert insee_filosofi.source("2018").vintage == "2018"
    with pytest.raises(ParameterError, match=r"vintage '2017'.*\['2018', '2019'\]"):
        insee_filosofi.source("2017")
    assert len(ze.REGION_LABELS) == 18


# --------------------------------------------------------------------------------------------
# Catalogue of malformed files: DataFormatError naming file, sheet, row, column
# --------------------------------------------------------------------------------------------


def test_wrong_separator(tmp_path):
    path = tmp_path / "pipes.csv"
    path.write_text(composition_csv("|"), encoding="utf-8")
    with pytest.raises(
        DataFormatError, match=r"pipes\.csv: no header line .*separated by ',' or ';'"
    ):
        ze.read_composition(path)


def test_wrong_encoding_that_is_neither_utf8_nor_latin1(tmp_path):
    path = tmp_path / "garbled.csv"
    path.write_bytes(composition_csv().encode("utf-8").replace(b"Commune A", b"Commune \x81"))
    with pytest.raises(DataFormatError, match=r"garbled\.csv: neither UTF-8 .* nor latin-1"):
        ze.read_composition(path)


def test_utf16_file(tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes(composition_csv().encode("utf-16"))
    with pytest.raises(DataFormatError, match=r"utf16\.csv: holds NUL bytes \(UTF-16"):
        ze.read_composition(path)


def test_header_renamed(tmp_path):
    header = [c if c != "ZE2020" else "CODE_ZE" for c in COMPOSITION_HEADER]
    path = write_composition(tmp_path / "renamed.xlsx", header=header)
    with pytest.raises(
        DataFormatError,
        match=r"renamed\.xlsx, sheet 'Composition_communale': no header row .* "
        r"closest is row 6, which lacks \['ZE2020'\]",
    ):
        ze.read_composition(path)


def test_header_too_far_down(tmp_path):
    path = write_composition(tmp_path / "deep.xlsx", banner=[f"b{i}" for i in range(20)])
    with pytest.raises(DataFormatError, match=r"deep\.xlsx.*within the first 15 rows"):
        ze.read_composition(path)


def test_missing_column_in_filosofi(tmp_path):
    header = [c for c in FILOSOFI_HEADER if c != "D119"]
    zones = [row[:6] + row[7:] for row in FILOSOFI_ZONES]
    path = write_filosofi(tmp_path / "filo.zip", zones=zones, header=header, with_regions=False)
    with pytest.raises(
        DataFormatError, match=r"filo.*sheet 'ZE2020', row 6: missing column\(s\) \['D119'\]"
    ):
        insee_filosofi.read(path)


def test_repeated_header_column(tmp_path):
    header = [*COMPOSITION_HEADER[:-1], "DEP"]
    path = write_composition(tmp_path / "twice.xlsx", header=header + ["REG"])
    with pytest.raises(
        DataFormatError, match=r"twice\.xlsx, sheet .*row 6: column\(s\) \['DEP'\] appear twice"
    ):
        ze.read_composition(path)


def test_duplicated_rows(tmp_path):
    rows = [
        ["2705", "Belfort", "27", "BFC", 8.1, 8.3, 8.6],
        ["2714", "Montbéliard", "27", "BFC", 9.9, 10, 10.2],
        ["2705", "Belfort", "27", "BFC", 8.1, 8.3, 8.6],
    ]
    path = write_xlsx(tmp_path / "dupes.xlsx", chomage_sheets(rows=rows))
    with pytest.raises(
        DataFormatError, match=r"dupes\.xlsx, sheet 'txcho_ze': rows 7 and 9 both give zone '2705'"
    ):
        insee_chomage.read(path)


def test_duplicated_commune_in_csv(tmp_path):
    path = tmp_path / "dupes.csv"
    path.write_text(composition_csv(",", COMPOSITION_ROWS + COMPOSITION_ROWS[:1]), encoding="utf-8")
    with pytest.raises(
        DataFormatError, match=r"dupes\.csv: rows 2 and 8 both give commune '90010'"
    ):
        ze.read_composition(path)


def test_duplicated_zone_and_year_in_anct(tmp_path):
    rows = [["2705", "Belfort", "2020", 1], ["2705", "Belfort", "2020", 2]]
    path = write_xlsx(tmp_path / "pop.xlsx", anct_sheets(rows=rows))
    with pytest.raises(
        DataFormatError,
        match=r"pop\.xlsx, sheet 'Data': rows 6 and 7 both give zone '2705', year '2020'",
    ):
        anct_population.read_population(path)


@pytest.mark.parametrize("code", ["51A", "27055", "2 705"])
def test_malformed_zone_code(tmp_path, code):
    rows = [[code, "Belfort", "27", "BFC", 8.1, 8.3, 8.6]]
    path = write_xlsx(tmp_path / "codes.xlsx", chomage_sheets(rows=rows))
    with pytest.raises(
        DataFormatError,
        match=rf"codes\.xlsx, sheet 'txcho_ze', row 7, column 'ZE2020' \(A\): found '{code}'; "
        r"expected a zone code of 4 characters",
    ):
        insee_chomage.read(path)


def test_truncated_workbook(tmp_path):
    full = write_xlsx(tmp_path / "full.xlsx", chomage_sheets())
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    with pytest.raises(
        DataFormatError, match=r"truncated\.xlsx: not a zip archive \(truncated download"
    ):
        insee_chomage.read(path)


def test_truncated_csv(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_text(composition_csv()[:-30], encoding="utf-8")  # last line cut mid-way
    with pytest.raises(
        DataFormatError, match=r"cut\.csv, row 7, column 'ZE2020': found an empty cell"
    ):
        ze.read_composition(path)


def test_header_without_data(tmp_path):
    path = write_xlsx(tmp_path / "header_only.xlsx", anct_sheets(rows=[[]]))
    with pytest.raises(
        DataFormatError,
        match=r"header_only\.xlsx, sheet 'Data': no data row below the header \(row 5\)",
    ):
        anct_population.read_population(path)


@pytest.mark.parametrize(
    ("reader", "name"),
    [
        (ze.read_composition, "ZE2020.xlsx"),
        (ze.read_composition, "ZE2020.csv"),
        (insee_chomage.read, "chomage.xlsx"),
        (insee_filosofi.read, "filosofi.zip"),
        (anct_population.read_area, "superf.xlsx"),
    ],
)
def test_empty_file(tmp_path, reader, name):
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(DataFormatError, match=re.escape(name) + r": empty file \(0 bytes\)"):
        reader(path)


def test_missing_file(tmp_path):
    with pytest.raises(DataFormatError, match=r"nowhere\.xlsx: file not found"):
        insee_chomage.read(tmp_path / "nowhere.xlsx")


def test_zip_that_is_not_a_zip(tmp_path):
    path = tmp_path / "base-cc-filosofi-2019_XLSX.zip"
    path.write_text("CODGEO;LIBGEO\n2705;Belfort\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"XLSX\.zip: not a zip archive"):
        insee_filosofi.read(path)


def test_html_error_page_saved_as_workbook(tmp_path):
    path = tmp_path / "chomage.xlsx"
    path.write_text("<!DOCTYPE html><html><body>Erreur 404</body></html>", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"chomage\.xlsx: an HTML page"):
        insee_chomage.read(path)


def test_old_binary_xls(tmp_path):
    path = tmp_path / "chomage.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(DataFormatError, match=r"chomage\.xls: an old binary \.xls workbook"):
        insee_chomage.read(path)


def test_zip_without_a_workbook(tmp_path):
    path = tmp_path / "base-cc-filosofi-2019_CSV.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("base-cc-filosofi-2019.csv", "CODGEO;LIBGEO\n")
    with pytest.raises(
        DataFormatError, match=r"CSV\.zip: expected a zip holding one \.xlsx workbook; found none"
    ):
        insee_filosofi.read(path)


def test_sheet_renamed(tmp_path):
    path = write_xlsx(tmp_path / "renamed_sheet.xlsx", chomage_sheets(zone_sheet="Feuil1"))
    with pytest.raises(
        DataFormatError,
        match=r"renamed_sheet\.xlsx: no sheet 'txcho_ze'; sheets present: "
        r"\['Documentation', 'Feuil1', 'txcho_parties reg'\]",
    ):
        insee_chomage.read(path)


def test_negative_count(tmp_path):
    rows = [["2705", "Belfort", "2020", -5]]
    path = write_xlsx(tmp_path / "negative.xlsx", anct_sheets(rows=rows))
    with pytest.raises(
        DataFormatError,
        match=r"negative\.xlsx, sheet 'Data', row 6, column 'pop' \(D\): found '-5'; expected a count",
    ):
        anct_population.read_population(path)


def test_negative_number_of_communes(tmp_path):
    sheets = {"ZE2020": zone_list_sheet([["2705", "Belfort", -164]])}
    with pytest.raises(
        DataFormatError, match=r"sheet 'ZE2020', row 7, column 'NB_COM' \(C\): found '-164'"
    ):
        ze.read_zone_list(write_xlsx(tmp_path / "zones.xlsx", sheets))


@pytest.mark.parametrize("text", ["abc", "8,6%", "nan", "inf", "--"])
def test_text_in_numeric_column(tmp_path, text):
    rows = [["2705", "Belfort", "27", "BFC", 8.1, text, 8.6]]
    path = write_xlsx(tmp_path / "text.xlsx", chomage_sheets(rows=rows))
    with pytest.raises(
        DataFormatError,
        match=r"text\.xlsx, sheet 'txcho_ze', row 7, column '2003-T2' \(F\): found .*; "
        r"expected a number or a masked marker",
    ):
        insee_chomage.read(path)


def test_text_in_filosofi_value(tmp_path):
    zones = [["2705", "Belfort", 80000, "vingt mille", 14, 20, 11860, 37150]]
    path = write_filosofi(tmp_path / "filo.zip", zones=zones)
    with pytest.raises(
        DataFormatError,
        match=r"filo\.zip \[base-cc-filosofi-2019-geo2022\.xlsx\], sheet 'ZE2020', row 7, "
        r"column 'MED19' \(D\): found 'vingt mille'",
    ):
        insee_filosofi.read(path)


def test_rate_above_100_fails_the_canonical_check(tmp_path):
    rows = [["2705", "Belfort", "27", "BFC", 8.1, 108, 8.6]]
    path = write_xlsx(tmp_path / "high.xlsx", chomage_sheets(rows=rows))
    with pytest.raises(
        DataFormatError,
        match=r"high\.xlsx, sheet 'txcho_ze': table 'unemployment_rate' is not canonical.*108",
    ):
        insee_chomage.read(path)


def test_quarter_header_that_does_not_exist(tmp_path):
    path = write_xlsx(
        tmp_path / "q5.xlsx", chomage_sheets(quarters=["2003-T1", "2003-T5", "2003-T3"])
    )
    with pytest.raises(
        DataFormatError,
        match=r"q5\.xlsx, sheet 'txcho_ze', row 6, column '2003-T5' \(F\): .*quarter 5",
    ):
        insee_chomage.read(path)


def test_malformed_year_in_anct(tmp_path):
    path = write_xlsx(tmp_path / "year.xlsx", anct_sheets(rows=[["2705", "Belfort", "20-20", 1]]))
    with pytest.raises(
        DataFormatError, match=r"year\.xlsx, sheet 'Data', row 6, column 'an' \(C\): found '20-20'"
    ):
        anct_population.read_population(path)


def test_filosofi_year_cannot_be_inferred(tmp_path):
    header = [c.replace("19", "") for c in FILOSOFI_HEADER]
    path = write_filosofi(tmp_path / "noyear.zip", header=header, with_regions=False)
    with pytest.raises(
        DataFormatError, match=r"noyear\.zip.*sheet 'ZE2020', row 6: cannot tell the year"
    ):
        insee_filosofi.read(path)
    with pytest.raises(ParameterError, match=r"year '2019': expected an integer"):
        insee_filosofi.read(path, year="2019")


def test_inconsistent_regional_part(tmp_path):
    rows = [*COMPOSITION_ROWS[:3], ["61001", "Alençon", "0051", "Alençon", "0051-52", "61", "28"]]
    path = write_composition(tmp_path / "part.xlsx", rows=rows)
    with pytest.raises(
        DataFormatError,
        match=r"part\.xlsx, sheet 'Composition_communale', row 10, column 'ZE2020_PARTIE_REG' "
        r"\(E\): found '0051-52'; expected the regional part '0051-28'",
    ):
        ze.read_composition(path)


def test_csv_line_with_extra_fields(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text(composition_csv() + "90011,Extra,2705,Belfort,,90,27,oops\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"ragged\.csv, row 8: 8 field\(s\), expected 7"):
        ze.read_composition(path)


def test_geometry_without_the_official_fields(tmp_path):
    path = tmp_path / "fields.geojson"
    gpd.GeoDataFrame({"code": ["2705"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4326").to_file(
        path, driver="GeoJSON"
    )
    with pytest.raises(
        DataFormatError, match=r"fields\.geojson: missing field\(s\) \['ze2020', 'libze2020'\]"
    ):
        ze.read_geometry(path)


def test_unknown_region_code_in_composition(tmp_path):
    communes = ze.read_composition(write_composition(tmp_path / "c.xlsx"))
    communes.loc[0, "region"] = "99"
    with pytest.raises(
        DataFormatError, match=r"composition, column 'region': unknown region code\(s\) \['99'\]"
    ):
        ze.zones_from_composition(communes)


def test_helpers_open_workbook_and_csv_directly(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", chomage_sheets())
    with open_workbook(path) as book:
        assert book.sheetnames == ["Documentation", "txcho_ze", "txcho_parties reg"]
        table = book.table("txcho_ze", ["ze2020"])  # case-blind match, spelled as asked
    assert table.header_row == 6 and "ze2020" in table.frame and table.letters["2003-T1"] == "E"
    assert table.frame.index.tolist() == [7, 8, 9]
    csv = tmp_path / "t.csv"
    csv.write_text("titre\n\nA;B\n1;2\n", encoding="utf-8")
    assert read_csv_table(csv, ["A", "B"]).frame.loc[4].tolist() == ["1", "2"]
