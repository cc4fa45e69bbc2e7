"""Arguments are checked at the door: a typo is a ParameterError naming the parameter, the bad
value and the allowed values, never an empty frame that the report would read as missing data.

The cube-based indicators run on the demo cube of ``conftest.py``, never modified (2010Q1–2024Q4
quarterly tables, 2006–2024 population, 2018–2021 income and poverty, 2024 BMO survey); the
frame-based ones on tables of the same cube. Valid calls give the figures computed here by hand
from the tables.
"""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from bassin_lib import analysis as ind
from bassin_lib.analysis import common
from bassin_lib.errors import ParameterError
from bassin_lib.inputs import cube as cube_module
from bassin_lib.inputs.territories import Referentiel

ZONE = "DA01"
SECTORS = r"\['C1', 'C2', .*, 'RU', 'TOTAL'\]"
QUARTERS = "the employment table has periods from 2010Q1 to 2024Q4"


@pytest.fixture(scope="module")
def zone(demo_cube):
    return demo_cube.territory(ZONE)


@pytest.fixture(scope="module")
def other_cube(demo_cube):
    """The demo cube with one zone code changed: its territories are foreign to the demo cube."""
    zones = demo_cube.referentiel.zones.reset_index(drop=True).copy()
    zones.loc[zones["zone"] == ZONE, "zone"] = "DZ99"
    referentiel = Referentiel(zones, {})
    tables = {
        name: table.assign(code=table["code"].replace({ZONE: "DZ99"}))
        for name, table in demo_cube.tables.items()
        if name in ("population", "employment")
    }
    return cube_module.Cube(tables, referentiel, meta=demo_cube.meta)


def _call(function, cube, territory, **options):
    return getattr(ind, function)(cube, territory, **options)


# --- cube-based indicators: one bad argument at a time ----------------------------------------

EMPLOYMENT = ["employment_change", "quarterly_changes", "year_on_year_changes", "employment_index"]
BAD_EMPLOYMENT_OPTIONS = [
    ({"adjustment": "cvz"}, r"adjustment 'cvz' is not allowed: choose one of \['brut', 'cvs'\]"),
    ({"sector": "NOPE"}, rf"sector 'NOPE' is not allowed: choose one of {SECTORS}"),
    ({"sector": "total"}, r"sector 'total' is not allowed"),
    ({"sector": None}, r"sector None is not allowed"),
    ({"end": "2030Q4"}, rf"end 2030Q4 is out of range: {QUARTERS}"),
    ({"end": "2020Q5"}, r"end: period '2020Q5' is not valid: expected a quarter such as '2019Q4'"),
    ({"end": "2020"}, rf"end: period '2020' is not valid: expected a quarter .*\({QUARTERS}\)"),
    ({"end": pd.Period("2020-12", "M")}, r"end: period 2020-12 has frequency M; expected Q-DEC"),
]


@pytest.mark.parametrize("function", EMPLOYMENT)
@pytest.mark.parametrize(("options", "message"), BAD_EMPLOYMENT_OPTIONS)
def test_employment_indicators_refuse_bad_options(demo_cube, zone, function, options, message):
    with pytest.raises(ParameterError, match=message):
        _call(function, demo_cube, zone, **options)
    with pytest.raises(ParameterError, match=message):  # every geography at once as well
        _call(function, demo_cube, None, **options)


@pytest.mark.parametrize("function", EMPLOYMENT[:3])
def test_employment_changes_refuse_a_start_out_of_range_or_after_the_end(demo_cube, zone, function):
    with pytest.raises(ParameterError, match=rf"start 2009Q4 is out of range: {QUARTERS}"):
        _call(function, demo_cube, zone, start="2009Q4")
    with pytest.raises(ParameterError, match=r"start 2020Q4 must not be after end 2019Q4"):
        _call(function, demo_cube, zone, start="2020Q4", end="2019Q4")


