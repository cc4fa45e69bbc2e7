"""Markdown blocks for the diagnostic notebook: escaped text, title, identity card, tables,
sources and glossary, and the territory's ``indicators.json``.

Every text from data goes through :func:`text` (HTML neutralised, unsafe links made inert).
The executed notebook becomes the report page in :mod:`bassin_lib.rendering.page`; the
edition's index page is :mod:`bassin_lib.rendering.index_site`. Writing files is a separate,
atomic step (:func:`bassin_lib.files.write_atomic`), so an interrupted run never leaves half a
report.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from bassin_lib.files import write_atomic
from bassin_lib.inputs.territories import Territory
from bassin_lib.rendering import french


def text(markdown: str):
    """Markdown output for a notebook, with any HTML in it neutralised (labels come from data).

    ``&`` and ``<`` are escaped, which is enough for no tag to survive; ``>`` is kept because
    Markdown needs it for block quotes.
    """
    from IPython.display import Markdown

    return Markdown(escape_markdown_html(markdown))


def escape_markdown_html(markdown: str) -> str:
    """Escape ``&`` and ``<`` so that text from data can never inject HTML into a report, and
    make inert any link whose address is not ``http``, ``https`` or ``mailto``
    (:func:`safe_links`)."""
    return safe_links(markdown.replace("&", "&amp;").replace("<", "&lt;"))


SAFE_SCHEMES = ("http", "https", "mailto")


def safe_links(markdown: str) -> str:
    """Make inert every Markdown link or image whose address has a scheme other than
    ``http``, ``https`` or ``mailto`` (``javascript:``, ``data:``…): its address becomes ``#``.
    """

    def safe(url: str) -> bool:
        scheme = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*)\s*:", url)
        return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES

    out, position = [], 0
    for opening in re.finditer(r"\]\(\s*", markdown):
        if opening.start() < position:
            continue
        start = end = opening.end()
        depth = 0
        # the destination runs to the first blank or unbalanced ")" (Markdown's rule)
        while end < len(markdown) and not markdown[end].isspace():
            if markdown[end] == "(":
                depth += 1
            elif markdown[end] == ")":
                if depth == 0:
                    break
                depth -= 1
            end += 1
        if not safe(markdown[start:end]):
            out.append(markdown[position:start] + "#")
            position = end
    out.append(markdown[position:])
    return re.sub(
        r"(?m)^(\s{0,3}\[[^\]]+\]:\s*)(\S+)",
        lambda m: m.group(1) + (m.group(2) if safe(m.group(2)) else "#"),
        "".join(out),
    )


def title_block(cube, territory: Territory, edition: str):
    """Title, edition and, for synthetic data, the notice that the data are fictitious."""
    kind = "zone d'emploi" if territory.kind == "zone" else "groupe de zones d'emploi"
    lines = [
        f"# Diagnostic emploi territorial : {territory.label}",
        f"*{kind.capitalize()} · édition {edition}*",
    ]
    if cube.meta.get("synthetic"):
        lines.append(f"> **{cube.meta['notice']}**")
    return text("\n\n".join(lines))


def identity(cube, territory: Territory):
    """Identity card of the territory as a Markdown table."""
    zones = cube.referentiel.zones.loc[list(territory.zones)]
    population = cube.select("population", territory)
    own = population[(population["role"] == "territory") & population["value"].notna()]
    rows = [
        ("Territoire", territory.label),
        ("Code", territory.id),
        (
            "Zones d'emploi (ZE2020)",
            ", ".join(f"{z} {lab}" for z, lab in zip(zones["zone"], zones["label"], strict=True)),
        ),
        ("Région de comparaison", territory.region_label),
        ("Départements couverts", ", ".join(territory.departements)),
    ]
    if not own.empty:
        last = own.iloc[-1]
        rows.append((f"Population ({last['period'].year})", french.format_number(last["value"])))
    rows.append(
        ("Comparaisons", f"{territory.region_label} ; {cube.meta.get('france_label', 'France')}")
    )
    table = "| | |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)
    return text(table)


TABLE_SUBJECTS = {
    "employment": "emploi salarié privé",
    "jobseekers": "demandeurs d'emploi par zone d'emploi",
    "unemployment_rate": "taux de chômage localisé",
    "income_poverty": "revenus et pauvreté",
    "population": "population",
    "recruitment_bmo": "projets de recrutement (enquête BMO)",
    "employment_sectors": "emploi salarié privé par secteur",
    "geometry": "fond de carte des zones d'emploi",
    "income_base": "revenus captés par base économique",
    "interim_quarterly": "intérim par zone d'emploi",
    "interim": "intérim",
    "interim_profile": "profil des intérimaires",
    "area": "superficie des zones d'emploi",
    "jobseekers_monthly": "demandeurs d'emploi par mois",
    "jobseekers_local": "demandeurs d'emploi par commune, département et région (mensuel)",
    "employment_estel": "estimations d'emploi par zone d'emploi (Insee)",
    "employment_ape": "établissements et effectifs salariés privés par commune et APE",
    "income_composition": "composition du revenu disponible des ménages",
}


def row_of(frame: pd.DataFrame, territory: Territory) -> dict | None:
    """The row of ``territory`` in a frame keyed by ``level, code`` (None when absent)."""
    rows = frame[(frame["level"] == territory.kind) & (frame["code"] == territory.id)]
    return None if rows.empty else rows.iloc[0].to_dict()


def rows_of(frame: pd.DataFrame, territory: Territory, period=None) -> pd.DataFrame:
    """The rows of ``territory`` (at ``period`` when given) in a frame keyed by ``level, code``."""
    rows = frame[(frame["level"] == territory.kind) & (frame["code"] == territory.id)]
    return rows if period is None else rows[rows["period"] == period]


def zone_labels(cube) -> dict:
    """Zone code → label of the référentiel."""
    zones = cube.referentiel.zones
    return dict(zip(zones["zone"], zones["label"], strict=True))


def table(frame: pd.DataFrame):
    """A small frame as a Markdown table (escaped), for sections without a dedicated chart."""
    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return text("\n".join([header, rule, *body]))


def available(cube, table: str) -> bool:
    """Whether the cube holds a table (a dataset absent from the edition is left out)."""
    return table in cube.tables and not cube.tables[table].empty


def unavailable(table: str):
    """The one French sentence said in place of a section whose dataset is absent."""
    subject = TABLE_SUBJECTS.get(table, table)
    return text(
        f"*Aucune donnée « {subject} » n'est disponible pour cette édition : cette partie du "
        "diagnostic ne peut pas être renseignée.*"
    )


def check_detail(result, named: int = 3) -> str:
    """The French sentence of a declared check's result.

    Parameters
    ----------
    result : CheckResult
        From :func:`bassin_lib.analysis.checks.run_checks`.
    named : int
        Other failing cases of a table whose place and period are listed (the rest counted).

    Returns
    -------
    str
        For a failed check, table by table: the first case in full (table, place, period,
        figures), then the places and periods of ``named`` others and how many more, e.g.
        « table jobseekers, Zone Un, T4 2020 : A + B + C = 160 pour ABC = 163 publié (écart
        de -3, tolérance 1). ». Otherwise how many values passed, or why the check does not
        apply. Figures and periods are written by :mod:`bassin_lib.rendering.french`.
    """
    tables = ", ".join(result.tables)
    if result.cases is None:
        if result.checked:
            s = "s" if result.checked > 1 else ""
            number = french.format_number(result.checked)
            return f"{number} valeur{s} contrôlée{s} ({tables}) : aucun écart."
        notes = result.notes or (f"aucune valeur à contrôler ({tables})",)
        return "Non applicable : " + " ; ".join(notes) + "."
    sentences = []
    for table, cases in result.cases.groupby("table", sort=False):
        first, others = cases.iloc[0], cases.iloc[1:]
        text = f"table {table}, {first['label']}, {_check_period(first['period'])} : "
        text += _check_case(result.name, first)
        if len(others):
            listed = ", ".join(
                f"{row.label} {_check_period(row.period)}"
                for row in others.head(named).itertuples()
            )
            more = len(others) - named
            text += f" ; {len(others)} autre{'s' if len(others) > 1 else ''} cas : {listed}"
            text += f" et {more} de plus" if more > 0 else ""
        sentences.append(text)
    return " ; ".join(sentences) + "."


def _check_period(period) -> str:
    """« T4 2020 », « mars 2021 », « 2020 »."""
    return french.month_label(period) if period.freqstr[0] == "M" else french.period_short(period)


def _check_figure(value: float) -> str:
    """A figure of a check: a whole number as such, else one decimal (two under 1)."""
    value = float(value)
    decimals = 0 if value.is_integer() else 2 if abs(value) < 1 else 1
    return french.format_number(value, decimals)


def _check_case(kind: str, case: pd.Series) -> str:
    """The figures of one failing case (:data:`bassin_lib.analysis.checks.CASE_COLUMNS`)."""
    from bassin_lib.analysis.checks import RANGES, SHARES

    figure = _check_figure
    value, expected, table = case["value"], case["expected"], case["table"]
    if kind == "non_negative":
        return f"valeur négative : {figure(value)}"
    if kind == "categories_sum":
        return (
            f"A + B + C = {figure(value)} pour ABC = {figure(expected)} publié (écart de "
            f"{french.format_signed(value - expected, 0, unit='')}, "
            f"tolérance {figure(case['tolerance'])})"
        )
    if kind in ("france_total", "regions_sum"):
        dims = ", ".join(f"{d} {v}" for d, v in case["dimensions"])
        reference = "France publiée" if kind == "france_total" else "somme des régions publiées"
        gap = (
            french.format_signed(100 * (value - expected) / expected, 1)
            if expected
            else french.format_signed(value - expected, 0, unit="")
        )
        return (
            f"{dims + ' : ' if dims else ''}somme des zones = {figure(value)} pour {reference} "
            f"= {figure(expected)} (écart de {gap})"
        )
    bounds = f"[{figure(case['low'])} ; {figure(case['high'])}]"  # shares_in_range
    if table in SHARES:
        return (
            f"{case['subject']} = {figure(case['numerator'])} pour {SHARES[table].whole} = "
            f"{figure(case['whole'])} : part de {french.format_number(value, 2)} hors de {bounds}"
        )
    subject = case["subject"]
    named = f"{subject} = " if isinstance(subject, str) and subject else ""
    return f"{named}{figure(value)} {RANGES[table].unit} hors de {bounds}"


def check_badge(failed_results):
    """The badge that opens a section whose data failed a declared consistency check.

    Parameters
    ----------
    failed_results : list of CheckResult
        The section's failed checks (:func:`bassin_lib.analysis.checks.failed`).

    Returns
    -------
    IPython.display.Markdown or None
        A block quote (the report's notice style: yellow background, orange rule) naming each
        check (its French description) and what failed (:func:`check_detail`: table, place,
        period, figures), and saying that the section's comparisons are not written; None when
        no check failed (:func:`bassin_lib.rendering.sections.show` skips it).
    """
    if not failed_results:
        return None
    items = [f"{r.description} — {check_detail(r)}" for r in failed_results]
    close = (
        "> Les comparaisons de cette section ne sont pas qualifiées : ses chiffres sont donnés "
        "côte à côte, sans appréciation."
    )
    if len(items) == 1:
        return text(f"> **⚠ Contrôle de cohérence non satisfait** : {items[0]}\n>\n{close}")
    listed = "\n".join(f"> - {item}" for item in items)
    return text(f"> **⚠ Contrôles de cohérence non satisfaits** :\n>\n{listed}\n>\n{close}")


def sources(cube):
    """Sources (one « Source : … » line per dataset used) and method notes."""
    bullets = [f"- {_subject(t)} : {line}" for t, line in cube.meta.get("sources", {}).items()]
    if cube.meta.get("zoning"):
        bullets.append(f"- Zonage des zones d'emploi : {cube.meta['zoning']}")
    bullets.append(
        "- Agrégation : les effectifs d'un groupe de zones, d'une région et de la France sont "
        "des sommes ; les taux d'un groupe de plusieurs zones, ou d'un niveau que la source ne "
        "publie pas, sont des moyennes des zones pondérées par leur population, signalées "
        "comme approchées ; le taux de pauvreté d'un groupe est recalculé exactement quand la "
        "source donne le nombre de personnes de chaque zone (Filosofi : taux des zones pondérés "
        "par le nombre de personnes des ménages fiscaux)."
    )
    levels = cube.meta.get("levels", {})
    if levels:
        bullets += [
            "",
            "**Niveaux des données**",
            "",
            "| Données | Niveaux publiés par la source | Niveaux calculés ici à partir des zones |",
            "|---|---|---|",
        ]
        for table, known in levels.items():
            bullets.append(
                f"| {_subject(table)} | "
                f"{_level_list(known['published'])} | {_level_list(known['computed'])} |"
            )
    return text("\n".join(bullets))


def _subject(table: str) -> str:
    """The dataset's French name with a capital first letter (acronyms such as BMO kept)."""
    subject = TABLE_SUBJECTS.get(table, table)
    return subject[:1].upper() + subject[1:]


LEVEL_LABELS = {
    "zone": "zone d'emploi",
    "group": "groupe de zones",
    "region": "région",
    "france": "France",
    "departement": "département",
    "commune": "commune",
    "bmo_basin": "bassin d'emploi BMO",
}


def _level_list(levels: list[str]) -> str:
    return ", ".join(LEVEL_LABELS.get(level, level) for level in levels) or "–"


def glossary():
    """Definitions of every indicator, generated from the registry."""
    from bassin_lib.analysis.registry import glossary_markdown

    return text("**Définitions des indicateurs**\n\n" + glossary_markdown(TABLE_SUBJECTS))


def save_indicators(output_dir, figures: dict) -> Path | None:
    """Write ``indicators.json`` (:func:`bassin_lib.analysis.headlines.compute`) into ``output_dir``;
    no-op when None."""
    if not output_dir:
        return None
    path = Path(output_dir) / "indicators.json"
    write_atomic(path, json.dumps(figures, ensure_ascii=False, indent=1))
    return path
