"""Report pieces: Markdown blocks for the notebook, notebook → HTML without code, index page.

Rendering is pure (notebook → HTML string); writing files is a separate, atomic step
(:func:`write_atomic`), so an interrupted run never leaves half a report.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from markupsafe import Markup

from bassin_lib.errors import BassinError, BassinWarning
from bassin_lib.inputs.territories import Territory
from bassin_lib.rendering import narrative

if TYPE_CHECKING:
    import geopandas as gpd


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
    "interim": "intérim",
    "area": "superficie des zones d'emploi",
    "jobseekers_monthly": "demandeurs d'emploi par mois",
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
    bullets = [f"- {_subject(t)} : {line}" for t, line in cube.meta.get("sources", {}).items()]
    if cube.meta.get("zoning"):
        bullets.append(f"- Zonage des zones d'emploi : {cube.meta['zoning']}")
    bullets.append(
        "- Agrégation : les effectifs d'un groupe de zones, d'une région et de la France sont "
        "des sommes ; les taux d'un groupe de plusieurs zones, ou d'un niveau que la source ne "
        "publie pas, sont des moyennes des zones pondérées par leur population, signalées "
        "comme approchées."
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


def headlines(
    cube, territory: Territory, crisis_start: str = "2019Q4", crisis_end: str = "2020Q4"
) -> dict:
    """Headline figures of a territory, for ``indicators.json`` and the index page."""
    from bassin_lib import analysis as ind

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


def save_indicators(output_dir, figures: dict) -> Path | None:
    """Write ``indicators.json`` (the :func:`headlines` of the territory) into ``output_dir``;
    no-op when None."""
    if not output_dir:
        return None
    path = Path(output_dir) / "indicators.json"
    write_atomic(path, json.dumps(figures, ensure_ascii=False, indent=1))
    return path


def notebook_to_html(notebook, title: str, generated_at=None) -> str:
    """Executed notebook (node or path) → standalone HTML string without code or prompts.

    Figures are embedded as PNG data; error output stays visible, stderr streams
    (library warnings) are dropped from the reader's page but kept in the ``.ipynb``. A table
    of contents (« Sommaire ») links every section (``h2``) and subsection (``h3``). The page
    ends with the one part that changes from run to run, the date of rendering, between the
    :data:`TIMESTAMP_START` and :data:`TIMESTAMP_END` markers: everything else is the same
    bytes for the same inputs (:func:`strip_timestamp`).

    Parameters
    ----------
    generated_at : datetime, optional
        Date of rendering shown at the foot of the page (default: now).
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
    body = _with_contents(body)
    return body.replace("</body>", _timestamp(generated_at) + "\n</body>", 1)


TIMESTAMP_START = "<!-- horodatage : début -->"
TIMESTAMP_END = "<!-- horodatage : fin -->"
_HEADING = re.compile(r"<h([23])>(.*?)</h\1>", re.S)


def _with_contents(body: str) -> str:
    """Give every ``h2``/``h3`` an id and put a linked table of contents before the first."""
    entries = []

    def number(match):
        level, inner = match.group(1), match.group(2)
        anchor = f"section-{len(entries) + 1}"
        entries.append((level, anchor, inner))
        return f'<h{level} id="{anchor}">{inner}</h{level}>'

    body = _HEADING.sub(number, body)
    if not entries:
        return body
    items = "\n".join(
        f'<li class="toc-h{level}"><a href="#{anchor}">{inner}</a></li>'
        for level, anchor, inner in entries
    )
    nav = (
        '<nav class="toc" aria-label="Sommaire"><p class="toc-title">Sommaire</p>'
        f"<ul>\n{items}\n</ul></nav>\n"
    )
    first = body.index(f'<h{entries[0][0]} id="{entries[0][1]}">')
    return body[:first] + nav + body[first:]


def _timestamp(generated_at=None) -> str:
    """The marked block holding the date of rendering, in French."""
    from datetime import datetime

    from babel.dates import format_datetime

    when = generated_at or datetime.now().astimezone()
    label = format_datetime(when, "d MMMM y 'à' HH:mm", locale="fr_FR")
    return (
        f'{TIMESTAMP_START}<footer class="horodatage">Document produit le {label}.</footer>'
        f"{TIMESTAMP_END}"
    )


