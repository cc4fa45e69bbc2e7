"""Recruitment (France Travail BMO survey): hiring projects, shares judged difficult and seasonal.

BMO figures are published by BMO basin with many cells masked for statistical secrecy. They
reach zones through the commune-based crosswalk (an approximation, stated in the report); a
zone's figure is missing when any contributing cell is masked. Hence:

- the number of projects of a territory is the sum over its (zone, occupation) cells that are
  published: a **lower bound** as soon as one cell is masked (``lower_bound``);
- the shares judged difficult and seasonal are rebuilt from numerator and denominator over the
  cells whose number of projects is published: ``share = Σ difficult / Σ projects``, a masked
  numerator counting 0, so that the share is a **lower bound** when one is masked
  (``difficult_lower_bound``, ``seasonal_lower_bound``); ``share_difficult_max`` and
  ``share_seasonal_max`` count a masked numerator as all the cell's projects (upper bound).
  Keeping only the cells where both are published would bias the share upwards, since the survey
  masks small numerators.

The region and France are computed the same way from their zones.
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
from bassin_lib.inputs.territories import Territory

TABLE = "recruitment_bmo"


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


def _zone_cells(cube, year) -> tuple[pd.DataFrame, pd.Period]:
    """Zone × occupation cells of one survey year (checked; default the latest)."""
    data = cube_table(cube, TABLE)
    period = None if year is None else check_period(year, table_span(cube, TABLE), "year")
    data = data[data["level"] == "zone"]
    period = data["period"].max() if period is None else period
    cells = data[data["period"] == period].pivot_table(
        index=["code", "occupation"], columns="measure", values="value", dropna=False
    )
    return cells.reindex(columns=["projects", "difficult", "seasonal"]), period


def _summarise(cells: pd.DataFrame) -> dict:
    projects = cells["projects"]
    known = projects.notna() & (projects > 0)
    denominator = projects[known].sum()
    out = {
        "projects": float(projects.sum()) if projects.notna().any() else float("nan"),
        "n_cells": int(len(cells)),
        "n_masked": int(projects.isna().sum()),
        "lower_bound": bool(projects.isna().any()),
    }
    for measure in ("difficult", "seasonal"):
        numerator = cells.loc[known, measure]
        out[f"share_{measure}"] = (
            100 * numerator.fillna(0).sum() / denominator if denominator > 0 else float("nan")
        )
        out[f"{measure}_lower_bound"] = bool(numerator.isna().any())
        # upper bound: a masked numerator is at most the cell's projects
        ceiling = numerator.fillna(projects[known]).sum()
        out[f"share_{measure}_max"] = (
            100 * ceiling / denominator if denominator > 0 else float("nan")
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
        One row per role: ``role, label, period, projects`` (lower bound when cells are
        masked: ``lower_bound``), ``share_difficult, share_seasonal`` (%, lower bounds when
        ``difficult_lower_bound`` / ``seasonal_lower_bound``), ``share_difficult_max,
        share_seasonal_max`` (upper bounds), ``n_cells, n_masked``, ``approximate`` (true
        when the figures come through the basin → zone crosswalk).

    Raises
    ------
    ParameterError
        A territory that is None or not of this cube; a year that does not parse or is not
        within the years of the BMO table.

    Notes
    -----
    ``projects = Σ P_c`` over the published cells ``c`` of the territory's zones;
    ``share_difficult = 100 × Σ D_c / Σ P_c`` over the cells with ``P_c > 0``, a masked
    ``D_c`` counting 0 (lower bound) or ``P_c`` (``share_difficult_max``, upper bound); the
    same for the seasonal share (module docstring).
    """
    members = _members(cube, territory)
    cells, period = _zone_cells(cube, year)
    approximate = TABLE in cube.meta.get("approximate_tables", [])
    rows = []
    for role, (label, zones) in members.items():
        part = cells[cells.index.get_level_values("code").isin(zones)]
        rows.append(
            {
                "role": role,
                "label": label,
                "period": period,
                **_summarise(part),
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
    cells, _ = _zone_cells(cube, year)
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
