"""INSEE Filosofi « base-cc-filosofi »: income and poverty by zone, region and France.

Filosofi (Fichier localisé social et fiscal) gives, for a tax year, the median disposable income
per consumption unit, its deciles and the poverty rate at 60 % of the median. Two vintages are
supported, the vintage being the income year (:data:`SOURCES`):

- ``"2019"``: ``base-cc-filosofi-2019_XLSX.zip`` (géographie au 01/01/2022),
  page https://www.insee.fr/fr/statistiques/6036902;
- ``"2018"``: ``base-cc-filosofi-2018_XLSX-geo2021.zip`` (géographie au 01/01/2021),
  page https://www.insee.fr/fr/statistiques/5009236.

Official layout
---------------
A zip holding one ``.xlsx`` with sheets ``COM, EPCI, (EPT,) ARR, DEP, (CTCD,) REG, METRO,
AAV2020, UU2020, ZE2020, Variables, Documentation…``. Every data sheet has 4 banner rows, a row
of French titles and the header row (row 6; found by its names): ``CODGEO, LIBGEO,
NBMENFISC19, NBPERSMENFISC19, MED19, PIMP19, TP6019, TP60AGE119, …, D119, D919, RD19``, the
last two digits being the year. Cells under the secrecy threshold are ``s`` (2019) or empty
(2018): both become NaN.

- ``ZE2020``: 297 zones (no figures for the zones of Guadeloupe, Guyane and Mayotte);
- ``REG``: the regions covered by Filosofi (13 metropolitan regions, Martinique, La Réunion);
  in 2019 a second block follows an empty row, for Guadeloupe, Guyane and Mayotte, from another
  source (enquête Budget de famille 2017): it is **not** read;
- ``METRO``: one row, code ``1``, **France métropolitaine** (not the whole of France): it is
  returned as level ``"france"``, code ``"FR"``.
"""

from __future__ import annotations

import numbers
import re
from pathlib import Path

import pandas as pd

from bassin_lib.errors import ParameterError
from bassin_lib.inputs.schemas import FRANCE_CODE, validate
from bassin_lib.inputs.sources import RemoteFile, Source
from bassin_lib.inputs.sources._cells import Table
from bassin_lib.inputs.sources._excel import open_workbook


def _vintage(year: str, page: str, file: str, sha256: str) -> Source:
    """The :class:`~bassin_lib.inputs.sources.Source` of one vintage, from its INSEE page id."""
    return Source(
        name="insee_filosofi",
        title="Filosofi, revenus et pauvreté",
        publisher="Insee-DGFiP-Cnaf-Cnav-CCMSA",
        page=f"https://www.insee.fr/fr/statistiques/{page}",
        vintage=year,
        files=(
            RemoteFile(file, f"https://www.insee.fr/fr/statistiques/fichier/{page}/{file}", sha256),
        ),
    )


SOURCES = {
    "2019": _vintage(
        "2019",
        "6036902",
        "base-cc-filosofi-2019_XLSX.zip",
        "caab32d095cae93a0a19b451c8611e358d783c97e353ca7d9393f2f335fd06dc",
    ),
    "2018": _vintage(
        "2018",
        "5009236",
        "base-cc-filosofi-2018_XLSX-geo2021.zip",
        "5eae990819c7323c14a4e09ce5cdd3195ed7d02bd6f82856f16df553d8142987",
    ),
}
"""One :class:`~bassin_lib.inputs.sources.Source` per supported vintage (income year)."""

SOURCE = SOURCES["2019"]
"""The latest supported vintage."""

FRANCE_SCOPE = "France métropolitaine"
"""What the ``"france"`` rows cover (sheet ``METRO``)."""

INDICATOR_PREFIXES = {
    "poverty_rate": "TP60",
    "median_living_standard": "MED",
    "d1": "D1",
    "d9": "D9",
}
"""Canonical indicator → official column prefix (the column is prefix + 2-digit year)."""

ZONE_SHEET, REGION_SHEET, FRANCE_SHEET = "ZE2020", "REG", "METRO"


def source(vintage: str) -> Source:
    """The :class:`~bassin_lib.inputs.sources.Source` of one vintage.

    Parameters
    ----------
    vintage : {"2018", "2019"}

    Raises
    ------
    ParameterError
        For another vintage.
    """
    if str(vintage) not in SOURCES:
        raise ParameterError(f"Filosofi vintage {vintage!r}: expected one of {sorted(SOURCES)}")
    return SOURCES[str(vintage)]


