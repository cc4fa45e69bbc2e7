"""DARES: job seekers registered at France Travail, by employment zone.

:func:`read_zone_quarterly` reads the DARES dataset « Inscrits à France Travail par zone
d'emploi (trimestrielles, brutes) » (quarterly, raw data), served by data.gouv.fr as resource
``d723d37a-811a-40d9-991c-c7b587e2e4fa`` (:data:`SOURCE`). France Travail's monthly STMT
extract by commune, département and region is read by
:mod:`bassin_lib.inputs.sources.francetravail_stmt`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
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
    # DARES publishes on its portal and data.gouv.fr harvests it; the dataset id once declared
    # here appears in no public code, the data.gouv.fr resource does (1996-T1 to 2026-T1 in 2026,
    # the ';' header with French labels that read_zone_quarterly expects).
    page="https://data.dares.travail-emploi.gouv.fr/",
    vintage="2025T4",
    licence=LICENCE_ETALAB,
    files=(
        RemoteFile(
            name="dares_defm_zoneeemploi_brut_trim.csv",
            url="https://www.data.gouv.fr/fr/datasets/r/d723d37a-811a-40d9-991c-c7b587e2e4fa",
        ),
    ),
    note="data.gouv.fr resource replaced every quarter under the same address: a new release "
    "is refused as a changed checksum until 'fetch --update'",
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
    zones: Iterable[str] | None = None,
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
    zones : iterable of str, optional
        Codes of the zones of the référentiel (the ZE2020 zoning read from the composition):
        rows of any other code are left out and named in a warning. Without it every code must
        be a zone code of 4 characters.

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

    Warns
    -----
    BassinWarning
        With ``zones``, naming the codes of the file that are not zones of the référentiel.

    Notes
    -----
    - A user of the data.gouv.fr file counted 335 codes in it for the 306 zones: codes outside
      the zoning are left out with a warning (``zones``), never summed nor dropped silently. Codes ``RRXX`` where ``00XX`` is a trans-regional zone look
      like regional parts (INSEE codes the 28 regional parts of the 14 trans-regional zones so in
      its unemployment workbook); the warning says so.
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
    if zones is not None:
        table = _zones_only(table, zone_column, zones, path)
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


def _zones_only(table: Table, column: str, zones: Iterable[str], path: Path) -> Table:
    """The rows of the zones of the référentiel; the other codes are named in a warning."""
    known = set(zones)
    codes = pad_codes(table.frame[column], 4)
    outside = ~codes.isin(known)
    if not outside.any():
        return table
    others = sorted(codes[outside].unique())
    read = set(codes[~outside])
    parts = [c for c in others if re.fullmatch(r"\d{4}", c) and f"00{c[2:]}" in known]
    hint = ""
    if parts:
        orphans = sorted({f"00{c[2:]}" for c in parts} - read)
        hint = (
            f"; {len(parts)} of them look like regional parts of trans-regional zones (region "
            "code + the zone's last two digits)"
            + (
                f", and zone(s) {', '.join(orphans)} have no row of their own"
                if orphans
                else ", whose zones are read under their own code"
            )
        )
    shown = ", ".join(others[:12]) + (", …" if len(others) > 12 else "")
    warnings.warn(
        f"{path}: {len(others)} code(s) of the column '{column}' are not zones of the zoning and "
        f"are left out ({int(outside.sum())} rows): {shown}{hint}",
        BassinWarning,
        stacklevel=3,
    )
    return table.rows(~outside)
