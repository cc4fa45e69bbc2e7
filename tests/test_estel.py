"""INSEE Estimations d'emploi (Estel) by zone: the reader against the real workbook's own cells
and against malformed workbooks, the choice of the sector table of section 4, and the long-run
sentence and shift-share numbers checked by hand from the file's cells.

The real workbook is read from ../shared/data/real (the ``real_dir`` fixture), never copied
into the project; the tests that need it skip when it is absent.
"""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import TINY_GROUPS, TINY_ZONES

import bassin_lib.analysis as ind
from bassin_lib.errors import DataFormatError, ParameterError
from bassin_lib.inputs import cube as cube_module
from bassin_lib.inputs import real
from bassin_lib.inputs.sources import catalogue, insee_estel
from bassin_lib.inputs.territories import Referentiel
from bassin_lib.rendering import narrative

FILE = "emploi-zone-1998-2018.xlsx"
A5 = ["AZ", "BE", "FZ", "GU", "OQ"]


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


# --- the real workbook -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def estel_path(real_dir):
    path = real_dir / "insee_estel_ze" / FILE
    if not path.is_file():
        pytest.skip(f"INSEE Estel workbook not available: {path} is absent")
    return path


@pytest.fixture(scope="module")
def estel(estel_path):
    return insee_estel.read(estel_path)


@pytest.fixture(scope="module")
def sheets(estel_path):
    """Every data sheet of the workbook as openpyxl gives it: {sheet: [row tuples]}, data rows
    only (the rows below the header, up to the first empty one)."""
    book = openpyxl.load_workbook(estel_path, read_only=True, data_only=True)
    out = {}
    for name in book.sheetnames[1:]:
        rows, started = [], False
        for row in book[name].iter_rows(values_only=True):
            if not started:
                started = row[0] in ("Zone d'emploi", "Zone d'emploi régionale")
                header = [str(c) for c in row]
                continue
            if row[0] is None:
                break
            rows.append(dict(zip(header, row, strict=False)))
        out[name] = rows
    book.close()
    return out


def _cell(sheets, sheet, code, year, sector=None):
    for row in sheets[sheet]:
        key = row.get("Zone d'emploi") or row.get("Zone d'emploi régionale")
        if key.startswith(code + " ") and (
            sector is None or row["Secteur d'activité"].startswith(sector + " ")
        ):
            return float(row[str(year)])
    raise KeyError((sheet, code, year, sector))


def _value(table, code, year, measure, sector="TOTAL", level="zone"):
    rows = table[
        (table["level"] == level)
        & (table["code"] == code)
        & (table["period"] == pd.Period(str(year), "Y"))
        & (table["measure"] == measure)
        & (table["sector"] == sector)
    ]
    assert len(rows) == 1, rows
    return rows["value"].iloc[0]


def test_reader_gives_the_cells_of_the_workbook(estel):
    # the figures of PROVENANCE.md, read by hand in the workbook
    assert _value(estel, "2705", 2018, "salaried") == 63152
    assert _value(estel, "2705", 2018, "salaried", "BE") == 11894
    assert _value(estel, "2705", 2018, "total") == 68987
    assert _value(estel, "2714", 2018, "salaried") == 58823
    assert _value(estel, "2714", 2018, "salaried", "BE") == 18795
    assert _value(estel, "2714", 2018, "total") == 63716
    assert _value(estel, "2705", 2018, "non_salaried") == 68987 - 63152
    zones = estel[estel["level"] == "zone"]
    assert zones["code"].nunique() == 305 and "0601" not in set(zones["code"])  # no Mayotte
    assert sorted(zones["period"].unique().astype(str)) == [str(y) for y in range(1998, 2019)]
    assert set(zones["sector"]) == {*A5, "TOTAL"}
    assert set(zones.loc[zones["measure"] != "salaried", "sector"]) == {"TOTAL"}
    assert estel["value"].notna().all()


