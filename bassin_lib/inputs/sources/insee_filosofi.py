"""INSEE Filosofi « base-cc-filosofi »: income and poverty by zone, region and France.

Filosofi (Fichier localisé social et fiscal) gives, for a tax year, the median disposable income
per consumption unit, its deciles, the poverty rate at 60 % of the median, the number of persons
in fiscal households and the composition of disposable income (shares of activity income,
pensions, property income, social benefits and taxes). Two vintages are supported, the vintage
being the income year (:data:`SOURCES`):

- ``"2019"``: ``base-cc-filosofi-2019_XLSX.zip`` (géographie au 01/01/2022),
  page https://www.insee.fr/fr/statistiques/6036902;
- ``"2018"``: ``base-cc-filosofi-2018_XLSX-geo2021.zip`` (géographie au 01/01/2021),
  page https://www.insee.fr/fr/statistiques/5009236.

Official layout
---------------
A zip holding one ``.xlsx`` with sheets ``COM, EPCI, (EPT,) ARR, DEP, (CTCD,) REG, METRO,
AAV2020, UU2020, ZE2020, Variables, Documentation…``. Every data sheet has 4 banner rows, a row
of French titles and the header row (row 6; found by its names): ``CODGEO, LIBGEO,
NBMENFISC19, NBPERSMENFISC19, MED19, PIMP19, TP6019, TP60AGE119, …, PACT19, PTSA19, PCHO19,
PBEN19, PPEN19, PPAT19, PPSOC19, PPFAM19, PPMINI19, PPLOGT19, PIMPOT19, D119, D919, RD19``, the
last two digits being the year. Cells under the secrecy threshold are ``s`` (2019) or empty
(2018): both become NaN.

- ``ZE2020``: 297 zones (no figures for the zones of Guadeloupe, Guyane and Mayotte);
- ``REG``: the regions covered by Filosofi (13 metropolitan regions, Martinique, La Réunion);
  in 2019 a second block follows an empty row, for Guadeloupe, Guyane and Mayotte, from another
  source (enquête Budget de famille 2017): it is **not** read;
- ``METRO``: one row, code ``1``, **France métropolitaine** (not the whole of France): it is
  returned as level ``"france"``, code ``"FR"``. The file has no row for the whole of France:
  every ``"france"`` figure read here (poverty, living standards, income composition) is that of
  France métropolitaine (:data:`FRANCE_SCOPE`).

Two readers share the sheets: :func:`read` (table ``income_poverty``) and
:func:`read_composition` (table ``income_composition``).
"""

from __future__ import annotations

import numbers
import re
from pathlib import Path

import pandas as pd

from bassin_lib.errors import ParameterError
from bassin_lib.inputs.schemas import FRANCE_CODE, validate
from bassin_lib.inputs.sources import RemoteFile, Source, Vintage
from bassin_lib.inputs.sources._cells import Table
from bassin_lib.inputs.sources._excel import open_workbook

_INSEE_FILES = "https://www.insee.fr/fr/statistiques/fichier"
NEWER_VINTAGES = (
    Vintage(
        "2020",
        (
            RemoteFile(
                "base-cc-filosofi-2020_XLSX.zip",
                f"{_INSEE_FILES}/6692392/base-cc-filosofi-2020_XLSX.zip",
            ),
        ),
        note="page 6692392 (géographie au 01/01/2023); layout not checked against the readers",
    ),
    Vintage(
        "2021",
        (
            RemoteFile(
                "base-cc-filosofi-2021-geo2025_csv.zip",
                f"{_INSEE_FILES}/7756729/base-cc-filosofi-2021-geo2025_csv.zip",
            ),
        ),
        note="page 7756729; a CSV in the long DS_FILOSOFI_CC layout, which the readers do not read",
    ),
)
"""Vintages published after those the readers support (fetched with ``fetch --vintage``)."""


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
        vintages=NEWER_VINTAGES,
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

