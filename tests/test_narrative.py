import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bassin_lib import analysis as ind
from bassin_lib.rendering import french as f
from bassin_lib.rendering import narrative as n


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_french_number_formats():
    assert plain(f.format_signed(-4.93)) == "- 4,9 %"
    assert plain(f.format_signed(6.9)) == "+ 6,9 %"
    assert plain(f.format_signed(-0.04)) == "0,0 %"
    assert plain(f.format_number(12345)) == "12 345"
    assert plain(f.format_euros(21740)) == "21 740 €"
    assert plain(f.format_points(-1.25)) == "- 1,2 point"
    assert f.quarter_label(pd.Period("2019Q4")) == "4e trimestre 2019"
    assert f.ordinal(1) == "1er"
    assert f.french_list(["a", "b", "c"]) == "a, b et c" and f.french_list(["a"]) == "a"


@pytest.mark.parametrize(
    "local, benchmark, expected",
    [
        # calibration rows of docs/narrative.md (seed [000])
        (-4.9, -1.7, "nettement plus intense"),
        (-78.3, -47.2, "beaucoup plus marquée"),
        (6.9, 4.2, "nettement plus forte"),
        (7.6, 7.4, "comparable"),
        (48.9, 62.5, "bien inférieure"),
        # inside the noise band: no difference claimed
        (-1.3, -1.0, "comparable"),
        # opposite directions
        (-0.8, 1.5, "à rebours"),
    ],
)
def test_qualifier_follows_the_gap(local, benchmark, expected):
    assert expected in n.compare_changes(local, benchmark)


def test_seed_sentence_register():
    text = plain(n.compare_changes(-4.9, -1.7))
    assert text == (
        "une tendance à la baisse nettement plus intense que celle observée en "
        "moyenne au niveau national (- 4,9 % contre - 1,7 %)"
    )


def test_employment_sentence_from_indicator(tiny_cube):
    frame = ind.employment_change(tiny_cube, tiny_cube.territory("0051"))
    text = plain(n.employment_change(frame))
    assert text.startswith(
        "Entre le 4e trimestre 2019 et le 4e trimestre 2020, l'emploi salarié "
        "privé de Zone Un a reculé de 4,0 % (- 40 emplois)"
    )
    assert "(- 4,0 % contre - 2,0 %)" in text
    assert "nettement plus intense" in text
    assert "petits effectifs" not in text  # 1000 jobs is above the minimum count


def test_missing_data_withholds_the_sentence(tiny_cube):
    frame = ind.employment_change(tiny_cube, tiny_cube.territory("0051"))
    masked = frame.assign(change_pct=frame["change_pct"].where(frame["role"] != "france"))
    assert n.employment_change(masked).startswith("Les données nécessaires")


def test_small_counts_are_hedged(tiny_cube):
    # zone 2714: ABC 50 + 10 + 20 = 80 job seekers at the start, under the registry's
    # min_count for jobseekers_change (100);
    # France ABC: 530 -> 550, + 3,8 %
    frame = ind.jobseekers_change(tiny_cube, tiny_cube.territory("2714"))
    text = plain(n.jobseekers_change(frame))
    assert "10 demandeurs d'emploi (toutes catégories) supplémentaires" in text
    assert "(+ 12,5 % contre + 3,8 %). Effectifs réduits : évolution à lire avec prudence." in text
    # zone 0051: 150 job seekers, no hedge
    big = plain(n.jobseekers_change(ind.jobseekers_change(tiny_cube, tiny_cube.territory("0051"))))
    assert "prudence" not in big


def test_approximate_group_rate_is_said_approximate(tiny_cube):
    frame = ind.unemployment_rate_change(tiny_cube, tiny_cube.territory("duo"), "2020Q4", "2020Q4")
    text = plain(n.unemployment_rate(frame))
    assert "7,0 % (valeur approchée" in text
    assert "proche de la moyenne régionale (7,0 %)" in text


def test_crisis_sentence(tiny_cube):
    frame = ind.crisis_reading(tiny_cube, tiny_cube.territory("0051"))
    assert n.crisis_reading(frame) == (
        "Lu trimestre par trimestre, au regard de l'évolution nationale, le tissu économique "
        "local montre une faible capacité de résilience aux 1er, 2e et 4e trimestres 2020 et "
        "une bonne capacité de rebond au 3e trimestre 2020."
    )


def test_poverty_sentence(tiny_cube):
    text = plain(n.poverty(ind.income_poverty_levels(tiny_cube, tiny_cube.territory("2705"))))
    assert text.startswith(
        "En 2020, le taux de pauvreté atteint 12,0 %, inférieur à la moyenne "
        "régionale (13,0 %) et nettement inférieur à la moyenne nationale (14,5 %)"
    )


