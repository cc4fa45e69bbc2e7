"""Declared consistency checks (bassin_lib.analysis.checks), their French sentence
(blocks.check_detail) and their badge (blocks.check_badge).

Expected figures are hand arithmetic on the tiny tables of conftest.py, or a corruption of a
copy of the demo cube whose value is chosen here.
"""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pandas as pd
import pytest
from conftest import TINY_GROUPS, TINY_ZONES, tiny_tables

from bassin_lib.analysis import checks
from bassin_lib.errors import ParameterError
from bassin_lib.inputs import cube as cube_module
from bassin_lib.inputs import schemas
from bassin_lib.inputs.territories import Referentiel
from bassin_lib.paths import PROJECT_DIR
from bassin_lib.rendering import blocks

NNBSP = "\u202f"  # the thousands separator of French numbers

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def with_table(cube, table: str, frame: pd.DataFrame, **meta):
    """A copy of ``cube`` whose ``table`` is ``frame`` (and ``meta`` updated): the checks of a
    whole table are cached per cube object, a copy starts afresh."""
    return dataclasses.replace(
        cube, tables={**cube.tables, table: frame}, meta={**cube.meta, **meta}
    )


def corrupted(cube, table: str, value: float, **where):
    """A copy of ``cube`` where the one row of ``table`` matching ``where`` is ``value``."""
    frame = cube.tables[table].copy()
    mask = pd.Series(True, index=frame.index)
    for column, wanted in where.items():
        if column == "period":
            wanted = pd.Period(wanted, freq=frame["period"].dtype.freq)
        mask &= frame[column] == wanted
    assert mask.sum() == 1, f"{where} matches {mask.sum()} rows of {table}"
    frame.loc[mask, "value"] = value
    return with_table(cube, table, frame)


def failures(results) -> set[tuple[str, str]]:
    return {(r.section, r.name) for r in results if not r.ok}


def result(results, section: str, name: str):
    (found,) = [r for r in results if r.section == section and r.name == name]
    return found


def build_tiny(tables: dict, zones: pd.DataFrame = TINY_ZONES, **meta):
    referentiel = Referentiel(zones.copy(), TINY_GROUPS if zones is TINY_ZONES else {})
    return cube_module.build_cube(tables, referentiel, meta={"france_label": "France", **meta})


def jobseekers_with_abc(jobseekers: pd.DataFrame) -> pd.DataFrame:
    """The tiny job seekers plus ABC = A + B + C, as DARES publishes it."""
    abc = jobseekers.groupby(["level", "code", "period"], as_index=False)["value"].sum()
    return pd.concat([jobseekers, abc.assign(category="ABC")], ignore_index=True)


# --------------------------------------------------------------------------------------------
# The declaration
# --------------------------------------------------------------------------------------------


def test_declared_sections_are_the_notebooks_sections():
    notebook = json.loads((PROJECT_DIR / "notebooks" / "diagnostic.ipynb").read_text("utf-8"))
    code = "\n".join("".join(cell["source"]) for cell in notebook["cells"])
    called = list(dict.fromkeys(re.findall(r"sections\.(\w+)\(d\)", code)))
    assert set(checks.SECTION_CHECKS) <= set(called)
    for check in checks.CHECKS:
        assert check.section in called
        assert check.name in checks.KINDS
        assert check.description and check.function is checks.KINDS[check.name].function
        assert set(check.tables) <= set(schemas.SCHEMAS), check
    pairs = [(c.section, c.name) for c in checks.CHECKS]
    assert len(pairs) == len(set(pairs))


def test_the_title_identity_and_texts_declare_no_check():
    declared = {c.section for c in checks.CHECKS}
    for section in ("title", "identity", "method", "sector_stories", "stakes", "appendix"):
        assert section not in declared


def test_france_metropolitaine_is_filosofis_label():
    from bassin_lib.inputs.sources import insee_filosofi

    assert checks.METROPOLITAN == insee_filosofi.FRANCE_SCOPE