def test_regional_parts_add_up_to_their_zone_and_give_exact_regions(estel, sheets):
    # one ZER row read by hand: Cosne-Cours-sur-Loire, part in Bourgogne-Franche-Comté
    part_27 = _cell(sheets, "Emploi total - ZER", "2756", 2018)
    part_24 = _cell(sheets, "Emploi total - ZER", "2456", 2018)
    assert part_27 == 17037
    assert _value(estel, "0056", 2018, "total") == part_24 + part_27
    agriculture = _cell(sheets, "Emploi salarié - ZER", "2456", 1998, "AZ")
    assert agriculture == 840
    # region 27 = its single-region zones + the parts 27xx of inter-regional zones, by hand
    by_hand = sum(
        float(row["2018"]) for row in sheets["Emploi total - ZE"] if row["Région"].startswith("27 ")
    ) + sum(
        float(row["2018"])
        for row in sheets["Emploi total - ZER"]
        if row["Zone d'emploi régionale"].startswith("27")
    )
    assert _value(estel, "27", 2018, "total", level="region") == by_hand
    regions = estel[(estel["level"] == "region") & (estel["measure"] == "total")]
    zones = estel[(estel["level"] == "zone") & (estel["measure"] == "total")]
    assert regions.groupby("period")["value"].sum().equals(zones.groupby("period")["value"].sum())


def test_the_dataset_is_declared_and_found(estel_path, real_dir):
    declared = {(s.name, s.vintage): s for s in catalogue()}
    source = declared[("insee_estel", "1998-2018")]
    assert source.publisher == "Insee" and source.page.startswith("https://www.insee.fr/")
    assert source.source_line() == (
        "Source : Insee, Estimations d'emploi, emploi par zone d'emploi (1998-2018)"
    )
    [remote] = source.files
    assert remote.name == FILE
    assert remote.sha256 == real.sha256_of(estel_path)
    assert real.locate(real_dir)["employment_estel"] == estel_path


# --- malformed workbooks -----------------------------------------------------------------------

YEARS = [2017, 2018]
# Belfort (single-region) and Cosne-Cours-sur-Loire (inter-regional, parts 2456 and 2756)
SALARIED = {
    "2705 - Belfort": {"AZ": [10, 12], "BE": [100, 90], "FZ": [20, 25], "GU": [200, 210]},
    "2456 - Cosne - partie Centre": {"AZ": [5, 6], "BE": [10, 11], "FZ": [3, 3], "GU": [20, 21]},
    "2756 - Cosne - partie Bourgogne": {"AZ": [7, 7], "BE": [20, 19], "FZ": [5, 6], "GU": [30, 31]},
}
PUBLIC = {"2705 - Belfort": [150, 160], "2456 - Cosne - partie Centre": [12, 12]}
PUBLIC["2756 - Cosne - partie Bourgogne"] = [18, 19]
NON_SALARIED = {
    "2705 - Belfort": [50, 55],
    "2456 - Cosne - partie Centre": [10, 11],
    "2756 - Cosne - partie Bourgogne": [15, 16],
}
REGIONS = {
    "2705": "27 - Bourgogne Franche Comté",
    "2456": "24 - Centre Val de Loire",
    "2756": "27 - Bourgogne Franche Comté",
}
LABELS = {"AZ": "Agriculture", "BE": "Industrie", "FZ": "Construction"}
LABELS |= {"GU": "Tertiaire marchand", "OQ": "Tertiaire non marchand", "TT": "Total"}


def _salaried(name):
    sectors = {**SALARIED[name], "OQ": PUBLIC[name]}
    sectors["TT"] = [sum(v[i] for v in sectors.values()) for i in range(2)]
    return sectors


def _zone_rows():
    """(zone cell, region cell, sector cell or None, figures) of the ZE and ZER sheets."""
    zone, parts = [], []
    cosne = [p for p in SALARIED if p.startswith(("2456", "2756"))]
    for name, region, rows in (
        ("2705 - Belfort", REGIONS["2705"], zone),
        ("0056 - Cosne", "00 - Interrégional", zone),
        *((p, REGIONS[p[:4]], parts) for p in cosne),
    ):
        if name.startswith("0056"):
            figures = {
                key: [sum(_salaried(p)[key][i] for p in cosne) for i in range(2)]
                for key in _salaried(cosne[0])
            }
            non = [sum(NON_SALARIED[p][i] for p in cosne) for i in range(2)]
        else:
            figures, non = _salaried(name), NON_SALARIED[name]
        rows.append((name, region, figures, non))
    return zone, parts


