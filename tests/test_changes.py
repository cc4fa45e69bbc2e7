"""« Ce qui a changé depuis l'édition … » (bassin_lib.rendering.changes) on hand-made
``indicators.json`` records: periods added, revisions on each side of the thresholds,
headline figures then and now, qualifiers, new and absent territories, nothing changed."""

from __future__ import annotations

import ast
import copy
import inspect
import re

import pytest

from bassin_lib.errors import ParameterError
from bassin_lib.rendering import changes
from bassin_lib.rendering.changes import compare, compare_editions


def plain(text: str) -> str:
    """French text with its no-break spaces as plain spaces."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def record(territory="DA02", label="Zone Deux", edition="2024T3", **changed) -> dict:
    """A territory's indicators.json as the writer side saves it."""
    out = {
        "territory": territory,
        "label": label,
        "employment_change_pct": -0.472,
        "employment_window": "2019Q4-2020Q4",
        "unemployment_rate": 5.8,
        "unemployment_period": "2024Q3",
        "poverty_rate": 12.4,
        "edition": edition,
        "data_source": "demo",
        "series": {
            "employment": {"2024Q1": 12000.0, "2024Q2": 12100.0, "2024Q3": 12345.0},
            "unemployment_rate": {"2024Q2": 5.9, "2024Q3": 5.8},
            "poverty_rate": {"2019": 12.4},
        },
        "qualifiers": {
            "crisis": {"emploi salarié privé, France": "nettement plus intense"},
            "poverty": {"taux de pauvreté, France": "proche de"},
        },
        "checks_failed": [],
    }
    out.update(changed)
    return out


def next_edition(previous: dict, **changed) -> dict:
    out = copy.deepcopy(previous)
    out["edition"] = "2024T4"
    out.update(changed)
    return out


# --- the thresholds ---------------------------------------------------------------------------


def test_thresholds_are_stated_constants():
    assert changes.REVISION_THRESHOLD_RELATIVE == 0.005  # counts: 0,5 % of the previous value
    assert changes.REVISION_THRESHOLD_POINTS == 0.1  # rates: 0,1 point
    assert plain(changes.thresholds_text()) == "0,5 % pour les effectifs, 0,1 point pour les taux"


def test_one_quarter_revised_beyond_the_threshold_one_below_and_one_added():
    before = record()
    now = next_edition(before)
    now["series"]["employment"] = {
        "2024Q1": 12100.0,  # + 100 / 12 000 = + 0,833 % ≥ 0,5 %: listed
        "2024Q2": 12130.0,  # + 30 / 12 100 = + 0,248 % < 0,5 %: counted only
        "2024Q3": 12345.0,  # unchanged
        "2024Q4": 12400.0,  # added
    }
    found = compare(before, now, previous_edition="2024T3")
    assert found.added == {"employment": ("2024Q4",)}
    assert [(r.series, r.period, r.previous, r.current) for r in found.revisions] == [
        ("employment", "2024Q1", 12000.0, 12100.0)
    ]
    assert found.revisions[0].relative == pytest.approx(100 / 12000)
    assert found.minor_revisions == 1
    assert not found.withdrawn and not found.qualifiers and not found.unchanged
    text = plain(changes.block(found))
    assert text.startswith("## Ce qui a changé depuis l'édition 2024T3\n")
    assert "**Nouvelles données publiées** :\n\n- emploi salarié privé : T4 2024.\n" in text
    assert (
        "**Révisions des chiffres déjà publiés** (d'au moins 0,5 % pour les effectifs, "
        "0,1 point pour les taux) :\n\n"
        "- emploi salarié privé, T1 2024 : 12 100 au lieu de 12 000 (+ 0,8 %).\n"
    ) in text
    assert (
        "1 valeur déjà publiée a été légèrement révisée, sous les seuils retenus "
        "(0,5 % pour les effectifs, 0,1 point pour les taux)."
    ) in text
    assert "12 130" not in text  # the revision under the threshold is not listed
    assert "Appréciations" not in text and "ne sont plus publiées" not in text
    # headlines unchanged: said once each, without a gap
    assert (
        "- évolution de l'emploi salarié privé (T4 2019 – T4 2020) : - 0,5 %, sans changement ;"
        in text
    )
    assert "- taux de chômage : 5,8 % (T3 2024), sans changement ;" in text
    assert "- taux de pauvreté : 12,4 %, sans changement." in text
    assert changes.summary(found) == "1 période ajoutée ; 1 révision"
    assert found.movement == 0.0


