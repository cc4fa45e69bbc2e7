"""One function per chart; each returns a matplotlib Figure with title, period, comparison and
a « Source : … » line. One style for the whole report (seaborn ``whitegrid``, colour-blind-safe
palette), applied through ``rc_context`` so that nothing global changes; the territory, its
region and France always have the same colours.
"""

from __future__ import annotations

from contextlib import contextmanager

import matplotlib
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bassin_lib.rendering import french

_PALETTE = sns.color_palette("colorblind")
COLORS = {"territory": _PALETTE[0], "region": _PALETTE[1], "france": "#6b6b6b"}
ROLE_ORDER = ["territory", "region", "france"]
FIGSIZE = (8.0, 4.3)


def _rc() -> dict:
    rc = dict(sns.axes_style("whitegrid"))
    rc.update(sns.plotting_context("notebook", font_scale=0.85))
    rc.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "font.family": "DejaVu Sans",
            "svg.hashsalt": "bassin_lib",
            "axes.titleweight": "bold",
        }
    )
    return rc


@contextmanager
def style():
    """Context in which every bassin_lib chart is drawn."""
    with matplotlib.rc_context(_rc()):
        yield


def _figure(title: str, source: str) -> tuple[Figure, object]:
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    ax = fig.add_subplot()
    ax.set_title(title, loc="left", fontsize=11)
    fig.get_layout_engine().set(h_pad=0.12)
    fig.supxlabel(source, x=0.0, ha="left", fontsize=8, color="#444444")
    return fig, ax


def _french_axis(ax, decimals: int = 0, unit: str = "", axis: str = "y") -> None:
    def fmt(value, _pos):
        return french.format_number(value, decimals) + (f"\u00a0{unit}" if unit else "")

    getattr(ax, f"{axis}axis").set_major_formatter(FuncFormatter(fmt))


def _labels(frame: pd.DataFrame) -> dict:
    return dict(zip(frame["role"], frame["label"], strict=False))


def _role_lines(ax, frame: pd.DataFrame, column: str) -> None:
    """One line per comparator, the territory drawn thicker."""
    labels = _labels(frame)
    for role in ROLE_ORDER:
        rows = frame[frame["role"] == role]
        if rows.empty:
            continue
        ax.plot(
            rows["period"].dt.to_timestamp(),
            rows[column],
            color=COLORS[role],
            lw=2.2 if role == "territory" else 1.6,
            label=labels[role],
        )


def _role_bars(ax, frame: pd.DataFrame, key: str, keys: list, ticklabels: list[str]) -> None:
    """Grouped bars of ``change_pct``: one group per ``key`` value, one bar per comparator."""
    labels = _labels(frame)
    width = 0.27
    for i, role in enumerate(ROLE_ORDER):
        rows = frame[frame["role"] == role].set_index(key).reindex(keys)
        xs = [k + (i - 1) * width for k in range(len(keys))]
        ax.bar(
            xs, rows["change_pct"], width=width, color=COLORS[role], label=labels.get(role, role)
        )
    ax.set_xticks(range(len(keys)), ticklabels)
    ax.axhline(0, color="#333333", lw=0.8)
    _french_axis(ax, 1, "%")
    ax.legend(fontsize=8, frameon=False)


def employment_index(
    frame: pd.DataFrame, base, source: str, crisis: tuple[str, str] | None = None
) -> Figure:
    """Lines of :func:`bassin_lib.analysis.employment_index` (base 100), territory vs region vs
    France.

    Parameters
    ----------
    crisis : (str, str), optional
        The notebook's ``crisis_start`` (pre-crisis reference quarter) and ``crisis_end``: the
        quarters after the first up to the last are shaded. None: nothing is shaded.
    """
    first, last = frame["period"].min(), frame["period"].max()
    title = (
        f"Emploi salarié privé (CVS), indice base 100 au {french.quarter_short(pd.Period(base, 'Q'))}"
        f"\n{french.quarter_short(first)} – {french.quarter_short(last)}"
    )
    with style():
        fig, ax = _figure(title, source)
        _role_lines(ax, frame, "index")
        if crisis is not None:
            first = pd.Period(crisis[0], "Q") + 1
            last = pd.Period(crisis[1], "Q")
            ax.axvspan(
                first.start_time,
                last.end_time,
                color="#dddddd",
                alpha=0.5,
                lw=0,
                label=f"Fenêtre de crise ({french.quarter_short(first)} – "
                f"{french.quarter_short(last)})",
            )
        ax.axhline(100, color="#999999", lw=0.8)
        _french_axis(ax, 0)
        ax.set_ylabel("Indice")
        ax.legend(loc="best", fontsize=8, frameon=False)
    return fig