def write_workbook(path, tweak=None):
    """A small workbook in the official layout; ``tweak(sheet, cells)`` may change the cells
    (a dict (row, column) → value) of a sheet before it is written."""
    book = openpyxl.Workbook()
    book.active.title = "à lire"
    book["à lire"]["A1"] = "Emploi par zone d'emploi en France (hors Mayotte)"
    zone, parts = _zone_rows()
    for suffix, rows, header_row, key in (
        ("ZE", zone, {"salaried": 4, "other": 5}, "Zone d'emploi"),
        ("ZER", parts, {"salaried": 7, "other": 7}, "Zone d'emploi régionale"),
    ):
        for measure in ("salarié", "non salarié", "total"):
            name = f"Emploi {measure} - {suffix}"
            sheet = book.create_sheet(name)
            cells = {(1, 1): f"Emploi {measure}", (2, 1): "Source : Insee, Estimations d'emploi"}
            sectors = measure == "salarié"
            top = header_row["salaried" if sectors else "other"]
            header = [key, "Région", *(["Secteur d'activité"] if sectors else []), *map(str, YEARS)]
            for j, text in enumerate(header, start=1):
                cells[(top, j)] = text
            line = top + 1
            for label, region, figures, non in rows:
                lines = (
                    [(f"{code} - {LABELS[code]}", figures[code]) for code in [*A5, "TT"]]
                    if sectors
                    else [(None, non if measure == "non salarié" else None)]
                )
                for sector, values in lines:
                    if values is None:  # total = salaried + non-salaried
                        values = [figures["TT"][i] + non[i] for i in range(2)]
                    row = [label, region, *([sector] if sectors else []), *values]
                    for j, value in enumerate(row, start=1):
                        cells[(line, j)] = value
                    line += 1
            if tweak is not None:
                tweak(name, cells)
            for (r, c), value in cells.items():
                sheet.cell(row=r, column=c, value=value)
    book.save(path)
    return path


def test_a_workbook_in_the_official_layout_is_read(tmp_path):
    table = insee_estel.read(write_workbook(tmp_path / FILE))
    assert _value(table, "2705", 2018, "salaried", "BE") == 90
    assert _value(table, "2705", 2018, "total") == 12 + 90 + 25 + 210 + 160 + 55
    assert _value(table, "0056", 2017, "salaried", "AZ") == 5 + 7
    # regions: Belfort + the part 2756 in 27, the part 2456 alone in 24
    belfort = _value(table, "2705", 2018, "total")
    assert _value(table, "27", 2018, "total", level="region") == belfort + (82 + 16)
    assert _value(table, "24", 2018, "total", level="region") == 53 + 11
    assert set(table.loc[table["level"] == "zone", "code"]) == {"2705", "0056"}


def _tweaked(tmp_path, sheet, cell, value):
    def tweak(name, cells):
        if name == sheet:
            cells[cell] = value

    return write_workbook(tmp_path / FILE, tweak)


def test_text_in_a_figure_names_file_sheet_row_and_column(tmp_path):
    path = _tweaked(tmp_path, "Emploi salarié - ZE", (6, 5), "abc")
    with pytest.raises(DataFormatError) as error:
        insee_estel.read(path)
    assert str(error.value).startswith(
        f"{path}, sheet 'Emploi salarié - ZE', row 6, column '2018' (E): found 'abc'; "
        "expected a number"
    )


def test_sectors_not_adding_up_to_the_total_are_refused(tmp_path):
    path = _tweaked(tmp_path, "Emploi salarié - ZE", (10, 5), 498)  # Belfort TT 2018: 497
    with pytest.raises(DataFormatError) as error:
        insee_estel.read(path)
    assert str(error.value) == (
        f"{path}, sheet 'Emploi salarié - ZE', row 10, column '2018' (E): found 498; "
        "expected 497, the sum of the five sectors (rows 5 to 9)"
    )


def test_parts_not_adding_up_to_their_zone_are_refused(tmp_path):
    def tweak(name, cells):  # one more non-salaried job in the zone, none in its parts
        if name in ("Emploi non salarié - ZE", "Emploi total - ZE"):
            cells[(7, 4)] += 1  # Cosne, 2018

    path = write_workbook(tmp_path / FILE, tweak)
    with pytest.raises(DataFormatError) as error:
        insee_estel.read(path)
    assert str(error.value) == (
        f"{path}, sheet 'Emploi non salarié - ZE', row 7, column '2018' (D): found 28; "
        "expected 27, the sum of the zone's regional parts (sheet 'Emploi non salarié - ZER', "
        "rows 8, 9)"
    )


def test_salaried_plus_non_salaried_must_equal_total(tmp_path):
    path = _tweaked(tmp_path, "Emploi total - ZE", (6, 3), 1)  # Belfort 2017
    with pytest.raises(DataFormatError, match=r"sheet 'Emploi total - ZE', row 6, column '2017'"):
        insee_estel.read(path)


