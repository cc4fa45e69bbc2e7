"""INSEE « Estimations d'emploi » (Estel): employment by employment zone, annual, 1998-2018.

Publisher's page: https://www.insee.fr/fr/statistiques/1893177 (« Estimation d'emploi par zone
d'emploi et secteur d'activité », Estimations d'emploi localisées / Estel; the page seen in
public records holds the 1998-2017 release in the same layout). INSEE replaces the file at each
release; this module is pinned to the release covering 1998 to 2018 (vintage ``"1998-2018"``,
file ``emploi-zone-1998-2018.xlsx``, sha256 below), whose download address is not known. Employment is counted at
the place of work, in the last week of the year (« au 31 décembre »), for the 305 zones of
France without Mayotte; salaried jobs are public and private.

Official layout of ``emploi-zone-1998-2018.xlsx``
-------------------------------------------------
- sheet ``à lire``: INSEE's notes (text only);
- sheet ``Emploi salarié - ZE``: 2 banner rows and an empty row, then the header (row 4;
  found by its names) ``Zone d'emploi, Région, Secteur d'activité, 1998, …, 2018``. Six rows
  per zone: ``AZ - Agriculture``, ``BE - Industrie``, ``FZ - Construction``,
  ``GU - Tertiaire marchand``, ``OQ - Tertiaire non marchand`` (the A5 aggregation of NAF
  rév. 2) and ``TT - Total``. A zone reads ``"2705 - Belfort"``; a region
  ``"27 - Bourgogne Franche Comté"``, or ``"00 - Interrégional"`` for the 14 zones that
  straddle two regions. The sheet declares a million rows: the table ends at the first empty
  row;
- sheets ``Emploi non salarié - ZE`` and ``Emploi total - ZE``: the same without the sector
  column, one row per zone, header on row 5;
- sheets ``Emploi salarié - ZER``, ``Emploi non salarié - ZER``, ``Emploi total - ZER``: the
  28 regional parts of the 14 inter-regional zones (header on row 7, column
  ``Zone d'emploi régionale``), coded ``RRXX`` where ``RR`` is the region and ``00XX`` the
  zone: ``"2456 - Cosne-Cours-sur-Loire - partie Centre Val de Loire"``.

The workbook has no secrecy marks; a masked cell would be read as NaN, never 0.

How the regional parts are used
-------------------------------
The parts serve twice:

1. **Check.** For every inter-regional zone, measure, sector and year, the parts must add up to
   the zone; and in every sheet the five sectors must add up to ``TT - Total``, and salaried
   plus non-salaried employment must equal total employment. INSEE's figures satisfy these
   identities exactly; a file that does not is refused (:class:`DataFormatError` naming the
   cell).
2. **Exact regions.** The référentiel attaches an inter-regional zone to one region, so a
   region rebuilt from zones would count the whole zone in that region. :func:`read` therefore
   also returns ``level = "region"`` rows, each the sum of the region's single-region zones and
   of its regional parts: the regions of INSEE's regional estimates, which the cube keeps as
   published (its appendix lists them among the levels the source gives). Groups of zones and
   France (without Mayotte) are sums of zones, built by the cube.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bassin_lib.inputs.schemas import validate
from bassin_lib.inputs.sources import RemoteFile, Source
from bassin_lib.inputs.sources._cells import Table
from bassin_lib.inputs.sources._excel import Workbook, open_workbook

SOURCE = Source(
    name="insee_estel",
    title="Estimations d'emploi, emploi par zone d'emploi",
    publisher="Insee",
    page="https://www.insee.fr/fr/statistiques/1893177",
    vintage="1998-2018",
    files=(
        # No download address: no public evidence gives this release's URL (the page now serves
        # later releases). ``fetch --from`` imports the file, checked against its sha256.
        RemoteFile(
            "emploi-zone-1998-2018.xlsx",
            None,
            "fe35e48be92e9c9c8861966c1195fd0bba16da898de9956450110a85aae6ea69",
        ),
    ),
)

MEASURES = ("salaried", "non_salaried", "total")
"""The ``measure`` values of the canonical table, in the file's order."""
ZONE_SHEETS = {
    "salaried": "Emploi salarié - ZE",
    "non_salaried": "Emploi non salarié - ZE",
    "total": "Emploi total - ZE",
}
PART_SHEETS = {measure: f"{sheet}R" for measure, sheet in ZONE_SHEETS.items()}
ZONE_COLUMN = "Zone d'emploi"
PART_COLUMN = "Zone d'emploi régionale"
REGION_COLUMN = "Région"
SECTOR_COLUMN = "Secteur d'activité"
SECTORS_A5 = {
    "AZ": "Agriculture",
    "BE": "Industrie",
    "FZ": "Construction",
    "GU": "Tertiaire marchand",
    "OQ": "Tertiaire non marchand",
}
"""A5 aggregation of NAF rév. 2: code → French label (as in the file)."""
FRANCE_SCOPE = "France hors Mayotte"
"""What the sum of the zones covers (the France of the cube's ``"france"`` rows)."""
TOTAL_CODE = "TT"
TOTAL_SECTOR = "TOTAL"
INTERREGIONAL = "00"
"""Region code the zone sheets give to a zone that straddles two regions."""
_TOLERANCE = 0.5
"""Largest gap (jobs) between a total and the sum of its parts: the file's figures are whole
numbers and its identities hold exactly."""