def _year_suffix(table: Table, year: int | None) -> str:
    found = sorted(
        {m.group(1) for c in table.frame.columns if (m := re.fullmatch(r"TP60(\d{2})", c))}
    )
    if year is not None:
        suffix = f"{year % 100:02d}"
        if suffix not in found:
            given = f"; the file gives {['20' + s for s in found]}" if found else ""
            raise table.error(
                f"no column 'TP60{suffix}' for year {year}{given}",
                table.header_row,
            )
        return suffix
    if len(found) != 1:
        raise table.error(
            "cannot tell the year: expected one poverty-rate column 'TP60AA' (AA = year), "
            f"found {['TP60' + s for s in found]}",
            table.header_row,
        )
    return found[0]


def _indicators(table: Table, codes: pd.Series, level: str, suffix: str) -> pd.DataFrame:
    missing = [p + suffix for p in INDICATOR_PREFIXES.values() if p + suffix not in table.frame]
    if missing:
        raise table.error(
            f"missing column(s) {missing} on the header row; expected "
            f"{[p + suffix for p in INDICATOR_PREFIXES.values()]}",
            table.header_row,
        )
    period = pd.Period(f"20{suffix}", freq="Y-DEC")
    parts = []
    for indicator, prefix in INDICATOR_PREFIXES.items():
        values = table.floats(prefix + suffix, nonnegative=True)
        parts.append(
            pd.DataFrame(
                {
                    "level": level,
                    "code": codes.to_numpy(),
                    "period": pd.PeriodIndex([period] * len(values)),
                    "indicator": indicator,
                    "value": values.to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def read(path: str | Path, year: int | None = None) -> pd.DataFrame:
    """Read poverty rate, median living standard and deciles by zone, region and France.

    Parameters
    ----------
    path : str or Path
        ``base-cc-filosofi-2019_XLSX.zip`` (or ``…2018_XLSX-geo2021.zip``), or the ``.xlsx``
        it holds.
    year : int, optional
        Income year (2018, 2019…). By default inferred from the column names (``TP6019`` →
        2019); when given, the file must have that year's columns.

    Returns
    -------
    DataFrame
        Canonical ``income_poverty`` table: ``level`` (``"zone"``, and ``"region"`` /
        ``"france"`` when the workbook has sheets ``REG`` / ``METRO``), ``code`` (zone
        ``"2705"``, region ``"27"``, ``"FR"`` for **France métropolitaine**), ``period`` (the
        income year), ``indicator`` in ``poverty_rate`` (``TP60AA``, %),
        ``median_living_standard`` (``MEDAA``, € per consumption unit and year), ``d1``
        (``D1AA``, €), ``d9`` (``D9AA``, €); ``value`` NaN where masked.

    Raises
    ------
    DataFormatError
        Naming file, sheet, row and column: sheet ``ZE2020`` absent, indicator column missing,
        year not found, malformed or repeated code, text or a negative number in a value cell.
    ParameterError
        When ``year`` is not an integer between 2000 and 2099.

    Notes
    -----
    The regional block of the 2019 ``REG`` sheet that follows an empty row (Guadeloupe, Guyane,
    Mayotte, from the Budget de famille survey) is not Filosofi and is left out.
    """
    if year is not None and (
        isinstance(year, bool) or not isinstance(year, numbers.Integral) or not 2000 <= year <= 2099
    ):
        raise ParameterError(f"year {year!r}: expected an integer income year such as 2019")
    with open_workbook(path) as book:
        zones = book.table(ZONE_SHEET, ["CODGEO", "LIBGEO"])
        suffix = _year_suffix(zones, year)
        zone_codes = zones.codes("CODGEO", "zone")
        zones.check_unique({"zone": zone_codes}, "zone")
        frames = [_indicators(zones, zone_codes, "zone", suffix)]
        sources = [zones.where()]
        if REGION_SHEET in book.sheetnames:
            regions = book.table(REGION_SHEET, ["CODGEO", "LIBGEO"], until_blank=True)
            _year_suffix(regions, int("20" + suffix))
            region_codes = regions.codes("CODGEO", "region")
            regions.check_unique({"region": region_codes}, "region")
            frames.append(_indicators(regions, region_codes, "region", suffix))
            sources.append(f"sheet {REGION_SHEET!r}")
        if FRANCE_SHEET in book.sheetnames:
            france = book.table(FRANCE_SHEET, ["CODGEO", "LIBGEO"], until_blank=True)
            _year_suffix(france, int("20" + suffix))
            if len(france.frame) != 1:
                raise france.error(
                    f"expected one row (France métropolitaine), found {len(france.frame)}"
                )
            codes = pd.Series([FRANCE_CODE], index=france.frame.index)
            frames.append(_indicators(france, codes, "france", suffix))
            sources.append(f"sheet {FRANCE_SHEET!r}")
    table = pd.concat(frames, ignore_index=True)
    return validate("income_poverty", table, " and ".join(sources))
