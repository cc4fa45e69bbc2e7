"""The real-data path: official files (``data/raw`` or any folder holding them) → canonical
tables → cube.

Files are found by name anywhere below the folder: the publisher's download name first, then
the names under which the same content circulates (an unzipped workbook, a CSV export, the
reduced Urssaf layout...). A dataset whose file is absent is left out of the cube, and the
report says in one sentence that the section has no data.

The cube's ``meta`` says where every table comes from, for the report's sources and the
provenance sidecar (:mod:`bassin_lib.rendering.provenance`):

- ``meta["sources"][table]``: the « Source : … » line;
- ``meta["datasets"][table]``: ``producer``, ``title``, ``vintage``, ``licence``, ``page`` of
  the published dataset;
- ``meta["files"][table]``: the raw files read, ``[{"file": name, "path": path relative to the
  folder, "sha256": …}]`` (a shapefile with its ``.shx``, ``.dbf``, ``.prj``, ``.cpg``).

Besides the canonical tables, ``zones`` (the zoning read from the composition file) and
``geometry`` (the map) have entries too. ``meta["france_labels"][table]`` names the France row
of a table whose ``"france"`` level is not the whole of France (Filosofi: France
métropolitaine). ``meta["communes"]`` names, for the communes some table
publishes at level ``commune``, their label and zone (:func:`commune_index`).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd

from bassin_lib.errors import BassinWarning, DataFormatError
from bassin_lib.inputs.cube import Cube, build_cube
from bassin_lib.inputs.fetch import sha256_of
from bassin_lib.inputs.sources import Source
from bassin_lib.inputs.territories import Referentiel, load_groups

# role -> accepted file names, preferred first
FILES = {
    "composition": [
        "ZE2020_au_01-01-2023.zip",
        "ZE2020_au_01-01-2023.xlsx",
        "zones_emloi_ZE2020_2023.csv",
    ],
    "geometry": [
        "fonds_ze2020_2023.zip",
        "ze2020_2023_simplified_0p003deg.geojson",
        "ze2020_2023.shp",
    ],
    "employment": [
        "effectifs-salaries-et-masse-salariale-du-secteur-prive-par-zone-demploi.csv",
        "urssaf_emploi_ze_quarterly_2012_2025.csv",
    ],
    # INSEE replaces this workbook each quarter (t3-2023, t4-2025…): the newest one found
    "unemployment_rate": ["chomage-zone-t1-2003-t?-????.xlsx"],
    "income_poverty": ["base-cc-filosofi-2019_XLSX.zip", "base-cc-filosofi-2018_XLSX-geo2021.zip"],
    "income_composition": [
        "base-cc-filosofi-2019_XLSX.zip",
        "base-cc-filosofi-2018_XLSX-geo2021.zip",
    ],
    "population": ["pop_hist_1876_ze.xlsx"],
    "area": ["insee_rp_hist_1968_superf_ze.xlsx"],
    "jobseekers": ["dares_defm_zoneeemploi_brut_trim.csv"],
    "jobseekers_local": ["emploi_demandeur.csv"],
    "recruitment_bmo": ["Base_open_data_BMO_2024.xlsx"],
    "bmo_basins": ["France_Travail_Bassin_Emploi_2021.csv"],
    "employment_ape": [
        "etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last.csv",
        "etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last_ZE2815.csv",
    ],
    "employment_estel": ["emploi-zone-1998-2018.xlsx"],
}
REQUIRED = ("composition",)
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def file_records(path: Path, folder: Path) -> list[dict]:
    """``[{"file", "path", "sha256"}]`` of a raw file (of every part of a shapefile).

    ``path`` is relative to ``folder`` (POSIX form), so that the record does not depend on
    where the folder sits on the machine.
    """
    paths = [path]
    if path.suffix.lower() == ".shp":
        paths = [part for suffix in SHAPEFILE_PARTS if (part := path.with_suffix(suffix)).is_file()]
    return [
        {
            "file": p.name,
            "path": p.relative_to(folder).as_posix(),
            "sha256": sha256_of(p),
        }
        for p in paths
    ]


def dataset_record(source: Source, vintage: str | None = None) -> dict:
    """What the provenance sidecar says of a published dataset."""
    return {
        "producer": source.publisher,
        "title": source.title,
        "vintage": vintage or source.vintage,
        "licence": source.licence,
        "page": source.page,
    }


def commune_index(tables: dict[str, pd.DataFrame], communes: pd.DataFrame) -> dict[str, list]:
    """``{commune: [label, zone]}`` for every commune a table publishes at level ``commune``.

    The cube keeps no commune référentiel (its tables are by zone); this small index, kept in
    ``meta["communes"]``, lets an indicator find the communes of a territory among the
    commune-level rows of a table (:func:`bassin_lib.analysis.jobseekers_communes_change`).
    A commune absent from the zoning file (a code created after it) is left out.
    """
    codes: set[str] = set()
    for table in tables.values():
        codes |= set(table.loc[table["level"] == "commune", "code"])
    known = communes[communes["commune"].isin(codes)]
    return {
        code: [label, zone]
        for code, label, zone in zip(
            known["commune"], known["commune_label"], known["zone"], strict=True
        )
    }


def _vintage_key(path: Path) -> tuple:
    """Order of vintages in file names: the numbers of the name, last first
    (``chomage-zone-t1-2003-t4-2025.xlsx`` → 2025, 4, …), then the path for ties."""
    numbers = [int(n) for n in re.findall(r"\d+", path.name)]
    return (numbers[::-1], -len(path.parts), str(path))


def locate(folder: str | Path) -> dict[str, Path]:
    """Paths of the files found below ``folder``, by role (absent roles are left out)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataFormatError(f"{folder}: no such folder; run 'papermill_runs.py fetch' first")
    found: dict[str, Path] = {}
    for role, names in FILES.items():
        for name in names:  # a name may be a glob pattern: the newest vintage is taken
            hits = [p for p in folder.rglob(name) if p.is_file()]
            if hits:
                found[role] = max(hits, key=_vintage_key)
                break
    missing = [role for role in REQUIRED if role not in found]
    if missing:
        raise DataFormatError(
            f"{folder}: the zoning file ({' or '.join(FILES['composition'])}) is missing; "
            "run 'papermill_runs.py fetch' or give the folder holding it"
        )
    return found