def test_shift_share_sentence_components_add_up():
    frame = pd.DataFrame(
        [
            {
                "level": "zone",
                "code": "Z",
                "start": pd.Period("2012Q4"),
                "end": pd.Period("2019Q4"),
                "change": -358.0,
                "national": 1337.0,
                "sector_mix": -170.0,
                "local": -1525.0,
                "complete": True,
            }
        ]
    )
    text = plain(n.shift_share(frame, "Z"))
    # - 358 = + 1 337 - 170 - 1 525
    assert (
        "a évolué de - 358 emplois. Au rythme national, il aurait évolué de + 1 337 emplois" in text
    )
    assert "compte pour - 170 emplois (effet de structure)" in text
    assert "pour - 1 525 emplois (effet local)" in text


def test_specialisation_names_sectors_above_the_threshold():
    frame = pd.DataFrame(
        {
            "code": ["Z", "Z", "Z"],
            "period": [pd.Period("2019Q4")] * 3,
            "sector": ["C4", "GZ", "IZ"],
            "lq": [2.5, 1.0, 1.25],
            "share": [0.10, 0.15, 0.05],
            "reference_share": [0.04, 0.15, 0.04],
        }
    )
    text = plain(n.specialisation(frame, "Z", {"C4": "Matériels de transport"}))
    assert text == (
        "Au 4e trimestre 2019, les secteurs les plus surreprésentés par rapport à la France "
        "sont : matériels de transport (indice de spécificité 2,5, 10,0 % des emplois contre "
        "4,0 % en France) et iz (indice de spécificité 1,2, 5,0 % des emplois contre 4,0 % en "
        "France)."
    )


def test_development_model_sentence():
    row = {
        "label": "productif-retraite",
        "levers": "productive, pensions",
        "period": pd.Period("2020", "Y"),
        "since": pd.Period("2015", "Y"),
    }
    shares = pd.DataFrame(
        {"component": ["productive", "pensions", "social"], "share_pct": [32.8, 29.6, 12.0]}
    )
    text = plain(n.development_model(row, shares))
    assert text == (
        "En 2020, le modèle de développement du territoire est de type « productif-retraite » : "
        "les bases de revenus qui le caractérisent (supérieures d'au moins un point à la moyenne "
        "des zones d'emploi, ou en hausse depuis 2015) sont revenus productifs exportateurs "
        "(32,8 % des revenus captés) et pensions de retraite (29,6 % des revenus captés)."
    )
    assert "« diversifié »" in n.development_model({**row, "levers": ""}, shares)


def test_labour_force_sentence_parts_add_up():
    frame = pd.DataFrame(
        [
            {
                "code": "Z",
                "start": pd.Period("2019Q4"),
                "end": pd.Period("2023Q3"),
                "change_unemployed": -129.0,
                "labour_force_part": -388.0,
                "employment_part": 259.0,
            }
        ]
    )
    text = plain(n.labour_force(frame, "Z"))
    # - 129 = - 388 + 259
    assert (
        "a évolué de - 129 personnes : la population active y contribue pour - 388 et "
        "l'emploi pour + 259." in text
    )


def test_similar_zones_sentence():
    frame = pd.DataFrame(
        {
            "code": ["A1", "B2"],
            "rank": [1, 2],
            "distance": [0.5, 0.9],
            "top_features": ["share_C4, share_GZ", "share_IZ"],
        }
    )
    text = n.similar_zones(frame, {"A1": "Zone A", "B2": "Zone B"}, {"C4": "Automobile"})
    assert text.startswith(
        "Les zones d'emploi dont la structure sectorielle de l'emploi "
        "salarié privé est la plus proche sont : Zone A (A1) et Zone B (B2)."
    )
    assert "l'est surtout par la part de « automobile » et la part de « gz »." in text


def test_population_sentence():
    growth = pd.DataFrame(
        [
            {
                "level": "zone",
                "code": "Z",
                "start": pd.Period("2010", "Y"),
                "end": pd.Period("2020", "Y"),
                "start_value": 100_000.0,
                "end_value": 95_000.0,
                "change_pct": -5.0,
                "annual_change_pct": -0.5116,
            },
            {
                "level": "france",
                "code": "FR",
                "start": pd.Period("2010", "Y"),
                "end": pd.Period("2020", "Y"),
                "start_value": 1.0,
                "end_value": 1.0,
                "change_pct": 0.0,
                "annual_change_pct": 0.35,
            },
        ]
    )
    density = pd.DataFrame(
        {"code": ["Z"], "period": [pd.Period("2020", "Y")], "density": [95_000 / 500]}
    )
    text = plain(n.population(growth, density, "Z"))
    assert text == (
        "Le territoire compte 95 000 habitants en 2020, soit - 5,0 % depuis 2010 "
        "(- 0,51 % par an en moyenne), contre + 0,35 % par an en France. Sa densité "
        "est de 190 habitants par km² en 2020."
    )


def test_the_small_count_threshold_is_the_registry_one(tiny_cube, monkeypatch):
    from dataclasses import replace

    from bassin_lib.analysis import registry

    frame = ind.jobseekers_change(tiny_cube, tiny_cube.territory("2714"))  # 80 at the start
    assert "prudence" in n.jobseekers_change(frame)
    lowered = replace(registry.BY_FUNCTION["jobseekers_change"], min_count=50)
    monkeypatch.setitem(registry.BY_FUNCTION, "jobseekers_change", lowered)
    assert "prudence" not in n.jobseekers_change(frame)


