"""The real-data path: official files (``data/raw`` or any folder holding them) → canonical
tables → cube.

Files are found by name anywhere below the folder: the publisher's download name first, then
the names under which the same content circulates (an unzipped workbook, a CSV export, the
reduced Urssaf layout...). A dataset whose file is absent is left out of the cube, and the
report says in one sentence that the section has no data.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from bassin_lib.cube import Cube, build_cube
from bassin_lib.errors import BassinWarning, DataFormatError
from bassin_lib.territories import Referentiel, load_groups

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
    "unemployment_rate": ["chomage-zone-t1-2003-t3-2023.xlsx"],
    "income_poverty": ["base-cc-filosofi-2019_XLSX.zip", "base-cc-filosofi-2018_XLSX-geo2021.zip"],
    "population": ["pop_hist_1876_ze.xlsx"],
    "area": ["insee_rp_hist_1968_superf_ze.xlsx"],
    "jobseekers": ["dares_defm_zoneeemploi_brut_trim.csv"],
    "recruitment_bmo": ["Base_open_data_BMO_2024.xlsx"],
    "bmo_basins": ["France_Travail_Bassin_Emploi_2021.csv"],
}
REQUIRED = ("composition",)


def locate(folder: str | Path) -> dict[str, Path]:
    """Paths of the files found below ``folder``, by role (absent roles are left out)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataFormatError(f"{folder}: no such folder; run 'papermill_runs.py fetch' first")
    found: dict[str, Path] = {}
    for role, names in FILES.items():
        for name in names:
            hits = sorted(p for p in folder.rglob(name) if p.is_file())
            if hits:
                found[role] = hits[0]
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
    from bassin_lib.sources import (
        anct_population,
        dares_demandeurs,
        francetravail_bmo,
        insee_chomage,
        insee_filosofi,
        insee_ze2020,
        urssaf_emploi,
    )

    paths = locate(folder)
    communes = insee_ze2020.read_composition(paths["composition"])
    zones = insee_ze2020.zones_from_composition(communes)
    referentiel = Referentiel(zones, load_groups(groups_file, zones))
    readers = {
        "employment": (urssaf_emploi.read, urssaf_emploi.SOURCE),
        "unemployment_rate": (insee_chomage.read, insee_chomage.SOURCE),
        "income_poverty": (insee_filosofi.read, None),
        "population": (anct_population.read_population, anct_population.SOURCE),
        "area": (anct_population.read_area, anct_population.SOURCE),
        "jobseekers": (dares_demandeurs.read_zone_quarterly, dares_demandeurs.SOURCE),
    }
    tables: dict[str, pd.DataFrame] = {}
    sources: dict[str, str] = {}
    files: dict[str, str] = {}
    for table, (reader, source) in readers.items():
        if table not in paths:
            continue
        tables[table] = reader(paths[table])
        if source is None:  # Filosofi: the vintage is the year read
            year = str(tables[table]["period"].max().year)
            source = insee_filosofi.source(year)
        sources[table] = source.source_line()
        files[table] = str(paths[table])
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
        files["recruitment_bmo"] = str(paths["recruitment_bmo"])
        extra = {
            "occupations": dict(
                zip(occupations["occupation"], occupations["occupation_label"], strict=True)
            ),
            "approximate_tables": ["recruitment_bmo"],
            "notes": {"recruitment_bmo": francetravail_bmo.CROSSWALK_NOTE},
        }
    geometry = None
    if "geometry" in paths:
        try:
            geometry = insee_ze2020.read_geometry(paths["geometry"])
        except DataFormatError as exc:  # the maps are skipped and the report says so
            warnings.warn(f"map not drawn: {exc}", BassinWarning, stacklevel=2)
        else:
            geometry = geometry.merge(zones[["zone", "region"]], on="zone", how="left")
    meta = {
        "data_source": "real",
        "synthetic": False,
        "sources": sources,
        "files": files,
        "zoning": insee_ze2020.SOURCE.source_line(),
        "france_label": "France",
        **extra,
    }
    return build_cube(tables, referentiel, geometry, meta)