@pytest.mark.parametrize(
    "sheet, cell, value, message",
    [
        ("Emploi salarié - ZER", (8, 2), "27 - Bourgogne", r"row 8, column 'Région' \(B\)"),
        (
            "Emploi salarié - ZE",
            (5, 3),
            "ZZ - Autre",
            r"row 5, column \"Secteur d'activité\" \(C\)",
        ),
        ("Emploi total - ZE", (6, 1), "Belfort", r"row 6, column \"Zone d'emploi\" \(A\)"),
        ("Emploi total - ZE", (5, 4), "2019", r"sheet 'Emploi total - ZE', row 5: years"),
    ],
)
def test_malformed_cells_are_located(tmp_path, sheet, cell, value, message):
    path = _tweaked(tmp_path, sheet, cell, value)
    with pytest.raises(DataFormatError, match=message):
        insee_estel.read(path)


def test_a_missing_sheet_is_named(tmp_path):
    path = write_workbook(tmp_path / FILE)
    book = openpyxl.load_workbook(path)
    del book["Emploi total - ZER"]
    book.save(path)
    with pytest.raises(DataFormatError, match=r"no sheet 'Emploi total - ZER'; sheets present"):
        insee_estel.read(path)


# --- which sector table section 4 reads --------------------------------------------------------

ZONES = list(TINY_ZONES["zone"])


def _long(freq, periods, **dims_and_values):
    values = dims_and_values.pop("values")
    rows = []
    for z, zone in enumerate(ZONES):
        for p, period in enumerate(periods):
            rows.append(
                {
                    "level": "zone",
                    "code": zone,
                    "period": pd.Period(period, freq),
                    **dims_and_values,
                    "value": float(values[z][p]),
                }
            )
    return pd.DataFrame(rows)


def _urssaf(sectors=("GZ", "C4")):
    parts = [
        _long(
            "Q", ["2019Q4", "2020Q4"], sector=s, adjustment=a, values=[[10, 12], [20, 18], [5, 6]]
        )
        for s in sectors
        for a in ("cvs", "brut")
    ]
    parts.append(
        _long("Q", ["2019Q4", "2020Q4"], sector="TOTAL", adjustment="cvs", values=[[1, 1]] * 3)
    )
    return pd.concat(parts, ignore_index=True)


def _ape(zones=None):
    frames = [
        _long("Y", ["2021", "2022"], nomenclature="NA38", sector=s, measure=m, values=[[3, 4]] * 3)
        for s in ("CL", "GZ")
        for m in ("employees", "establishments")
    ]
    table = pd.concat(frames, ignore_index=True)
    return table if zones is None else table[table["code"].isin(zones)].reset_index(drop=True)


def _estel():
    frames = [
        _long("Y", ["2017", "2018"], measure="salaried", sector=s, values=[[2, 3], [4, 5], [1, 1]])
        for s in A5
    ]
    frames.append(
        _long("Y", ["2017", "2018"], measure="total", sector="TOTAL", values=[[9] * 2] * 3)
    )
    return pd.concat(frames, ignore_index=True)


def _cube(**tables):
    meta = {"sources": {name: f"Source : {name}" for name in tables}, "france_label": "France"}
    referentiel = Referentiel(TINY_ZONES.copy(), TINY_GROUPS)
    return cube_module.build_cube(tables, referentiel, meta=meta)


def test_quarterly_urssaf_sectors_come_first():
    cube = _cube(employment=_urssaf(), employment_ape=_ape(), employment_estel=_estel())
    data = ind.sector_frame(cube, cube.territory("2705"))
    assert (data.table, data.nomenclature, data.frequency) == ("employment", "A17", "Q")
    assert data.scope == "emploi salarié privé" and data.spheres
    assert data.periods == "2019T4-2020T4" and data.source == "Source : employment"
    assert list(data.frame.columns) == ind.sector_data.COLUMNS
    assert set(data.frame["sector"]) == {"GZ", "C4"}  # cvs only, no TOTAL
    assert len(data.frame) == 2 * 2 * (3 + 1 + 2 + 2)  # sectors × quarters × geographies
    # the notebook's window when it lies within the quarters, else the longest one
    assert data.window("2019Q4", "2020Q4") == (pd.Period("2019Q4"), pd.Period("2020Q4"))
    assert data.window("2012Q4", "2019Q4") == (data.first, data.last)


