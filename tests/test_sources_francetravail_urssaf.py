"""Readers of the Urssaf, DARES and France Travail datasets.

Real-file tests use ../shared/data/real (skipped when absent) and check figures against the
files read independently here (csv module, openpyxl); the malformed variants are small fixtures
written in each official layout into tmp_path. Expected values are hand arithmetic.
"""

from __future__ import annotations

import csv
import math

import openpyxl
import pandas as pd
import pytest

from bassin_lib.errors import BassinWarning, DataFormatError, ParameterError
from bassin_lib.inputs.sources import Source, dares_demandeurs, dares_interim, francetravail_bmo
from bassin_lib.inputs.sources import urssaf_emploi as urssaf

URSSAF_REAL = "urssaf_emploi_ze/urssaf_emploi_ze_quarterly_2012_2025.csv"
COMMUNES_REAL = "francetravail_demandeurs_emploi/emploi_demandeur.csv"
BMO_REAL = "francetravail_bmo/Base_open_data_BMO_2024.xlsx"
BASINS_REAL = "francetravail_bmo/France_Travail_Bassin_Emploi_2021.csv"
ZE_COMPOSITION_REAL = "insee_ze2020_mapping/zones_emloi_ZE2020_2023.csv"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def value(table, **keys):
    """The single value of ``table`` at ``keys`` (periods given as strings)."""
    mask = pd.Series(True, index=table.index)
    for column, wanted in keys.items():
        if column == "period":
            wanted = pd.Period(wanted, freq=table["period"].dtype.freq)
        mask &= table[column] == wanted
    assert mask.sum() == 1, keys
    return table.loc[mask, "value"].iloc[0]


# --- SOURCE objects ---------------------------------------------------------------------------


@pytest.mark.parametrize("module", [urssaf, dares_demandeurs, francetravail_bmo, dares_interim])
def test_each_module_declares_its_source(module):
    assert isinstance(module.SOURCE, Source)
    # the licence the publisher states: the ODbL for Urssaf's open data
    expected = "Open Data Commons Open Database License" if module is urssaf else "Licence Ouverte"
    assert module.SOURCE.licence.startswith(expected)
    assert module.SOURCE.source_line().startswith("Source : ")
    assert "?" not in module.SOURCE.vintage and module.SOURCE.vintage


# --- Urssaf -----------------------------------------------------------------------------------

URSSAF_REDUCED_HEADER = ",".join(urssaf.REDUCED_COLUMNS)


def urssaf_official(rows):
    """Official ';' export: rows of (zone, part, annee, trimestre, brut, cvs)."""
    lines = [";".join(urssaf.OFFICIAL_COLUMNS)]
    for zone, part, year, quarter, brut, cvs in rows:
        fields = {
            "libelle_zone_d_emploi": "Montbéliard",
            "zone_d_emploi": zone,
            "region": "Bourgogne-Franche-Comté",
            "ancienne_region": "Franche-Comté",
            "libelle_zone_d_emploi_reg": "Montbéliard (partie)",
            "zone_d_emploi_regionalisee": part,
            "annee": year,
            "trimestre": quarter,
            "dernier_jour_du_trimestre": f"{year}-03-31",
            "code_region": "27",
            "code_ancienne_region": "43",
            "code_zone_d_emploi": zone,
            "code_zone_d_emploi_regionalisee": part,
            "effectifs_salaries_brut": brut,
            "effectifs_salaries_cvs": cvs,
            "masse_salariale_brut": "1000000",
            "masse_salariale_cvs": "1000000",
        }
        lines.append(";".join(fields[c] for c in urssaf.OFFICIAL_COLUMNS))
    return "\n".join(lines) + "\n"


OFFICIAL_ROWS = [
    ("0051", "0051-27", "2020", "1", "100", "110"),
    ("0051", "0051-84", "2020", "1", "50", "40"),
    ("2705", "2705", "2020", "1", "43000", "43100"),
]


def test_urssaf_official_layout_sums_regional_parts(tmp_path):
    table = urssaf.read(write(tmp_path, "u.csv", urssaf_official(OFFICIAL_ROWS)))
    assert value(table, code="0051", period="2020Q1", adjustment="brut") == 150  # 100 + 50
    assert value(table, code="0051", period="2020Q1", adjustment="cvs") == 150  # 110 + 40
    assert value(table, code="2705", period="2020Q1", adjustment="cvs") == 43100
    assert set(table["sector"]) == {"TOTAL"} and set(table["level"]) == {"zone"}
    assert len(table) == 4  # 2 zones x 1 quarter x 2 adjustments