def strip_timestamp(html: str) -> str:
    """The page without its date of rendering: equal for equal inputs."""
    start, end = html.find(TIMESTAMP_START), html.find(TIMESTAMP_END)
    if start < 0 or end < 0:
        return html
    return html[:start] + html[end + len(TIMESTAMP_END) :]


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


NBCONVERT_TEMPLATES = Path(__file__).resolve().parent / "templates" / "nbconvert"
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
    records: list[dict],
    edition: str,
    notice: str | None,
    headline: dict[str, dict],
    shapes=None,
) -> str:
    """The index page of an edition: a map and a sortable table of the territories.

    Parameters
    ----------
    records : list of dict
        Ledger rows (``territory, label, status, seconds, error, report``; failed runs also
        ``failure`` and ``cell``).
    edition : str
    notice : str or None
        Synthetic-data notice shown on top, when the data are synthetic.
    headline : dict
        ``{territory: headlines(...)}`` for rendered territories.
    shapes : GeoDataFrame, optional
        What the map draws (:func:`territory_shapes`): columns ``territory``, ``label``,
        ``geometry`` and optionally ``kind`` (``"zone"`` filled, ``"group"`` outlined). Without
        it the page has no map.

    Returns
    -------
    str
        A standalone HTML page: inline CSS, inline SVG and a small inline script, no external
        resource, so that it works opened from disk. Every text from data is escaped.

    Notes
    -----
    The table is sorted by clicking (or pressing Enter on) a column header; each numeric cell
    carries its raw value in ``data-sort`` so that French-formatted figures sort numerically,
    and missing values stay last.
    """
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("bassin_lib.rendering", "templates"), autoescape=select_autoescape(["html"])
    )

    def pct(value, signed=False):
        if value is None:
            return "–"
        return narrative.format_signed(value) if signed else narrative.format_percent(value)

    rows = []
    for record in records:
        h = headline.get(record["territory"], {})
        seconds = record.get("seconds")
        rows.append(
            {
                **record,
                "status_label": STATUS_LABELS.get(record["status"], record["status"]),
                "status_rank": list(STATUS_LABELS).index(record["status"])
                if record["status"] in STATUS_LABELS
                else len(STATUS_LABELS),
                "failure_label": FAILURE_LABELS.get(record.get("failure") or "", ""),
                "seconds_label": narrative.format_number(seconds, 1)
                if seconds is not None
                else "–",
                "seconds_sort": _sort_key(seconds),
                "employment": pct(h.get("employment_change_pct"), signed=True),
                "employment_sort": _sort_key(h.get("employment_change_pct")),
                "unemployment": pct(h.get("unemployment_rate")),
                "unemployment_sort": _sort_key(h.get("unemployment_rate")),
                "poverty": pct(h.get("poverty_rate")),
                "poverty_sort": _sort_key(h.get("poverty_rate")),
            }
        )
    counts = {
        label: sum(r["status"] == key for r in records) for key, label in STATUS_LABELS.items()
    }
    windows = {h["employment_window"] for h in headline.values() if h.get("employment_window")}
    window = ""
    if len(windows) == 1:  # the same window for every report (the notebook's parameters)
        start, end = (pd.Period(p) for p in windows.pop().split("-"))
        window = f" {narrative.quarter_short(start)} – {narrative.quarter_short(end)}"
    return env.get_template("index.html").render(
        edition=edition,
        notice=notice,
        rows=rows,
        counts=counts,
        employment_window=window,
        map=index_map(shapes, records, headline),
    )


def _sort_key(value) -> str:
    """Raw number for a ``data-sort`` attribute (``""`` when missing, sorted last)."""
    if value is None or pd.isna(value):
        return ""
    return repr(float(value))


