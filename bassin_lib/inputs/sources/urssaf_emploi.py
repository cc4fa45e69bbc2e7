"""Urssaf: private-sector salaried jobs by employment zone (ZE2020), quarterly.

Dataset « Effectifs salariés et masse salariale du secteur privé par zone d'emploi » on
open.urssaf.fr. Quarterly since 1998 (ZE2020 codes since the 2021 releases), revised over the
whole series at each release; apprentices are counted from 2023-Q1.

This module also holds the small CSV helpers (decoding, strict row widths, counts, masked
cells, codes that lost their leading zeros) used by the other Urssaf / DARES / France Travail
readers (:mod:`~bassin_lib.inputs.sources.dares_demandeurs`, :mod:`~bassin_lib.inputs.sources.dares_interim`,
:mod:`~bassin_lib.inputs.sources.francetravail_bmo`).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd

from bassin_lib.errors import BassinWarning, DataFormatError
from bassin_lib.inputs.schemas import validate
from bassin_lib.inputs.sources import LICENCE_ETALAB, RemoteFile, Source
from bassin_lib.inputs.sources._csv import (
    _check_pattern,
    _counts,
    _decode,
    _duplicates_error,
    _first,
    _header,
    _pad_codes,
    _read_csv,
    _separator_hint,
    _sum_parts,
)

SOURCE = Source(
    name="urssaf_emploi",
    title="Effectifs salariés et masse salariale du secteur privé par zone d'emploi",
    publisher="Urssaf",
    page=(
        "https://open.urssaf.fr/explore/dataset/"
        "effectifs-salaries-et-masse-salariale-du-secteur-prive-par-zone-demploi/"
    ),
    vintage="2025T4",
    licence=LICENCE_ETALAB,
    files=(
        RemoteFile(
            name="effectifs-salaries-et-masse-salariale-du-secteur-prive-par-zone-demploi.csv",
            url=(
                "https://open.urssaf.fr/api/explore/v2.1/catalog/datasets/"
                "effectifs-salaries-et-masse-salariale-du-secteur-prive-par-zone-demploi/"
                "exports/csv?delimiter=%3B"
            ),
        ),
    ),
)

#: Columns of the official ``;`` export, in the publisher's order.
OFFICIAL_COLUMNS = [
    "libelle_zone_d_emploi",
    "zone_d_emploi",
    "region",
    "ancienne_region",
    "libelle_zone_d_emploi_reg",
    "zone_d_emploi_regionalisee",
    "annee",
    "trimestre",
    "dernier_jour_du_trimestre",
    "code_region",
    "code_ancienne_region",
    "code_zone_d_emploi",
    "code_zone_d_emploi_regionalisee",
    "effectifs_salaries_brut",
    "effectifs_salaries_cvs",
    "masse_salariale_brut",
    "masse_salariale_cvs",
]
#: Columns of the reduced ``,`` copy (labels and region columns dropped).
REDUCED_COLUMNS = [
    "annee",
    "trimestre",
    "code_zone_d_emploi",
    "effectifs_salaries_brut",
    "effectifs_salaries_cvs",
    "masse_salariale_cvs",
]
#: Columns :func:`read` needs in each layout.
_OFFICIAL_REQUIRED = [
    "annee",
    "trimestre",
    "code_zone_d_emploi",
    "code_zone_d_emploi_regionalisee",
    "effectifs_salaries_brut",
    "effectifs_salaries_cvs",
]
_REDUCED_REQUIRED = REDUCED_COLUMNS
ADJUSTMENTS = {"brut": "effectifs_salaries_brut", "cvs": "effectifs_salaries_cvs"}
_QUARTER = re.compile(
    r"^(?:T|Q)?\s*([1-4])\s*(?:er|e|ème|eme|nd)?(?:\s+trimestre)?$", re.IGNORECASE
)


# --- Urssaf reader -----------------------------------------------------------------------------


def _detect_layout(path: Path, text: str) -> tuple[str, str, list[str]]:
    """(layout name, separator, required columns) from the header line."""
    official = _header(text, ";")
    if set(_OFFICIAL_REQUIRED) <= set(official):
        return "official ';' export", ";", _OFFICIAL_REQUIRED
    reduced = _header(text, ",")
    if set(_REDUCED_REQUIRED) <= set(reduced) and "code_zone_d_emploi_regionalisee" not in reduced:
        return "reduced ',' layout", ",", _REDUCED_REQUIRED
    hints = _separator_hint(text, ";", _OFFICIAL_REQUIRED) or _separator_hint(
        text, ",", _REDUCED_REQUIRED
    )
    found = official if len(official) > 1 else reduced
    missing_official = [c for c in _OFFICIAL_REQUIRED if c not in found]
    missing_reduced = [c for c in _REDUCED_REQUIRED if c not in found]
    raise DataFormatError(
        f"{path}: line 1 (header) matches neither the official ';' export (needs "
        f"{_OFFICIAL_REQUIRED}, missing {missing_official}) nor the reduced ',' layout (needs "
        f"{_REDUCED_REQUIRED}, missing {missing_reduced}); found {found}{hints}"
    )


def _quarters(frame: pd.DataFrame, path: Path) -> pd.PeriodIndex:
    """Quarterly periods from ``annee`` (4 digits) and ``trimestre`` (1, "T1", "1er trimestre")."""
    years = frame["annee"]
    _check_pattern(frame, "annee", years, r"\d{4}", path, "a year (4 digits)")
    quarters = frame["trimestre"].str.extract(_QUARTER, expand=False)
    bad = quarters.isna()
    if bad.any():
        row = _first(frame, bad)
        raise DataFormatError(
            f"{path}: line {row['_line']}, column 'trimestre': {row['trimestre']!r} is not a "
            f"quarter (expected 1 to 4, 'T1' to 'T4' or '1er trimestre' to '4e trimestre'); "
            f"{int(bad.sum())} such cell(s)"
        )
    return pd.PeriodIndex.from_fields(
        year=years.astype(int).to_numpy(), quarter=quarters.astype(int).to_numpy(), freq="Q-DEC"
    )


def _warn_missing_parts(path: Path, frame: pd.DataFrame, parts: str | None) -> None:
    """Warn when a zone has fewer regional parts in some quarters than in others."""
    grouped = frame.groupby(["code", "period"], sort=False)
    counts = grouped[parts].nunique() if parts else grouped.size()
    by_zone = counts.groupby(level="code")
    fewest, most = by_zone.min(), by_zone.max()
    uneven = most[fewest < most].index
    if len(uneven) == 0:
        return
    details = ", ".join(
        f"{zone} ({int((counts.loc[zone] < most[zone]).sum())} of {len(counts.loc[zone])} "
        f"quarters with fewer than {most[zone]} parts)"
        for zone in list(uneven)[:5]
    )
    warnings.warn(
        f"{path}: regional parts absent in some quarters for zone(s) {details}"
        + (f" and {len(uneven) - 5} more" if len(uneven) > 5 else "")
        + "; those quarters sum the parts present only (an absent part may have no job, or be "
        "missing from the file)",
        BassinWarning,
        stacklevel=3,
    )


def read(path: str | Path) -> pd.DataFrame:
    """Read the Urssaf zone file into the canonical ``employment`` table.

    Parameters
    ----------
    path : str or Path
        Either the official export (``;``-separated, columns :data:`OFFICIAL_COLUMNS`), or the
        reduced copy (``,``-separated, columns :data:`REDUCED_COLUMNS`). The layout is detected
        from the header line.

    Returns
    -------
    DataFrame
        Canonical ``employment`` table: ``level`` ``"zone"``, ``code`` the 4-character zone code
        (trans-regional zones under their ``00xx`` code), ``period`` quarterly, ``sector``
        ``"TOTAL"``, ``adjustment`` ``"brut"`` (from ``effectifs_salaries_brut``) or ``"cvs"``
        (from ``effectifs_salaries_cvs``), ``value`` private salaried jobs at the end of the
        quarter. Wage bills are not read.

    Raises
    ------
    DataFormatError
        Naming the file and, where relevant, the line (the header is line 1) and column: empty,
        binary or undecodable file, neither layout's header (with a hint when only the
        separator is wrong), a row with the wrong number of fields (truncated file), a year,
        quarter, zone code or figure that cannot be read, a negative figure, duplicated rows.

    Warns
    -----
    BassinWarning
        When a zone has fewer regional parts in some quarters than in others (the sum then
        covers the parts present only). In the 2012-2025 reduced copy, zone 2711 (Dijon) lacks
        its second, very small part (17 jobs) from 2019-Q1 to 2021-Q4.

    Notes
    -----
    - **Regional parts are summed.** A zone straddling two (former) regions appears once per
      regional part in the same quarter; the zone is the sum of its parts. In the official
      export the parts are told apart by ``code_zone_d_emploi_regionalisee``, and a repeated
      (zone, part, quarter) is an error. The reduced copy has no part column, so every row of a
      zone and quarter is a part, except a line identical in all six fields to another one,
      which is reported as a duplicated row (two parts never share both job counts and the
      wage bill).
    - **A sum over a masked part is missing.** Masked cells (``*``, ``s``, ``secret``, ``nd``,
      empty) are NaN, never 0, and a zone whose quarter has one masked part is NaN for that
      quarter and adjustment: the known parts alone would only be a lower bound.
    - **Codes that lost their leading zeros are restored.** A purely numeric code of 1 to 3
      digits is zero-padded to 4 (``"51"`` → ``"0051"``, ``"101"`` → ``"0101"``): it is what a
      spreadsheet does to a 4-character code, and no ZE2020 code is shorter. Any other code
      that is not 4 digits is an error.
    - ``trimestre`` may be ``1``..``4``, ``"T1"``..``"T4"`` (or ``"Q1"``), or
      ``"1er trimestre"``, ``"2e trimestre"``, ``"3ème trimestre"``… (case-insensitive).
    - Text is read as UTF-8 (BOM optional); a file re-saved by a spreadsheet as Windows-1252
      (Latin-1) is decoded as such. Thousands separators (spaces) are accepted in figures.

    Examples
    --------
    >>> table = read("data/raw/urssaf_emploi/2025T4/effectifs.csv")  # doctest: +SKIP
    >>> table.query("code == '2705' and adjustment == 'cvs'").tail(1)  # doctest: +SKIP
    """
    path = Path(path)
    text = _decode(path)
    layout, sep, required = _detect_layout(path, text)
    frame = _read_csv(path, text, sep=sep, required=required, layout=layout)

    codes = _pad_codes(frame["code_zone_d_emploi"], 4)
    _check_pattern(frame, "code_zone_d_emploi", codes, r"\d{4}", path, "a zone code (4 digits)")
    frame["code"] = codes
    frame["period"] = _quarters(frame, path)
    for column in ADJUSTMENTS.values():
        frame[column] = _counts(frame, column, path, what="a number of jobs")

    if sep == ";":
        parts = "code_zone_d_emploi_regionalisee"
        _duplicates_error(
            path,
            frame,
            ["code", parts, "period"],
            "the same zone, regional part and quarter",
        )
    else:
        parts = None
        _duplicates_error(
            path,
            frame,
            ["code", "period", *ADJUSTMENTS.values(), "masse_salariale_cvs"],
            "identical lines; regional parts of a zone differ in their figures",
        )
    _warn_missing_parts(path, frame, parts)

    zones = _sum_parts(frame, ["code", "period"], list(ADJUSTMENTS.values()))
    table = zones.melt(
        id_vars=["code", "period"],
        value_vars=list(ADJUSTMENTS.values()),
        var_name="adjustment",
        value_name="value",
    )
    table["adjustment"] = table["adjustment"].map({v: k for k, v in ADJUSTMENTS.items()})
    table["level"] = "zone"
    table["sector"] = "TOTAL"
    table["value"] = table["value"].astype(float)
    table = table[["level", "code", "period", "sector", "adjustment", "value"]]
    table = table.sort_values(["code", "adjustment", "period"], ignore_index=True)
    return validate("employment", table, str(path))