def test_urssaf_reduced_layout_sums_rows_of_a_code_and_reads_quarter_forms(tmp_path):
    text = URSSAF_REDUCED_HEADER + (
        "\n2019,4,0051,21400,21367,1\n2019,4,0051,6390,6386,2"
        "\n2020,T1,2705,1,10,3\n2020,1er trimestre,2714,2,20,4\n2020,2e trimestre,2714,3,30,5"
        "\n2020,3ème trimestre,2714,4,40,6\n2020,Q4,2714,5,50,7\n"
    )
    table = urssaf.read(write(tmp_path, "u.csv", text))
    assert value(table, code="0051", period="2019Q4", adjustment="cvs") == 21367 + 6386
    assert value(table, code="2705", period="2020Q1", adjustment="cvs") == 10
    quarters = table[(table.code == "2714") & (table.adjustment == "cvs")]
    assert list(quarters["period"].astype(str)) == ["2020Q1", "2020Q2", "2020Q3", "2020Q4"]
    assert list(quarters["value"]) == [20.0, 30.0, 40.0, 50.0]
    assert isinstance(table["period"].dtype, pd.PeriodDtype)


@pytest.mark.parametrize("masked", ["*", "s", ""])
def test_urssaf_masked_part_makes_the_zone_missing_never_zero(tmp_path, masked):
    rows = [*OFFICIAL_ROWS[:1], ("0051", "0051-84", "2020", "1", "50", masked)]
    table = urssaf.read(write(tmp_path, "u.csv", urssaf_official(rows)))
    assert math.isnan(value(table, code="0051", period="2020Q1", adjustment="cvs"))
    assert value(table, code="0051", period="2020Q1", adjustment="brut") == 150


def test_urssaf_codes_that_lost_their_leading_zeros_are_padded(tmp_path):
    text = URSSAF_REDUCED_HEADER + "\n2020,1,51,1,10,1\n2020,1,101,2,20,2\n"
    table = urssaf.read(write(tmp_path, "u.csv", text))
    assert sorted(table["code"].unique()) == ["0051", "0101"]


@pytest.mark.parametrize("code", ["27O5", "12345", "2705.0"])
def test_urssaf_malformed_zone_code_is_refused(tmp_path, code):
    path = write(tmp_path, "u.csv", URSSAF_REDUCED_HEADER + f"\n2020,1,{code},1,10,1\n")
    with pytest.raises(
        DataFormatError, match=rf"u\.csv, row 2, column 'code_zone_d_emploi': found '{code}'"
    ):
        urssaf.read(path)


def test_urssaf_official_columns_with_commas_name_the_separator(tmp_path):
    path = write(tmp_path, "u.csv", urssaf_official(OFFICIAL_ROWS).replace(";", ","))
    with pytest.raises(DataFormatError, match=r"u\.csv, row 1: .*comma-separated.*semicolon"):
        urssaf.read(path)


def test_urssaf_reduced_columns_with_tabs_name_the_separator(tmp_path):
    text = (URSSAF_REDUCED_HEADER + "\n2020,1,2705,1,10,1\n").replace(",", "\t")
    with pytest.raises(DataFormatError, match=r"u\.csv, row 1: .*tab-separated"):
        urssaf.read(write(tmp_path, "u.csv", text))


def test_urssaf_latin1_file_is_decoded(tmp_path):
    utf8 = urssaf.read(write(tmp_path, "a.csv", urssaf_official(OFFICIAL_ROWS)))
    latin = urssaf.read(write(tmp_path, "b.csv", urssaf_official(OFFICIAL_ROWS), "latin-1"))
    pd.testing.assert_frame_equal(utf8, latin)


def test_urssaf_bytes_neither_utf8_nor_windows1252_are_refused(tmp_path):
    path = tmp_path / "u.csv"
    path.write_bytes(URSSAF_REDUCED_HEADER.encode() + b"\n2020,1,2705,1,10,\x81\n")
    with pytest.raises(DataFormatError, match=r"u\.csv: byte 0x81 .*neither UTF-8 nor"):
        urssaf.read(path)