def territory_shapes(cube, territory_ids) -> gpd.GeoDataFrame | None:
    """Shapes of the index map: the zones around the rendered territories, then the groups.

    Parameters
    ----------
    cube : Cube
        Its ``geometry`` holds one polygon per zone (columns ``zone``, ``region``, ...).
    territory_ids : list of str
        Rendered territories (zone codes and group ids). Ids the référentiel does not know
        (a group removed since an earlier run) are left out with a warning.

    Returns
    -------
    GeoDataFrame or None
        Columns ``territory`` (zone code or group id), ``label``, ``kind`` (``"zone"`` or
        ``"group"``), ``geometry``, in the CRS of ``cube.geometry``: every zone of the regions
        the territories touch (all zones when none is given), ordered by code, then one
        dissolved polygon per requested group. None when the cube has no geometry.
    """
    import geopandas as gpd
    import shapely

    geometry = cube.geometry
    if geometry is None or len(geometry) == 0:
        return None
    territories = []
    for territory_id in dict.fromkeys(territory_ids):
        try:
            territories.append(cube.territory(territory_id))
        except BassinError as exc:
            warnings.warn(f"index map: {exc}", BassinWarning, stacklevel=2)
    zones = geometry[geometry.geometry.notna() & ~geometry.geometry.is_empty]
    regions = {region for t in territories for region in t.regions}
    if regions and "region" in zones.columns:
        zones = zones[zones["region"].isin(regions)]
    zones = zones.sort_values("zone")
    labels = zone_labels(cube)
    frame = pd.DataFrame(
        {
            "territory": zones["zone"].to_numpy(),
            "label": [labels.get(z, z) for z in zones["zone"]],
            "kind": "zone",
        }
    )
    parts = list(zones.geometry.to_numpy())
    by_zone = dict(zip(geometry["zone"], geometry.geometry, strict=True))
    groups = []
    for territory in territories:
        if territory.kind != "group":
            continue
        members = [by_zone[z] for z in territory.zones if by_zone.get(z) is not None]
        if members:
            groups.append((territory.id, territory.label, shapely.union_all(members)))
    if groups:
        frame = pd.concat(
            [frame, pd.DataFrame([g[:2] for g in groups], columns=["territory", "label"])],
            ignore_index=True,
        )
        frame["kind"] = frame["kind"].fillna("group")
        parts += [g[2] for g in groups]
    return gpd.GeoDataFrame(frame, geometry=parts, crs=geometry.crs)


MAP_INDICATORS = {
    # headline key: (legend title, name in a tooltip, signed figure)
    "unemployment_rate": ("Taux de chômage (dernier trimestre)", "taux de chômage", False),
    "employment_change_pct": (
        "Évolution de l'emploi salarié privé",
        "évolution de l'emploi salarié privé",
        True,
    ),
    "poverty_rate": ("Taux de pauvreté", "taux de pauvreté", False),
}
"""Headline figures the map can colour by, in order of preference (the first one known for at
least one rendered zone is used)."""
MAP_PALETTE = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
"""Viridis in five steps, light (low) to dark (high): sequential and colour-blind safe."""
MAP_NO_REPORT = "#d9d9d9"
MAP_NO_FIGURE = "#ffffff"
MAP_WIDTH = 1000.0
"""Longer side of the main panel, in SVG user units; coordinates are rounded to 0.1 unit."""
MAP_TOLERANCE = 0.8
"""Simplification tolerance in SVG units (about half a pixel at the width the page shows)."""
MAP_INSET = 180.0
"""Side of the square box of each inset (overseas zones far from the main cluster)."""
MAP_GAP = 12.0
MAP_MARGIN = 4.0
"""Blank border around the drawing, so that outlines on its edge are not cut."""


@dataclass(frozen=True)
class IndexMap:
    """The index page's map.

    Attributes
    ----------
    svg : Markup
        Inline ``<svg>`` element, every label escaped.
    title : str
        French title of the map.
    legend : list of (colour, label)
    links : int
        Number of linked shapes (rendered territories).
    """

    svg: Markup
    title: str
    legend: list[tuple[str, str]]
    links: int