def quarterly_changes(frame: pd.DataFrame, source: str) -> Figure:
    """Bars of quarter-on-quarter changes (%), territory vs region vs France."""
    periods = sorted(frame["period"].unique())
    first = periods[0] - 1
    title = (
        "Évolution trimestrielle des emplois salariés privés depuis le début de la crise"
        f"\n({french.quarter_short(first)} – {french.quarter_short(periods[-1])}, "
        "variation par rapport au trimestre précédent)"
    )
    with style():
        fig, ax = _figure(title, source)
        _role_bars(ax, frame, "period", periods, [french.quarter_short(p) for p in periods])
    return fig


def jobseekers_change(frame: pd.DataFrame, source: str) -> Figure:
    """Bars of the change (%) in job seekers by category, territory vs region vs France."""
    start, end = frame["start"].iloc[0], frame["end"].iloc[0]
    categories = ["A", "B", "C", "ABC"]
    title = (
        "Évolution du nombre de demandeurs d'emploi par catégorie"
        f"\n({french.quarter_short(start)} – {french.quarter_short(end)})"
    )
    with style():
        fig, ax = _figure(title, source)
        _role_bars(
            ax,
            frame,
            "category",
            categories,
            ["Catégorie A", "Catégorie B", "Catégorie C", "Ensemble A, B, C"],
        )
    return fig


def unemployment_rate(frame: pd.DataFrame, source: str) -> Figure:
    """Lines of the quarterly unemployment rate, territory vs region vs France."""
    first, last = frame["period"].min(), frame["period"].max()
    title = (
        "Taux de chômage localisé (CVS, en % de la population active)"
        f"\n{french.quarter_short(first)} – {french.quarter_short(last)}"
    )
    with style():
        fig, ax = _figure(title, source)
        _role_lines(ax, frame, "value")
        _french_axis(ax, 0, "%")
        ax.legend(fontsize=8, frameon=False)
    return fig


def poverty(frame: pd.DataFrame, source: str) -> Figure:
    """Bars of the poverty rate and, when published, the median living standard, territory vs
    region vs France."""
    year = frame["period"].iloc[0].year
    rows = frame.set_index("role").reindex(ROLE_ORDER)
    panels = [
        (column, unit, decimals, subtitle)
        for column, unit, decimals, subtitle in (
            ("poverty_rate", "%", 1, "Taux de pauvreté (seuil à 60 %)"),
            ("median_living_standard", "€", 0, "Niveau de vie médian (€/an/UC)"),
        )
        if column in rows and rows[column].notna().any()
    ]
    title = "Taux de pauvreté" + (" et niveau de vie médian" if len(panels) > 1 else "")
    with style():
        fig = Figure(figsize=FIGSIZE, layout="constrained")
        axes = list(fig.subplots(1, len(panels), squeeze=False)[0])
        fig.suptitle(f"{title} en {year}", x=0.0, ha="left", fontsize=11, fontweight="bold")
        fig.supxlabel(source, x=0.0, ha="left", fontsize=8, color="#444444")
        names = [str(label) for label in rows["label"]]
        colors = [COLORS[r] for r in ROLE_ORDER]
        for ax, (column, unit, decimals, subtitle) in zip(axes, panels, strict=True):
            ax.barh(range(3), rows[column], color=colors)
            ax.set_yticks(range(3), names if ax is axes[0] else ["", "", ""])
            ax.invert_yaxis()
            ax.set_title(subtitle, fontsize=9, loc="left")
            _french_axis(ax, 0, unit, axis="x")
            ax.xaxis.set_major_locator(MaxNLocator(4))
            for k, value in enumerate(rows[column]):
                if pd.notna(value):
                    text = (
                        french.format_percent(value, decimals)
                        if unit == "%"
                        else french.format_euros(value)
                    )
                    ax.text(value, k, " " + text, va="center", fontsize=8)
            ax.margins(x=0.25)
    return fig


