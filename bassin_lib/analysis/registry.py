"""The indicator registry: every indicator declared once.

Each entry names the function that computes it (in :mod:`bassin_lib.analysis`), its French
label, unit, source dataset, formula in one line, the direction that is favourable to the
territory and the minimum count under which a figure is not reliable. The report's glossary and
method appendix are generated from here (:func:`glossary_markdown`); a test checks that every
public indicator function has an entry and every entry a function.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Headline:
    """How an indicator is shown as a headline figure of every territory.

    The headline figures are the few numbers written to ``indicators.json``, recorded in
    ``provenance.json``, shown as columns of the index table and used to colour the index map.
    They are declared here, on their registry entry, and nowhere else.

    Attributes
    ----------
    key : str
        Key of the number in ``indicators.json`` (``"unemployment_rate"``).
    compute : str
        Name of the function of :mod:`bassin_lib.analysis.headlines` that computes it from the
        cube: ``compute(cube, territory, window) -> (value, period)``.
    title : str
        French title of the index column and of the map legend.
    short : str
        French name in a sentence or a map tooltip (« taux de chômage »).
    description : str
        French description recorded in ``provenance.json``.
    signed : bool
        Shown with its sign (a change: ``+ 1,2 %``) rather than as a level (``7,4 %``).
    period_key : str or None
        Key in ``indicators.json`` of the period the number refers to, when it varies
        (``"unemployment_period"``: ``"2023Q2"``; a window: ``"2019Q4-2020Q4"``).
    map_rank : int or None
        Preference for colouring the index map (lowest first); None: never on the map.
    """

    key: str
    compute: str
    title: str
    short: str
    description: str
    signed: bool = False
    period_key: str | None = None
    map_rank: int | None = None


@dataclass(frozen=True)
class Indicator:
    """One indicator.

    Attributes
    ----------
    id : str
        Identifier, with the seeds' catalogue id where there is one (``"D1"``).
    function : str
        Name of the function of :mod:`bassin_lib.analysis` that computes it.
    label : str
        French label used in reports.
    unit : str
        ``"%"``, ``"points"``, ``"emplois"``, ``"personnes"``, ``"€"``, ``"indice"``, ``"ratio"``.
    source : str
        Canonical table it is computed from (its dataset is named in the report's sources).
    formula : str
        The formula in one line.
    favourable : {"up", "down", "neutral"}
        Which direction is good news for the territory.
    min_count : int or None
        Smallest base count for a reliable figure (sentences are hedged below it).
    headline : Headline or None
        Set when the indicator is one of the territory's headline figures.
    """

    id: str
    function: str
    label: str
    unit: str
    source: str
    formula: str
    favourable: str
    min_count: int | None = None
    headline: Headline | None = None


REGISTRY: tuple[Indicator, ...] = (
    Indicator(
        "D0",
        "employment_index",
        "Indice de l'emploi salarié privé",
        "indice",
        "employment",
        "100 × E_t / E_base",
        "up",
    ),
    Indicator(
        "D1",
        "employment_change",
        "Évolution de l'emploi salarié privé",
        "%",
        "employment",
        "100 × (E_fin − E_début) / E_début",
        "up",
        100,
        Headline(
            key="employment_change_pct",
            compute="employment_change_pct",
            title="Évolution de l'emploi salarié privé",
            short="évolution de l'emploi salarié privé",
            description="évolution de l'emploi salarié privé sur la fenêtre de crise",
            signed=True,
            period_key="employment_window",
            map_rank=2,
        ),
    ),
    Indicator(
        "D2",
        "quarterly_changes",
        "Évolution trimestrielle de l'emploi salarié privé",
        "%",
        "employment",
        "100 × (E_t / E_t−1 − 1)",
        "up",
        100,
    ),
    Indicator(
        "D1b",
        "year_on_year_changes",
        "Évolution de l'emploi salarié privé en glissement annuel",
        "%",
        "employment",
        "100 × (E_t / E_t−4 − 1)",
        "up",
        100,
    ),
    Indicator(
        "D2b",
        "crisis_reading",
        "Résilience et rebond trimestriels",
        "lecture",
        "employment",
        "trimestre de choc : résilience si Δ_local ≥ Δ_France ; sinon rebond si Δ_local ≥ Δ_France",
        "up",
        100,
    ),
    Indicator(
        "D0a",
        "annual_employment_index",
        "Indice de l'emploi au lieu de travail au 31 décembre (Estimations d'emploi)",
        "indice",
        "employment_estel",
        "100 × E_t / E_base (emploi salarié et non salarié, ou l'un des deux)",
        "up",
    ),
    Indicator(
        "D1a",
        "annual_employment_change",
        "Évolution de l'emploi au lieu de travail au 31 décembre (Estimations d'emploi)",
        "%",
        "employment_estel",
        "100 × (E_fin − E_début) / E_début",
        "up",
        100,
    ),
    Indicator(
        "H0",
        "sector_frame",
        "Emploi par secteur : table retenue pour les indicateurs sectoriels",
        "emplois",
        "employment",
        "Urssaf trimestriel par secteur (A17, CVS) s'il existe, sinon Urssaf commune × APE "
        "(NA38, salariés), sinon Estimations d'emploi de l'Insee (salariés, A5) ; une table "
        "retenue couvre le territoire, la France et au moins 95 % des zones",
        "neutral",
    ),
    Indicator(
        "H1",
        "sector_shares",
        "Part de chaque secteur dans l'emploi salarié privé",
        "%",
        "employment",
        "E_secteur / Σ E_secteurs",
        "neutral",
    ),
    Indicator(
        "H2",
        "location_quotients",
        "Indice de spécificité sectorielle",
        "ratio",
        "employment",
        "part locale du secteur / part nationale (ou du reste de la France)",
        "neutral",
    ),
    Indicator(
        "H2b",
        "specialisation_indices",
        "Indices de spécialisation (Krugman, Hoover, Herfindahl)",
        "ratio",
        "employment",
        "Krugman = Σ|s_i − S_i| ; Hoover = Krugman / 2 ; Herfindahl = Σ s_i²",
        "neutral",
    ),
    Indicator(
        "B1",
        "sphere_shares",
        "Part de l'emploi des sphères présentielle et productive",
        "%",
        "employment",
        "Σ E_secteurs de la sphère / Σ E_secteurs (table NAF → sphère)",
        "neutral",
    ),
    Indicator(
        "D4",
        "shift_share",
        "Décomposition structurelle-résiduelle (shift-share)",
        "emplois",
        "employment",
        "ΔE = E_0 g_N + Σ E_i0 (g_Ni − g_N) + Σ E_i0 (g_i − g_Ni)",
        "up",
        100,
    ),
    Indicator(
        "D4b",
        "dynamic_shift_share",
        "Shift-share dynamique (pas à pas)",
        "emplois",
        "employment",
        "somme des décompositions de chaque pas de temps",
        "up",
        100,
    ),
    Indicator(
        "G3",
        "recruitment_summary",
        "Projets de recrutement, part jugée difficile et part saisonnière (BMO)",
        "% / projets",
        "recruitment_bmo",
        "Σ projets ; 100 × Σ difficiles / Σ projets (cellules masquées comptées 0 : minimum)",
        "neutral",
        10,
    ),
    Indicator(
        "G3b",
        "recruitment_by_occupation",
        "Difficulté de recrutement des principaux métiers (BMO)",
        "%",
        "recruitment_bmo",
        "100 × difficiles / projets, par métier, territoire et France",
        "down",
        10,
    ),
    Indicator(
        "F2",
        "interim_share",
        "Part de l'intérim dans l'emploi salarié privé",
        "%",
        "interim_quarterly",
        "100 × intérimaires / emploi salarié privé (même trimestre)",
        "neutral",
    ),
    Indicator(
        "F2u",
        "interim_share_ape",
        "Part de l'intérim dans l'emploi salarié privé (Urssaf, APE 7820Z)",
        "%",
        "employment_ape",
        "100 × salariés des agences de travail temporaire (APE 7820Z, lieu de l'agence) / "
        "salariés de toutes les APE, au 31 décembre",
        "neutral",
    ),
    Indicator(
        "F3",
        "interim_yoy",
        "Activité intérimaire en glissement annuel",
        "%",
        "interim",
        "100 × (A_m,a / A_m,a−1 − 1)",
        "up",
    ),
    Indicator(
        "F5",
        "interim_sector_mix",
        "Répartition sectorielle de l'activité intérimaire",
        "%",
        "interim",
        "A_secteur / Σ A_secteurs sur la période",
        "neutral",
    ),
    Indicator(
        "F6",
        "interim_profile_shares",
        "Profil des intérimaires (sexe, âge, durée)",
        "%",
        "interim_profile",
        "effectif de la catégorie / effectif de la dimension",
        "neutral",
    ),
    Indicator(
        "J2",
        "population_density",
        "Densité de population",
        "hab./km²",
        "area",
        "population / superficie",
        "neutral",
    ),
    Indicator(
        "J1b",
        "population_growth",
        "Croissance démographique annuelle moyenne",
        "%",
        "population",
        "100 × ((P_fin / P_début)^(1/n) − 1)",
        "up",
    ),
    Indicator(
        "E5",
        "labour_force_identity",
        "Décomposition de l'évolution du chômage (population active, emploi)",
        "personnes",
        "unemployment_rate",
        "ΔU = ΔL − ΔE avec L = E / (1 − u)",
        "down",
    ),
    Indicator(
        "E3",
        "jobseeker_shares",
        "Parts des catégories A, B, C dans les demandeurs d'emploi",
        "%",
        "jobseekers",
        "DE_cat / (A + B + C)",
        "neutral",
        100,
    ),
    Indicator(
        "A1",
        "income_base_shares",
        "Parts des bases de revenus captés",
        "%",
        "income_base",
        "revenu de la base / Σ revenus captés ; socialisation = public + social + pensions",
        "neutral",
    ),
    Indicator(
        "A0",
        "development_model",
        "Modèle de développement",
        "libellé",
        "income_base",
        "bases dont la part dépasse la moyenne des zones d'au moins une marge (ou en "
        "hausse), dans l'ordre productif, public, social, retraite, pendulaire, touristique",
        "neutral",
    ),
    Indicator(
        "A1f",
        "income_composition_levels",
        "Composition du revenu disponible des ménages (Filosofi)",
        "%",
        "income_composition",
        "100 × revenu de la source / revenu disponible (activité, pensions, patrimoine, "
        "prestations sociales, impôts en négatif)",
        "neutral",
    ),
    Indicator(
        "A0f",
        "income_composition_profile",
        "Profil des revenus des ménages (Filosofi)",
        "libellé",
        "income_composition",
        "dominante = source la plus forte ; forte part = au moins 2 points au-dessus de la "
        "France métropolitaine (activité, pensions, patrimoine, prestations sociales)",
        "neutral",
    ),
    Indicator(
        "K1",
        "structure_features",
        "Profil standardisé de la structure d'une zone",
        "écart-type",
        "employment",
        "z = (x − moyenne des zones) / écart-type",
        "neutral",
    ),
    Indicator(
        "K2",
        "similar_zones",
        "Zones comparables",
        "distance",
        "employment",
        "distance euclidienne sur les profils standardisés, k plus proches",
        "neutral",
    ),
    Indicator(
        "E1",
        "jobseekers_change",
        "Évolution des demandeurs d'emploi (A, B, C, ABC)",
        "%",
        "jobseekers",
        "100 × (DE_fin − DE_début) / DE_début",
        "down",
        100,
    ),
    Indicator(
        "E1s",
        "jobseekers_series",
        "Demandeurs d'emploi par catégorie",
        "personnes",
        "jobseekers",
        "stock en fin de trimestre ; ABC = A + B + C",
        "down",
        100,
    ),
    Indicator(
        "E6",
        "jobseekers_departements",
        "Demandeurs d'emploi des départements couverts par le territoire (France Travail, mensuel)",
        "personnes",
        "jobseekers_local",
        "Σ DE des départements recoupant le territoire (aucune valeur manquante) ; région "
        "publiée ; France = Σ de tous les départements s'ils sont tous publiés",
        "down",
        100,
    ),
    Indicator(
        "E6b",
        "jobseekers_departements_change",
        "Évolution des demandeurs d'emploi des départements couverts par le territoire",
        "%",
        "jobseekers_local",
        "100 × (DE_fin − DE_début) / DE_début, DE = Σ des départements couverts",
        "down",
        100,
    ),
    Indicator(
        "E6c",
        "jobseekers_communes_change",
        "Demandeurs d'emploi des communes de plus de 5 000 habitants du territoire",
        "%",
        "jobseekers_local",
        "100 × (DE_fin − DE_début) / DE_début, par commune publiée",
        "down",
        100,
    ),
    Indicator(
        "E4",
        "unemployment_rate_series",
        "Taux de chômage localisé",
        "%",
        "unemployment_rate",
        "chômeurs / population active (Insee, CVS)",
        "down",
        headline=Headline(
            key="unemployment_rate",
            compute="latest_unemployment_rate",
            title="Taux de chômage (dernier trimestre)",
            short="taux de chômage",
            description="taux de chômage localisé (dernier trimestre)",
            period_key="unemployment_period",
            map_rank=1,
        ),
    ),
    Indicator(
        "E4b",
        "unemployment_rate_change",
        "Évolution du taux de chômage",
        "points",
        "unemployment_rate",
        "taux_fin − taux_début",
        "down",
    ),
    Indicator(
        "C1",
        "income_poverty_levels",
        "Taux de pauvreté et niveaux de vie",
        "% / €",
        "income_poverty",
        "part de la population sous 60 % du niveau de vie médian national ; médiane, "
        "D1, D9 du niveau de vie",
        "down",
        headline=Headline(
            key="poverty_rate",
            compute="poverty_rate",
            title="Taux de pauvreté",
            short="taux de pauvreté",
            description="taux de pauvreté (seuil à 60 %)",
            map_rank=3,
        ),
    ),
    Indicator(
        "J1",
        "population_change",
        "Évolution de la population",
        "%",
        "population",
        "100 × (P_fin − P_début) / P_début",
        "up",
    ),
)
BY_FUNCTION = {entry.function: entry for entry in REGISTRY}
BY_ID = {entry.id: entry for entry in REGISTRY}
HEADLINES: tuple[Indicator, ...] = tuple(entry for entry in REGISTRY if entry.headline)
"""The registry entries that are headline figures, in registry order."""

_FAVOURABLE = {"up": "hausse", "down": "baisse", "neutral": "sans objet"}


def glossary_markdown(subjects: dict[str, str] | None = None) -> str:
    """Markdown table of every indicator, for the report's method appendix.

    ``subjects`` names each source table in French (``{"employment": "emploi salarié
    privé"}``); a table it does not name is shown by its identifier.
    """
    subjects = subjects or {}
    lines = ["| Indicateur | Unité | Formule | Sens favorable | Données |", "|---|---|---|---|---|"]

    def cell(value: str) -> str:
        return value.replace("|", "\\|")  # a formula's |x| must not split the Markdown table

    for entry in REGISTRY:
        lines.append(
            f"| {cell(entry.label)} | {entry.unit} | {cell(entry.formula)} | "
            f"{_FAVOURABLE[entry.favourable]} | {subjects.get(entry.source, entry.source)} |"
        )
    return "\n".join(lines)
