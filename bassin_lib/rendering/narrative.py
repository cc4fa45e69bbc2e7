"""Numbers to French sentences, in the register of the source study.

Figures are formatted by :mod:`bassin_lib.rendering.french` (``- 4,9 %``, ``12 345``). Two
changes are compared on the qualifier scale of ``docs/narrative.md`` (levels 0 to 3 from the
gap in points and the ratio of magnitudes: « comparable », « plus marquée », « nettement plus
intense », « beaucoup plus marquée »), calibrated on the source study's wordings listed there
and checked by ``tests/test_narrative.py``. Levels of a rate are compared in points (« proche
de », « supérieur à », « nettement inférieur à »).

A sentence is withheld when its data are missing, hedged when they are approximate (group of
zones), a lower bound (masked cells) or too small (a base count under the indicator's
``min_count`` in :mod:`bassin_lib.analysis.registry`).
"""

from __future__ import annotations

import math

import pandas as pd

from bassin_lib.analysis.registry import BY_FUNCTION
from bassin_lib.rendering.french import (
    NBSP,
    format_euros,
    format_number,
    format_percent,
    format_points,
    format_signed,
    french_list,
    ordinal,
    quarter_label,
)

NOISE_POINTS = 0.5
QUARTER_NOISE_POINTS = 0.1


def min_count(function: str) -> int:
    """The base count under which a figure of the registry's ``function`` is said fragile."""
    return BY_FUNCTION[function].min_count or 0


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def gap_level(local: float, benchmark: float) -> int:
    """Size of the gap between two changes on the documented scale (0 to 3)."""
    gap = abs(local - benchmark)
    small, large = sorted([abs(local), abs(benchmark)])
    same_sign = local * benchmark > 0
    ratio = large / small if same_sign and small > 0 else math.inf
    if gap < NOISE_POINTS or ratio < 1.1:
        return 0
    level_gap = 1 if gap < 2 else 2 if gap < 20 else 3
    level_ratio = 1 if ratio < 1.5 or gap < 1 else 2
    return max(level_gap, level_ratio)


_STRONGER = {
    "decline": {
        1: "une tendance à la baisse plus marquée que celle observée",
        2: "une tendance à la baisse nettement plus intense que celle observée",
        3: "une tendance à la baisse beaucoup plus marquée que celle observée",
    },
    "rise": {
        1: "une progression plus forte que celle observée",
        2: "une progression nettement plus forte que celle observée",
        3: "une progression beaucoup plus forte que celle observée",
    },
}
_WEAKER = {
    "decline": {
        1: "une baisse moins marquée que celle observée",
        2: "une baisse nettement moins marquée que celle observée",
        3: "une baisse beaucoup moins marquée que celle observée",
    },
    "rise": {
        1: "une progression plus modérée que celle observée",
        2: "une progression plutôt modérée et bien inférieure à celle observée",
        3: "une progression très inférieure à celle observée",
    },
}


def compare_changes(
    local: float, benchmark: float, where: str = "en moyenne au niveau national"
) -> str:
    """Qualified comparison of two changes with the figures in brackets.

    Examples
    --------
    >>> compare_changes(-4.9, -1.7).replace("\\u00a0", " ")
    'une tendance à la baisse nettement plus intense que celle observée en moyenne au niveau national (- 4,9 % contre - 1,7 %)'
    """
    figures = f"({format_signed(local)} contre {format_signed(benchmark)})"
    level = gap_level(local, benchmark)
    if level == 0:
        return f"une évolution comparable à celle observée {where} {figures}"
    if local * benchmark <= 0:
        if local < benchmark:
            return f"une baisse, à rebours de l'évolution observée {where} {figures}"
        return f"une progression, à rebours de l'évolution observée {where} {figures}"
    direction = "decline" if local < 0 else "rise"
    table = _STRONGER if abs(local) > abs(benchmark) else _WEAKER
    return f"{table[direction][level]} {where} {figures}"


def compare_levels(local: float, benchmark: float) -> str:
    """« proche de », « supérieur à », « nettement inférieur à »... for two rates in %."""
    gap = local - benchmark
    if abs(gap) < NOISE_POINTS:
        return "proche de"
    word = "supérieur à" if gap > 0 else "inférieur à"
    return word if abs(gap) < 2 else f"nettement {word}"


def _row(frame, role: str, **match):
    rows = frame[frame["role"] == role]
    for column, value in match.items():
        rows = rows[rows[column] == value]
    return None if rows.empty else rows.iloc[0]


