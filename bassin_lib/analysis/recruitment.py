"""Recruitment (France Travail BMO survey): hiring projects, shares judged difficult and seasonal.

BMO figures are published by BMO basin with many cells masked for statistical secrecy (fewer than
5 projects). They reach zones through the commune-based crosswalk (an approximation, stated in
the report). A territory's figures say what is published and how much may be hidden:

- ``projects``: the projects of its published (zone, occupation) cells; ``projects_masked_max``
  the most its masked cells can add, from the rows of occupation
  :data:`~bassin_lib.inputs.sources.francetravail_bmo.MASKED` the BMO reader adds (a masked
  figure is at most 4), and ``masked_share_max`` that bound as a share of the total;
- the shares judged difficult and seasonal over the published projects:
  ``share = Σ difficult / Σ projects``, a masked numerator counting 0 (``share_difficult``, the
  lower end), or the most it can be (``share_difficult_max``, the upper end). Keeping only the
  cells where both are published would bias the share upwards, since the survey masks small
  numerators: by 4 points for the difficult share of France in 2024, by 15 for the seasonal one.

A table without bounding rows (masked cells by zone, as in the demo) gives no bound on the
masked projects (``projects_masked_max`` NaN: the total is a minimum) and bounds a masked
numerator by the cell's projects.

The region and France are computed the same way from their zones (the survey publishes no
national total in its open data).
"""

from __future__ import annotations

import pandas as pd

from bassin_lib.analysis.common import (
    check_count,
    check_period,
    check_territory,
    cube_table,
    shared_doc,
    table_span,
)
from bassin_lib.inputs.sources.francetravail_bmo import MASKED
from bassin_lib.inputs.territories import Territory

TABLE = "recruitment_bmo"
MEASURES = ["projects", "difficult", "seasonal"]


