"""Shift-share decomposition of employment change: national, sector-mix and local components.

A territory's employment change between two periods is split into what it would have been had the
territory grown at the reference's overall rate (*national* component), what its sector mix adds or
removes compared with the reference (*sector-mix* component, « effet de structure ») and what
remains, the territory's own performance within its sectors (*local* component, « effet local » or «
effet géographique »). Shift-share is an addition to the method of the source study: it says whether
a poor performance is structural or local.
Functions take the long ``employment`` frame (canonical table of :mod:`bassin_lib.inputs.schemas`,
filtered on one ``adjustment``) with columns ``level, code, period, sector, value`` for every
territory at once, and are vectorised (one dense territory × period × sector array, numpy
reductions; no loop over territories or periods). ``TOTAL`` rows are dropped.

Masked cells
------------
A sector enters a territory's decomposition only when it is observed (not NaN) for the
territory **and** the reference at every period used (both ends for :func:`shift_share`, every
step for :func:`dynamic_shift_share`) and the reference's start value is positive, so that
its reference growth rate exists. Any other sector is left out at **every** period, so that
``start_value``, ``end_value`` and the components cover the same sectors and still add up.
The boolean ``complete`` column is then false; ``n_sectors`` says how many sectors were kept.
A cell flagged ``lower_bound`` by the cube is kept but also makes ``complete`` false.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bassin_lib.analysis.common import (
    CHANGE_COLUMNS,
    check_bool,
    check_count,
    check_window,
    frame_span,
    shared_doc,
)
from bassin_lib.analysis.sectors import (
    DEFAULT_REFERENCE,
    _check_reference,
    _reference_mask,
    _sector_rows,
)
from bassin_lib.errors import ParameterError

COMPONENTS = ["national", "sector_mix", "local"]
COLUMNS = ["level", "code", *CHANGE_COLUMNS, *COMPONENTS, "n_sectors", "complete"]


def _window(rows, start, end, reference, step: int | None) -> pd.PeriodIndex:
    """Check the window and return its periods ``p_0 = start < … < p_n = end``.

    ``step=None`` gives the two ends only (classic shift-share); an int gives every ``step``-th
    period. Every period returned must be a period of the reference.
    """
    first, last = check_window(start, end, frame_span(rows, "employment frame"), strict=True)
    if step is None:
        grid = pd.PeriodIndex([first, last])
    else:
        check_count(step, "step")
        n_periods = len(pd.period_range(first, last, freq=first.freq)) - 1
        if n_periods % step:
            divisors = [d for d in range(1, n_periods + 1) if n_periods % d == 0]
            raise ParameterError(
                f"step {step} does not divide the {n_periods} periods from {first} to {last}; "
                f"allowed steps: {divisors}"
            )
        grid = pd.period_range(first, last, freq=first.freq)[::step]
    known = pd.PeriodIndex(rows.loc[_reference_mask(rows, reference), "period"].unique())
    absent = [str(p) for p in grid if p not in known]
    if absent:
        span = f"{known.min()} to {known.max()}"
        raise ParameterError(
            f"period(s) {absent} absent from the reference {reference!r}; "
            f"its periods run from {span}"
        )
    return grid


def _steps(rows: pd.DataFrame, grid: pd.PeriodIndex, reference) -> pd.DataFrame:
    """Decompose every step ``(p_{k-1}, p_k)`` of ``grid`` for every territory.

    The sector rows at the grid periods are laid out as a dense array territory × period ×
    sector (NaN where a cell is masked or absent); every sum is then a numpy reduction.

    Returns
    -------
    DataFrame
        One row per territory (every territory of ``rows``) and step, sorted by level, code
        and step: ``COLUMNS`` plus ``step`` (0, 1, ...).
    """
    level_ids, levels = pd.factorize(rows["level"])
    code_ids, codes = pd.factorize(rows["code"])
    territory_ids, pairs = pd.factorize(level_ids * len(codes) + code_ids)
    territory_level = np.asarray(levels)[pairs // len(codes)]
    territory_code = np.asarray(codes)[pairs % len(codes)]
    n_territories = len(pairs)
    sector_ids, sectors = pd.factorize(rows["sector"])
    position = grid.get_indexer(pd.PeriodIndex(rows["period"]))
    at = position >= 0
    shape = (n_territories, len(grid), len(sectors))
    values = np.full(shape, np.nan)
    values[territory_ids[at], position[at], sector_ids[at]] = rows["value"].to_numpy()[at]
    flags = np.zeros(shape, dtype=bool)
    flags[territory_ids[at], position[at], sector_ids[at]] = rows["partial"].to_numpy()[at]
    ref = np.flatnonzero((territory_level == reference[0]) & (territory_code == reference[1]))[0]

    e0, e1 = values[:, :-1, :], values[:, 1:, :]  # territory × step × sector
    r0, r1 = e0[ref], e1[ref]  # step × sector
    with np.errstate(divide="ignore", invalid="ignore"):
        usable = ~np.isnan(e0) & ~np.isnan(e1) & ~np.isnan(r0) & ~np.isnan(r1) & (r0 > 0)
        kept = usable.all(axis=1)  # territory × sector: the same sectors at every step
        mask = kept[:, None, :]
        # g_N of each step: the reference's total over the sectors it keeps
        ref_start = np.where(kept[ref], r0, 0.0).sum(axis=1)
        ref_end = np.where(kept[ref], r1, 0.0).sum(axis=1)
        national_growth = np.where(ref_start > 0, ref_end / ref_start - 1.0, np.nan)
        sector_growth = r1 / r0 - 1.0  # g_Ni, step × sector
        start_value = np.where(mask, e0, 0.0).sum(axis=2)
        end_value = np.where(mask, e1, 0.0).sum(axis=2)
        national = start_value * national_growth
        sector_mix = np.where(mask, e0 * (sector_growth - national_growth[:, None]), 0.0)
        local = np.where(mask, (e1 - e0) - e0 * sector_growth, 0.0)
    partial = mask & (flags[:, :-1, :] | flags[:, 1:, :] | flags[ref, :-1, :] | flags[ref, 1:, :])
    n_sectors = kept.sum(axis=1)
    n_steps = len(grid) - 1
    empty = np.repeat(n_sectors == 0, n_steps)
    step = np.tile(np.arange(n_steps), n_territories)
    out = pd.DataFrame(
        {
            "level": territory_level.repeat(n_steps),
            "code": territory_code.repeat(n_steps),
            "start": grid[step],
            "end": grid[step + 1],
            "start_value": start_value.ravel(),
            "end_value": end_value.ravel(),
            "national": national.ravel(),
            "sector_mix": sector_mix.sum(axis=2).ravel(),
            "local": local.sum(axis=2).ravel(),
            "n_sectors": n_sectors.repeat(n_steps),
            "complete": ((n_sectors == len(sectors))[:, None] & ~partial.any(axis=2)).ravel(),
            "step": step,
        }
    )
    out.loc[empty, ["start_value", "end_value", *COMPONENTS]] = np.nan
    out["change"] = out["end_value"] - out["start_value"]
    # The reference grows like itself: set its identity exactly rather than up to rounding.
    is_ref = np.repeat(np.arange(n_territories) == ref, n_steps) & ~empty
    out.loc[is_ref, "national"] = out.loc[is_ref, "change"]
    out.loc[is_ref, ["sector_mix", "local"]] = 0.0
    out = out.sort_values(["level", "code", "step"], kind="stable", ignore_index=True)
    return out[[*COLUMNS, "step"]]


@shared_doc
def shift_share(
    employment: pd.DataFrame,
    start,
    end,
    *,
    reference: tuple[str, str] = DEFAULT_REFERENCE,
) -> pd.DataFrame:
    """Classic shift-share decomposition of each territory's employment change.

    Parameters
    ----------
    {{employment_frame}}
    start, end : str or Period
        ``"2019Q4"`` or a Period of the frame's frequency; ``start`` must come before ``end``
        and both must be periods of the reference.
    reference : (level, code), default ("france", "FR")
        The benchmark whose growth rates are applied.

    Returns
    -------
    DataFrame
        One row per territory (the reference included), sorted: ``level, code, start, end,
        start_value, end_value, change, national, sector_mix, local, n_sectors, complete``.
        ``start_value`` and ``end_value`` sum the kept sectors (module docstring);
        ``change = end_value − start_value = national + sector_mix + local``.

    Raises
    ------
    ParameterError
        Unparsable period, ``start`` not before ``end``, a period absent from the reference,
        unknown reference, or a bad employment frame.

    Notes
    -----
    With ``E_i0``, ``E_i1`` the territory's jobs in sector ``i`` at start and end,
    ``g_Ni = N_i1 / N_i0 − 1`` the reference's growth in sector ``i`` and
    ``g_N = Σ N_i1 / Σ N_i0 − 1`` the reference's overall growth:

    - ``national = E_0 × g_N`` with ``E_0 = Σ_i E_i0``;
    - ``sector_mix = Σ_i E_i0 × (g_Ni − g_N)``;
    - ``local = Σ_i E_i0 × (g_i − g_Ni) = Σ_i [(E_i1 − E_i0) − E_i0 × g_Ni]`` (the second form
      also holds when ``E_i0 = 0``).

    The three add up to ``Σ_i (E_i1 − E_i0) = change`` exactly (up to floating-point
    rounding). Sums over ``i`` run over the kept sectors; ``g_N`` over the sectors the
    reference keeps. For the reference itself ``national = change`` and ``sector_mix`` and
    ``local`` are 0 (set exactly, not left to rounding). When the reference is the sum of the
    zones, the sector-mix and local components of the zones sum to 0.

    Examples
    --------
    >>> cvs = cube.tables["employment"].query("adjustment == 'cvs'")
    >>> shift_share(cvs, "2019Q4", "2020Q4").query("level == 'zone'")
    """
    rows = _sector_rows(employment)
    reference = _check_reference(rows, reference)
    grid = _window(rows, start, end, reference, None)
    return _steps(rows, grid, reference).drop(columns="step")


@shared_doc
def dynamic_shift_share(
    employment: pd.DataFrame,
    start,
    end,
    *,
    reference: tuple[str, str] = DEFAULT_REFERENCE,
    step: int = 1,
    by_step: bool = False,
) -> pd.DataFrame:
    """Dynamic shift-share: the classic decomposition step by step, then summed.

    Parameters
    ----------
    {{employment_frame}}
    start, end : str or Period
        ``"2019Q4"`` or a Period of the frame's frequency; ``start`` must come before ``end``.
    reference : (level, code), default ("france", "FR")
        The benchmark whose growth rates are applied.
    step : int, default 1
        Number of periods per step: 1 for quarter by quarter on quarterly data, 4 for year on
        year. It must divide the number of periods between ``start`` and ``end``, and every
        step end must be a period of the reference.
    by_step : bool, default False
        When true, return one row per territory and step instead of the sums.

    Returns
    -------
    DataFrame
        Same columns as :func:`shift_share`. Summed (default): one row per territory with
        ``start``/``end`` the whole window, ``start_value`` at ``start``, ``end_value`` at
        ``end`` and each component summed over the steps. With ``by_step=True``: one row per
        territory and step, ``start``/``end`` the step's periods, sorted by territory and step.

    Raises
    ------
    ParameterError
        As :func:`shift_share`, plus a ``step`` that is not a whole number >= 1 or does not
        divide the window.

    Notes
    -----
    For each step ``k`` from ``p_{k−1}`` to ``p_k`` the classic decomposition
    (:func:`shift_share`) is computed with the growth rates of that step:
    ``national_k = E_{k−1} × g_N,k``, ``sector_mix_k = Σ_i E_i,k−1 × (g_Ni,k − g_N,k)``,
    ``local_k = Σ_i [(E_i,k − E_i,k−1) − E_i,k−1 × g_Ni,k]``. The totals are
    ``Σ_k national_k`` etc. Since every step uses the same kept sectors (module docstring),
    the step changes telescope: ``Σ_k (E_k − E_{k−1}) = E_end − E_start``, so the summed
    components add up to ``change`` exactly (up to floating-point rounding). The dynamic
    version follows the sector structure as it changes, whereas the classic one weights the
    whole window with the start structure (Barff and Knight, 1988).
    """
    rows = _sector_rows(employment)
    reference = _check_reference(rows, reference)
    check_bool(by_step, "by_step")
    grid = _window(rows, start, end, reference, step)
    steps = _steps(rows, grid, reference)
    if by_step:
        return steps.drop(columns="step")
    grouped = steps.groupby(["level", "code"], sort=True, observed=True)
    out = grouped[COMPONENTS].sum(min_count=1)
    first = steps[steps["step"] == 0].set_index(["level", "code"])
    last = steps[steps["step"] == len(grid) - 2].set_index(["level", "code"])
    out["start_value"] = first["start_value"]
    out["end_value"] = last["end_value"]
    out["n_sectors"] = grouped["n_sectors"].min()
    out["complete"] = grouped["complete"].all()
    out = out.reset_index()
    out["change"] = out["end_value"] - out["start_value"]
    out["start"] = grid[0]
    out["end"] = grid[-1]
    return out[COLUMNS]
