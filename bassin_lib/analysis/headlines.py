"""Headline figures of a territory: the few numbers of ``indicators.json``.

Which figures are headlines, their French titles and how they are shown is declared once, on
their entry of the registry (:class:`bassin_lib.analysis.registry.Headline`); this module
holds the function that computes each of them from the cube. Adding a headline figure is one
registry entry with its ``headline`` plus one function here: ``indicators.json``,
``provenance.json``, the index table and the index map follow.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bassin_lib.analysis.employment import employment_change
from bassin_lib.analysis.living_standards import income_poverty_levels
from bassin_lib.analysis.registry import HEADLINES
from bassin_lib.analysis.unemployment import unemployment_rate_series
from bassin_lib.inputs.cube import Cube
from bassin_lib.inputs.territories import Territory

CONTEXT = ("territory", "label")
"""Keys of ``indicators.json`` that identify the territory (the others are figures and their
periods)."""
RECORD = ("edition", "data_source", "series", "qualifiers", "checks_failed")
"""Keys of ``indicators.json`` beyond the territory and its headline figures: the edition,
the data source, the published series behind the headlines, the qualifiers of the comparisons
and the failed checks (:func:`bassin_lib.rendering.sections.record`), read by the next edition's
comparison."""


@dataclass(frozen=True)
class Window:
    """The notebook's parameters that a headline figure may depend on.

    Attributes
    ----------
    crisis_start, crisis_end : str
        Quarters bounding the crisis window (``"2019Q4"``, ``"2020Q4"``).
    """

    crisis_start: str = "2019Q4"
    crisis_end: str = "2020Q4"


def _available(cube: Cube, table: str) -> bool:
    return table in cube.tables and not cube.tables[table].empty


def _own(frame: pd.DataFrame, column: str) -> float | None:
    """The territory's value of ``column`` rounded to 3 decimals (None when missing)."""
    rows = frame[frame["role"] == "territory"]
    value = rows[column].iloc[0] if len(rows) else float("nan")
    return None if pd.isna(value) else round(float(value), 3)


def employment_change_pct(cube: Cube, territory: Territory, window: Window):
    """Change of private salaried employment over the crisis window, in %.

    Returns
    -------
    tuple
        ``(change_pct or None, "2019Q4-2020Q4")``; the window is given even when the figure is
        missing, so that the index can name it.

    Notes
    -----
    ``100 × (E_end − E_start) / E_start`` (:func:`bassin_lib.analysis.employment_change`).
    """
    period = f"{window.crisis_start}-{window.crisis_end}"
    if not _available(cube, "employment"):
        return None, period
    frame = employment_change(cube, territory, window.crisis_start, window.crisis_end)
    return _own(frame, "change_pct"), period


def latest_unemployment_rate(cube: Cube, territory: Territory, window: Window):
    """The territory's latest published unemployment rate (%) and its quarter.

    Returns
    -------
    tuple
        ``(rate, "2023Q2")``, or ``(None, None)`` when the territory has no rate.
    """
    if not _available(cube, "unemployment_rate"):
        return None, None
    rates = unemployment_rate_series(cube, territory).dropna(subset=["value"])
    rates = rates[rates["role"] == "territory"]
    if rates.empty:
        return None, None
    return float(rates["value"].iloc[-1]), str(rates["period"].iloc[-1])


def poverty_rate(cube: Cube, territory: Territory, window: Window):
    """The territory's poverty rate (%, threshold 60 % of the national median), latest year.

    Returns
    -------
    tuple
        ``(rate or None, year or None)``.
    """
    if not _available(cube, "income_poverty"):
        return None, None
    levels = income_poverty_levels(cube, territory)
    if levels.empty:
        return None, None
    return _own(levels, "poverty_rate"), str(levels["period"].iloc[0])


def compute(
    cube: Cube, territory: Territory, crisis_start: str = "2019Q4", crisis_end: str = "2020Q4"
) -> dict:
    """Every headline figure of ``territory``: the content of ``indicators.json``.

    Parameters
    ----------
    cube : Cube
    territory : Territory
    crisis_start, crisis_end : str
        The notebook's crisis window (quarters such as ``"2019Q4"``).

    Returns
    -------
    dict
        ``territory`` and ``label``, then for each headline of the registry, in registry
        order, its ``key`` (a float, or None when the data are missing) and, when it declares
        one, its ``period_key`` (a string or None).
    """
    window = Window(crisis_start, crisis_end)
    out: dict = {"territory": territory.id, "label": territory.label}
    for entry in HEADLINES:
        spec = entry.headline
        value, period = globals()[spec.compute](cube, territory, window)
        out[spec.key] = value
        if spec.period_key:
            out[spec.period_key] = period
    return out


def context_keys() -> tuple[str, ...]:
    """Keys of :func:`compute` that are not figures: the territory and the periods."""
    return CONTEXT + tuple(e.headline.period_key for e in HEADLINES if e.headline.period_key)
