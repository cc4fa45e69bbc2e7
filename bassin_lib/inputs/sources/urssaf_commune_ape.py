"""Urssaf: private establishments and salaried jobs by commune × APE code, annual at 31 December.

Dataset « Établissements et effectifs salariés du secteur privé au niveau commune × APE »
(``etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last``) on open.urssaf.fr: for
every commune and every APE code (NAF rév. 2 sub-class) with private employer establishments,
the number of establishments and of salaried jobs at 31 December of each year since 2006.
Scope: private employers of the general scheme (« régime général »). The number of
establishments counts the contribution accounts with a wage bill declared in December.

APE 7820Z (« Activités des agences de travail temporaire ») holds the temporary workers, counted
in the commune of the agency that employs them, not where they work.

Official layout
---------------
The export of the portal with column labels (``use_labels=true``): ``;``-separated, UTF-8 with
a BOM, CRLF line ends, quoted labels, 53 columns:

- labels: ``Région``, ``Ancienne région``, ``Département``, ``Zone d'emploi``, ``EPCI``,
  ``Nom commune``, ``Commune``, ``Grand secteur d'activité``, ``Secteur NA17``,
  ``Secteur NA38``, ``Secteur NA88``, ``APE``; a sector label starts with its code
  (``"FZ Construction"``, ``"43 Travaux de construction spécialisés"``,
  ``"4399A Travaux d'étanchéification"``);
- codes: ``Code région``, ``Code ancienne région``, ``Code département``,
  ``Code zone d'emploi``, ``Code EPCI``, ``Code commune``, ``Code APE``;
- figures: ``Nombre d'établissements YYYY`` and ``Effectifs salariés YYYY`` for each year
  (2006 … 2022 in the release read by this project).

The national file has this layout for every commune of France; an export filtered on the portal
(one zone, one département) has it too, for fewer communes.
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from pathlib import Path

import pandas as pd

from bassin_lib.errors import BassinWarning
from bassin_lib.inputs.schemas import APE_NOMENCLATURES, validate
from bassin_lib.inputs.sources import RemoteFile, Source
from bassin_lib.inputs.sources._cells import Table, data_error
from bassin_lib.inputs.sources._csv import decode, read_csv

DATASET_ID = "etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last"
LICENCE = "licence indiquée par l'Urssaf sur open.urssaf.fr"
"""The project could not establish the licence this dataset is published under (data.gouv.fr
shows the ODbL for several other Urssaf datasets): the publisher's page is the reference."""

SOURCE = Source(
    name="urssaf_commune_ape",
    title="Établissements et effectifs salariés du secteur privé au niveau commune × APE",
    publisher="Urssaf",
    page=f"https://open.urssaf.fr/explore/dataset/{DATASET_ID}/",
    vintage="2022",
    licence=LICENCE,
    files=(
        RemoteFile(
            name=f"{DATASET_ID}.csv",
            url=(
                f"https://open.urssaf.fr/api/explore/v2.1/catalog/datasets/{DATASET_ID}/"
                "exports/csv?delimiter=%3B&use_labels=true"
            ),
        ),
    ),
)

ZONE_COLUMN = "Code zone d'emploi"
COMMUNE_COLUMN = "Code commune"
APE_COLUMN = "Code APE"
#: Label column of each nomenclature; the code is the label's first word.
SECTOR_COLUMNS = {
    "NA17": "Secteur NA17",
    "NA38": "Secteur NA38",
    "NA88": "Secteur NA88",
    "APE": "APE",
}
#: Pattern of the codes of each nomenclature (``"C1"``, ``"CA"``, ``"43"``, ``"4399A"``).
CODE_PATTERNS = {
    "NA17": r"[A-Z][A-Z0-9]",
    "NA38": r"[A-Z]{2}",
    "NA88": r"\d{2}",
    "APE": r"\d{4}[A-Z]",
}
#: Canonical measure ← first words of a figure column (the year follows).
MEASURES = {"establishments": "Nombre d'établissements", "employees": "Effectifs salariés"}
REQUIRED = [ZONE_COLUMN, COMMUNE_COLUMN, APE_COLUMN, *SECTOR_COLUMNS.values()]
LAYOUT = "Urssaf commune × APE export"
INTERIM_APE = "7820Z"
"""APE code of the temporary-work agencies, whose employees are the temporary workers."""


def source(vintage: str) -> Source:
    """:data:`SOURCE` with another vintage: the last year a file holds (``"2022"``)."""
    return dataclasses.replace(SOURCE, vintage=str(vintage))