def test_the_detail_writes_figures_and_periods_as_the_report_does():
    cases = pd.DataFrame(
        {
            "table": "jobseekers_monthly",
            "level": ["zone", "zone", "france", "france", "france"],
            "code": ["0051", "0051", "FR", "FR", "FR"],
            "period": [
                pd.Period("2021-03", "M"),
                pd.Period("2020Q2", "Q"),
                pd.Period("2018", "Y"),
                pd.Period("2019", "Y"),
                pd.Period("2020", "Y"),
            ],
            "value": [-12345.0, -4.8, -0.25, -1.0, -2.0],
            "expected": 0.0,
            "label": ["Zone Un", "Zone Un", "France", "France", "France"],
        }
    )
    failure = checks.CheckResult(
        section="jobseekers",
        name="non_negative",
        ok=False,
        description=checks.KINDS["non_negative"].description,
        tables=("jobseekers_monthly",),
        checked=9,
        cases=cases,
    )
    assert blocks.check_detail(failure) == (
        f"table jobseekers_monthly, Zone Un, mars 2021 : valeur négative : -12{NNBSP}345 ; "
        "4 autres cas : Zone Un T2 2020, France 2018, France 2019 et 1 de plus."
    )
    assert blocks.check_detail(failure, named=4).endswith("France 2019, France 2020.")
    passed = dataclasses.replace(failure, ok=True, checked=12345, cases=None)
    assert blocks.check_detail(passed) == (
        f"12{NNBSP}345 valeurs contrôlées (jobseekers_monthly) : aucun écart."
    )
    assert blocks.check_detail(dataclasses.replace(passed, checked=0)) == (
        "Non applicable : aucune valeur à contrôler (jobseekers_monthly)."
    )


def test_results_hold_data_not_sentences(demo_cube):
    results = checks.run_checks(demo_cube, demo_cube.territory("DA01"))
    assert results and not any(hasattr(r, "detail") for r in results)


def test_a_territory_id_is_refused(demo_cube):
    with pytest.raises(ParameterError, match="expected a Territory of the cube"):
        checks.run_checks(demo_cube, "DA01")


def test_failed_needs_a_section_name():
    with pytest.raises(ParameterError, match="expected a section name"):
        checks.failed([], 3)
    assert checks.failed([], "appendix") == []


# --------------------------------------------------------------------------------------------
# Demo data: everything passes
# --------------------------------------------------------------------------------------------


def test_every_check_passes_on_the_demo_cube(demo_cube):
    for territory_id in demo_cube.referentiel.ids:
        results = checks.run_checks(demo_cube, demo_cube.territory(territory_id))
        assert not failures(results), [blocks.check_detail(r) for r in results if not r.ok]
        for section in checks.SECTION_CHECKS:
            assert checks.failed(results, section) == []
    results = checks.run_checks(demo_cube, demo_cube.territory("DA01"))
    # every declared check with a table of the demo is run
    assert {(r.section, r.name) for r in results} == {
        (c.section, c.name) for c in checks.CHECKS if any(t in demo_cube.tables for t in c.tables)
    }
    assert result(results, "crisis", "non_negative").checked > 0
    assert result(results, "recruitment", "shares_in_range").checked > 0
    assert result(results, "poverty", "shares_in_range").checked > 0
    # the demo holds no published ABC and no published France of a count: nothing to compare
    abc = result(results, "jobseekers", "categories_sum")
    detail = blocks.check_detail(abc)
    assert abc.ok and abc.checked == 0 and detail.startswith("Non applicable : ")
    assert "ABC" in detail
    france = result(results, "population", "france_total")
    assert france.ok and france.checked == 0 and "calculée ici" in blocks.check_detail(france)


def test_the_demos_masked_cells_are_not_failures(demo_cube):
    bmo = demo_cube.tables["recruitment_bmo"]
    assert bmo["value"].isna().any()  # the survey's secrecy, reproduced by the demo
    results = checks.run_checks(demo_cube, demo_cube.territory("DA01"))
    assert result(results, "recruitment", "non_negative").ok


# --------------------------------------------------------------------------------------------
# Corrupted copies of the demo cube
# --------------------------------------------------------------------------------------------


