"""DARES: temporary work (« L'emploi intérimaire »), quarterly, by département and region.

DARES publishes the number of temporary workers (intérimaires) at the end of each quarter and
their full-time equivalents, by sector of the user establishment, for France, the regions and
the départements; the series come from the DSN since 2018 (levels revised up about 4.5 %
nationally, more in some places). There is no zone d'emploi level.

No real file of this dataset is available to the project: :func:`read` supports the layout
declared in its docstring, a flat ``;``-separated export, and is tested on fixtures in it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bassin_lib.inputs.schemas import FRANCE_CODE, validate
from bassin_lib.inputs.sources import LICENCE_ETALAB, Source
from bassin_lib.inputs.sources._csv import decode, read_csv

SOURCE = Source(
    name="dares_interim",
    title="L'emploi intérimaire (trimestriel, par département et région)",
    publisher="Dares",
    page="https://dares.travail-emploi.gouv.fr/donnees/lemploi-interimaire",
    vintage="2025T4",
    licence=LICENCE_ETALAB,
)

#: Columns of the supported layout, in order.
COLUMNS = [
    "Trimestre",
    "Niveau",
    "Code",
    "Libellé",
    "Secteur",
    "Intérimaires (fin de trimestre)",
    "Équivalents temps plein",
]
_REQUIRED = [c for c in COLUMNS if c != "Libellé"]
#: Canonical measure ← column.
MEASURES = {"jobs": "Intérimaires (fin de trimestre)", "fte": "Équivalents temps plein"}
#: Canonical level ← « Niveau ».
LEVELS = {"Département": "departement", "Région": "region", "France": "france"}
#: Canonical sector ← « Secteur » (sector of the user establishment); « Ensemble » is the
#: all-sector total, ``"TOTAL"`` as in the ``employment`` table.
SECTORS = {
    "Ensemble": "TOTAL",
    "Agriculture": "Agriculture",
    "Industrie": "Industrie",
    "Construction": "Construction",
    "Tertiaire": "Tertiaire",
}


def read(path: str | Path) -> pd.DataFrame:
    """Read a DARES temporary-work file into the canonical ``interim_quarterly`` table.

    Parameters
    ----------
    path : str or Path
        ``;``-separated text with a header line and the columns :data:`COLUMNS`:

        ====================================  ================================================
        ``Trimestre``                         quarter, ``"2020-T1"``
        ``Niveau``                            ``"Département"``, ``"Région"`` or ``"France"``
        ``Code``                              ``"25"``, ``"2A"``, ``"971"``; region ``"27"``;
                                              anything (even empty) for France
        ``Libellé``                           label (optional, not read)
        ``Secteur``                           ``Ensemble``, ``Agriculture``, ``Industrie``,
                                              ``Construction`` or ``Tertiaire``
        ``Intérimaires (fin de trimestre)``   temporary workers at the end of the quarter
        ``Équivalents temps plein``           full-time equivalents over the quarter
        ====================================  ================================================

        e.g. ``2020-T1;Département;90;Territoire de Belfort;Ensemble;2 150;1 980,5``.

    Returns
    -------
    DataFrame
        Canonical ``interim_quarterly`` table: ``level`` ``"departement"``, ``"region"`` or
        ``"france"`` (code ``"FR"``), ``code``, ``period`` quarterly, ``sector`` (``"TOTAL"``
        for « Ensemble », else the label of :data:`SECTORS`), ``measure`` ``"jobs"`` or
        ``"fte"``, ``value`` (NaN where masked).

    Raises
    ------
    DataFormatError
        Naming the file, row and column: empty, binary or undecodable file, missing column
        (or wrong separator), wrong number of fields (truncated file), a quarter, level,
        code, sector or figure that cannot be read, a negative figure, the same level, code,
        quarter and sector twice.

    Notes
    -----
    - Figures are French-formatted: spaces (also non-breaking) separate thousands and a comma
      is the decimal mark (``"1 980,5"``); a dot is accepted too.
    - Masked cells (``*``, ``s``, ``nc``, empty…, any of
      :data:`~bassin_lib.inputs.sources._cells.MASKED_TOKENS`) are NaN, never 0.
    - Numeric département and region codes that lost their leading zero (``"1"``) are
      zero-padded to 2 characters.
    - Text is UTF-8 (BOM optional) or, after a spreadsheet re-save, Windows-1252.
    """
    path = Path(path)
    table = read_csv(
        path, decode(path), sep=";", required=_REQUIRED, layout="DARES temporary-work file"
    )
    periods = table.quarters("Trimestre")
    for column, allowed, what in (("Niveau", LEVELS, "level"), ("Secteur", SECTORS, "sector")):
        table.check(
            column, ~table.frame[column].isin(list(allowed)), f"a {what}, one of {list(allowed)}"
        )
    level = table.frame["Niveau"].map(LEVELS)
    code = table.frame["Code"].copy()
    for kind in ("departement", "region"):
        at_level = level == kind
        code[at_level] = table.rows(at_level).codes("Code", kind)
    code[level == "france"] = FRANCE_CODE
    frame = pd.DataFrame(
        {
            "level": level,
            "code": code,
            "period": periods,
            "sector": table.frame["Secteur"].map(SECTORS),
        }
    )
    table.check_unique(
        {"level": level, "code": code, "quarter": periods, "sector": frame["sector"]},
        "level, code, quarter and sector",
    )
    for measure, column in MEASURES.items():
        frame[measure] = table.floats(column, nonnegative=True)
    result = frame.melt(
        id_vars=["level", "code", "period", "sector"],
        value_vars=list(MEASURES),
        var_name="measure",
        value_name="value",
    )
    result["value"] = result["value"].astype(float)
    result = result[["level", "code", "period", "sector", "measure", "value"]]
    result = result.sort_values(["level", "code", "sector", "measure", "period"], ignore_index=True)
    return validate("interim_quarterly", result, str(path))
