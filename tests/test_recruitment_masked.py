"""BMO cells masked for statistical secrecy: what the published cells show and how much the
masked ones can hide, checked by hand on a small workbook and on the real Belfort + Montbéliard
figures; France is the sum of the basins (the workbook holds no national total)."""

from __future__ import annotations

import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import TINY_GROUPS, TINY_ZONES

from bassin_lib.analysis import recruitment_summary
from bassin_lib.errors import BassinWarning
from bassin_lib.inputs import cube as cube_module
from bassin_lib.inputs.sources import francetravail_bmo as bmo
from bassin_lib.inputs.territories import Referentiel
from bassin_lib.rendering import narrative
from bassin_lib.rendering.french import format_number, format_percent

HEADER = ["annee", "Code métier BMO", "Nom métier BMO", "Famille_met", "Lbl_fam_met", "REG"]
HEADER += ["NOM_REG", "Dept", "NomDept", "BE24", "NOMBE24", "met", "xmet", "smet"]
# occupation, département, basin, met, xmet, smet ("*": masked)
ROWS = [
    ("X1", "90", 11, 100, 60, 10),
    ("X2", "90", 11, 20, "*", 5),  # difficult masked: at most 4
    ("X3", "90", 11, "*", "*", "*"),  # all masked: at most 4 projects
    ("X1", "25", 22, 50, 30, "*"),  # basin 22 straddles 25 and 70
    ("X1", "70", 22, 8, "*", "*"),
    ("X2", "25", 22, 40, 10, 12),
    ("X2", "70", 22, "*", "*", "*"),
]
# basin 11 lies in zone 2705; basin 22 for 20 % in 2705, 80 % in 2714
CROSSWALK = pd.DataFrame(
    {"basin": ["11", "22", "22"], "zone": ["2705", "2705", "2714"], "share": [1.0, 0.2, 0.8]}
)


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture
def workbook(tmp_path) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "Description des variables"
    sheet = book.create_sheet("BMO_2024_open_data")
    sheet.append(HEADER)
    for occupation, dept, basin, met, xmet, smet in ROWS:
        sheet.append(
            [2024, occupation, "Métier", "Z", "Famille", "27", "BFC", dept, "Dépt", basin, "B"]
            + [met, xmet, smet]
        )
    path = tmp_path / "bmo.xlsx"
    book.save(path)
    return path


def _value(table, **keys) -> float:
    rows = table
    for column, wanted in keys.items():
        rows = rows[rows[column] == wanted]
    assert len(rows) == 1, keys
    return float(rows["value"].iloc[0])


def test_reader_bounds_the_masked_figures_of_each_basin(workbook):
    table = bmo.read(workbook)
    bound = {
        (code, measure): _value(table, code=code, occupation=bmo.MASKED, measure=measure)
        for code in ("11", "22")
        for measure in ("projects", "difficult", "seasonal")
    }
    # basin 11: X3 masked (≤ 4 projects); X2's difficult masked (≤ 4, its cell has 20)
    assert bound["11", "projects"] == 4 and bound["11", "difficult"] == 4
    assert bound["11", "seasonal"] == 0
    # basin 22: X2 has a masked part, 40 published + ≤ 4; X1 (58 projects) has difficult
    # 30 + ≤ 4 and seasonal ≤ 4 + ≤ 4
    assert bound["22", "projects"] == 44 and bound["22", "difficult"] == 34
    assert bound["22", "seasonal"] == 8


@pytest.fixture
def hand_cube(workbook):
    table, labels = bmo.read_with_occupations(workbook)
    zones = bmo.to_zones(table, CROSSWALK)
    meta = {
        "france_label": "France",
        "occupations": dict(zip(labels["occupation"], labels["occupation_label"], strict=True)),
    }
    referentiel = Referentiel(TINY_ZONES.copy(), TINY_GROUPS)
    return cube_module.build_cube({"recruitment_bmo": zones}, referentiel, meta=meta)


