"""The index page of an edition: a map and a sortable table of the territories; and, when the
edition is compared with a previous one, the page « Ce qui a changé depuis l'édition … ».

Python prepares the data: the rows of the table, one column per headline figure of the
registry (:data:`bassin_lib.analysis.registry.HEADLINES`), and the map (:func:`index_map`:
path data, colours, links and tooltips). The Jinja2 templates of ``templates/`` write every
tag: ``index.html`` the page, ``index_map.svg.j2`` the map's inline SVG, ``changes.html`` the
page of changes (:func:`render_changes`), with the rules and the sorting script they share
(``_site.css.j2``, ``_sortable.js.j2``).
"""

from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader

from bassin_lib.analysis import registry
from bassin_lib.errors import BassinError, BassinWarning
from bassin_lib.rendering import changes as edition_changes
from bassin_lib.rendering import french
from bassin_lib.rendering.blocks import zone_labels

if TYPE_CHECKING:
    import geopandas as gpd

    from bassin_lib.analysis.registry import Headline
    from bassin_lib.rendering.changes import Changes, EditionChanges

FAILURE_LABELS = {
    "cell_error": "erreur dans une cellule",
    "timeout": "délai dépassé",
    "dead_kernel": "noyau arrêté",
    "kernel_start": "noyau non démarré",
    "runner": "erreur du lanceur",
    "unknown_territory": "territoire inconnu",
}
"""French name of each kind of failure of the ledger."""
STATUS_LABELS = {"ok": "réussi", "cached": "à jour", "failed": "échec", "rejected": "refusé"}
"""French name of each status of the ledger, in the order the table sorts them."""
RENDERED = ("ok", "cached")
"""Statuses of a territory whose report is published (and linked)."""
CHANGES_PAGE = "changes.html"
"""The page « Ce qui a changé depuis l'édition … », next to ``index.html``."""
_QUARTER = re.compile(r"\d{4}Q[1-4]")


@functools.cache
def environment() -> Environment:
    """The Jinja2 environment of the index page (templates of ``templates/``, autoescape on)."""
    return Environment(loader=PackageLoader("bassin_lib.rendering", "templates"), autoescape=True)


@dataclass(frozen=True)
class Column:
    """A headline figure's column of the index table.

    Attributes
    ----------
    key : str
        Key of the figure in ``indicators.json`` (its raw value sorts the column).
    title : str
        French header.
    """

    key: str
    title: str


@dataclass(frozen=True)
class ChangesLink:
    """The index's link to the page of changes, and the title of its column.

    Attributes
    ----------
    title : str
        Header of the column (« Évolution depuis l'édition 2024T3 »).
    heading : str
        Title of the page (« Ce qui a changé depuis l'édition 2024T3 »).
    href : str
        The page, relative to the index (:data:`CHANGES_PAGE`).
    """

    title: str
    heading: str
    href: str = CHANGES_PAGE


@dataclass(frozen=True)
class Cell:
    """A figure of the index table: ``text`` as shown (French), ``sort`` its raw value
    (``""`` when missing, sorted last)."""

    text: str
    sort: str


def render_index(
    records: list[dict],
    edition: str,
    notice: str | None,
    headline: dict[str, dict],
    shapes=None,
    changes: EditionChanges | None = None,
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
        ``{territory: bassin_lib.analysis.headlines.compute(...)}`` for rendered territories.
    shapes : GeoDataFrame, optional
        What the map draws (:func:`territory_shapes`): columns ``territory``, ``label``,
        ``geometry`` and optionally ``kind`` (``"zone"`` filled, ``"group"`` outlined). Without
        it the page has no map.
    changes : EditionChanges, optional
        The edition compared with the previous one
        (:func:`bassin_lib.rendering.changes.compare_editions`): the table gains a column
        « Évolution depuis l'édition … » (:func:`bassin_lib.rendering.changes.summary` of each
        territory, sorted by its movement) and the page links :data:`CHANGES_PAGE`.

    Returns
    -------
    str
        A standalone HTML page: inline CSS, inline SVG and a small inline script, no external
        resource, so that it works opened from disk. Every text from data is escaped.

    Notes
    -----
    The table has one column per headline figure of the registry
    (:data:`bassin_lib.analysis.registry.HEADLINES`, in registry order), titled with its
    ``title`` (followed by the window, such as « T4 2019 – T4 2020 », when every report
    shares one). It is sorted by clicking (or pressing Enter on) a column header; each numeric
    cell carries its raw value in ``data-sort`` so that French-formatted figures sort
    numerically, and missing values stay last.
    """
    figures = [entry.headline for entry in registry.HEADLINES]
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
                "seconds_label": french.format_number(seconds, 1) if seconds is not None else "–",
                "seconds_sort": _sort_key(seconds),
                "figures": [_cell(h.get(figure.key), figure.signed) for figure in figures],
                "change": _change_cell(changes.territories.get(record["territory"]))
                if changes
                else None,
            }
        )
    counts = {
        label: sum(r["status"] == key for r in records) for key, label in STATUS_LABELS.items()
    }
    return (
        environment()
        .get_template("index.html")
        .render(
            edition=edition,
            notice=notice,
            rows=rows,
            counts=counts,
            columns=[Column(figure.key, _column_title(figure, headline)) for figure in figures],
            map=index_map(shapes, records, headline),
            changes=ChangesLink(
                f"Évolution depuis l'édition {changes.previous_edition}",
                edition_changes.heading(changes.previous_edition),
            )
            if changes
            else None,
        )
    )


def _change_cell(changes: Changes | None) -> Cell:
    """A territory's changes as a cell of the index (sorted by its movement)."""
    if changes is None:
        return Cell("–", "")
    return Cell(edition_changes.summary(changes), _sort_key(changes.movement))