@dataclass
class _Sheet:
    """One sheet read: its cells (for error locations) and its figures."""

    table: Table
    keys: pd.DataFrame  # code (zone or part), region, sector; index: file rows
    values: pd.DataFrame  # one float column per year; index: file rows
    measure: str


def _years(table: Table) -> list[str]:
    years = table.columns_matching(r"\d{4}")
    for year in years:
        if not 1990 <= int(year) <= 2100:
            raise table.error(
                f"header {year!r} is not a year of the estimates; expected 1998, 1999...",
                table.header_row,
                year,
            )
    if not years:
        raise table.error(
            f"no year column such as '1998' on the header row {table.header_row}",
            table.header_row,
        )
    return years


def _read_sheet(book: Workbook, sheet: str, measure: str, *, part: bool) -> _Sheet:
    key = PART_COLUMN if part else ZONE_COLUMN
    sectors = measure == "salaried"
    required = [key, REGION_COLUMN, *([SECTOR_COLUMN] if sectors else [])]
    table = book.table(sheet, required, until_blank=True)
    what = (
        "a regional part such as '2456 - Cosne-Cours-sur-Loire - partie Centre Val de Loire'"
        if part
        else "a zone such as '2705 - Belfort'"
    )
    codes = table.matching(key, r"\d{4} - .+", what).str[:4]
    regions = table.matching(
        REGION_COLUMN, r"\d{2} - .+", "a region such as '27 - Bourgogne Franche Comté'"
    ).str[:2]
    keys = pd.DataFrame({"code": codes, "region": regions})
    if sectors:
        allowed = "|".join([*SECTORS_A5, TOTAL_CODE])
        keys["sector"] = table.matching(
            SECTOR_COLUMN, rf"({allowed}) - .+", "an A5 sector such as 'BE - Industrie'"
        ).str[:2]
    else:
        keys["sector"] = TOTAL_CODE
    table.check_unique(
        {"code": keys["code"], **({"sector": keys["sector"]} if sectors else {})},
        "zone and sector" if sectors else "zone",
    )
    if sectors:
        _check_sectors_present(table, keys)
    if part:
        _check_part_regions(table, keys)
    values = pd.DataFrame({year: table.floats(year, nonnegative=True) for year in _years(table)})
    return _Sheet(table, keys, values, measure)