def _paired_barh(ax, labels, territory_values, france_values, territory_label: str) -> None:
    """Horizontal bars in pairs, territory above France, one pair per (shortened) label, in %."""
    positions = list(range(len(labels)))
    height = 0.38
    ax.barh(
        [p - height / 2 for p in positions],
        territory_values,
        height=height,
        color=COLORS["territory"],
        label=territory_label,
    )
    ax.barh(
        [p + height / 2 for p in positions],
        france_values,
        height=height,
        color=COLORS["france"],
        label="France",
    )
    short = [label if len(label) <= 45 else label[:44] + "…" for label in labels]
    ax.set_yticks(positions, short, fontsize=8)
    ax.invert_yaxis()
    _french_axis(ax, 0, "%", axis="x")
    ax.legend(fontsize=8, frameon=False, loc="lower right")


def recruitment_difficulty(
    frame: pd.DataFrame, year: int, territory_label: str, source: str
) -> Figure:
    """Horizontal bars: share of hiring projects judged difficult for the territory's main
    occupations, territory vs France (:func:`bassin_lib.analysis.recruitment_by_occupation`)."""
    title = (
        f"Part des projets de recrutement jugés difficiles, {year}"
        f"\n({len(frame)} métiers les plus recherchés du territoire ; minimum si des cellules "
        "sont masquées)"
    )
    with style():
        fig, ax = _figure(title, source)
        _paired_barh(
            ax,
            list(frame["occupation_label"]),
            frame["share_difficult"],
            frame["share_difficult_france"],
            territory_label,
        )
        ax.set_xlim(0, 100)
    return fig


def sector_structure(
    frame: pd.DataFrame,
    territory_code: str,
    territory_label: str,
    sector_labels: dict,
    source: str,
    n: int = 10,
) -> Figure:
    """Horizontal bars: the ``n`` largest sectors of the territory, share of its private jobs
    vs the French share (:func:`bassin_lib.analysis.location_quotients` rows)."""
    own = frame[frame["code"] == territory_code].dropna(subset=["share"])
    own = own.sort_values("share", ascending=False).head(n)
    period = own["period"].iloc[0]
    title = (
        f"Structure sectorielle de l'emploi salarié privé, {french.quarter_short(period)}"
        f"\n(part des emplois, {len(own)} premiers secteurs du territoire)"
    )
    with style():
        fig, ax = _figure(title, source)
        _paired_barh(
            ax,
            [sector_labels.get(code, code) for code in own["sector"]],
            100 * own["share"],
            100 * own["reference_share"],
            territory_label,
        )
    return fig


INCOME_SHORT_LABELS = {
    "productive": "Productifs",
    "public": "Publics",
    "social": "Sociaux",
    "pensions": "Retraites",
    "commuting": "Pendulaires",
    "tourism": "Touristiques",
}


def income_base(
    shares: pd.DataFrame, territory_code: str, territory_label: str, source: str
) -> Figure:
    """Bars of the shares of captured income by base: the territory, the mean of all zones and
    France (:func:`bassin_lib.analysis.income_base_shares` rows at one period)."""
    period = shares["period"].max()
    rows = shares[(shares["period"] == period) & (shares["component"] != "socialisation")]
    labels = INCOME_SHORT_LABELS
    components = [c for c in labels if c in set(rows["component"])]
    series = {
        territory_label: rows[rows["code"] == territory_code].set_index("component")["share_pct"],
        "Moyenne des zones d'emploi": rows[rows["level"] == "zone"]
        .groupby("component")["share_pct"]
        .mean(),
        "France": rows[rows["level"] == "france"].set_index("component")["share_pct"],
    }
    colors = [COLORS["territory"], COLORS["region"], COLORS["france"]]
    title = f"Structure des revenus captés par le territoire en {period.year} (en %)"
    with style():
        fig, ax = _figure(title, source)
        width = 0.27
        for i, ((name, values), color) in enumerate(zip(series.items(), colors, strict=True)):
            xs = [k + (i - 1) * width for k in range(len(components))]
            ax.bar(xs, values.reindex(components), width=width, color=color, label=name)
        ax.set_xticks(range(len(components)), [labels[c] for c in components], fontsize=8)
        _french_axis(ax, 0, "%")
        ax.legend(fontsize=8, frameon=False)
    return fig
