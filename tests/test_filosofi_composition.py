"""Filosofi on real data: composition of disposable income (section 2) and living standards
(section 3), checked against the workbook's own cells (skipped without ../shared/data/real);
the exact group poverty rate and the profile rule on hand-made frames; the demo's section 2
unchanged."""

import io
import math
import warnings
import zipfile

import openpyxl
import pandas as pd
import pytest

from bassin_lib import analysis as ind
from bassin_lib.errors import BassinWarning, DataFormatError, ParameterError
from bassin_lib.inputs import cube as cube_module
from bassin_lib.inputs.sources import insee_filosofi
from bassin_lib.inputs.territories import Referentiel
from bassin_lib.rendering import narrative as n
from bassin_lib.rendering import provenance, sections

FILOSOFI_2019 = "insee_filosofi/base-cc-filosofi-2019_XLSX.zip"
FILOSOFI_2018 = "insee_filosofi/base-cc-filosofi-2018_XLSX-geo2021.zip"
COMPONENTS = ["PACT", "PTSA", "PCHO", "PBEN", "PPEN", "PPAT", "PPSOC", "PPFAM", "PPMINI"]
COMPONENTS += ["PPLOGT", "PIMPOT"]


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _cells(path, sheet, code, suffix="19"):
    """Every cell of the row ``code`` of ``sheet``, by header name (read with openpyxl)."""
    with zipfile.ZipFile(path) as archive:
        data = archive.read(archive.namelist()[0])
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        header = None
        for row in book[sheet].iter_rows(values_only=True):
            if header is None:
                if row and row[0] == "CODGEO":
                    header = list(row)
                continue
            if row and str(row[0]) == code:
                return {name: value for name, value in zip(header, row, strict=False) if name}
    finally:
        book.close()
    raise AssertionError(f"{code} not in sheet {sheet}")


@pytest.fixture(scope="module")
def composition_2019(real_dir):
    return insee_filosofi.read_composition(real_dir / FILOSOFI_2019)


@pytest.fixture(scope="module")
def real_cube_dir(real_dir, tmp_path_factory):
    from bassin_lib.inputs.real import build_real
    from bassin_lib.paths import GROUPS_FILES

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BassinWarning)
        cube = build_real(real_dir, GROUPS_FILES["real"])
    return cube.save(tmp_path_factory.mktemp("real_cube"))


@pytest.fixture(scope="module")
def real_cube(real_cube_dir):
    return cube_module.load_cube(real_cube_dir)


def _texts(items) -> str:
    return "\n\n".join(plain(item.data) for item in items if hasattr(item, "data"))


# --- reader ---------------------------------------------------------------------------------


def test_composition_of_belfort_region_and_france_equal_the_cells(composition_2019, real_dir):
    value = composition_2019.set_index(["level", "code", "component"])["value"]
    for level, code, sheet, official in (
        ("zone", "2705", "ZE2020", "2705"),
        ("region", "27", "REG", "27"),
        ("france", "FR", "METRO", "1"),  # France métropolitaine: the file has no France row
    ):
        cells = _cells(real_dir / FILOSOFI_2019, sheet, official)
        for component in COMPONENTS:
            assert value[level, code, component] == pytest.approx(float(cells[component + "19"]))
    assert value["zone", "2705", "PPEN"] == 29.2  # « presque 30 % » of the source study
    assert value["region", "27", "PPEN"] == 32.4 and value["france", "FR", "PPEN"] == 28.3
    assert value["zone", "2705", "PIMPOT"] == -15.8
    assert set(composition_2019["component"]) == set(COMPONENTS)
    assert composition_2019.groupby("level")["code"].nunique().to_dict() == {
        "zone": 297,
        "region": 15,
        "france": 1,
    }


def test_the_five_sources_sum_to_one_hundred_and_the_parts_to_their_whole(composition_2019):
    wide = composition_2019.pivot_table(
        index=["level", "code"], columns="component", values="value"
    ).dropna()
    total = wide[["PACT", "PPEN", "PPAT", "PPSOC", "PIMPOT"]].sum(axis=1)
    assert (total - 100).abs().max() < 0.25  # published shares rounded to 0,1
    assert (wide[["PTSA", "PCHO", "PBEN"]].sum(axis=1) - wide["PACT"]).abs().max() < 0.25
    assert (wide[["PPFAM", "PPMINI", "PPLOGT"]].sum(axis=1) - wide["PPSOC"]).abs().max() < 0.25


