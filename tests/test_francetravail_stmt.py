"""France Travail STMT (job seekers by month, commune, département and region): the reader, the
cube (levels kept as published), the département reading of a territory, the French names of
the départements and section 5 on a cube holding only this table.

Real-file tests read ../shared/data/real (skipped when absent) and check figures against cells
read by hand in the file (and again with the csv module); the malformed variants are small
files written in the same layout into tmp_path. Expected values are hand arithmetic.
"""

from __future__ import annotations

import csv
import math

import pandas as pd
import pytest

import bassin_lib.analysis as ind
from bassin_lib.errors import BassinWarning, DataFormatError, ParameterError
from bassin_lib.inputs import cube as cube_module
from bassin_lib.inputs.real import commune_index
from bassin_lib.inputs.sources import catalogue, francetravail_stmt, insee_ze2020
from bassin_lib.inputs.territories import Referentiel, load_groups
from bassin_lib.paths import GROUPS_FILES
from bassin_lib.rendering import french, sections

REAL = "francetravail_demandeurs_emploi/emploi_demandeur.csv"
COMPOSITION = "insee_ze2020_mapping/zones_emloi_ZE2020_2023.csv"
HEADER = "codgeo,YEAR,Demandeurs_Emploi"


def write(tmp_path, text, name="c.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def value(table, **keys):
    """The single value of ``table`` at ``keys`` (months given as ``"2020-01"``)."""
    mask = pd.Series(True, index=table.index)
    for column, wanted in keys.items():
        if column == "period":
            wanted = pd.Period(wanted, freq="M")
        mask &= table[column] == wanted
    (found,) = table.loc[mask, "value"]
    return found


# --- reader: fixtures in the file's layout ---------------------------------------------------


def test_levels_are_told_apart_by_the_code_shape(tmp_path):
    text = HEADER + (
        "\n01053,janvier_2020,4840\n2A004,février_2020,3000\n1053,Aout_2020,4800"
        "\n90,janvier_2020,13600\n2A,janvier_2020,5000\n971,janvier_2020,60000"
        "\n1,janvier_2020,20000\nreg27,decembre_2024,235960\n"
    )
    table = francetravail_stmt.read(write(tmp_path, text))
    got = {(r.level, r.code, str(r.period)): r.value for r in table.itertuples()}
    assert got == {
        ("commune", "01053", "2020-01"): 4840,
        ("commune", "2A004", "2020-02"): 3000,
        ("commune", "01053", "2020-08"): 4800,
        ("departement", "90", "2020-01"): 13600,
        ("departement", "2A", "2020-01"): 5000,
        ("departement", "971", "2020-01"): 60000,
        ("departement", "01", "2020-01"): 20000,
        ("region", "27", "2024-12"): 235960,
    }
    assert list(table.columns) == ["level", "code", "period", "value"]  # no category made up


def test_masked_cells_are_nan_and_rounded_counts_are_kept_as_published(tmp_path):
    text = HEADER + (
        "\n90010,janvier_2020,*\n90010,fevrier_2020,s\n90010,mars_2020,"
        "\n90010,avril_2020,0\n90010,mai_2020,5865\n90010,juin_2020,5 860\n"
    )
    table = francetravail_stmt.read(write(tmp_path, text))
    for month in ("2020-01", "2020-02", "2020-03"):
        assert math.isnan(value(table, code="90010", period=month))
    assert value(table, code="90010", period="2020-04") == 0  # a published 0 stays 0
    assert value(table, code="90010", period="2020-05") == 5865  # never re-rounded
    assert value(table, code="90010", period="2020-06") == 5860


def test_repeated_rows_are_read_once_and_ambiguous_codes_are_nan(tmp_path):
    text = HEADER + (
        "\n01053,janvier_2020,4840\n01053,janvier_2020,4840"
        "\n74272,janvier_2020,350\n74272,janvier_2020,350"
        "\n74272,fevrier_2020,430\n74272,fevrier_2020,380\n"
    )
    with pytest.warns(BassinWarning, match=r"1 code\(s\) have two different counts .*74272"):
        table = francetravail_stmt.read(write(tmp_path, text))
    assert value(table, code="01053", period="2020-01") == 4840
    # 74272 has two counts in February: January's coinciding counts are not trusted either
    assert math.isnan(value(table, code="74272", period="2020-01"))
    assert math.isnan(value(table, code="74272", period="2020-02"))
    assert len(table) == 3


@pytest.mark.parametrize(
    ("row", "column", "found"),
    [
        ("90010,janvier_2020,12a", "Demandeurs_Emploi", "'12a'"),
        ("90010,janvier_2020,-10", "Demandeurs_Emploi", "'-10'"),
        ("980,janvier_2020,10", "codgeo", "'980'"),
        ("123456,janvier_2020,10", "codgeo", "'123456'"),
        ("90010,janv_2020,10", "YEAR", "'janv_2020'"),
        ("90010,2020-01,10", "YEAR", "'2020-01'"),
    ],
)
def test_a_malformed_row_names_file_row_and_column(tmp_path, row, column, found):
    text = HEADER + f"\n90,janvier_2020,13600\n{row}\n"
    with pytest.raises(
        DataFormatError, match=rf"c\.csv, row 3, column '{column}': found {found}; expected"
    ):
        francetravail_stmt.read(write(tmp_path, text))


def test_a_truncated_row_or_a_wrong_separator_is_an_error(tmp_path):
    with pytest.raises(DataFormatError, match=r"c\.csv, row 3: 2 field\(s\), expected 3"):
        francetravail_stmt.read(write(tmp_path, HEADER + "\n90,janvier_2020,1\n90,fevrier_2020\n"))
    with pytest.raises(DataFormatError, match=r"semicolon-separated"):
        francetravail_stmt.read(
            write(tmp_path, "codgeo;YEAR;Demandeurs_Emploi\n90;janvier_2020;1\n")
        )


def test_the_source_is_in_the_catalogue():
    assert francetravail_stmt.SOURCE in catalogue()
    line = francetravail_stmt.SOURCE.source_line()
    assert line.startswith("Source : France Travail, STMT")


# --- reader: the real file --------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_table(real_dir):
    with pytest.warns(BassinWarning, match=r"10 code\(s\) have two different counts"):
        return francetravail_stmt.read(real_dir / REAL)


def test_real_file_cells_read_by_hand(real_table, real_dir):
    # cells read in the file: a département, a commune, a region, a month without accent
    assert value(real_table, level="departement", code="90", period="2020-01") == 13600
    assert value(real_table, level="departement", code="70", period="2020-01") == 19640
    assert value(real_table, level="departement", code="25", period="2024-12") == 46850
    assert value(real_table, level="commune", code="90010", period="2020-01") == 5860
    assert value(real_table, level="commune", code="25388", period="2020-02") == 3070  # fevrier
    assert value(real_table, level="region", code="27", period="2024-12") == 228640
    # and every cell equals the file's, read again with the csv module
    with open(real_dir / REAL, encoding="utf-8", newline="") as handle:
        rows = {(r["codgeo"], r["YEAR"]): r["Demandeurs_Emploi"] for r in csv.DictReader(handle)}
    assert float(rows[("01053", "janvier_2020")]) == value(
        real_table, code="01053", period="2020-01"
    )
    assert float(rows[("2A", "decembre_2024")]) == value(real_table, code="2A", period="2024-12")


def test_real_file_coverage(real_table):
    assert len(real_table) == 144_180  # 2,403 codes x 60 months
    assert real_table.groupby("level")["code"].nunique().to_dict() == {
        "commune": 2288,
        "departement": 99,
        "region": 16,
    }
    assert str(real_table["period"].min()) == "2020-01"
    assert str(real_table["period"].max()) == "2024-12"
    departements = set(real_table.loc[real_table["level"] == "departement", "code"])
    assert set(french.DEPARTEMENTS) - departements == {"78", "976"}
    assert departements <= set(french.DEPARTEMENTS)
    regions = set(real_table.loc[real_table["level"] == "region", "code"])
    assert {"27", "11", "94"} <= regions and not {"93", "06"} & regions
    assert "france" not in set(real_table["level"])
    published = real_table["value"].dropna()
    assert (published % 10 == 0).all()  # rounded to 10 by the source
    assert real_table["value"].isna().sum() == 10 * 60  # the 10 ambiguous communes


# --- cube: levels kept as published, nothing summed -----------------------------------------

ZONES = pd.DataFrame(
    {
        "zone": ["0051", "2705", "2714"],
        "label": ["Zone Un", "Zone Deux", "Zone Trois"],
        "region": ["27", "27", "44"],
        "region_label": ["Bourgogne-Franche-Comté", "Bourgogne-Franche-Comté", "Grand Est"],
        "departements": ["25", "70,90", "90"],
    }
)
GROUPS = {"duo": {"label": "Duo", "zones": ("0051", "2705")}}
MONTHS = ["2020-01", "2020-06", "2020-12", "2021-12"]
DEPARTEMENTS = {  # a masked Doubs in June 2020
    "25": [1000, float("nan"), 1100, 1050],
    "70": [400, 410, 420, 380],
    "90": [300, 310, 330, 320],
}
COMMUNES = {"90010": [120, 125, 130, 140], "25388": [60, 62, 66, 70], "70285": [20, 21, 22, 30]}
COMMUNE_INDEX = {
    "90010": ["Belfort", "2705"],
    "25388": ["Montbéliard", "0051"],
    "70285": ["Héricourt", "2705"],
}


def _rows(level, code, values):
    return pd.DataFrame(
        {
            "level": level,
            "code": code,
            "period": pd.PeriodIndex(MONTHS, freq="M"),
            "value": [float(v) for v in values],
        }
    )


def local_table(departements=DEPARTEMENTS):
    parts = [_rows("departement", code, values) for code, values in departements.items()]
    parts += [_rows("commune", code, values) for code, values in COMMUNES.items()]
    parts.append(_rows("region", "27", [5000, 5100, 5200, 5050]))
    return pd.concat(parts, ignore_index=True)


def local_cube(departements=DEPARTEMENTS):
    meta = {
        "france_label": "France",
        "communes": COMMUNE_INDEX,
        "sources": {"jobseekers_local": francetravail_stmt.SOURCE.source_line()},
        "datasets": {"jobseekers_local": {"producer": "France Travail"}},
    }
    referentiel = Referentiel(ZONES.copy(), GROUPS)
    tables = {"jobseekers_local": local_table(departements)}
    return cube_module.build_cube(tables, referentiel, meta=meta)


def test_the_cube_keeps_departements_as_published_and_sums_nothing():
    cube = local_cube()
    table = cube.tables["jobseekers_local"]
    assert set(table["level"]) == {"departement", "commune", "region"}  # no zone, group, France
    published = local_table().sort_values(["level", "code", "period"], ignore_index=True)
    kept = table.sort_values(["level", "code", "period"], ignore_index=True)
    pd.testing.assert_frame_equal(kept[published.columns], published, check_dtype=False)
    assert not table["approximate"].any() and not table["lower_bound"].any()
    assert cube.meta["levels"]["jobseekers_local"] == {
        "published": ["region", "departement", "commune"],
        "computed": [],
    }


# --- analysis: the départements a territory covers ------------------------------------------


def test_a_zone_reads_the_sum_of_its_departements_against_its_region():
    cube = local_cube()
    t = cube.territory("2705")
    assert t.departements == ("70", "90")
    series = ind.jobseekers_departements(cube, t)
    own = series[series["role"] == "departements"]
    own = own.set_index(own["period"].astype(str))
    assert own.loc["2020-01", "value"] == 400 + 300
    assert own.loc["2021-12", "value"] == 380 + 320
    assert own["label"].iloc[0] == "70 + 90" and (own["parts"] == 2).all()
    change = ind.jobseekers_departements_change(cube, t)  # default: the last 12 months
    row = change.set_index("role").loc["departements"]
    assert (str(row["start"]), str(row["end"])) == ("2020-12", "2021-12")
    assert (row["start_value"], row["end_value"]) == (750, 700)
    assert row["change_pct"] == pytest.approx(100 * (700 - 750) / 750)
    region = change.set_index("role").loc["region"]
    assert (region["start_value"], region["end_value"], region["label"]) == (
        5200,
        5050,
        "Bourgogne-Franche-Comté",
    )


def test_a_group_reads_the_union_of_its_zones_departements():
    cube = local_cube()
    t = cube.territory("duo")  # 0051 (Doubs) + 2705 (Haute-Saône, Territoire de Belfort)
    assert t.departements == ("25", "70", "90")
    change = ind.jobseekers_departements_change(cube, t, "2020-01", "2020-12")
    row = change.set_index("role").loc["departements"]
    assert (row["start_value"], row["end_value"]) == (1000 + 400 + 300, 1100 + 420 + 330)
    # a masked département makes the sum missing, never a smaller sum
    series = ind.jobseekers_departements(cube, t)
    june = series[(series["role"] == "departements") & (series["period"].astype(str) == "2020-06")]
    assert math.isnan(june["value"].iloc[0]) and june["parts"].iloc[0] == 2


def test_france_is_the_sum_of_every_departement_only_when_all_are_published():
    every = local_cube()  # the zoning's départements: 25, 70, 90, all in the table
    france = ind.jobseekers_departements_change(
        every, every.territory("2705"), "2020-01", "2021-12"
    )
    row = france.set_index("role").loc["france"]
    assert (row["start_value"], row["end_value"]) == (1700, 1750)
    assert row["missing"] == ""
    partial = local_cube({k: v for k, v in DEPARTEMENTS.items() if k != "25"})
    row = ind.jobseekers_departements_change(partial, partial.territory("2705")).set_index("role")
    assert math.isnan(row.loc["france", "end_value"]) and row.loc["france", "missing"] == "25"
    assert row.loc["departements", "end_value"] == 700  # 70 + 90 are still read


def test_the_territorys_large_communes():
    cube = local_cube()
    communes = ind.jobseekers_communes_change(cube, cube.territory("2705"))
    assert list(communes["label"]) == ["Belfort", "Héricourt"]  # largest first
    assert list(communes["end_value"]) == [140, 30]
    assert communes["change_pct"].iloc[0] == pytest.approx(100 * (140 - 130) / 130)
    group = ind.jobseekers_communes_change(cube, cube.territory("duo"))
    assert list(group["code"]) == ["90010", "25388", "70285"]
    assert ind.jobseekers_communes_change(cube, cube.territory("2714")).empty


def test_bad_arguments_are_refused():
    cube = local_cube()
    t = cube.territory("2705")
    with pytest.raises(ParameterError, match="territory None"):
        ind.jobseekers_departements(cube, None)
    with pytest.raises(ParameterError, match="out of range"):
        ind.jobseekers_departements_change(cube, t, "2019-12", "2020-12")
    with pytest.raises(ParameterError, match="must not be after"):
        ind.jobseekers_departements_change(cube, t, "2021-12", "2020-01")
    with pytest.raises(ParameterError, match="not valid"):
        ind.jobseekers_communes_change(cube, t, "2020Q1", "2020-12")


@pytest.fixture(scope="module")
def real_cube(real_table, real_dir):
    """The real STMT table on the real zoning, alone in a cube."""
    communes = insee_ze2020.read_composition(real_dir / COMPOSITION)
    zones = insee_ze2020.zones_from_composition(communes)
    referentiel = Referentiel(zones, load_groups(GROUPS_FILES["real"], zones))
    tables = {"jobseekers_local": real_table}
    meta = {
        "france_label": "France",
        "communes": commune_index(tables, communes),
        "sources": {"jobseekers_local": francetravail_stmt.SOURCE.source_line()},
    }
    return cube_module.build_cube(tables, referentiel, meta=meta)


def test_belfort_and_the_group_against_a_hand_sum(real_cube):
    belfort = real_cube.territory("2705")
    assert belfort.departements == ("70", "90")
    change = ind.jobseekers_departements_change(real_cube, belfort, "2020-01", "2024-12")
    row = change.set_index("role").loc["departements"]
    # file cells: 70 = 19 640 and 90 = 13 600 in January 2020; 18 520 and 13 650 in Dec. 2024
    assert (row["start_value"], row["end_value"]) == (19640 + 13600, 18520 + 13650)
    group = real_cube.territory("nord-franche-comte")
    assert group.departements == ("25", "70", "90")
    change = ind.jobseekers_departements_change(real_cube, group, "2020-01", "2024-12")
    rows = change.set_index("role")
    # plus 25 (Doubs): 47 200 in January 2020, 46 850 in December 2024
    assert rows.loc["departements", "start_value"] == 47200 + 19640 + 13600 == 80440
    assert rows.loc["departements", "end_value"] == 46850 + 18520 + 13650 == 79020
    assert (rows.loc["region", "start_value"], rows.loc["region", "end_value"]) == (
        235960,
        228640,
    )
    # Yvelines and Mayotte are absent: no France
    assert math.isnan(rows.loc["france", "end_value"])
    assert rows.loc["france", "missing"] == "78, 976"
    communes = ind.jobseekers_communes_change(real_cube, belfort, "2020-01", "2024-12")
    assert list(communes["label"]) == ["Belfort", "Héricourt", "Lure", "Delle", "Valdoie"]
    assert communes["end_value"].iloc[0] == 6030 and communes["start_value"].iloc[0] == 5860


# --- French names of the départements -------------------------------------------------------


def test_the_101_departements_and_their_preposition(real_dir):
    assert len(french.DEPARTEMENTS) == 101
    communes = insee_ze2020.read_composition(real_dir / COMPOSITION)
    assert set(french.DEPARTEMENTS) == set(communes["departement"])
    cases = {
        "25": "du Doubs",
        "70": "de la Haute-Saône",
        "90": "du Territoire de Belfort",
        "01": "de l'Ain",
        "88": "des Vosges",
        "28": "d'Eure-et-Loir",
        "71": "de Saône-et-Loire",
        "75": "de Paris",
        "974": "de La Réunion",
        "2A": "de la Corse-du-Sud",
        "972": "de la Martinique",
    }
    assert {code: french.of_departement(code) for code in cases} == cases


def test_the_scale_of_the_reading_in_french():
    assert french.departements_scale(["25", "70", "90"]) == (
        "à l'échelle des départements du Doubs, de la Haute-Saône et du Territoire de Belfort"
    )
    assert (
        french.departements_scale(["90"]) == "à l'échelle du département du Territoire de Belfort"
    )
    assert french.departements_names(["70", "90"]) == "Haute-Saône et Territoire de Belfort"
    assert french.month_label(pd.Period("2020-02", "M")) == "février 2020"


# --- section 5 on a cube holding only this table --------------------------------------------


def diagnostic(cube, territory_id, tmp_path):
    return sections.diagnostic_of(
        cube, territory_id, edition="test", analyses_dir=tmp_path, shock_quarters=["2020Q2"]
    )


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def test_section_5_reads_the_departements_when_no_zone_table(tmp_path):
    d = diagnostic(local_cube(), "duo", tmp_path)
    items = sections.jobseekers(d)
    assert len(items) == 3
    text, figure, communes = items
    sentence = plain(text.data)
    assert sentence.startswith(
        "À l'échelle des départements du Doubs, de la Haute-Saône et du Territoire de Belfort, "
        "que recoupent les zones d'emploi du territoire, France Travail recense 1 750 demandeurs "
        "d'emploi inscrits en décembre 2021, soit 100 de moins qu'en décembre 2020"
    )
    assert "Bourgogne-Franche-Comté (- 5,4 % contre - 2,9 %)" in sentence
    # crisis window: 2019Q4 is before the file, so January 2020 to December 2020
    assert "de janvier 2020 à décembre 2020, leur nombre a évolué de + 8,8 %" in sentence
    assert "(région : + 4,0 %)" in sentence
    assert "Catégories non précisées par la source (vraisemblablement A, B et C)" in sentence
    assert "ABC" not in sentence and "France :" not in sentence
    assert plain(communes.data) == (
        "Parmi les communes de plus de 5 000 habitants du territoire, France Travail publie "
        "Belfort (140 demandeurs d'emploi en décembre 2021, + 7,7 % depuis décembre 2020), "
        "Montbéliard (70, + 6,1 %) et Héricourt (30, + 36,4 %). Effectifs réduits pour "
        "certaines communes : évolutions à lire avec prudence."
    )
    (recorded,) = d.prov.figures
    assert recorded["title"] == (
        "Demandeurs d'emploi inscrits, janvier 2020 – décembre 2021 à l'échelle des départements "
        "du Doubs, de la Haute-Saône et du Territoire de Belfort"
    )
    assert recorded["function"] == ["bassin_lib.analysis.jobseekers.jobseekers_departements"]
    assert recorded["datasets"][0]["source_line"].startswith("Source : France Travail, STMT")
    assert figure.axes[0].get_legend().get_texts()[0].get_text() == (
        "Doubs, Haute-Saône et Territoire de Belfort"
    )


def test_section_5_says_when_france_cannot_be_rebuilt(tmp_path):
    partial = local_cube({k: v for k, v in DEPARTEMENTS.items() if k != "25"})
    d = diagnostic(partial, "2705", tmp_path)
    sentence = plain(sections.jobseekers(d)[0].data)
    assert sentence.startswith(
        "À l'échelle des départements de la Haute-Saône et du Territoire de Belfort, que recoupe "
        "la zone d'emploi"
    )
    assert "(absents : Doubs)" in sentence


def test_section_5_keeps_the_zone_reading_when_the_zone_table_is_there(tiny_cube, tmp_path):
    meta = {**tiny_cube.meta, "sources": {"jobseekers": "Source : Dares, essai"}}
    zone_only = cube_module.Cube(tiny_cube.tables, tiny_cube.referentiel, meta=meta)
    with_both = cube_module.Cube(
        {**tiny_cube.tables, **local_cube().tables}, tiny_cube.referentiel, meta=meta
    )
    d_both = diagnostic(with_both, "2705", tmp_path)
    d_zone = diagnostic(zone_only, "2705", tmp_path)
    got = [getattr(item, "data", None) for item in sections.jobseekers(d_both)]
    expected = [getattr(item, "data", None) for item in sections.jobseekers(d_zone)]
    assert got == expected and "Entre le 4e trimestre 2019" in got[0]
    empty = cube_module.Cube(tables={}, referentiel=tiny_cube.referentiel, meta={})
    (only,) = sections.jobseekers(diagnostic(empty, "2705", tmp_path))
    assert "Aucune donnée « demandeurs d'emploi par zone d'emploi »" in only.data