def test_urssaf_renamed_column_is_named(tmp_path):
    text = urssaf_official(OFFICIAL_ROWS).replace("effectifs_salaries_cvs", "effectifs_cvs")
    with pytest.raises(
        DataFormatError, match=r"u\.csv, row 1: .*missing \['effectifs_salaries_cvs'\]"
    ):
        urssaf.read(write(tmp_path, "u.csv", text))


def test_urssaf_repeated_regional_part_names_keys_and_lines(tmp_path):
    rows = [*OFFICIAL_ROWS, OFFICIAL_ROWS[0]]
    with pytest.raises(DataFormatError, match=r"u\.csv: rows 2 and 5 both give zone '0051'"):
        urssaf.read(write(tmp_path, "u.csv", urssaf_official(rows)))


def test_urssaf_identical_lines_in_reduced_layout_are_duplicates(tmp_path):
    text = URSSAF_REDUCED_HEADER + "\n2020,1,2705,1,10,1\n2020,1,2705,1,10,1\n"
    with pytest.raises(DataFormatError, match=r"u\.csv: rows 2 and 3 both give zone '2705'"):
        urssaf.read(write(tmp_path, "u.csv", text))


def test_urssaf_truncated_file_names_the_cut_line(tmp_path):
    text = urssaf_official(OFFICIAL_ROWS)
    cut = text[: text.rindex(";43000;") + 3]  # the last line ends inside a figure
    with pytest.raises(DataFormatError, match=r"u\.csv, row 4: 14 field\(s\), expected 17"):
        urssaf.read(write(tmp_path, "u.csv", cut))


def test_urssaf_empty_file(tmp_path):
    with pytest.raises(DataFormatError, match=r"u\.csv: the file is empty"):
        urssaf.read(write(tmp_path, "u.csv", ""))


def test_urssaf_header_without_rows(tmp_path):
    with pytest.raises(DataFormatError, match=r"u\.csv: header only, no data rows"):
        urssaf.read(write(tmp_path, "u.csv", URSSAF_REDUCED_HEADER + "\n"))


def test_urssaf_text_in_a_count_names_line_and_column(tmp_path):
    text = URSSAF_REDUCED_HEADER + "\n2020,1,2705,1,10,1\n2020,2,2705,1,dix,1\n"
    with pytest.raises(
        DataFormatError,
        match=r"u\.csv, row 3, column 'effectifs_salaries_cvs': found 'dix'; expected a number",
    ):
        urssaf.read(write(tmp_path, "u.csv", text))


def test_urssaf_negative_count_is_refused(tmp_path):
    text = URSSAF_REDUCED_HEADER + "\n2020,1,2705,-5,10,1\n"
    with pytest.raises(
        DataFormatError,
        match=r"row 2, column 'effectifs_salaries_brut': found '-5'; expected a count",
    ):
        urssaf.read(write(tmp_path, "u.csv", text))


def test_urssaf_unknown_quarter_is_refused(tmp_path):
    text = URSSAF_REDUCED_HEADER + "\n2020,T5,2705,1,10,1\n"
    with pytest.raises(
        DataFormatError, match=r"row 2, column 'trimestre': found 'T5'; expected a quarter"
    ):
        urssaf.read(write(tmp_path, "u.csv", text))


def test_urssaf_part_absent_in_a_quarter_is_flagged(tmp_path):
    rows = [*OFFICIAL_ROWS, ("0051", "0051-27", "2020", "2", "100", "110")]
    with pytest.warns(BassinWarning, match=r"0051 \(1 of 2 quarters with fewer than 2 parts\)"):
        table = urssaf.read(write(tmp_path, "u.csv", urssaf_official(rows)))
    assert value(table, code="0051", period="2020Q2", adjustment="cvs") == 110