def render_changes(
    changes: EditionChanges,
    edition: str,
    notice: str | None,
    records: list[dict],
    *,
    previous_dir: str | None = None,
) -> str:
    """The page « Ce qui a changé depuis l'édition … » of an edition (:data:`CHANGES_PAGE`).

    Parameters
    ----------
    changes : EditionChanges
        :func:`bassin_lib.rendering.changes.compare_editions` of the edition's records.
    edition : str
    notice : str or None
        Synthetic-data notice shown on top, when the data are synthetic.
    records : list of dict
        Ledger rows of the edition: a territory links to its ``report`` when it is rendered.
    previous_dir : str, optional
        Folder of the previous edition, next to this one's: the territories absent from this
        edition link to their report there (``../<previous_dir>/<territory>/diagnostic.html``).

    Returns
    -------
    str
        A standalone HTML page (inline CSS, a small inline script), linked to ``index.html``:
        the territories of both editions ranked by movement
        (:attr:`bassin_lib.rendering.changes.Changes.movement`, largest first), each headline
        figure then and now, what changed in a few words; then the new territories and those
        of the previous edition without a report in this one. Every text from data is
        escaped.
    """
    figures = [entry.headline for entry in registry.HEADLINES]
    reports = {
        r["territory"]: r["report"] for r in records if r["status"] in RENDERED and r.get("report")
    }
    rows = []
    for rank, found in enumerate(changes.ranked(), start=1):
        by_key = {h.key: h for h in found.headlines}
        rows.append(
            {
                "rank": rank,
                "territory": found.territory,
                "label": found.label,
                "href": reports.get(found.territory),
                "movement": Cell(
                    french.format_number(found.movement, 1) if found.movement is not None else "–",
                    _sort_key(found.movement),
                ),
                "figures": [_then_now(by_key.get(figure.key)) for figure in figures],
                "summary": edition_changes.summary(found),
            }
        )
    new = [
        {"territory": c.territory, "label": c.label, "href": reports.get(c.territory)}
        for c in changes.new
    ]
    absent = [
        {
            "territory": territory,
            "label": label,
            "href": f"../{previous_dir}/{territory}/diagnostic.html" if previous_dir else None,
        }
        for territory, label in changes.absent
    ]
    return (
        environment()
        .get_template(CHANGES_PAGE)
        .render(
            edition=edition,
            previous_edition=changes.previous_edition,
            heading=edition_changes.heading(changes.previous_edition),
            notice=notice,
            thresholds=edition_changes.thresholds_text(),
            columns=[Column(figure.key, figure.title) for figure in figures],
            rows=rows,
            new=new,
            absent=absent,
        )
    )


def _then_now(change) -> Cell:
    """A headline figure in both editions, « 5,8 % → 5,9 % » (periods said when they differ),
    sorted by its change."""
    if change is None:
        return Cell("–", "")

    def at(value, period):
        text = "–" if value is None else _show(value, change.signed)
        if change.previous_period != change.current_period and period:
            text += f" ({_period_label(period)})"
        return text

    return Cell(
        f"{at(change.previous, change.previous_period)} → {at(change.current, change.current_period)}",
        _sort_key(change.difference),
    )


def _column_title(figure: Headline, headline: dict[str, dict]) -> str:
    """The figure's title, followed by its window when every report shares one."""
    if not figure.period_key:
        return figure.title
    periods = {h[figure.period_key] for h in headline.values() if h.get(figure.period_key)}
    if len(periods) == 1:  # the same window for every report (the notebook's parameters)
        period = periods.pop()
        if _window(period):
            return f"{figure.title} {_period_label(period)}"
    return figure.title