def build_real(folder: str | Path, groups_file: str | Path) -> Cube:
    """Read every official file found below ``folder`` and build the cube of all zones."""
    from bassin_lib.inputs.sources import (
        anct_population,
        dares_demandeurs,
        francetravail_bmo,
        francetravail_stmt,
        insee_chomage,
        insee_estel,
        insee_filosofi,
        insee_ze2020,
        urssaf_commune_ape,
        urssaf_emploi,
    )

    folder = Path(folder)
    paths = locate(folder)
    communes = insee_ze2020.read_composition(paths["composition"])
    zones = insee_ze2020.zones_from_composition(communes)
    referentiel = Referentiel(zones, load_groups(groups_file, zones))
    readers = {
        "employment": (urssaf_emploi.read, urssaf_emploi.SOURCE),
        "unemployment_rate": (insee_chomage.read, insee_chomage.SOURCE),
        "employment_estel": (insee_estel.read, insee_estel.SOURCE),
        "income_poverty": (insee_filosofi.read, None),
        "income_composition": (insee_filosofi.read_composition, None),
        "population": (anct_population.read_population, anct_population.SOURCE),
        "area": (anct_population.read_area, anct_population.SOURCE),
        "jobseekers": (  # only the zones of the zoning; the file's other codes: a warning
            lambda path: dares_demandeurs.read_zone_quarterly(path, zones=zones["zone"]),
            dares_demandeurs.SOURCE,
        ),
        "jobseekers_local": (francetravail_stmt.read, francetravail_stmt.SOURCE),
    }
    tables: dict[str, pd.DataFrame] = {}
    sources: dict[str, str] = {}
    zoning_files = file_records(paths["composition"], folder)
    files: dict[str, list[dict]] = {"zones": zoning_files}
    described: dict[str, dict] = {"zones": dataset_record(insee_ze2020.SOURCE)}
    for table, (reader, source) in readers.items():
        if table not in paths:
            continue
        tables[table] = reader(paths[table])
        if source is None:  # Filosofi: the vintage is the year read
            year = str(tables[table]["period"].max().year)
            source = insee_filosofi.source(year)
        sources[table] = source.source_line()
        files[table] = file_records(paths[table], folder)
        described[table] = dataset_record(source)
    extra: dict = {}
    if "recruitment_bmo" in paths and "bmo_basins" in paths:
        # BMO bassins are not zones: attribute them through communes, and say so.
        bmo, occupations = francetravail_bmo.read_with_occupations(paths["recruitment_bmo"])
        basins = francetravail_bmo.read_basin_communes(paths["bmo_basins"])
        with warnings.catch_warnings():  # communes absent from one zoning: in the note below
            warnings.simplefilter("ignore", BassinWarning)
            crosswalk = francetravail_bmo.basin_zone_crosswalk(basins, communes)
        tables["recruitment_bmo"] = francetravail_bmo.to_zones(bmo, crosswalk)
        year = str(bmo["period"].max().year)
        sources["recruitment_bmo"] = (
            f"Source : {francetravail_bmo.SOURCE.publisher}, enquête Besoins en main-d'œuvre "
            f"({year}), bassins rapportés aux zones d'emploi par les communes"
        )
        # the crosswalk reads the basins' communes and the zoning's communes
        files["recruitment_bmo"] = [
            *file_records(paths["recruitment_bmo"], folder),
            *file_records(paths["bmo_basins"], folder),
            *zoning_files,
        ]
        described["recruitment_bmo"] = dataset_record(francetravail_bmo.SOURCE, year)
        extra = {
            "occupations": dict(
                zip(occupations["occupation"], occupations["occupation_label"], strict=True)
            ),
            "approximate_tables": ["recruitment_bmo"],
            "notes": {"recruitment_bmo": francetravail_bmo.CROSSWALK_NOTE},
        }
    if "employment_ape" in paths:
        # communes summed into their zones (checked against the zoning); labels for the report
        ape, labels = urssaf_commune_ape.read_with_labels(paths["employment_ape"], communes)
        ape_source = urssaf_commune_ape.source(str(ape["period"].max().year))
        tables["employment_ape"] = ape
        sources["employment_ape"] = ape_source.source_line()
        files["employment_ape"] = [*file_records(paths["employment_ape"], folder), *zoning_files]
        described["employment_ape"] = dataset_record(ape_source)
        extra = {**extra, "sector_labels": labels}
    geometry = None
    if "geometry" in paths:
        try:
            geometry = insee_ze2020.read_geometry(paths["geometry"])
        except DataFormatError as exc:  # the maps are skipped: a warning, and the report says so
            warnings.warn(f"map not drawn: {exc}", BassinWarning, stacklevel=2)
            sources["geometry"] = (
                f"le fichier {paths['geometry'].name} n'a pas pu être lu : les cartes ne sont "
                "pas dessinées"
            )
        else:
            geometry = geometry.merge(zones[["zone", "region"]], on="zone", how="left")
            files["geometry"] = file_records(paths["geometry"], folder)
            described["geometry"] = dataset_record(insee_ze2020.SOURCE)
    meta = {
        "data_source": "real",
        "synthetic": False,
        "sources": sources,
        "files": files,
        "datasets": described,
        "zoning": insee_ze2020.SOURCE.source_line(),
        "france_label": "France",
        # Filosofi's "france" rows are France métropolitaine (sheet METRO): say so
        "france_labels": {
            "income_poverty": insee_filosofi.FRANCE_SCOPE,
            "income_composition": insee_filosofi.FRANCE_SCOPE,
            "employment_estel": insee_estel.FRANCE_SCOPE,
        },
        "communes": commune_index(tables, communes),
        **extra,
    }
    return build_cube(tables, referentiel, geometry, meta)