def _check_sectors_present(table: Table, keys: pd.DataFrame) -> None:
    """Every zone of a salaried sheet has its five sectors and its total."""
    expected = {*SECTORS_A5, TOTAL_CODE}
    found = keys.groupby("code", sort=False)["sector"].agg(set)
    for code, present in found.items():
        if present != expected:
            row = int(keys.index[keys["code"] == code][0])
            raise table.error(
                f"zone {code!r} has sectors {sorted(present)}; expected the six rows "
                f"{sorted(expected)} (five A5 sectors and the total)",
                row,
                SECTOR_COLUMN,
            )


def _check_part_regions(table: Table, keys: pd.DataFrame) -> None:
    """A part ``RRXX`` lies in region ``RR`` (a region, not ``00``)."""
    bad = (keys["code"].str[:2] != keys["region"]) | (keys["region"] == INTERREGIONAL)
    table.check(
        REGION_COLUMN,
        bad,
        lambda row: (
            f"the region of part {keys.at[row, 'code']!r}, "
            f"'{keys.at[row, 'code'][:2]} - …' (a part 'RRXX' lies in region RR)"
        ),
    )


def _first_gap(sheet: _Sheet, expected: pd.DataFrame, rows: pd.Index, what: str, detail) -> None:
    """Raise at the first cell of ``sheet`` (rows ``rows``) that differs from ``expected``.

    ``expected`` has the years as columns and ``rows`` as index; NaN on either side is not
    compared. ``detail(row)`` says where the expected figure comes from.
    """
    years = [y for y in sheet.values.columns if y in expected.columns]
    actual = sheet.values.loc[rows, years].to_numpy()
    wanted = expected.loc[rows, years].to_numpy()
    with np.errstate(invalid="ignore"):
        gap = np.abs(actual - wanted) > _TOLERANCE
    if not gap.any():
        return
    i, j = np.argwhere(gap)[0]
    row, year = int(rows[i]), years[j]
    count = int(gap.sum())
    more = f" ({count} such cells)" if count > 1 else ""
    raise sheet.table.error(
        f"found {actual[i, j]:g}; expected {wanted[i, j]:g}, {what} {detail(row)}{more}",
        row,
        year,
    )


def _sector_sums(sheet: _Sheet) -> None:
    """The five sectors of each zone (or part) add up to its ``TT - Total`` row."""
    keys = sheet.keys
    sectors = sheet.values[keys["sector"] != TOTAL_CODE]
    sums = sectors.groupby(keys.loc[sectors.index, "code"]).sum(min_count=1)
    totals = keys.index[keys["sector"] == TOTAL_CODE]
    expected = sums.reindex(keys.loc[totals, "code"]).set_axis(totals)
    first_rows = keys.index.to_series().groupby(keys["code"]).min()
    _first_gap(
        sheet,
        expected,
        totals,
        "the sum of the five sectors",
        lambda row: f"(rows {first_rows[keys.at[row, 'code']]} to {row - 1})",
    )


def _indexed(sheet: _Sheet) -> pd.DataFrame:
    """Figures indexed by (code, sector), with the file row as a column."""
    frame = sheet.values.assign(code=sheet.keys["code"], sector=sheet.keys["sector"])
    frame["row"] = frame.index
    return frame.set_index(["code", "sector"])


def _same_codes(sheets: dict[str, _Sheet], what: str) -> None:
    """The three measures list the same zones (or parts)."""
    reference = sheets["total"]
    codes = set(reference.keys["code"])
    for sheet in sheets.values():
        other = set(sheet.keys["code"])
        if other != codes:
            missing, extra = sorted(codes - other), sorted(other - codes)
            raise sheet.table.error(
                f"the {what} differ from those of sheet {reference.table.sheet!r}: "
                f"missing {missing[:10]}, extra {extra[:10]}; expected the same {what} in the "
                "three sheets"
            )


