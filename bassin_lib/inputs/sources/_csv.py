"""CSV exports: decoding, separator checks, and rows of a fixed width, read into a :class:`Table`.

Used by the Urssaf, DARES and France Travail readers (:func:`read_csv`: one header line, a
declared separator) and by :func:`bassin_lib.inputs.sources._excel.read_csv_table` (header line
searched for, separator detected): both split lines with :func:`data_rows`. Cells are then
converted by :class:`~bassin_lib.inputs.sources._cells.Table`, exactly as workbook cells are, and
every error names the file, the row (a CSV file's line number) and the column in the format of
:func:`~bassin_lib.inputs.sources._cells.locate`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from bassin_lib.inputs.sources._cells import Table, data_error

SEPARATOR_NAMES = {";": "semicolon", ",": "comma", "\t": "tab", "|": "pipe"}
"""Separators a header line is tried with when the declared one does not split it."""


def decode(path: Path) -> str:
    """Text of a CSV file: UTF-8 (BOM optional), else Windows-1252 (a spreadsheet re-save).

    Raises
    ------
    DataFormatError
        Unreadable, empty or binary file, or bytes that are neither UTF-8 nor Windows-1252.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise data_error(f"cannot read the file ({exc.strerror or exc})", path) from None
    if not raw.strip():
        raise data_error("the file is empty; expected a CSV header and data rows", path)
    if raw[:2] == b"PK" or b"\x00" in raw[:4096]:
        raise data_error(
            "binary content (an xlsx workbook, a zip, UTF-16 text?); expected a CSV text file",
            path,
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            raise data_error(
                f"byte {raw[utf8_error.start]:#04x} at offset {utf8_error.start} is neither "
                "UTF-8 nor Windows-1252 (Latin-1) text; expected a CSV text file",
                path,
            ) from None


def header(text: str, sep: str) -> list[str]:
    """Column names of the first line of ``text`` split on ``sep``."""
    first = next(csv.reader(io.StringIO(text, newline=""), delimiter=sep), [])
    return [name.strip() for name in first]


def separator_hint(text: str, sep: str, required: Sequence[str]) -> str:
    """A sentence naming the separator the header really uses, when that explains a mismatch."""
    for other in SEPARATOR_NAMES:
        if other != sep and set(required) <= set(header(text, other)):
            return (
                f"; the header is {SEPARATOR_NAMES[other]}-separated ({other!r}) but this "
                f"layout is {SEPARATOR_NAMES[sep]}-separated ({sep!r})"
            )
    return ""


def data_rows(
    path: Path, text: str, *, sep: str, header_row: int, width: int, pad_short: bool = False
) -> tuple[list[list[str]], list[int]]:
    """Data rows below the header of a delimited text, as stripped strings, and their rows.

    Parameters
    ----------
    path : Path
        File named in the errors.
    text : str
    sep : str
    header_row : int
        Line number of the header; the rows below it are read.
    width : int
        Number of fields of the header.
    pad_short : bool, default False
        Pad a row with fewer fields than the header with empty cells (then checked as empty
        cells); by default such a row is an error (a truncated line is never read as data).

    Returns
    -------
    records : list of list of str
    rows : list of int
        Row number (line number in the file) of each record; blank lines are skipped.

    Raises
    ------
    DataFormatError
        At the first row with more fields than the header (or fewer, unless ``pad_short``),
        or unreadable CSV.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    records: list[list[str]] = []
    rows: list[int] = []
    try:
        for row in reader:
            if reader.line_num <= header_row or not any(field.strip() for field in row):
                continue
            if len(row) > width or (len(row) < width and not pad_short):
                raise data_error(
                    f"{len(row)} field(s), expected {width} "
                    f"({SEPARATOR_NAMES.get(sep, repr(sep))}-separated like the header, row "
                    f"{header_row}): truncated file, or a separator inside an unquoted value?",
                    path,
                    row=reader.line_num,
                )
            records.append([field.strip() for field in row] + [""] * (width - len(row)))
            rows.append(reader.line_num)
    except csv.Error as exc:
        raise data_error(f"unreadable CSV ({exc})", path, row=reader.line_num) from None
    return records, rows


def read_csv(path: Path, text: str, *, sep: str, required: Sequence[str], layout: str) -> Table:
    """Read a delimited text whose first line is the header into a :class:`Table`.

    Every row must have as many fields as the header (a truncated last line or a stray
    separator is an error, never a row padded with empty cells); blank lines are skipped.

    Parameters
    ----------
    path : Path
    text : str
        Decoded content (:func:`decode`).
    sep : str
        The layout's separator.
    required : sequence of str
        Columns the layout needs on the header line.
    layout : str
        Name of the layout, for the errors.

    Returns
    -------
    Table
        Every column of the header, as text; index: the row number (line number in the file,
        the header being row 1); ``sheet`` None.

    Raises
    ------
    DataFormatError
        Missing required columns (with a hint when the separator is the cause), duplicated
        column names, a row of the wrong width, unreadable CSV, or no data row.
    """
    names = header(text, sep)
    missing = [name for name in required if name not in names]
    if missing:
        raise data_error(
            f"missing column(s) {missing} of the {layout} on the header; "
            f"found {names}{separator_hint(text, sep, required)}",
            path,
            row=1,
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise data_error(f"column(s) {repeated} appear twice on the header row", path, row=1)
    records, rows = data_rows(path, text, sep=sep, header_row=1, width=len(names))
    if not records:
        raise data_error(f"header only, no data rows ({layout})", path)
    frame = pd.DataFrame(records, columns=names, index=pd.Index(rows, name="row"), dtype=str)
    return Table(frame, str(path), None, 1)
