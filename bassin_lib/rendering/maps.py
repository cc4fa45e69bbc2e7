"""Maps (geopandas): the territory located in its region, and one indicator for every zone around
it (choropleth). Same house style as :mod:`bassin_lib.rendering.figures`: title with its period,
« Source : … » line under the map, French numbers, colour-blind-safe colours."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from bassin_lib.errors import ParameterError
from bassin_lib.inputs.territories import Territory
from bassin_lib.rendering import french
from bassin_lib.rendering.figures import COLORS, style


def territory_in_region(geometry, territory: Territory, source: str) -> Figure:
    """Map of the region's zones with the territory's zones highlighted and outlined.

    Parameters
    ----------
    geometry : GeoDataFrame
        One polygon per zone with columns ``zone`` and ``region``.
    territory : Territory
    source : str
        « Source : … » line drawn under the map.
    """
    region = geometry[geometry["region"].isin(territory.regions)]
    own = geometry[geometry["zone"].isin(territory.zones)]
    with style():
        fig = Figure(figsize=(6.0, 5.0), layout="constrained")
        ax = fig.add_subplot()
        region.plot(ax=ax, color="#eeeeee", edgecolor="#999999", linewidth=0.5)
        own.plot(ax=ax, color=COLORS["territory"], edgecolor="#222222", linewidth=1.2)
        ax.set_axis_off()
        ax.set_aspect("equal")
        ax.set_title(
            f"Localisation de {territory.label}\ndans la région {territory.region_label}",
            loc="left",
            fontsize=11,
            fontweight="bold",
        )
        fig.supxlabel(source, x=0.0, ha="left", fontsize=8, color="#444444")
    return fig


EXTENTS = ("region", "neighbours", "all")
NOT_PUBLISHED = "Donnée non publiée"
"""Legend of the zones without a value (greyed and hatched)."""
_GREY = {"color": "#d9d9d9", "edgecolor": "#9e9e9e", "hatch": "////"}


def _period_text(period) -> str:
    """« T3 2023 » for a quarter, « 2019 » for a year, « mars 2024 » for a month."""
    if isinstance(period, pd.Period):
        if period.freqstr.startswith("Q"):
            return french.quarter_short(period)
        if period.freqstr.startswith(("Y", "A")):
            return str(period.year)
        if period.freqstr.startswith("M"):
            from babel.dates import format_date

            return format_date(period.to_timestamp(), "MMMM y", locale=french.LOCALE)
    return str(period)


def shown_zones(geometry, territory: Territory, extent: str = "neighbours"):
    """The zones a choropleth shows around a territory.

    Parameters
    ----------
    geometry : GeoDataFrame
        One polygon per zone with columns ``zone`` and ``region``.
    territory : Territory
    extent : {"region", "neighbours", "all"}
        ``"region"``: the zones of the territory's region(s); ``"neighbours"``: those and the
        zones of every region that touches them, or comes within 5 % of their extent (the
        small gaps of a simplified map, or the spacing of the fictitious demo regions);
        ``"all"``: every zone.

    Returns
    -------
    GeoDataFrame
        The rows of ``geometry`` to draw.
    """
    import shapely

    if extent not in EXTENTS:
        raise ParameterError(f"extent {extent!r}: allowed {list(EXTENTS)}")
    if extent == "all":
        return geometry
    own_regions = geometry["region"].isin(territory.regions)
    if extent == "region":
        return geometry[own_regions]
    inner = geometry.geometry[own_regions].to_numpy()
    xmin, ymin, xmax, ymax = shapely.total_bounds(inner)
    tolerance = 0.05 * float(np.hypot(xmax - xmin, ymax - ymin))
    tree = shapely.STRtree(geometry.geometry.to_numpy())
    _, hits = tree.query(inner, predicate="dwithin", distance=tolerance)
    regions = set(geometry["region"].iloc[np.unique(hits)]) | set(territory.regions)
    return geometry[geometry["region"].isin(regions)]


def choropleth(
    geometry,
    values,
    territory: Territory,
    title: str,
    source: str,
    *,
    column: str = "value",
    period=None,
    unit: str = "%",
    decimals: int = 1,
    legend: str | None = None,
    extent: str = "neighbours",
    cmap: str = "cividis_r",
) -> Figure:
    """Map of one indicator for every zone around the territory, the territory outlined.

    Parameters
    ----------
    geometry : GeoDataFrame
        One polygon per zone with columns ``zone`` and ``region`` (``cube.geometry``).
    values : DataFrame or Series
        Either a tidy frame with ``level``, ``code``, ``column`` and optionally ``period``
        (e.g. :func:`bassin_lib.analysis.unemployment_rate_series` with ``territory=None``:
        only the ``level == "zone"`` rows are used), or a Series of values indexed by zone code.
    territory : Territory
        Its zones are outlined; they decide the regions shown (``extent``).
    title : str
        First line(s) of the title, without the period: the period of the data is appended to
        the first line (« Taux de chômage localisé par zone d'emploi, T3 2023 »).
    source : str
        « Source : … » line drawn under the map.
    column : str, default "value"
        Column of ``values`` to map.
    period : str or Period, optional
        Period to map when ``values`` has a ``period`` column; default the latest period with a
        value for at least one shown zone (for any zone when no shown zone has one).
    unit : str, default "%"
        Unit of the colour-bar ticks (``""`` for none).
    decimals : int, default 1
        Decimals of the colour-bar ticks.
    legend : str, optional
        Label of the colour bar.
    extent : {"region", "neighbours", "all"}, default "neighbours"
        Zones shown (:func:`shown_zones`). With the official map, ``"all"`` also draws the
        overseas zones at their true position, which shrinks metropolitan France.
    cmap : str, default "cividis_r"
        Sequential colour map; the default is readable by colour-blind readers and in greys.

    Returns
    -------
    Figure
        Zones coloured by value, zones without one greyed and hatched (« Donnée non publiée »
        in the legend), region borders, the territory's outline, a colour bar with French
        numbers (none when no zone shown has a value: the map then shows the zones, all
        greyed), the title with the period and the source line.

    Raises
    ------
    ParameterError
        Unknown ``extent`` or ``column``, several values for a zone at one period, a
        ``period`` absent from ``values``, a territory whose zones are not on the map.

    See Also
    --------
    values_at : the values the map shows, to say in the text which zones have none.
    """
    import matplotlib
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    shown = shown_zones(geometry, territory, extent)
    own = shown[shown["zone"].isin(territory.zones)]
    if own.empty:
        raise ParameterError(f"territory {territory.id!r}: none of its zones is on the map")
    zone_values, period = values_at(values, set(shown["zone"]), column=column, period=period)
    data = shown.assign(_value=shown["zone"].map(zone_values).astype(float))
    known, missing = data[data["_value"].notna()], data[data["_value"].isna()]
    full_title = title.split("\n")
    if period is not None:
        full_title[0] += f", {_period_text(period)}"
    colours = matplotlib.colormaps[cmap]
    norm = None if known.empty else Normalize(known["_value"].min(), known["_value"].max())
    with style():
        fig = Figure(figsize=(7.0, 5.8), layout="constrained")
        ax = fig.add_subplot()
        if norm is not None:
            known.plot(
                ax=ax, color=colours(norm(known["_value"].to_numpy())), edgecolor="white", lw=0.3
            )
        handles = [Line2D([], [], color="#000000", lw=1.8, label=territory.label)]
        if not missing.empty:
            missing.plot(ax=ax, lw=0.3, **_GREY)
            handles.append(
                Patch(
                    facecolor=_GREY["color"],
                    edgecolor=_GREY["edgecolor"],
                    hatch=_GREY["hatch"],
                    label=NOT_PUBLISHED,
                )
            )
        if data["region"].nunique() > 1:
            borders = data.dissolve("region").boundary
            borders.plot(ax=ax, color="#555555", lw=0.8)
            handles.append(Line2D([], [], color="#555555", lw=0.8, label="Limite de région"))
        outline = _outline(own.geometry.to_numpy())
        ax.plot(*_boundary_xy(outline), color="#000000", lw=1.8)
        ax.set_axis_off()
        # the figure's title, not the axes': a tall, narrow map would push it off the figure
        fig.suptitle("\n".join(full_title), x=0.0, ha="left", fontsize=11, fontweight="bold")
        if norm is not None:
            bar = fig.colorbar(ScalarMappable(norm=norm, cmap=colours), ax=ax, shrink=0.6, pad=0.01)
            bar.ax.yaxis.set_major_formatter(
                FuncFormatter(
                    lambda v, _pos: (
                        french.format_number(v, decimals) + (f"\u00a0{unit}" if unit else "")
                    )
                )
            )
            bar.ax.tick_params(labelsize=8)
            if legend:
                bar.set_label(legend, fontsize=9)
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0.0, 0.0),
            ncols=3,
            fontsize=8,
            frameon=False,
        )
        fig.supxlabel(source, x=0.0, ha="left", fontsize=8, color="#444444")
    return fig


def _outline(polygons):
    """Union of the territory's zones, closing the slivers a simplified map leaves between
    neighbours (a buffer of 0.2 % of their extent, then back)."""
    import shapely

    xmin, ymin, xmax, ymax = shapely.total_bounds(polygons)
    eps = 0.002 * float(np.hypot(xmax - xmin, ymax - ymin))
    return shapely.union_all(shapely.buffer(polygons, eps)).buffer(-eps)


def _boundary_xy(shape) -> tuple[list, list]:
    """x and y of every ring of a (multi)polygon, NaN-separated, for one ``ax.plot`` call."""
    import shapely

    xs, ys = [], []
    for ring in shapely.get_parts(shapely.boundary(shape)):
        coords = shapely.get_coordinates(ring)
        xs += [*coords[:, 0], np.nan]
        ys += [*coords[:, 1], np.nan]
    return xs, ys


def values_at(values, zones, *, column: str = "value", period=None) -> tuple[pd.Series, object]:
    """The values a choropleth of ``zones`` shows, and their period.

    Parameters
    ----------
    values : DataFrame or Series
        As for :func:`choropleth`.
    zones : iterable of str
        The zones shown (:func:`shown_zones`).
    column : str, default "value"
    period : str or Period, optional
        Default: the latest period with a value for at least one of ``zones``, or for any
        zone when none of them has one (None when no zone has a value).

    Returns
    -------
    tuple
        Zone code → value at that period (a zone without a value is absent or NaN), and the
        period (None for a Series).

    Raises
    ------
    ParameterError
        As :func:`choropleth`: unknown ``column``, a ``period`` absent from ``values``,
        several values for a zone.
    """
    zones = set(zones)
    if isinstance(values, pd.Series):
        return values, None
    if column not in values.columns:
        raise ParameterError(
            f"column {column!r} not in the values; columns: {list(values.columns)}"
        )
    rows = values[values["level"] == "zone"] if "level" in values.columns else values
    if "period" in rows.columns:
        if period is None:
            present = rows[rows[column].notna()]
            shown = present[present["code"].isin(zones)]
            present = shown if len(shown) else present
            period = present["period"].max() if len(present) else None
        else:
            period = pd.Period(period, freq=rows["period"].iloc[0].freqstr)
            if not (rows["period"] == period).any():
                raise ParameterError(f"period {period} not in the values")
        rows = rows[rows["period"] == period]
    repeated = rows["code"][rows["code"].duplicated()]
    if len(repeated):
        raise ParameterError(
            f"several values of {column!r} for zone(s) {sorted(set(repeated))[:5]}; filter the "
            "values to one row per zone (one period, one sector...)"
        )
    return rows.set_index("code")[column], period
