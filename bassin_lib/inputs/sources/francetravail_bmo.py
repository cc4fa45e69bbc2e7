"""France Travail: « Besoins en main-d'œuvre » (BMO) survey, yearly, by BMO employment basin.

The BMO survey counts the hiring projects employers declare for the year, by occupation (FAP
code) and by *bassin d'emploi BMO*. These basins are France Travail's own zoning, not INSEE
zones d'emploi: :func:`read_basin_communes` reads the commune → basin table and
:func:`basin_zone_crosswalk` builds the approximate basin → zone shares through communes
(:data:`CROSSWALK_NOTE` says so in French for reports).
"""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from bassin_lib.errors import BassinWarning, DataFormatError, ParameterError
from bassin_lib.inputs.schemas import validate
from bassin_lib.inputs.sources import LICENCE_ETALAB, RemoteFile, Source
from bassin_lib.inputs.sources._csv import (
    MASKED_TOKENS,
    _check_pattern,
    _decode,
    _duplicates_error,
    _pad_codes,
    _read_csv,
    _sum_parts,
)

SOURCE = Source(
    name="francetravail_bmo",
    title="Enquête Besoins en main-d'œuvre (BMO)",
    publisher="France Travail",
    page="https://statistiques.francetravail.org/bmo",
    vintage="2024",
    licence=LICENCE_ETALAB,
    files=(
        RemoteFile(
            name="Base_open_data_BMO_2024.xlsx",
            url="https://www.data.gouv.fr/fr/datasets/r/4319f5e8-a8e6-476c-8da0-c0d3439ebb55",
            sha256="12983d7415493635e4e04bb1504f464ddbc3521c5e605d99010af1011e570ff1",
        ),
    ),
)

CROSSWALK_NOTE = (
    "Les bassins d'emploi de l'enquête BMO ne sont pas des zones d'emploi de l'Insee : les "
    "projets de recrutement sont attribués aux zones d'emploi au prorata des communes (ou de "
    "la population) de chaque bassin situées dans la zone, ce qui reste une approximation."
)

SHEET = re.compile(r"^BMO_(\d{4})_open_data$")
#: Measure of the canonical table ← column of the sheet.
MEASURES = {"projects": "met", "difficult": "xmet", "seasonal": "smet"}
_OCCUPATION = "Code métier BMO"
_OCCUPATION_LABEL = "Nom métier BMO"
_FAMILY = "Famille_met"
_FAMILY_LABEL = "Lbl_fam_met"
_BASIN = re.compile(r"^BE\d{2}$")
BASIN_COMMUNE_COLUMNS = ["reg", "dep", "codgeo", "codbe", "libbe"]


def _open_sheet(path: Path):
    """The ``BMO_AAAA_open_data`` worksheet of the workbook (read-only) and its name."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise DataFormatError(f"{path}: no such file") from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DataFormatError(
            f"{path}: not a readable xlsx workbook ({type(exc).__name__}: {exc}); expected "
            "France Travail's Base_open_data_BMO_AAAA.xlsx"
        ) from None
    names = [name for name in workbook.sheetnames if SHEET.match(name.strip())]
    if len(names) != 1:
        found = workbook.sheetnames
        workbook.close()
        raise DataFormatError(
            f"{path}: expected exactly one sheet named BMO_AAAA_open_data (AAAA the survey "
            f"year), found sheets {found}"
        )
    return workbook, workbook[names[0]], names[0]


def _parse_measure(value, sheet: str, row: int, column: str, path: Path) -> float:
    """One met/xmet/smet cell: a count, or NaN when masked (``*``) or empty."""
    if value is None:
        return np.nan
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if np.isfinite(number) and number >= 0:
            return number
    elif isinstance(value, str):
        text = str(value).strip()
        if text.casefold() in MASKED_TOKENS:
            return np.nan
        cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
        if re.fullmatch(r"\d+(?:[.,]\d+)?", cleaned):
            return float(cleaned.replace(",", "."))
    raise DataFormatError(
        f"{path}: sheet {sheet!r}, row {row}, column {column!r}: {value!r} is not a count of "
        "hiring projects (expected a number ≥ 0, or '*' for a masked figure)"
    )


def _basin_code(value, sheet: str, row: int, column: str, path: Path) -> str:
    """BMO basin code as a string without leading zeros (``101``, ``"2733"``)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if value is not None else ""
    if not re.fullmatch(r"\d{1,5}", text) or int(text) == 0:
        raise DataFormatError(
            f"{path}: sheet {sheet!r}, row {row}, column {column!r}: {value!r} is not a BMO "
            "basin code (expected 3 or 4 digits, e.g. 2733)"
        )
    return str(int(text))