def _hedges(row) -> str:
    notes = []
    if bool(row.get("approximate", False)):
        notes.append("valeur approchée, moyenne des zones pondérée par leur population")
    if bool(row.get("lower_bound", False)):
        notes.append(
            "certaines cellules sont masquées par le secret statistique : le niveau est un minimum"
        )
    return f" ({' ; '.join(notes)})" if notes else ""


def withheld(subject: str) -> str:
    """The sentence said in place of a result whose data are missing."""
    return f"Les données nécessaires pour décrire {subject} ne sont pas disponibles pour ce territoire."


def employment_change(frame, subject: str = "l'emploi salarié privé") -> str:
    """Sentence for :func:`bassin_lib.analysis.employment_change`.

    « Entre le 4e trimestre 2019 et le 4e trimestre 2020, l'emploi salarié privé de X a reculé
    de 4,9 % (- 4 520 emplois) : une tendance à la baisse nettement plus intense que celle
    observée en moyenne au niveau national (- 4,9 % contre - 1,7 %). »
    """
    own, france = _row(frame, "territory"), _row(frame, "france")
    if (
        own is None
        or france is None
        or _missing(own["change_pct"])
        or _missing(france["change_pct"])
    ):
        return withheld(f"l'évolution de {subject}")
    local, national = float(own["change_pct"]), float(france["change_pct"])
    verb = "a reculé de" if local < 0 else "a progressé de" if local > 0 else "est resté stable,"
    amount = "" if local == 0 else f" {format_number(abs(local), 1)}{NBSP}%"
    jobs = format_signed(own["change"], 0, unit="emplois")
    sentence = (
        f"Entre le {quarter_label(own['start'])} et le {quarter_label(own['end'])}, {subject} de "
        f"{own['label']} {verb}{amount} ({jobs}){_hedges(own)} : "
        f"{compare_changes(local, national)}."
    )
    region = _row(frame, "region")
    if region is not None and not _missing(region["change_pct"]):
        sentence += (
            f" Dans la région {region['label']}, l'évolution est de "
            f"{format_signed(region['change_pct'])}."
        )
    if own["start_value"] < min_count("employment_change"):
        sentence += " Ces évolutions portent sur de petits effectifs et sont à lire avec prudence."
    return sentence


_READINGS = {
    "good_resilience": "une bonne capacité de résilience",
    "weak_resilience": "une faible capacité de résilience",
    "good_rebound": "une bonne capacité de rebond",
    "weak_rebound": "une faible capacité de rebond",
}


def crisis_reading(frame) -> str:
    """Sentence for :func:`bassin_lib.analysis.crisis_reading`.

    Quarters whose gap to France is under 0,1 point are said comparable, never good or weak.
    """
    if frame.empty or frame["local"].isna().any() or frame["national"].isna().any():
        return withheld("la dynamique trimestrielle de l'emploi pendant la crise")
    parts: dict[str, list] = {}
    for row in frame.itertuples():
        key = row.reading
        if abs(row.gap) < QUARTER_NOISE_POINTS:
            key = "comparable_" + row.phase
        parts.setdefault(key, []).append(row.period)
    words = dict(
        _READINGS,
        comparable_shock="une résistance comparable à la moyenne nationale",
        comparable_recovery="une reprise comparable à la moyenne nationale",
    )
    clauses = []
    for key, periods in parts.items():
        years = sorted({p.year for p in periods})
        ordinals = french_list([ordinal(p.quarter) for p in periods])
        noun = "trimestres" if len(periods) > 1 else "trimestre"
        clauses.append(
            f"{words[key]} au{'x' if len(periods) > 1 else ''} {ordinals} {noun} "
            f"{french_list([str(y) for y in years])}"
        )
    return (
        "Lu trimestre par trimestre, au regard de l'évolution nationale, le tissu économique "
        f"local montre {french_list(clauses)}."
    )