def test_summary_and_sentence_against_a_hand_computation(hand_cube):
    summary = recruitment_summary(hand_cube, hand_cube.territory("2705")).set_index("role")
    own, france = summary.loc["territory"], summary.loc["france"]
    # 2705: X1 100 + 0.2 × 58 = 111.6 ; X2 20 (basin 22's X2 masked) ; X3 masked
    assert own["projects"] == pytest.approx(131.6)
    # masked: 4 (basin 11) + 0.2 × 44 (basin 22) = 12.8, i.e. 12.8 / 144.4 of the total
    assert own["projects_masked_max"] == pytest.approx(12.8)
    assert own["masked_share_max"] == pytest.approx(100 * 12.8 / 144.4)
    # difficult: 60 published ; masked at most 4 + 0.2 × 34 = 10.8
    assert own["share_difficult"] == pytest.approx(100 * 60 / 131.6)
    assert own["share_difficult_max"] == pytest.approx(100 * 70.8 / 131.6)
    # seasonal: 10 + 5 published ; masked at most 0 + 0.2 × 8 = 1.6
    assert own["share_seasonal"] == pytest.approx(100 * 15 / 131.6)
    assert own["share_seasonal_max"] == pytest.approx(100 * 16.6 / 131.6)
    # France, the sum of the basins: 100 + 20 + 58 published, 4 + 44 masked at most
    assert france["projects"] == pytest.approx(178)
    assert france["masked_share_max"] == pytest.approx(100 * 48 / 226)
    assert france["share_difficult"] == pytest.approx(100 * 60 / 178)
    assert france["share_difficult_max"] == pytest.approx(100 * 98 / 178)

    text = _plain(narrative.recruitment(summary.reset_index(), bmo.CROSSWALK_NOTE))
    assert text.startswith(
        "Selon l'enquête Besoins en main-d'œuvre 2024, les employeurs de Zone Deux prévoient au "
        "moins 132 projets de recrutement, total des cellules publiées ; les cellules masquées "
        "par le secret statistique en ajoutent au plus 13, soit au plus 8,9 % des projets du "
        "territoire (France : 21,2 %)."
    )
    assert (
        "Parmi les projets publiés, entre 45,6 % et 53,8 % sont jugés difficiles (France : "
        "entre 33,7 % et 55,1 %) et entre 11,4 % et 12,6 % sont saisonniers (France : entre "
        "8,4 % et 12,9 %)."
    ) in text
    assert "Les fourchettes comptent pour zéro, puis pour leur maximum possible" in text
    assert "la France est ici la somme des bassins d'emploi." in text
    assert "croisements" not in text  # the masked cells are bounded, not counted


def test_without_masked_cells_one_figure_each(hand_cube):
    summary = recruitment_summary(hand_cube, hand_cube.territory("2705"))
    published = summary.assign(
        lower_bound=False,
        projects_masked_max=0.0,
        difficult_lower_bound=False,
        seasonal_lower_bound=False,
    )
    text = _plain(narrative.recruitment(published))
    assert "prévoient 132 projets de recrutement. Parmi ces projets, 45,6 % sont jugés" in text
    assert "entre" not in text and "masqu" not in text


# --- the real 2024 workbook ---------------------------------------------------------------------

BMO_REAL = "francetravail_bmo/Base_open_data_BMO_2024.xlsx"
BASINS_REAL = "francetravail_bmo/France_Travail_Bassin_Emploi_2021.csv"
GROUP = ("2705", "2714")  # Belfort + Montbéliard


