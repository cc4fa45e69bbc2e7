"""The sections of a diagnostic, one function each, as the notebook calls them.

The notebook is the report's outline: a heading, then ``show(sections.poverty(d))``. Each
function here takes the :class:`Diagnostic` opened by the setup cell and returns the list of
what the section shows (Markdown blocks and figures, in order). A section whose dataset is
absent from the edition returns the one sentence that says so (:func:`needs`); none of them
changes the diagnostic, so that any cell re-runs, in any order, after the setup cell.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bassin_lib import analysis as ind
from bassin_lib.analysis import headlines
from bassin_lib.inputs.cube import Cube
from bassin_lib.inputs.datasets import open_cube
from bassin_lib.inputs.territories import Territory
from bassin_lib.rendering import analysts, blocks, figures, maps, narrative, provenance


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
    sources: dict = field(init=False)

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
    )


def show(items) -> None:
    """Display the items of a section in order (None items are skipped)."""
    from IPython.display import display

    for item in items:
        if item is not None:
            display(item)


def _has(d: Diagnostic, table: str) -> bool:
    if table == "geometry":
        return d.cube.geometry is not None
    return blocks.available(d.cube, table)


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


# --- title and 1. Identité du territoire et méthode --------------------------------------


def title(d: Diagnostic) -> list:
    """Title, edition and, for synthetic data, the notice that the data are fictitious."""
    return [blocks.title_block(d.cube, d.territory, d.edition)]


def identity(d: Diagnostic) -> list:
    """Identity card and the location map of the territory in its region."""
    return [blocks.identity(d.cube, d.territory), *_location_map(d)]


@needs("geometry")
def _location_map(d: Diagnostic) -> list:
    fig = maps.territory_in_region(d.cube.geometry, d.territory, d.cube.meta["zoning"])
    return [d.prov.figure(fig, table="geometry", function=maps.territory_in_region)]


@needs("population", silent=True)
def population(d: Diagnostic) -> list:
    """Population growth over ten years and density."""
    people = d.cube.tables["population"]
    last_year = people.dropna(subset=["value"])["period"].max().year
    growth = ind.population_growth(people, str(last_year - 10), str(last_year))
    density = ind.population_density(people, d.cube.tables["area"]) if _has(d, "area") else None
    return [blocks.text(narrative.population(growth, density, d.territory.id))]


def method(d: Diagnostic) -> list:
    """The analysts' interview log and method."""
    return [analysts.method(d.analyses)]


# --- 2. Modèle de développement ------------------------------------------------------------


@needs("income_base")
def development_model(d: Diagnostic) -> list:
    """Composition of the captured income and the development-model label."""
    t = d.territory
    income = ind.income_base_shares(d.cube.tables["income_base"])
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


@needs("income_poverty")
def poverty(d: Diagnostic) -> list:
    """Poverty rate and living standards, territory vs region vs France."""
    levels = ind.income_poverty_levels(d.cube, d.territory)
    out = [blocks.text(narrative.poverty(levels))]
    if len(levels):
        fig = figures.poverty(levels, d.sources["income_poverty"])
        out.append(d.prov.figure(fig, table="income_poverty", function=ind.income_poverty_levels))
    return out


@needs("unemployment_rate")
def unemployment(d: Diagnostic) -> list:
    """Unemployment rate since the crisis, its chart, and the labour-force reading."""
    series = ind.unemployment_rate_series(d.cube, d.territory)
    change = ind.unemployment_rate_change(d.cube, d.territory, d.crisis_start, _last_rate(series))
    fig = figures.unemployment_rate(series, d.sources["unemployment_rate"])
    return [
        blocks.text(narrative.unemployment_rate(change)),
        d.prov.figure(fig, table="unemployment_rate", function=ind.unemployment_rate_series),
        *_labour_force(d),
    ]


def _last_rate(series) -> str:
    return str(series.dropna(subset=["value"])["period"].max())


@needs("unemployment_rate", "employment", silent=True)
def _labour_force(d: Diagnostic) -> list:
    rates = d.cube.tables["unemployment_rate"]
    last = _last_rate(ind.unemployment_rate_series(d.cube, d.territory))
    flows = ind.labour_force_identity(rates, d.cube.tables["employment"], d.crisis_start, last)
    return [blocks.text(narrative.labour_force(flows, d.territory.id))]


@needs("unemployment_rate", "geometry", silent=True)
def unemployment_map(d: Diagnostic) -> list:
    """Unemployment rate of every zone of the region and its neighbours."""
    fig = maps.choropleth(
        d.cube.geometry,
        ind.unemployment_rate_series(d.cube, None),
        d.territory,
        "Taux de chômage localisé par zone d'emploi\n(en % de la population active)",
        d.sources["unemployment_rate"],
        legend="Taux de chômage",
    )
    return [
        d.prov.figure(
            fig,
            table=["unemployment_rate", "geometry"],
            function=[ind.unemployment_rate_series, maps.choropleth],
        )
    ]