def jobseekers_change(frame) -> str:
    """Sentences for :func:`bassin_lib.analysis.jobseekers_change` (ABC then A)."""
    sentences = []
    for category, name in (
        ("ABC", "demandeurs d'emploi (toutes catégories)"),
        ("A", "demandeurs d'emploi de catégorie A"),
    ):
        own = _row(frame, "territory", category=category)
        france = _row(frame, "france", category=category)
        if (
            own is None
            or france is None
            or _missing(own["change_pct"])
            or _missing(france["change_pct"])
        ):
            sentences.append(withheld(f"l'évolution des {name}"))
            continue
        more = "supplémentaires" if own["change"] >= 0 else "de moins"
        local, national = float(own["change_pct"]), float(france["change_pct"])
        sentences.append(
            f"Entre le {quarter_label(own['start'])} et le {quarter_label(own['end'])}, "
            f"{format_number(abs(own['change']))} {name} {more} ont été recensés{_hedges(own)}, "
            f"soit {compare_changes(local, national)}."
        )
        if own["start_value"] < min_count("jobseekers_change"):
            sentences[-1] += " Effectifs réduits : évolution à lire avec prudence."
    return " ".join(sentences)


def unemployment_rate(frame) -> str:
    """Sentence for :func:`bassin_lib.analysis.unemployment_rate_change`."""
    own, region, france = (_row(frame, r) for r in ("territory", "region", "france"))
    if own is None or _missing(own["end_value"]):
        return withheld("le taux de chômage")
    sentence = (
        f"Au {quarter_label(own['end'])}, le taux de chômage s'établit à "
        f"{format_percent(own['end_value'])}{_hedges(own)}"
    )
    comparisons = []
    for row, name in ((region, "la moyenne régionale"), (france, "la moyenne nationale")):
        if row is not None and not _missing(row["end_value"]):
            comparisons.append(
                f"{compare_levels(own['end_value'], row['end_value'])} {name} "
                f"({format_percent(row['end_value'])})"
            )
    if comparisons:
        sentence += ", " + french_list(comparisons)
    if not _missing(own["change"]):
        sentence += (
            f" ; il a évolué de {format_points(own['change'])} depuis le "
            f"{quarter_label(own['start'])}"
        )
        if france is not None and not _missing(france["change"]):
            sentence += f" (France : {format_points(france['change'])})"
    return sentence + "."


def poverty(frame) -> str:
    """Sentence for :func:`bassin_lib.analysis.income_poverty_levels`."""
    own = _row(frame, "territory")
    if own is None or _missing(own.get("poverty_rate")):
        return withheld("la pauvreté")
    region, france = _row(frame, "region"), _row(frame, "france")
    sentence = (
        f"En {own['period'].year}, le taux de pauvreté atteint "
        f"{format_percent(own['poverty_rate'])}{_hedges(own)}"
    )
    comparisons = []
    for row, name in ((region, "la moyenne régionale"), (france, "la moyenne nationale")):
        if row is not None and not _missing(row.get("poverty_rate")):
            comparisons.append(
                f"{compare_levels(own['poverty_rate'], row['poverty_rate'])} {name} "
                f"({format_percent(row['poverty_rate'])})"
            )
    if comparisons:
        sentence += ", " + french_list(comparisons)
    sentence += "."
    if not _missing(own.get("median_living_standard")):
        sentence += (
            f" Le niveau de vie médian est de {format_euros(own['median_living_standard'])} "
            "par an et par unité de consommation"
        )
        if france is not None and not _missing(france.get("median_living_standard")):
            sentence += f" (France : {format_euros(france['median_living_standard'])})"
        sentence += "."
    return sentence


def _share_range(row, measure: str) -> str:
    """« 45,7 % », or « entre 40,0 % et 56,7 % » when masked numerators leave a range."""
    low = row[f"share_{measure}"]
    high = row.get(f"share_{measure}_max", low)
    if not row[f"{measure}_lower_bound"] or _missing(high) or round(high - low, 1) == 0:
        return format_percent(low)
    return f"entre {format_percent(low)} et {format_percent(high)}"


def recruitment(frame, note: str | None = None) -> str:
    """Sentences for :func:`bassin_lib.analysis.recruitment_summary` (BMO survey).

    Masked cells make the number of projects a minimum (« au moins ») and the shares ranges
    (« entre … et … », from counting each masked numerator as none or all of its cell).
    """
    own, france = _row(frame, "territory"), _row(frame, "france")
    if own is None or _missing(own["projects"]):
        return withheld("les projets de recrutement")
    at_least = "au moins " if own["lower_bound"] else ""
    sentence = (
        f"Selon l'enquête Besoins en main-d'œuvre {own['period'].year}, les employeurs de "
        f"{own['label']} prévoient {at_least}{format_number(own['projects'])} projets de "
        "recrutement."
    )
    shares = []
    for measure, words in (
        ("difficult", "sont jugés difficiles"),
        ("seasonal", "sont saisonniers"),
    ):
        value = own[f"share_{measure}"]
        if _missing(value):
            continue
        text = f"{_share_range(own, measure)} {words}"
        if france is not None and not _missing(france[f"share_{measure}"]):
            text += f" (France : {_share_range(france, measure)})"
        shares.append(text)
    if shares:
        joined = french_list(shares)
        sentence += " " + joined[0].upper() + joined[1:] + "."
    if own["lower_bound"]:
        sentence += (
            f" {own['n_masked']} des {own['n_cells']} croisements zone × métier sont masqués par "
            "le secret statistique : le total est un minimum."
        )
    if note:
        sentence += f" {note}"
    return sentence