def index_map(shapes, records: list[dict], headline: dict[str, dict]) -> IndexMap | None:
    """Draw ``shapes`` as an inline SVG map: rendered zones coloured and linked, groups outlined.

    Parameters
    ----------
    shapes : GeoDataFrame or None
        See :func:`territory_shapes`; None gives None.
    records : list of dict
        Ledger rows: a territory links to its ``report`` only when its status is ``ok`` or
        ``cached``; a failed or rejected one is drawn grey, without a link.
    headline : dict
        ``{territory: headlines(...)}``.

    Returns
    -------
    IndexMap or None
        None when there is nothing to draw.

    Notes
    -----
    Geographic coordinates (longitude, latitude) are drawn in an equirectangular projection
    centred on each panel (x scaled by the cosine of the mean latitude). Shapes far from the
    main cluster (overseas zones) are drawn in square insets on the left, each at its own
    scale. The figure's classes are equal intervals between the smallest and largest value of
    the rendered zones (at most five).
    """
    if shapes is None or len(shapes) == 0:
        return None
    shapes = shapes[shapes.geometry.notna() & ~shapes.geometry.is_empty].reset_index(drop=True)
    if len(shapes) == 0:
        return None
    kinds = shapes["kind"] if "kind" in shapes.columns else pd.Series("zone", shapes.index)
    by_id = {r["territory"]: r for r in records}
    rendered = {
        tid for tid, r in by_id.items() if r["status"] in ("ok", "cached") and r.get("report")
    }
    filled = [
        t for t, k in zip(shapes["territory"], kinds, strict=True) if k != "group" and t in rendered
    ]
    key = next(
        (k for k in MAP_INDICATORS if any(headline.get(t, {}).get(k) is not None for t in filled)),
        None,
    )
    colour_of, legend = _classes([headline.get(t, {}).get(key) for t in filled], key)
    paths, (width, height) = _svg_paths(shapes, (kinds == "group").to_numpy())
    elements = []
    order = sorted(range(len(shapes)), key=lambda i: kinds.iloc[i] == "group")
    links = 0
    for i in order:
        territory, label, d = shapes["territory"].iloc[i], shapes["label"].iloc[i], paths[i]
        if not d:
            continue
        group = kinds.iloc[i] == "group"
        tooltip = _tooltip(territory, label, group, by_id.get(territory), headline, key)
        if group:
            style = Markup('fill="none" stroke="#111111" stroke-width="2.5" class="group"')
        else:
            value = headline.get(territory, {}).get(key) if key else None
            if territory not in rendered:
                fill = MAP_NO_REPORT
            elif key is not None and value is None:
                fill = MAP_NO_FIGURE
            else:
                fill = colour_of(value)
            style = Markup('fill="{}" stroke="#ffffff" stroke-width="0.8"').format(fill)
        if territory in rendered:  # the link's <title> is its tooltip and accessible name
            links += 1
            shape = Markup('<a href="{}"><title>{}</title><path d="{}" {}/></a>').format(
                by_id[territory]["report"], tooltip, d, style
            )
        else:
            shape = Markup('<path d="{}" {}><title>{}</title></path>').format(d, style, tooltip)
        elements.append(shape)
    if not elements:
        return None
    title = (
        f"{MAP_INDICATORS[key][0]} des territoires rendus"
        if key
        else "Territoires rendus dans cette édition"
    )
    svg = Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="{m} {m} {w} {h}" role="group" '
        'aria-label="{title}" class="carte" fill-rule="evenodd">{body}</svg>'
    ).format(
        m=_num(-MAP_MARGIN),
        w=_num(width + 2 * MAP_MARGIN),
        h=_num(height + 2 * MAP_MARGIN),
        title=title,
        body=Markup("\n").join(elements),
    )
    legend.append((MAP_NO_REPORT, "sans diagnostic dans cette édition (ou en échec)"))
    if "group" in set(kinds):
        legend.append(("group", "groupe de zones (contour)"))
    return IndexMap(svg=svg, title=title, legend=legend, links=links)


def _classes(values: list, key: str | None):
    """Colour function and legend rows for the figure ``key`` of the rendered zones."""
    known = sorted({float(v) for v in values if v is not None})
    if key is None or not known:
        return (lambda value: MAP_PALETTE[2]), [(MAP_PALETTE[2], "diagnostic disponible")]
    signed = MAP_INDICATORS[key][2]

    def show(value):
        return narrative.format_signed(value) if signed else narrative.format_percent(value)

    n = min(len(MAP_PALETTE), len(known))
    low, high = known[0], known[-1]
    colours = [MAP_PALETTE[round(j)] for j in np.linspace(0, len(MAP_PALETTE) - 1, n)]

    def colour_of(value):
        if n == 1:
            return colours[0]
        return colours[min(int((value - low) / (high - low) * n), n - 1)]

    if n == 1:
        legend = [(colours[0], show(low))]
    else:
        bounds = np.linspace(low, high, n + 1)
        legend = [(colours[j], f"de {show(bounds[j])} à {show(bounds[j + 1])}") for j in range(n)]
    if any(v is None for v in values):
        legend.append((MAP_NO_FIGURE, "diagnostic rendu, chiffre non disponible"))
    return colour_of, legend