@pytest.mark.parametrize(
    "series, before, after, listed",
    [
        ("employment", 10_000.0, 10_050.0, True),  # exactly 0,5 %: at the threshold, listed
        ("employment", 10_000.0, 10_049.0, False),  # 0,49 %
        ("employment", 10_000.0, 9_950.0, True),  # - 0,5 %: either direction
        ("unemployment_rate", 5.9, 6.0, True),  # 0,1 point (6.0 - 5.9 in floats: 0.0999...)
        ("unemployment_rate", 5.9, 5.95, False),  # 0,05 point
        ("poverty_rate", 12.4, 12.2, True),  # - 0,2 point
    ],
)
def test_revisions_on_each_side_of_the_thresholds(series, before, after, listed):
    period = "2019" if series == "poverty_rate" else "2024Q2"
    previous = record(series={series: {period: before}})
    current = next_edition(previous, series={series: {period: after}})
    found = compare(previous, current, previous_edition="2024T3")
    assert (len(found.revisions), found.minor_revisions) == ((1, 0) if listed else (0, 1))


def test_a_revised_rate_is_given_in_points_and_a_count_as_a_percentage():
    previous = record()
    current = next_edition(previous)
    current["series"]["unemployment_rate"]["2024Q2"] = 6.1  # + 0,2 point
    current["series"]["employment"]["2024Q3"] = 12000.0  # - 345 / 12 345 = - 2,79 %
    text = plain(changes.block(compare(previous, current, previous_edition="2024T3")))
    # the largest revision first, in units of its threshold: 2,79 % / 0,5 % = 5,6 > 0,2 / 0,1
    assert (
        "- emploi salarié privé, T3 2024 : 12 000 au lieu de 12 345 (- 2,8 %) ;\n"
        "- taux de chômage, T2 2024 : 6,1 % au lieu de 5,9 % (+ 0,2 point).\n"
    ) in text


def test_beyond_six_revisions_the_others_are_counted():
    quarters = [f"2023Q{q}" for q in range(1, 5)] + [f"2024Q{q}" for q in range(1, 5)]
    previous = record(series={"employment": dict.fromkeys(quarters, 1000.0)})
    current = next_edition(previous, series={"employment": dict.fromkeys(quarters, 1100.0)})
    found = compare(previous, current, previous_edition="2024T3")
    assert len(found.revisions) == 8
    text = plain(changes.block(found))
    assert text.count("1 100 au lieu de 1 000 (+ 10,0 %)") == changes.REVISIONS_LISTED == 6
    assert "- et 2 autres révisions de cette ampleur.\n" in text


def test_many_added_quarters_are_given_as_a_range():
    previous = record(series={"employment": {"2023Q4": 1000.0}})
    added = {f"2024Q{q}": 1000.0 for q in range(1, 5)} | {"2025Q1": 1000.0}
    current = next_edition(previous, series={"employment": {"2023Q4": 1000.0, **added}})
    text = plain(changes.block(compare(previous, current, previous_edition="2024T3")))
    assert "- emploi salarié privé : de T1 2024 à T1 2025 (5 trimestres).\n" in text
    two = next_edition(
        previous, series={"employment": {"2023Q4": 1000.0, "2024Q1": 1.0, "2024Q2": 2.0}}
    )
    assert "emploi salarié privé : T1 2024 et T2 2024." in plain(
        changes.block(compare(previous, two, previous_edition="2024T3"))
    )


def test_a_value_missing_now_is_withdrawn_and_a_value_published_now_is_added():
    previous = record(series={"employment": {"2024Q1": 1000.0, "2024Q2": None}})
    current = next_edition(previous, series={"employment": {"2024Q1": None, "2024Q2": 990.0}})
    found = compare(previous, current, previous_edition="2024T3")
    assert found.added == {"employment": ("2024Q2",)}  # masked before, published now
    assert found.withdrawn == {"employment": ("2024Q1",)}  # published before, masked now
    text = plain(changes.block(found))
    assert "**Données qui ne sont plus publiées** :\n\n- emploi salarié privé : T1 2024.\n" in text