def specialisation(
    frame, territory_code: str, sector_labels: dict, n: int = 3, threshold: float = 1.2
) -> str:
    """Sentence naming the sectors most over-represented against France.

    Uses :func:`bassin_lib.analysis.location_quotients` rows of the territory; a sector is
    named when its index of specificity is at least ``threshold`` (1,2 by default: 20 % above
    the national share), at most ``n`` of them, largest first.
    """
    own = frame[(frame["code"] == territory_code) & frame["lq"].notna()]
    if own.empty:
        return withheld("la structure sectorielle de l'emploi")
    period = own["period"].iloc[0]
    top = own[own["lq"] >= threshold].sort_values("lq", ascending=False).head(n)
    when = f"au {quarter_label(period)}"
    if top.empty:
        return (
            f"{when[0].upper()}{when[1:]}, aucun secteur n'est nettement surreprésenté par "
            "rapport à la France : la structure sectorielle de l'emploi salarié privé est "
            "proche de la structure nationale."
        )
    items = [
        f"{sector_labels.get(row.sector, row.sector).lower()} (indice de spécificité "
        f"{format_number(row.lq, 1)}, {format_percent(100 * row.share)} des emplois contre "
        f"{format_percent(100 * row.reference_share)} en France)"
        for row in top.itertuples()
    ]
    return (
        f"{when[0].upper()}{when[1:]}, les secteurs les plus surreprésentés par rapport à la "
        f"France sont : {french_list(items)}."
    )


def shift_share(frame, territory_code: str) -> str:
    """Sentence for :func:`bassin_lib.analysis.shift_share` (components sum to the change)."""
    rows = frame[frame["code"] == territory_code]
    if rows.empty or rows[["change", "national", "sector_mix", "local"]].isna().any(axis=None):
        return withheld("la décomposition de l'évolution de l'emploi")
    row = rows.iloc[0]
    caveat = (
        "" if bool(row["complete"]) else (" (certains secteurs, masqués, sont laissés de côté)")
    )
    return (
        f"Entre le {quarter_label(row['start'])} et le {quarter_label(row['end'])}, l'emploi "
        f"salarié privé a évolué de {format_signed(row['change'], 0, unit='emplois')}{caveat}. "
        "Au rythme national, il aurait évolué de "
        f"{format_signed(row['national'], 0, unit='emplois')} (effet national) ; la composition "
        f"sectorielle du territoire compte pour {format_signed(row['sector_mix'], 0, unit='emplois')} "
        "(effet de structure) et ses dynamiques propres pour "
        f"{format_signed(row['local'], 0, unit='emplois')} (effet local)."
    )


def development_model(model_row, shares, labels: dict | None = None) -> str:
    """Sentence for :func:`bassin_lib.analysis.development_model` (one territory's row) with
    the shares of :func:`bassin_lib.analysis.income_base_shares` of the territory."""
    if model_row is None or not isinstance(model_row.get("label"), str):
        return withheld("le modèle de développement")
    if labels is None:
        from bassin_lib.analysis.development_model import COMPONENT_LABELS as labels
    levers = [c.strip() for c in str(model_row.get("levers") or "").split(",") if c.strip()]
    own = shares.set_index("component")["share_pct"]
    if not levers:
        return (
            f"Aucune base de revenus ne se détache de la moyenne des zones d'emploi en "
            f"{model_row['period'].year} : le modèle de développement est « diversifié »."
        )
    items = [
        f"{labels.get(c, c).lower()} ({format_percent(own[c])} des revenus captés)"
        for c in levers
        if c in own.index
    ]
    since = model_row.get("since")
    rule = "supérieures d'au moins un point à la moyenne des zones d'emploi" + (
        f", ou en hausse depuis {since.year}" if isinstance(since, pd.Period) else ""
    )
    return (
        f"En {model_row['period'].year}, le modèle de développement du territoire est de type "
        f"« {model_row['label']} » : les bases de revenus qui le caractérisent ({rule}) "
        f"sont {french_list(items)}."
    )


