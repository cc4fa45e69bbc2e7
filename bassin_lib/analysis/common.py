"""Helpers shared by indicator families."""

from __future__ import annotations

import re

import numpy as np
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


# Helpers shared by the vectorised families (interim, territory, income base).


def check_choice(value, name: str, allowed) -> None:
    """Refuse ``value`` unless it is one of ``allowed``, naming both."""
    if not isinstance(value, str) or value not in allowed:
        raise ParameterError(f"{name} {value!r} is not allowed: choose one of {list(allowed)}")


def long_rows(
    frame: pd.DataFrame,
    name: str,
    required: list[str],
    *,
    freqs: str | None = None,
) -> pd.DataFrame:
    """Check a long frame and return its ``required`` columns plus the boolean ``FLAGS``.

    Parameters
    ----------
    frame : DataFrame
    name : str
        Name of the argument, used in the messages.
    required : list of str
        Columns that must be present; every column but ``value`` is a key, and a key
        combination may appear once only.
    freqs : str, optional
        Allowed first letters of the period frequency (``"MQ"``, ``"Y"``…).

    Returns
    -------
    DataFrame
        ``required`` columns (``value`` as float), ``approximate`` and ``lower_bound`` (bool,
        false when the input lacks them), with a fresh 0..n−1 index, in input order.

    Raises
    ------
    ParameterError
        Not a frame, a missing column, periods that are not pandas Periods or of a frequency
        outside ``freqs``, a non-numeric value or a duplicated key.
    """
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(
            f"{name} must be a DataFrame, not {type(frame).__name__}; required columns: {required}"
        )
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"{name} frame lacks column(s) {missing}; required columns: {required}"
        )
    if not isinstance(frame["period"].dtype, pd.PeriodDtype):
        raise ParameterError(
            f"{name} 'period' column has dtype {frame['period'].dtype}; "
            "expected pandas Periods (e.g. period[Q-DEC])"
        )
    freq = frequency(frame)
    if freqs is not None and freq not in freqs:
        allowed = {"M": "monthly", "Q": "quarterly", "Y": "yearly"}
        raise ParameterError(
            f"{name} periods are {frame['period'].array.freqstr}; expected "
            + " or ".join(allowed[f] for f in freqs)
            + " periods"
        )
    try:
        values = pd.to_numeric(frame["value"], errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} 'value' column is not numeric: {exc}") from None
    out = frame[[c for c in required if c != "value"]].reset_index(drop=True)
    out["value"] = values
    for flag in FLAGS:
        out[flag] = (
            frame[flag].fillna(False).to_numpy(dtype=bool)
            if flag in frame.columns
            else np.zeros(len(out), dtype=bool)
        )
    keys = [c for c in required if c != "value"]
    duplicated = out.duplicated(keys)
    if duplicated.any():
        first = out.loc[duplicated, keys].iloc[0].tolist()
        raise ParameterError(
            f"{name} frame has {int(duplicated.sum())} duplicated {tuple(keys)} row(s), "
            f"first {first}; one row per cell is expected"
        )
    return out


def frequency(frame: pd.DataFrame) -> str:
    """First letter of the frame's period frequency: ``"M"``, ``"Q"`` or ``"Y"``."""
    letter = frame["period"].array.freqstr[0]
    return {"A": "Y"}.get(letter, letter)


def parse_period(value, frame: pd.DataFrame, name: str) -> pd.Period:
    """Parse ``value`` at the frequency of the frame's periods (strictly, see ``as_period``)."""
    try:
        return as_period(value, frame["period"].array.freqstr)
    except ParameterError as exc:
        raise ParameterError(f"{name}: {exc}") from None


# --------------------------------------------------------------------------------------------
# Public indicators
# --------------------------------------------------------------------------------------------
