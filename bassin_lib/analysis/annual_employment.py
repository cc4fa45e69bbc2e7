"""Employment at 31 December at the place of work (INSEE Estel): index and change over years.

Every function reads the cube's ``employment_estel`` table (yearly, by ``measure`` and
``sector``) for one territory and its comparators, or for every geography at once with
``territory=None``. The table counts salaried jobs (public and private) and non-salaried jobs;
its France is the sum of the zones, France without Mayotte, and its regions are exact (see
:mod:`bassin_lib.inputs.sources.insee_estel`). The France row is labelled as the cube's
``meta["france_labels"]["employment_estel"]`` says, when it says.
"""

from __future__ import annotations

import pandas as pd

from bassin_lib.analysis.common import (
    FLAGS,
    check_choice,
    check_period,
    check_window,
    cube_change,
    select_rows,
    shared_doc,
    table_span,
)
from bassin_lib.errors import ParameterError
from bassin_lib.inputs.territories import Territory

TABLE = "employment_estel"
MEASURES = ("total", "salaried", "non_salaried")
TOTAL_SECTOR = "TOTAL"


def _check_measure(measure: str, sector: str) -> None:
    check_choice(measure, "measure", MEASURES)
    if measure != "salaried" and sector != TOTAL_SECTOR:
        raise ParameterError(
            f"sector {sector!r} is not allowed with measure {measure!r}: only salaried "
            "employment is given by sector; use sector 'TOTAL'"
        )


def _france_label(cube, rows: pd.DataFrame) -> pd.DataFrame:
    """Name the France row as the cube's ``meta["france_labels"]`` says (France hors Mayotte)."""
    label = cube.meta.get("france_labels", {}).get(TABLE)
    if label is None or "role" not in rows.columns:
        return rows
    return rows.assign(label=rows["label"].where(rows["role"] != "france", label))


@shared_doc
def annual_employment_index(
    cube,
    territory: Territory | None,
    base: str | None = None,
    measure: str = "total",
    sector: str = "TOTAL",
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """Employment at 31 December as an index, base 100 in ``base``, territory vs region vs
    France.

    Parameters
    ----------
    {{cube_territory}}
    base : str or Period, optional
        Year equal to 100 (``"1998"``); default the first year of the table.
    measure : {"total", "salaried", "non_salaried"}, default "total"
        Total employment, salaried jobs (public and private) or non-salaried jobs.
    sector : str, default "TOTAL"
        An A5 sector (``"BE"``: industry...) for salaried jobs; ``"TOTAL"`` otherwise.
    start, end : str or Period, optional
        First and last years returned (default: the whole series).

    Returns
    -------
    DataFrame
        ``role, label, period, value, index, approximate, lower_bound`` from ``start`` to
        ``end`` (``level, code`` instead of ``role, label`` with ``territory=None``). The
        index is missing where the base or the year is.

    Raises
    ------
    ParameterError
        A territory not of this cube, an unknown measure or sector, a sector other than
        ``"TOTAL"`` with non-salaried or total employment, a year that does not parse or lies
        outside the table, ``start`` after ``end``.

    Notes
    -----
    ``index_t = 100 × E_t / E_base``.

    Examples
    --------
    >>> annual_employment_index(cube, cube.territory("2705"), base="1998")  # doctest: +SKIP
    """
    _check_measure(measure, sector)
    span = table_span(cube, TABLE)
    base_period = span.first if base is None else check_period(base, span, "base")
    first, last = check_window(start, end, span, optional=True)
    rows, keys = select_rows(cube, TABLE, territory, measure=measure, sector=sector)
    rows = rows[[*keys, "period", "value", *FLAGS]]
    base_values = rows[rows["period"] == base_period].set_index(keys)["value"].rename("_base")
    rows = rows.join(base_values, on=keys)
    rows = rows.assign(index=100.0 * rows["value"] / rows["_base"]).drop(columns="_base")
    if first is not None:
        rows = rows[rows["period"] >= first]
    if last is not None:
        rows = rows[rows["period"] <= last]
    return _france_label(cube, rows.reset_index(drop=True))


@shared_doc
def annual_employment_change(
    cube,
    territory: Territory | None,
    start: str | None = None,
    end: str | None = None,
    measure: str = "total",
    sector: str = "TOTAL",
) -> pd.DataFrame:
    """Change in employment at 31 December between two years, territory vs region vs France.

    Parameters
    ----------
    {{cube_territory}}
    start, end : str or Period, optional
        Years of the table, ``start`` not after ``end``; default its first and last years.
    measure : {"total", "salaried", "non_salaried"}, default "total"
        As in :func:`annual_employment_index`.
    sector : str, default "TOTAL"
        As in :func:`annual_employment_index`.

    Returns
    -------
    {{change_rows}}

    Raises
    ------
    ParameterError
        As :func:`annual_employment_index`.

    Notes
    -----
    ``change = E_end − E_start``; ``change_pct = 100 × change / E_start``.

    Examples
    --------
    >>> annual_employment_change(cube, cube.territory("2705"), "2007", "2018")  # doctest: +SKIP
    """
    _check_measure(measure, sector)
    span = table_span(cube, TABLE)
    start = span.first if start is None else start
    end = span.last if end is None else end
    out = cube_change(cube, TABLE, territory, start, end, measure=measure, sector=sector)
    return _france_label(cube, out)