def labour_force(frame, territory_code: str) -> str:
    """Sentence for :func:`bassin_lib.analysis.labour_force_identity` (ΔU = ΔL − ΔE)."""
    rows = frame[frame["code"] == territory_code]
    needed = ["change_unemployed", "labour_force_part", "employment_part"]
    if rows.empty or rows[[c for c in needed if c in rows]].isna().any(axis=None):
        return withheld("la décomposition de l'évolution du chômage")
    row = rows.iloc[0]
    return (
        f"Entre le {quarter_label(row['start'])} et le {quarter_label(row['end'])}, le nombre de "
        f"chômeurs implicite (déduit du taux de chômage et de l'emploi salarié privé) a évolué de "
        f"{format_signed(row['change_unemployed'], 0, unit='personnes')} : la population active "
        f"y contribue pour {format_signed(row['labour_force_part'], 0, unit='')} et l'emploi pour "
        f"{format_signed(row['employment_part'], 0, unit='')}. L'emploi salarié privé ne couvre "
        "pas tout l'emploi : ces ordres de grandeur sont approchés."
    )


def similar_zones(frame, zone_labels: dict, sector_labels: dict) -> str:
    """Sentence for :func:`bassin_lib.analysis.similar_zones`: the nearest zones and, for the
    nearest, the features on which it is closest."""
    if frame is None or len(frame) == 0:
        return withheld("les zones comparables")
    names = [f"{zone_labels.get(code, code)} ({code})" for code in frame["code"]]

    def feature(name: str) -> str:
        sector = name.removeprefix("share_")
        return f"la part de « {sector_labels.get(sector, sector).lower()} »"

    first = frame.iloc[0]
    closest = [feature(f.strip()) for f in str(first["top_features"]).split(",") if f.strip()]
    sentence = (
        "Les zones d'emploi dont la structure sectorielle de l'emploi salarié privé est "
        f"la plus proche sont : {french_list(names)}."
    )
    if closest:
        sentence += f" La plus proche, {names[0]}, l'est surtout par {french_list(closest)}."
    return sentence


def population(growth, density, territory_code: str) -> str:  # density may be None
    """Sentence on population change (:func:`bassin_lib.analysis.population_growth`) and
    density (:func:`bassin_lib.analysis.population_density`) of one territory."""
    own = growth[growth["code"] == territory_code]
    if own.empty or own[["start_value", "end_value"]].isna().any(axis=None):
        return withheld("l'évolution de la population")
    row = own.iloc[0]
    sentence = (
        f"Le territoire compte {format_number(row['end_value'])} habitants en {row['end'].year}, "
        f"soit {format_signed(row['change_pct'])} depuis {row['start'].year} "
        f"({format_signed(row['annual_change_pct'], 2)} par an en moyenne)"
    )
    france = growth[growth["level"] == "france"]
    if len(france) and not _missing(france["annual_change_pct"].iloc[0]):
        sentence += (
            f", contre {format_signed(france['annual_change_pct'].iloc[0], 2)} par an en France"
        )
    sentence += "."
    dens = (
        None
        if density is None
        else density[(density["code"] == territory_code) & density["density"].notna()]
    )
    if dens is not None and len(dens):
        last = dens.sort_values("period").iloc[-1]
        sentence += (
            f" Sa densité est de {format_number(last['density'])} habitants par km² "
            f"en {last['period'].year}."
        )
    return sentence


def jobseeker_shares(shares, territory_code: str) -> str:
    """Sentence on the share of job seekers in reduced activity (categories B and C)."""
    own = shares[(shares["code"] == territory_code) & shares["share_BC"].notna()]
    if own.empty:
        return withheld("la composition des demandeurs d'emploi")
    last = own.sort_values("period").iloc[-1]
    france = shares[(shares["level"] == "france") & (shares["period"] == last["period"])]
    sentence = (
        f"Au {quarter_label(last['period'])}, les demandeurs d'emploi en activité réduite "
        f"(catégories B et C) représentent {format_percent(100 * last['share_BC'])} des inscrits "
        "en catégories A, B, C"
    )
    if len(france) and not _missing(france["share_BC"].iloc[0]):
        sentence += f" (France : {format_percent(100 * france['share_BC'].iloc[0])})"
    return sentence + "."
