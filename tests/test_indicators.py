"""Indicators used by the diagnostic, on the tiny cube whose figures are computed by hand."""

import pandas as pd
import pytest

from bassin_lib import analysis as ind


def _role(frame, role, **match):
    rows = frame[frame["role"] == role]
    for k, v in match.items():
        rows = rows[rows[k] == v]
    return rows.iloc[0]


def test_employment_change_q4_on_q4(tiny_cube):
    out = ind.employment_change(tiny_cube, tiny_cube.territory("0051"), "2019Q4", "2020Q4")
    own = _role(out, "territory")
    assert (own["start_value"], own["end_value"], own["change"]) == (1000, 960, -40)
    assert own["change_pct"] == pytest.approx(-4.0)  # -40 / 1000
    assert _role(out, "region")["change_pct"] == pytest.approx(-2.0)  # (2940 - 3000) / 3000
    assert _role(out, "france")["change_pct"] == pytest.approx(-2.0)  # (3430 - 3500) / 3500


def test_employment_index_base_100(tiny_cube):
    out = ind.employment_index(tiny_cube, tiny_cube.territory("0051"), base="2019Q4")
    own = out[out["role"] == "territory"].set_index("period")["index"]
    assert own[pd.Period("2019Q4")] == 100
    assert own[pd.Period("2020Q2")] == pytest.approx(95.0)  # 950 / 1000


def test_quarterly_changes(tiny_cube):
    out = ind.quarterly_changes(tiny_cube, tiny_cube.territory("0051"))
    own = out[out["role"] == "territory"].set_index("period")["change_pct"]
    assert own[pd.Period("2020Q1")] == pytest.approx(-2.0)  # 980 / 1000 - 1
    assert own[pd.Period("2020Q3")] == pytest.approx(100 * (990 / 950 - 1))
    assert pd.Period("2019Q4") not in own.index


def test_crisis_reading_shock_quarters_as_parameter(tiny_cube):
    t = tiny_cube.territory("0051")
    out = ind.crisis_reading(tiny_cube, t, shock_quarters=("2020Q1", "2020Q2", "2020Q4"))
    # local vs France: Q1 -2.0 vs -1.14 ; Q2 -3.06 vs -1.73 ; Q3 +4.21 vs +2.5 ; Q4 -3.03 vs -1.58
    assert list(out["reading"]) == [
        "weak_resilience",
        "weak_resilience",
        "good_rebound",
        "weak_resilience",
    ]
    assert out["national"].iloc[2] == pytest.approx(2.5)  # 3485 / 3400 - 1
    # derived from the sign of the national change when no quarter is tagged: same here
    derived = ind.crisis_reading(tiny_cube, t, shock_quarters=None)
    assert list(derived["phase"]) == ["shock", "shock", "recovery", "shock"]


def test_jobseekers_change_by_category_and_abc(tiny_cube):
    out = ind.jobseekers_change(tiny_cube, tiny_cube.territory("0051"))
    abc = _role(out, "territory", category="ABC")
    assert (abc["start_value"], abc["end_value"]) == (150, 160)  # 100+20+30, 110+18+32
    assert abc["change_pct"] == pytest.approx(100 * 10 / 150)
    france_a = _role(out, "france", category="A")
    assert (france_a["start_value"], france_a["end_value"]) == (350, 380)


def test_unemployment_rate_of_a_group_is_flagged(tiny_cube):
    out = ind.unemployment_rate_series(tiny_cube, tiny_cube.territory("duo"))
    own = _role(out, "territory")
    assert own["value"] == pytest.approx(7.0) and own["approximate"]


def test_income_poverty_levels_latest_year(tiny_cube):
    out = ind.income_poverty_levels(tiny_cube, tiny_cube.territory("2705"))
    assert _role(out, "territory")["poverty_rate"] == 12.0
    assert _role(out, "region")["poverty_rate"] == 13.0
    assert _role(out, "france")["poverty_rate"] == 14.5