def test_urssaf_real_file(real_dir):
    path = real_dir / URSSAF_REAL
    with pytest.warns(BassinWarning, match=r"2711 \(12 of 56 quarters"):
        table = urssaf.read(path)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert table["code"].nunique() == 305
    assert table["code"].str.len().eq(4).all()
    # 2705 (Belfort) has one row per quarter: the table repeats the file's figure
    (belfort,) = [
        r
        for r in rows
        if (r["code_zone_d_emploi"], r["annee"], r["trimestre"]) == ("2705", "2019", "4")
    ]
    assert value(table, code="2705", period="2019Q4", adjustment="cvs") == float(
        belfort["effectifs_salaries_cvs"]
    )
    # 0051 straddles two former regions: two rows at 2019-Q4, summed
    parts = [
        r
        for r in rows
        if (r["code_zone_d_emploi"], r["annee"], r["trimestre"]) == ("0051", "2019", "4")
    ]
    assert len(parts) == 2
    assert value(table, code="0051", period="2019Q4", adjustment="brut") == sum(
        float(r["effectifs_salaries_brut"]) for r in parts
    )
    assert len(table) == 305 * 56 * 2  # zones x quarters 2012Q1-2025Q4 x (brut, cvs)


# --- DARES: job seekers by zone, quarterly ----------------------------------------------------


def dares_zone(rows, sep=";"):
    """Official layout: rows of (date, region, zone, category, sex, age, seniority, value)."""
    lines = [sep.join(dares_demandeurs.ZONE_COLUMNS)]
    for date, region, zone, category, sex, age, seniority, count in rows:
        lines.append(
            sep.join(
                [date, region, "Région", zone, "Zone d'emploi", "Brutes", category]
                + [sex, age, seniority, count]
            )
        )
    return "\n".join(lines) + "\n"


T = ("Total", "Total", "Total")
DARES_ROWS = [
    ("2020-T4", "27", "2705", "A", *T, "4210"),
    ("2020-T4", "27", "2705", "B", *T, "950"),
    ("2020-T4", "27", "2705", "C", *T, "1480"),
    ("2020-T4", "27", "2705", "ABC", *T, "6640"),
    ("2020-T4", "27", "2705", "D", *T, "400"),
    ("2020-T4", "27", "2705", "A", "Femmes", "Total", "Total", "2000"),
    ("2020-T4", "27", "2705", "A", "Total", "Moins de 25 ans", "Total", "600"),
    ("2020-T4", "27", "Total", "A", *T, "999999"),
]


def test_dares_zone_keeps_categories_a_b_c_at_the_totals(tmp_path):
    table = dares_demandeurs.read_zone_quarterly(write(tmp_path, "d.csv", dares_zone(DARES_ROWS)))
    assert list(table["category"]) == ["A", "B", "C"]
    assert list(table["value"]) == [4210.0, 950.0, 1480.0]
    assert set(table["code"]) == {"2705"} and set(table["period"].astype(str)) == {"2020Q4"}


@pytest.mark.parametrize("masked", ["*", "s", ""])
def test_dares_zone_masked_cells_are_nan(tmp_path, masked):
    rows = [("2020-T4", "27", "2705", "B", *T, masked)]
    table = dares_demandeurs.read_zone_quarterly(write(tmp_path, "d.csv", dares_zone(rows)))
    assert math.isnan(value(table, code="2705", category="B", period="2020Q4"))


def test_dares_zone_other_total_labels_are_listed_then_accepted(tmp_path):
    rows = [("2020-T4", "27", "2705", "A", "Ensemble", "Ensemble", "Ensemble", "4210")]
    path = write(tmp_path, "d.csv", dares_zone(rows))
    with pytest.raises(
        DataFormatError, match=r"d\.csv, column 'Sexe': no 'Total' row.*Ensemble.*sex_total"
    ):
        dares_demandeurs.read_zone_quarterly(path)
    table = dares_demandeurs.read_zone_quarterly(
        path, sex_total="Ensemble", age_total="Ensemble", seniority_total="Ensemble"
    )
    assert list(table["value"]) == [4210.0]


def test_dares_zone_unknown_category_names_line_and_value(tmp_path):
    rows = [*DARES_ROWS[:2], ("2020-T4", "27", "2705", "Cat. A", *T, "10")]
    with pytest.raises(
        DataFormatError,
        match=r"d\.csv, row 4, column 'Catégorie': found 'Cat. A'; expected a category",
    ):
        dares_demandeurs.read_zone_quarterly(write(tmp_path, "d.csv", dares_zone(rows)))


