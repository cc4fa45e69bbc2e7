"""Helpers shared by the indicator families: argument checks, cube slices, changes.

Every public indicator checks its arguments at the door with the helpers of this module and
raises :class:`~bassin_lib.errors.ParameterError` naming the parameter, the bad value and the
allowed values, so that a typo never reads as a data gap:

- :func:`check_choice` (an option in a set; long sets are described by close matches and a
  count), :func:`check_count`, :func:`check_bool`;
- :func:`check_territory` (a :class:`~bassin_lib.inputs.territories.Territory` of this cube);
- :func:`table_span` / :func:`frame_span` (the periods a table or frame covers) with
  :func:`check_period` and :func:`check_window` (parseable, and within that range);
- :func:`select_rows` (a cube slice whose territory and filters are checked against the table).

A valid period with no data for one territory (masked cell) is not an error: the figure is
missing.
"""

from __future__ import annotations

import difflib
import re
import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bassin_lib.errors import DataFormatError, ParameterError, UnknownTerritoryError
from bassin_lib.inputs.cube import Cube
from bassin_lib.inputs.territories import Territory

FLAGS = ["approximate", "lower_bound"]
CHANGE_COLUMNS = ["start", "end", "start_value", "end_value", "change"]
"""Columns of a change between two periods, after the keys (:func:`change_between`)."""
MAX_LISTED = 20
"""Allowed values listed in full in a message; beyond, close matches and the count."""

_PERIOD_FORMATS = {
    "Q": (re.compile(r"^(\d{4})-?[QqTt]([1-4])$"), "a quarter such as '2019Q4' or '2019-T4'"),
    "Y": (re.compile(r"^(\d{4})$"), "a year such as '2019'"),
    "M": (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), "a month such as '2020-05'"),
}


# --------------------------------------------------------------------------------------------
# Docstrings
# --------------------------------------------------------------------------------------------

DOC_FRAGMENTS = {
    "cube_territory": """cube : Cube
territory : Territory or None
    A territory of the cube (``cube.territory(id)``), compared with its region and France;
    ``None``: every geography of the cube at once, rows keyed by ``level, code`` instead of
    ``role, label``.""",
    "cube_one_territory": """cube : Cube
territory : Territory
    A territory of the cube (``cube.territory(id)``), compared with its region and France.""",
    "change_rows": """DataFrame
    One row per role: ``role, label, start, end, start_value, end_value, change,
    change_pct, approximate, lower_bound`` (``level, code`` instead of ``role, label``
    with ``territory=None``).""",
    "employment_frame": """employment : DataFrame
    Long frame ``level, code, period, sector, value`` (one adjustment, e.g. the cube's
    ``employment`` table filtered on ``adjustment == "cvs"``); ``TOTAL`` rows are ignored;
    ``value`` may be ``NaN`` (masked).""",
}
"""Text shared by several docstrings, written once: a line ``{{name}}`` of a docstring
decorated with :func:`shared_doc` is replaced by the fragment, at the line's indentation."""

_FIELD = re.compile(r"^(\s*)\{\{(\w+)\}\}\s*$", re.MULTILINE)


def shared_doc(function):
    """Fill the ``{{name}}`` lines of ``function``'s docstring with :data:`DOC_FRAGMENTS`."""

    def fill(match: re.Match) -> str:
        indent, name = match.groups()
        return "\n".join(
            indent + line if line else line for line in DOC_FRAGMENTS[name].split("\n")
        )

    function.__doc__ = _FIELD.sub(fill, function.__doc__)
    return function


# --------------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------------


def describe_choices(value, allowed) -> str:
    """How to name ``allowed`` in a message: every value, or close matches and the count."""
    allowed = list(allowed)
    if len(allowed) <= MAX_LISTED:
        return f"choose one of {allowed}"
    close = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=3, cutoff=0.5)
    hint = f"close matches {close}" if close else "no close match"
    return f"{hint} among {len(allowed)} allowed values ({allowed[0]!r} to {allowed[-1]!r})"


