"""France Travail: « Besoins en main-d'œuvre » (BMO) survey, yearly, by BMO employment basin.

The BMO survey counts the hiring projects employers declare for the year, by occupation (FAP
code) and by *bassin d'emploi BMO*. These basins are France Travail's own zoning, not INSEE
zones d'emploi: :func:`read_basin_communes` reads the commune → basin table and
:func:`basin_zone_crosswalk` builds the approximate basin → zone shares through communes
(:data:`CROSSWALK_NOTE` says so in French for reports).

Masked cells. The survey publishes no figure under 5 (« * »): the smallest published figure of
2024 is 5 for each of ``met``, ``xmet`` and ``smet``, and the national total the survey announces
(2 782 000 projects) exceeds the sum of the published basins (2 751 069) by about 31 000, 2.8
projects for each of the 10 891 masked cells. A masked figure is therefore at most
:data:`MASKED_AT_MOST`. Besides its occupation cells, the canonical table holds, for each basin
(then zone), year and measure, one row of occupation :data:`MASKED` whose value is the most the
masked figures can add (:func:`read_with_occupations`), so that a territory's figures say what is
published and how much may be hidden.

The workbook holds no national or regional total (one sheet of basin × occupation × département
rows, and a sheet describing the variables): France and the regions are sums of the basins.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from bassin_lib.errors import BassinWarning, ParameterError
from bassin_lib.inputs.schemas import validate
from bassin_lib.inputs.sources import LICENCE_ETALAB, RemoteFile, Source, Vintage
from bassin_lib.inputs.sources._cells import Table, data_error, sum_parts
from bassin_lib.inputs.sources._csv import decode, read_csv
from bassin_lib.inputs.sources._excel import open_workbook

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
    # data.gouv.fr resources of the later surveys (one resource per survey year).
    vintages=(
        Vintage(
            "2025",
            (
                RemoteFile(
                    "Base_open_data_BMO_2025.xlsx",
                    "https://www.data.gouv.fr/fr/datasets/r/54478315-aafd-4070-b8df-a5647297e0c0",
                ),
            ),
        ),
        Vintage(
            "2026",
            (
                RemoteFile(
                    "Base_open_data_BMO_2026.xlsx",
                    "https://www.data.gouv.fr/fr/datasets/r/228917c7-c22e-4766-835e-fcb923f29b3d",
                ),
            ),
            note="local file name assumed from the 2024 and 2025 ones",
        ),
    ),
)

CROSSWALK_NOTE = (
    "Les bassins d'emploi de l'enquête BMO ne sont pas des zones d'emploi de l'Insee : les "
    "projets de recrutement sont attribués aux zones d'emploi au prorata des communes (ou de "
    "la population) de chaque bassin situées dans la zone, ce qui reste une approximation. "
    "L'enquête ne publie pas de total national dans sa base de données : la France est ici la "
    "somme des bassins d'emploi."
)

MASKED = "*"
"""Occupation code of the rows that bound the masked figures (the survey's own mark): for a
basin (or zone), a year and a measure, the most the figures masked for secrecy can add."""
MASKED_AT_MOST = 4.0
"""The largest value of a masked figure: the survey publishes no figure under 5."""

SHEET = re.compile(r"^BMO_(\d{4})_open_data$")
#: Measure of the canonical table ← column of the sheet.
MEASURES = {"projects": "met", "difficult": "xmet", "seasonal": "smet"}
_OCCUPATION = "Code métier BMO"
_OCCUPATION_LABEL = "Nom métier BMO"
_FAMILY = "Famille_met"
_FAMILY_LABEL = "Lbl_fam_met"
_BASIN = r"BE\d{2}"
"""Name of the basin-code column: ``BE`` and the zoning year (``BE24``)."""
BASIN_COMMUNE_COLUMNS = ["reg", "dep", "codgeo", "codbe", "libbe"]


def _sheet(path: Path) -> Table:
    """The ``BMO_AAAA_open_data`` sheet of the workbook as a :class:`Table` of text cells."""
    with open_workbook(path) as book:
        names = [name for name in book.sheetnames if SHEET.match(name.strip())]
        if len(names) != 1:
            raise data_error(
                "expected exactly one sheet named BMO_AAAA_open_data (AAAA the survey year), "
                f"found sheets {book.sheetnames}",
                book.source,
            )
        return book.table(names[0], ["annee", _OCCUPATION, "Dept", *MEASURES.values()])


def _basin_codes(table: Table) -> pd.Series:
    """BMO basin codes (column ``BEyy``) as strings without leading zeros (``101``, ``"2733"``)."""
    columns = table.columns_matching(_BASIN)
    if len(columns) != 1:
        raise table.error(
            f"expected one basin-code column BEyy (yy the zoning year), found {columns}",
            table.header_row,
        )
    texts = table.frame[columns[0]]
    bad = ~texts.str.fullmatch(r"\d{1,5}") | texts.str.fullmatch(r"0+")
    table.check(columns[0], bad, "a BMO basin code (3 or 4 digits, e.g. 2733)")
    return texts.astype(int).astype(str)


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
        ``occupation`` the BMO occupation (FAP) code (``"A0X40"``; :data:`MASKED` for the
        bounds of the masked figures, :func:`masked_bounds`), ``measure``
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
    - ``*`` marks a figure masked for statistical secrecy: it is NaN, never 0 (as are the
      other masked tokens, :data:`~bassin_lib.inputs.sources._cells.MASKED_TOKENS`), so sums
      over occupations are lower bounds.
    - **Basins straddling départements are summed.** A basin over several départements
      appears once per département (24 basins in 2024, e.g. 104 Îles du Nord, 971/978; 2708
      over 21/71); its figure is the sum of the parts, NaN when one part is masked (the known
      parts would only be a lower bound).
    - **Bounds of the masked figures.** Each basin also has, for each year and measure, a row
      of occupation :data:`MASKED` (``"*"``) bounding what its masked cells can add
      (:func:`masked_bounds`).
    - The workbook is read with openpyxl in read-only mode, through the shared
      :func:`~bassin_lib.inputs.sources._excel.open_workbook` (about 3 to 5 s for the 53,000
      rows of 2024).
    """
    path = Path(path)
    table = _sheet(path)
    frame = pd.DataFrame(
        {
            "year": table.matching("annee", r"\d{4}", "a year (4 digits)"),
            "occupation": table.labels(_OCCUPATION, "an occupation code such as A0X40"),
            "code": _basin_codes(table),
            "dept": table.frame["Dept"],
            **{
                measure: table.floats(column, nonnegative=True)
                for measure, column in MEASURES.items()
            },
        }
    )
    years = frame["year"].astype(int).to_numpy()
    frame["period"] = pd.PeriodIndex.from_fields(
        year=years, month=np.ones_like(years), freq="Y-DEC"
    )
    table.check_unique(
        {
            "year": frame["year"],
            "occupation": frame["occupation"],
            "basin": frame["code"],
            "département": frame["dept"],
        },
        "year, occupation, basin and département",
    )
    basins = sum_parts(frame, ["code", "period", "occupation"], list(MEASURES))
    basins = pd.concat([basins, masked_bounds(frame)], ignore_index=True)
    result = basins.melt(
        id_vars=["code", "period", "occupation"],
        value_vars=list(MEASURES),
        var_name="measure",
        value_name="value",
    )
    result["level"] = "bmo_basin"
    result["value"] = result["value"].astype(float)
    result = result[["level", "code", "period", "occupation", "measure", "value"]]
    result = result.sort_values(["code", "occupation", "measure", "period"], ignore_index=True)
    names = {
        _OCCUPATION: "occupation",
        _OCCUPATION_LABEL: "occupation_label",
        _FAMILY: "family",
        _FAMILY_LABEL: "family_label",
    }
    labels = (
        table.frame.reindex(columns=list(names), fill_value="")
        .rename(columns=names)
        .drop_duplicates("occupation")
        .sort_values("occupation", ignore_index=True)
    )
    return validate("recruitment_bmo", result, table.where()), labels


def masked_bounds(parts: pd.DataFrame) -> pd.DataFrame:
    """The most the masked figures of each basin can add, by year and measure.

    Parameters
    ----------
    parts : DataFrame
        One row per occupation, basin, year and département part: ``code``, ``period``,
        ``occupation`` and the measures ``projects``, ``difficult``, ``seasonal`` (NaN where
        masked).

    Returns
    -------
    DataFrame
        One row per basin and year: ``code``, ``period``, ``occupation`` (:data:`MASKED`) and,
        for each measure, the bound (≥ 0):

        - ``projects``: the projects of the occupation cells whose number of projects is NaN
          (a masked part, or a masked part of a straddling basin): their published parts plus
          :data:`MASKED_AT_MOST` for each masked part;
        - ``difficult`` (``seasonal``): among the cells whose number of projects is published,
          the difficult (seasonal) projects of those where that figure is NaN: published parts
          plus, for each masked part, :data:`MASKED_AT_MOST` or the part's projects if fewer;
          at most the cell's projects.

    Notes
    -----
    A share of a territory is then known within ``[Σ D / Σ P, (Σ D + bound) / Σ P]`` over its
    published cells, and its projects within ``[Σ P, Σ P + bound]``: a masked figure lies in
    ``[0, MASKED_AT_MOST]``.

    Examples
    --------
    >>> parts = pd.DataFrame({"code": ["2733", "2733"], "period": pd.Period("2024", "Y"),
    ...                       "occupation": ["A", "B"], "projects": [40.0, float("nan")],
    ...                       "difficult": [float("nan"), float("nan")],
    ...                       "seasonal": [12.0, float("nan")]})
    >>> masked_bounds(parts)[["projects", "difficult", "seasonal"]].to_numpy().tolist()
    [[4.0, 4.0, 0.0]]
    """
    keys = [parts["code"], parts["period"], parts["occupation"]]
    projects = parts["projects"]
    ceiling = pd.DataFrame({"projects": projects.fillna(MASKED_AT_MOST)})
    for measure in ("difficult", "seasonal"):
        part_max = np.minimum(MASKED_AT_MOST, projects.fillna(MASKED_AT_MOST))
        ceiling[measure] = parts[measure].fillna(part_max)
    ceiling = ceiling.groupby(keys, sort=True).sum()
    masked = parts[list(MEASURES)].isna().groupby(keys, sort=True).any()
    cell_projects = projects.groupby(keys, sort=True).sum()
    bounds = pd.DataFrame({"projects": ceiling["projects"].where(masked["projects"], 0.0)})
    for measure in ("difficult", "seasonal"):
        bound = np.minimum(ceiling[measure], cell_projects)
        bounds[measure] = bound.where(masked[measure] & ~masked["projects"], 0.0)
    out = bounds.groupby(level=[0, 1], sort=True).sum().reset_index()
    out.columns = ["code", "period", *MEASURES]
    out.insert(2, "occupation", MASKED)
    return out


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
        Naming the file, row and column: empty, binary or undecodable file, missing column
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
    table = read_csv(
        path,
        decode(path),
        sep=",",
        required=BASIN_COMMUNE_COLUMNS,
        layout="commune → BMO basin table",
    )
    communes = table.codes("codgeo", "commune")
    basins = table.matching("codbe", r"\d{1,5}", "a BMO basin code (3 or 4 digits)")
    table.check_unique({"commune": communes}, "commune (a commune belongs to one basin)")
    result = pd.DataFrame(
        {
            "commune": communes,
            "basin": basins.astype(int).astype(str),
            "basin_label": table.frame["libbe"],
        }
    )
    return result.sort_values("commune", ignore_index=True)


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
    year and measure, with the shares of :func:`basin_zone_crosswalk`, over the basins whose
    figure is published; NaN when none is. The masked figures are not lost: the rows of
    occupation :data:`MASKED` (:func:`masked_bounds`), spread the same way, bound what they
    add to each zone. The result is an approximation (:data:`CROSSWALK_NOTE`).

    Returns
    -------
    DataFrame
        Canonical ``recruitment_bmo`` rows with ``level`` ``"zone"`` and ``code`` the zone.
    """
    rows = bmo.merge(crosswalk[["basin", "zone", "share"]], left_on="code", right_on="basin")
    rows["part"] = rows["value"] * rows["share"]
    keys = ["zone", "period", "occupation", "measure"]
    out = rows.groupby(keys, sort=True)["part"].sum(min_count=1).rename("value").to_frame()
    out = out.reset_index().rename(columns={"zone": "code"})
    out.insert(0, "level", "zone")
    return validate("recruitment_bmo", out, "BMO → zones d'emploi (crosswalk)")