def test_place_names_elide():
    assert f.of_place("Belfort") == "de Belfort"
    assert f.of_place("Ouest-Guyanais") == "d'Ouest-Guyanais"
    assert f.of_place("Le Havre") == "du Havre" and f.of_place("Les Sables") == "des Sables"
    assert f.of_place("La Rochelle") == "de la Rochelle"


# --- noise band, qualifiers kept, comparisons withheld ------------------------------------------

COMPARATIVE = ("plus marquée", "plus forte", "plus intense", "nettement", "à rebours", "moins")


@settings(max_examples=300, deadline=None)
@given(
    local=st.floats(-60, 60, allow_nan=False),
    benchmark=st.floats(-60, 60, allow_nan=False),
    band=st.floats(0.5, 15, allow_nan=False),
)
def test_a_gap_inside_the_band_never_gets_a_comparative_qualifier(local, benchmark, band):
    sentence = n.compare_changes(local, benchmark, band=band)
    if abs(local - benchmark) < band:
        assert not any(word in sentence for word in COMPARATIVE), sentence
        assert sentence.startswith(("une évolution proche", "une évolution comparable"))
    else:  # outside the band the fixed scale decides, as without a band
        assert sentence == n.compare_changes(local, benchmark)


def test_inside_the_band_the_sentence_says_the_evolutions_are_close():
    sentence = n.compare_changes(-4.9, -1.7, band=3.5).replace("\u00a0", " ")
    assert sentence == (
        "une évolution proche de celle observée en moyenne au niveau national "
        "(- 4,9 % contre - 1,7 %), l'écart restant dans les variations habituelles du "
        "territoire (± 3,5 points)"
    )
    # the calibration set holds with the fixed floor as band
    assert "nettement plus intense" in n.compare_changes(-4.9, -1.7, band=n.NOISE_POINTS)


def test_each_comparison_notes_its_qualifier_and_a_failed_check_withholds_it():
    record = n.Wording()
    with n.wording(record):
        n.compare_changes(-4.9, -1.7, about="emploi")
        n.compare_changes(7.6, 7.4, about="catégorie A")
        n.compare_levels(9.0, 7.0, about="chômage")
    assert record.qualifiers == {
        "emploi": "une tendance à la baisse nettement plus intense",
        "catégorie A": "comparable",
        "chômage": "nettement supérieur à",
    }
    withheld = n.Wording(withhold=True)
    with n.wording(withheld):
        sentence = n.compare_changes(-4.9, -1.7)
        level = n.compare_levels(9.0, 7.0)
    assert not any(word in sentence for word in COMPARATIVE)
    assert n.WITHHELD_COMPARISON in sentence and "- 4,9 % contre - 1,7 %" in sentence.replace(
        "\u00a0", " "
    )
    assert level == "à rapprocher de" and withheld.qualifiers == {}
    assert n.compare_changes(-4.9, -1.7).startswith("une tendance")  # the record is closed


def test_the_appendix_states_each_band_with_its_history():
    import pandas as pd

    from bassin_lib.analysis.noise import NoiseBand

    q = pd.Period
    bands = {
        "l'emploi salarié privé": NoiseBand(
            sigma=0.31,
            n=36,
            first=q("2011Q1"),
            last=q("2019Q4"),
            band=0.5,
            mean=0.1,
            horizon=4,
            adjusted=False,
        ),
        "les demandeurs d'emploi de catégorie A": NoiseBand(
            sigma=2.345,
            n=36,
            first=q("2011Q1"),
            last=q("2019Q4"),
            band=2.345,
            mean=-0.4,
            horizon=4,
            adjusted=False,
        ),
        "les demandeurs d'emploi (A, B, C)": NoiseBand(
            sigma=None,
            n=3,
            first=q("2019Q2"),
            last=q("2019Q4"),
            band=0.5,
            mean=None,
            horizon=4,
            adjusted=False,
        ),
    }
    text = n.noise_bands(bands).replace("\u00a0", " ")
    assert text.startswith("**Bandes de bruit.**") and "au moins 0,5 point" in text
    assert text.endswith(
        "Bandes utilisées : pour l'emploi salarié privé, ± 0,5 point (écart-type de 36 écarts "
        "d'évolution sur 4 trimestres, entre le 1er trimestre 2011 et le 4e trimestre 2019, "
        "relevé au seuil fixe) ; pour les demandeurs d'emploi de catégorie A, ± 2,3 points "
        "(écart-type de 36 écarts d'évolution sur 4 trimestres, entre le 1er trimestre 2011 et "
        "le 4e trimestre 2019) ; pour les demandeurs d'emploi (A, B, C), ± 0,5 point (seuil "
        "fixe : historique trop court (3 écarts))."
    )