def test_urssaf_commune_ape_in_na38_comes_next():
    total_only = _urssaf(sectors=())
    cube = _cube(employment=total_only, employment_ape=_ape(), employment_estel=_estel())
    data = ind.sector_frame(cube, cube.territory("duo"))
    assert (data.table, data.nomenclature, data.level) == (
        "employment_ape",
        "NA38",
        "NA38 (NAF rév. 2, 38 postes)",
    )
    zones = data.frame[data.frame["level"] == "zone"]
    assert len(zones) == 2 * 2 * 3  # employees only (not establishments): sectors × years × zones
    assert data.labels["CL"] == "Matériels de transport" and data.spheres


def test_estel_a5_is_the_last_resort_and_cannot_give_spheres():
    # an Urssaf commune × APE extract of one zone has no France: it cannot be the reference
    cube = _cube(employment_ape=_ape(zones=["2705"]), employment_estel=_estel())
    data = ind.sector_frame(cube, cube.territory("2705"))
    assert (data.table, data.nomenclature, data.frequency) == ("employment_estel", "A5", "Y")
    assert data.scope == "emploi salarié, public et privé" and not data.spheres
    assert data.labels == insee_estel.SECTORS_A5
    assert data.periods == "2017-2018" and data.level == "secteurs A5 (5 grands secteurs)"
    assert data.window("2012Q4", "2019Q4") == (pd.Period("2017", "Y"), pd.Period("2018", "Y"))
    assert data.citation == "Source : employment_estel ; secteurs A5 (5 grands secteurs)"


def test_no_sector_table_gives_none_and_bad_arguments_are_refused():
    cube = _cube(employment=_urssaf(sectors=()))
    assert ind.sector_frame(cube, cube.territory("2705")) is None
    with pytest.raises(ParameterError, match="min_coverage"):
        ind.sector_frame(cube, min_coverage=2)
    with pytest.raises(ParameterError, match="territory '2705' is not allowed"):
        ind.sector_frame(cube, "2705")


def test_a_table_that_misses_the_territory_is_passed_over():
    ape = _ape()
    ape.loc[ape["code"] == "2714", "value"] = np.nan  # masked in the last year
    cube = _cube(employment_ape=ape, employment_estel=_estel())
    assert (
        ind.sector_frame(cube, cube.territory("2705"), min_coverage=0.5).table == "employment_ape"
    )
    assert ind.sector_frame(cube, cube.territory("2714"), min_coverage=0.5).table == (
        "employment_estel"
    )
    # 2 zones of 3 described: below the default coverage
    assert ind.sector_frame(cube, cube.territory("2705")).table == "employment_estel"


# --- long-run sentence and shift-share against the file's cells ------------------------------


@pytest.fixture(scope="module")
def real_cube(estel, sheets):
    """A cube of the Estel table alone, on a référentiel of the workbook's 305 zones (an
    inter-regional zone placed in the region of its first part)."""
    rows = []
    first_part = {}
    for row in sheets["Emploi total - ZER"]:
        key = row["Zone d'emploi régionale"]
        first_part.setdefault("00" + key[2:4], key[:2])
    for row in sheets["Emploi total - ZE"]:
        code, label = row["Zone d'emploi"].split(" - ", 1)
        region = row["Région"][:2]
        region = first_part.get(code, region) if region == "00" else region
        rows.append((code, label, region, f"Région {region}", "90"))
    zones = pd.DataFrame(rows, columns=["zone", "label", "region", "region_label", "departements"])
    groups = {"nfc": {"label": "Nord Franche-Comté", "zones": ("2705", "2714")}}
    meta = {
        "sources": {"employment_estel": insee_estel.SOURCE.source_line()},
        "france_label": "France",
        "france_labels": {"employment_estel": insee_estel.FRANCE_SCOPE},
    }
    return cube_module.build_cube(
        {"employment_estel": estel}, Referentiel(zones, groups), meta=meta
    )


def _france(sheets, sheet, year, sector=None):
    return sum(
        float(row[str(year)])
        for row in sheets[sheet]
        if sector is None or row["Secteur d'activité"].startswith(sector + " ")
    )