def _window(period: str) -> tuple[str, str] | None:
    """``("2019Q4", "2020Q4")`` for the window ``"2019Q4-2020Q4"``; None for anything else."""
    start, dash, end = period.partition("-")
    return (start, end) if dash and _QUARTER.fullmatch(start) and _QUARTER.fullmatch(end) else None


def _period_label(period: str) -> str:
    """« T4 2019 – T4 2020 » for a window, « T4 2024 » for a quarter, else ``period``."""
    window = _window(period)
    if window:
        return " – ".join(french.quarter_short(pd.Period(p)) for p in window)
    if _QUARTER.fullmatch(period):
        return french.quarter_short(pd.Period(period))
    return period


def _cell(value, signed: bool) -> Cell:
    """A headline figure as a cell of the table (``–`` when missing)."""
    if value is None or pd.isna(value):
        return Cell("–", "")
    return Cell(_show(value, signed), _sort_key(value))


def _show(value: float, signed: bool) -> str:
    """A headline figure in French: ``- 4,9 %`` for a change, ``7,4 %`` for a level."""
    return french.format_signed(value) if signed else french.format_percent(value)


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


MAP_PALETTE = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
"""Viridis in five steps, light (low) to dark (high): sequential and colour-blind safe."""
MAP_NO_REPORT = "#d9d9d9"
MAP_NO_FIGURE = "#ffffff"
MAP_ZONE_STROKE = ("#ffffff", "0.8")
"""Colour and width of a zone's border."""
MAP_GROUP_STROKE = ("#111111", "2.5")
"""Colour and width of a group's outline (a group is not filled)."""
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
class MapShape:
    """One shape of the map.

    Attributes
    ----------
    d : str
        SVG path data.
    fill, stroke, stroke_width : str
        Presentation attributes (``fill`` is ``"none"`` for a group's outline).
    css_class : str or None
        ``"group"`` for a group's outline.
    href : str or None
        The territory's report, when it is rendered; the shape is then a link.
    tooltip : str
        French tooltip (the link's accessible name).
    """

    d: str
    fill: str
    stroke: str
    stroke_width: str
    css_class: str | None
    href: str | None
    tooltip: str


@dataclass(frozen=True)
class IndexMap:
    """The index page's map, as data for ``templates/index_map.svg.j2``.

    Attributes
    ----------
    title : str
        French title of the map.
    view_box : str
        The SVG ``viewBox``.
    shapes : list of MapShape
        In drawing order (groups last, on top).
    legend : list of (colour, label)
        ``colour`` is ``"group"`` for the outline of a group.
    links : int
        Number of linked shapes (rendered territories).
    """

    title: str
    view_box: str
    shapes: list[MapShape]
    legend: list[tuple[str, str]]
    links: int