COUNT_PREFIXES = {"persons": "NBPERSMENFISC"}
"""Counts read into ``income_poverty`` when the file has them: ``persons`` is the number of
persons in fiscal households, the denominator of the poverty rate (the cube rebuilds a group's
poverty rate exactly from it)."""

COMPOSITION_PREFIXES = (
    "PACT",
    "PTSA",
    "PCHO",
    "PBEN",
    "PPEN",
    "PPAT",
    "PPSOC",
    "PPFAM",
    "PPMINI",
    "PPLOGT",
    "PIMPOT",
)
"""Components of disposable income read into ``income_composition`` (Filosofi codes, % of
disposable income): activity income ``PACT`` = wages ``PTSA`` + unemployment benefits ``PCHO``
+ non-salaried income ``PBEN``; pensions, retirement and annuities ``PPEN``; property income
``PPAT``; social benefits ``PPSOC`` = family ``PPFAM`` + minimum income ``PPMINI`` + housing
``PPLOGT`` benefits; taxes ``PIMPOT`` (negative). ``PACT + PPEN + PPAT + PPSOC + PIMPOT`` =
100."""

COMPOSITION_REQUIRED = ("PACT", "PPEN", "PPAT", "PPSOC", "PIMPOT")
"""Components every file must have; the parts of ``PACT`` and ``PPSOC`` are read when present."""

SIGNED_COMPONENTS = ("PIMPOT", "PBEN")
"""Components that may be negative: taxes always, non-salaried income when losses dominate."""

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
    columns = dict(INDICATOR_PREFIXES)
    columns.update(
        {name: prefix for name, prefix in COUNT_PREFIXES.items() if prefix + suffix in table.frame}
    )
    values = {
        name: table.floats(prefix + suffix, nonnegative=True) for name, prefix in columns.items()
    }
    return _long(values, codes, level, suffix, "indicator")


def _long(
    values: dict[str, pd.Series], codes: pd.Series, level: str, suffix: str, dimension: str
) -> pd.DataFrame:
    """Long rows ``level, code, period, <dimension>, value`` from one column per key."""
    period = pd.Period(f"20{suffix}", freq="Y-DEC")
    parts = [
        pd.DataFrame(
            {
                "level": level,
                "code": codes.to_numpy(),
                "period": pd.PeriodIndex([period] * len(column)),
                dimension: key,
                "value": column.to_numpy(),
            }
        )
        for key, column in values.items()
    ]
    return pd.concat(parts, ignore_index=True)


def _composition(table: Table, codes: pd.Series, level: str, suffix: str) -> pd.DataFrame:
    missing = [p + suffix for p in COMPOSITION_REQUIRED if p + suffix not in table.frame]
    if missing:
        raise table.error(
            f"missing column(s) {missing} on the header row; the composition of disposable "
            f"income needs {[p + suffix for p in COMPOSITION_REQUIRED]}",
            table.header_row,
        )
    values = {
        prefix: table.floats(prefix + suffix, nonnegative=prefix not in SIGNED_COMPONENTS)
        for prefix in COMPOSITION_PREFIXES
        if prefix + suffix in table.frame
    }
    return _long(values, codes, level, suffix, "component")


def read(path: str | Path, year: int | None = None) -> pd.DataFrame:
    """Read poverty rate, median living standard, deciles and persons by zone, region and France.

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
        (``D1AA``, €), ``d9`` (``D9AA``, €) and, when the file has the column, ``persons``
        (``NBPERSMENFISCAA``, persons in fiscal households); ``value`` NaN where masked.

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
    Mayotte, from the Budget de famille survey) is not Filosofi and is left out. The poverty
    rate is a share of the persons of fiscal households under a threshold common to every
    territory (60 % of the national median), so that with ``persons`` the rate of a group of
    zones is exactly ``Σ rate_z × persons_z / Σ persons_z`` (up to the rounding of the
    published rates to 0,1 point); this is what :mod:`bassin_lib.inputs.cube` does.
    """
    return _read_levels(path, year, _indicators, "income_poverty")