def test_employment_index_checks_base_start_and_end(demo_cube, zone):
    with pytest.raises(ParameterError, match=rf"base 2009Q4 is out of range: {QUARTERS}"):
        ind.employment_index(demo_cube, zone, base="2009Q4")
    with pytest.raises(ParameterError, match=rf"start 2025Q1 is out of range: {QUARTERS}"):
        ind.employment_index(demo_cube, zone, start="2025Q1")
    with pytest.raises(ParameterError, match=r"start 2020Q1 must not be after end 2019Q1"):
        ind.employment_index(demo_cube, zone, start="2020Q1", end="2019Q1")


def test_crisis_reading_checks_its_window_and_shock_quarters(demo_cube, zone):
    with pytest.raises(ParameterError, match=rf"end 2031Q4 is out of range: {QUARTERS}"):
        ind.crisis_reading(demo_cube, zone, end="2031Q4")
    message = r"shock_quarters '2020Q1' is not allowed: expected None or a sequence of quarters"
    with pytest.raises(ParameterError, match=message):
        ind.crisis_reading(demo_cube, zone, shock_quarters="2020Q1")
    with pytest.raises(ParameterError, match=r"shock_quarters: period '2020-03' is not valid"):
        ind.crisis_reading(demo_cube, zone, shock_quarters=["2020-03"])


CUBE_PERIODS = [
    (
        "unemployment_rate_change",
        {"start": "2019Q4", "end": "2025Q1"},
        r"end 2025Q1 is out of range: the unemployment_rate table has periods from 2010Q1 to",
    ),
    (
        "unemployment_rate_change",
        {"start": "2019-12", "end": "2020Q4"},
        r"start: period '2019-12' is not valid: expected a quarter",
    ),
    (
        "jobseekers_change",
        {"start": "2009Q4"},
        r"start 2009Q4 is out of range: the jobseekers table has periods from 2010Q1 to 2024Q4",
    ),
    (
        "jobseekers_change",
        {"start": "2020Q4", "end": "2020Q1"},
        r"start 2020Q4 must not be after end 2020Q1",
    ),
    (
        "population_change",
        {"start": "2005", "end": "2020"},
        r"start 2005 is out of range: the population table has periods from 2006 to 2024",
    ),
    (
        "population_change",
        {"start": "2019Q4", "end": "2020"},
        r"start: period '2019Q4' is not valid: expected a year such as '2019'",
    ),
    (
        "income_poverty_levels",
        {"year": "2017"},
        r"year 2017 is out of range: the income_poverty table has periods from 2018 to 2021",
    ),
    (
        "income_poverty_levels",
        {"year": "2020Q4"},
        r"year: period '2020Q4' is not valid: expected a year",
    ),
    (
        "recruitment_summary",
        {"year": "2023"},
        r"year 2023 is out of range: the recruitment_bmo table has periods from 2024 to 2024",
    ),
    (
        "recruitment_by_occupation",
        {"year": "24"},
        r"year: period '24' is not valid: expected a year such as '2019'",
    ),
    ("recruitment_by_occupation", {"n": 0}, r"n 0 is not allowed: expected an integer ≥ 1"),
    ("recruitment_by_occupation", {"n": 2.5}, r"n 2.5 is not allowed: expected an integer ≥ 1"),
]


@pytest.mark.parametrize(("function", "options", "message"), CUBE_PERIODS)
def test_cube_indicators_refuse_bad_periods_and_options(
    demo_cube, zone, function, options, message
):
    with pytest.raises(ParameterError, match=message):
        _call(function, demo_cube, zone, **options)


VALID_OPTIONS = {
    "employment_index": {},
    "employment_change": {},
    "quarterly_changes": {},
    "year_on_year_changes": {},
    "crisis_reading": {},
    "unemployment_rate_series": {},
    "unemployment_rate_change": {"start": "2019Q4", "end": "2020Q4"},
    "jobseekers_series": {},
    "jobseekers_change": {},
    "population_change": {"start": "2014", "end": "2020"},
    "income_poverty_levels": {},
    "recruitment_summary": {},
    "recruitment_by_occupation": {},
}
TAKES_NONE = {name for name in VALID_OPTIONS if not name.startswith(("income", "recruitment"))}


