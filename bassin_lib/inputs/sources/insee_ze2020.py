"""INSEE « Zonage en zones d'emploi 2020 »: commune → zone composition, zone list, map.

Publisher's page: https://www.insee.fr/fr/information/4652957 (one edition per geography year).
This module reads the edition « géographie au 01/01/2023 » (vintage ``"2023"``): 306 zones,
34,945 communes.

Official layouts
----------------
``ZE2020_au_01-01-2023.xlsx`` (served inside ``ZE2020_au_01-01-2023.zip``), 4 banner rows, then a
row of French titles, then the header row (row 6 in this edition; found by its names):

- sheet ``Composition_communale``: ``CODGEO, LIBGEO, ZE2020, LIBZE2020, ZE2020_PARTIE_REG,
  DEP, REG``; ``ZE2020_PARTIE_REG`` is filled only for the communes of trans-regional zones
  (codes ``00xx``), as ``"<zone>-<region>"`` (``"0051-28"``);
- sheet ``ZE2020``: ``ZE2020, LIBZE2020, NB_COM``.

The same composition is also read from a CSV export of the sheet (same columns, one header line).

Map backgrounds ``fonds_ze2020_2023.zip``: a shapefile with fields ``ze2020, libze2020, nb_com``,
WGS84, overseas départements at their true position. A simplified GeoJSON with the same
properties is read too.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pandas as pd
import pandera.pandas as pa

from bassin_lib.inputs.schemas import COMMUNE_ZONE
from bassin_lib.inputs.sources import FilePattern, RemoteFile, Source, Vintage
from bassin_lib.inputs.sources._cells import Table, cell_text, data_error
from bassin_lib.inputs.sources._excel import open_workbook, read_csv_table, wrap_schema_errors
from bassin_lib.inputs.territories import ZONE_COLUMNS, validate_zones_table

SOURCE = Source(
    name="insee_ze2020",
    title="Zonage en zones d'emploi 2020",
    publisher="Insee",
    page="https://www.insee.fr/fr/information/4652957",
    vintage="2023",
    files=(
        RemoteFile(
            "ZE2020_au_01-01-2023.zip",
            "https://www.insee.fr/fr/statistiques/fichier/4652957/ZE2020_au_01-01-2023.zip",
            required=True,
            also=("ZE2020_au_01-01-2023.xlsx",),
        ),
        RemoteFile(
            "fonds_ze2020_2023.zip",
            "https://www.insee.fr/fr/statistiques/fichier/4652957/fonds_ze2020_2023.zip",
        ),
    ),
    # One edition per geography year under the same names (2022, 2023 and 2026 in public code).
    patterns=(
        FilePattern(
            "ZE2020_au_01-01-{year}.zip",
            "https://www.insee.fr/fr/statistiques/fichier/4652957/{name}",
            required=True,
            also=("ZE2020_au_01-01-{year}.xlsx",),
        ),
        FilePattern(
            "fonds_ze2020_{year}.zip", "https://www.insee.fr/fr/statistiques/fichier/4652957/{name}"
        ),
    ),
    vintages=(
        Vintage(
            "2026",
            note="the map archive holds two archives, com_ze2020_2026.zip (communes) and "
            "ze2020_2026.zip (zones), read by read_geometry",
        ),
    ),
)

COMPOSITION_SHEET = "Composition_communale"
ZONE_LIST_SHEET = "ZE2020"
COMPOSITION_COLUMNS = {
    "CODGEO": "commune",
    "LIBGEO": "commune_label",
    "ZE2020": "zone",
    "LIBZE2020": "zone_label",
    "ZE2020_PARTIE_REG": "zone_part",
    "DEP": "departement",
    "REG": "region",
}
"""Official column → column of :data:`bassin_lib.inputs.schemas.COMMUNE_ZONE`."""

REGION_LABELS = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
}
"""Official names of the 18 regions (COG since 2016), keyed by INSEE region code."""


def read_composition(path: str | Path) -> pd.DataFrame:
    """Read the commune → zone composition from the workbook (or its zip) or its CSV export.

    Parameters
    ----------
    path : str or Path
        ``ZE2020_au_01-01-2023.xlsx``, the ``.zip`` holding it (sheet ``Composition_communale``),
        or a ``.csv`` export of that sheet (separator ``,`` or ``;``; UTF-8 with or without BOM,
        else latin-1).

    Returns
    -------
    DataFrame
        One row per commune, validated by :data:`bassin_lib.inputs.schemas.COMMUNE_ZONE`:
        ``commune, commune_label, zone, zone_label, zone_part, departement, region``, all
        strings; ``zone_part`` (``"0051-28"``) is NaN outside trans-regional zones. Rows in file
        order, index ``0..n-1``: the xlsx and its CSV export give identical frames.

    Raises
    ------
    DataFormatError
        Naming file, sheet, row and column: missing column, malformed code, commune listed
        twice, a zone with two labels, a regional part not of the form ``<zone>-<region>``.

    Notes
    -----
    Codes that lost their leading zeros (``1001``, ``51``) are zero-padded to their width
    (see :mod:`bassin_lib.inputs.sources._excel`).
    """
    path = Path(path)
    if path.suffix.lower() in (".csv", ".txt"):
        table = read_csv_table(path, COMPOSITION_COLUMNS)
    else:
        with open_workbook(path) as book:
            table = book.table(COMPOSITION_SHEET, COMPOSITION_COLUMNS)
    return _composition(table)


def _composition(table: Table) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "commune": table.codes("CODGEO", "commune"),
            "commune_label": table.labels("LIBGEO"),
            "zone": table.codes("ZE2020", "zone"),
            "zone_label": table.labels("LIBZE2020"),
            "zone_part": table.frame["ZE2020_PARTIE_REG"],
            "departement": table.codes("DEP", "departement"),
            "region": table.codes("REG", "region"),
        }
    )
    table.check_unique({"commune": frame["commune"]}, "commune")
    part = frame["zone_part"]
    filled = part != ""
    expected = frame["zone"] + "-" + frame["region"]
    table.check(
        "ZE2020_PARTIE_REG",
        filled & (part != expected),
        lambda row: (
            f"the regional part {expected.loc[row]!r} (zone code, '-', region code) "
            "or an empty cell"
        ),
    )
    labels = frame.groupby("zone")["zone_label"].nunique()
    if (labels > 1).any():
        zone = labels.index[(labels > 1).to_numpy().argmax()]
        rows = frame.index[frame["zone"] == zone]
        names = frame.loc[rows, "zone_label"].drop_duplicates().tolist()
        raise table.error(
            f"zone {zone!r} has several labels {names[:3]} (rows {rows[0]}…); expected one",
            column="LIBZE2020",
        )
    frame["zone_part"] = part.where(filled)
    try:
        frame = COMMUNE_ZONE.validate(frame, lazy=True)  # index: file rows, named in errors
    except pa.errors.SchemaErrors as exc:
        raise wrap_schema_errors(exc, table.where(), "commune_zone") from None
    return frame.reset_index(drop=True)


def zones_from_composition(communes: pd.DataFrame, source: str = "composition") -> pd.DataFrame:
    """Build the zone référentiel of :mod:`bassin_lib.inputs.territories` from the composition.

    Parameters
    ----------
    communes : DataFrame
        Output of :func:`read_composition`.
    source : str, default "composition"
        Named in errors.

    Returns
    -------
    DataFrame
        One row per zone, sorted by code: ``zone, label, region, region_label, departements``.
        ``region`` is the region holding most of the zone's communes (ties: the smaller region
        code), ``region_label`` its official name (:data:`REGION_LABELS`), ``departements`` the
        codes of the départements of its communes, sorted and comma-joined (``"25,70,90"``).

    Raises
    ------
    DataFormatError
        When a column is missing or a region code is not one of the 18 regions.

    Examples
    --------
    A trans-regional zone such as Alençon (``0051``: 113 communes in Normandie, 72 in Pays de
    la Loire) gets region ``"28"``.
    """
    missing = [
        c for c in ("commune", "zone", "zone_label", "departement", "region") if c not in communes
    ]
    if missing:
        raise data_error(f"missing column(s) {missing}; expected read_composition()'s", source)
    unknown = sorted(set(communes["region"]) - set(REGION_LABELS))
    if unknown:
        raise data_error(
            f"unknown region code(s) {unknown}; expected one of {sorted(REGION_LABELS)}",
            source,
            column="region",
        )
    rows = []
    for zone, members in communes.groupby("zone", sort=True):
        counts = Counter(members["region"])
        top = max(counts.values())
        region = min(r for r, n in counts.items() if n == top)
        rows.append(
            {
                "zone": zone,
                "label": members["zone_label"].iloc[0],
                "region": region,
                "region_label": REGION_LABELS[region],
                "departements": ",".join(sorted(set(members["departement"]))),
            }
        )
    zones = pd.DataFrame(rows, columns=ZONE_COLUMNS)
    return validate_zones_table(zones, source)


def read_zone_list(path: str | Path) -> pd.DataFrame:
    """Read the list of zones (sheet ``ZE2020``) of the composition workbook.

    Parameters
    ----------
    path : str or Path
        ``ZE2020_au_01-01-2023.xlsx`` or the ``.zip`` holding it.

    Returns
    -------
    DataFrame
        ``zone`` (str), ``label`` (str), ``nb_communes`` (int), one row per zone, file order.

    Raises
    ------
    DataFormatError
        Missing sheet or column, malformed code, zone listed twice, a commune count that is
        masked, negative or not a whole number.
    """
    with open_workbook(path) as book:
        table = book.table(ZONE_LIST_SHEET, ["ZE2020", "LIBZE2020", "NB_COM"])
    zone = table.codes("ZE2020", "zone")
    table.check_unique({"zone": zone}, "zone")
    counts = table.floats("NB_COM", nonnegative=True)
    table.check("NB_COM", counts.isna() | (counts % 1 != 0), "a whole number of communes")
    return pd.DataFrame(
        {"zone": zone, "label": table.labels("LIBZE2020"), "nb_communes": counts.astype("int64")}
    ).reset_index(drop=True)


def read_geometry(path: str | Path) -> gpd.GeoDataFrame:
    """Read the zones' polygons from INSEE's shapefile or the simplified GeoJSON.

    Parameters
    ----------
    path : str or Path
        ``ze2020_2023.shp`` (with its ``.shx``, ``.dbf``, ``.prj`` beside it), a ``.zip``
        holding those files directly or inside an inner archive (the 2026 edition
        ``fonds_ze2020_2026.zip`` holds ``com_ze2020_2026.zip`` and ``ze2020_2026.zip``: the
        zones' one, whose name starts with ``ze``, is read), or a GeoJSON with properties
        ``ze2020, libze2020``.

    Returns
    -------
    GeoDataFrame
        ``zone`` (4-character str), ``label``, ``geometry``, in the file's CRS (WGS84 for
        INSEE's files), one row per zone, file order.

    Raises
    ------
    DataFormatError
        When the file is missing or unreadable, has no CRS, lacks the fields ``ze2020`` or
        ``libze2020``, has a malformed or repeated code, or an empty geometry.
    """
    path = Path(path)
    if not path.exists():
        raise data_error("file not found", path)
    layer = _zone_layer(path)
    try:
        shapes = gpd.read_file(layer)
    except Exception as exc:  # pyogrio/GDAL raise their own classes for unreadable files
        raise data_error(
            f"not a readable shapefile or GeoJSON ({type(exc).__name__}: {exc})", path
        ) from exc
    fields = {c.casefold(): c for c in shapes.columns}
    missing = [f for f in ("ze2020", "libze2020") if f not in fields]
    if missing:
        raise data_error(
            f"missing field(s) {missing}; expected ze2020, libze2020 "
            f"(fields present: {[c for c in shapes.columns if c != 'geometry']})",
            path,
        )
    if shapes.crs is None:
        raise data_error("no coordinate reference system (missing .prj?)", path)
    texts = pd.DataFrame(
        {
            "ze2020": [cell_text(v) for v in shapes[fields["ze2020"]]],
            "libze2020": [cell_text(v) for v in shapes[fields["libze2020"]]],
        },
        index=pd.RangeIndex(1, len(shapes) + 1, name="feature"),
        dtype=str,
    )
    table = Table(texts, str(path), None, 0)
    zone = table.codes("ze2020", "zone")
    table.check_unique({"zone": zone}, "zone")
    empty = shapes.geometry.isna().to_numpy() | shapes.geometry.is_empty.to_numpy()
    if empty.any():
        row = int(texts.index[empty.argmax()])
        raise table.error(f"zone {zone.loc[row]!r} has an empty geometry", row, "geometry")
    return gpd.GeoDataFrame(
        {"zone": zone.to_numpy(), "label": table.labels("libze2020").to_numpy()},
        geometry=shapes.geometry.to_numpy(),
        crs=shapes.crs,
    )


def _zone_layer(path: Path) -> Path | io.BytesIO:
    """What to hand to GDAL for the zones' map in ``path``: the file itself, or the bytes of
    the inner archive holding the zones' shapefile when ``path`` is a zip of zips.

    Raises
    ------
    DataFormatError
        When a zip holds no shapefile and no single inner archive of the zones (name starting
        with ``ze``, not ``com_ze``).
    """
    if path.suffix.lower() != ".zip" or not zipfile.is_zipfile(path):
        return path
    try:
        with zipfile.ZipFile(path) as outer:
            names = outer.namelist()
            if any(name.lower().endswith(".shp") for name in names):
                return path
            inner = [name for name in names if name.lower().endswith(".zip")]
            zones = [n for n in inner if PurePosixPath(n).name.lower().startswith("ze")]
            if len(zones) != 1 and len(inner) == 1:
                zones = inner
            if len(zones) != 1:
                raise data_error(
                    "no shapefile in the archive and no single inner archive of the zones' map "
                    f"(name starting with 'ze'); inner archives found: {inner or 'none'}",
                    path,
                )
            return io.BytesIO(outer.read(zones[0]))
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise data_error(f"unreadable archive ({exc})", path) from None
