import math

import pandas as pd
import pytest
from conftest import TINY_GROUPS, TINY_ZONES, tiny_tables

from bassin_lib.errors import DataFormatError
from bassin_lib.inputs import cube as cube_module
from bassin_lib.inputs.territories import Referentiel


def _value(cube, table, level, code, period, **dims):
    t = cube.tables[table]
    mask = (t["level"] == level) & (t["code"] == code) & (t["period"] == pd.Period(period))
    for k, v in dims.items():
        mask &= t[k] == v
    return t[mask].iloc[0]


def test_counts_are_summed_for_regions_france_and_groups(tiny_cube):
    # 2019Q4: 1000 + 2000 = 3000 in R1; + 500 = 3500 in France; duo = 1000 + 2000
    assert _value(tiny_cube, "employment", "region", "R1", "2019Q4")["value"] == 3000
    assert _value(tiny_cube, "employment", "france", "FR", "2019Q4")["value"] == 3500
    assert _value(tiny_cube, "employment", "group", "duo", "2019Q4")["value"] == 3000


def test_published_rates_are_kept_and_group_rates_weighted_and_flagged(tiny_cube):
    region = _value(tiny_cube, "unemployment_rate", "region", "R1", "2020Q4")
    assert region["value"] == 7.0 and not region["approximate"]
    duo = _value(tiny_cube, "unemployment_rate", "group", "duo", "2020Q4")
    # latest population 2020: 100 and 300 -> (10 * 100 + 6 * 300) / 400 = 7.0
    assert duo["value"] == pytest.approx(7.0) and duo["approximate"]


def test_group_of_one_zone_equals_the_zone(tiny_cube):
    for table, period in (("unemployment_rate", "2020Q4"), ("employment", "2020Q2")):
        solo = _value(tiny_cube, table, "group", "solo", period)
        zone = _value(tiny_cube, table, "zone", "0051", period)
        assert solo["value"] == zone["value"] and not solo["approximate"]


def test_masked_cell_makes_a_flagged_lower_bound_never_a_zero():
    tables = tiny_tables()
    emp = tables["employment"]
    emp.loc[(emp["code"] == "2705") & (emp["period"] == pd.Period("2020Q1")), "value"] = float(
        "nan"
    )
    cube = cube_module.build_cube(tables, Referentiel(TINY_ZONES.copy(), TINY_GROUPS))
    region = _value(cube, "employment", "region", "R1", "2020Q1")
    assert region["value"] == 980 and region["lower_bound"]
    assert not _value(cube, "employment", "region", "R1", "2020Q2")["lower_bound"]


def test_missing_member_rate_makes_a_missing_group_rate():
    tables = tiny_tables()
    rates = tables["unemployment_rate"]
    rates.loc[rates["code"] == "2705", "value"] = float("nan")
    cube = cube_module.build_cube(tables, Referentiel(TINY_ZONES.copy(), TINY_GROUPS))
    assert math.isnan(_value(cube, "unemployment_rate", "group", "duo", "2020Q4")["value"])


def test_unknown_zone_in_a_table_is_an_error():
    tables = tiny_tables()
    tables["population"].loc[0, "code"] = "9999"
    with pytest.raises(DataFormatError, match=r"'population'.*not in the référentiel.*9999"):
        cube_module.build_cube(tables, Referentiel(TINY_ZONES.copy(), TINY_GROUPS))


def test_save_and_load_round_trip_keeps_strings_and_periods(tiny_cube, tmp_path):
    tiny_cube.save(tmp_path / "cube")
    loaded = cube_module.load_cube(tmp_path / "cube")
    for name, table in tiny_cube.tables.items():
        pd.testing.assert_frame_equal(table, loaded.tables[name], check_dtype=False)
    assert loaded.tables["employment"]["period"].dtype == pd.PeriodDtype("Q-DEC")
    assert loaded.territory("duo").zones == ("0051", "2705")


def test_load_cube_from_a_non_cube_folder_is_explained(tmp_path):
    with pytest.raises(DataFormatError, match="not a cube folder"):
        cube_module.load_cube(tmp_path)


def test_select_returns_territory_region_france_in_order(tiny_cube):
    rows = tiny_cube.select("employment", tiny_cube.territory("0051"), sector="TOTAL")
    assert list(dict.fromkeys(rows["role"])) == ["territory", "region", "france"]


def test_rows_are_the_comparators_rows_of_the_table_in_its_order(tiny_cube):
    territory = tiny_cube.territory("0051")
    table = tiny_cube.tables["employment"]
    wanted = (
        ((table["level"] == "zone") & (table["code"] == "0051"))
        | ((table["level"] == "region") & (table["code"] == territory.region))
        | (table["level"] == "france")
    )
    expected = table[wanted].reset_index(drop=True)
    assert len(expected) < len(table)
    pd.testing.assert_frame_equal(tiny_cube.rows("employment", territory), expected)
    with pytest.raises(DataFormatError, match="no table 'nope'"):
        tiny_cube.rows("nope", territory)


