"""Indicators on the real official files reproduce the published figures (skipped without
../shared/data/real). The cube is built once for the module."""

import csv
import warnings

import openpyxl
import pandas as pd
import pytest

from bassin_lib import analysis as ind
from bassin_lib.errors import BassinWarning
from bassin_lib.inputs.real import build_real
from bassin_lib.paths import GROUPS_FILES


@pytest.fixture(scope="module")
def real_cube(real_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BassinWarning)
        return build_real(real_dir, GROUPS_FILES["real"])


def _urssaf_cvs(real_dir, zone, year, quarter):
    """Sum of the CSV rows (regional parts) of a zone in a quarter, read with the csv module."""
    path = real_dir / "urssaf_emploi_ze" / "urssaf_emploi_ze_quarterly_2012_2025.csv"
    with path.open(encoding="utf-8") as handle:
        return sum(
            float(row["effectifs_salaries_cvs"])
            for row in csv.DictReader(handle)
            if row["code_zone_d_emploi"] == zone
            and row["annee"] == str(year)
            and row["trimestre"] == str(quarter)
        )


def test_count_of_zones(real_cube):
    assert len(real_cube.referentiel.zones) == 306


def test_unemployment_rate_equals_the_workbook_cell(real_cube, real_dir):
    book = openpyxl.load_workbook(
        real_dir / "insee_chomage_localise" / "chomage-zone-t1-2003-t3-2023.xlsx", read_only=True
    )
    cell = next(
        row[-1] for row in book["txcho_ze"].iter_rows(values_only=True) if row and row[0] == "2705"
    )
    rates = ind.unemployment_rate_series(real_cube, real_cube.territory("2705"))
    own = rates[(rates["role"] == "territory") & (rates["period"] == pd.Period("2023Q3"))]
    assert own["value"].iloc[0] == pytest.approx(float(cell))


def test_employment_change_equals_the_urssaf_rows(real_cube, real_dir):
    # Q4 2019 -> Q4 2020, CVS, by hand from the file's rows
    before = {z: _urssaf_cvs(real_dir, z, 2019, 4) for z in ("2705", "2714")}
    after = {z: _urssaf_cvs(real_dir, z, 2020, 4) for z in ("2705", "2714")}
    change = ind.employment_change(real_cube, real_cube.territory("2714"))
    own = change[change["role"] == "territory"].iloc[0]
    assert own["start_value"] == pytest.approx(before["2714"])
    assert own["change_pct"] == pytest.approx(100 * (after["2714"] / before["2714"] - 1))
    group = ind.employment_change(real_cube, real_cube.territory("nord-franche-comte"))
    assert group[group["role"] == "territory"]["start_value"].iloc[0] == pytest.approx(
        before["2705"] + before["2714"]
    )


def test_population_density_of_belfort(real_cube):
    population = real_cube.tables["population"]
    area = real_cube.tables["area"]
    density = ind.population_density(population, area)
    own = density[
        (density["code"] == "2705")
        & (density["level"] == "zone")
        & (density["period"] == pd.Period("2020", "Y"))
    ]
    pop = population[(population["code"] == "2705") & (population["period"] == "2020")]["value"]
    surface = area[(area["code"] == "2705") & (area["level"] == "zone")].sort_values("period")
    surface = surface[surface["period"] <= pd.Period("2020", "Y")]["value"].iloc[-1]
    assert own["density"].iloc[0] == pytest.approx(pop.iloc[0] / surface)
