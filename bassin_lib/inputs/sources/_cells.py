"""Cells of official tables: masked tokens, numbers, codes, and where a bad cell is.

One toolkit for every reader of :mod:`bassin_lib.inputs.sources`, whatever the file. A CSV export
(:func:`bassin_lib.inputs.sources._csv.read_csv`,
:func:`bassin_lib.inputs.sources._excel.read_csv_table`) or a workbook sheet
(:meth:`bassin_lib.inputs.sources._excel.Workbook.table`) is read into a :class:`Table` of text
cells indexed by row number, then converted here, column by column, with the same rules:

- :data:`MASKED_TOKENS`: the texts that mean "not published"; they become ``NaN``, never ``0``;
- :func:`parse_number`: the one number parser (decimal comma or dot, spaces between thousands);
- :data:`CODE_FORMATS`: official codes stay strings, codes that lost their leading zeros are
  zero-padded (:func:`pad_codes`);
- :func:`locate` and :func:`data_error`: the one error-location format,
  ``<file>, sheet '<sheet>', row <n>, column '<name>' (<letter>): <problem>``, where the sheet
  (and the column letter) appear for workbooks only, and ``row`` is the row number a
  spreadsheet shows, which for a CSV file is its line number (the header is row 1 unless banner
  lines precede it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from bassin_lib.errors import DataFormatError

MASKED_TOKENS = frozenset(
    {"", "*", "s", "secret", "c", "nc", "n.c.", "nd", "n.d.", "ns", "n.s.", "-", "–", "…", "..."}
)
"""Cell texts meaning "not published", compared case-blind after stripping spaces.

