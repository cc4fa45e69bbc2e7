"""INSEE « Taux de chômage localisés par zone d'emploi » (quarterly, seasonally adjusted).

Publisher's page: https://www.insee.fr/fr/statistiques/1893230. Each release revises the whole
series; this module is pinned to the release ending 2023-T3 (vintage ``"2023T3"``).

Official layout of ``chomage-zone-t1-2003-t3-2023.xlsx``
---------------------------------------------------------
- sheet ``Documentation``: text only;
- sheet ``txcho_ze``: 2 banner rows and 2 empty rows, a row of French titles, then the header
  row (row 6 in this release; found by its names): ``ZE2020, LIBZE2020, REG, LIBREG, 2003-T1,
  2003-T2, … 2023-T3``. One row per zone: 302 zones (France without Mayotte and Guyane);
  ``REG`` is ``"00"`` (« INTERRÉGIONAL ») for the 14 trans-regional zones. The 15 zones of
  Guadeloupe, Martinique and La Réunion start in 2014-T1: their earlier cells are empty (NaN);
- sheet ``txcho_parties reg``: 4 note rows and 2 empty rows, French titles, header (row 8):
  ``ZER2020, LIBZER2020, 2003-T1, …``, one row per regional part (28) of the trans-regional
  zones, coded ``RRXX`` where ``RR`` is the region and ``00XX`` the zone.

The workbook has **no region and no France rows**: regional and national rates are published
by INSEE as separate series (taux de chômage localisés par région et département; national
ILO rate) and are not read here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from bassin_lib.inputs.schemas import validate
from bassin_lib.inputs.sources import FilePattern, RemoteFile, Source, Vintage
from bassin_lib.inputs.sources._cells import Table
from bassin_lib.inputs.sources._excel import open_workbook

SOURCE = Source(
    name="insee_chomage",
    title="Taux de chômage localisés par zone d'emploi",
    publisher="Insee",
    page="https://www.insee.fr/fr/statistiques/1893230",
    vintage="2023T3",
    files=(
        RemoteFile(
            "chomage-zone-t1-2003-t3-2023.xlsx",
            "https://www.insee.fr/fr/statistiques/fichier/1893230/chomage-zone-t1-2003-t3-2023.xlsx",
            "5f9aa9cc3be7d91d059824d2408ef586ec940a956e1788b3e8b9114dc8517bb1",
        ),
    ),
    # INSEE replaces the workbook every quarter under a new name: ``fetch`` takes the newest one
    # linked from the page; the vintages below are those named in public code.
    newest_from_page=True,
    patterns=(
        FilePattern(
            "chomage-zone-t1-2003-t{quarter}-{year}.xlsx",
            "https://www.insee.fr/fr/statistiques/fichier/1893230/{name}",
        ),
    ),
    vintages=(Vintage("2022T2"), Vintage("2025T2"), Vintage("2025T4")),
)

ZONE_SHEET = "txcho_ze"
PARTS_SHEET = "txcho_parties reg"
QUARTER_HEADER = re.compile(r"(\d{4})-T(\d)")
"""Header of a quarter column: ``2003-T1``."""


def _quarter_columns(table: Table) -> dict[str, pd.Period]:
    columns = {}
    for name in table.frame.columns:
        match = QUARTER_HEADER.fullmatch(name)
        if match is None:
            if re.match(r"\d{4}", name):
                raise table.error(
                    f"header {name!r} is not a quarter; expected 'YYYY-Tq' such as '2003-T1'",
                    table.header_row,
                    name,
                )
            continue
        year, quarter = match.groups()
        if quarter not in "1234":
            raise table.error(
                f"header {name!r}: quarter {quarter} does not exist; expected T1 to T4",
                table.header_row,
                name,
            )
        columns[name] = pd.Period(f"{year}Q{quarter}", freq="Q-DEC")
    if not columns:
        raise table.error(
            f"no quarter column such as '2003-T1' on the header row {table.header_row}"
        )
    return columns


def _long(table: Table, codes: pd.Series, extra: dict[str, pd.Series] | None = None):
    quarters = _quarter_columns(table)
    parts = []
    for column, period in quarters.items():
        values = table.floats(column, nonnegative=True)
        parts.append(
            pd.DataFrame(
                {
                    "level": "zone",
                    "code": codes.to_numpy(),
                    **{k: v.to_numpy() for k, v in (extra or {}).items()},
                    "period": pd.PeriodIndex([period] * len(values)),
                    "value": values.to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def read(path: str | Path) -> pd.DataFrame:
    """Read the quarterly unemployment rate of every zone (sheet ``txcho_ze``).

    Parameters
    ----------
    path : str or Path
        ``chomage-zone-t1-2003-t3-2023.xlsx`` (or a later release in the same layout).

    Returns
    -------
    DataFrame
        Canonical ``unemployment_rate`` table: ``level`` (``"zone"`` only: the file has no region
        or France rows), ``code`` (4-character zone code), ``period`` (quarterly Period),
        ``value`` (%, seasonally adjusted; NaN where not published, e.g. overseas zones before
        2014). Sorted by period then file order of zones.

    Raises
    ------
    DataFormatError
        Naming file, sheet, row and column: sheet or column missing, malformed zone code,
        zone listed twice, a quarter header such as ``2003-T5``, text or a negative number
        in a rate cell.

    Examples
    --------
    >>> rates = read("chomage-zone-t1-2003-t3-2023.xlsx")  # doctest: +SKIP
    >>> rates.query("code == '2705' and period == '2023Q3'")["value"]  # doctest: +SKIP
    """
    with open_workbook(path) as book:
        table = book.table(ZONE_SHEET, ["ZE2020", "LIBZE2020"])
    codes = table.codes("ZE2020", "zone")
    table.check_unique({"zone": codes}, "zone")
    table.labels("LIBZE2020")
    return validate("unemployment_rate", _long(table, codes), table.where())


def read_regional_parts(path: str | Path) -> pd.DataFrame:
    """Read the rates of the regional parts of trans-regional zones (``txcho_parties reg``).

    The diagnostics use the zone rows of :func:`read`; the parts are for a reader who needs the
    rate of, say, the Normandie part of Alençon.

    Parameters
    ----------
    path : str or Path
        Same workbook as :func:`read`.

    Returns
    -------
    DataFrame
        ``level`` (``"zone"``), ``code`` (the trans-regional zone, ``"0051"``), ``zone_part``
        (``"0051-28"``: zone code, ``-``, region code, as ``ZE2020_PARTIE_REG`` in the
        composition of :mod:`bassin_lib.inputs.sources.insee_ze2020`), ``period``, ``value`` (%). The
        file codes a part ``RRXX`` (``"2851"``): region ``RR``, zone ``00XX``.

    Raises
    ------
    DataFormatError
        As :func:`read`; also when a part code is not 4 digits or a part is listed twice.
    """
    with open_workbook(path) as book:
        table = book.table(PARTS_SHEET, ["ZER2020", "LIBZER2020"])
    raw = table.codes("ZER2020", "zone")
    table.check_unique({"regional part": raw}, "regional part")
    table.labels("LIBZER2020")
    zone = "00" + raw.str[2:]
    part = zone + "-" + raw.str[:2]
    frame = _long(table, zone, {"zone_part": part})
    # Validate with the part as key (a zone has several parts), then restore the zone code.
    checked = validate("unemployment_rate", frame.assign(code=frame["zone_part"]), table.where())
    checked.insert(2, "zone_part", checked["code"])
    checked["code"] = frame["code"].to_numpy()
    return checked