@pytest.mark.parametrize("function", sorted(VALID_OPTIONS))
def test_a_territory_of_another_cube_is_refused(demo_cube, other_cube, function):
    foreign = other_cube.territory("DZ99")
    message = r"territory 'DZ99' is not a territory of this cube: close matches .* among its 32"
    with pytest.raises(ParameterError, match=message):
        _call(function, demo_cube, foreign, **VALID_OPTIONS[function])


@pytest.mark.parametrize("function", sorted(VALID_OPTIONS))
def test_a_territory_of_the_same_id_but_other_zones_is_refused(demo_cube, zone, function):
    impostor = dataclasses.replace(zone, zones=("DA02",), region="RB")
    message = (
        r"territory 'DA01' is not this cube's territory of that id .* cube.territory\('DA01'\)"
    )
    with pytest.raises(ParameterError, match=message):
        _call(function, demo_cube, impostor, **VALID_OPTIONS[function])


@pytest.mark.parametrize("function", sorted(VALID_OPTIONS))
def test_a_territory_id_is_not_a_territory(demo_cube, function):
    message = r"territory 'DA01' is not allowed: expected a Territory of the cube.*"
    message += r"get it with cube.territory\('DA01'\)"
    with pytest.raises(ParameterError, match=message):
        _call(function, demo_cube, ZONE, **VALID_OPTIONS[function])


@pytest.mark.parametrize("function", sorted(set(VALID_OPTIONS) - TAKES_NONE))
def test_none_is_refused_where_it_is_not_documented(demo_cube, function):
    with pytest.raises(ParameterError, match=r"territory None is not allowed here"):
        _call(function, demo_cube, None, **VALID_OPTIONS[function])


@pytest.mark.parametrize("function", sorted(VALID_OPTIONS))
def test_the_cube_must_be_a_cube(demo_cube, zone, function):
    with pytest.raises(ParameterError, match=r"cube must be a Cube .*, not dict"):
        _call(function, dict(demo_cube.tables), zone, **VALID_OPTIONS[function])


@pytest.mark.parametrize("function", sorted(VALID_OPTIONS))
def test_valid_calls_still_give_rows(demo_cube, zone, function):
    out = _call(function, demo_cube, zone, **VALID_OPTIONS[function])
    assert len(out) > 0
    if function in TAKES_NONE:
        assert len(_call(function, demo_cube, None, **VALID_OPTIONS[function])) >= len(out)


# --- valid calls: the figures are unchanged ---------------------------------------------------


def _cell(cube, table, code, period, **dims):
    data = cube.tables[table]
    mask = (data["code"] == code) & (data["period"] == pd.Period(period))
    for column, value in dims.items():
        mask &= data[column] == value
    (value,) = data.loc[mask, "value"]
    return value


def test_employment_change_figures(demo_cube, zone):
    out = ind.employment_change(
        demo_cube, zone, "2019T4", "2020-Q4", sector="C3", adjustment="brut"
    )
    own = out.set_index("role").loc["territory"]
    start = _cell(demo_cube, "employment", ZONE, "2019Q4", sector="C3", adjustment="brut")
    end = _cell(demo_cube, "employment", ZONE, "2020Q4", sector="C3", adjustment="brut")
    assert (own["start_value"], own["end_value"]) == (start, end)
    assert own["change_pct"] == pytest.approx(100 * (end - start) / start)
    assert list(out["role"]) == ["territory", "region", "france"]
    assert list(out.columns) == [
        "role",
        "label",
        "start",
        "end",
        "start_value",
        "end_value",
        "change",
        "change_pct",
        "approximate",
        "lower_bound",
    ]


def test_employment_index_and_changes_figures(demo_cube, zone):
    values = [
        _cell(demo_cube, "employment", ZONE, q, sector="TOTAL", adjustment="cvs")
        for q in ("2018Q4", "2019Q3", "2019Q4")
    ]
    index = ind.employment_index(demo_cube, zone, base="2018Q4", start="2019Q3", end="2019Q4")
    own = index[index["role"] == "territory"]
    assert list(own["period"].astype(str)) == ["2019Q3", "2019Q4"]
    assert own["index"].to_numpy() == pytest.approx([100 * v / values[0] for v in values[1:]])
    quarterly = ind.quarterly_changes(demo_cube, zone, "2019Q3", "2019Q4")
    change = quarterly.loc[quarterly["role"] == "territory", "change_pct"].item()
    assert change == pytest.approx(100 * (values[2] / values[1] - 1))
    yearly = ind.year_on_year_changes(demo_cube, zone, "2019Q4", "2019Q4", adjustment="cvs")
    change = yearly.loc[yearly["role"] == "territory", "change_pct"].item()
    assert change == pytest.approx(100 * (values[2] / values[0] - 1))


