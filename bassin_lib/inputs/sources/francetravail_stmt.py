"""France Travail, STMT: job seekers registered each month, by commune, département and region.

France Travail's « Statistiques du marché du travail » (STMT) publish, on
``statistiques.francetravail.org/stmt/defmexp``, the number of registered job seekers each month
for the communes of more than 5,000 inhabitants, the départements and the regions (one query
each: ``lk=0`` communes, ``lj=0`` départements, ``li=0`` regions, ``pp=202001-`` from January
2020). The file the project reads is a long reshaping of these three extracts, made by the
dataforgoodfr/13_odis project (its export ``emploi_demandeur.csv``), which describes them as
« Nombre de demandeurs d'emploi inscrits au 1er du mois à Pôle emploi par communes de plus de
5000 hab » (and « … par départements », « … par régions »). That wording is the carrier's; the
file itself states neither the date in the month nor the category of job seekers.

**Category: not stated.** The counts are in line with categories A, B and C together (Territoire
de Belfort, January 2020: 13,600; Bourgogne-Franche-Comté: 235,960), not with category A alone,
but nothing in the file says so. The canonical table is therefore ``jobseekers_local``, a table
*without* a category dimension (:mod:`bassin_lib.inputs.schemas`), rather than
``jobseekers_monthly`` with a category ``"ABC"``: a category written into the data would be
read as a fact by every later step (and mixed with true ABC counts from DARES), whereas here it
is only a presumption, said once, in the report's sentence: « catégories non précisées par la
source (vraisemblablement A, B et C) ».

These levels are not employment zones: the cube keeps the rows as published and never sums them
into zones, groups or France (:func:`bassin_lib.inputs.cube.aggregate` aggregates zone rows
only); :mod:`bassin_lib.analysis.jobseekers` sums the départements a territory covers, and
rebuilds France only when every département is published.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from pathlib import Path

import pandas as pd

from bassin_lib.errors import BassinWarning
from bassin_lib.inputs.schemas import validate
from bassin_lib.inputs.sources import LICENCE_ETALAB, RemoteFile, Source
from bassin_lib.inputs.sources._cells import Table, pad_codes
from bassin_lib.inputs.sources._csv import decode, read_csv

SOURCE = Source(
    name="francetravail_stmt",
    title="STMT, demandeurs d'emploi inscrits par mois",
    publisher="France Travail",
    page="https://statistiques.francetravail.org/stmt/defmexp",
    vintage="2024-12",
    licence=LICENCE_ETALAB,
    # no confirmed address: the publisher's query returns one wide ';' table per level, not the
    # long file read here; 'fetch --from DIR' imports the file found under this name
    files=(RemoteFile(name="emploi_demandeur.csv", url=None),),
)
"""The monthly STMT extract of January 2020 to December 2024, as reshaped by dataforgoodfr/13_odis
(``emploi_demandeur.csv``)."""

TABLE = "jobseekers_local"
"""Canonical table :func:`read` returns."""
COLUMNS = ["codgeo", "YEAR", "Demandeurs_Emploi"]
"""Columns of the file, in order: geographic code, month (``janvier_2020``), count."""
MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}
"""French month names, lower case and without accents (``février`` and ``Fevrier`` are read)."""

_MONTH_CELL = re.compile(r"(?P<month>[a-z]+)[_ -](?P<year>\d{4})")
_SHAPES = {
    "commune": r"\d{5}|2[AB]\d{3}",
    "departement": r"\d{2}|2[AB]|97[1-6]",
    "region": r"reg\d{2}",
}
"""Code shapes of each level, as written in the file (before leading zeros are restored)."""


def _fold(text: str) -> str:
    """Lower-case, accent-free form of ``text`` (``"Février_2020"`` → ``"fevrier_2020"``)."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def code_levels(codes: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Level and canonical code of each STMT geographic code, from the code's shape.

    Parameters
    ----------
    codes : Series of str
        ``codgeo`` cells.

    Returns
    -------
    level : Series
        ``"commune"``, ``"departement"``, ``"region"``, or ``<NA>`` for a code of no known shape.
    code : Series of str
        Commune ``"90010"``, département ``"90"``/``"2A"``/``"971"``, region ``"27"``.

    Notes
    -----
    The three levels are told apart by the code alone (the file has no level column):

    - **commune**: 5 characters, 5 digits or ``2A``/``2B`` and 3 digits (``"01053"``,
      ``"2A004"``), the Insee commune code;
    - **département**: 2 characters, 2 digits or ``2A``/``2B`` (``"25"``, ``"2A"``), or the
      3 digits ``971`` to ``976`` of the overseas départements;
    - **region**: ``reg`` and the 2-digit Insee region code (``"reg27"`` → ``"27"``; ``REG27``
      is read too).

    Numeric codes that lost their leading zero in a spreadsheet are restored: 4 digits are a
    commune (``"1053"`` → ``"01053"``), 1 digit a département (``"1"`` → ``"01"``). No shape
    is shared by two levels, so the reading is unambiguous.
    """
    folded = codes.str.strip()
    lower = folded.str.lower()
    numeric = folded.str.fullmatch(r"\d+")
    commune = folded.str.fullmatch(_SHAPES["commune"]) | (numeric & (folded.str.len() == 4))
    departement = folded.str.fullmatch(_SHAPES["departement"]) | (numeric & (folded.str.len() == 1))
    region = lower.str.fullmatch(_SHAPES["region"])
    level = pd.Series(pd.NA, index=codes.index, dtype=object)
    level[departement] = "departement"
    level[commune] = "commune"
    level[region] = "region"
    code = folded.copy()
    code[commune] = pad_codes(folded[commune], 5)
    code[departement] = pad_codes(folded[departement], 2)
    code[region] = lower[region].str[3:]
    return level, code


def _months(table: Table, column: str) -> pd.Series:
    """Monthly periods of a column of French month names (``"janvier_2020"`` → ``2020-01``).

    Raises
    ------
    DataFormatError
        At the first cell that is not a French month name, ``_`` (or a space or ``-``) and a
        year.
    """
    folded = {text: _fold(text) for text in table.frame[column].unique()}
    parts = table.frame[column].map(folded).str.extract(f"^{_MONTH_CELL.pattern}$")
    months = parts["month"].map(MONTHS)
    table.check(
        column,
        months.isna() | parts["year"].isna(),
        "a month such as 'janvier_2020' (French month name, '_', year)",
    )
    periods = pd.PeriodIndex.from_fields(
        year=parts["year"].astype(int).to_numpy(),
        month=months.astype(int).to_numpy(),
        freq="M",
    )
    return pd.Series(periods, index=table.frame.index)


def read(path: str | Path) -> pd.DataFrame:
    """Read the monthly STMT extract into the canonical ``jobseekers_local`` table.

    Parameters
    ----------
    path : str or Path
        ``,``-separated file with the columns :data:`COLUMNS`, one row per code and month:
        ``90010,janvier_2020,5860``.

    Returns
    -------
    DataFrame
        Canonical ``jobseekers_local`` table: ``level`` (``"commune"``, ``"departement"``,
        ``"region"``), ``code`` (:func:`code_levels`), ``period`` monthly, ``value`` the
        registered job seekers as published (NaN where masked or ambiguous).

    Raises
    ------
    DataFormatError
        Naming the file, the row (line number) and the column: empty, binary or undecodable
        file, a missing column (or a wrong separator), a row with the wrong number of fields
        (truncated file), a code of no known shape, a month that cannot be read, a count that
        is neither a number nor a masked marker, a negative count.

    Warns
    -----
    BassinWarning
        When the file gives one code two different counts for the same month (every month of
        such a code is NaN).

    Notes
    -----
    - **Levels** are told apart by the code's shape (:func:`code_levels`).
    - **Category**: not stated by the file (module docstring); no category column is made up.
    - **Rounding**: the published counts are rounded to 10 (every cell of the 2020-2024 extract
      is a multiple of 10); they are kept as published, never re-rounded. A sum of ``n``
      cells is therefore known to within ``± 5 n``.
    - **Masked cells** (``*``, ``s``, empty…, any of
      :data:`~bassin_lib.inputs.sources._cells.MASKED_TOKENS`) are NaN, never 0. A published
      ``0`` stays 0.
    - **Repeated rows**: a row repeating a code, month and count is read once (the 2020-2024
      extract repeats 40 communes identically, 2 or 3 times each month). A code given two
      different counts for one month is ambiguous: the 2020-2024 extract has 10 such communes
      (29212, 54395, 59606, 69149, 74272, 77284, 77333, 78361, 85194, 93066), probably
      communes merged under one code, and the file does not say which count, or their sum, is
      the commune's. Every month of such a code is NaN, including the months whose repeated
      counts happen to coincide (74272 shows 350 twice in January 2020, 430 and 380 in
      December 2024).
    - **Coverage of the 2020-2024 extract**: 60 months (January 2020 to December 2024);
      2,288 communes (all in the 2023 zoning); 99 départements — Yvelines (78) and Mayotte (976)
      are absent, so France cannot be rebuilt as the sum of the départements; 16 regions —
      Provence-Alpes-Côte d'Azur (93) and Mayotte (06) are absent. There is no France row.
    """
    path = Path(path)
    table = read_csv(
        path, decode(path), sep=",", required=COLUMNS, layout="France Travail STMT file"
    )
    level, code = code_levels(table.frame["codgeo"])
    table.check(
        "codgeo",
        level.isna(),
        "a commune code (5 characters), a département code (2 characters, or 971 to 976) "
        "or a region code ('reg' and 2 digits)",
    )
    periods = _months(table, "YEAR")
    values = table.floats("Demandeurs_Emploi", nonnegative=True)
    rows = pd.DataFrame(
        {"level": level.astype(str), "code": code, "period": periods, "value": values}
    )
    rows = rows.drop_duplicates()
    keys = ["level", "code", "period"]
    conflicting = rows.duplicated(keys, keep=False)
    if conflicting.any():
        ambiguous = rows.loc[conflicting, ["level", "code"]].drop_duplicates()
        codes = sorted(ambiguous["code"])
        first = rows.index[conflicting][:2].tolist()
        warnings.warn(
            f"{path}: {len(codes)} code(s) have two different counts for the same month "
            f"({', '.join(codes[:10])}{', …' if len(codes) > 10 else ''}; first at rows "
            f"{first[0]} and {first[1]}); every month of those codes is NaN",
            BassinWarning,
            stacklevel=2,
        )
        hit = pd.MultiIndex.from_frame(rows[["level", "code"]]).isin(
            pd.MultiIndex.from_frame(ambiguous)
        )
        rows.loc[hit, "value"] = float("nan")
        rows = rows.drop_duplicates(keys)
    result = rows.sort_values(keys, ignore_index=True)
    return validate(TABLE, result, str(path))