def _raw_rows(path: Path) -> pd.DataFrame:
    """The data rows of the workbook, read with openpyxl alone (not the reader)."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        assert book.sheetnames == ["Description des variables", "BMO_2024_open_data"]
        rows = book["BMO_2024_open_data"].iter_rows(values_only=True)
        header = next(rows)
        frame = pd.DataFrame(list(rows), columns=header)
    finally:
        book.close()
    return frame


@pytest.fixture(scope="module")
def real(real_dir):
    from bassin_lib.inputs.real import locate
    from bassin_lib.inputs.sources import insee_ze2020
    from bassin_lib.inputs.territories import load_groups

    communes = insee_ze2020.read_composition(locate(real_dir)["composition"])
    zones = insee_ze2020.zones_from_composition(communes)
    groups = load_groups(Path(__file__).parents[1] / "data" / "groups.yaml", zones)
    table = bmo.read(real_dir / BMO_REAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BassinWarning)
        crosswalk = bmo.basin_zone_crosswalk(
            bmo.read_basin_communes(real_dir / BASINS_REAL), communes
        )
    cube = cube_module.build_cube(
        {"recruitment_bmo": bmo.to_zones(table, crosswalk)},
        Referentiel(zones, groups),
        meta={"france_label": "France", "approximate_tables": ["recruitment_bmo"]},
    )
    return cube, crosswalk, _raw_rows(real_dir / BMO_REAL)


def _by_hand(raw: pd.DataFrame, weights: pd.Series) -> dict:
    """Published projects, the bound of the masked ones and the difficult share's range of the
    basins weighted by ``weights`` (basin → share of the territory), from the raw rows."""
    rows = raw[raw["BE24"].astype(str).isin(weights.index)].copy()
    rows["w"] = rows["BE24"].astype(str).map(weights)
    for column in ("met", "xmet", "smet"):
        rows[column] = pd.to_numeric(rows[column], errors="coerce")
    keys = ["BE24", "Code métier BMO"]
    cells = [rows[key] for key in keys]
    cell_masked = rows["met"].isna().groupby(cells).transform("any")
    difficult_masked = rows["xmet"].isna().groupby(cells).transform("any")
    published = rows[~cell_masked]
    projects = (published["met"] * published["w"]).sum()
    masked = rows[cell_masked]
    hidden = (masked["met"].fillna(bmo.MASKED_AT_MOST) * masked["w"]).sum()
    difficult = (published["xmet"] * published["w"])[~difficult_masked[~cell_masked]].sum()
    loose = published[difficult_masked[~cell_masked]]
    part_max = loose["met"].clip(upper=bmo.MASKED_AT_MOST)
    cell_bound = (
        loose.assign(bound=loose["xmet"].fillna(part_max))
        .groupby(keys)
        .agg(bound=("bound", "sum"), projects=("met", "sum"), w=("w", "first"))
    )
    difficult_hidden = (cell_bound[["bound", "projects"]].min(axis=1) * cell_bound["w"]).sum()
    return {
        "projects": projects,
        "hidden": hidden,
        "low": 100 * difficult / projects,
        "high": 100 * (difficult + difficult_hidden) / projects,
    }


def test_real_belfort_montbeliard_against_the_raw_rows(real):
    cube, crosswalk, raw = real
    summary = recruitment_summary(cube, cube.territory("nord-franche-comte")).set_index("role")
    own = summary.loc["territory"]
    weights = crosswalk[crosswalk["zone"].isin(GROUP)].groupby("basin")["share"].sum()
    hand = _by_hand(raw, weights)
    assert own["projects"] == pytest.approx(hand["projects"])
    assert own["projects_masked_max"] == pytest.approx(hand["hidden"])
    assert own["share_difficult"] == pytest.approx(hand["low"])
    assert own["share_difficult_max"] == pytest.approx(hand["high"])
    # a few thousand projects, a narrow range: nothing like « entre 37,9 % et 84,3 % »
    assert 9000 < own["projects"] < 9500 and own["masked_share_max"] < 5
    assert own["share_difficult_max"] - own["share_difficult"] < 5

    text = _plain(narrative.recruitment(summary.reset_index()))
    share = 100 * hand["hidden"] / (hand["projects"] + hand["hidden"])
    assert (
        f"prévoient au moins {_plain(format_number(hand['projects']))} projets de recrutement, "
        f"total des cellules publiées ; les cellules masquées par le secret statistique en "
        f"ajoutent au plus {_plain(format_number(hand['hidden']))}, soit au plus "
        f"{_plain(format_percent(share))} des projets du territoire"
    ) in text
    difficult = f"entre {format_percent(hand['low'])} et {format_percent(hand['high'])}"
    assert f"Parmi les projets publiés, {_plain(difficult)} sont jugés difficiles" in text


def test_real_workbook_has_no_national_total_so_france_is_the_sum_of_the_basins(real):
    cube, crosswalk, raw = real
    # every data row is one basin × occupation × département: no total row, no France or
    # region row (the sheet list is checked when reading the rows)
    assert raw["BE24"].notna().all() and raw["Code métier BMO"].notna().all()
    assert pd.to_numeric(raw["BE24"], errors="coerce").notna().all()
    assert raw.groupby(["BE24", "Code métier BMO", "Dept"]).size().max() == 1
    # the survey publishes no figure under 5: a masked one is at most MASKED_AT_MOST
    for column in ("met", "xmet", "smet"):
        assert pd.to_numeric(raw[column], errors="coerce").min() == bmo.MASKED_AT_MOST + 1
    summary = recruitment_summary(cube, cube.territory("2705")).set_index("role")
    france = summary.loc["france"]
    placed = pd.Series(1.0, index=crosswalk["basin"].unique())
    hand = _by_hand(raw, placed)
    assert france["projects"] == pytest.approx(hand["projects"])
    assert france["projects_masked_max"] == pytest.approx(hand["hidden"])
    assert france["share_difficult"] == pytest.approx(hand["low"])
    assert france["share_difficult_max"] == pytest.approx(hand["high"])
    # the survey's national figures (press release of April 2024: 2 782 000 projects, 57,4 %
    # judged difficult) lie within the bounds of the sum of the basins
    assert france["projects"] < 2_782_000 < france["projects"] + france["projects_masked_max"]
    assert france["share_difficult"] < 57.4 < france["share_difficult_max"]
    assert "la France est ici la somme des bassins d'emploi" in bmo.CROSSWALK_NOTE