def test_population_change(tiny_cube):
    out = ind.population_change(tiny_cube, tiny_cube.territory("duo"), "2019", "2020")
    own = _role(out, "territory")
    assert (own["start_value"], own["end_value"], own["change"]) == (400, 400, 0)


@pytest.mark.parametrize("text", ["2019Q4", "2019-T4", "2019T4", "2019q4", pd.Period("2019Q4")])
def test_quarters_are_read_the_usual_ways(text):
    from bassin_lib.analysis.common import as_period

    assert as_period(text, "Q") == pd.Period("2019Q4")


@pytest.mark.parametrize("text", ["2019", "2019Q5", "2019-12", "T4 2019", 2019])
def test_ambiguous_quarters_are_refused(text):
    from bassin_lib.analysis.common import as_period
    from bassin_lib.errors import ParameterError

    with pytest.raises(ParameterError, match="expected a quarter such as '2019Q4'"):
        as_period(text, "Q")


@pytest.mark.parametrize(
    "function, options",
    [
        (ind.employment_change, {}),
        (ind.quarterly_changes, {}),
        (ind.year_on_year_changes, {"start": "2020Q4", "end": "2020Q4", "adjustment": "cvs"}),
        (ind.employment_index, {"base": "2019Q4"}),
        (ind.jobseekers_change, {}),
        (ind.unemployment_rate_change, {"start": "2020Q4", "end": "2020Q4"}),
        (ind.population_change, {"start": "2019", "end": "2020"}),
    ],
)
def test_all_geographies_at_once_equal_the_territory_rows(tiny_cube, function, options):
    everything = function(tiny_cube, None, **options)
    for territory_id, level in (("0051", "zone"), ("duo", "group")):
        one = function(tiny_cube, tiny_cube.territory(territory_id), **options)
        own = one[one["role"] == "territory"].drop(columns=["role", "label"])
        mine = everything[(everything["level"] == level) & (everything["code"] == territory_id)]
        mine = mine.drop(columns=["level", "code"])
        pd.testing.assert_frame_equal(
            own.reset_index(drop=True),
            mine[own.columns].reset_index(drop=True),
            check_dtype=False,
        )


def test_crisis_reading_for_every_geography(tiny_cube):
    everything = ind.crisis_reading(tiny_cube, None)
    one = ind.crisis_reading(tiny_cube, tiny_cube.territory("0051"))
    mine = everything[(everything["level"] == "zone") & (everything["code"] == "0051")]
    assert list(mine["reading"]) == list(one["reading"])
    assert list(mine["gap"].round(9)) == list(one["gap"].round(9))


def test_year_on_year_changes(tiny_cube):
    out = ind.year_on_year_changes(
        tiny_cube, tiny_cube.territory("0051"), "2020Q4", "2020Q4", adjustment="cvs"
    )
    own = out[out["role"] == "territory"].set_index("period")["change_pct"]
    assert own[pd.Period("2020Q4")] == pytest.approx(-4.0)  # 960 / 1000 - 1
    # a quarter whose year-earlier value is absent has no change
    early = ind.year_on_year_changes(
        tiny_cube, tiny_cube.territory("0051"), "2020Q1", "2020Q1", adjustment="cvs"
    )
    assert early["change_pct"].isna().all()


def test_crisis_reading_of_a_zone_without_employment_rows_is_missing_not_an_error():
    """Mayotte's case: the zone exists but has no seasonally adjusted series."""
    from conftest import TINY_GROUPS, TINY_ZONES, tiny_tables

    from bassin_lib.inputs import cube as cube_module
    from bassin_lib.inputs.territories import Referentiel
    from bassin_lib.rendering import narrative

    tables = tiny_tables()
    employment = tables["employment"]
    tables["employment"] = employment[employment["code"] != "2714"]
    cube = cube_module.build_cube(tables, Referentiel(TINY_ZONES.copy(), TINY_GROUPS))
    reading = ind.crisis_reading(cube, cube.territory("2714"), "2019Q4", "2020Q4")
    assert len(reading) == 4 and reading["local"].isna().all() and reading["reading"].isna().all()
    assert narrative.crisis_reading(reading).startswith("Les données nécessaires")