def test_dares_zone_regional_parts_are_summed_and_repeats_refused(tmp_path):
    rows = [
        ("2020-T4", "27", "0051", "A", *T, "300"),
        ("2020-T4", "84", "0051", "A", *T, "200"),
        ("2020-T4", "27", "51", "B", *T, "40"),  # lost leading zeros
    ]
    table = dares_demandeurs.read_zone_quarterly(write(tmp_path, "d.csv", dares_zone(rows)))
    assert value(table, code="0051", category="A", period="2020Q4") == 500  # 300 + 200
    assert value(table, code="0051", category="B", period="2020Q4") == 40
    repeated = [*rows, ("2020-T4", "27", "0051", "A", *T, "300")]
    with pytest.raises(DataFormatError, match=r"d\.csv: rows 2 and 5 both give zone '0051'"):
        dares_demandeurs.read_zone_quarterly(write(tmp_path, "d.csv", dares_zone(repeated)))


def test_dares_zone_comma_separated_file_is_refused(tmp_path):
    path = write(tmp_path, "d.csv", dares_zone(DARES_ROWS, sep=","))
    with pytest.raises(DataFormatError, match=r"d\.csv, row 1: .*comma-separated"):
        dares_demandeurs.read_zone_quarterly(path)


def test_dares_zone_latin1_file_is_decoded(tmp_path):
    table = dares_demandeurs.read_zone_quarterly(
        write(tmp_path, "d.csv", dares_zone(DARES_ROWS), encoding="latin-1")
    )
    assert list(table["value"]) == [4210.0, 950.0, 1480.0]


def test_dares_zone_bad_date_and_truncation(tmp_path):
    rows = [("2020T4", "27", "2705", "A", *T, "10")]
    with pytest.raises(
        DataFormatError, match=r"row 2, column 'Date': found '2020T4'; expected a quarter"
    ):
        dares_demandeurs.read_zone_quarterly(write(tmp_path, "d.csv", dares_zone(rows)))
    text = dares_zone(DARES_ROWS)
    cut = text[: text.rindex(";Total;Total;999999")]  # date;27;Région;Total;Zone;Brutes;A;Total
    with pytest.raises(DataFormatError, match=r"d\.csv, row 9: 8 field\(s\), expected 11"):
        dares_demandeurs.read_zone_quarterly(write(tmp_path, "d.csv", cut))


def test_dares_zone_missing_column(tmp_path):
    text = dares_zone(DARES_ROWS).replace("Ancienneté", "Anciennete")
    with pytest.raises(
        DataFormatError, match=r"d\.csv, row 1: missing column\(s\) \['Ancienneté'\]"
    ):
        dares_demandeurs.read_zone_quarterly(write(tmp_path, "d.csv", text))


# --- France Travail: BMO ----------------------------------------------------------------------

BMO_HEADER = [
    "annee",
    "Code métier BMO",
    "Nom métier BMO",
    "Famille_met",
    "Lbl_fam_met",
    "REG",
    "NOM_REG",
    "Dept",
    "NomDept",
    "BE24",
    "NOMBE24",
    "met",
    "xmet",
    "smet",
]


