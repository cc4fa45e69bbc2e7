"""Maps (geopandas): the territory located in its region."""

from __future__ import annotations

from matplotlib.figure import Figure

from bassin_lib.figures import COLORS, style
from bassin_lib.territories import Territory


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
