"""One function per chart; each returns a matplotlib Figure with title, period, comparison and
a « Source : … » line. One style for the whole report (seaborn ``whitegrid``, colour-blind-safe
palette), applied through ``rc_context`` so that nothing global changes; the territory, its
region and France always have the same colours.

A chart reaches the report as an image drawn once (:func:`to_image`, :func:`render_png`): a
palette PNG cropped to what is drawn, not the Figure, which IPython's inline backend would
draw twice (``bbox_inches="tight"``: a draw without rendering, then the real one) into a
full-colour PNG.
"""

from __future__ import annotations

import io
import textwrap
from contextlib import contextmanager

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib._pylab_helpers import Gcf
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from PIL import Image

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


def annual_employment_index(frame: pd.DataFrame, source: str, subject: str) -> Figure:
    """Lines of :func:`bassin_lib.analysis.annual_employment_index` (base 100 in the first
    year shown), territory vs region vs France; ``subject`` names what is counted
    (« Emploi total au lieu de travail »)."""
    first, last = frame["period"].min(), frame["period"].max()
    title = f"{subject}, indice base 100 en {first.year}\n{first.year} – {last.year}"
    with style():
        fig, ax = _figure(title, source)
        _role_lines(ax, frame, "index")
        ax.axhline(100, color="#999999", lw=0.8)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # labels without decimals
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
    *,
    subject: str = "l'emploi salarié privé",
) -> Figure:
    """Horizontal bars: the ``n`` largest sectors of the territory, share of its jobs vs the
    French share (:func:`bassin_lib.analysis.location_quotients` rows at one quarter or year);
    ``subject`` names what is counted."""
    own = frame[frame["code"] == territory_code].dropna(subset=["share"])
    own = own.sort_values("share", ascending=False).head(n)
    period = own["period"].iloc[0]
    title = (
        f"Structure sectorielle de {subject}, {french.period_short(period)}"
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


COMPOSITION_SHORT_LABELS = {
    "PACT": "Revenus\nd'activité",
    "PPEN": "Pensions,\nretraites, rentes",
    "PPAT": "Revenus du\npatrimoine",
    "PPSOC": "Prestations\nsociales",
    "PIMPOT": "Impôts",
}


def income_composition(frame: pd.DataFrame, source: str) -> Figure:
    """Grouped bars of the composition of households' disposable income (% by source, taxes
    negative), territory vs region vs France
    (:func:`bassin_lib.analysis.income_composition_levels` rows)."""
    year = frame["period"].iloc[0].year
    components = [c for c in COMPOSITION_SHORT_LABELS if c in frame and frame[c].notna().any()]
    labels = _labels(frame)
    title = (
        f"Composition du revenu disponible des ménages en {year}"
        "\n(en % du revenu disponible ; impôts en négatif)"
    )
    with style():
        fig, ax = _figure(title, source)
        width = 0.27
        for i, role in enumerate(ROLE_ORDER):
            rows = frame[frame["role"] == role]
            if rows.empty:
                continue
            values = rows.iloc[0][components].astype(float)
            xs = [k + (i - 1) * width for k in range(len(components))]
            ax.bar(xs, values, width=width, color=COLORS[role], label=labels[role])
            for x, value in zip(xs, values, strict=True):
                if pd.notna(value):
                    ax.text(
                        x,
                        value,
                        french.format_number(value, 1),
                        ha="center",
                        va="bottom" if value >= 0 else "top",
                        fontsize=6.5,
                    )
        ax.set_xticks(
            range(len(components)), [COMPOSITION_SHORT_LABELS[c] for c in components], fontsize=8
        )
        ax.axhline(0, color="#333333", lw=0.8)
        ax.margins(y=0.12)
        _french_axis(ax, 0, "%")
        ax.legend(fontsize=8, frameon=False)
    return fig


LOCAL_COLORS = {"departements": COLORS["territory"], **COLORS}
"""Colours of the département reading: the départements covered take the territory's colour."""


def jobseekers_departements(frame: pd.DataFrame, departements, source: str) -> Figure:
    """Lines of the job seekers of the départements a territory covers (summed), its region and
    France when computable (:func:`bassin_lib.analysis.jobseekers_departements`), as an index
    base 100 at the first month.

    Parameters
    ----------
    frame : DataFrame
        ``role, label, period, value`` (monthly), and ``adjusted`` (bool) when the series
        were seasonally adjusted (``jobseekers_departements(..., adjust=True)``).
    departements : sequence of str
        Codes of the départements summed, named in the title and the legend.
    source : str
        The « Source : France Travail, STMT … » line; the chart adds whether the lines drawn are
        « données corrigées des variations saisonnières par bassin_lib » (every line's
        ``adjusted`` true) or « données brutes » (no ``adjusted`` column, or false), naming the
        lines left raw when only some were adjusted.
    """
    rows = frame[frame["value"].notna()]
    own = rows[rows["role"] == "departements"].sort_values("period")
    base = own["period"].iloc[0]
    last = own["period"].iloc[-1]
    scale = french.departements_scale(departements)
    title = "\n".join(
        [
            f"Demandeurs d'emploi inscrits, {french.month_label(base)} – "
            f"{french.month_label(last)}",
            *textwrap.wrap(scale, width=80),
        ]
    )
    names = {"departements": french.departements_names(departements)}
    lines = {}
    for role in ["departements", "region", "france"]:
        line = rows[rows["role"] == role].sort_values("period")
        if not line.empty and (line["period"] == base).any():
            lines[role] = line
    flags = frame["adjusted"] if "adjusted" in frame.columns else pd.Series(False, frame.index)
    adjusted = {role: bool(flags.loc[line.index].any()) for role, line in lines.items()}
    cvs = "données corrigées des variations saisonnières par bassin_lib"
    if all(adjusted.values()):
        treatment = cvs
    elif not any(adjusted.values()):
        treatment = "données brutes"
    else:
        raw = [names.get(r, lines[r]["label"].iloc[0]) for r, a in adjusted.items() if not a]
        quoted = [f"«\u00a0{label}\u00a0»" for label in raw]
        treatment = f"{cvs}, sauf {french.french_list(quoted)} (données brutes)"
    with style():
        fig, ax = _figure(title, f"{source}, {treatment}")
        for role, line in lines.items():
            at_base = line.loc[line["period"] == base, "value"]
            ax.plot(
                line["period"].dt.to_timestamp(),
                100 * line["value"] / at_base.iloc[0],
                color=LOCAL_COLORS[role],
                lw=2.2 if role == "departements" else 1.6,
                label=names.get(role, line["label"].iloc[0]),
            )
        ax.axhline(100, color="#333333", lw=0.8)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(f"indice, base 100 en {french.month_label(base)}", fontsize=8)
        _french_axis(ax, 0)
        ax.legend(fontsize=8, frameon=False)
    return fig


# --- 6. Intérim ------------------------------------------------------------------------------

INTERIM_PROFILE_LABELS = {
    "men": "Hommes",
    "women": "Femmes",
    "under_25": "Moins de 25 ans",
    "25_49": "25 à 49 ans",
    "50_plus": "50 ans ou plus",
    "under_70h": "Moins de 70 heures dans le mois",
    "70_150h": "De 70 à 150 heures dans le mois",
    "over_150h": "Plus de 150 heures dans le mois",
}
"""French labels of the categories of the temporary workers' profile, in the order shown."""
INTERIM_APE_SCOPE = "intérim compté au lieu de l'agence (APE 7820Z)"
"""Said after the source of every chart read from the Urssaf commune × APE file."""


def interim_share(frame: pd.DataFrame, source: str) -> Figure:
    """Lines of :func:`bassin_lib.analysis.interim_share` (% of private jobs), territory vs
    region vs France, quarter by quarter (rows with ``role`` and ``label``)."""
    first, last = frame["period"].min(), frame["period"].max()
    title = (
        f"Part de l'intérim dans l'emploi salarié privé, {french.quarter_short(first)} – "
        f"{french.quarter_short(last)}\n(intérimaires en fin de trimestre pour 100 emplois "
        "salariés privés, données CVS)"
    )
    with style():
        fig, ax = _figure(title, source)
        _role_lines(ax, frame, "share_pct")
        _french_axis(ax, 1, "%")
        ax.set_ylim(bottom=0)
        ax.legend(loc="best", fontsize=8, frameon=False)
    return fig


def interim_activity(frame: pd.DataFrame, source: str, limit: float = 100.0) -> Figure:
    """Small multiples of :func:`bassin_lib.analysis.interim_yoy` (monthly, one measure): the
    all-sector activity and each sector, territory vs France, year-on-year change in %.

    The vertical axis is bounded to ± ``limit`` % (the rebound a year after a collapse would
    flatten every other month); the title says so when a value lies beyond.
    """
    from matplotlib import dates as mdates

    rows = frame[frame["role"].isin(["territory", "france"])].dropna(subset=["change_pct"])
    first, last = rows["period"].min(), rows["period"].max()
    sectors = ["TOTAL", *sorted(set(rows["sector"]) - {"TOTAL"})]
    beyond = (rows["change_pct"].abs() > limit).any()
    bound = f"\n(axe vertical borné à ± {french.format_number(limit)}\u00a0%)" if beyond else ""
    title = (
        f"Activité intérimaire en glissement annuel, {french.month_label(first)} – "
        f"{french.month_label(last)}\n(équivalents temps plein, évolution sur un an, par secteur "
        f"de l'établissement utilisateur){bound}"
    )
    labels = _labels(rows)
    ncols = 3
    nrows = -(-len(sectors) // ncols)
    with style():
        fig = Figure(figsize=(FIGSIZE[0], 2.2 * nrows + 0.9), layout="constrained")
        fig.suptitle(title, x=0.0, ha="left", fontsize=11, fontweight="bold")
        fig.supxlabel(source, x=0.0, ha="left", fontsize=8, color="#444444")
        axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).ravel()
        for ax, sector in zip(axes, sectors, strict=False):
            part = rows[rows["sector"] == sector]
            for role in ("territory", "france"):
                line = part[part["role"] == role]
                if line.empty:
                    continue
                ax.plot(
                    line["period"].dt.to_timestamp(),
                    line["change_pct"].clip(-limit, limit),
                    color=COLORS[role],
                    lw=1.8 if role == "territory" else 1.3,
                    label=labels[role],
                )
            ax.axhline(0, color="#333333", lw=0.8)
            ax.set_title("Ensemble des secteurs" if sector == "TOTAL" else sector, fontsize=9)
            ax.set_ylim(-limit, limit)
            ax.xaxis.set_major_locator(mdates.YearLocator(2))
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
            _french_axis(ax, 0, "%")
        for ax in axes[len(sectors) :]:
            ax.set_visible(False)
        handles, names = axes[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside lower right", ncols=2, fontsize=8, frameon=False)
    return fig


def interim_profile(frame: pd.DataFrame, territory_label: str, source: str) -> Figure:
    """Horizontal bars of :func:`bassin_lib.analysis.interim_profile_shares` for one year:
    each category's share of the temporary workers living in the territory, vs France (rows
    with ``role``)."""
    year = frame["period"].max()
    rows = frame[frame["period"] == year]
    categories = [c for c in INTERIM_PROFILE_LABELS if c in set(rows["category"])]

    def shares(role):
        part = rows[rows["role"] == role].set_index("category")["share"]
        return [100 * part.get(c, float("nan")) for c in categories]

    title = (
        f"Profil des intérimaires résidant sur le territoire, {year.year}\n(en % des "
        "intérimaires, par sexe, âge et heures travaillées)"
    )
    with style():
        fig, ax = _figure(title, source)
        _paired_barh(
            ax,
            [INTERIM_PROFILE_LABELS[c] for c in categories],
            shares("territory"),
            shares("france"),
            territory_label,
        )
        ax.set_xlim(0, 100)
    return fig


def interim_share_ape(frame: pd.DataFrame, source: str) -> Figure:
    """Lines of :func:`bassin_lib.analysis.interim_share_ape` (yearly, at 31 December): the
    temporary-work agencies' employees per 100 private jobs, territory (and region, France when
    the file covers them)."""
    from textwrap import wrap

    from matplotlib import dates as mdates

    first, last = frame["period"].min(), frame["period"].max()
    title = (
        f"Part de l'intérim dans l'emploi salarié privé au 31 décembre, {first.year} – "
        f"{last.year}\n(salariés des agences de travail temporaire pour 100 salariés du privé)"
    )
    with style():
        # the source and the scope run long: wrapped so that the line is read whole
        fig, ax = _figure(title, "\n".join(wrap(f"{source}, {INTERIM_APE_SCOPE}", width=110)))
        _role_lines(ax, frame, "share_pct")
        _french_axis(ax, 1, "%")
        ax.set_ylim(bottom=0)
        ax.xaxis.set_major_locator(mdates.YearLocator(2))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.legend(loc="best", fontsize=8, frameon=False)
    return fig


# --- rendering: one draw, one compact PNG --------------------------------------------------------

PNG_PAD_INCHES = 0.1
"""White margin around what a chart draws: the pad IPython's ``bbox_inches="tight"`` leaves, so
that an image keeps the size it had when the inline backend rendered the Figure."""
PNG_COLORS = 256
"""Colours of the PNG palette, chosen by Pillow's fast octree (no dithering, which would blur
text): every colour of a chart within 15 levels of 255 (its plain colours within 9, the
anti-aliased edges of lines, text and map polygons making up the rest), the background exact.
Measured on a report's 13 charts (``benchmarks/charts.py``): 4 times faster than the exact
max-coverage palette and a quarter fewer bytes, the difference invisible at this size."""
PNG_COMPRESS_LEVEL = 6
"""zlib level of the PNG (Pillow's and matplotlib's default): level 9 saves about 8 % more for
five times the encoding time."""


def _figure_texts(fig: Figure) -> list:
    """The suptitle, the « Source : … » line and other figure-level texts: placed in figure
    coordinates, their horizontal extent is known before the layout."""
    texts = [fig._suptitle, fig._supxlabel, fig._supylabel, *fig.texts]
    return [text for text in texts if text is not None]


def _axes_titles(fig: Figure) -> list:
    """The axes' titles: placed from an axes' edge, which the layout moves."""
    return [title for ax in fig.axes for title in (ax.title, ax._left_title, ax._right_title)]


def _wrap_overflowing(texts: list, fig: Figure) -> bool:
    """Wrap at the figure's edge (:meth:`matplotlib.text.Text.set_wrap`) the ``texts`` that run
    past its left or right edge; return whether any did."""
    overflowing = []
    for text in texts:
        if text.get_visible() and text.get_text():
            box = text.get_window_extent()
            if box.x0 < fig.bbox.x0 - 0.5 or box.x1 > fig.bbox.x1 + 0.5:
                overflowing.append(text)
    for text in overflowing:
        text.set_wrap(True)
    return bool(overflowing)


def _draw_once(fig: Figure) -> FigureCanvasAgg:
    """Lay ``fig`` out and draw it once with Agg; return the canvas holding the pixels.

    A figure-level text wider than the figure is wrapped first; the layout engine then runs on
    its own, and runs again only when it leaves an axes' title past the figure's edge, once that
    title is wrapped. The figure is then drawn once with its layout engine set aside (the layout
    is done), and given it back.
    """
    canvas = FigureCanvasAgg(fig)
    engine = fig.get_layout_engine()
    with style():
        _wrap_overflowing(_figure_texts(fig), fig)
        if engine is None or not fig.axes:
            _wrap_overflowing(_axes_titles(fig), fig)
            canvas.draw()
            return canvas
        engine.execute(fig)
        if _wrap_overflowing(_axes_titles(fig), fig):
            engine.execute(fig)
        fig.set_layout_engine("none")
        try:
            canvas.draw()
        finally:
            fig.set_layout_engine(engine)
    return canvas


def render_png(fig: Figure, *, close: bool = True) -> bytes:
    """Draw ``fig`` once and return it as compact PNG bytes.

    The figure is laid out and drawn once by Agg at its own dpi (:meth:`Figure.savefig` of a
    constrained figure draws it twice, first without rendering to lay it out, and IPython's
    inline backend also computes the tight bounding box); a title or source line that would run
    past the figure's edge is wrapped at that edge, so nothing is cut. The pixels are cropped to
    what is drawn, with a margin of :data:`PNG_PAD_INCHES` (the size of the image the inline
    backend gave), reduced to a palette of :data:`PNG_COLORS` colours (within a few levels, the
    background exact) and written as a PNG: same pixel size and dpi as before, well under half
    the bytes, and the same bytes for the same figure.

    Parameters
    ----------
    fig : Figure
        A chart of this module or of :mod:`bassin_lib.rendering.maps`.
    close : bool, default True
        Close the figure once drawn: the Agg canvas holding its pixels is dropped at once, and
        a figure managed by pyplot is closed, so that nothing shows it again. Its artists are
        left in place (clearing them costs more than the garbage collector does).

    Returns
    -------
    bytes
        The PNG file (palette, or RGBA when the figure has transparent parts; pHYs chunk with
        the figure's dpi; no timestamp).
    """
    manager = fig.canvas.manager
    canvas = _draw_once(fig)
    pixels = np.asarray(canvas.buffer_rgba())
    background = np.round(np.array(to_rgba(fig.get_facecolor())) * 255).astype(np.uint8)
    drawn = pixels.view(np.uint32)[..., 0] != background.view(np.uint32)[0]
    rows, columns = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    if rows.size:
        pixels = pixels[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    pad = round(PNG_PAD_INCHES * fig.dpi)
    height, width = pixels.shape[:2]
    opaque = background[3] == 255 and pixels[..., 3].min() == 255
    channels = 3 if opaque else 4  # transparent parts: RGBA, which Pillow's exact palettes drop
    framed = np.empty((height + 2 * pad, width + 2 * pad, channels), dtype=np.uint8)
    framed[...] = background[:channels]
    framed[pad : pad + height, pad : pad + width] = pixels[..., :channels]
    image = Image.fromarray(framed)
    if opaque:
        image = image.quantize(
            PNG_COLORS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
        palette = image.getpalette()
        at = 3 * image.getpixel((0, 0))  # the frame is background: keep its colour exact
        palette[at : at + 3] = background[:3].tolist()
        image.putpalette(palette)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL, dpi=(fig.dpi, fig.dpi))
    if close:
        if manager is not None:
            Gcf.destroy(manager)
        FigureCanvasBase(fig)
    return buffer.getvalue()


def to_image(fig: Figure, *, close: bool = True):
    """The chart as the PNG image a notebook displays (:func:`render_png`).

    Displaying this image rather than the Figure keeps IPython's inline backend from drawing
    the figure again.

    Returns
    -------
    IPython.display.Image
    """
    from IPython.display import Image as DisplayedImage

    return DisplayedImage(data=render_png(fig, close=close), format="png")