def _members(cube, territory: Territory) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Label and member zones of the territory, its region and France (territory checked)."""
    check_territory(cube, territory, allow_none=False)
    zones = cube.referentiel.zones
    comparators = cube.comparators(territory).set_index("role")["label"]
    return {
        "territory": (comparators["territory"], territory.zones),
        "region": (
            comparators["region"],
            tuple(zones.loc[zones["region"] == territory.region, "zone"]),
        ),
        "france": (comparators["france"], tuple(zones["zone"])),
    }


def _zone_cells(cube, year) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.Period]:
    """Zone × occupation cells of one survey year (checked; default the latest), the bounds of
    the masked figures by zone (None when the table has none) and the year."""
    data = cube_table(cube, TABLE)
    period = None if year is None else check_period(year, table_span(cube, TABLE), "year")
    data = data[data["level"] == "zone"]
    period = data["period"].max() if period is None else period
    data = data[data["period"] == period]
    bounding = data["occupation"] == MASKED
    cells = (
        data[~bounding]
        .set_index(["code", "occupation", "measure"])["value"]
        .unstack("measure")
        .reindex(columns=MEASURES)
    )
    bounds = None
    if bounding.any():
        bounds = data[bounding].pivot(index="code", columns="measure", values="value")
        bounds = bounds.reindex(columns=MEASURES).fillna(0.0)
    return cells, bounds, period


def _summarise(cells: pd.DataFrame, bounds: pd.DataFrame | None) -> dict:
    projects = cells["projects"]
    known = projects.notna() & (projects > 0)
    denominator = projects[known].sum()
    n_masked = int(projects.isna().sum())
    if bounds is not None:
        hidden = {measure: float(bounds[measure].sum()) for measure in MEASURES}
    else:  # masked by zone: no bound on the projects, a numerator at most its cell
        hidden = {"projects": float("nan") if n_masked else 0.0}
        for measure in ("difficult", "seasonal"):
            hidden[measure] = float(projects[known & cells[measure].isna()].sum())
    total = float(projects.sum()) if projects.notna().any() else float("nan")
    out = {
        "projects": total,
        "projects_masked_max": hidden["projects"],
        "masked_share_max": (
            100 * hidden["projects"] / (total + hidden["projects"]) if total > 0 else float("nan")
        ),
        "n_cells": int(len(cells)),
        "n_masked": n_masked,
        "lower_bound": bool(hidden["projects"] != 0),  # NaN (unknown) too
    }
    for measure in ("difficult", "seasonal"):
        numerator = cells.loc[known, measure].fillna(0).sum()
        out[f"share_{measure}"] = 100 * numerator / denominator if denominator > 0 else float("nan")
        out[f"{measure}_lower_bound"] = hidden[measure] > 0
        out[f"share_{measure}_max"] = (
            min(100.0, 100 * (numerator + hidden[measure]) / denominator)
            if denominator > 0
            else float("nan")
        )
    return out


@shared_doc
def recruitment_summary(cube, territory: Territory, year: str | None = None) -> pd.DataFrame:
    """Hiring projects and the shares judged difficult and seasonal, territory vs region vs
    France, for one survey year.

    Parameters
    ----------
    {{cube_one_territory}}
    year : str or Period, optional
        A year of the BMO table; default: the latest.

    Returns
    -------
    DataFrame
        One row per role: ``role, label, period``; ``projects`` (published; a lower bound
        when cells are masked: ``lower_bound``), ``projects_masked_max`` (the most the masked
        cells can add; NaN when unknown, 0 when none is masked), ``masked_share_max`` (the
        same as a % of the total); ``share_difficult, share_seasonal`` (% of the published
        projects, masked numerators counted 0: lower ends when ``difficult_lower_bound`` /
        ``seasonal_lower_bound``), ``share_difficult_max, share_seasonal_max`` (upper ends);
        ``n_cells, n_masked`` (zone × occupation cells, and those whose projects are masked
        in full); ``approximate`` (true when the figures come through the basin → zone
        crosswalk).

    Raises
    ------
    ParameterError
        A territory that is None or not of this cube; a year that does not parse or is not
        within the years of the BMO table.

    Notes
    -----
    ``projects = Σ P_c`` over the published cells ``c`` of the territory's zones,
    ``projects_masked_max = Σ B_z`` over its zones (``B`` the bounding rows);
    ``share_difficult = 100 × Σ D_c / Σ P_c`` over the cells with ``P_c > 0``, a masked
    ``D_c`` counting 0, and ``share_difficult_max = 100 × (Σ D_c + Σ B^D_z) / Σ P_c``; the
    same for the seasonal share (module docstring).
    """
    members = _members(cube, territory)
    cells, bounds, period = _zone_cells(cube, year)
    approximate = TABLE in cube.meta.get("approximate_tables", [])
    rows = []
    for role, (label, zones) in members.items():
        part = cells[cells.index.get_level_values("code").isin(zones)]
        own_bounds = None if bounds is None else bounds[bounds.index.isin(zones)]
        rows.append(
            {
                "role": role,
                "label": label,
                "period": period,
                **_summarise(part, own_bounds),
                "approximate": approximate,
            }
        )
    return pd.DataFrame(rows)


@shared_doc
def recruitment_by_occupation(
    cube, territory: Territory, year: str | None = None, n: int = 8
) -> pd.DataFrame:
    """The territory's ``n`` occupations with most hiring projects, with the share judged
    difficult in the territory and in France.

    Parameters
    ----------
    {{cube_one_territory}}
    year : str or Period, optional
        A year of the BMO table; default: the latest.
    n : int, default 8
        Number of occupations, ≥ 1.

    Returns
    -------
    DataFrame
        ``occupation, occupation_label, projects, share_difficult, share_difficult_france``,
        sorted by projects, descending; occupations whose territory figure is masked are left
        out.

    Raises
    ------
    ParameterError
        As :func:`recruitment_summary`, or ``n`` not an integer ≥ 1.

    Notes
    -----
    Same rules as :func:`recruitment_summary`, by occupation:
    ``share_difficult = 100 × Σ D_c / Σ P_c`` over the published cells, a masked numerator
    counting 0, so that a share is a lower bound where cells are masked.
    """
    check_count(n, "n")
    members = _members(cube, territory)
    cells, _, _ = _zone_cells(cube, year)
    out = {}
    for role in ("territory", "france"):
        part = cells[cells.index.get_level_values("code").isin(members[role][1])]
        ok = part["projects"].notna() & (part["projects"] > 0)
        grouped = (
            part[ok]
            .fillna({"difficult": 0})
            .groupby(level="occupation")[["projects", "difficult"]]
            .sum()
        )
        grouped["share"] = 100 * grouped["difficult"] / grouped["projects"]
        masked = part["projects"].isna().groupby(level="occupation").any()
        out[role] = grouped.assign(masked=masked.reindex(grouped.index, fill_value=False))
    own = out["territory"][~out["territory"]["masked"]]
    top = own.sort_values("projects", ascending=False).head(n)
    labels = cube.meta.get("occupations", {})
    return pd.DataFrame(
        {
            "occupation": top.index,
            "occupation_label": [labels.get(code, code) for code in top.index],
            "projects": top["projects"].to_numpy(),
            "share_difficult": top["share"].to_numpy(),
            "share_difficult_france": out["france"]["share"].reindex(top.index).to_numpy(),
        }
    )