# --- headlines and qualifiers -----------------------------------------------------------------


def test_headline_figures_then_and_now():
    previous = record()
    current = next_edition(
        previous,
        unemployment_rate=6.3,
        unemployment_period="2024Q4",
        employment_change_pct=-0.2,
        poverty_rate=None,
    )
    found = compare(previous, current, previous_edition="2024T3")
    by_key = {h.key: h for h in found.headlines}
    assert list(by_key) == ["employment_change_pct", "unemployment_rate", "poverty_rate"]
    assert by_key["unemployment_rate"].difference == pytest.approx(0.5)
    assert by_key["poverty_rate"].difference is None
    text = plain(changes.block(found))
    assert (
        "**Chiffres clés** :\n\n"
        "- évolution de l'emploi salarié privé (T4 2019 – T4 2020) : - 0,2 %, contre - 0,5 % "
        "dans l'édition 2024T3 (+ 0,3 point) ;\n"
        "- taux de chômage : 6,3 % (T4 2024), contre 5,8 % (T3 2024) dans l'édition 2024T3 "
        "(+ 0,5 point) ;\n"
        "- taux de pauvreté : non disponible, contre 12,4 % dans l'édition 2024T3.\n"
    ) in text
    # movement: the largest absolute change of a headline, in points: |6,3 - 5,8| = 0,5
    assert found.movement == pytest.approx(0.5)
    assert plain(changes.summary(found)) == (
        "évolution de l'emploi salarié privé + 0,3 point ; taux de chômage + 0,5 point ; "
        "taux de pauvreté non disponible"
    )


def test_a_change_under_the_shown_decimal_is_no_change():
    previous = record()
    current = next_edition(previous, employment_change_pct=-0.468)  # still « - 0,5 % »
    found = compare(previous, current, previous_edition="2024T3")
    assert found.unchanged and found.movement == pytest.approx(0.004)


def test_qualifiers_changed_appeared_and_gone():
    previous = record()
    current = next_edition(
        previous,
        qualifiers={
            "crisis": {
                "emploi salarié privé, France": "plus intense",
                "emploi salarié privé, région": "comparable",
            },
        },
    )
    found = compare(previous, current, previous_edition="2024T3")
    # sections in the report's order (poverty, section 3, before crisis, section 4)
    assert [(q.section, q.subject, q.previous, q.current) for q in found.qualifiers] == [
        ("poverty", "taux de pauvreté, France", "proche de", None),
        ("crisis", "emploi salarié privé, France", "nettement plus intense", "plus intense"),
        ("crisis", "emploi salarié privé, région", None, "comparable"),
    ]
    text = changes.block(found)
    assert (
        "**Appréciations modifiées** :\n\n"
        "- Pauvreté et niveaux de vie, taux de pauvreté, France : comparaison absente de cette "
        "édition (elle disait « proche de ») ;\n"
        "- Le choc de la crise sanitaire, emploi salarié privé, France : « plus intense » au "
        "lieu de « nettement plus intense » ;\n"
        "- Le choc de la crise sanitaire, emploi salarié privé, région : « comparable », "
        "comparaison nouvelle.\n"
    ) in text
    assert changes.summary(found) == "3 appréciations modifiées"


# --- new, absent, nothing changed -------------------------------------------------------------


def test_a_new_territory_is_said_so():
    found = compare(None, record(edition="2024T4"), previous_edition="2024T3")
    assert found.new and found.movement is None and not found.unchanged
    assert changes.block(found) == (
        "## Ce qui a changé depuis l'édition 2024T3\n\n"
        "Ce territoire ne figurait pas dans l'édition 2024T3.\n"
    )
    assert changes.summary(found) == "nouveau territoire"