# --- 4. Emploi salarié privé -------------------------------------------------------------------


@needs("employment")
def long_run(d: Diagnostic) -> list:
    """Employment from the long-run start to the eve of the crisis, and its index."""
    t, start = d.territory, d.long_run_start
    change = ind.employment_change(d.cube, t, start, d.crisis_start)
    index = ind.employment_index(d.cube, t, base=start, start=start)
    fig = figures.employment_index(
        index, start, d.sources["employment"], crisis=(d.crisis_start, d.crisis_end)
    )
    return [
        blocks.text(narrative.employment_change(change)),
        d.prov.figure(fig, table="employment", function=ind.employment_index),
    ]


@needs("employment")
def crisis(d: Diagnostic) -> list:
    """Employment over the crisis window, read quarter by quarter."""
    t = d.territory
    change = ind.employment_change(d.cube, t, d.crisis_start, d.crisis_end)
    reading = ind.crisis_reading(d.cube, t, d.crisis_start, d.crisis_end, d.shock_quarters)
    quarters = ind.quarterly_changes(d.cube, t, d.crisis_start, d.crisis_end)
    fig = figures.quarterly_changes(quarters, d.sources["employment"])
    return [
        blocks.text(narrative.employment_change(change)),
        blocks.text(narrative.crisis_reading(reading)),
        d.prov.figure(fig, table="employment", function=ind.quarterly_changes),
    ]


def sectors(d: Diagnostic) -> list:
    """Sector structure, specialisation, shift-share and, for a zone, the similar zones."""
    rows = (
        d.cube.select("employment", d.territory, adjustment="cvs")
        if _has(d, "employment")
        else None
    )
    if rows is None or not (rows["sector"] != "TOTAL").any():
        return [blocks.unavailable("employment_sectors")]
    t, labels = d.territory, d.cube.meta.get("sectors", {})
    structure = ind.location_quotients(rows[rows["period"] == rows["period"].max()])
    shift = ind.shift_share(rows, d.long_run_start, d.crisis_start)
    fig = figures.sector_structure(structure, t.id, t.label, labels, d.sources["employment"])
    out = [
        blocks.text(narrative.specialisation(structure, t.id, labels)),
        blocks.text(narrative.shift_share(shift, t.id)),
        d.prov.figure(fig, table="employment", function=ind.location_quotients),
    ]
    if t.kind == "zone":
        employment = d.cube.tables["employment"]
        features = ind.structure_features(employment[employment["adjustment"] == "cvs"])
        similar = ind.similar_zones(features, t.id)
        out.append(
            blocks.text(narrative.similar_zones(similar, blocks.zone_labels(d.cube), labels))
        )
    return out


def sector_stories(d: Diagnostic) -> list:
    """The analysts' sector stories (nothing when there are none)."""
    return [analysts.sector_stories(d.analyses)]


# --- 5. Demandeurs d'emploi ------------------------------------------------------------------


@needs("jobseekers")
def jobseekers(d: Diagnostic) -> list:
    """Job seekers over the crisis window by category, and the reduced-activity shares."""
    change = ind.jobseekers_change(d.cube, d.territory, d.crisis_start, d.crisis_end)
    shares = ind.jobseeker_shares(d.cube.tables["jobseekers"])
    fig = figures.jobseekers_change(change, d.sources["jobseekers"])
    return [
        blocks.text(narrative.jobseekers_change(change)),
        d.prov.figure(fig, table="jobseekers", function=ind.jobseekers_change),
        blocks.text(narrative.jobseeker_shares(shares, d.territory.id)),
    ]


# --- 6. Intérim ----------------------------------------------------------------------------------


@needs("interim_quarterly", "employment")
def interim(d: Diagnostic) -> list:
    """Share of temporary work in employment."""
    share = ind.interim_share(d.cube.tables["interim_quarterly"], d.cube.tables["employment"])
    return [blocks.table(blocks.rows_of(share, d.territory))]


# --- 7. Recrutement ------------------------------------------------------------------------------


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


def stakes(d: Diagnostic) -> list:
    """Synthesis, quotes, stakes and recommendations written by the analysts."""
    return [analysts.stakes_section(d.analyses)]


def appendix(d: Diagnostic) -> list:
    """Sources with their vintages, data levels and the glossary of indicators."""
    return [blocks.sources(d.cube), blocks.glossary()]


def save(d: Diagnostic, output_dir: str | Path | None) -> dict:
    """Compute the headline figures, record their provenance, and write ``indicators.json``
    and ``provenance.json`` into ``output_dir`` (nothing is written when it is None).

    Returns
    -------
    dict
        The headline figures (:func:`bassin_lib.analysis.headlines.compute`).
    """
    numbers = headlines.compute(d.cube, d.territory, d.crisis_start, d.crisis_end)
    d.prov.headlines(numbers)
    blocks.save_indicators(output_dir, numbers)
    d.prov.save(output_dir)
    return numbers