def test_a_negative_job_seeker_count_fails_the_jobseekers_section(demo_cube):
    cube = corrupted(
        demo_cube, "jobseekers", -50.0, level="zone", code="DA01", period="2020Q2", category="A"
    )
    territory = cube.territory("DA01")
    results = checks.run_checks(cube, territory)
    assert failures(results) == {("jobseekers", "non_negative")}
    (failure,) = checks.failed(results, "jobseekers")
    assert blocks.check_detail(failure) == (
        f"table jobseekers, {territory.label}, T2 2020 : valeur négative : -50."
    )
    assert failure.periods == ["2020Q2"]
    assert failure.cases[["level", "code", "value"]].values.tolist() == [["zone", "DA01", -50.0]]
    # another zone of another region does not see it: the rows checked are its own
    other = checks.run_checks(cube, cube.territory("DC01"))
    assert not failures(other)


def test_a_negative_employment_count_fails_every_section_reading_employment(demo_cube):
    cube = corrupted(
        demo_cube,
        "employment",
        -120.0,
        level="zone",
        code="DA01",
        period="2020Q2",
        sector="TOTAL",
        adjustment="cvs",
    )
    results = checks.run_checks(cube, cube.territory("DA01"))
    expected = {"unemployment", "long_run", "crisis", "sectors", "interim"}
    assert failures(results) == {(section, "non_negative") for section in expected}
    for section in expected:
        (failure,) = checks.failed(results, section)
        detail = blocks.check_detail(failure)
        assert "table employment" in detail and "T2 2020" in detail and "-120" in detail


def test_a_masked_cell_is_not_a_failure_and_is_not_counted(demo_cube):
    before = result(
        checks.run_checks(demo_cube, demo_cube.territory("DA01")), "crisis", "non_negative"
    )
    cube = corrupted(
        demo_cube,
        "employment",
        np.nan,
        level="zone",
        code="DA01",
        period="2020Q2",
        sector="TOTAL",
        adjustment="cvs",
    )
    after = result(checks.run_checks(cube, cube.territory("DA01")), "crisis", "non_negative")
    assert after.ok
    assert after.checked == before.checked - 1


def test_a_share_of_1_3_fails_the_recruitment_section(demo_cube):
    bmo = demo_cube.tables["recruitment_bmo"]
    own = bmo[(bmo["level"] == "zone") & (bmo["code"] == "DA01")]
    projects = own[(own["measure"] == "projects") & own["value"].notna()].iloc[0]
    cube = corrupted(
        demo_cube,
        "recruitment_bmo",
        1.3 * projects["value"],
        level="zone",
        code="DA01",
        occupation=projects["occupation"],
        measure="difficult",
    )
    territory = cube.territory("DA01")
    results = checks.run_checks(cube, territory)
    assert failures(results) == {("recruitment", "shares_in_range")}
    (failure,) = checks.failed(results, "recruitment")
    detail = blocks.check_detail(failure)
    assert detail.startswith(f"table recruitment_bmo, {territory.label}, 2024 : ")
    assert "part de 1,30 hors de [0 ; 1]" in detail
    assert failure.cases["value"].tolist() == pytest.approx([1.3])


def test_an_unemployment_rate_over_100_fails_both_unemployment_sections(demo_cube):
    cube = corrupted(
        demo_cube, "unemployment_rate", 130.0, level="zone", code="DA01", period="2020Q4"
    )
    results = checks.run_checks(cube, cube.territory("DA01"))
    assert failures(results) == {
        ("unemployment", "shares_in_range"),
        ("unemployment_map", "shares_in_range"),
    }
    (failure,) = checks.failed(results, "unemployment")
    assert "T4 2020 : 130 % hors de [0 ; 100]" in blocks.check_detail(failure)


def test_a_france_total_5_percent_off_the_zones_fails_the_population_section(demo_cube):
    population = demo_cube.tables["population"].copy()
    france = (population["level"] == "france") & (population["period"] == pd.Period("2020", "Y"))
    population.loc[france, "value"] *= 1.05
    levels = {**demo_cube.meta["levels"]}
    levels["population"] = {"published": ["zone", "france"], "computed": ["group", "region"]}
    cube = with_table(demo_cube, "population", population, levels=levels)
    results = checks.run_checks(cube, cube.territory("DA01"))
    assert failures(results) == {("population", "france_total")}
    (failure,) = checks.failed(results, "population")
    # (S − 1.05 S) / 1.05 S = −4.76 %
    detail = blocks.check_detail(failure)
    assert "2020 : somme des zones = " in detail and detail.endswith(
        "(écart de -\u00a04,8\u00a0%)."
    )
    assert failure.periods == ["2020"]
    # the same France, for every territory: computed once per cube
    assert ("france_total", "population") in cube.__dict__["_check_cache"]
    other = checks.run_checks(cube, cube.territory("DB01"))
    assert failures(other) == {("population", "france_total")}