def test_a_masked_cell_is_missing_not_an_error(demo_cube, zone):
    employment = demo_cube.tables["employment"]
    masked = (employment["code"] == ZONE) & (employment["period"] == pd.Period("2019Q4"))
    tables = {
        **demo_cube.tables,
        "employment": employment.assign(value=employment["value"].mask(masked)),
    }
    cube = dataclasses.replace(demo_cube, tables=tables)
    out = ind.employment_change(cube, cube.territory(ZONE), "2019Q4", "2020Q4")
    own = out.set_index("role").loc["territory"]
    assert np.isnan(own["start_value"]) and np.isnan(own["change_pct"])
    assert not np.isnan(out.set_index("role").loc["france", "change_pct"])


def test_other_cube_figures(demo_cube, zone):
    rate = ind.unemployment_rate_change(demo_cube, zone, "2019Q4", "2020Q4")
    own = rate.set_index("role").loc["territory"]
    assert own["change"] == pytest.approx(
        _cell(demo_cube, "unemployment_rate", ZONE, "2020Q4")
        - _cell(demo_cube, "unemployment_rate", ZONE, "2019Q4")
    )
    assert "change_pct" not in rate.columns
    people = ind.population_change(demo_cube, zone, "2014", "2020")
    own = people.set_index("role").loc["territory"]
    assert (own["start_value"], own["end_value"]) == (
        _cell(demo_cube, "population", ZONE, "2014"),
        _cell(demo_cube, "population", ZONE, "2020"),
    )
    seekers = ind.jobseekers_change(demo_cube, zone)
    abc = seekers[(seekers["role"] == "territory") & (seekers["category"] == "ABC")].iloc[0]
    assert abc["end_value"] == sum(
        _cell(demo_cube, "jobseekers", ZONE, "2020Q4", category=c) for c in "ABC"
    )
    poverty = ind.income_poverty_levels(demo_cube, zone, year="2019")
    own = poverty.set_index("role").loc["territory"]
    assert own["poverty_rate"] == _cell(
        demo_cube, "income_poverty", ZONE, "2019", indicator="poverty_rate"
    )
    assert str(own["period"]) == "2019"
    hiring = ind.recruitment_summary(demo_cube, zone, year="2024")
    assert list(hiring["role"]) == ["territory", "region", "france"]
    assert len(ind.recruitment_by_occupation(demo_cube, zone, n=3)) <= 3


# --- frame-based indicators: the same checks and messages ------------------------------------


@pytest.fixture(scope="module")
def cvs(demo_cube):
    employment = demo_cube.tables["employment"]
    return employment[employment["adjustment"] == "cvs"]


def test_labour_force_identity_checks_sector_adjustment_and_periods(demo_cube):
    rates, jobs = demo_cube.tables["unemployment_rate"], demo_cube.tables["employment"]
    with pytest.raises(
        ParameterError, match=rf"sector 'NOPE' is not allowed: choose one of {SECTORS}"
    ):
        ind.labour_force_identity(rates, jobs, "2014Q4", "2019Q4", sector="NOPE")
    with pytest.raises(ParameterError, match=r"adjustment 'cvz' is not allowed: choose one of"):
        ind.labour_force_identity(rates, jobs, "2014Q4", "2019Q4", adjustment="cvz")
    message = r"start 2009Q4 is out of range: the unemployment_rate frame and employment_count"
    with pytest.raises(ParameterError, match=message):
        ind.labour_force_identity(rates, jobs, "2009Q4", "2019Q4")


def test_population_growth_checks_years(demo_cube):
    population = demo_cube.tables["population"]
    message = r"end 2030 is out of range: the population frame has periods from 2006 to 2024"
    with pytest.raises(ParameterError, match=message):
        ind.population_growth(population, "2014", "2030")