def read(path: str | Path) -> pd.DataFrame:
    """Read a BMO open-data workbook into the canonical ``recruitment_bmo`` table.

    See :func:`read_with_occupations` for the layout, the returned table and the errors.
    """
    return read_with_occupations(path)[0]


def read_with_occupations(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a BMO open-data workbook: the canonical ``recruitment_bmo`` table, and the
    occupations it names (``occupation``, ``occupation_label``, ``family``, ``family_label``)
    in the same pass.

    Parameters
    ----------
    path : str or Path
        ``Base_open_data_BMO_AAAA.xlsx``; the sheet ``BMO_AAAA_open_data`` has its header on
        row 1: ``annee``, ``Code métier BMO``, ``Nom métier BMO``, ``Famille_met``,
        ``Lbl_fam_met``, ``REG``, ``NOM_REG``, ``Dept``, ``NomDept``, ``BEyy`` (basin code, ``yy``
        the zoning year: ``BE24`` in 2024), ``NOMBEyy``, ``met``, ``xmet``, ``smet``.

    Returns
    -------
    DataFrame
        Canonical ``recruitment_bmo`` table: ``level`` ``"bmo_basin"``, ``code`` the basin code
        as a string (``"2733"`` Belfort, ``"101"`` Basse-Terre), ``period`` yearly (``annee``),
        ``occupation`` the BMO occupation (FAP) code (``"A0X40"``), ``measure``
        ``"projects"`` (``met``, hiring projects), ``"difficult"`` (``xmet``, judged difficult)
        or ``"seasonal"`` (``smet``), ``value`` (NaN where masked).

    Raises
    ------
    DataFormatError
        Naming the file, sheet, row and column: not an xlsx workbook, no (or several)
        ``BMO_AAAA_open_data`` sheet, missing column, a year, basin code or count that cannot
        be read, a negative count, the same occupation, basin and département twice.

    Notes
    -----
    - ``*`` marks a figure masked for statistical secrecy: it is NaN, never 0, so sums over
      occupations are lower bounds.
    - **Basins straddling départements are summed.** A basin over several départements
      appears once per département (24 basins in 2024, e.g. 104 Îles du Nord, 971/978; 2708
      over 21/71); its figure is the sum of the parts, NaN when one part is masked (the known
      parts would only be a lower bound).
    - The workbook is read with openpyxl in read-only mode (about 3 s for the 53,000 rows of
      2024).
    """
    path = Path(path)
    workbook, sheet, sheet_name = _open_sheet(path)
    try:
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        names = [str(name).strip() if name is not None else "" for name in header or ()]
        basin_columns = [name for name in names if _BASIN.match(name)]
        required = ["annee", _OCCUPATION, "Dept", *MEASURES.values()]
        missing = [name for name in required if name not in names]
        if missing or len(basin_columns) != 1:
            what = missing + ([] if len(basin_columns) == 1 else ["BEyy (basin code)"])
            raise DataFormatError(
                f"{path}: sheet {sheet_name!r}, row 1 (header): missing column(s) {what}; "
                f"found {names}"
            )
        basin_column = basin_columns[0]
        index = {name: names.index(name) for name in [*required, basin_column]}
        label_columns = [_OCCUPATION_LABEL, _FAMILY, _FAMILY_LABEL]
        label_index = [names.index(c) if c in names else None for c in label_columns]
        occupations: dict[str, tuple] = {}
        records = []
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            year = values[index["annee"]]
            if isinstance(year, float) and year.is_integer():
                year = int(year)
            if not re.fullmatch(r"\d{4}", str(year).strip()):
                raise DataFormatError(
                    f"{path}: sheet {sheet_name!r}, row {number}, column 'annee': {year!r} is "
                    "not a year (4 digits)"
                )
            occupation = values[index[_OCCUPATION]]
            occupation = str(occupation).strip() if occupation is not None else ""
            if not occupation:
                raise DataFormatError(
                    f"{path}: sheet {sheet_name!r}, row {number}, column {_OCCUPATION!r}: empty "
                    "occupation code (expected a FAP code such as A0X40)"
                )
            if occupation not in occupations:
                occupations[occupation] = tuple(
                    "" if i is None or values[i] is None else str(values[i]).strip()
                    for i in label_index
                )
            records.append(
                (
                    number,
                    str(year).strip(),
                    occupation,
                    _basin_code(
                        values[index[basin_column]], sheet_name, number, basin_column, path
                    ),
                    str(values[index["Dept"]] or "").strip(),
                    *(
                        _parse_measure(values[index[c]], sheet_name, number, c, path)
                        for c in MEASURES.values()
                    ),
                )
            )
    finally:
        workbook.close()
    if not records:
        raise DataFormatError(f"{path}: sheet {sheet_name!r} has a header but no data rows")
    frame = pd.DataFrame(
        records, columns=["_line", "year", "occupation", "code", "dept", *MEASURES]
    )
    years = frame["year"].astype(int).to_numpy()
    frame["period"] = pd.PeriodIndex.from_fields(
        year=years, month=np.ones_like(years), freq="Y-DEC"
    )
    _duplicates_error(
        path,
        frame,
        ["period", "occupation", "code", "dept"],
        "same year, occupation, basin and département",
        where=f"in sheet {sheet_name!r}, rows",
    )
    basins = _sum_parts(frame, ["code", "period", "occupation"], list(MEASURES))
    table = basins.melt(
        id_vars=["code", "period", "occupation"],
        value_vars=list(MEASURES),
        var_name="measure",
        value_name="value",
    )
    table["level"] = "bmo_basin"
    table["value"] = table["value"].astype(float)
    table = table[["level", "code", "period", "occupation", "measure", "value"]]
    table = table.sort_values(["code", "occupation", "measure", "period"], ignore_index=True)
    labels = pd.DataFrame(
        [(code, *names_) for code, names_ in sorted(occupations.items())],
        columns=["occupation", "occupation_label", "family", "family_label"],
    )
    return validate("recruitment_bmo", table, str(path)), labels


def read_basin_communes(path: str | Path) -> pd.DataFrame:
    """Read France Travail's commune → BMO basin table (France_Travail_Bassin_Emploi_2021.csv).

    Parameters
    ----------
    path : str or Path
        ``,``-separated, UTF-8 with BOM, columns ``reg``, ``dep``, ``codgeo`` (commune),
        ``codbe`` (basin code), ``libbe`` (basin label).

    Returns
    -------
    DataFrame
        Columns ``commune`` (5-character string), ``basin`` (string, e.g. ``"2733"``),
        ``basin_label`` (stripped, e.g. ``"BELFORT"``); one row per commune.

    Raises
    ------
    DataFormatError
        Naming the file, line and column: empty, binary or undecodable file, missing column
        (or wrong separator), wrong number of fields, a commune or basin code of the wrong
        shape, a commune listed twice.

    Notes
    -----
    The 2021 file as distributed has lost the leading zero of the communes of départements
    01-09 (``"3130"`` for ``"03130"``) and of its ``reg``/``dep`` codes: purely numeric commune
    codes of 4 digits are zero-padded to 5. Basin codes are kept without leading zeros
    (``"101"``), as in the BMO workbook. Labels are kept as written (the 2021 file labels basin
    102 two ways and has a garbled ``"T+L23ARENTAISE"`` for 8410). The commune geography is
    that of 2021: communes merged since then may be missing from a later commune → zone
    référentiel.
    """
    path = Path(path)
    text = _decode(path)
    frame = _read_csv(
        path, text, sep=",", required=BASIN_COMMUNE_COLUMNS, layout="commune → BMO basin table"
    )
    communes = _pad_codes(frame["codgeo"], 5)
    _check_pattern(
        frame, "codgeo", communes, r"\d{5}|2[AB]\d{3}", path, "a commune code (5 characters)"
    )
    _check_pattern(
        frame, "codbe", frame["codbe"], r"\d{1,5}", path, "a BMO basin code (3 or 4 digits)"
    )
    frame["commune"] = communes
    _duplicates_error(path, frame, ["commune"], "a commune belongs to one basin")
    table = pd.DataFrame(
        {
            "commune": communes,
            "basin": frame["codbe"].astype(int).astype(str),
            "basin_label": frame["libbe"].str.strip(),
        }
    )
    return table.sort_values("commune", ignore_index=True)


def basin_zone_crosswalk(
    basin_communes: pd.DataFrame,
    commune_zone: pd.DataFrame,
    weights: pd.Series | None = None,
) -> pd.DataFrame:
    """Share of each BMO basin lying in each zone d'emploi, through communes.

    Parameters
    ----------
    basin_communes : DataFrame
        Columns ``commune`` and ``basin`` (:func:`read_basin_communes`).
    commune_zone : DataFrame
        Columns ``commune`` and ``zone`` (e.g. the INSEE composition of ZE2020), one row per
        commune.
    weights : Series, optional
        Weight of each commune (e.g. its population), indexed by commune code. Without it,
        every commune weighs 1.

    Returns
    -------
    DataFrame
        Columns ``basin``, ``zone``, ``share`` (float in [0, 1]; the shares of a basin sum to
        1), ``n_communes`` (communes of the basin in the zone), sorted by basin then zone.

    Raises
    ------
    ParameterError
        Missing columns, a commune listed twice in ``commune_zone``, or negative weights.

    Warns
    -----
    BassinWarning
        When communes of ``basin_communes`` are left out: not found in ``commune_zone``
        (different commune geographies), or without a weight. Shares are computed over the
        communes that can be placed, so that each basin's figures are fully distributed.

    Notes
    -----
    share(basin, zone) = Σ weight(c) over the basin's communes c in the zone
    / Σ weight(c) over the basin's communes placed in any zone.
    A zone's BMO figure is then Σ_basin share(basin, zone) × figure(basin): an approximation,
    since hiring projects are not spread over a basin's communes in proportion to their number
    or population (see :data:`CROSSWALK_NOTE`).

    Examples
    --------
    >>> basins = pd.DataFrame({"commune": ["90010", "70285", "25388"],
    ...                        "basin": ["2733", "2721", "2734"]})
    >>> zones = pd.DataFrame({"commune": ["90010", "70285", "25388"],
    ...                       "zone": ["2705", "2705", "2714"]})
    >>> basin_zone_crosswalk(basins, zones)["share"].tolist()
    [1.0, 1.0, 1.0]
    """
    for name, frame, columns in (
        ("basin_communes", basin_communes, ["commune", "basin"]),
        ("commune_zone", commune_zone, ["commune", "zone"]),
    ):
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ParameterError(
                f"{name} lacks column(s) {missing}; expected {columns}, got {list(frame.columns)}"
            )
    repeated = commune_zone["commune"][commune_zone["commune"].duplicated()]
    if not repeated.empty:
        raise ParameterError(
            f"commune_zone lists commune(s) {sorted(repeated.unique())[:5]} more than once; "
            "a commune lies in one zone"
        )
    merged = basin_communes[["commune", "basin"]].merge(
        commune_zone[["commune", "zone"]], on="commune", how="left"
    )
    unplaced = merged["zone"].isna()
    if weights is None:
        merged["weight"] = 1.0
        unweighted = pd.Series(False, index=merged.index)
    else:
        weight = pd.to_numeric(merged["commune"].map(weights), errors="coerce")
        if (weight < 0).any():
            raise ParameterError("weights must be ≥ 0 (a population or a count of jobs)")
        merged["weight"] = weight
        unweighted = weight.isna() & ~unplaced
    if unplaced.any() or unweighted.any():
        left_out = merged[unplaced | unweighted]
        warnings.warn(
            f"{int(unplaced.sum())} commune(s) not found in commune_zone "
            f"({', '.join(merged.loc[unplaced, 'commune'].head(5))}"
            f"{', …' if unplaced.sum() > 5 else ''}) and {int(unweighted.sum())} without a "
            f"weight left out of the crosswalk ({left_out['basin'].nunique()} basin(s) "
            "affected); shares use the communes placed",
            BassinWarning,
            stacklevel=2,
        )
    placed = merged[~unplaced & ~unweighted]
    cells = (
        placed.groupby(["basin", "zone"], sort=True)
        .agg(weight=("weight", "sum"), n_communes=("commune", "size"))
        .reset_index()
    )
    totals = cells.groupby("basin")["weight"].transform("sum")
    cells["share"] = (cells["weight"] / totals).where(totals > 0)
    empty = cells["share"].isna()
    if empty.any():
        warnings.warn(
            f"basin(s) {sorted(cells.loc[empty, 'basin'].unique())[:5]} have a total weight of "
            "0 and are left out of the crosswalk",
            BassinWarning,
            stacklevel=2,
        )
    cells = cells[~empty]
    return cells[["basin", "zone", "share", "n_communes"]].reset_index(drop=True)


def to_zones(bmo: pd.DataFrame, crosswalk: pd.DataFrame) -> pd.DataFrame:
    """Attribute basin figures to zones d'emploi through the commune-based crosswalk.

    Formula: ``value_zone = Σ_basin share(basin → zone) × value_basin`` for each occupation,
    year and measure, with the shares of :func:`basin_zone_crosswalk`. A figure of a zone is
    missing (NaN) when any basin contributing to it is masked for that occupation: a partial
    sum would silently understate it. The result is an approximation (:data:`CROSSWALK_NOTE`).

    Returns
    -------
    DataFrame
        Canonical ``recruitment_bmo`` rows with ``level`` ``"zone"`` and ``code`` the zone.
    """
    rows = bmo.merge(crosswalk[["basin", "zone", "share"]], left_on="code", right_on="basin")
    rows["part"] = rows["value"] * rows["share"]
    keys = ["zone", "period", "occupation", "measure"]
    grouped = rows.groupby(keys, sort=True)
    out = grouped["part"].sum().rename("value").to_frame()
    out.loc[grouped["part"].count() < grouped["part"].size(), "value"] = float("nan")
    out = out.reset_index().rename(columns={"zone": "code"})
    out.insert(0, "level", "zone")
    return validate("recruitment_bmo", out, "BMO → zones d'emploi (crosswalk)")
