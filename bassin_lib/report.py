"""Report pieces: Markdown blocks for the notebook, notebook → HTML without code, index page.

Rendering is pure (notebook → HTML string); writing files is a separate, atomic step
(:func:`write_atomic`), so an interrupted run never leaves half a report.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd

from bassin_lib import narrative
from bassin_lib.paths import PACKAGE_DIR
from bassin_lib.territories import Territory


def text(markdown: str):
    """Markdown output for a notebook, with any HTML in it neutralised (labels come from data).

    ``&`` and ``<`` are escaped, which is enough for no tag to survive; ``>`` is kept because
    Markdown needs it for block quotes.
    """
    from IPython.display import Markdown

    return Markdown(escape_markdown_html(markdown))


def escape_markdown_html(markdown: str) -> str:
    """Escape ``&`` and ``<`` so that text from data can never inject HTML into a report."""
    return markdown.replace("&", "&amp;").replace("<", "&lt;")


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
        rows.append((f"Population ({last['period'].year})", narrative.format_number(last["value"])))
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


def sources(cube):
    """Sources (one « Source : … » line per dataset used) and method notes."""
    bullets = [
        f"- {TABLE_SUBJECTS.get(t, t).capitalize()} : {line}"
        for t, line in cube.meta.get("sources", {}).items()
    ]
    if cube.meta.get("zoning"):
        bullets.append(f"- Zonage des zones d'emploi : {cube.meta['zoning']}")
    bullets.append(
        "- Agrégation : les effectifs d'un groupe de zones, d'une région et de la France sont "
        "des sommes ; les taux d'un groupe de plusieurs zones, ou d'un niveau que la source ne "
        "publie pas, sont des moyennes des zones pondérées par leur population, signalées "
        "comme approchées."
    )
    return text("\n".join(bullets))


def glossary():
    """Definitions of every indicator, generated from the registry."""
    from bassin_lib.indicators.registry import glossary_markdown

    return text("**Définitions des indicateurs**\n\n" + glossary_markdown())


def headlines(
    cube, territory: Territory, crisis_start: str = "2019Q4", crisis_end: str = "2020Q4"
) -> dict:
    """Headline figures of a territory, for ``indicators.json`` and the index page."""
    from bassin_lib import indicators as ind

    def own(frame, column):
        rows = frame[frame["role"] == "territory"]
        value = rows[column].iloc[0] if len(rows) else float("nan")
        return None if pd.isna(value) else round(float(value), 3)

    out = {
        "territory": territory.id,
        "label": territory.label,
        "employment_change_pct": None,
        "employment_window": f"{crisis_start}-{crisis_end}",
        "unemployment_rate": None,
        "unemployment_period": None,
        "poverty_rate": None,
    }
    if available(cube, "employment"):
        emp = ind.employment_change(cube, territory, crisis_start, crisis_end)
        out["employment_change_pct"] = own(emp, "change_pct")
    if available(cube, "unemployment_rate"):
        rates = ind.unemployment_rate_series(cube, territory).dropna(subset=["value"])
        rates = rates[rates["role"] == "territory"]
        if len(rates):
            out["unemployment_rate"] = float(rates["value"].iloc[-1])
            out["unemployment_period"] = str(rates["period"].iloc[-1])
    if available(cube, "income_poverty"):
        poverty = ind.income_poverty_levels(cube, territory)
        out["poverty_rate"] = own(poverty, "poverty_rate") if len(poverty) else None
    return out


def save_indicators(output_dir, cube, territory: Territory, **options) -> Path | None:
    """Write ``indicators.json`` (headline figures) into ``output_dir``; no-op when None."""
    if not output_dir:
        return None
    path = Path(output_dir) / "indicators.json"
    write_atomic(
        path, json.dumps(headlines(cube, territory, **options), ensure_ascii=False, indent=1)
    )
    return path


def notebook_to_html(notebook, title: str) -> str:
    """Executed notebook (node or path) → standalone HTML string without code or prompts.

    Figures are embedded as PNG data; error output stays visible, stderr streams
    (library warnings) are dropped from the reader's page but kept in the ``.ipynb``.
    """
    import nbformat
    from nbconvert import HTMLExporter

    if not isinstance(notebook, nbformat.NotebookNode):
        notebook = nbformat.read(str(notebook), as_version=4)
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    # Code cells without output show nothing; dropping them also drops papermill's random cell
    # ids (injected parameters), so that the same inputs give the same HTML bytes.
    notebook.cells = [c for c in notebook.cells if c.cell_type != "code" or c.outputs]
    notebook.metadata["title"] = title
    exporter = HTMLExporter(
        extra_template_basedirs=[str(NBCONVERT_TEMPLATES)],
        template_name="diagnostic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
        language_code="fr",
    )
    body, _ = exporter.from_notebook_node(notebook)
    return body


def write_atomic(path: str | Path, content: str) -> Path:
    """Write text to ``path`` through a temporary file and a rename (never half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


NBCONVERT_TEMPLATES = PACKAGE_DIR / "templates" / "nbconvert"
FAILURE_LABELS = {
    "cell_error": "erreur dans une cellule",
    "timeout": "délai dépassé",
    "dead_kernel": "noyau arrêté",
    "kernel_start": "noyau non démarré",
    "runner": "erreur du lanceur",
    "unknown_territory": "territoire inconnu",
}
STATUS_LABELS = {"ok": "réussi", "cached": "à jour", "failed": "échec", "rejected": "refusé"}


def render_index(
    records: list[dict], edition: str, notice: str | None, headline: dict[str, dict]
) -> str:
    """The index page of an edition: one row per requested territory, link when rendered.

    Parameters
    ----------
    records : list of dict
        Ledger rows (``territory, label, status, seconds, error, report``).
    edition : str
    notice : str or None
        Synthetic-data notice shown on top, when the data are synthetic.
    headline : dict
        ``{territory: headlines(...)}`` for rendered territories.
    """
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("bassin_lib", "templates"), autoescape=select_autoescape(["html"])
    )

    def pct(value, signed=False):
        if value is None:
            return "–"
        return narrative.format_signed(value) if signed else narrative.format_percent(value)

    rows = []
    for record in records:
        h = headline.get(record["territory"], {})
        rows.append(
            {
                **record,
                "status_label": STATUS_LABELS.get(record["status"], record["status"]),
                "failure_label": FAILURE_LABELS.get(record.get("failure") or "", ""),
                "seconds_label": narrative.format_number(record["seconds"], 1)
                if record.get("seconds") is not None
                else "–",
                "employment": pct(h.get("employment_change_pct"), signed=True),
                "unemployment": pct(h.get("unemployment_rate")),
                "poverty": pct(h.get("poverty_rate")),
            }
        )
    counts = {
        label: sum(r["status"] == key for r in records) for key, label in STATUS_LABELS.items()
    }
    return env.get_template("index.html").render(
        edition=edition, notice=notice, rows=rows, counts=counts
    )