# --------------------------------------------------------------------------------------------
# Hand-made tables (conftest's tiny zones 0051, 2705 in R1 and 2714 in R2)
# --------------------------------------------------------------------------------------------


def test_categories_add_up_to_the_published_abc():
    # 0051: A + B + C = 100 + 20 + 30 = 150 in 2019Q4, 110 + 18 + 32 = 160 in 2020Q4
    tables = tiny_tables()
    tables["jobseekers"] = jobseekers_with_abc(tables["jobseekers"])
    cube = build_tiny(tables)
    territory = cube.territory("0051")
    check = result(checks.run_checks(cube, territory), "jobseekers", "categories_sum")
    assert check.ok
    assert check.checked == 6  # 2 quarters × (zone 0051, region R1, France)
    # within the tolerance: max(0.5 % × 161, 1) = 1 person
    near = corrupted(
        cube, "jobseekers", 161.0, level="zone", code="0051", period="2020Q4", category="ABC"
    )
    assert result(checks.run_checks(near, territory), "jobseekers", "categories_sum").ok
    # beyond: |160 − 163| = 3 > max(0.815, 1)
    off = corrupted(
        cube, "jobseekers", 163.0, level="zone", code="0051", period="2020Q4", category="ABC"
    )
    results = checks.run_checks(off, territory)
    assert failures(results) == {("jobseekers", "categories_sum")}
    (failure,) = checks.failed(results, "jobseekers")
    assert blocks.check_detail(failure) == (
        "table jobseekers, Zone Un, T4 2020 : A + B + C = 160 pour ABC = 163 publié "
        "(écart de -\u00a03, tolérance 1)."
    )
    assert failure.periods == ["2020Q4"]
    # the raw figures stay in the result
    assert failure.cases[["value", "expected", "tolerance"]].values.tolist() == [[160, 163, 1]]


def test_a_masked_category_leaves_its_quarter_unchecked():
    tables = tiny_tables()
    tables["jobseekers"] = jobseekers_with_abc(tables["jobseekers"])
    cube = build_tiny(tables)
    masked = corrupted(
        cube, "jobseekers", np.nan, level="zone", code="0051", period="2019Q4", category="B"
    )
    check = result(
        checks.run_checks(masked, masked.territory("0051")), "jobseekers", "categories_sum"
    )
    assert check.ok and check.checked == 5


def test_a_rate_over_100_fails_the_poverty_section():
    cube = build_tiny(tiny_tables())
    off = corrupted(
        cube,
        "income_poverty",
        130.0,
        level="zone",
        code="0051",
        period="2020",
        indicator="poverty_rate",
    )
    results = checks.run_checks(off, off.territory("0051"))
    assert failures(results) == {("poverty", "shares_in_range")}
    (failure,) = checks.failed(results, "poverty")
    assert blocks.check_detail(failure) == (
        "table income_poverty, Zone Un, 2020 : poverty_rate = 130 % hors de [0 ; 100]."
    )


def _with_france(tables: dict, values: list[float]) -> dict:
    france = pd.DataFrame(
        {
            "level": "france",
            "code": "FR",
            "period": pd.PeriodIndex(["2019", "2020"], freq="Y"),
            "value": values,
        }
    )
    return {**tables, "population": pd.concat([tables["population"], france], ignore_index=True)}


def test_the_published_france_is_compared_with_the_sum_of_the_zones():
    # zones: 90 + 310 + 100 = 500 in 2019, 100 + 300 + 100 = 500 in 2020
    cube = build_tiny(_with_france(tiny_tables(), [500.0, 505.0]))
    assert cube.meta["levels"]["population"]["published"] == ["zone", "france"]
    check = result(checks.run_checks(cube, cube.territory("duo")), "population", "france_total")
    assert check.ok and check.checked == 2  # 5 / 505 = 0.99 % ≤ 1 %
    cube = build_tiny(_with_france(tiny_tables(), [500.0, 525.0]))
    results = checks.run_checks(cube, cube.territory("duo"))
    assert failures(results) == {("population", "france_total")}
    (failure,) = checks.failed(results, "population")
    # (500 − 525) / 525 = −4.76 %
    assert blocks.check_detail(failure) == (
        "table population, France, 2020 : somme des zones = 500 pour France publiée = 525 "
        "(écart de -\u00a04,8\u00a0%)."
    )


