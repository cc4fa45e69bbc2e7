"""Helpers shared by indicator families."""

from __future__ import annotations

import re

import pandas as pd

from bassin_lib.errors import ParameterError

FLAGS = ["approximate", "lower_bound"]


_PERIOD_FORMATS = {
    "Q": (re.compile(r"^(\d{4})-?[QqTt]([1-4])$"), "a quarter such as '2019Q4' or '2019-T4'"),
    "Y": (re.compile(r"^(\d{4})$"), "a year such as '2019'"),
    "M": (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), "a month such as '2020-05'"),
}


def as_period(value, freq: str) -> pd.Period:
    """Parse a period written the usual ways into a Period of ``freq``, strictly.

    Parameters
    ----------
    value : str or Period
        ``"2019Q4"``, ``"2019-T4"``, ``"2019T4"`` (quarters); ``"2019"`` (years);
        ``"2020-05"`` (months); or a Period of the same frequency.
    freq : {"Q", "Y", "M"}
        Or a pandas frequency string starting with one of them (``"Q-DEC"``).

    Raises
    ------
    ParameterError
        For anything else: pandas alone would read ``"2019T4"`` as 2019Q2 and ``"2019"`` as
        2019Q1 without a word.
    """
    freq = {"A": "Y"}.get(freq[0].upper(), freq[0].upper())  # "Q-DEC" -> "Q", "A" -> "Y"
    if freq not in _PERIOD_FORMATS:
        raise ParameterError(f"frequency {freq!r}: allowed {list(_PERIOD_FORMATS)}")
    pattern, expected = _PERIOD_FORMATS[freq]
    if isinstance(value, pd.Period):
        if value.freqstr[0] != freq[0]:
            raise ParameterError(
                f"period {value} has frequency {value.freqstr}; expected {expected}"
            )
        return value
    match = pattern.match(str(value).strip()) if isinstance(value, str) else None
    if match is None:
        raise ParameterError(f"period {value!r} is not valid: expected {expected}")
    if freq == "Q":
        return pd.Period(year=int(match.group(1)), quarter=int(match.group(2)), freq="Q")
    return pd.Period(str(value).strip(), freq=freq)


def change_between(
    rows: pd.DataFrame, start: pd.Period, end: pd.Period, by: list[str]
) -> pd.DataFrame:
    """Absolute and relative change of ``value`` between two periods, for each ``by`` group.

    Returns
    -------
    DataFrame
        ``by`` columns, ``start``, ``end``, ``start_value``, ``end_value``, ``change``
        (end − start), ``change_pct`` (100 × change / start_value), ``approximate`` and
        ``lower_bound`` (true when either end is). Missing ends give missing changes.
    """
    keep = rows[rows["period"].isin([start, end])]
    wide = keep.set_index([*by, "period"])["value"].unstack("period")
    wide = wide.reindex(rows[by].drop_duplicates().set_index(by).index)
    flags = keep.groupby(by, sort=False)[FLAGS].any()
    out = pd.DataFrame(index=wide.index)
    out["start"] = start
    out["end"] = end
    out["start_value"] = wide.get(start, pd.Series(float("nan"), index=wide.index))
    out["end_value"] = wide.get(end, pd.Series(float("nan"), index=wide.index))
    out["change"] = out["end_value"] - out["start_value"]
    out["change_pct"] = 100.0 * out["change"] / out["start_value"]
    out = out.join(flags)
    return out.reset_index()


def select_rows(cube, table: str, territory, **filters) -> tuple[pd.DataFrame, list[str]]:
    """Rows of a cube table for one territory and its comparators, or for every geography.

    Parameters
    ----------
    territory : Territory or None
        ``None``: every geography of the cube at once (vectorised, for batches and
        benchmarks); rows are then keyed by ``level, code`` instead of ``role, label``.

    Returns
    -------
    rows : DataFrame
    keys : list of str
        ``["role", "label"]`` or ``["level", "code"]``.
    """
    if territory is not None:
        return cube.select(table, territory, **filters), ["role", "label"]
    data = cube.tables[table]
    mask = pd.Series(True, index=data.index)
    for column, value in filters.items():
        mask &= data[column] == value
    return data[mask], ["level", "code"]
