"""Observatoire des territoires (ANCT): population since 1876 and area, by employment zone.

The Observatoire des territoires republishes INSEE census figures on the 2020 employment zones
and serves them as ``.xlsx`` exports of its interactive map
(https://www.observatoire-des-territoires.gouv.fr/outils/cartographie-interactive):

- « Historique de populations depuis 1876 (Zone d'emploi (2020)) », ``pop_hist_1876_ze.xlsx``,
  source Insee RP 1876-2020: census years 1876…1999, then every year 2006-2020;
- « Insee - RP - données historiques depuis 1968 (Zone d'emploi (2020)) », indicator
  « Superficie », ``insee_rp_hist_1968_superf_ze.xlsx``: area in km² for the census years
  1968, 1975, 1982, 1990, 1999, 2007-2009, 2012-2014, 2017-2020.

Official layout
---------------
Sheet ``Data``: 2 banner rows, an empty row, a row holding the indicator's title above the value
column, then the header (row 5; found by its names) ``codgeo, libgeo, an, <indicator>`` with
``<indicator>`` = ``pop`` or ``superf_choro``; one row per zone and year (long layout), years as
text (``"1876"``), zone codes as 4-character text. 306 zones. A second sheet, named after the
indicator, documents it (source, years). Empty cells (zones of Mayotte and overseas before
their first census) become NaN. There are no region or France rows.

The download addresses below follow the Observatoire's download interface
(``GC_API_download.php?type=stat&nivgeo=ze2020&dataset=…&indic=…``); they were not checked
from this project's machines.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bassin_lib.inputs.schemas import validate
from bassin_lib.inputs.sources import RemoteFile, Source
from bassin_lib.inputs.sources._excel import open_workbook

_API = (
    "https://www.observatoire-des-territoires.gouv.fr/outils/cartographie-interactive/api/v1/"
    "functions/GC_API_download.php?type=stat&nivgeo=ze2020"
)

SOURCE = Source(
    name="anct_population",
    title="Historique de populations depuis 1876 et superficie, par zone d'emploi",
    publisher="Observatoire des territoires (ANCT), d'après Insee RP",
    page="https://www.observatoire-des-territoires.gouv.fr/outils/cartographie-interactive",
    vintage="2020",
    files=(
        RemoteFile("pop_hist_1876_ze.xlsx", f"{_API}&dataset=pop_hist_1876&indic=pop"),
        RemoteFile(
            "insee_rp_hist_1968_superf_ze.xlsx",
            f"{_API}&dataset=insee_rp_hist_1968&indic=superf_choro",
        ),
    ),
)

DATA_SHEET = "Data"
POPULATION_COLUMN = "pop"
AREA_COLUMN = "superf_choro"


def _read(path: str | Path, value_column: str, name: str) -> pd.DataFrame:
    with open_workbook(path) as book:
        table = book.table(DATA_SHEET, ["codgeo", "libgeo", "an", value_column])
    codes = table.codes("codgeo", "zone")
    years = table.matching("an", r"(18|19|20)\d{2}", "a year such as '2020'")
    table.check_unique({"zone": codes, "year": years}, "zone and year")
    table.labels("libgeo")
    values = table.floats(value_column, nonnegative=True)
    frame = pd.DataFrame(
        {
            "level": "zone",
            "code": codes.to_numpy(),
            "period": pd.PeriodIndex(years.to_numpy(), freq="Y-DEC"),
            "value": values.to_numpy(),
        }
    )
    return validate(name, frame, table.where())


def read_population(path: str | Path) -> pd.DataFrame:
    """Read the population of every zone since 1876 (``pop_hist_1876_ze.xlsx``).

    Parameters
    ----------
    path : str or Path
        The workbook as exported (sheet ``Data``, value column ``pop``).

    Returns
    -------
    DataFrame
        Canonical ``population`` table: ``level`` ``"zone"``, ``code`` (4-character zone code),
        ``period`` (yearly Period: census years, then each year 2006-2020), ``value``
        (inhabitants; NaN where the file is empty). File order.

    Raises
    ------
    DataFormatError
        Naming file, sheet, row and column: sheet ``Data`` or a column missing, malformed zone
        code or year, a zone and year given twice, text or a negative number as population.
    """
    return _read(path, POPULATION_COLUMN, "population")


def read_area(path: str | Path) -> pd.DataFrame:
    """Read the area of every zone (``insee_rp_hist_1968_superf_ze.xlsx``).

    Parameters
    ----------
    path : str or Path
        The workbook as exported (sheet ``Data``, value column ``superf_choro``).

    Returns
    -------
    DataFrame
        Canonical ``area`` table: ``level`` ``"zone"``, ``code``, ``period`` (the yearly Period
        of the census year the file gives, column ``an``: an area is that of the zone's
        communes in that year's geography), ``value`` (km²; NaN where the file is empty). Use
        the latest year for densities.

    Raises
    ------
    DataFormatError
        As :func:`read_population`; a zero area also fails the canonical check (area > 0).
    """
    return _read(path, AREA_COLUMN, "area")