def read_composition(path: str | Path, year: int | None = None) -> pd.DataFrame:
    """Read the composition of disposable income by zone, region and France métropolitaine.

    Parameters
    ----------
    path : str or Path
        The same files as :func:`read`.
    year : int, optional
        Income year, as in :func:`read`.

    Returns
    -------
    DataFrame
        Canonical ``income_composition`` table: ``level``, ``code``, ``period`` as in
        :func:`read`; ``component`` a Filosofi code of :data:`COMPOSITION_PREFIXES` (``PACT``,
        ``PTSA``, ``PCHO``, ``PBEN``, ``PPEN``, ``PPAT``, ``PPSOC``, ``PPFAM``, ``PPMINI``,
        ``PPLOGT``, ``PIMPOT``; the parts of ``PACT`` and ``PPSOC`` only when the file has
        them); ``value`` the share of disposable income in % (``PIMPOT`` negative), NaN where
        masked. The ``"france"`` row is **France métropolitaine** (sheet ``METRO``).

    Raises
    ------
    DataFormatError
        As :func:`read`, and when a column of :data:`COMPOSITION_REQUIRED` is missing, or a
        share other than ``PIMPOT`` and ``PBEN`` is negative.
    ParameterError
        When ``year`` is not an integer between 2000 and 2099.

    Notes
    -----
    These are shares of the disposable income of the households **living** in the territory
    (fiscal sources and social benefits), as published: ``PACT + PPEN + PPAT + PPSOC +
    PIMPOT = 100``. They are not the captured-income bases (« revenus captés ») of the
    ``income_base`` table. Shares of a group of zones cannot be rebuilt exactly from them: the
    file gives no total income by zone (only household and person counts and the median per
    consumption unit), so the cube averages them weighted by population and flags them
    approximate.
    """
    return _read_levels(path, year, _composition, "income_composition")


def _read_levels(path: str | Path, year: int | None, extract, name: str) -> pd.DataFrame:
    """Sheets ``ZE2020``, ``REG`` and ``METRO`` through ``extract(table, codes, level,
    suffix)``, validated as the canonical table ``name``."""
    if year is not None and (
        isinstance(year, bool) or not isinstance(year, numbers.Integral) or not 2000 <= year <= 2099
    ):
        raise ParameterError(f"year {year!r}: expected an integer income year such as 2019")
    with open_workbook(path) as book:
        zones = book.table(ZONE_SHEET, ["CODGEO", "LIBGEO"])
        suffix = _year_suffix(zones, year)
        zone_codes = zones.codes("CODGEO", "zone")
        zones.check_unique({"zone": zone_codes}, "zone")
        frames = [extract(zones, zone_codes, "zone", suffix)]
        sources = [zones.where()]
        if REGION_SHEET in book.sheetnames:
            regions = book.table(REGION_SHEET, ["CODGEO", "LIBGEO"], until_blank=True)
            _year_suffix(regions, int("20" + suffix))
            region_codes = regions.codes("CODGEO", "region")
            regions.check_unique({"region": region_codes}, "region")
            frames.append(extract(regions, region_codes, "region", suffix))
            sources.append(f"sheet {REGION_SHEET!r}")
        if FRANCE_SHEET in book.sheetnames:
            france = book.table(FRANCE_SHEET, ["CODGEO", "LIBGEO"], until_blank=True)
            _year_suffix(france, int("20" + suffix))
            if len(france.frame) != 1:
                raise france.error(
                    f"expected one row (France métropolitaine), found {len(france.frame)}"
                )
            codes = pd.Series([FRANCE_CODE], index=france.frame.index)
            frames.append(extract(france, codes, "france", suffix))
            sources.append(f"sheet {FRANCE_SHEET!r}")
    table = pd.concat(frames, ignore_index=True)
    return validate(name, table, " and ".join(sources))