They become ``NaN``, never ``0``: empty cell; ``*`` (France Travail BMO, Urssaf, DARES: secret);
``s``, ``secret``, ``c`` (statistical secrecy: INSEE Filosofi 2019 writes ``s``); ``nc``/``n.c.``
(non communiqué); ``nd``/``n.d.`` (non disponible); ``ns``/``n.s.`` (non significatif: the
Mayotte row of Filosofi 2019's sheet ``REG``); ``-``/``–`` (a dash: nothing published) and
``…``/``...`` (not available)."""

CODE_FORMATS: dict[str, tuple[int, re.Pattern[str]]] = {
    "zone": (4, re.compile(r"\d{4}")),
    "commune": (5, re.compile(r"\d{5}|2[AB]\d{3}")),
    "departement": (2, re.compile(r"\d{2}|2[AB]|97[1-6]")),
    "region": (2, re.compile(r"\d{2}")),
}
"""Width and pattern of each kind of official code (ZE2020, COG commune, département, région)."""

_SPACES = re.compile(r"\s+")
"""Thousands separators: spaces, including no-break (U+00A0), thin (U+2009) and narrow no-break
(U+202F) spaces; ``\\s`` matches them all."""
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
_MASKED_LIST = ", ".join(repr(token) for token in sorted(MASKED_TOKENS))
_QUARTER = re.compile(r"\d{4}-T[1-4]")


def is_masked(text: str) -> bool:
    """Whether a cell text is one of :data:`MASKED_TOKENS` (case-blind, spaces stripped)."""
    return text.strip().casefold() in MASKED_TOKENS


def parse_number(text: str) -> float:
    """The number a cell's text stands for: ``NaN`` when masked.

    Parameters
    ----------
    text : str
        Cell text: ``"7,4"`` or ``"7.4"`` (decimal comma or dot), ``"1 234"`` (spaces,
        including no-break, thin and narrow no-break spaces, between thousands), ``"-3"`` or
        ``"−3"`` (ASCII or typographic minus), ``"1e-05"`` (as Excel floats are written), or a
        masked token (:data:`MASKED_TOKENS`).

    Returns
    -------
    float
        A finite number, or ``NaN`` for a masked token (never ``0``).

    Raises
    ------
    ValueError
        When the text is neither a finite number nor a masked token (``"abc"``, ``"8,6%"``,
        ``"nan"``, ``"inf"``, ``"1.234,5"``).

    Examples
    --------
    >>> parse_number("1\u202f980,5"), parse_number("s")
    (1980.5, nan)
    """
    if is_masked(text):
        return math.nan
    cleaned = _SPACES.sub("", text).replace("\u2212", "-")
    if _NUMBER.fullmatch(cleaned):
        number = float(cleaned.replace(",", "."))
        if math.isfinite(number):
            return number
    raise ValueError(f"{text!r} is neither a number nor a masked token")


def pad_codes(codes: pd.Series, width: int) -> pd.Series:
    """Zero-pad purely numeric codes shorter than ``width`` (``"51"`` → ``"0051"``).

    A code such as ``"0051"`` loses its leading zeros when a file goes through a spreadsheet;
    official codes are never shorter than their width, so padding restores them and cannot turn
    one valid code into another.
    """
    short = codes.str.fullmatch(r"\d+") & (codes.str.len() < width)
    return codes.where(~short, codes.str.zfill(width))


def cell_text(value) -> str:
    """Text of one cell as the publisher wrote it: ``None`` → ``""``, ``7.0`` → ``"7"``.

    Parameters
    ----------
    value : None, str, int, float, bool, date or datetime
        A cell value as openpyxl (or a GIS driver) returns it.

    Returns
    -------
    str
        Stripped text; integer-valued floats without ``.0``; other floats by ``repr``, which
        round-trips exactly (a value read back equals the cell's value bit for bit).
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def locate(
    source: object,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    letter: str | None = None,
) -> str:
    """Where something is in a file, the same way for CSV files and workbooks.

    Parameters
    ----------
    source : str or Path
        The file (for a zip, ``"<zip> [<member>]"``).
    sheet : str, optional
        Sheet name (workbooks only).
    row : int, optional
        Row number as a spreadsheet shows it (a CSV file's line number).
    column : str, optional
        Column name as on the header.
    letter : str, optional
        The column's letter in a workbook (``"G"``).

    Returns
    -------
    str
        ``"file.xlsx, sheet 'ZE2020', row 12, column 'TP6019' (G)"``; the parts not given are
        left out (``"file.csv, row 3, column 'annee'"``, ``"file.csv"``).
    """
    parts = [str(source)]
    if sheet is not None:
        parts.append(f"sheet {sheet!r}")
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column!r}" + (f" ({letter})" if letter else ""))
    return ", ".join(parts)


def data_error(problem: str, *where, **named) -> DataFormatError:
    """A :class:`DataFormatError` reading ``"<where>: <problem>"``.

    Parameters
    ----------
    problem : str
        What is wrong, best as « found …; expected … ».
    *where, **named
        The arguments of :func:`locate`: ``source`` and, as known, ``sheet``, ``row``,
        ``column``, ``letter``.

    Examples
    --------
    >>> str(data_error("found 'x'; expected a number", "f.csv", row=3, column="annee"))
    "f.csv, row 3, column 'annee': found 'x'; expected a number"
    """
    return DataFormatError(f"{locate(*where, **named)}: {problem}")


def _shown(value) -> str:
    """A key value in a message: strings quoted, other values (periods, numbers) as printed."""
    return repr(value) if isinstance(value, str) else str(value)


@dataclass
class Table:
    """Cells of one table of an official file, all as text, with where they come from.

    Attributes
    ----------
    frame : DataFrame
        One ``str`` column per header cell (required names spelled as the caller asked); the
        index is the row number in the file, 1-based as in a spreadsheet or a text editor.
    source : str
        The file (and, for a zip, the member read).
    sheet : str or None
        The sheet name (None for a CSV file).
    header_row : int
        Row (1-based) of the header.
    letters : dict
        Column name → column letter (workbooks only; empty for a CSV file).
    """

    frame: pd.DataFrame
    source: str
    sheet: str | None
    header_row: int
    letters: dict[str, str] = field(default_factory=dict)

    def where(self, row: int | None = None, column: str | None = None) -> str:
        """« file, sheet 'X', row 12, column 'TP6019' (G) » (:func:`locate`)."""
        letter = self.letters.get(column) if column is not None else None
        return locate(self.source, self.sheet, row, column, letter)

    def error(
        self, problem: str, row: int | None = None, column: str | None = None
    ) -> DataFormatError:
        """A :class:`DataFormatError` located at ``row``/``column`` of this table."""
        return data_error(problem, self.where(row, column))

    def rows(self, mask: pd.Series) -> Table:
        """The table restricted to the rows where ``mask`` (indexed like the table) holds."""
        return Table(self.frame[mask], self.source, self.sheet, self.header_row, self.letters)

    def columns_matching(self, pattern: str) -> list[str]:
        """Column names matching a regular expression (whole name, case-blind), in file order."""
        regex = re.compile(pattern, re.IGNORECASE)
        return [c for c in self.frame.columns if regex.fullmatch(c)]

    def check(self, column: str, bad: pd.Series, expected: str | Callable[[int], str]) -> None:
        """Raise at the first row where ``bad`` holds: « found 'x'; expected <expected> ».

        Parameters
        ----------
        column : str
            Column whose cell is shown.
        bad : Series of bool
            Indexed like the table (or a subset of its rows).
        expected : str or callable
            What the cell should hold, or a function of the row number giving it.

        Raises
        ------
        DataFormatError
            At the first bad row, with the number of bad cells when there are several.
        """
        if not bad.any():
            return
        flagged = bad[bad]
        row = int(flagged.index[0])
        text = self.frame.at[row, column]
        found = "an empty cell" if text == "" else repr(text)
        wanted = expected(row) if callable(expected) else expected
        more = f" ({len(flagged)} such cells)" if len(flagged) > 1 else ""
        raise self.error(f"found {found}; expected {wanted}{more}", row, column)

    def matching(self, column: str, pattern: str, expected: str) -> pd.Series:
        """A text column whose every cell fully matches ``pattern`` (raises naming ``expected``)."""
        values = self.frame[column]
        self.check(column, ~values.str.fullmatch(pattern), expected)
        return values.copy()

    def labels(self, column: str, expected: str = "a label") -> pd.Series:
        """A text column whose every cell must be filled (labels, names)."""
        values = self.frame[column]
        self.check(column, values == "", expected)
        return values.copy()

    def codes(self, column: str, kind: str) -> pd.Series:
        """Official codes of one column, as strings, checked against their format.

        Parameters
        ----------
        column : str
        kind : {"zone", "commune", "departement", "region"}
            See :data:`CODE_FORMATS`.

        Returns
        -------
        Series of str
            Codes; purely numeric codes shorter than the format's width are zero-padded
            (``51`` → ``"0051"``, :func:`pad_codes`).

        Raises
        ------
        DataFormatError
            At the first empty or malformed code, with the expected format.
        """
        width, pattern = CODE_FORMATS[kind]
        padded = pad_codes(self.frame[column], width)
        self.check(
            column,
            ~padded.str.fullmatch(pattern.pattern),
            f"a {kind} code of {width} characters matching {pattern.pattern!r} "
            "(as text, leading zeros kept)",
        )
        return padded

    def floats(self, column: str, *, nonnegative: bool = False) -> pd.Series:
        """Numbers of one column (:func:`parse_number`); masked tokens become ``NaN``.

        Parameters
        ----------
        column : str
        nonnegative : bool, default False
            The column holds counts or sizes: a negative number raises.

        Returns
        -------
        Series of float
            Same index as the table (file rows).

        Raises
        ------
        DataFormatError
            At the first cell that is neither a finite number nor a masked token, or (with
            ``nonnegative``) at the first negative number.
        """
        texts = self.frame[column]
        parsed: dict[str, float] = {}
        unreadable: list[str] = []
        for text in pd.unique(texts):
            try:
                parsed[text] = parse_number(text)
            except ValueError:
                unreadable.append(text)
        self.check(column, texts.isin(unreadable), f"a number or a masked marker ({_MASKED_LIST})")
        values = texts.map(parsed).astype(float)
        if nonnegative:
            self.check(column, values < 0, "a count or size, 0 or more")
        return values

    def quarters(self, column: str) -> pd.Series:
        """Quarterly periods of a column written ``YYYY-Tq`` (``"2020-T1"`` → ``2020Q1``)."""
        texts = self.matching(column, _QUARTER.pattern, "a quarter such as '2020-T1'")
        periods = pd.PeriodIndex.from_fields(
            year=texts.str[:4].astype(int).to_numpy(),
            quarter=texts.str[-1].astype(int).to_numpy(),
            freq="Q-DEC",
        )
        return pd.Series(periods, index=texts.index)

    def check_unique(self, keys: dict[str, pd.Series], what: str) -> None:
        """Raise when two rows share a key (for instance the same zone, or zone and year).

        Parameters
        ----------
        keys : dict of str to Series
            Key name → converted values (indexed like the table, or a subset of its rows),
            e.g. ``{"zone": codes}``.
        what : str
            What one row stands for, named in the error (``"zone"``, ``"zone and year"``).

        Raises
        ------
        DataFormatError
            Naming the first two rows sharing a key, the key, and how many keys repeat.
        """
        frame = pd.DataFrame(keys)
        duplicated = frame.duplicated(keep=False)
        if not duplicated.any():
            return
        dupes = frame[duplicated]
        first = dupes.iloc[0]
        same = (dupes == first) | (dupes.isna() & first.isna())  # a masked figure repeated
        rows = dupes.index[same.all(axis=1)].tolist()
        key = ", ".join(f"{name} {_shown(value)}" for name, value in first.items())
        repeated = len(dupes.drop_duplicates())
        others = f"; {repeated - 1} other key(s) repeated" if repeated > 1 else ""
        raise self.error(
            f"rows {rows[0]} and {rows[1]} both give {key}; expected one row per {what} "
            f"(duplicated rows?){others}"
        )


def sum_parts(frame: pd.DataFrame, keys: Iterable[str], columns: Iterable[str]) -> pd.DataFrame:
    """Sum ``columns`` over the rows sharing ``keys``; a sum over a masked (NaN) part is NaN.

    The known parts alone would only be a lower bound, so a zone (or basin) with one masked part
    is missing, never understated.
    """
    keys, columns = list(keys), list(columns)
    grouped = frame.groupby(keys, sort=True, observed=True)
    sums = grouped[columns].sum(min_count=1)
    any_masked = frame[columns].isna().groupby([frame[k] for k in keys], sort=True).any()
    return sums.mask(any_masked).reset_index()