def check_choice(value, name: str, allowed) -> None:
    """Refuse ``value`` unless it is one of ``allowed`` (strings), naming both.

    Raises
    ------
    ParameterError
        ``"<name> <value> is not allowed: choose one of [...]"``; beyond :data:`MAX_LISTED`
        allowed values, the close matches (difflib) and their count instead of the list.
    """
    allowed = list(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise ParameterError(f"{name} {value!r} is not allowed: {describe_choices(value, allowed)}")


def check_count(value, name: str, minimum: int = 1) -> None:
    """Refuse ``value`` unless it is an integer ``≥ minimum`` (a bool is not one).

    Raises
    ------
    ParameterError
        ``"<name> <value> is not allowed: expected an integer ≥ <minimum>"``.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ParameterError(f"{name} {value!r} is not allowed: expected an integer ≥ {minimum}")


def check_bool(value, name: str) -> None:
    """Refuse ``value`` unless it is ``True`` or ``False``.

    Raises
    ------
    ParameterError
        ``"<name> <value> is not allowed: expected True or False"``.
    """
    if not isinstance(value, bool | np.bool_):
        raise ParameterError(f"{name} {value!r} is not allowed: expected True or False")


# --------------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------------


def as_period(value, freq: str) -> pd.Period:
    """Parse a period written the usual ways into a Period of ``freq``, strictly.

    Parameters
    ----------
    value : str or Period
        ``"2019Q4"``, ``"2019-T4"``, ``"2019T4"`` (quarters); ``"2019"`` (years);
        ``"2020-05"`` (months); or a Period of the same frequency.
    freq : {"Q", "Y", "M"}
        Or a pandas frequency string starting with one of them (``"Q-DEC"``).

    Returns
    -------
    Period

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


@dataclass(frozen=True)
class Span:
    """The periods a table or a frame covers: first, last, frequency and a name for messages.

    Attributes
    ----------
    first, last : Period or None
        ``None`` when there is no row (no range check then: the figures are simply missing).
    freq : str
        Pandas frequency string of the periods (``"Q-DEC"``).
    source : str
        What the periods are of, for messages (``"employment table"``).
    """

    first: pd.Period | None
    last: pd.Period | None
    freq: str
    source: str

    def __str__(self) -> str:
        if self.first is None:
            return f"the {self.source} has no period"
        return f"the {self.source} has periods from {self.first} to {self.last}"

    def __and__(self, other: Span) -> Span:
        """The periods both spans cover (checked against both, named after both)."""
        if self.first is None or other.first is None:
            return Span(None, None, self.freq, f"{self.source} and {other.source}")
        return Span(
            max(self.first, other.first),
            min(self.last, other.last),
            self.freq,
            f"{self.source} and {other.source} (together)",
        )


def frame_span(frame: pd.DataFrame, source: str) -> Span:
    """The :class:`Span` of the ``period`` column of ``frame`` (a checked long frame)."""
    periods = frame["period"]
    if periods.notna().any():
        return Span(periods.min(), periods.max(), periods.array.freqstr, source)
    return Span(None, None, periods.array.freqstr, source)


def check_period(value, span: Span, name: str) -> pd.Period:
    """Parse ``value`` at the frequency of ``span`` (strictly, see :func:`as_period`) and
    require it within the span.

    Raises
    ------
    ParameterError
        An unparsable period or one of another frequency (``"<name>: period '2019Q5' is not
        valid: expected a quarter …"``), or one outside the span (``"<name> 2030Q1 is out of
        range: the employment table has periods from 2010Q1 to 2024Q4"``).
    """
    return _within(_parse(value, span, name), span, name)


def _parse(value, span: Span, name: str) -> pd.Period:
    where = f" ({span})" if span.first is not None else ""
    if isinstance(value, pd.Period) and value.freqstr != span.freq:
        raise ParameterError(
            f"{name}: period {value} has frequency {value.freqstr}; expected {span.freq}{where}"
        )
    try:
        return as_period(value, span.freq)
    except ParameterError as exc:
        raise ParameterError(f"{name}: {exc}{where}") from None


def _within(period: pd.Period, span: Span, name: str) -> pd.Period:
    if span.first is not None and not span.first <= period <= span.last:
        raise ParameterError(f"{name} {period} is out of range: {span}")
    return period


def check_window(
    start,
    end,
    span: Span,
    *,
    strict: bool = False,
    optional: bool = False,
    names: tuple[str, str] = ("start", "end"),
):
    """Check ``start`` and ``end``: parseable, in order, within the span (:func:`check_period`).

    Parameters
    ----------
    start, end : str or Period
    span : Span
    strict : bool, default False
        True: ``start`` must come before ``end``; False: it must not come after it.
    optional : bool, default False
        True: either end may be None (no bound on that side).
    names : (str, str), default ("start", "end")
        Names of the two ends in messages.

    Returns
    -------
    (Period, Period)
        ``None`` for an end left out when ``optional``.

    Raises
    ------
    ParameterError
        A bad period (:func:`check_period`), or the ends in the wrong order.
    """
    ends = dict(zip(names, (start, end), strict=True))
    periods = {
        name: None if value is None and optional else _parse(value, span, name)
        for name, value in ends.items()
    }
    first, last = periods.values()
    if first is not None and last is not None:
        if strict and first >= last:
            raise ParameterError(f"{names[0]} {first} must be before {names[1]} {last}")
        if first > last:
            raise ParameterError(f"{names[0]} {first} must not be after {names[1]} {last}")
    for name, period in periods.items():
        if period is not None:
            _within(period, span, name)
    return first, last


# --------------------------------------------------------------------------------------------
# Cube slices
# --------------------------------------------------------------------------------------------

_MEMO: dict = {}


def _memo(frame: pd.DataFrame, what: str, compute):
    """``compute()`` once per table object (the cube's tables are read-only once built)."""
    key = (id(frame), what)
    if key not in _MEMO:
        _MEMO[key] = compute()
        weakref.finalize(frame, _MEMO.pop, key, None)
    return _MEMO[key]


def check_cube(cube) -> None:
    """Refuse anything but a :class:`~bassin_lib.inputs.cube.Cube`.

    Raises
    ------
    ParameterError
        ``"cube must be a Cube …, not DataFrame"``.
    """
    if not isinstance(cube, Cube):
        raise ParameterError(
            f"cube must be a Cube (bassin_lib.inputs.datasets.open_cube or "
            f"bassin_lib.inputs.cube.load_cube), not {type(cube).__name__}"
        )


def cube_table(cube, table: str) -> pd.DataFrame:
    """The ``table`` of ``cube``.

    Raises
    ------
    ParameterError
        ``cube`` is not a :class:`~bassin_lib.inputs.cube.Cube`.
    DataFormatError
        The cube has no such table (a data gap, not a bad argument).
    """
    check_cube(cube)
    if table not in cube.tables:
        raise DataFormatError(f"cube has no table {table!r}; it has {sorted(cube.tables)}")
    return cube.tables[table]


def table_span(cube, table: str) -> Span:
    """The :class:`Span` of a cube table (computed once per table)."""
    data = cube_table(cube, table)
    return _memo(data, "period", lambda: frame_span(data, f"{table} table"))


def table_values(cube, table: str, column: str) -> list:
    """Sorted distinct values of ``column`` in a cube table (computed once per table)."""
    data = cube_table(cube, table)
    if column not in data.columns:
        raise DataFormatError(f"table {table!r} has no column {column!r}")
    return _memo(data, column, lambda: sorted(data[column].dropna().unique().tolist()))


def check_territory(cube, territory, *, allow_none: bool = True) -> None:
    """Refuse anything but a :class:`~bassin_lib.inputs.territories.Territory` of ``cube``
    (or ``None`` when ``allow_none``).

    Raises
    ------
    ParameterError
        Not a Territory (a territory id, say), a territory id the cube does not know (with
        close matches and the number of territories), or a territory of the same id built
        from another référentiel (other zones or region).
    """
    check_cube(cube)
    if territory is None:
        if allow_none:
            return
        raise ParameterError(
            "territory None is not allowed here: give a Territory of the cube, "
            "e.g. cube.territory('<zone code or group id>')"
        )
    referentiel = cube.referentiel
    if not isinstance(territory, Territory):
        hint = (
            f"cube.territory({territory!r})"
            if isinstance(territory, str)
            else "cube.territory('<zone code or group id>')"
        )
        also = " or None (every geography at once)" if allow_none else ""
        raise ParameterError(
            f"territory {territory!r} is not allowed: expected a Territory of the cube{also}; "
            f"get it with {hint}"
        )
    try:
        own = cube.territory(territory.id)
    except UnknownTerritoryError:
        close = referentiel.suggestions(territory.id, n=3)
        hint = f"close matches {close}" if close else "no close match"
        raise ParameterError(
            f"territory {territory.id!r} is not a territory of this cube: {hint} among its "
            f"{len(referentiel.ids)} territories (zone codes and group ids)"
        ) from None
    if own != territory:
        raise ParameterError(
            f"territory {territory.id!r} is not this cube's territory of that id (zones "
            f"{list(territory.zones)}, region {territory.region!r} here; zones "
            f"{list(own.zones)}, region {own.region!r} in the cube): "
            f"get it with cube.territory({territory.id!r})"
        )


def row_keys(territory) -> list[str]:
    """Columns that identify a geography in a slice: ``role, label``, or ``level, code``
    for every geography at once (``territory=None``)."""
    return ["role", "label"] if territory is not None else ["level", "code"]


def select_rows(cube, table: str, territory, **filters) -> tuple[pd.DataFrame, list[str]]:
    """Rows of a cube table for one territory and its comparators, or for every geography.

    Parameters
    ----------
    cube : Cube
    table : str
        Canonical table name.
    territory : Territory or None
        ``None``: every geography of the cube at once (vectorised, for batches and
        benchmarks); rows are then keyed by ``level, code`` instead of ``role, label``.
    **filters
        Column equal to value (``sector="TOTAL"``, ``adjustment="cvs"``); each value must be
        one of the table's values in that column, named in the message as the parameter.

    Returns
    -------
    rows : DataFrame
    keys : list of str
        ``["role", "label"]`` or ``["level", "code"]`` (:func:`row_keys`).

    Raises
    ------
    ParameterError
        A bad territory (:func:`check_territory`) or a filter value absent from the table
        (:func:`check_choice`).
    """
    data = cube_table(cube, table)
    check_territory(cube, territory)
    for column, value in filters.items():
        check_choice(value, column, table_values(cube, table, column))
    if territory is not None:
        return cube.select(table, territory, **filters), row_keys(territory)
    mask = pd.Series(True, index=data.index)
    for column, value in filters.items():
        mask &= data[column] == value
    return data[mask], row_keys(territory)


def cube_change(
    cube, table: str, territory, start, end, *, by: tuple[str, ...] = (), rows=None, **filters
) -> pd.DataFrame:
    """Change of a cube table's ``value`` between two periods (checked), for each geography.

    Parameters
    ----------
    cube : Cube
    table : str
    territory : Territory or None
    start, end : str or Period
        Periods of the table (``start`` not after ``end``).
    by : tuple of str
        Columns besides the geography's keys that split the rows (``("category",)``).
    rows : DataFrame, optional
        Rows already selected (by :func:`select_rows` or built on them); default: the rows
        of ``table`` for ``territory`` and ``filters``.
    **filters
        As in :func:`select_rows`.

    Returns
    -------
    DataFrame
        As :func:`change_between`.
    """
    first, last = check_window(start, end, table_span(cube, table))
    if rows is None:
        rows, _ = select_rows(cube, table, territory, **filters)
    return change_between(rows, first, last, [*row_keys(territory), *by])


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


# --------------------------------------------------------------------------------------------
# Long frames (the families that take canonical frames rather than the cube)
# --------------------------------------------------------------------------------------------


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
