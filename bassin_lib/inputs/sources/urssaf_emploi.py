"""Urssaf: private-sector salaried jobs by employment zone (ZE2020), quarterly.

Dataset « Effectifs salariés et masse salariale du secteur privé par zone d'emploi » on
open.urssaf.fr. Quarterly since 1998 (ZE2020 codes since the 2021 releases), revised over the
whole series at each release; apprentices are counted from 2023-Q1.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd

from bassin_lib.errors import BassinWarning
from bassin_lib.inputs.schemas import validate
from bassin_lib.inputs.sources import LICENCE_ODBL, RemoteFile, Source
from bassin_lib.inputs.sources._cells import Table, data_error, sum_parts
from bassin_lib.inputs.sources._csv import decode, header, read_csv, separator_hint

SOURCE = Source(
    name="urssaf_emploi",
    title="Effectifs salariés et masse salariale du secteur privé par zone d'emploi",
    publisher="Urssaf",
    page=(
        "https://open.urssaf.fr/explore/dataset/"
        "effectifs-salaries-et-masse-salariale-du-secteur-prive-par-zone-demploi/"
    ),
    vintage="2025T4",
    # As the publisher states it on open.urssaf.fr and data.gouv.fr (dataset
    # 5eaa8ff4f3b39e025ceb753a): ODbL, not the Licence Ouverte.
    licence=LICENCE_ODBL,
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
    official = header(text, ";")
    if set(_OFFICIAL_REQUIRED) <= set(official):
        return "official ';' export", ";", _OFFICIAL_REQUIRED
    reduced = header(text, ",")
    if set(_REDUCED_REQUIRED) <= set(reduced) and "code_zone_d_emploi_regionalisee" not in reduced:
        return "reduced ',' layout", ",", _REDUCED_REQUIRED
    hints = separator_hint(text, ";", _OFFICIAL_REQUIRED) or separator_hint(
        text, ",", _REDUCED_REQUIRED
    )
    found = official if len(official) > 1 else reduced
    missing_official = [c for c in _OFFICIAL_REQUIRED if c not in found]
    missing_reduced = [c for c in _REDUCED_REQUIRED if c not in found]
    raise data_error(
        f"the header matches neither the official ';' export (needs {_OFFICIAL_REQUIRED}, "
        f"missing {missing_official}) nor the reduced ',' layout (needs {_REDUCED_REQUIRED}, "
        f"missing {missing_reduced}); found {found}{hints}",
        path,
        row=1,
    )


def _quarters(table: Table) -> pd.Series:
    """Quarterly periods from ``annee`` (4 digits) and ``trimestre`` (1, "T1", "1er trimestre")."""
    years = table.matching("annee", r"\d{4}", "a year (4 digits)")
    quarters = table.frame["trimestre"].str.extract(_QUARTER, expand=False)
    table.check(
        "trimestre",
        quarters.isna(),
        "a quarter: 1 to 4, 'T1' to 'T4' or '1er trimestre' to '4e trimestre'",
    )
    periods = pd.PeriodIndex.from_fields(
        year=years.astype(int).to_numpy(), quarter=quarters.astype(int).to_numpy(), freq="Q-DEC"
    )
    return pd.Series(periods, index=years.index)


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
        Naming the file and, where relevant, the row (line number; the header is row 1) and
        column: empty, binary or undecodable file, neither layout's header (with a hint when
        only the separator is wrong), a row with the wrong number of fields (truncated file), a
        year, quarter, zone code or figure that cannot be read, a negative figure, duplicated
        rows.

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
    - **A sum over a masked part is missing.** Masked cells (``*``, ``s``, ``nc``, empty…,
      any of :data:`~bassin_lib.inputs.sources._cells.MASKED_TOKENS`) are NaN, never 0,
      and a zone whose quarter has one masked part is NaN for that quarter and adjustment: the
      known parts alone would only be a lower bound.
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
    text = decode(path)
    layout, sep, required = _detect_layout(path, text)
    table = read_csv(path, text, sep=sep, required=required, layout=layout)

    frame = pd.DataFrame({"code": table.codes("code_zone_d_emploi", "zone")})
    frame["period"] = _quarters(table)
    for column in ADJUSTMENTS.values():
        frame[column] = table.floats(column, nonnegative=True)

    if sep == ";":
        parts = "code_zone_d_emploi_regionalisee"
        frame[parts] = table.frame[parts]
        table.check_unique(
            {"zone": frame["code"], "regional part": frame[parts], "quarter": frame["period"]},
            "zone, regional part and quarter",
        )
    else:
        parts = None
        table.check_unique(
            {
                "zone": frame["code"],
                "quarter": frame["period"],
                **{column: frame[column] for column in ADJUSTMENTS.values()},
                "masse_salariale_cvs": table.frame["masse_salariale_cvs"],
            },
            "regional part of a zone and quarter (parts differ in their figures; identical "
            "lines are a duplicate)",
        )
    _warn_missing_parts(path, frame, parts)

    zones = sum_parts(frame, ["code", "period"], list(ADJUSTMENTS.values()))
    result = zones.melt(
        id_vars=["code", "period"],
        value_vars=list(ADJUSTMENTS.values()),
        var_name="adjustment",
        value_name="value",
    )
    result["adjustment"] = result["adjustment"].map({v: k for k, v in ADJUSTMENTS.items()})
    result["level"] = "zone"
    result["sector"] = "TOTAL"
    result["value"] = result["value"].astype(float)
    result = result[["level", "code", "period", "sector", "adjustment", "value"]]
    result = result.sort_values(["code", "adjustment", "period"], ignore_index=True)
    return validate("employment", result, str(path))
