"""BMO recruitment indicators on a hand-made table: lower bounds where cells are masked."""

import math

import pandas as pd
import pytest
from conftest import TINY_GROUPS, TINY_ZONES, tiny_tables

from bassin_lib.analysis import recruitment_by_occupation, recruitment_summary
from bassin_lib.inputs import cube as cube_module
from bassin_lib.inputs.territories import Referentiel
from bassin_lib.rendering import narrative as n

NAN = float("nan")
# zone, occupation: projects, difficult, seasonal
CELLS = {
    ("0051", "X1"): (100, 60, 10),
    ("0051", "X2"): (50, NAN, 5),  # difficult masked
    ("2705", "X1"): (200, 100, 20),
    ("2705", "X2"): (NAN, NAN, NAN),  # all masked
    ("2714", "X1"): (40, 10, 30),
    ("2714", "X2"): (60, 30, 0),
}


@pytest.fixture
def bmo_cube():
    rows = []
    for (zone, occupation), values in CELLS.items():
        for measure, value in zip(("projects", "difficult", "seasonal"), values, strict=True):
            rows.append(("zone", zone, pd.Period("2024", "Y"), occupation, measure, float(value)))
    tables = tiny_tables()
    tables["recruitment_bmo"] = pd.DataFrame(
        rows, columns=["level", "code", "period", "occupation", "measure", "value"]
    )
    meta = {"france_label": "France", "occupations": {"X1": "Métier un", "X2": "Métier deux"}}
    return cube_module.build_cube(tables, Referentiel(TINY_ZONES.copy(), TINY_GROUPS), meta=meta)


def test_summary_of_a_zone_with_a_masked_numerator(bmo_cube):
    out = recruitment_summary(bmo_cube, bmo_cube.territory("0051")).set_index("role")
    own = out.loc["territory"]
    assert own["projects"] == 150 and not own["lower_bound"]  # 100 + 50
    # difficult: (60 + masked counted 0) / 150 = 40 %, a minimum
    assert own["share_difficult"] == pytest.approx(40.0) and own["difficult_lower_bound"]
    # at most (60 + 50) / 150 when the masked numerator is the whole cell
    assert own["share_difficult_max"] == pytest.approx(100 * 110 / 150)
    assert own["share_seasonal"] == pytest.approx(100 * 15 / 150)
    assert not own["seasonal_lower_bound"]


def test_masked_projects_make_the_total_a_lower_bound(bmo_cube):
    out = recruitment_summary(bmo_cube, bmo_cube.territory("duo")).set_index("role")
    own = out.loc["territory"]
    # 0051: 100 + 50 ; 2705: 200 + masked -> at least 350
    assert own["projects"] == 350 and own["lower_bound"] and own["n_masked"] == 1
    assert own["share_difficult"] == pytest.approx(100 * 160 / 350)
    france = out.loc["france"]
    # all zones: 350 + 40 + 60 = 450 ; difficult 60 + 0 + 100 + 10 + 30 = 200
    assert france["projects"] == 450 and france["share_difficult"] == pytest.approx(100 * 200 / 450)


def test_by_occupation_leaves_masked_territory_figures_out(bmo_cube):
    out = recruitment_by_occupation(bmo_cube, bmo_cube.territory("2705"))
    assert list(out["occupation"]) == ["X1"]  # X2 masked in 2705
    assert out["occupation_label"].iloc[0] == "Métier un"
    assert out["share_difficult"].iloc[0] == pytest.approx(50.0)  # 100 / 200
    # France X1: (60 + 100 + 10) / (100 + 200 + 40)
    assert out["share_difficult_france"].iloc[0] == pytest.approx(100 * 170 / 340)


def test_sentence_says_minimums(bmo_cube):
    frame = recruitment_summary(bmo_cube, bmo_cube.territory("duo"))
    text = n.recruitment(frame, "Note de méthode.").replace("\u00a0", " ").replace("\u202f", " ")
    assert "prévoient au moins 350 projets de recrutement" in text
    # difficult: 160 / 350 = 45,7 % to (160 + 50) / 350 = 60,0 % ; France 200/450 to 250/450
    assert (
        "Parmi les projets publiés, entre 45,7 % et 60,0 % sont jugés difficiles "
        "(France : entre 44,4 % et 55,6 %)"
    ) in text
    assert "et 10,0 % sont saisonniers" in text  # (10 + 5 + 20) / 350, nothing masked
    assert "1 des 4 croisements zone × métier sont masqués" in text
    assert text.endswith("Note de méthode.")


def test_no_projects_withholds_the_sentence(bmo_cube):
    frame = recruitment_summary(bmo_cube, bmo_cube.territory("2705"))
    frame.loc[frame["role"] == "territory", "projects"] = NAN
    assert n.recruitment(frame).startswith("Les données nécessaires")
    assert math.isnan(frame.loc[0, "projects"])