def _tooltip(territory, label, group, record, headline, key) -> str:
    """French tooltip of a shape: label, code and figure (or why there is no report)."""
    name = f"{label} (groupe de zones)" if group else f"{label} ({territory})"
    status = record["status"] if record else None
    if status not in ("ok", "cached"):
        why = (
            "échec du diagnostic" if status == "failed" else "pas de diagnostic dans cette édition"
        )
        return f"{name} : {why}"
    h = headline.get(territory, {})
    value = h.get(key) if key else None
    if value is None:
        return f"{name} : diagnostic disponible" + (
            f", {MAP_INDICATORS[key][1]} non disponible" if key else ""
        )
    _, short, signed = MAP_INDICATORS[key]
    figure = narrative.format_signed(value) if signed else narrative.format_percent(value)
    when = ""
    if key == "unemployment_rate" and h.get("unemployment_period"):
        when = f" ({narrative.quarter_short(pd.Period(h['unemployment_period']))})"
    elif key == "employment_change_pct" and h.get("employment_window"):
        start, end = (pd.Period(p) for p in h["employment_window"].split("-"))
        when = f" ({narrative.quarter_short(start)} – {narrative.quarter_short(end)})"
    return f"{name} : {short} {figure}{when}"


def _svg_paths(shapes, outlines: np.ndarray) -> tuple[list[str], tuple[float, float]]:
    """SVG path data of each shape (``""`` when nothing is left) and the drawing's size.

    Filled shapes are grouped into panels (:func:`_clusters`); the largest panel is the main
    one, ``MAP_WIDTH`` units on its longer side, and the others are insets stacked in columns
    on its left, each at its own scale. Each polygon of an outline (``outlines`` true: a
    group of zones) is drawn in the panel nearest to it, so a group may span panels.
    """
    import shapely

    geoms = shapes.geometry.to_numpy()
    geographic = shapes.crs is not None and shapes.crs.is_geographic
    bounds = shapely.bounds(geoms)
    base = np.flatnonzero(~outlines) if (~outlines).any() else np.arange(len(geoms))
    panels = []
    for members in _clusters(bounds[base]):
        members = [int(base[i]) for i in members]
        minx, miny = bounds[members, 0].min(), bounds[members, 1].min()
        maxx, maxy = bounds[members, 2].max(), bounds[members, 3].max()
        stretch = np.cos(np.radians((miny + maxy) / 2)) if geographic else 1.0
        panels.append((members, minx, miny, maxx, maxy, stretch))
    panels.sort(key=lambda p: -((p[3] - p[1]) * p[5] * (p[4] - p[2])))
    main, insets = panels[0], panels[1:]
    w, h = (main[3] - main[1]) * main[5], main[4] - main[2]
    scale = MAP_WIDTH / max(w, h, 1e-9)
    main_w, main_h = w * scale, h * scale
    per_column = max(1, int((main_h + MAP_GAP) // (MAP_INSET + MAP_GAP)))
    columns = -(-len(insets) // per_column)
    left = columns * (MAP_INSET + MAP_GAP)
    height = max(main_h, min(len(insets), per_column) * (MAP_INSET + MAP_GAP) - MAP_GAP)
    placed = [(main, scale, left, 0.0)]
    for j, panel in enumerate(insets):
        _, minx, miny, maxx, maxy, stretch = panel
        w, h = (maxx - minx) * stretch, maxy - miny
        s = (MAP_INSET - 8) / max(w, h, 1e-9)
        x0 = (j // per_column) * (MAP_INSET + MAP_GAP) + (MAP_INSET - w * s) / 2
        y0 = (j % per_column) * (MAP_INSET + MAP_GAP) + (MAP_INSET - h * s) / 2
        placed.append((panel, s, x0, y0))
    projections, panel_of = [], {}
    for k, ((members, minx, _, _, maxy, stretch), s, x0, y0) in enumerate(placed):

        def project(coords, minx=minx, maxy=maxy, stretch=stretch, s=s, x0=x0, y0=y0):
            x = (coords[:, 0] - minx) * stretch * s + x0
            y = (maxy - coords[:, 1]) * s + y0
            return np.column_stack([x, y])

        projections.append(project)
        panel_of.update(dict.fromkeys(members, k))
    boxes = np.array([p[1:5] for p, *_ in placed])

    def nearest(part):
        return int(np.argmin(_box_gap(np.asarray(shapely.bounds(part)), boxes)))

    paths = []
    for i, geom in enumerate(geoms):
        if i in panel_of:
            parts = [(geom, panel_of[i])]
        else:
            parts = [(part, nearest(part)) for part in shapely.get_parts(geom)]
        paths.append(
            "".join(
                _path_data(
                    shapely.simplify(
                        shapely.transform(part, projections[k]),
                        MAP_TOLERANCE,
                        preserve_topology=True,
                    )
                )
                for part, k in parts
            )
        )
    return paths, (left + main_w, height)


def _clusters(bounds: np.ndarray) -> list[list[int]]:
    """Indices of shapes grouped into panels, from their bounding boxes.

    Shapes whose boxes touch or nearly touch (a tenth of the median shape size) form a piece;
    then, largest first, a piece joins a panel when the gap between their boxes is at most a
    tenth of that panel's extent (Corsica joins the mainland; Martinique, far from
    Guadeloupe at its scale, does not).
    """
    sizes = np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
    near = _box_gap(bounds[:, None, :], bounds[None, :, :]) <= 0.1 * float(np.median(sizes))
    parent = list(range(len(bounds)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(near, 1)), strict=True):
        parent[root(int(i))] = root(int(j))
    pieces: dict[int, list[int]] = {}
    for i in range(len(bounds)):
        pieces.setdefault(root(i), []).append(i)

    def box_of(members):
        box = bounds[members]
        return np.array([box[:, 0].min(), box[:, 1].min(), box[:, 2].max(), box[:, 3].max()])

    def extent(box):
        return max(box[2] - box[0], box[3] - box[1])

    panels: list[tuple[list[int], np.ndarray]] = []
    for members in sorted(pieces.values(), key=lambda m: -extent(box_of(m))):
        box = box_of(members)
        for k, (panel, panel_box) in enumerate(panels):
            if _box_gap(box, panel_box) <= 0.1 * extent(panel_box):
                panels[k] = (panel + members, box_of(panel + members))
                break
        else:
            panels.append((members, box))
    return [sorted(members) for members, _ in panels]


def _box_gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Gap between boxes ``(minx, miny, maxx, maxy)`` (negative when they overlap)."""
    gap_x = np.maximum(a[..., 0] - b[..., 2], b[..., 0] - a[..., 2])
    gap_y = np.maximum(a[..., 1] - b[..., 3], b[..., 1] - a[..., 3])
    return np.maximum(gap_x, gap_y)


def _path_data(geometry) -> str:
    """SVG path data of a polygon or multipolygon, holes kept: each ring starts with an
    absolute point, then relative steps; points are rounded to 0.1 unit first, so that
    rounding never drifts along a ring and shared borders stay shared."""
    import shapely

    polygons = shapely.get_parts(shapely.get_parts(geometry))
    out = []
    for polygon in polygons:
        if shapely.get_type_id(polygon) != 3:  # points and lines of a collection are dropped
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = np.round(np.asarray(ring.coords)[:-1], 1)
            keep = np.ones(len(coords), dtype=bool)
            keep[1:] = np.any(coords[1:] != coords[:-1], axis=1)
            coords = coords[keep]
            if len(coords) < 3:
                continue
            steps = np.round(np.diff(coords, axis=0), 1)
            out.append(
                f"M{_num(coords[0, 0])},{_num(coords[0, 1])}l"
                + "".join(_pair(dx, dy) for dx, dy in steps).lstrip()
                + "z"
            )
    return "".join(out)


def _pair(dx: float, dy: float) -> str:
    """A relative step ``dx,dy``; a minus sign doubles as separator (SVG path grammar)."""
    x, y = _num(dx), _num(dy)
    return (x if x.startswith("-") else " " + x) + (y if y.startswith("-") else "," + y)


def _num(value: float) -> str:
    """A coordinate with at most one decimal, no trailing ``.0`` and no leading zero."""
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    if text == "-0":
        return "0"
    return text.replace("0.", ".", 1) if text.lstrip("-").startswith("0.") else text