def test_a_masked_zone_leaves_the_france_total_unchecked():
    tables = _with_france(tiny_tables(), [500.0, 525.0])
    population = tables["population"]
    population.loc[
        (population["code"] == "2714") & (population["period"] == pd.Period("2020", "Y")), "value"
    ] = np.nan
    cube = build_tiny(tables)
    check = result(checks.run_checks(cube, cube.territory("0051")), "population", "france_total")
    assert check.ok and check.checked == 1  # 2020 would be a lower bound: not compared


def test_a_france_metropolitaine_leaves_the_overseas_zones_out():
    zones = pd.DataFrame(
        {
            "zone": ["0051", "2705", "0401"],
            "label": ["Zone Un", "Zone Deux", "Zone d'outre-mer"],
            "region": ["28", "27", "04"],
            "region_label": ["Normandie", "Bourgogne-Franche-Comté", "La Réunion"],
            "departements": ["61", "90", "974"],
        }
    )

    def rows(level, code, value):
        return {"level": level, "code": code, "period": pd.Period("2019", "Y"), "value": value}

    persons = pd.DataFrame(
        [
            rows("zone", "0051", 100.0),
            rows("zone", "2705", 200.0),
            rows("zone", "0401", 50.0),
            rows("france", "FR", 300.0),
        ]
    ).assign(indicator="persons")
    population = pd.DataFrame([rows("zone", z, 1.0) for z in ("0051", "2705", "0401")])
    tables = {"income_poverty": persons, "population": population}
    metro = build_tiny(tables, zones, france_labels={"income_poverty": checks.METROPOLITAN})
    check = result(checks.run_checks(metro, metro.territory("0051")), "poverty", "france_total")
    assert check.ok and check.checked == 1  # 100 + 200 = 300
    whole = build_tiny(tables, zones)
    check = result(checks.run_checks(whole, whole.territory("0051")), "poverty", "france_total")
    assert not check.ok  # 100 + 200 + 50 = 350 for 300: + 16,7 %
    detail = blocks.check_detail(check)
    assert "somme des zones = 350 pour France publiée = 300 (écart de +\u00a016,7\u00a0%)" in detail


def _estel(region_one: float) -> pd.DataFrame:
    def rows(level, code, value):
        return {
            "level": level,
            "code": code,
            "period": pd.Period("2018", "Y"),
            "measure": "total",
            "sector": "TOTAL",
            "value": value,
        }

    return pd.DataFrame(
        [
            rows("zone", "0051", 1000.0),
            rows("zone", "2705", 2000.0),
            rows("zone", "2714", 500.0),
            rows("region", "R1", region_one),
            rows("region", "R2", 500.0),
        ]
    )


def test_the_published_regions_add_up_to_the_zones():
    cube = build_tiny({**tiny_tables(), "employment_estel": _estel(3000.0)})
    results = checks.run_checks(cube, cube.territory("2714"))
    check = result(results, "long_run", "regions_sum")
    assert check.ok and check.checked == 1
    # Σ zones 3 500 for Σ regions 3 510: 10 > max(0.1 % × 3 510, 1) = 3.51
    cube = build_tiny({**tiny_tables(), "employment_estel": _estel(3010.0)})
    results = checks.run_checks(cube, cube.territory("2714"))
    assert failures(results) == {("long_run", "regions_sum"), ("sectors", "regions_sum")}
    (failure,) = checks.failed(results, "long_run")
    assert blocks.check_detail(failure) == (
        "table employment_estel, France, 2018 : measure total, sector TOTAL : somme des zones "
        f"= 3{NNBSP}500 pour somme des régions publiées = 3{NNBSP}510 (écart de -\u00a00,3\u00a0%)."
    )


# --------------------------------------------------------------------------------------------
# The badge
# --------------------------------------------------------------------------------------------