def index_map(shapes, records: list[dict], headline: dict[str, dict]) -> IndexMap | None:
    """The map of ``shapes``: rendered zones coloured and linked, groups outlined.

    Parameters
    ----------
    shapes : GeoDataFrame or None
        See :func:`territory_shapes`; None gives None.
    records : list of dict
        Ledger rows: a territory links to its ``report`` only when its status is ``ok`` or
        ``cached``; a failed or rejected one is drawn grey, without a link.
    headline : dict
        ``{territory: bassin_lib.analysis.headlines.compute(...)}``.

    Returns
    -------
    IndexMap or None
        None when there is nothing to draw.

    Notes
    -----
    The zones are coloured by the headline figure of the registry with the lowest
    ``map_rank`` that is known for at least one rendered zone. Geographic coordinates
    (longitude, latitude) are drawn in an equirectangular projection centred on each panel
    (x scaled by the cosine of the mean latitude). Shapes far from the main cluster (overseas
    zones) are drawn in square insets on the left, each at its own scale. The figure's classes
    are equal intervals between the smallest and largest value of the rendered zones (at most
    five).
    """
    if shapes is None or len(shapes) == 0:
        return None
    shapes = shapes[shapes.geometry.notna() & ~shapes.geometry.is_empty].reset_index(drop=True)
    if len(shapes) == 0:
        return None
    kinds = shapes["kind"] if "kind" in shapes.columns else pd.Series("zone", shapes.index)
    by_id = {r["territory"]: r for r in records}
    rendered = {tid for tid, r in by_id.items() if r["status"] in RENDERED and r.get("report")}
    filled = [
        t for t, k in zip(shapes["territory"], kinds, strict=True) if k != "group" and t in rendered
    ]
    figure = _map_figure(headline, filled)
    key = figure.key if figure else None
    colour_of, legend = _classes([headline.get(t, {}).get(key) for t in filled], figure)
    paths, (width, height) = _svg_paths(shapes, (kinds == "group").to_numpy())
    drawn = []
    order = sorted(range(len(shapes)), key=lambda i: kinds.iloc[i] == "group")
    for i in order:
        territory, label, d = shapes["territory"].iloc[i], shapes["label"].iloc[i], paths[i]
        if not d:
            continue
        group = kinds.iloc[i] == "group"
        if group:
            fill, (stroke, stroke_width) = "none", MAP_GROUP_STROKE
        else:
            value = headline.get(territory, {}).get(key) if key else None
            if territory not in rendered:
                fill = MAP_NO_REPORT
            elif key is not None and value is None:
                fill = MAP_NO_FIGURE
            else:
                fill = colour_of(value)
            stroke, stroke_width = MAP_ZONE_STROKE
        drawn.append(
            MapShape(
                d=d,
                fill=fill,
                stroke=stroke,
                stroke_width=stroke_width,
                css_class="group" if group else None,
                href=by_id[territory]["report"] if territory in rendered else None,
                tooltip=_tooltip(territory, label, group, by_id.get(territory), headline, figure),
            )
        )
    if not drawn:
        return None
    title = (
        f"{figure.title} des territoires rendus"
        if figure
        else "Territoires rendus dans cette édition"
    )
    legend.append((MAP_NO_REPORT, "sans diagnostic dans cette édition (ou en échec)"))
    if "group" in set(kinds):
        legend.append(("group", "groupe de zones (contour)"))
    return IndexMap(
        title=title,
        view_box=" ".join(
            _num(v)
            for v in (-MAP_MARGIN, -MAP_MARGIN, width + 2 * MAP_MARGIN, height + 2 * MAP_MARGIN)
        ),
        shapes=drawn,
        legend=legend,
        links=sum(shape.href is not None for shape in drawn),
    )


def render_map(drawn: IndexMap) -> str:
    """The map's inline ``<svg>`` element, as the index page shows it."""
    return environment().get_template("index_map.svg.j2").render(map=drawn)


def _map_figure(headline: dict[str, dict], filled: list[str]) -> Headline | None:
    """The headline figure the map shows: the lowest ``map_rank`` known for a filled zone."""
    candidates = sorted(
        (entry.headline for entry in registry.HEADLINES if entry.headline.map_rank is not None),
        key=lambda figure: figure.map_rank,
    )
    return next(
        (f for f in candidates if any(headline.get(t, {}).get(f.key) is not None for t in filled)),
        None,
    )


def _classes(values: list, figure: Headline | None):
    """Colour function and legend rows for ``figure``'s values of the rendered zones."""
    known = sorted({float(v) for v in values if v is not None})
    if figure is None or not known:
        return (lambda value: MAP_PALETTE[2]), [(MAP_PALETTE[2], "diagnostic disponible")]
    n = min(len(MAP_PALETTE), len(known))
    low, high = known[0], known[-1]
    colours = [MAP_PALETTE[round(j)] for j in np.linspace(0, len(MAP_PALETTE) - 1, n)]

    def colour_of(value):
        if n == 1:
            return colours[0]
        return colours[min(int((value - low) / (high - low) * n), n - 1)]

    if n == 1:
        legend = [(colours[0], _show(low, figure.signed))]
    else:
        bounds = np.linspace(low, high, n + 1)
        legend = [
            (
                colours[j],
                f"de {_show(bounds[j], figure.signed)} à {_show(bounds[j + 1], figure.signed)}",
            )
            for j in range(n)
        ]
    if any(v is None for v in values):
        legend.append((MAP_NO_FIGURE, "diagnostic rendu, chiffre non disponible"))
    return colour_of, legend


def _tooltip(territory, label, group, record, headline, figure: Headline | None) -> str:
    """French tooltip of a shape: label, code and figure (or why there is no report)."""
    name = f"{label} (groupe de zones)" if group else f"{label} ({territory})"
    status = record["status"] if record else None
    if status not in RENDERED:
        why = (
            "échec du diagnostic" if status == "failed" else "pas de diagnostic dans cette édition"
        )
        return f"{name} : {why}"
    h = headline.get(territory, {})
    value = h.get(figure.key) if figure else None
    if value is None:
        return f"{name} : diagnostic disponible" + (
            f", {figure.short} non disponible" if figure else ""
        )
    period = h.get(figure.period_key) if figure.period_key else None
    when = f" ({_period_label(period)})" if period else ""
    return f"{name} : {figure.short} {_show(value, figure.signed)}{when}"


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