def test_nothing_changed_is_said_in_one_sentence():
    previous = record()
    found = compare(previous, next_edition(previous), previous_edition="2024T3")
    assert found.unchanged and found.movement == 0.0
    assert changes.block(found, level=3) == (
        "### Ce qui a changé depuis l'édition 2024T3\n\n"
        "Rien n'a changé depuis l'édition 2024T3 : mêmes périodes publiées, aucune révision "
        "au-delà des seuils retenus, mêmes chiffres clés et mêmes appréciations.\n"
    )
    assert changes.summary(found) == "aucun changement"
    # a revision under the thresholds changes nothing, and is counted
    current = next_edition(previous)
    current["series"]["employment"]["2024Q1"] = 12001.0
    found = compare(previous, current, previous_edition="2024T3")
    assert found.unchanged and found.minor_revisions == 1
    assert "1 valeur déjà publiée a été légèrement révisée" in changes.block(found)


def test_a_record_of_an_edition_that_kept_no_series_compares_its_headlines():
    previous = {k: v for k, v in record().items() if k not in ("series", "qualifiers")}
    current = next_edition(record(), unemployment_rate=6.0)
    found = compare(previous, current, previous_edition="2024T3")
    assert found.not_kept == ("series", "qualifiers")
    assert not found.added and not found.withdrawn and not found.qualifiers
    text = plain(changes.block(found))
    assert (
        "L'édition 2024T3 ne conservait pas les séries publiées et les appréciations des "
        "comparaisons : seul le reste est comparé."
    ) in text
    assert "taux de chômage : 6,0 % (T3 2024), contre 5,8 % (T3 2024)" in text


def test_the_edition_ranks_territories_by_movement_and_lists_new_and_absent_ones():
    previous = {
        "DA01": record("DA01", "Zone Un"),
        "DA02": record("DA02", "Zone Deux"),
        "DA03": record("DA03", "Zone Trois"),
        "DA09": record("DA09", "Zone Neuf"),
    }
    current = {
        "DA01": next_edition(previous["DA01"], unemployment_rate=6.3, employment_change_pct=-0.2),
        "DA02": next_edition(previous["DA02"], poverty_rate=11.4),
        "DA03": next_edition(previous["DA03"]),
        "DA04": record("DA04", "Zone Quatre", edition="2024T4"),
    }
    edition = compare_editions(previous, current, previous_edition="2024T3")
    assert list(edition.territories) == ["DA01", "DA02", "DA03", "DA04"]
    # DA02: |11,4 - 12,4| = 1,0 point; DA01: max(|6,3 - 5,8|, |-0,2 + 0,472|) = 0,5; DA03: 0
    assert [(c.territory, c.movement) for c in edition.ranked()] == [
        ("DA02", pytest.approx(1.0)),
        ("DA01", pytest.approx(0.5)),
        ("DA03", 0.0),
    ]
    assert [c.territory for c in edition.new] == ["DA04"]
    assert edition.absent == (("DA09", "Zone Neuf"),)


# --- validation, periods, no HTML -------------------------------------------------------------


def test_records_are_checked_at_the_door():
    with pytest.raises(ParameterError, match="different territories: 'DA01' and 'DA02'"):
        compare(record("DA01"), record("DA02"), previous_edition="2024T3")
    with pytest.raises(ParameterError, match="different data sources: 'real'"):
        compare(record(data_source="real"), record(), previous_edition="2024T3")
    with pytest.raises(ParameterError, match="current record: expected the dict"):
        compare(record(), ["DA02"], previous_edition="2024T3")
    with pytest.raises(ParameterError, match="level 7: a Markdown heading level"):
        changes.block(compare(None, record(), previous_edition="x"), level=7)


@pytest.mark.parametrize(
    "period, label",
    [
        ("2024Q4", "T4 2024"),
        ("2019Q4-2020Q4", "T4 2019 – T4 2020"),
        ("2019", "2019"),
        ("2020-01", "janvier 2020"),
        ("bientôt", "bientôt"),
        (None, ""),
    ],
)
def test_periods_in_french(period, label):
    assert changes.period_label(period) == label


def test_the_module_writes_no_html_tag():
    tree = ast.parse(inspect.getsource(changes))
    strings = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    assert not [s for s in strings if re.search(r"<[A-Za-z/!]", s)]
