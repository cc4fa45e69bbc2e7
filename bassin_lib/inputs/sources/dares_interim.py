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

from bassin_lib.errors import DataFormatError
from bassin_lib.inputs.schemas import FRANCE_CODE, validate
from bassin_lib.inputs.sources import LICENCE_ETALAB, Source
from bassin_lib.inputs.sources._csv import (
    _check_pattern,
    _counts,
    _decode,
    _duplicates_error,
    _first,
    _pad_codes,
    _read_csv,
)

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
_CODE_PATTERNS = {
    "departement": (r"\d{2}|2[AB]|97[1-6]", 2, "a département code (01-95, 2A, 2B, 971-976)"),
    "region": (r"\d{2}", 2, "a region code (2 digits)"),
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
        Naming the file, line and column: empty, binary or undecodable file, missing column
        (or wrong separator), wrong number of fields (truncated file), a quarter, level,
        code, sector or figure that cannot be read, a negative figure, the same level, code,
        quarter and sector twice.

    Notes
    -----
    - Figures are French-formatted: spaces (also non-breaking) separate thousands and a comma
      is the decimal mark (``"1 980,5"``); a dot is accepted too.
    - Masked cells (``*``, ``s``, ``secret``, ``nd``, empty) are NaN, never 0.
    - Numeric département and region codes that lost their leading zero (``"1"``) are
      zero-padded to 2 characters.
    - Text is UTF-8 (BOM optional) or, after a spreadsheet re-save, Windows-1252.
    """
    path = Path(path)
    text = _decode(path)
    frame = _read_csv(path, text, sep=";", required=_REQUIRED, layout="DARES temporary-work file")
    _check_pattern(
        frame, "Trimestre", frame["Trimestre"], r"\d{4}-T[1-4]", path, "a quarter like 2020-T1"
    )
    for column, allowed, what in (("Niveau", LEVELS, "level"), ("Secteur", SECTORS, "sector")):
        unknown = ~frame[column].isin(list(allowed))
        if unknown.any():
            row = _first(frame, unknown)
            raise DataFormatError(
                f"{path}: line {row['_line']}, column {column!r}: unknown {what} "
                f"{row[column]!r}; expected one of {list(allowed)}"
            )
    level = frame["Niveau"].map(LEVELS)
    code = frame["Code"].copy()
    for name, (pattern, width, expected) in _CODE_PATTERNS.items():
        at_level = level == name
        code[at_level] = _pad_codes(frame.loc[at_level, "Code"], width)
        _check_pattern(
            frame[at_level], "Code", code[at_level], pattern, path, f"{expected} at this level"
        )
    code[level == "france"] = FRANCE_CODE
    frame["level"], frame["code"], frame["sector"] = level, code, frame["Secteur"].map(SECTORS)
    frame["period"] = pd.PeriodIndex.from_fields(
        year=frame["Trimestre"].str[:4].astype(int).to_numpy(),
        quarter=frame["Trimestre"].str[-1].astype(int).to_numpy(),
        freq="Q-DEC",
    )
    _duplicates_error(
        path, frame, ["level", "code", "period", "sector"], "the same level, code, quarter, sector"
    )
    for measure, column in MEASURES.items():
        frame[measure] = _counts(
            frame, column, path, decimal_comma=True, what="a number of temporary workers"
        )
    table = frame.melt(
        id_vars=["level", "code", "period", "sector"],
        value_vars=list(MEASURES),
        var_name="measure",
        value_name="value",
    )
    table["value"] = table["value"].astype(float)
    table = table[["level", "code", "period", "sector", "measure", "value"]]
    table = table.sort_values(["level", "code", "sector", "measure", "period"], ignore_index=True)
    return validate("interim_quarterly", table, str(path))
