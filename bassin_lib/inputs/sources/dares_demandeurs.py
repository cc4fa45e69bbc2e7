"""DARES / France Travail: job seekers registered at France Travail.

Two readers:

- :func:`read_zone_quarterly` for the DARES dataset « Demandeurs d'emploi inscrits à France
  Travail par zone d'emploi » (``dares_defm_zoneeemploi_brut_trim``, quarterly, raw data), the
  one the diagnostics use (:data:`SOURCE`);
- :func:`read_commune_monthly` for France Travail's monthly STMT extract for communes over 5,000
  inhabitants, départements and regions (:data:`COMMUNE_MONTHLY_SOURCE`), which cannot be
  summed to zones (small communes are missing) and serves as local context only.
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
from bassin_lib.inputs.sources._cells import Table, data_error, pad_codes, sum_parts
from bassin_lib.inputs.sources._csv import decode, read_csv

SOURCE = Source(
    name="dares_demandeurs",
    title="Demandeurs d'emploi inscrits à France Travail par zone d'emploi",
    publisher="Dares, France Travail",
    page="https://data.dares.travail-emploi.gouv.fr/explore/dataset/dares_defm_zoneeemploi_brut_trim/",
    vintage="2025T4",
    licence=LICENCE_ETALAB,
    files=(
        RemoteFile(
            name="dares_defm_zoneeemploi_brut_trim.csv",
            url=(
                "https://data.dares.travail-emploi.gouv.fr/api/explore/v2.1/catalog/datasets/"
                "dares_defm_zoneeemploi_brut_trim/exports/csv?use_labels=true&delimiter=%3B"
            ),
        ),
    ),
)

COMMUNE_MONTHLY_SOURCE = Source(
    name="francetravail_demandeurs_communes",
    title=(
        "Demandeurs d'emploi inscrits à France Travail, communes de plus de 5 000 habitants, "
        "départements et régions (STMT, mensuel)"
    ),
    publisher="France Travail",
    page="https://statistiques.francetravail.org/stmt/defmexp",
    vintage="2024-12",
    licence=LICENCE_ETALAB,
)

#: Columns of the official quarterly zone file (``;``-separated, labels as exported with
#: ``use_labels=true``).
ZONE_COLUMNS = [
    "Date",
    "Code région",
    "Région",
    "Code zone d'emploi",
    "Zone d'emploi",
    "Type de données",
    "Catégorie",
    "Sexe",
    "Tranche d'âge",
    "Ancienneté",
    "Nombre de demandeurs d'emploi",
]
_ZONE_REQUIRED = [c for c in ZONE_COLUMNS if c not in ("Région", "Zone d'emploi")]
#: Categories the DARES files publish; only A, B and C are kept (ABC is their sum).
KNOWN_CATEGORIES = ("A", "B", "C", "D", "E", "AB", "ABC", "ABCDE")
KEPT_CATEGORIES = ("A", "B", "C")
#: Code of the cumulative rows (France, non-localised…) in the DARES geographic files.
CUMULATIVE_CODE = "Total"

COMMUNE_MONTHLY_COLUMNS = ["codgeo", "YEAR", "Demandeurs_Emploi"]
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


def _fold(text: str) -> str:
    """Lower-case, accent-free form of ``text`` (``"Février"`` → ``"fevrier"``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _require_values(table: Table, column: str, wanted: str, hint: str) -> None:
    """Raise when no row of ``column`` equals ``wanted``, listing the values seen."""
    values = table.frame[column]
    if not (values == wanted).any():
        seen = sorted(values.unique())[:12]
        raise table.error(
            f"no {wanted!r} row; values found: {seen} (pass the file's label as {hint}=…)",
            column=column,
        )


def read_zone_quarterly(
    path: str | Path,
    *,
    data_type: str = "Brutes",
    sex_total: str = "Total",
    age_total: str = "Total",
    seniority_total: str = "Total",
) -> pd.DataFrame:
    """Read the DARES quarterly file by zone d'emploi into the canonical ``jobseekers`` table.

    Parameters
    ----------
    path : str or Path
        The ``;``-separated export of ``dares_defm_zoneeemploi_brut_trim`` with columns
        :data:`ZONE_COLUMNS` (« Région » and « Zone d'emploi », labels, may be absent), e.g.
        ``1997-T3;28;Normandie;2814;Lisieux;Brutes;ABC;Total;Total;Total;5860``.
    data_type : str, default "Brutes"
        Value of « Type de données » to keep (the zone dataset is raw data).
    sex_total, age_total, seniority_total : str, default "Total"
        Label of the all-sexes, all-ages and all-durations rows in « Sexe », « Tranche d'âge »
        and « Ancienneté ». DARES exports write ``"Total"``; pass ``"Ensemble"`` (or the file's
        label) if a release uses another word: the error lists the labels found.

    Returns
    -------
    DataFrame
        Canonical ``jobseekers`` table: ``level`` ``"zone"``, ``code`` the 4-character zone
        code, ``period`` quarterly (« Date » ``"1997-T3"`` → ``1997Q3``), ``category``
        ``"A"``, ``"B"`` or ``"C"``, ``value`` registered job seekers (NaN where masked).

    Raises
    ------
    DataFormatError
        Naming the file and, where relevant, the row (line number) and column: empty, binary or
        undecodable file, missing column (or wrong separator), a row with the wrong number of
        fields (truncated file), a date, zone code or count that cannot be read, a negative
        count, a category outside :data:`KNOWN_CATEGORIES`, no row of ``data_type`` or of the
        total labels, duplicated rows.

    Notes
    -----
    - Only the rows where « Sexe », « Tranche d'âge » and « Ancienneté » are all at their total
      label are kept. Categories D, E, AB, ABC and ABCDE are read (and checked) but not
      returned: ``jobseekers`` holds A, B and C, and ABC is their sum.
    - Masked (small) cells — ``*``, ``s``, ``nc``, empty…, any of
      :data:`~bassin_lib.inputs.sources._cells.MASKED_TOKENS` — are NaN, never 0.
    - Rows whose zone code is ``"Total"`` (cumulative rows: France, non-localised) are skipped.
      Zone codes that lost their leading zeros (``"51"``) are zero-padded to 4 characters;
      any other code that is not 4 digits is an error.
    - A zone listed under two « Code région » values in the same quarter and category (a
      trans-regional zone published by regional part) is the sum of its parts, NaN when a part
      is masked. The same zone, region, quarter and category twice is an error naming the keys
      and rows. (This follows the Urssaf convention for regional parts; check it on the first
      real download: if DARES repeated whole zones under each region, the sum would double.)
    - The DARES quarterly series are counts of registrants for the quarter as defined in the
      dataset's documentation (recent DARES releases publish quarterly averages of month-end
      counts); the value is taken as published.
    - Text is UTF-8 (BOM optional) or, after a spreadsheet re-save, Windows-1252.
    """
    path = Path(path)
    table = read_csv(
        path, decode(path), sep=";", required=_ZONE_REQUIRED, layout="DARES quarterly zone file"
    )
    zone_column, value_column = "Code zone d'emploi", "Nombre de demandeurs d'emploi"
    table.check(
        "Catégorie",
        ~table.frame["Catégorie"].isin(KNOWN_CATEGORIES),
        f"a category, one of {list(KNOWN_CATEGORIES)}",
    )
    periods = table.quarters("Date")
    table = table.rows(table.frame[zone_column].str.casefold() != CUMULATIVE_CODE.casefold())
    codes = table.codes(zone_column, "zone")
    values = table.floats(value_column, nonnegative=True)

    for column, label, hint in (
        ("Type de données", data_type, "data_type"),
        ("Sexe", sex_total, "sex_total"),
        ("Tranche d'âge", age_total, "age_total"),
        ("Ancienneté", seniority_total, "seniority_total"),
    ):
        _require_values(table, column, label, hint)
    frame = table.frame
    keep = (
        (frame["Type de données"] == data_type)
        & (frame["Sexe"] == sex_total)
        & (frame["Tranche d'âge"] == age_total)
        & (frame["Ancienneté"] == seniority_total)
        & frame["Catégorie"].isin(KEPT_CATEGORIES)
    )
    rows = pd.DataFrame(
        {
            "code": codes[keep],
            "region": frame.loc[keep, "Code région"],
            "period": periods.loc[keep.index[keep]],
            "category": frame.loc[keep, "Catégorie"],
            "value": values[keep],
        }
    )
    if rows.empty:
        raise data_error(
            f"no row of categories {list(KEPT_CATEGORIES)} at the totals "
            f"(Sexe={sex_total!r}, Tranche d'âge={age_total!r}, Ancienneté={seniority_total!r}, "
            f"Type de données={data_type!r})",
            path,
        )
    table.check_unique(
        {
            "zone": rows["code"],
            "region": rows["region"],
            "quarter": rows["period"],
            "category": rows["category"],
        },
        "zone, region, quarter and category",
    )
    result = sum_parts(rows, ["code", "period", "category"], ["value"])
    result["level"] = "zone"
    result = result[["level", "code", "period", "category", "value"]]
    result = result.sort_values(["code", "category", "period"], ignore_index=True)
    return validate("jobseekers", result, str(path))


_MONTH_FIELD = re.compile(r"^(?P<month>[^\W\d_]+)[_ -](?P<year>\d{4})$")


def _levels(codes: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(level, canonical code) from the shape of STMT ``codgeo`` codes; NaN level if unknown."""
    region = codes.str.fullmatch(r"(?i)reg\d{1,2}")
    numeric = codes.str.fullmatch(r"\d+")
    commune = codes.str.fullmatch(r"\d{5}|2[AB]\d{3}") | (numeric & (codes.str.len() == 4))
    departement = codes.str.fullmatch(r"\d{2}|2[AB]|97[1-6]") | (numeric & (codes.str.len() == 1))
    level = pd.Series(pd.NA, index=codes.index, dtype=object)
    level[departement] = "departement"
    level[commune] = "commune"
    level[region] = "region"
    code = codes.copy()
    code[commune] = pad_codes(codes[commune], 5)
    code[departement] = pad_codes(codes[departement], 2)
    code[region] = pad_codes(codes[region].str[3:], 2)
    return level, code


def read_commune_monthly(path: str | Path) -> pd.DataFrame:
    """Read France Travail's monthly extract (communes, départements, regions).

    Parameters
    ----------
    path : str or Path
        ``,``-separated file with columns ``codgeo``, ``YEAR`` (month and year, ``janvier_2020``)
        and ``Demandeurs_Emploi`` (job seekers registered that month, rounded to 10).

    Returns
    -------
    DataFrame
        Canonical ``jobseekers_monthly`` table: ``level`` ``"commune"``, ``"departement"`` or
        ``"region"``, ``code`` (commune ``"90010"``, département ``"90"``/``"2A"``/``"971"``,
        region ``"27"``), ``period`` monthly, ``category`` ``"ABC"``, ``value``.

    Raises
    ------
    DataFormatError
        Naming the file, row and column: empty, binary or undecodable file, missing column
        (or wrong separator), wrong number of fields (truncated file), a code of unknown shape,
        a month that cannot be read, a count that is not a number or is negative.

    Warns
    -----
    BassinWarning
        When a code and month carry two different values (those cells are set to NaN).

    Notes
    -----
    - **The category is assumed to be ABC: the file does not state it.** France Travail's STMT
      tables of registered job seekers by commune count categories A, B and C; the figures
      (Belfort 90010: 5,860 in January 2020) are in line with ABC counts, not A alone.
    - **Level from the code's shape**: 5 characters (``"01053"``, ``"2A004"``) → commune;
      2 characters (``"90"``, ``"2A"``) or ``971``..``976`` → département; ``reg`` + 2 digits
      (``"reg27"``) → region, code ``"27"``. Numeric codes that lost their leading zero are
      padded: 4 digits → commune (``"1053"`` → ``"01053"``), 1 digit → département
      (``"1"`` → ``"01"``). Any other shape is an error.
    - **Repeated rows.** A line repeating a code, month and value is read once. The 2020-2024
      extract repeats 40 communes identically (2 or 3 times) and gives 10 communes two
      different values each month (29212, 54395, 59606, 69149, 74272, 77284, 77333, 78361,
      85194, 93066 — probably former communes merged under one code); the file does not say
      which figure (or their sum) is the commune's, so those cells are NaN.
    - Masked cells (``*``, ``s``, empty…, any of
      :data:`~bassin_lib.inputs.sources._cells.MASKED_TOKENS`) are NaN, never 0.
    - Month names may carry accents (``février``) or not, in any case.
    - The 2020-2024 extract has 2,403 codes (2,288 communes, 99 départements — Yvelines, 78,
      is absent — and 16 regions) over 60 months.
    """
    path = Path(path)
    table = read_csv(
        path,
        decode(path),
        sep=",",
        required=COMMUNE_MONTHLY_COLUMNS,
        layout="France Travail monthly commune file",
    )
    level, code = _levels(table.frame["codgeo"])
    table.check(
        "codgeo",
        level.isna(),
        "a commune (5 characters), a département (2 characters or 971-976) or a region "
        "('reg' + 2 digits)",
    )
    folded = {value: _fold(value) for value in table.frame["YEAR"].unique()}
    parts = table.frame["YEAR"].map(folded).str.extract(_MONTH_FIELD)
    months = parts["month"].map(MONTHS)
    table.check(
        "YEAR",
        months.isna() | parts["year"].isna(),
        "a month such as 'janvier_2020' (French month name, '_', year)",
    )
    rows = pd.DataFrame(
        {
            "level": level.astype(str),
            "code": code,
            "period": pd.PeriodIndex.from_fields(
                year=parts["year"].astype(int).to_numpy(),
                month=months.astype(int).to_numpy(),
                freq="M",
            ),
            "value": table.floats("Demandeurs_Emploi", nonnegative=True),
        }
    )
    rows = rows.drop_duplicates()
    keys = ["level", "code", "period"]
    conflicting = rows.duplicated(keys, keep=False)
    if conflicting.any():
        codes = sorted(rows.loc[conflicting, "code"].unique())
        warnings.warn(
            f"{path}: {len(codes)} code(s) carry two different values for the same month "
            f"({', '.join(codes[:10])}{', …' if len(codes) > 10 else ''}); those cells are NaN",
            BassinWarning,
            stacklevel=2,
        )
        rows.loc[conflicting, "value"] = float("nan")
        rows = rows.drop_duplicates(keys)
    rows["category"] = "ABC"
    result = rows[["level", "code", "period", "category", "value"]]
    result = result.sort_values(["level", "code", "period"], ignore_index=True)
    return validate("jobseekers_monthly", result, str(path))