def read(path: str | Path, communes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read the Urssaf commune × APE export into the canonical ``employment_ape`` table.

    Same as :func:`read_with_labels`, without the labels.
    """
    return read_with_labels(path, communes)[0]


def read_with_labels(
    path: str | Path, communes: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, dict[str, dict[str, str]]]:
    """Read the Urssaf commune × APE export: the canonical ``employment_ape`` table of the zones,
    and the sector labels it gives, in one pass.

    Parameters
    ----------
    path : str or Path
        The national export (``etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last
        .csv``) or an extract of it in the same layout (module docstring).
    communes : DataFrame, optional
        The commune → zone composition (:func:`bassin_lib.inputs.sources.insee_ze2020.
        read_composition`), against which the export's zone codes are checked (Notes).

    Returns
    -------
    table : DataFrame
        Canonical ``employment_ape`` table (:mod:`bassin_lib.inputs.schemas`), one row per zone ×
        year × nomenclature × sector × measure for the sectors present in the zone's rows:
        ``level`` ``"zone"``, ``code`` the ZE2020 code, ``period`` yearly (at 31 December),
        ``nomenclature`` ``"NA17"``, ``"NA38"``, ``"NA88"`` or ``"APE"``, ``sector`` the code in
        that nomenclature (``"FZ"``, ``"43"``, ``"4399A"``), ``measure`` ``"establishments"`` or
        ``"employees"``, ``value`` the sum over the zone's communes (NaN when every cell is
        blank); plus a boolean ``lower_bound`` column (Notes), which the cube keeps.
    labels : dict
        ``{nomenclature: {code: French label}}`` from the label columns (``labels["NA38"]["FZ"]
        == "Construction"``), the first letter capitalised; for a code written with two labels,
        the first one in the file.

    Raises
    ------
    DataFormatError
        Naming the file, the row (its line number; the header is row 1) and the column: empty,
        binary or undecodable file, missing column, a year with only one of its two figure
        columns, no year at all, a row of the wrong width, a malformed zone, commune or APE
        code, a sector label that does not start with its code (or an APE label whose code is
        not the row's ``Code APE``), a figure that is neither a number nor blank, a negative
        figure, a commune and APE code given twice, or (with ``communes``) a zone code that is
        not a ZE2020 zone for a commune the composition does not know.

    Warns
    -----
    BassinWarning
        When communes of the export sit in another zone, or are unknown to, the composition.

    Notes
    -----
    - **Blank cells.** A blank figure means « no establishment that year, or not published »;
      the export does not tell which (38 % of the 2022 cells of the Rouen extract are blank,
      nearly always both figures of the year together, i.e. no establishment). A blank is NaN,
      never 0. A zone's figure is the sum over its communes' rows of the sector
      ``S_z = Σ_c x_c`` over the numbers present: when some cells are blank and others are
      numbers it is a **lower bound** (``lower_bound`` true: the blanks may hide jobs); when all
      are blank it is **missing** (NaN, never 0).
    - **Zones.** Communes are summed into the zone the export gives (``Code zone d'emploi``).
      With ``communes``, that code is checked against the commune's zone in the composition:
      where they differ, the export's code is kept (it places the commune as Urssaf does) and a
      warning lists the communes; where the export's code is not a zone of the composition at
      all, the commune's zone in the composition is used (warned too); a commune unknown to
      the composition keeps the export's zone when that zone exists, else it is an error.
    - Codes that lost their leading zeros are zero-padded (``"1001"`` → ``"01001"``).

    Examples
    --------
    >>> table, labels = read_with_labels("urssaf_commune_ape.csv", communes)  # doctest: +SKIP
    >>> table.query("nomenclature == 'APE' and sector == '7820Z' and measure == 'employees'")
    """
    path = Path(path)
    table = read_csv(path, decode(path), sep=";", required=REQUIRED, layout=LAYOUT)
    figures = _figure_columns(path, table)
    zone = table.codes(ZONE_COLUMN, "zone")
    commune = table.codes(COMMUNE_COLUMN, "commune")
    ape = table.matching(
        APE_COLUMN, CODE_PATTERNS["APE"], "an APE code: 4 digits and a letter, such as '7820Z'"
    )
    table.check_unique({"commune": commune, "APE code": ape}, "commune and APE code")
    sectors, labels = _sectors(table, ape)
    if communes is not None:
        zone = _check_zones(table, zone, commune, communes)

    keys = list(figures)  # (measure, year); the frame's columns are their positions
    wide = pd.DataFrame(
        {i: table.floats(figures[key], nonnegative=True) for i, key in enumerate(keys)}
    )
    positions = list(range(len(keys)))
    parts = []
    for nomenclature, codes in sectors.items():
        grouped = wide.groupby([zone.rename("code"), codes.rename("sector")], sort=True)
        sums = grouped[positions].sum(min_count=1)
        present = grouped[positions].count()
        lower = present.lt(grouped.size(), axis=0) & present.gt(0)
        long = sums.stack(future_stack=True).rename("value").to_frame()
        long["lower_bound"] = lower.stack(future_stack=True)
        long = long.rename_axis(["code", "sector", "key"]).reset_index()
        long["nomenclature"] = nomenclature
        parts.append(long)
    result = pd.concat(parts, ignore_index=True)
    measure, year = zip(*(keys[i] for i in result["key"]), strict=True)
    result["measure"] = list(measure)
    result["period"] = pd.PeriodIndex([str(y) for y in year], freq="Y")
    result["level"] = "zone"
    result["value"] = result["value"].astype(float)
    result = result.sort_values(
        ["code", "nomenclature", "sector", "measure", "period"],
        key=lambda c: c.map(APE_NOMENCLATURES.index) if c.name == "nomenclature" else c,
        ignore_index=True,
    )
    flags = result["lower_bound"].astype(bool)
    columns = ["level", "code", "period", "nomenclature", "sector", "measure", "value"]
    out = validate("employment_ape", result[columns], str(path))
    out["lower_bound"] = flags.loc[out.index].to_numpy()
    return out.reset_index(drop=True), labels


def _figure_columns(path: Path, table: Table) -> dict[tuple[str, int], str]:
    """``{(measure, year): column}`` of the figure columns, both measures for every year."""
    found: dict[tuple[str, int], str] = {}
    for measure, prefix in MEASURES.items():
        pattern = re.compile(rf"{re.escape(prefix)} (\d{{4}})")
        for column in table.frame.columns:
            if match := pattern.fullmatch(column):
                found[(measure, int(match.group(1)))] = column
    years = sorted({year for _, year in found})
    if not years:
        raise data_error(
            f"no figure column; expected '{MEASURES['establishments']} YYYY' and "
            f"'{MEASURES['employees']} YYYY' for each year ({LAYOUT})",
            path,
            row=1,
        )
    for year in years:
        for measure, prefix in MEASURES.items():
            if (measure, year) not in found:
                other = next(m for m in MEASURES if m != measure)
                raise data_error(
                    f"column '{prefix} {year}' is missing while "
                    f"'{found[(other, year)]}' is there; expected both figures of every year",
                    path,
                    row=1,
                )
    return {(measure, year): found[(measure, year)] for year in years for measure in MEASURES}


def _sectors(table: Table, ape: pd.Series) -> tuple[dict[str, pd.Series], dict]:
    """Sector code of every row in each nomenclature, and ``{nomenclature: {code: label}}``."""
    sectors: dict[str, pd.Series] = {}
    labels: dict[str, dict[str, str]] = {}
    for nomenclature, column in SECTOR_COLUMNS.items():
        pattern = CODE_PATTERNS[nomenclature]
        parts = table.frame[column].str.extract(rf"^({pattern})\s+(\S.*)$")
        table.check(
            column,
            parts[0].isna(),
            f"a {nomenclature} code ({pattern}) followed by its label, such as "
            f"{_EXAMPLES[nomenclature]!r}",
        )
        if nomenclature == "APE":
            table.check(
                column,
                parts[0] != ape,
                lambda row: f"a label starting with the row's {APE_COLUMN} {ape.loc[row]!r}",
            )
        codes = parts[0]
        sectors[nomenclature] = codes
        first = parts.drop_duplicates(subset=0)
        labels[nomenclature] = {
            code: text[:1].upper() + text[1:] for code, text in zip(first[0], first[1], strict=True)
        }
    return sectors, labels


_EXAMPLES = {
    "NA17": "FZ Construction",
    "NA38": "FZ Construction",
    "NA88": "43 Travaux de construction spécialisés",
    "APE": "4399A Travaux d'étanchéification",
}


def _check_zones(
    table: Table, zone: pd.Series, commune: pd.Series, communes: pd.DataFrame
) -> pd.Series:
    """The export's zone codes, checked against the composition (rules in :func:`read_with_labels`)."""
    composition = communes.drop_duplicates("commune").set_index("commune")["zone"]
    theirs = commune.map(composition)
    known_zone = zone.isin(set(composition))
    table.check(
        ZONE_COLUMN,
        ~known_zone & theirs.isna(),
        lambda row: (
            f"a ZE2020 zone code of the composition (commune {commune.loc[row]!r} is not in the "
            "composition either)"
        ),
    )
    moved = ~known_zone & theirs.notna()
    differ = known_zone & theirs.notna() & (theirs != zone)
    unknown = theirs.isna()
    notes = []
    for mask, what in (
        (differ, "in another zone than in the composition (the export's zone is kept)"),
        (moved, "with a zone code that is not a ZE2020 zone (the composition's zone is used)"),
        (unknown, "unknown to the composition (the export's zone is kept)"),
    ):
        if mask.any():
            pairs = (
                pd.DataFrame({"commune": commune[mask], "zone": zone[mask], "theirs": theirs[mask]})
                .drop_duplicates("commune")
                .head(5)
            )
            shown = ", ".join(
                f"{r.commune} (export {r.zone}"
                + (f", composition {r.theirs}" if isinstance(r.theirs, str) else "")
                + ")"
                for r in pairs.itertuples()
            )
            n = commune[mask].nunique()
            notes.append(f"{n} commune(s) {what}: {shown}" + (" …" if n > 5 else ""))
    if notes:
        warnings.warn(f"{table.source}: " + "; ".join(notes), BassinWarning, stacklevel=3)
    return zone.where(~moved, theirs)