def test_long_run_sentence_from_the_cells(real_cube, sheets):
    t = real_cube.territory("2705")
    total = ind.annual_employment_change(real_cube, t, "2007", "2018")
    start = _cell(sheets, "Emploi total - ZE", "2705", 2007)
    end = _cell(sheets, "Emploi total - ZE", "2705", 2018)
    france0 = _france(sheets, "Emploi total - ZE", 2007)
    france1 = _france(sheets, "Emploi total - ZE", 2018)
    own = total[total["role"] == "territory"].iloc[0]
    assert (own["start_value"], own["end_value"]) == (start, end)
    assert own["change_pct"] == pytest.approx(100 * (end / start - 1))
    france = total[total["role"] == "france"].iloc[0]
    assert france["label"] == "France hors Mayotte"
    assert france["change_pct"] == pytest.approx(100 * (france1 / france0 - 1))
    salaried = ind.annual_employment_change(real_cube, t, "2007", "2018", measure="salaried")
    text = plain(narrative.annual_employment(total, salaried))
    lost = f"{int(start - end):,}".replace(",", " ")
    local_pct = f"{100 * (end / start - 1):.1f}".replace(".", ",").replace("-", "- ")
    national_pct = f"{100 * (france1 / france0 - 1):.1f}".replace(".", ",")
    assert text.startswith(
        f"Entre 2007 et 2018, le territoire a perdu {lost} emplois, salariés et non salariés "
        "confondus : "
    )
    assert f"observée en France hors Mayotte ({local_pct} % contre + {national_pct} %)." in text
    sal0 = _cell(sheets, "Emploi salarié - ZE", "2705", 2007, "TT")
    sal1 = _cell(sheets, "Emploi salarié - ZE", "2705", 2018, "TT")
    sal_pct = f"{100 * (sal1 / sal0 - 1):.1f}".replace(".", ",").replace("-", "- ")
    assert f"l'emploi salarié (public et privé) y a évolué de {sal_pct} %" in text


def test_shift_share_of_belfort_from_the_cells(real_cube, sheets):
    """Classic shift-share of Belfort's salaried jobs by A5 sector, 2007 → 2018, against France
    (the sum of the 305 zones), computed by hand from the workbook's cells."""
    data = ind.sector_frame(real_cube, real_cube.territory("2705"))
    assert data.table == "employment_estel" and data.window() == (
        pd.Period("1998", "Y"),
        pd.Period("2018", "Y"),
    )
    result = ind.shift_share(data.frame, "2007", "2018")
    row = result[(result["level"] == "zone") & (result["code"] == "2705")].iloc[0]
    sheet = "Emploi salarié - ZE"
    e0 = np.array([_cell(sheets, sheet, "2705", 2007, s) for s in A5])
    e1 = np.array([_cell(sheets, sheet, "2705", 2018, s) for s in A5])
    n0 = np.array([_france(sheets, sheet, 2007, s) for s in A5])
    n1 = np.array([_france(sheets, sheet, 2018, s) for s in A5])
    g_n = n1.sum() / n0.sum() - 1
    g_ni = n1 / n0 - 1
    assert row["start_value"] == e0.sum() and row["end_value"] == e1.sum()
    assert row["national"] == pytest.approx(e0.sum() * g_n)
    assert row["sector_mix"] == pytest.approx((e0 * (g_ni - g_n)).sum())
    assert row["local"] == pytest.approx(((e1 - e0) - e0 * g_ni).sum())
    # industry alone: Belfort lost 15 242 − 11 894 industrial jobs, France lost fewer in %
    industry = A5.index("BE")
    assert (e0[industry], e1[industry]) == (15242, 11894)
    assert e1[industry] / e0[industry] - 1 < g_ni[industry] < 0
    text = plain(narrative.shift_share(result, "2705", subject=data.subject))
    assert text.startswith(
        "Entre 2007 et 2018, l'emploi salarié (public et privé) a évolué de - 3 546 emplois."
    )


def test_group_and_region_sums_in_the_cube(real_cube):
    t = real_cube.territory("nfc")
    change = ind.annual_employment_change(real_cube, t, "2018", "2018")
    own = change[change["role"] == "territory"].iloc[0]
    assert own["end_value"] == 68987 + 63716
    index = ind.annual_employment_index(real_cube, t)
    assert index["period"].min() == pd.Period("1998", "Y")
    assert index.loc[index["period"] == pd.Period("1998", "Y"), "index"].eq(100).all()
    with pytest.raises(ParameterError, match="only salaried employment is given by sector"):
        ind.annual_employment_change(real_cube, t, measure="total", sector="BE")