def test_the_badge_names_the_check_and_what_failed(demo_cube):
    cube = corrupted(
        demo_cube, "jobseekers", -50.0, level="zone", code="DA01", period="2020Q2", category="A"
    )
    results = checks.run_checks(cube, cube.territory("DA01"))
    badge = blocks.check_badge(checks.failed(results, "jobseekers")).data
    assert badge.startswith("> **⚠ Contrôle de cohérence non satisfait** : aucun effectif négatif")
    assert "T2 2020 : valeur négative : -50." in badge
    assert "les comparaisons de cette section ne sont pas qualifiées" in badge.lower()
    assert blocks.check_badge([]) is None


def test_the_badge_shows_as_the_reports_notice_box(demo_cube):
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    cube = corrupted(
        demo_cube, "jobseekers", -50.0, level="zone", code="DA01", period="2020Q2", category="A"
    )
    badge = blocks.check_badge(
        checks.failed(checks.run_checks(cube, cube.territory("DA01")), "jobseekers")
    )
    html = markdown2html_mistune(badge.data)
    # a block quote: the page's stylesheet draws it as the notice (yellow box, orange rule)
    assert html.startswith("<blockquote>")
    assert "<strong>⚠ Contrôle de cohérence non satisfait</strong>" in html
    assert html.count("<p>") == 2


def test_the_badge_lists_several_failed_checks_of_a_section(demo_cube):
    cube = corrupted(
        demo_cube, "unemployment_rate", 130.0, level="zone", code="DA01", period="2020Q4"
    )
    cube = corrupted(
        cube,
        "employment",
        -120.0,
        level="zone",
        code="DA01",
        period="2020Q2",
        sector="TOTAL",
        adjustment="cvs",
    )
    results = checks.run_checks(cube, cube.territory("DA01"))
    failed = checks.failed(results, "unemployment")
    assert [r.name for r in failed] == ["shares_in_range", "non_negative"]
    badge = blocks.check_badge(failed).data
    assert badge.startswith("> **⚠ Contrôles de cohérence non satisfaits** :")
    assert badge.count("\n> - ") == 2
    assert checks.KINDS["shares_in_range"].description in badge


# --------------------------------------------------------------------------------------------
# Real official files (skipped without ../shared/data/real)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_cube(real_dir):
    import warnings

    from bassin_lib.errors import BassinWarning
    from bassin_lib.inputs.real import build_real
    from bassin_lib.paths import GROUPS_FILES

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BassinWarning)
        return build_real(real_dir, GROUPS_FILES["real"])


def test_the_real_files_pass_every_check(real_cube):
    for territory_id in real_cube.referentiel.ids:
        results = checks.run_checks(real_cube, real_cube.territory(territory_id))
        assert not failures(results), [blocks.check_detail(r) for r in results if not r.ok]
    results = checks.run_checks(real_cube, real_cube.territory("2705"))
    # Filosofi 2019: the persons of the 287 metropolitan zones against sheet METRO, one year
    assert result(results, "poverty", "france_total").checked == 1
    assert result(results, "poverty", "regions_sum").checked == 1
    # Estel: 21 years (1998-2018) × 8 series (6 salaried A5 rows with the total, non-salaried,
    # total): the regions built from the regional parts add up to the zones
    assert result(results, "long_run", "regions_sum").checked == 21 * 8
    # the job seekers of the real files are France Travail's STMT, without categories
    abc = [r for r in results if r.name == "categories_sum"]
    assert abc == []


def test_a_real_france_metropolitaine_5_percent_off_fails_the_poverty_section(real_cube):
    poverty = real_cube.tables["income_poverty"].copy()
    france = (poverty["level"] == "france") & (poverty["indicator"] == "persons")
    poverty.loc[france, "value"] *= 1.05
    cube = with_table(real_cube, "income_poverty", poverty)
    results = checks.run_checks(cube, cube.territory("2705"))
    assert failures(results) == {("poverty", "france_total")}
    (failure,) = checks.failed(results, "poverty")
    detail = blocks.check_detail(failure)
    assert detail.startswith(
        "table income_poverty, France métropolitaine, 2019 : indicator persons : somme des zones"
    )
    assert detail.endswith("(écart de -\u00a04,8\u00a0%).")