def test_every_table_that_is_not_a_rate_is_summed():
    tables = tiny_tables()
    tables["area"] = pd.DataFrame(
        {
            "level": "zone",
            "code": ["0051", "2705", "2714"],
            "period": pd.PeriodIndex(["2020"] * 3, freq="Y"),
            "value": [10.0, 30.0, 60.0],
        }
    )
    cube = cube_module.build_cube(tables, Referentiel(TINY_ZONES.copy(), TINY_GROUPS))
    assert _value(cube, "area", "france", "FR", "2020")["value"] == 100  # 10 + 30 + 60
    assert _value(cube, "area", "group", "duo", "2020")["value"] == 40
    assert not _value(cube, "area", "france", "FR", "2020")["approximate"]


def test_the_cube_records_published_and_computed_levels(tiny_cube):
    levels = tiny_cube.meta["levels"]
    assert levels["employment"] == {
        "published": ["zone"],
        "computed": ["group", "region", "france"],
    }
    rates = levels["unemployment_rate"]
    assert "zone" in rates["published"] and "group" in rates["computed"]
    assert not set(rates["published"]) & set(rates["computed"])


# --- the saved cube, read once per process and shared read-only -----------------------------


def test_a_saved_cube_is_read_once_and_shared_read_only(tiny_cube, tmp_path):
    folder = tiny_cube.save(tmp_path / "cube")
    first = cube_module.load_cube(folder)
    assert cube_module.load_cube(str(folder)) is first  # same folder, same files
    private = cube_module.load_cube(folder, shared=False)
    assert private is not first
    table = first.tables["employment"]
    with pytest.raises(ValueError, match="read-only"):
        table.loc[0, "value"] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        table.iloc[0, table.columns.get_loc("lower_bound")] = True
    mine = table[table["level"] == "zone"]  # a filter is a copy, which may be written
    mine.loc[mine.index[0], "value"] = 0.0
    private.tables["employment"].loc[0, "value"] = 0.0
    assert table.loc[0, "value"] == tiny_cube.tables["employment"].loc[0, "value"] != 0.0


def test_a_rewritten_cube_is_read_again(tiny_cube, tmp_path):
    import dataclasses

    folder = tiny_cube.save(tmp_path / "cube")
    first = cube_module.load_cube(folder)
    dataclasses.replace(tiny_cube, meta={**tiny_cube.meta, "notice": "autre"}).save(folder)
    second = cube_module.load_cube(folder)
    assert second is not first and second.meta["notice"] == "autre"
    assert cube_module.load_cube(folder) is second
    other = tiny_cube.save(tmp_path / "other")  # the same content in another folder
    assert cube_module.load_cube(other) is not second


def test_the_warm_kernel_reset_keeps_the_cube(tiny_cube, tmp_path, monkeypatch):
    from bassin_lib.running import _kernel_state

    monkeypatch.chdir(tmp_path)
    folder = tiny_cube.save(tmp_path / "cube")
    first = cube_module.load_cube(folder)
    _kernel_state.warm_up()
    _kernel_state.reset(str(tmp_path))
    assert cube_module.load_cube(folder) is first


@pytest.mark.slow
@pytest.mark.parametrize("territory", ["DA01", "pole-fictif-alpha"])
def test_no_section_changes_the_shared_cube(demo_cube, tmp_path, territory):
    """Every section the notebook calls, run on the shared cube, leaves it as it was read:
    the next notebook of the kernel gets the same cube."""
    import re

    import nbformat

    from bassin_lib.paths import DIAGNOSTIC_NOTEBOOK
    from bassin_lib.rendering import sections

    folder = demo_cube.save(tmp_path / "cube")
    d = sections.open_diagnostic(territory, cube_dir=folder)
    assert d.cube is cube_module.load_cube(folder)
    nb = nbformat.read(DIAGNOSTIC_NOTEBOOK, as_version=4)
    calls = [n for c in nb.cells for n in re.findall(r"sections\.(\w+)\(d\b", c.source)]
    assert len(calls) > 10
    for name in calls:
        if name == "save":
            sections.save(d, tmp_path / "out")
        else:
            getattr(sections, name)(d)
    fresh = cube_module.load_cube(folder, shared=False)
    assert sorted(d.cube.tables) == sorted(fresh.tables)
    for name, table in fresh.tables.items():
        pd.testing.assert_frame_equal(d.cube.tables[name], table, check_exact=True)
    assert d.cube.meta == fresh.meta
    assert d.cube.referentiel.groups == fresh.referentiel.groups
    pd.testing.assert_frame_equal(d.cube.referentiel.zones, fresh.referentiel.zones)
    assert d.cube.geometry.equals(fresh.geometry)