def _same_years(sheets: list[_Sheet]) -> None:
    """Every sheet gives the same years."""
    years = list(sheets[0].values.columns)
    for sheet in sheets[1:]:
        if list(sheet.values.columns) != years:
            raise sheet.table.error(
                f"years {list(sheet.values.columns)[:3]}…{list(sheet.values.columns)[-1:]} "
                f"differ from those of sheet {sheets[0].table.sheet!r} "
                f"({years[0]} to {years[-1]}); expected the same years in every sheet",
                sheet.table.header_row,
            )


def _measure_sums(sheets: dict[str, _Sheet]) -> None:
    """Salaried (total row) plus non-salaried employment equals total employment."""
    salaried = _indexed(sheets["salaried"]).xs(TOTAL_CODE, level="sector")
    non_salaried = _indexed(sheets["non_salaried"]).xs(TOTAL_CODE, level="sector")
    total = sheets["total"]
    codes = total.keys["code"]
    years = [y for y in total.values.columns if y in salaried.columns]
    expected = (salaried.loc[codes, years] + non_salaried.loc[codes, years].values).set_axis(
        total.values.index
    )
    sal_sheet, non_sheet = sheets["salaried"].table.sheet, sheets["non_salaried"].table.sheet
    _first_gap(
        total,
        expected,
        total.values.index,
        "salaried plus non-salaried employment",
        lambda row: (
            f"(sheet {sal_sheet!r}, row {salaried.at[codes[row], 'row']}, plus sheet "
            f"{non_sheet!r}, row {non_salaried.at[codes[row], 'row']})"
        ),
    )


def _part_sums(zone: _Sheet, parts: _Sheet) -> None:
    """The regional parts of each inter-regional zone add up to the zone."""
    keys = parts.keys
    zone_of_part = INTERREGIONAL + keys["code"].str[2:]
    zones = zone.keys
    interregional = set(zones.loc[zones["region"] == INTERREGIONAL, "code"])
    strays = sorted(set(zone_of_part) - interregional)
    if strays:
        row = int(keys.index[zone_of_part == strays[0]][0])
        raise parts.table.error(
            f"part {keys.at[row, 'code']!r} belongs to zone {strays[0]!r}, which sheet "
            f"{zone.table.sheet!r} does not list as inter-regional ('{INTERREGIONAL} - "
            "Interrégional'); expected parts of inter-regional zones only",
            row,
            PART_COLUMN,
        )
    lonely = sorted(interregional - set(zone_of_part))
    if lonely:
        row = int(zones.index[zones["code"] == lonely[0]][0])
        raise zone.table.error(
            f"inter-regional zone {lonely[0]!r} has no regional part in sheet "
            f"{parts.table.sheet!r}; expected its parts there",
            row,
            REGION_COLUMN,
        )
    sums = parts.values.groupby([zone_of_part, keys["sector"]]).sum(min_count=1)
    targets = zones.index[zones["region"] == INTERREGIONAL]
    index = pd.MultiIndex.from_frame(zones.loc[targets, ["code", "sector"]])
    expected = sums.reindex(index).set_axis(targets)
    listed = (
        keys.index.to_series()
        .groupby([zone_of_part, keys["sector"]])
        .agg(lambda rows: ", ".join(str(row) for row in rows))
    )
    _first_gap(
        zone,
        expected,
        targets,
        "the sum of the zone's regional parts",
        lambda row: (
            f"(sheet {parts.table.sheet!r}, rows "
            f"{listed[(zones.at[row, 'code'], zones.at[row, 'sector'])]})"
        ),
    )


def _long(sheet: _Sheet, level: str, codes: pd.Series) -> pd.DataFrame:
    """Canonical rows of a sheet's figures (``codes`` indexed like the sheet)."""
    wide = sheet.values.assign(
        code=codes,
        sector=sheet.keys["sector"].replace({TOTAL_CODE: TOTAL_SECTOR}),
    )
    if level == "region":
        wide = wide.groupby(["code", "sector"], sort=True).sum(min_count=1).reset_index()
    long = wide.melt(id_vars=["code", "sector"], var_name="year", value_name="value")
    return pd.DataFrame(
        {
            "level": level,
            "code": long["code"].to_numpy(),
            "period": pd.PeriodIndex(long["year"].to_numpy(), freq="Y-DEC"),
            "measure": sheet.measure,
            "sector": long["sector"].to_numpy(),
            "value": long["value"].to_numpy(dtype=float),
        }
    )