def bmo_workbook(tmp_path, rows, sheet="BMO_2024_open_data", header=BMO_HEADER):
    """Rows of (occupation, dept, basin, met, xmet, smet) in the open-data layout."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "Description des variables"
    sheet = workbook.create_sheet(sheet)
    sheet.append(header)
    for occupation, dept, basin, met, xmet, smet in rows:
        sheet.append(
            [2024, occupation, "Métier", "Z", "Famille", "27", "BFC", dept, "Dépt", basin, "B"]
            + [met, xmet, smet]
        )
    path = tmp_path / "bmo.xlsx"
    workbook.save(path)
    return path


BMO_ROWS = [
    ("A1X41", "90", 2733, "87", "32", "14"),
    ("A1X41", "971", 104, "9", "9", "*"),
    ("A1X41", "978", 104, "31", "*", "*"),
    ("B0X32", "90", 2733, 14, "*", None),
]


def test_bmo_reads_measures_and_sums_departement_parts(tmp_path):
    table = francetravail_bmo.read(bmo_workbook(tmp_path, BMO_ROWS))
    assert value(table, code="2733", occupation="A1X41", measure="projects") == 87
    assert value(table, code="2733", occupation="A1X41", measure="difficult") == 32
    assert value(table, code="2733", occupation="A1X41", measure="seasonal") == 14
    assert value(table, code="104", occupation="A1X41", measure="projects") == 40  # 9 + 31
    assert math.isnan(value(table, code="104", occupation="A1X41", measure="difficult"))  # 9 + *
    assert math.isnan(value(table, code="2733", occupation="B0X32", measure="difficult"))
    assert math.isnan(value(table, code="2733", occupation="B0X32", measure="seasonal"))
    assert set(table["level"]) == {"bmo_basin"} and set(table["period"].astype(str)) == {"2024"}


def test_bmo_renamed_sheet_lists_the_sheets(tmp_path):
    path = bmo_workbook(tmp_path, BMO_ROWS, sheet="Feuil1")
    with pytest.raises(DataFormatError, match=r"bmo\.xlsx: expected exactly one sheet .*'Feuil1'"):
        francetravail_bmo.read(path)


def test_bmo_file_that_is_not_a_workbook(tmp_path):
    path = write(tmp_path, "bmo.xlsx", "annee;met\n2024;12\n")
    with pytest.raises(DataFormatError, match=r"bmo\.xlsx: not a zip archive"):
        francetravail_bmo.read(path)


def test_bmo_missing_column_is_named(tmp_path):
    header = [name if name != "smet" else "saisonniers" for name in BMO_HEADER]
    path = bmo_workbook(tmp_path, BMO_ROWS, header=header)
    with pytest.raises(
        DataFormatError,
        match=r"sheet 'BMO_2024_open_data': no header row .*closest is row 1, which lacks \['smet'\]",
    ):
        francetravail_bmo.read(path)


def test_bmo_text_in_a_count_names_sheet_row_and_column(tmp_path):
    rows = [*BMO_ROWS, ("C1X40", "90", 2733, "beaucoup", "1", "1")]
    with pytest.raises(
        DataFormatError,
        match=r"bmo\.xlsx, sheet 'BMO_2024_open_data', row 6, column 'met' \(L\): found 'beaucoup'",
    ):
        francetravail_bmo.read(bmo_workbook(tmp_path, rows))


def test_bmo_negative_count_is_refused(tmp_path):
    rows = [("C1X40", "90", 2733, -3, "1", "1")]
    with pytest.raises(
        DataFormatError, match=r"row 2, column 'met' \(L\): found '-3'; expected a count"
    ):
        francetravail_bmo.read(bmo_workbook(tmp_path, rows))


def test_bmo_repeated_row_names_keys_and_rows(tmp_path):
    rows = [*BMO_ROWS, BMO_ROWS[0]]
    with pytest.raises(DataFormatError, match=r"rows 2 and 6 both give .*'A1X41'.*'2733'"):
        francetravail_bmo.read(bmo_workbook(tmp_path, rows))


@pytest.fixture(scope="module")
def bmo_real(real_dir):
    """The 2024 BMO table, read once for the module (3.5 MB workbook)."""
    return francetravail_bmo.read(real_dir / BMO_REAL)


def test_bmo_real_basins_and_a_cell(bmo_real, real_dir):
    assert {"2733", "2734"} <= set(bmo_real["code"])
    assert bmo_real["code"].nunique() == 406
    # first rows of the sheet, read with openpyxl: Belfort (2733, one département)
    workbook = openpyxl.load_workbook(real_dir / BMO_REAL, read_only=True, data_only=True)
    sheet = workbook["BMO_2024_open_data"]
    rows = sheet.iter_rows(min_row=1, max_row=1500, values_only=True)
    header = next(rows)
    cells = [dict(zip(header, r, strict=True)) for r in rows if r[header.index("BE24")] == 2733]
    workbook.close()
    checked = 0
    for cell in cells:
        for measure, column in francetravail_bmo.MEASURES.items():
            got = value(bmo_real, code="2733", occupation=cell["Code métier BMO"], measure=measure)
            if cell[column] == "*":
                assert math.isnan(got)
            else:
                assert got == float(cell[column])
                checked += 1
    assert checked > 0


def test_basin_communes_real(real_dir):
    communes = francetravail_bmo.read_basin_communes(real_dir / BASINS_REAL)
    assert len(communes) == communes["commune"].nunique() == 37_498
    assert communes["commune"].str.len().eq(5).all()
    by_commune = communes.set_index("commune")
    assert tuple(by_commune.loc["90010", ["basin", "basin_label"]]) == ("2733", "BELFORT")
    assert tuple(by_commune.loc["25388", ["basin", "basin_label"]]) == ("2734", "MONTBELIARD")
    assert by_commune.loc["03130", "basin"] == "8447"  # written "3130" in the file


def test_crosswalk_real_belfort_and_montbeliard(real_dir):
    communes = francetravail_bmo.read_basin_communes(real_dir / BASINS_REAL)
    zones = pd.read_csv(real_dir / ZE_COMPOSITION_REAL, dtype=str, usecols=["CODGEO", "ZE2020"])
    zones = zones.rename(columns={"CODGEO": "commune", "ZE2020": "zone"})
    with pytest.warns(BassinWarning, match=r"not found in commune_zone"):
        crosswalk = francetravail_bmo.basin_zone_crosswalk(communes, zones)
    sums = crosswalk.groupby("basin")["share"].sum()
    assert sums.between(1 - 1e-9, 1 + 1e-9).all()
    main_zone = crosswalk.sort_values("share").groupby("basin")["zone"].last()
    assert main_zone["2733"] == "2705" and main_zone["2734"] == "2714"


BASIN_HEADER = ",".join(francetravail_bmo.BASIN_COMMUNE_COLUMNS)


def test_basin_communes_fixture_pads_codes_and_strips_labels(tmp_path):
    text = "\ufeff" + BASIN_HEADER + "\n27,90,90010,2733,BELFORT\n84,3,3130,8447,MONTLUÇON \n"
    table = francetravail_bmo.read_basin_communes(write(tmp_path, "b.csv", text))
    assert table.to_dict("list") == {
        "commune": ["03130", "90010"],
        "basin": ["8447", "2733"],
        "basin_label": ["MONTLUÇON", "BELFORT"],
    }
    latin = francetravail_bmo.read_basin_communes(write(tmp_path, "l.csv", text[1:], "latin-1"))
    pd.testing.assert_frame_equal(table, latin)


def test_basin_communes_commune_twice_is_an_error(tmp_path):
    text = BASIN_HEADER + "\n27,90,90010,2733,BELFORT\n27,90,90010,2734,MONTBELIARD\n"
    with pytest.raises(DataFormatError, match=r"b\.csv: rows 2 and 3 both give commune '90010'"):
        francetravail_bmo.read_basin_communes(write(tmp_path, "b.csv", text))


def test_crosswalk_shares_by_count_and_by_weight():
    basins = pd.DataFrame({"commune": ["c1", "c2", "c3", "c4"], "basin": ["B1", "B1", "B1", "B2"]})
    zones = pd.DataFrame({"commune": ["c1", "c2", "c3", "c4"], "zone": ["Z1", "Z1", "Z2", "Z2"]})
    by_count = francetravail_bmo.basin_zone_crosswalk(basins, zones)
    assert by_count.to_dict("list") == {
        "basin": ["B1", "B1", "B2"],
        "zone": ["Z1", "Z2", "Z2"],
        "share": [2 / 3, 1 / 3, 1.0],
        "n_communes": [2, 1, 1],
    }
    weights = pd.Series({"c1": 10.0, "c2": 20.0, "c3": 70.0, "c4": 5.0})
    by_weight = francetravail_bmo.basin_zone_crosswalk(basins, zones, weights=weights)
    assert by_weight["share"].tolist() == pytest.approx([0.3, 0.7, 1.0])  # (10+20)/100, 70/100


def test_crosswalk_leaves_out_unplaced_communes_with_a_warning():
    basins = pd.DataFrame({"commune": ["c1", "c2", "c9"], "basin": ["B1", "B1", "B1"]})
    zones = pd.DataFrame({"commune": ["c1", "c2"], "zone": ["Z1", "Z2"]})
    with pytest.warns(BassinWarning, match=r"1 commune\(s\) not found in commune_zone \(c9\)"):
        crosswalk = francetravail_bmo.basin_zone_crosswalk(basins, zones)
    assert crosswalk["share"].tolist() == [0.5, 0.5]


def test_crosswalk_refuses_frames_without_the_columns():
    with pytest.raises(ParameterError, match=r"commune_zone lacks column\(s\) \['zone'\]"):
        francetravail_bmo.basin_zone_crosswalk(
            pd.DataFrame({"commune": ["c1"], "basin": ["B1"]}),
            pd.DataFrame({"commune": ["c1"], "ZE2020": ["Z1"]}),
        )


def test_crosswalk_note_is_a_french_sentence():
    note = francetravail_bmo.CROSSWALK_NOTE
    assert "ne sont pas des zones d'emploi" in note and note.endswith(".")


# --- DARES: temporary work --------------------------------------------------------------------

INTERIM_HEADER = ";".join(dares_interim.COLUMNS)


def interim(lines):
    return INTERIM_HEADER + "\n" + "\n".join(lines) + "\n"


INTERIM_LINES = [
    "2020-T1;France;FR;France;Ensemble;700 000;650 000,5",
    "2020-T1;Région;27;Bourgogne-Franche-Comté;Industrie;25 000;23 500",
    "2020-T1;Département;90;Territoire de Belfort;Ensemble;2 150;1 980,5",
    "2020-T1;Département;1;Ain;Construction;*;s",
]


def test_interim_reads_levels_measures_and_french_numbers(tmp_path):
    table = dares_interim.read(write(tmp_path, "i.csv", interim(INTERIM_LINES)))
    assert value(table, level="france", code="FR", sector="TOTAL", measure="fte") == 650000.5
    assert value(table, level="region", code="27", sector="Industrie", measure="jobs") == 25000
    assert value(table, level="departement", code="90", measure="jobs") == 2150
    assert value(table, level="departement", code="90", measure="fte") == 1980.5
    assert math.isnan(value(table, code="01", measure="jobs"))  # masked, "1" padded to "01"
    assert math.isnan(value(table, code="01", measure="fte"))
    assert len(table) == 8 and set(table["period"].astype(str)) == {"2020Q1"}


def test_interim_unknown_sector_and_level(tmp_path):
    lines = [*INTERIM_LINES, "2020-T1;Département;25;Doubs;Commerce;10;10"]
    with pytest.raises(
        DataFormatError,
        match=r"i\.csv, row 6, column 'Secteur': found 'Commerce'; expected a sector",
    ):
        dares_interim.read(write(tmp_path, "i.csv", interim(lines)))
    lines = [*INTERIM_LINES, "2020-T1;Zone d'emploi;2705;Belfort;Ensemble;10;10"]
    with pytest.raises(
        DataFormatError, match=r"row 6, column 'Niveau': found .*; expected a level"
    ):
        dares_interim.read(write(tmp_path, "i.csv", interim(lines)))


def test_interim_duplicates_negative_and_bad_codes(tmp_path):
    with pytest.raises(DataFormatError, match=r"i\.csv: rows 4 and 6 both give .*code '90'"):
        dares_interim.read(write(tmp_path, "i.csv", interim([*INTERIM_LINES, INTERIM_LINES[2]])))
    negative = ["2020-T1;Département;90;Belfort;Ensemble;-2;1"]
    with pytest.raises(
        DataFormatError,
        match=r"row 2, column 'Intérimaires \(fin de trimestre\)': found '-2'; expected a count",
    ):
        dares_interim.read(write(tmp_path, "i.csv", interim(negative)))
    region = ["2020-T1;Région;271;BFC;Ensemble;2;1"]
    with pytest.raises(
        DataFormatError, match=r"row 2, column 'Code': found '271'; expected a region code"
    ):
        dares_interim.read(write(tmp_path, "i.csv", interim(region)))


def test_interim_truncated_and_empty(tmp_path):
    text = interim(INTERIM_LINES)
    with pytest.raises(DataFormatError, match=r"i\.csv, row 5: 6 field\(s\), expected 7"):
        dares_interim.read(write(tmp_path, "i.csv", text[: text.rindex(";")]))
    with pytest.raises(DataFormatError, match=r"i\.csv: the file is empty"):
        dares_interim.read(write(tmp_path, "i.csv", "\n\n"))


def test_interim_workbook_given_instead_of_csv(tmp_path):
    path = bmo_workbook(tmp_path, BMO_ROWS)
    with pytest.raises(DataFormatError, match=r"bmo\.xlsx: binary content .*expected a CSV"):
        dares_interim.read(path)
