"""A declared check that fails shows its badge in its section, silences that section's
comparisons, and is kept in indicators.json; the other sections are untouched."""

import pytest

from bassin_lib.inputs import datasets
from bassin_lib.rendering import narrative, sections

COMPARATIVE = ("plus marquée", "plus forte", "plus intense", "nettement", "à rebours", "comparable")


def _texts(items) -> list[str]:
    return [item.data for item in items if isinstance(getattr(item, "data", None), str)]


@pytest.fixture(scope="module")
def corrupted():
    cube = datasets.build("demo")
    table = cube.tables["jobseekers"].copy()
    hit = (table["level"] == "zone") & (table["code"] == "DA01") & (table["category"] == "B")
    table.loc[table.index[hit][-1], "value"] = -12.0  # a negative count, last quarter
    cube.tables["jobseekers"] = table
    return cube


def test_a_failed_check_shows_a_badge_and_silences_the_sections_comparisons(corrupted):
    d = sections.diagnostic_of(corrupted, "DA01", edition="essai")
    texts = _texts(sections.jobseekers(d))
    assert texts[0].startswith("> **⚠ Contrôle de cohérence non satisfait**")
    assert "jobseekers" in texts[0] and "T4 2024" in texts[0]
    sentences = " ".join(texts[1:])
    assert narrative.WITHHELD_COMPARISON in sentences
    assert not any(word in sentences for word in COMPARATIVE), sentences
    assert d.qualifiers["jobseekers"] == {}
    # another section of the same report still compares
    crisis = " ".join(_texts(sections.crisis(d)))
    assert "Contrôle de cohérence" not in crisis and d.qualifiers["crisis"]
    failed = sections.record(d)["checks_failed"]
    assert [(f["section"], f["check"]) for f in failed] == [("jobseekers", "non_negative")]


def test_the_same_territory_on_sound_data_has_no_badge(demo_cube):
    d = sections.diagnostic_of(demo_cube, "DA01", edition="essai")
    texts = _texts(sections.jobseekers(d))
    assert not any("Contrôle de cohérence" in t for t in texts)
    assert d.qualifiers["jobseekers"] and sections.record(d)["checks_failed"] == []