def read(path: str | Path) -> pd.DataFrame:
    """Read salaried (by A5 sector), non-salaried and total employment of every zone and region.

    Parameters
    ----------
    path : str or Path
        ``emploi-zone-1998-2018.xlsx`` (or a later release in the same layout).

    Returns
    -------
    DataFrame
        Canonical ``employment_estel`` table: ``level`` ``"zone"`` (``code`` the 4-character
        zone code; inter-regional zones under their ``00XX`` code) and ``"region"`` (``code``
        the 2-character region code: the exact regional sum described in the module
        docstring), ``period`` (yearly Period, employment at 31 December), ``measure``
        (``"salaried"``, ``"non_salaried"``, ``"total"``), ``sector`` (A5 code ``"AZ"``,
        ``"BE"``, ``"FZ"``, ``"GU"``, ``"OQ"``, or ``"TOTAL"``; non-salaried and total
        employment are given for ``"TOTAL"`` only), ``value`` (jobs at the place of work;
        salaried jobs public and private). Zones in file order, then regions by code.

    Raises
    ------
    DataFormatError
        Naming file, sheet, row and column: a sheet or column missing, a malformed zone, part,
        region or sector cell, a zone listed twice or lacking a sector, text or a negative
        number as a figure, a year header out of range, sheets listing different zones, a part
        of a zone that is not inter-regional (or an inter-regional zone without parts), a part
        outside its region, and any broken identity: sectors not adding up to the total,
        salaried plus non-salaried not equal to total employment, parts not adding up to
        their zone.

    Notes
    -----
    For a region ``r``, measure ``m``, sector ``s`` and year ``t``:
    ``E_r = Σ_{z ∈ r, z single-region} E_z + Σ_{p part in r} E_p`` over the zone sheets'
    zones whose region is ``r`` and the part sheets' parts ``RRXX`` with ``RR = r``.

    Examples
    --------
    >>> estel = read("emploi-zone-1998-2018.xlsx")  # doctest: +SKIP
    >>> estel.query("code == '2705' and measure == 'total' and period == '2018'")  # doctest: +SKIP
    """
    zones: dict[str, _Sheet] = {}
    parts: dict[str, _Sheet] = {}
    with open_workbook(path) as book:
        for measure in MEASURES:
            zones[measure] = _read_sheet(book, ZONE_SHEETS[measure], measure, part=False)
            parts[measure] = _read_sheet(book, PART_SHEETS[measure], measure, part=True)
        source = book.source
    _same_years([*zones.values(), *parts.values()])
    _same_codes(zones, "zones")
    _same_codes(parts, "regional parts")
    for sheets in (zones, parts):
        _sector_sums(sheets["salaried"])
        _measure_sums(sheets)
    for measure in MEASURES:
        _part_sums(zones[measure], parts[measure])

    frames = []
    for measure in MEASURES:
        zone = zones[measure]
        frames.append(_long(zone, "zone", zone.keys["code"]))
    for measure in MEASURES:
        zone, part = zones[measure], parts[measure]
        single = zone.keys["region"] != INTERREGIONAL
        pieces = _Sheet(
            zone.table,
            pd.concat([zone.keys[single], part.keys]).reset_index(drop=True),
            pd.concat([zone.values[single], part.values]).reset_index(drop=True),
            measure,
        )
        frames.append(_long(pieces, "region", pieces.keys["region"]))
    table = pd.concat(frames, ignore_index=True)
    return validate("employment_estel", table, str(source))