def test_sector_frames_check_periods_levels_and_codes(cvs):
    message = r"start 2009Q4 is out of range: the employment frame has periods from 2010Q1"
    with pytest.raises(ParameterError, match=message):
        ind.shift_share(cvs, "2009Q4", "2019Q4")
    with pytest.raises(ParameterError, match=r"step 0 is not allowed: expected an integer ≥ 1"):
        ind.dynamic_shift_share(cvs, "2019Q4", "2020Q4", step=0)
    with pytest.raises(ParameterError, match=r"by_step 'yes' is not allowed: expected True or"):
        ind.dynamic_shift_share(cvs, "2019Q4", "2020Q4", by_step="yes")
    with pytest.raises(ParameterError, match=r"period 2025Q1 is out of range: the employment"):
        ind.structure_features(cvs, "2025Q1")
    message = r"level 'zones' is not allowed: choose one of \['france', 'group', 'region', 'zone'\]"
    with pytest.raises(ParameterError, match=message):
        ind.structure_features(cvs, level="zones")
    features = ind.structure_features(cvs, "2019Q4")
    message = r"code 'DA1' is not allowed: close matches \['DA10', 'DA01', .*\] among 30 allowed"
    with pytest.raises(ParameterError, match=message):
        ind.similar_zones(features, "DA1")
    with pytest.raises(ParameterError, match=r"employment frame mixes adjustments"):
        ind.sector_shares(cvs.assign(adjustment=np.where(np.arange(len(cvs)) % 2, "cvs", "brut")))


def test_income_base_and_interim_check_their_options(demo_cube):
    shares = ind.income_base_shares(demo_cube.tables["income_base"])
    message = r"period 2030 is out of range: the shares frame has periods from 2015 to 2020"
    with pytest.raises(ParameterError, match=message):
        ind.development_model(shares, period="2030")
    with pytest.raises(ParameterError, match=r"benchmark 'mean' is not allowed: choose one of"):
        ind.development_model(shares, benchmark="mean")
    interim = demo_cube.tables["employment"].rename(columns={"adjustment": "measure"})
    interim = interim.assign(measure=interim["measure"].map({"cvs": "jobs", "brut": "fte"}))
    message = r"period 2031Q1 is out of range: the interim frame has periods from 2010Q1"
    with pytest.raises(ParameterError, match=message):
        ind.interim_sector_mix(interim, "2031Q1")
    with pytest.raises(ParameterError, match=r"measure 'hours' is not allowed: choose one of"):
        ind.interim_sector_mix(interim, "2020Q1", measure="hours")


# --- the helpers -------------------------------------------------------------------------------


def test_long_lists_are_named_by_close_matches_and_their_count():
    a38 = [f"{letter}{digit}" for letter in "ABCDEFGHIJKLM" for digit in "ZAB"]
    with pytest.raises(ParameterError, match=r"sector 'CX' is not allowed: close matches \["):
        common.check_choice("CX", "sector", a38)
    with pytest.raises(ParameterError, match=r"among 39 allowed values \('AZ' to 'MB'\)"):
        common.check_choice("CX", "sector", a38)
    with pytest.raises(ParameterError, match=r"'ZZZZZ' is not allowed: no close match among 39"):
        common.check_choice("ZZZZZ", "sector", a38)
    common.check_choice("MB", "sector", a38)


def test_period_helpers():
    span = common.Span(pd.Period("2010Q1"), pd.Period("2024Q4"), "Q-DEC", "employment table")
    assert common.check_period("2019-T4", span, "start") == pd.Period("2019Q4")
    assert common.check_window("2019Q4", None, span, optional=True) == (pd.Period("2019Q4"), None)
    with pytest.raises(ParameterError, match=r"start 2019Q4 must be before end 2019Q4"):
        common.check_window("2019Q4", "2019Q4", span, strict=True)
    empty = common.Span(None, None, "Q-DEC", "employment table")
    assert common.check_period("1990Q1", empty, "start") == pd.Period("1990Q1")  # no range
