"""The sections of a diagnostic, one function each, as the notebook calls them.

The notebook is the report's outline: a heading, then ``show(sections.poverty(d))``. Each
function here takes the :class:`Diagnostic` opened by the setup cell and returns the list of
what the section shows (Markdown blocks and figures, in order). A section whose dataset is
absent from the edition returns the one sentence that says so (:func:`needs`). A section only
notes in the diagnostic what it said (the qualifiers of its comparisons, the noise bands it
used: :func:`section`), replacing its own earlier notes, so that any cell re-runs, in any
order, after the setup cell; :func:`changes`, :func:`appendix` and :func:`save` read those
notes, which is why the notebook shows them last.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bassin_lib import analysis as ind
from bassin_lib.analysis import checks, headlines
from bassin_lib.inputs.cube import Cube
from bassin_lib.inputs.datasets import open_cube
from bassin_lib.inputs.schemas import FRANCE_CODE
from bassin_lib.inputs.territories import Territory
from bassin_lib.rendering import (
    analysts,
    blocks,
    figures,
    french,
    maps,
    narrative,
    provenance,
)
from bassin_lib.rendering import changes as edition_changes


@dataclass
class Diagnostic:
    """What every section of one territory's report reads.

    Attributes
    ----------
    cube : Cube
    territory : Territory
    edition : str
        Label of the edition (« 2024T4 »).
    crisis_start, crisis_end : str
        Pre-crisis reference quarter and end of the crisis window (``"2019Q4"``, ``"2020Q4"``).
    long_run_start : str
        Start of the long-run window.
    shock_quarters : list of str
        Quarters read as shocks (lockdowns) in the crisis reading.
    prov : provenance.Recorder
        Collects where each figure and headline number comes from.
    analyses : analysts.Analyses
        The analysts' texts of the territory.
    compare_to : str
        Folder of the edition this one is compared with (``""``: none), read by :func:`changes`.
    checks : list of CheckResult
        The declared checks of the data (:func:`bassin_lib.analysis.checks.run_checks`).
    qualifiers : dict
        ``{section: {subject: qualifier}}`` of the comparisons each section wrote when it last
        ran (:func:`section`); saved in ``indicators.json``.
    bands : dict
        ``{subject: NoiseBand}`` of the comparisons that used the territory's noise band, said
        in the appendix.
    """

    cube: Cube
    territory: Territory
    edition: str
    crisis_start: str
    crisis_end: str
    long_run_start: str
    shock_quarters: list[str]
    prov: provenance.Recorder
    analyses: analysts.Analyses
    compare_to: str = ""
    checks: list = field(default_factory=list)
    sources: dict = field(init=False)
    qualifiers: dict = field(init=False, default_factory=dict)
    bands: dict = field(init=False, default_factory=dict)

    def __post_init__(self):
        self.sources = self.cube.meta.get("sources", {})


def open_diagnostic(
    territory: str,
    *,
    edition: str = "demo",
    data_source: str = "demo",
    cube_dir: str | Path | None = None,
    analyses_dir: str | Path | None = "",
    crisis_start: str = "2019Q4",
    crisis_end: str = "2020Q4",
    long_run_start: str = "2012Q4",
    shock_quarters: list[str] | tuple[str, ...] = ("2020Q1", "2020Q2", "2020Q4"),
    compare_to: str | Path | None = "",
) -> Diagnostic:
    """Open the cube and the analysts' texts of ``territory``: the notebook's setup cell.

    Parameters
    ----------
    territory : str
        Zone code (4-character string) or group id.
    cube_dir : str or Path, optional
        The batch's prebuilt cube; None builds the cube of ``data_source`` here.
    analyses_dir : str or Path, optional
        Root of the analysts' folders (``""``: ``data/analyses``).

    Other parameters are the notebook's, documented in its parameters cell.

    Raises
    ------
    UnknownTerritoryError
        ``territory`` is neither a zone of the cube nor a declared group.
    """
    cube = open_cube(data_source, cube_dir)
    return diagnostic_of(
        cube,
        territory,
        edition=edition,
        cube_dir=cube_dir,
        analyses_dir=analyses_dir,
        crisis_start=crisis_start,
        crisis_end=crisis_end,
        long_run_start=long_run_start,
        shock_quarters=shock_quarters,
        compare_to=compare_to,
    )


def diagnostic_of(
    cube: Cube,
    territory: str,
    *,
    edition: str = "demo",
    cube_dir: str | Path | None = None,
    analyses_dir: str | Path | None = "",
    crisis_start: str = "2019Q4",
    crisis_end: str = "2020Q4",
    long_run_start: str = "2012Q4",
    shock_quarters: list[str] | tuple[str, ...] = ("2020Q1", "2020Q2", "2020Q4"),
    compare_to: str | Path | None = "",
) -> Diagnostic:
    """The diagnostic of ``territory`` on a cube already open (:func:`open_diagnostic` without
    opening the cube: tests, benchmarks). Parameters as in :func:`open_diagnostic`."""
    t = cube.territory(territory)
    prov = provenance.Recorder(cube, t, cube_dir=cube_dir)
    return Diagnostic(
        cube=cube,
        territory=t,
        edition=edition,
        crisis_start=crisis_start,
        crisis_end=crisis_end,
        long_run_start=long_run_start,
        shock_quarters=list(shock_quarters),
        prov=prov,
        analyses=prov.analyst_texts(analysts.load(t.id, analyses_dir)),
        compare_to=str(compare_to or ""),
        checks=checks.run_checks(cube, t),
    )


def show(items) -> None:
    """Display the items of a section in order (None items are skipped).

    A matplotlib Figure is displayed as the PNG image :func:`figures.to_image` draws once, and
    is then freed: the inline backend never renders it again.
    """
    from IPython.display import display
    from matplotlib.figure import Figure

    for item in items:
        if isinstance(item, Figure):
            item = figures.to_image(item)
        if item is not None:
            display(item)


def _has(d: Diagnostic, table: str) -> bool:
    if table == "geometry":
        return d.cube.geometry is not None
    return blocks.available(d.cube, table)


def _drawn(frame, column: str = "value") -> bool:
    """Whether the territory has a figure to draw (a chart of the comparators alone is left
    out: the sentence above it already says the territory's data are missing)."""
    own = frame[frame["role"] == "territory"] if "role" in frame.columns else frame
    return bool(own[column].notna().any())


def needs(*tables: str, silent: bool = False) -> Callable:
    """Decorator: run the section only when every table is in the edition.

    Otherwise the section shows the one sentence that names the first missing dataset
    (:func:`bassin_lib.rendering.blocks.unavailable`), or nothing when ``silent`` (a part of a
    section that is only a complement).
    """

    def decorate(section):
        @functools.wraps(section)
        def wrapper(d: Diagnostic) -> list:
            missing = [table for table in tables if not _has(d, table)]
            if missing:
                return [] if silent else [blocks.unavailable(missing[0])]
            return section(d)

        return wrapper

    return decorate


def section(function: Callable) -> Callable:
    """Decorator of every section the notebook shows.

    Runs the section with a :class:`~bassin_lib.rendering.narrative.Wording` record open: the
    qualifier of each comparison it writes is kept in ``d.qualifiers[name]`` (for
    ``indicators.json`` and the next edition's « Ce qui a changé »). When a declared check of
    the section's data failed (``d.checks``), the section opens with a badge that names it and
    its comparisons are given unqualified (figures side by side).
    """

    @functools.wraps(function)
    def wrapper(d: Diagnostic) -> list:
        name = function.__name__
        failed = checks.failed(d.checks, name)
        record = narrative.Wording(withhold=bool(failed))
        with narrative.wording(record):
            items = function(d)
        d.qualifiers[name] = record.qualifiers
        return [blocks.check_badge(failed), *items] if failed else items

    return wrapper


# --- title and 1. Identité du territoire et méthode --------------------------------------


@section
def title(d: Diagnostic) -> list:
    """Title, edition and, for synthetic data, the notice that the data are fictitious."""
    return [blocks.title_block(d.cube, d.territory, d.edition)]


@section
def identity(d: Diagnostic) -> list:
    """Identity card and the location map of the territory in its region."""
    return [blocks.identity(d.cube, d.territory), *_location_map(d)]


@needs("geometry")
def _location_map(d: Diagnostic) -> list:
    fig = maps.territory_in_region(d.cube.geometry, d.territory, d.cube.meta["zoning"])
    return [d.prov.figure(fig, table="geometry", function=maps.territory_in_region)]


@section
@needs("population", silent=True)
def population(d: Diagnostic) -> list:
    """Population growth over ten years and density."""
    everywhere = d.cube.tables["population"]
    last_year = everywhere.dropna(subset=["value"])["period"].max().year
    people = d.cube.rows("population", d.territory)
    growth = ind.population_growth(people, str(last_year - 10), str(last_year))
    density = (
        ind.population_density(people, d.cube.rows("area", d.territory))
        if _has(d, "area")
        else None
    )
    return [blocks.text(narrative.population(growth, density, d.territory.id))]


@section
def method(d: Diagnostic) -> list:
    """The analysts' interview log and method."""
    return [analysts.method(d.analyses)]


# --- 2. Modèle de développement ------------------------------------------------------------


@section
def development_model(d: Diagnostic) -> list:
    """Composition of the captured income and the development-model label; on real data, the
    composition of households' disposable income (Filosofi) and its profile instead.

    With an ``income_base`` table (the demo) the section shows the captured income; without it
    and with an ``income_composition`` table (real data) it shows the shares of activity
    income, pensions, property income, social benefits and taxes of the territory, its region
    and France métropolitaine, says that they are not the captured-income bases of the source
    study, and labels them (:func:`bassin_lib.analysis.income_composition_profile`).
    """
    if not _has(d, "income_base") and _has(d, "income_composition"):
        return _income_composition(d)
    return _captured_income(d)


def _france_named(d: Diagnostic, table: str, frame):
    """``frame`` with its France row named as the table's source names it (Filosofi's France
    is France métropolitaine: ``meta["france_labels"]``)."""
    name = d.cube.meta.get("france_labels", {}).get(table)
    if name is None or not len(frame):
        return frame
    frame = frame.copy()
    frame.loc[frame["role"] == "france", "label"] = name
    return frame


def _income_composition(d: Diagnostic) -> list:
    levels = _france_named(
        d, "income_composition", ind.income_composition_levels(d.cube, d.territory)
    )
    profile = ind.income_composition_profile(levels) if len(levels) else None
    out = [blocks.text(narrative.income_composition(levels, profile))]
    if len(levels):
        fig = figures.income_composition(levels, d.sources["income_composition"])
        out.append(
            d.prov.figure(fig, table="income_composition", function=ind.income_composition_levels)
        )
    return out


@needs("income_base")
def _captured_income(d: Diagnostic) -> list:
    t = d.territory
    income = ind.income_base_shares(d.cube.tables["income_base"])  # the label needs every zone
    model = ind.development_model(income, since=income["period"].min())
    sentence = narrative.development_model(
        blocks.row_of(model, t), blocks.rows_of(income, t, period=model["period"].max())
    )
    fig = figures.income_base(income, t.id, t.label, d.sources["income_base"])
    return [
        blocks.text(sentence),
        d.prov.figure(fig, table="income_base", function=ind.income_base_shares),
    ]


# --- 3. Cohésion sociale ---------------------------------------------------------------------


@section
@needs("income_poverty")
def poverty(d: Diagnostic) -> list:
    """Poverty rate and living standards (median, D1, D9), territory vs region vs France."""
    levels = _france_named(d, "income_poverty", ind.income_poverty_levels(d.cube, d.territory))
    out = [blocks.text(narrative.living_standards(levels))]
    if len(levels):
        fig = figures.poverty(levels, d.sources["income_poverty"])
        out.append(d.prov.figure(fig, table="income_poverty", function=ind.income_poverty_levels))
    return out


@section
@needs("unemployment_rate")
def unemployment(d: Diagnostic) -> list:
    """Unemployment rate since the crisis, its chart, and the labour-force reading."""
    series = ind.unemployment_rate_series(d.cube, d.territory)
    change = ind.unemployment_rate_change(d.cube, d.territory, d.crisis_start, _last_rate(series))
    out = [blocks.text(narrative.unemployment_rate(change))]
    if _drawn(series):
        fig = figures.unemployment_rate(series, d.sources["unemployment_rate"])
        out.append(
            d.prov.figure(fig, table="unemployment_rate", function=ind.unemployment_rate_series)
        )
    return [*out, *_labour_force(d)]


def _last_rate(series) -> str:
    return str(series.dropna(subset=["value"])["period"].max())


@needs("unemployment_rate", "employment", silent=True)
def _labour_force(d: Diagnostic) -> list:
    rates, jobs = (
        d.cube.rows("unemployment_rate", d.territory),
        d.cube.rows("employment", d.territory),
    )
    last = _last_rate(ind.unemployment_rate_series(d.cube, d.territory))
    flows = ind.labour_force_identity(rates, jobs, d.crisis_start, last)
    return [blocks.text(narrative.labour_force(flows, d.territory.id))]


@section
@needs("unemployment_rate", "geometry", silent=True)
def unemployment_map(d: Diagnostic) -> list:
    """Unemployment rate of every zone of the region and its neighbours; zones without a
    published rate are greyed, and a sentence names those of the territory."""
    t, rates = d.territory, ind.unemployment_rate_series(d.cube, None)
    shown = set(maps.shown_zones(d.cube.geometry, t)["zone"])
    values, period = maps.values_at(rates, shown)
    published = set(values.dropna().index)
    fig = maps.choropleth(
        d.cube.geometry,
        rates,
        t,
        "Taux de chômage localisé par zone d'emploi\n(en % de la population active)",
        d.sources["unemployment_rate"],
        legend="Taux de chômage",
    )
    out = [
        d.prov.figure(
            fig,
            table=["unemployment_rate", "geometry"],
            function=[ind.unemployment_rate_series, maps.choropleth],
        )
    ]
    missing = [zone for zone in t.zones if zone not in published]
    if missing:
        whole = len(missing) == len(t.zones)
        labels = blocks.zone_labels(d.cube)
        sentence = narrative.not_published_on_map(
            "le taux de chômage localisé",
            [t.label] if whole else [labels.get(zone, zone) for zone in missing],
            period,
            whole=whole,
            n_zones=len(t.zones),
            nowhere=bool(shown - set(t.zones)) and not published & shown,
        )
        out.insert(0, blocks.text(sentence))
    return out


# --- 4. Emploi salarié privé -------------------------------------------------------------------


@section
def long_run(d: Diagnostic) -> list:
    """Employment over the long run: private salaried employment (Urssaf, quarterly) from the
    long-run start to the eve of the crisis, and total employment at the place of work (INSEE
    Estimations d'emploi, yearly) over the whole series, each with its index chart, as the
    edition has them; the sentence that says no data are available when it has neither."""
    if not _has(d, "employment") and not _has(d, "employment_estel"):
        return [blocks.unavailable("employment")]
    return [*_private_long_run(d), *_total_long_run(d)]


@needs("employment", silent=True)
def _private_long_run(d: Diagnostic) -> list:
    """Private salaried employment from the long-run start to the eve of the crisis."""
    t, start = d.territory, d.long_run_start
    change = ind.employment_change(d.cube, t, start, d.crisis_start)
    index = ind.employment_index(d.cube, t, base=start, start=start)
    out = [blocks.text(narrative.employment_change(change))]
    if _drawn(index, "index"):
        fig = figures.employment_index(
            index, start, d.sources["employment"], crisis=(d.crisis_start, d.crisis_end)
        )
        out.append(d.prov.figure(fig, table="employment", function=ind.employment_index))
    return out


ESTEL_SCOPE = "emploi au 31 décembre, au lieu de travail, salarié et non salarié, public et privé"
"""What the Estimations d'emploi count, said under their sentences and charts."""


@needs("employment_estel", silent=True)
def _total_long_run(d: Diagnostic) -> list:
    """Total employment (salaried and non-salaried) over the whole Estel series, with the
    salaried and non-salaried changes, and its index base 100 in the first year."""
    t = d.territory
    total = ind.annual_employment_change(d.cube, t)
    salaried = ind.annual_employment_change(d.cube, t, measure="salaried")
    non_salaried = ind.annual_employment_change(d.cube, t, measure="non_salaried")
    index = ind.annual_employment_index(d.cube, t)
    source = d.sources["employment_estel"]
    fig = figures.annual_employment_index(
        index,
        f"{source}\n{ESTEL_SCOPE}",
        "Emploi total au lieu de travail (salarié et non salarié)",
    )
    sentence = narrative.annual_employment(total, salaried, non_salaried)
    return [
        blocks.text(f"{sentence} *({source} ; {ESTEL_SCOPE})*"),
        d.prov.figure(fig, table="employment_estel", function=ind.annual_employment_index),
    ]


@section
@needs("employment")
def crisis(d: Diagnostic) -> list:
    """Employment over the crisis window, read quarter by quarter."""
    t = d.territory
    change = ind.employment_change(d.cube, t, d.crisis_start, d.crisis_end)
    reading = ind.crisis_reading(d.cube, t, d.crisis_start, d.crisis_end, d.shock_quarters)
    quarters = ind.quarterly_changes(d.cube, t, d.crisis_start, d.crisis_end)
    series = d.cube.select("employment", t, sector="TOTAL", adjustment="cvs")
    band = _band(d, "l'emploi salarié privé", series)
    out = [
        blocks.text(narrative.employment_change(change, band=band.band)),
        blocks.text(narrative.crisis_reading(reading)),
    ]
    if _drawn(quarters, "change_pct"):
        fig = figures.quarterly_changes(quarters, d.sources["employment"])
        out.append(d.prov.figure(fig, table="employment", function=ind.quarterly_changes))
    return out


@section
def sectors(d: Diagnostic) -> list:
    """Sector structure, specificity against France (location quotients), specialisation
    indices, présentielle and productive spheres, shift-share and, for a zone, the similar zones.

    Read from the best sector table of the edition for the territory
    (:func:`bassin_lib.analysis.sector_frame`: the quarterly Urssaf sectors, else Urssaf
    commune × APE in NA38, else INSEE's Estimations d'emploi in A5); each sentence names that
    table's source, vintage and sector level, each chart also its scope and periods. The A5
    sectors cannot be split into spheres: the section says so. The shift-share runs from
    ``long_run_start`` to ``crisis_start`` on quarterly sectors (as the rest of the section),
    over the whole series on yearly ones.
    """
    data = ind.sector_frame(d.cube, d.territory)
    detail = _sector_detail(d) if data is None or data.table != "employment_ape" else []
    if data is None:
        return detail or [blocks.unavailable("employment_sectors")]
    t = d.territory
    local = _comparator_rows(data.frame, d)
    at_last = local[local["period"] == data.last]
    structure = ind.location_quotients(at_last)
    indices = ind.specialisation_indices(at_last)
    shift = ind.shift_share(local, *data.window(d.long_run_start, d.crisis_start))
    fig = figures.sector_structure(
        structure,
        t.id,
        t.label,
        data.labels,
        f"{data.source}\n{data.description}",
        subject=data.subject,
    )

    def cited(sentence: str):
        return blocks.text(f"{sentence} *({data.citation})*")

    if data.spheres:
        spheres = narrative.spheres(
            ind.sphere_shares(at_last), t.id, subject=data.subject, level=data.level
        )
    else:
        spheres = narrative.spheres_unavailable(data.level)
    out = [
        cited(narrative.specialisation(structure, t.id, data.labels, subject=data.subject)),
        cited(narrative.specialisation_indices(indices, t.id, subject=data.subject)),
        cited(spheres),
        cited(narrative.shift_share(shift, t.id, subject=data.subject)),
        d.prov.figure(fig, table=data.table, function=[ind.sector_frame, ind.location_quotients]),
    ]
    if t.kind == "zone":
        features = ind.structure_features(data.frame, data.last)
        similar = ind.similar_zones(features, t.id)
        sentence = narrative.similar_zones(
            similar, blocks.zone_labels(d.cube), data.labels, subject=data.subject
        )
        out.append(cited(sentence))
    return [*out, *detail]


TOP_SECTORS = 10
"""Sectors listed in the detailed structure of a territory (section 4)."""


@needs("employment_ape", silent=True)
def _sector_detail(d: Diagnostic) -> list:
    """The territory's largest sectors in NA38 from Urssaf's commune × APE file, when that file
    covers the territory but not enough of France to compare with it (the national file, when
    present, is read by :func:`sectors` itself)."""
    t = d.territory
    ape = d.cube.tables["employment_ape"]
    rows = ape[
        (ape["level"] == t.kind)
        & (ape["code"] == t.id)
        & (ape["nomenclature"] == "NA38")
        & (ape["measure"] == "employees")
    ]
    if rows.empty or rows["value"].isna().all():
        return []
    last = rows["period"].max()
    rows = rows[rows["period"] == last]
    shares = ind.sector_shares(rows.drop(columns=["nomenclature", "measure"]))
    top = shares.dropna(subset=["share"]).nlargest(TOP_SECTORS, "share")
    labels = d.cube.meta.get("sector_labels", {}).get("NA38", {})
    table = pd.DataFrame(
        {
            "Secteur (NA38)": [labels.get(code, code) for code in top["sector"]],
            f"Effectifs salariés fin {last.year}": [french.format_number(v) for v in top["value"]],
            "Part de l'emploi salarié privé": [
                french.format_percent(100 * v) for v in top["share"]
            ],
        }
    )
    sentence = narrative.sector_detail(t.label, len(top), last, bool(rows["lower_bound"].any()))
    return [blocks.text(f"{sentence} *({d.sources['employment_ape']})*"), blocks.table(table)]


def _comparator_rows(frame, d: Diagnostic):
    """The rows of ``frame`` (keyed by ``level, code``) of the territory, its region and
    France."""
    import pandas as pd

    t = d.territory
    keys = pd.MultiIndex.from_tuples(
        [(t.kind, t.id), ("region", t.region), ("france", FRANCE_CODE)]
    )
    pairs = pd.MultiIndex.from_arrays([frame["level"], frame["code"]])
    return frame[pairs.isin(keys)].reset_index(drop=True)


@section
def sector_stories(d: Diagnostic) -> list:
    """The analysts' sector stories (nothing when there are none)."""
    return [analysts.sector_stories(d.analyses)]


# --- 5. Demandeurs d'emploi ------------------------------------------------------------------


@section
def jobseekers(d: Diagnostic) -> list:
    """Job seekers: by zone and category (DARES, quarterly) when the edition has them; else by
    département and large commune (France Travail STMT, monthly); else the sentence that says
    no data are available."""
    if _has(d, "jobseekers"):
        return _jobseekers_by_zone(d)
    if _has(d, "jobseekers_local"):
        return _jobseekers_by_departement(d)
    return [blocks.unavailable("jobseekers")]


def _jobseekers_by_zone(d: Diagnostic) -> list:
    """Job seekers over the crisis window by category, and the reduced-activity shares."""
    change = ind.jobseekers_change(d.cube, d.territory, d.crisis_start, d.crisis_end)
    shares = ind.jobseeker_shares(d.cube.rows("jobseekers", d.territory))
    fig = figures.jobseekers_change(change, d.sources["jobseekers"])
    series = ind.jobseekers_series(d.cube, d.territory)
    bands = {
        category: _band(d, name, series[series["category"] == category]).band
        for category, name in (
            ("ABC", "les demandeurs d'emploi (A, B, C)"),
            ("A", "les demandeurs d'emploi de catégorie A"),
        )
    }
    return [
        blocks.text(narrative.jobseekers_change(change, bands)),
        d.prov.figure(fig, table="jobseekers", function=ind.jobseekers_change),
        blocks.text(narrative.jobseeker_shares(shares, d.territory.id)),
    ]


def _crisis_months(d: Diagnostic):
    """The crisis window in months of ``jobseekers_local``: the last month of ``crisis_start``
    (or the table's first month, if later) to the last month of ``crisis_end``; None when the
    table does not cover it."""
    import pandas as pd

    periods = d.cube.tables["jobseekers_local"]["period"]
    start = max(pd.Period(d.crisis_start, "Q").asfreq("M", "end"), periods.min())
    end = min(pd.Period(d.crisis_end, "Q").asfreq("M", "end"), periods.max())
    return (start, end) if start < end else None


def _jobseekers_by_departement(d: Diagnostic) -> list:
    """Job seekers of the départements the territory covers, against its region, over the last
    12 months and the crisis window, with the territory's large communes: the source publishes
    no zone (France Travail STMT, monthly)."""
    t = d.territory
    recent = ind.jobseekers_departements_change(d.cube, t)
    window = _crisis_months(d)
    crisis = ind.jobseekers_departements_change(d.cube, t, *window) if window else None
    series = ind.jobseekers_departements(d.cube, t, adjust=True)  # STMT counts are raw
    communes = ind.jobseekers_communes_change(d.cube, t)
    out = [blocks.text(narrative.jobseekers_departements(recent, crisis, t.departements, t.kind))]
    if series.loc[series["role"] == "departements", "value"].notna().any():
        fig = figures.jobseekers_departements(series, t.departements, d.sources["jobseekers_local"])
        out.append(
            d.prov.figure(fig, table="jobseekers_local", function=ind.jobseekers_departements)
        )
    line = narrative.jobseekers_communes(communes, t.kind)
    if line:
        out.append(blocks.text(line))
    return out


# --- 6. Intérim ----------------------------------------------------------------------------------


@section
def interim(d: Diagnostic) -> list:
    """Temporary work, from whichever datasets the edition holds: share of private employment,
    monthly year-on-year activity by sector and profile of the temporary workers (``interim``
    tables), and the share of the temporary-work agencies' employees in the Urssaf commune ×
    APE file; one sentence when it holds none of them."""
    out = [*_interim_share(d), *_interim_activity(d), *_interim_profile(d), *_interim_ape(d)]
    return out or [blocks.unavailable("interim")]


def _with_roles(d: Diagnostic, frame):
    """The rows of the territory, its region and France in a frame keyed by ``level, code``,
    with their ``role`` and ``label``."""
    roles = d.cube.comparators(d.territory)
    return roles.merge(frame, on=["level", "code"], how="inner")


@needs("interim_quarterly", "employment", silent=True)
def _interim_share(d: Diagnostic) -> list:
    share = ind.interim_share(
        d.cube.rows("interim_quarterly", d.territory), d.cube.rows("employment", d.territory)
    )
    rows = _with_roles(d, share)
    if not rows["share_pct"].notna().any():
        return [blocks.text(narrative.interim_share(rows))]
    fig = figures.interim_share(rows, d.sources["interim_quarterly"])
    return [
        blocks.text(narrative.interim_share(rows, since=d.crisis_start)),
        d.prov.figure(fig, table=["interim_quarterly", "employment"], function=ind.interim_share),
    ]


@needs("interim", silent=True)
def _interim_activity(d: Diagnostic) -> list:
    monthly = d.cube.rows("interim", d.territory)
    fte = monthly[monthly["measure"] == "fte"]
    activity = _with_roles(d, ind.interim_yoy(fte))
    # from January of the pre-crisis reference year: the crisis and what followed
    activity = activity[activity["period"].dt.year >= int(str(d.crisis_start)[:4])]
    if not activity["change_pct"].notna().any():
        return [blocks.text(narrative.interim_activity(activity))]
    last = fte.dropna(subset=["value"])["period"].max()
    mix = _with_roles(d, ind.interim_sector_mix(fte, (last - 1, last)))
    fig = figures.interim_activity(activity, d.sources["interim"])
    return [
        blocks.text(narrative.interim_activity(activity, mix)),
        d.prov.figure(fig, table="interim", function=ind.interim_yoy),
    ]


@needs("interim_profile", silent=True)
def _interim_profile(d: Diagnostic) -> list:
    profile = _with_roles(
        d, ind.interim_profile_shares(d.cube.rows("interim_profile", d.territory))
    )
    own = profile[(profile["role"] == "territory") & profile["share"].notna()]
    if own.empty:
        return [blocks.text(narrative.interim_profile(profile))]
    fig = figures.interim_profile(profile, d.territory.label, d.sources["interim_profile"])
    return [
        blocks.text(narrative.interim_profile(profile)),
        d.prov.figure(fig, table="interim_profile", function=ind.interim_profile_shares),
    ]


@needs("employment_ape", silent=True)
def _interim_ape(d: Diagnostic) -> list:
    # every zone: the file may cover other zones only, and then says so (the sentence)
    share = _with_roles(d, ind.interim_share_ape(d.cube.tables["employment_ape"]))
    levels = d.cube.meta.get("levels", {}).get("employment_ape", {})
    sentence = narrative.interim_ape(share, partial="france" in levels.get("not_covered", []))
    if not share["share_pct"].notna().any():
        return [blocks.text(sentence)]
    fig = figures.interim_share_ape(share, d.sources["employment_ape"])
    return [
        blocks.text(sentence),
        d.prov.figure(fig, table="employment_ape", function=ind.interim_share_ape),
    ]


# --- 7. Recrutement ------------------------------------------------------------------------------


@section
@needs("recruitment_bmo")
def recruitment(d: Diagnostic) -> list:
    """Recruitment projects and difficulties (BMO survey), and the occupations most sought."""
    t = d.territory
    hiring = ind.recruitment_summary(d.cube, t)
    note = d.cube.meta.get("notes", {}).get("recruitment_bmo")
    out = [blocks.text(narrative.recruitment(hiring, note))]
    occupations = ind.recruitment_by_occupation(d.cube, t)
    if len(occupations):
        year = hiring["period"].iloc[0].year
        fig = figures.recruitment_difficulty(
            occupations, year, t.label, d.sources["recruitment_bmo"]
        )
        out.append(
            d.prov.figure(fig, table="recruitment_bmo", function=ind.recruitment_by_occupation)
        )
    return out


# --- 8. Enjeux et préconisations, annex -----------------------------------------------------


@section
def stakes(d: Diagnostic) -> list:
    """Synthesis, quotes, stakes and recommendations written by the analysts."""
    return [analysts.stakes_section(d.analyses)]


def _band(d: Diagnostic, subject: str, series) -> ind.NoiseBand:
    """The territory's noise band for a change of ``series`` (rows of the territory and France
    by quarter) over the crisis window, estimated on the quarters up to ``crisis_start``
    (:func:`bassin_lib.analysis.differential_noise`); kept in ``d.bands`` for the appendix."""
    horizon = (pd.Period(d.crisis_end, "Q") - pd.Period(d.crisis_start, "Q")).n
    band = ind.differential_noise(series, horizon=horizon, before=d.crisis_start)
    d.bands[subject] = band
    return band


@section
def appendix(d: Diagnostic) -> list:
    """Sources with their vintages, data levels, the noise bands of the comparisons and the
    glossary of indicators."""
    bands = narrative.noise_bands(d.bands) if d.bands else None
    return [blocks.sources(d.cube), bands and blocks.text(bands), blocks.glossary()]


@section
def changes(d: Diagnostic) -> list:
    """« Ce qui a changé depuis l'édition … »: the territory's record in the edition compared
    with (``d.compare_to``) against this one's (:func:`record`), by
    :mod:`bassin_lib.rendering.changes`; nothing when the edition is compared with none.

    The qualifiers compared are those of the sections shown before this one (the notebook
    shows it after them all).
    """
    if not d.compare_to:
        return []
    folder = Path(d.compare_to)
    path = folder / d.territory.id / "indicators.json"
    previous = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    label = (previous or {}).get("edition") or folder.name
    found = edition_changes.compare(previous, record(d), previous_edition=label)
    return [blocks.text(edition_changes.block(found))]


def _series(d: Diagnostic) -> dict:
    """``{name: {period: value or None}}`` of the series :data:`changes.SERIES
    <bassin_lib.rendering.changes.SERIES>` declares, for the territory's own rows."""
    t, out = d.territory, {}
    for name, spec in edition_changes.SERIES.items():
        table = spec.table or name
        if not _has(d, table):
            continue
        rows = d.cube.rows(table, t)
        keep = (rows["level"] == t.kind) & (rows["code"] == t.id)
        for column, value in spec.rows:
            keep &= rows[column] == value
        rows = rows[keep].sort_values("period")
        out[name] = {
            str(period): None if pd.isna(value) else round(float(value), 6)
            for period, value in zip(rows["period"], rows["value"], strict=True)
        }
    return out


def record(d: Diagnostic) -> dict:
    """What ``indicators.json`` holds for the territory: the headline figures
    (:func:`bassin_lib.analysis.headlines.compute`, flat), then the edition, the data source,
    the territory's published series behind them (:func:`_series`), the qualifiers of the
    comparisons written so far (:func:`section`) and the declared checks that failed."""
    numbers = headlines.compute(d.cube, d.territory, d.crisis_start, d.crisis_end)
    return {
        **numbers,
        "edition": d.edition,
        "data_source": d.cube.meta.get("data_source"),
        "series": _series(d),
        "qualifiers": {name: words for name, words in d.qualifiers.items() if words},
        "checks_failed": [
            {"section": r.section, "check": r.name, "detail": blocks.check_detail(r)}
            for r in d.checks
            if not r.ok
        ],
    }


def save(d: Diagnostic, output_dir: str | Path | None) -> dict:
    """Compute the headline figures, record their provenance, and write ``indicators.json``
    (:func:`record`) and ``provenance.json`` into ``output_dir`` (nothing is written when it is
    None).

    Returns
    -------
    dict
        The record written (:func:`record`).
    """
    out = record(d)
    d.prov.headlines({k: v for k, v in out.items() if k not in headlines.RECORD})
    blocks.save_indicators(output_dir, out)
    d.prov.save(output_dir)
    return out