def test_composition_2018_and_persons_in_income_poverty(real_dir):
    table = insee_filosofi.read_composition(real_dir / FILOSOFI_2018, year=2018)
    assert set(table["period"]) == {pd.Period("2018", "Y")}
    cells = _cells(real_dir / FILOSOFI_2018, "ZE2020", "2705")
    own = table[(table["code"] == "2705") & (table["component"] == "PPEN")]["value"]
    assert own.iloc[0] == pytest.approx(float(cells["PPEN18"]))
    poverty = insee_filosofi.read(real_dir / FILOSOFI_2019)
    value = poverty.set_index(["level", "code", "indicator"])["value"]
    assert value["zone", "2705", "persons"] == 186097
    assert value["zone", "2714", "persons"] == 162809


def test_a_file_without_the_composition_columns_is_refused(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "ZE2020"
    for row in (
        ["FiLoSoFi"],
        [],
        [],
        [],
        ["Code géographique", "Libellé"],
        ["CODGEO", "LIBGEO", "MED19", "TP6019", "D119", "D919", "PACT19", "PPEN19"],
        ["2705", "Belfort", 21740, 14, 11860, 37150, 73.8, 29.2],
    ):
        sheet.append(row)
    path = tmp_path / "filo.xlsx"
    book.save(path)
    with pytest.raises(DataFormatError, match=r"sheet 'ZE2020', row 6: missing column\(s\) "):
        insee_filosofi.read_composition(path)
    # the poverty reader needs no persons column: the count is read only when present
    table = insee_filosofi.read(path)
    assert "persons" not in set(table["indicator"])


# --- cube: exact group poverty rate ------------------------------------------------------------


def _tiny(with_persons: bool):
    zones = pd.DataFrame(
        {
            "zone": ["0001", "0002"],
            "label": ["Une", "Deux"],
            "region": ["R1", "R1"],
            "region_label": ["Région", "Région"],
            "departements": ["01", "01"],
        }
    )
    referentiel = Referentiel(zones, {"duo": {"label": "Duo", "zones": ("0001", "0002")}})
    year = pd.PeriodIndex(["2019"] * 2, freq="Y")
    rows = [("poverty_rate", [10.0, 20.0]), ("median_living_standard", [20000.0, 22000.0])]
    if with_persons:
        rows.append(("persons", [300.0, 100.0]))
    income = pd.concat(
        [
            pd.DataFrame(
                {
                    "level": "zone",
                    "code": ["0001", "0002"],
                    "period": year,
                    "indicator": name,
                    "value": values,
                }
            )
            for name, values in rows
        ],
        ignore_index=True,
    )
    population = pd.DataFrame(
        {"level": "zone", "code": ["0001", "0002"], "period": year, "value": [100.0, 100.0]}
    )
    tables = {"income_poverty": income, "population": population}
    return cube_module.build_cube(tables, referentiel, meta={"france_label": "France"})


def test_a_group_poverty_rate_is_weighted_by_persons_exactly():
    cube = _tiny(with_persons=True)
    levels = ind.income_poverty_levels(cube, cube.territory("duo"))
    own = levels[levels["role"] == "territory"].iloc[0]
    assert own["poverty_rate"] == pytest.approx((10 * 300 + 20 * 100) / 400)  # 12,5, not 15
    assert not own["poverty_rate_approximate"]
    assert own["median_living_standard"] == pytest.approx(21000)  # population-weighted
    assert own["median_living_standard_approximate"] and own["approximate"]
    table = cube.tables["income_poverty"].set_index(["level", "code", "indicator"])["value"]
    assert table["group", "duo", "persons"] == 400  # counts are summed
    assert table["region", "R1", "poverty_rate"] == pytest.approx(12.5)  # rebuilt: exact too


def test_without_persons_a_group_rate_stays_population_weighted_and_approximate():
    cube = _tiny(with_persons=False)
    levels = ind.income_poverty_levels(cube, cube.territory("duo"))
    own = levels[levels["role"] == "territory"].iloc[0]
    assert own["poverty_rate"] == pytest.approx(15.0)
    assert own["poverty_rate_approximate"] and own["approximate"]


def test_real_group_poverty_rate_is_exact_from_the_two_zones_cells(real_cube, real_dir):
    belfort = _cells(real_dir / FILOSOFI_2019, "ZE2020", "2705")
    montbeliard = _cells(real_dir / FILOSOFI_2019, "ZE2020", "2714")
    persons = [float(z["NBPERSMENFISC19"]) for z in (belfort, montbeliard)]
    rates = [float(z["TP6019"]) for z in (belfort, montbeliard)]
    assert (persons, rates) == ([186097, 162809], [14.0, 14.7])
    # (14,0 × 186 097 + 14,7 × 162 809) / 348 906 = 4 998 650,3 / 348 906 = 14,3266 %
    expected = sum(r * p for r, p in zip(rates, persons, strict=True)) / sum(persons)
    assert expected == pytest.approx(14.32664, abs=1e-5)
    levels = ind.income_poverty_levels(real_cube, real_cube.territory("nord-franche-comte"))
    own = levels[levels["role"] == "territory"].iloc[0]
    assert own["poverty_rate"] == pytest.approx(expected, rel=1e-12)
    assert not own["poverty_rate_approximate"]
    assert own["median_living_standard_approximate"] and own["d1_approximate"]


def test_real_group_composition_is_population_weighted_and_flagged(real_cube):
    levels = ind.income_composition_levels(real_cube, real_cube.territory("nord-franche-comte"))
    own = levels[levels["role"] == "territory"].iloc[0]
    population = real_cube.tables["population"]
    zones = population[population["level"] == "zone"].sort_values("period")
    weights = zones.groupby("code")["value"].last()[["2705", "2714"]]
    expected = (29.2 * weights["2705"] + 31.9 * weights["2714"]) / weights.sum()
    assert own["PPEN"] == pytest.approx(expected) and own["approximate"]
    assert levels["label"].tolist()[1:] == ["Bourgogne-Franche-Comté", "France"]


# --- the profile rule ------------------------------------------------------------------------


def _levels(territory: dict, france: dict | None = None) -> pd.DataFrame:
    france = france or {"PACT": 73.5, "PPEN": 28.3, "PPAT": 10.1, "PPSOC": 5.8}
    rows = [("territory", "T", territory), ("region", "R", france), ("france", "F", france)]
    return pd.DataFrame(
        [
            {"role": role, "label": label, "period": pd.Period("2019", "Y"), **values}
            for role, label, values in rows
        ]
    ).assign(approximate=False)


@pytest.mark.parametrize(
    ("shares", "label", "strong"),
    [
        (
            {"PACT": 73.8, "PPEN": 29.2, "PPAT": 6.9, "PPSOC": 5.9},
            "territoire à dominante de revenus d'activité",
            "",
        ),
        (
            {"PACT": 69.7, "PPEN": 31.9, "PPAT": 6.0, "PPSOC": 7.0},
            "territoire à dominante de revenus d'activité, à forte part des pensions",
            "PPEN",
        ),
        (  # exactly the margin: strong
            {"PACT": 66.0, "PPEN": 30.3, "PPAT": 12.1, "PPSOC": 7.8},
            "territoire à dominante de revenus d'activité, à forte part des pensions, des "
            "revenus du patrimoine et des prestations sociales",
            "PPEN, PPAT, PPSOC",
        ),
        (
            {"PACT": 80.0, "PPEN": 22.0, "PPAT": 8.0, "PPSOC": 5.0},
            "territoire à forte dominante de revenus d'activité",
            "PACT",
        ),
        (
            {"PACT": 36.8, "PPEN": 49.9, "PPAT": 20.0, "PPSOC": 8.0},
            "territoire à forte dominante de pensions, à forte part des revenus du patrimoine "
            "et des prestations sociales",
            "PPEN, PPAT, PPSOC",
        ),
    ],
)
def test_profile_rule(shares, label, strong):
    profile = ind.income_composition_profile(_levels(shares))
    own = profile[profile["role"] == "territory"].iloc[0]
    assert own["profile"] == label and own["strong"] == strong and own["complete"]
    assert own["gap_PPEN"] == pytest.approx(shares["PPEN"] - 28.3)


def test_profile_margin_is_checked_and_a_masked_share_is_incomplete():
    shares = {"PACT": 70.0, "PPEN": 31.0, "PPAT": math.nan, "PPSOC": 6.0}
    profile = ind.income_composition_profile(_levels(shares), margin=3.0)
    own = profile[profile["role"] == "territory"].iloc[0]
    assert own["profile"] == "territoire à dominante de revenus d'activité"
    assert not own["complete"] and own["margin"] == 3.0
    with pytest.raises(ParameterError, match=r"margin -1"):
        ind.income_composition_profile(_levels(shares), margin=-1)
    with pytest.raises(ParameterError, match=r"levels must be the frame"):
        ind.income_composition_profile(pd.DataFrame({"role": ["territory"]}))


# --- sentences -------------------------------------------------------------------------------


def test_rounded_shares_and_euro_comparisons():
    assert plain(n.rounded_share(29.2)) == "presque 30 %"
    assert plain(n.rounded_share(30.5)) == "un peu plus de 30 %"
    assert plain(n.rounded_share(30.0)) == "30 %"
    assert plain(n.rounded_share(27.4)) == "27,4 %"
    assert n.compare_euro_levels(21740, 21640) == "proche de"  # + 0,46 %
    assert n.compare_euro_levels(21740, 21930) == "inférieur à"  # - 0,87 %
    assert n.compare_euro_levels(37150, 39600) == "nettement inférieur à"  # - 6,2 %
    assert n.compare_euro_levels(11860, 11620) == "supérieur à"


def test_belfort_section_2_and_3_on_real_data(real_cube_dir):
    d = sections.open_diagnostic("2705", data_source="real", cube_dir=real_cube_dir)
    items = sections.development_model(d)
    text = _texts(items)
    assert "composition du revenu disponible des ménages" in text
    assert "Filosofi 2019" in text and "Les revenus captés de l'étude de référence" in text
    assert (
        "Les pensions, retraites et rentes en apportent presque 30 % (29,2 %, contre 32,4 % "
        "dans la région et 28,3 % en France métropolitaine)"
    ) in text
    assert "Belfort est un territoire à dominante de revenus d'activité" in text
    figure = [item for item in items if not hasattr(item, "data")]
    assert len(figure) == 1
    assert provenance.figure_title(figure[0]) == (
        "Composition du revenu disponible des ménages en 2019 "
        "(en % du revenu disponible ; impôts en négatif)"
    )
    assert d.prov.figures[-1]["function"] == [
        "bassin_lib.analysis.development_model.income_composition_levels"
    ]
    poverty = _texts(sections.poverty(d))
    assert poverty.startswith("En 2019, le taux de pauvreté atteint 14,0 %")
    assert (
        "Le niveau de vie médian est de 21 740 € par an et par unité de consommation : proche "
        "de celui de la région (21 640 €) et inférieur à celui de la France métropolitaine "
        "(21 930 €)."
    ) in poverty
    assert (
        "Le 1er décile, sous lequel vivent les 10 % les plus pauvres, est de 11 860 € : "
        "inférieur à celui de la région (12 230 €) et supérieur à celui de la France "
        "métropolitaine (11 620 €)."
    ) in poverty
    assert "nettement inférieur à celui de la France métropolitaine (39 600 €)" in poverty


def test_group_sections_say_what_is_exact_and_what_is_approximate(real_cube_dir):
    d = sections.open_diagnostic("nord-franche-comte", data_source="real", cube_dir=real_cube_dir)
    text = _texts(sections.development_model(d))
    assert "à forte part des pensions" in text
    assert "Pour un groupe de zones, ces parts sont des valeurs approchées" in text
    poverty = _texts(sections.poverty(d))
    assert poverty.startswith(
        "En 2019, le taux de pauvreté atteint 14,3 %, supérieur à la moyenne régionale"
    )  # exact: no « valeur approchée » after the rate
    assert (
        "Les niveaux de vie sont ainsi inférieurs à ceux de la région et de la France "
        "métropolitaine, excepté pour les 10 % les plus pauvres (1er décile supérieur à celui "
        "de la France métropolitaine)."
    ) in poverty
    assert "la médiane et les déciles sont des valeurs approchées" in poverty
    assert "Le taux de pauvreté est, lui, recalculé exactement" in poverty


# --- the demo's section 2 is unchanged ----------------------------------------------------------

DEMO_SECTION_2 = {
    "DA01": (
        "En 2020, le modèle de développement du territoire est de type « public-pendulaire » : "
        "les bases de revenus qui le caractérisent (supérieures d'au moins un point à la moyenne "
        "des zones d'emploi, ou en hausse depuis 2015) sont revenus publics (23,6 % des revenus "
        "captés) et revenus pendulaires (15,0 % des revenus captés)."
    ),
    "pole-fictif-alpha": (
        "En 2020, le modèle de développement du territoire est de type « pendulaire-touristique »"
        " : les bases de revenus qui le caractérisent (supérieures d'au moins un point à la "
        "moyenne des zones d'emploi, ou en hausse depuis 2015) sont revenus pendulaires (12,6 % "
        "des revenus captés) et dépenses touristiques (10,3 % des revenus captés)."
    ),
}


@pytest.mark.parametrize("territory", sorted(DEMO_SECTION_2))
def test_demo_section_2_is_unchanged(territory):
    d = sections.open_diagnostic(territory)
    items = sections.development_model(d)
    assert len(items) == 2
    assert plain(items[0].data) == DEMO_SECTION_2[territory]
    assert provenance.figure_title(items[1]) == (
        "Structure des revenus captés par le territoire en 2020 (en %)"
    )
    assert d.prov.figures[-1]["function"] == [
        "bassin_lib.analysis.development_model.income_base_shares"
    ]
