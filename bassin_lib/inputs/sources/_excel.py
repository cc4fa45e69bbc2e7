"""Shared helpers to read official workbooks and CSV exports robustly.

Every reader of :mod:`bassin_lib.inputs.sources` goes through these helpers, so that a bad file always
gives a :class:`~bassin_lib.errors.DataFormatError` naming the file, the sheet, the row (1-based,
as Excel and text editors number them), the column and what was expected, and never a traceback.

- :func:`open_workbook` opens an ``.xlsx`` or a ``.zip`` holding one (INSEE ships both);
  :meth:`Workbook.table` finds the header row of a sheet among its first
  :data:`HEADER_SEARCH_ROWS` rows (banner rows come and go between releases) and returns a
  :class:`Table` of text cells.
- :func:`read_csv_table` does the same for a CSV export: separator ``,`` or ``;``, UTF-8 with or
  without BOM, else latin-1 (read as its Windows-1252 superset).
- :meth:`Table.floats` and :meth:`Table.codes` then convert columns explicitly: masked markers
  become ``NaN`` (never ``0``), codes stay strings.

Notes
-----
Every cell is first turned into text (:func:`cell_text`), so that codes keep their leading
zeros and numbers are parsed once, in one place. Floats stored by Excel are written with
``repr``, which round-trips exactly: a value read here equals the cell's value bit for bit.

Codes that lost their leading zeros (``51`` for zone ``0051``, ``1001`` for commune ``01001``,
what a CSV file re-saved by a spreadsheet looks like) are zero-padded when they are purely
numeric and shorter than the code's width; any other malformed code raises. Padding cannot turn
one valid code into another: every zone, commune, département and region code is fixed-width.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from bassin_lib.errors import DataFormatError

HEADER_SEARCH_ROWS = 15
"""How many rows from the top of a sheet (or lines of a CSV file) are searched for the header."""

MASKED_MARKERS = frozenset({"", "s", "nd", "n.d.", "*", "secret", "nc", "ns"})
"""Cell texts meaning "not published" (secrecy, not available, not significant), case-blind.

They become ``NaN``, never ``0``. ``ns`` is INSEE's « non significatif »."""

CODE_FORMATS: dict[str, tuple[int, re.Pattern[str]]] = {
    "zone": (4, re.compile(r"\d{4}")),
    "commune": (5, re.compile(r"\d{5}|2[AB]\d{3}")),
    "departement": (2, re.compile(r"\d{2}|2[AB]|97\d")),
    "region": (2, re.compile(r"\d{2}")),
}
"""Width and pattern of each kind of official code (ZE2020, COG commune, département, région)."""

CSV_SEPARATORS = (";", ",")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def cell_text(value) -> str:
    """Text of one cell as the publisher wrote it: ``None`` → ``""``, ``7.0`` → ``"7"``.

    Parameters
    ----------
    value : None, str, int, float, bool, date or datetime
        A cell value as openpyxl returns it.

    Returns
    -------
    str
        Stripped text; integer-valued floats without ``.0``; other floats by ``repr`` (exact).
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Table:
    """Cells of one table of an official file, all as text, with where they come from.

    Attributes
    ----------
    frame : DataFrame
        One ``str`` column per header cell (required names spelled as the caller asked); the
        index is the row number in the file, 1-based as in Excel or a text editor.
    source : str
        The file (and, for a zip, the member read).
    sheet : str or None
        The sheet name (None for a CSV file).
    header_row : int
        Row (1-based) of the header.
    letters : dict
        Column name → Excel column letter (empty for a CSV file).
    """

    frame: pd.DataFrame
    source: str
    sheet: str | None
    header_row: int
    letters: dict[str, str] = field(default_factory=dict)

    def where(self, row: int | None = None, column: str | None = None) -> str:
        """« file, sheet 'X', row 12, column 'TP6019' (G) » for error messages."""
        parts = [self.source]
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
        if row is not None:
            parts.append(f"row {row}")
        if column is not None:
            letter = self.letters.get(column)
            parts.append(f"column {column!r}" + (f" ({letter})" if letter else ""))
        return ", ".join(parts)

    def error(self, message: str, row: int | None = None, column: str | None = None):
        """A :class:`DataFormatError` located at ``row``/``column`` of this table."""
        return DataFormatError(f"{self.where(row, column)}: {message}")

    def columns_matching(self, pattern: str) -> list[str]:
        """Column names matching a regular expression (whole name, case-blind), in file order."""
        regex = re.compile(pattern, re.IGNORECASE)
        return [c for c in self.frame.columns if regex.fullmatch(c)]

    def labels(self, column: str) -> pd.Series:
        """A text column whose every cell must be filled (labels).

        Raises
        ------
        DataFormatError
            At the first empty cell.
        """
        values = self.frame[column]
        empty = values == ""
        if empty.any():
            row = int(values.index[empty.to_numpy().argmax()])
            raise self.error("empty cell; expected a label", row, column)
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
            (``51`` → ``"0051"``), the documented repair of codes that lost their leading zeros.

        Raises
        ------
        DataFormatError
            At the first empty or malformed code, with the expected format.
        """
        width, pattern = CODE_FORMATS[kind]
        values = self.frame[column]
        padded = values.where(
            ~(values.str.fullmatch(r"\d+") & (values.str.len() < width)),
            values.str.zfill(width),
        )
        bad = ~padded.str.fullmatch(pattern.pattern)
        if bad.any():
            row = int(values.index[bad.to_numpy().argmax()])
            text = values.loc[row]
            found = "an empty cell" if text == "" else repr(text)
            raise self.error(
                f"found {found}; expected a {kind} code of {width} characters "
                f"matching {pattern.pattern!r} (as text, leading zeros kept)",
                row,
                column,
            )
        return padded

    def floats(self, column: str, *, nonnegative: bool = False) -> pd.Series:
        """Numbers of one column; masked markers (:data:`MASKED_MARKERS`) become ``NaN``.

        Parameters
        ----------
        column : str
        nonnegative : bool, default False
            The column holds counts or sizes: a negative number raises.

        Returns
        -------
        Series of float
            Same index as the table (file rows). Decimal commas are accepted (``7,4``), as are
            spaces between thousands (``1 234``).

        Raises
        ------
        DataFormatError
            At the first cell that is neither a finite number nor a masked marker, or (with
            ``nonnegative``) at the first negative number.
        """
        texts = self.frame[column].str.strip()
        masked = texts.str.casefold().isin(MASKED_MARKERS)
        parsed: dict[str, float] = {}
        for text in pd.unique(texts[~masked]):
            cleaned = _SPACES.sub("", text).replace(",", ".")
            try:
                number = float(cleaned)
            except ValueError:
                number = math.nan
            parsed[text] = number
        values = texts.map(parsed).where(~masked).astype(float)
        bad = (~masked) & ~np.isfinite(values)
        if bad.any():
            row = int(texts.index[bad.to_numpy().argmax()])
            raise self.error(
                f"found {texts.loc[row]!r}; expected a number or a masked marker "
                f"({', '.join(repr(m) for m in sorted(MASKED_MARKERS))})",
                row,
                column,
            )
        if nonnegative:
            negative = values < 0
            if negative.any():
                row = int(values.index[negative.to_numpy().argmax()])
                raise self.error(
                    f"found {texts.loc[row]!r}; expected a count or size, 0 or more", row, column
                )
        return values

    def check_unique(self, keys: dict[str, pd.Series], what: str) -> None:
        """Raise when two rows share a key (for instance the same zone, or zone and year).

        Parameters
        ----------
        keys : dict of str to Series
            Key name → converted values (indexed like the table), e.g. ``{"zone": codes}``.
        what : str
            What one row stands for, named in the error (``"zone"``, ``"zone and year"``).

        Raises
        ------
        DataFormatError
            Naming the first two rows sharing a key and the key.
        """
        frame = pd.DataFrame(keys)
        duplicated = frame.duplicated(keep=False)
        if duplicated.any():
            dupes = frame[duplicated]
            first = dupes.iloc[0]
            rows = dupes.index[(dupes == first).all(axis=1)].tolist()
            key = ", ".join(f"{name} {value!r}" for name, value in first.items())
            raise self.error(
                f"rows {rows[0]} and {rows[1]} both give {key}; "
                f"expected one row per {what} (duplicated rows?)"
            )


def _check_file(path: Path) -> None:
    if not path.exists():
        raise DataFormatError(f"{path}: file not found")
    if path.is_dir():
        raise DataFormatError(f"{path}: is a directory; expected a file")
    if path.stat().st_size == 0:
        raise DataFormatError(f"{path}: empty file (0 bytes); was the download interrupted?")


class Workbook:
    """An official ``.xlsx`` workbook opened for reading (read-only, values not formulas).

    Use :func:`open_workbook` as a context manager rather than this class directly.

    Parameters
    ----------
    path : str or Path
        An ``.xlsx`` file, or a ``.zip`` holding exactly one ``.xlsx`` (or several, with
        ``member``).
    member : str, optional
        Name of the ``.xlsx`` inside the zip when it holds several.

    Raises
    ------
    DataFormatError
        When the file is missing, empty, not a zip archive (truncated download, HTML error
        page, old binary ``.xls``), a zip without a workbook, or an unreadable workbook.
    """

    def __init__(self, path: str | Path, member: str | None = None):
        self.path = Path(path)
        _check_file(self.path)
        self.source = str(self.path)
        if not zipfile.is_zipfile(self.path):
            head = self.path.read_bytes()[:512]
            if head.startswith(_XLS_MAGIC):
                hint = "an old binary .xls workbook; open it and save it as .xlsx"
            elif head.lstrip().lower().startswith((b"<!doctype", b"<html")):
                hint = "an HTML page (an error page saved instead of the file?)"
            else:
                hint = "not a zip archive (truncated download, or another format)"
            raise DataFormatError(
                f"{self.path}: {hint}; expected an .xlsx workbook or a .zip holding one"
            )
        try:
            with zipfile.ZipFile(self.path) as archive:
                names = archive.namelist()
                if "xl/workbook.xml" in names:
                    content: Path | io.BytesIO = self.path
                else:
                    member = self._pick_member(names, member)
                    self.source = f"{self.path} [{member}]"
                    content = io.BytesIO(archive.read(member))
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise DataFormatError(f"{self.path}: damaged zip archive ({exc})") from exc
        try:
            self.book = openpyxl.load_workbook(content, read_only=True, data_only=True)
        except Exception as exc:  # any parse failure of a damaged workbook is a format error
            raise DataFormatError(
                f"{self.source}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})"
            ) from exc

    def _pick_member(self, names: list[str], member: str | None) -> str:
        workbooks = [
            n for n in names if n.lower().endswith(".xlsx") and not n.startswith("__MACOSX")
        ]
        if member is not None:
            if member not in names:
                raise DataFormatError(
                    f"{self.path}: the zip holds no {member!r}; it holds {names[:20]}"
                )
            return member
        if len(workbooks) != 1:
            found = f"{len(workbooks)} .xlsx files ({workbooks[:10]})" if workbooks else "none"
            raise DataFormatError(
                f"{self.path}: expected a zip holding one .xlsx workbook; found {found} "
                f"among {names[:10]}"
            )
        return workbooks[0]

    @property
    def sheetnames(self) -> list[str]:
        """Names of the workbook's sheets, in order."""
        return list(self.book.sheetnames)

    def close(self) -> None:
        """Release the file."""
        self.book.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def table(
        self,
        sheet: str,
        required: Iterable[str],
        *,
        until_blank: bool = False,
        search_rows: int = HEADER_SEARCH_ROWS,
    ) -> Table:
        """Read the table of one sheet: header row found by its column names, then data rows.

        Parameters
        ----------
        sheet : str
            Sheet name as published.
        required : iterable of str
            Column names that must all be on the header row (matched case-blind, spaces
            stripped); they are spelled as given here in the result.
        until_blank : bool, default False
            Stop at the first entirely empty row (for sheets with a second, different block
            below the table); otherwise empty rows are skipped and reading goes on.
        search_rows : int, default :data:`HEADER_SEARCH_ROWS`
            How many rows from the top are searched for the header.

        Returns
        -------
        Table

        Raises
        ------
        DataFormatError
            When the sheet is absent (listing the sheets present), no header row holds every
            required column (naming the closest row and what it lacks), a column name is
            repeated on the header row, or no data row follows the header.
        """
        required = list(required)
        if sheet not in self.book.sheetnames:
            raise DataFormatError(
                f"{self.source}: no sheet {sheet!r}; sheets present: {self.sheetnames}"
            )
        try:
            rows = self.book[sheet].iter_rows(values_only=True)
            return _build_table(rows, required, self.source, sheet, until_blank, search_rows)
        except DataFormatError:
            raise
        except Exception as exc:  # damaged sheet XML surfaces while iterating
            raise DataFormatError(
                f"{self.source}, sheet {sheet!r}: unreadable sheet ({type(exc).__name__}: {exc})"
            ) from exc


def open_workbook(path: str | Path, member: str | None = None) -> Workbook:
    """Open an ``.xlsx`` (or a ``.zip`` holding one) for reading; use as a context manager.

    Examples
    --------
    >>> with open_workbook("chomage-zone-t1-2003-t3-2023.xlsx") as book:  # doctest: +SKIP
    ...     table = book.table("txcho_ze", ["ZE2020", "LIBZE2020"])
    """
    return Workbook(path, member)


def _match_header(cells: list[str], required: list[str]) -> dict[str, int]:
    folded = {}
    for j, text in enumerate(cells):
        folded.setdefault(text.casefold(), j)
    return {name: folded[name.casefold()] for name in required if name.casefold() in folded}


def _build_table(
    rows: Iterable[tuple],
    required: list[str],
    source: str,
    sheet: str | None,
    until_blank: bool,
    search_rows: int,
) -> Table:
    where = f"{source}" + (f", sheet {sheet!r}" if sheet is not None else "")
    rows = iter(rows)
    header: list[str] | None = None
    header_row = 0
    best: tuple[int, int, list[str]] = (-1, 0, [])
    for number, row in enumerate(rows, start=1):
        cells = [cell_text(v) for v in row]
        found = _match_header(cells, required)
        if len(found) == len(required):
            header, header_row = cells, number
            break
        if len(found) > best[0]:
            best = (len(found), number, cells)
        if number >= search_rows:
            break
    if header is None:
        if best[0] < 0:
            raise DataFormatError(f"{where}: empty; expected a header row with {required}")
        lacks = [n for n in required if n not in _match_header(best[2], required)]
        present = [c for c in best[2] if c][:12]
        raise DataFormatError(
            f"{where}: no header row with columns {required} within the first {search_rows} "
            f"rows; closest is row {best[1]}, which lacks {lacks} (it has {present})"
        )
    renames = {j: name for name, j in _match_header(header, required).items()}
    keep = [j for j, text in enumerate(header) if text]
    names = [renames.get(j, header[j]) for j in keep]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DataFormatError(
            f"{where}, row {header_row}: column(s) {repeated} appear twice on the header row"
        )
    records: list[list[str]] = []
    index: list[int] = []
    for number, row in enumerate(rows, start=header_row + 1):
        cells = [cell_text(row[j]) if j < len(row) else "" for j in keep]
        if not any(cells):
            if until_blank and records:
                break
            continue
        records.append(cells)
        index.append(number)
    if not records:
        raise DataFormatError(
            f"{where}: no data row below the header (row {header_row}); truncated file?"
        )
    frame = pd.DataFrame(records, columns=names, index=pd.Index(index, name="row"), dtype=str)
    letters = {name: get_column_letter(j + 1) for name, j in zip(names, keep, strict=True)}
    return Table(frame, source, sheet, header_row, letters if sheet is not None else {})


def decode_text(raw: bytes, source: str) -> tuple[str, str]:
    """Decode a text file: UTF-8 (BOM optional), else latin-1 read as Windows-1252.

    Parameters
    ----------
    raw : bytes
    source : str
        File named in the error.

    Returns
    -------
    text : str
    encoding : {"utf-8", "cp1252"}

    Raises
    ------
    DataFormatError
        When the bytes hold NUL characters (UTF-16 or binary file) or decode as neither.
    """
    if b"\x00" in raw[:4096]:
        raise DataFormatError(
            f"{source}: holds NUL bytes (UTF-16 text or a binary file?); "
            "expected UTF-8 or latin-1 text"
        )
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as exc:
            raise DataFormatError(
                f"{source}: neither UTF-8 (invalid byte at offset {utf8_error.start}) nor "
                f"latin-1/Windows-1252 text (byte {raw[exc.start : exc.start + 1]!r} at offset "
                f"{exc.start}); save the file as UTF-8"
            ) from exc


def read_csv_table(
    path: str | Path, required: Iterable[str], *, search_rows: int = HEADER_SEARCH_ROWS
) -> Table:
    """Read a CSV export into a :class:`Table` of text cells.

    Parameters
    ----------
    path : str or Path
    required : iterable of str
        Column names that must all be on the header line (case-blind).
    search_rows : int, default :data:`HEADER_SEARCH_ROWS`
        How many lines from the top are searched for the header (banner lines are skipped).

    Returns
    -------
    Table
        Index: line number in the file (1-based); ``sheet`` is None.

    Notes
    -----
    The separator is the one of ``,`` and ``;`` that splits the header line into the required
    columns. Text is UTF-8 (with or without BOM) or else latin-1, read as its Windows-1252
    superset (``œ``, ``’``); anything else raises.

    Raises
    ------
    DataFormatError
        When the file is missing, empty, a zip/xlsx, not decodable, has no header line with the
        required columns under either separator, or a line has more fields than the header.
    """
    path = Path(path)
    required = list(required)
    _check_file(path)
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise DataFormatError(f"{path}: is a zip archive or an .xlsx workbook, not a CSV file")
    text, _encoding = decode_text(raw, str(path))
    lines = text.splitlines()
    header_line = separator = None
    header_cells: list[str] = []
    best: tuple[int, int, str] = (-1, 0, "")
    for number, line in enumerate(lines[:search_rows], start=1):
        for sep in CSV_SEPARATORS:
            cells = [c.strip().strip('"').strip() for c in line.split(sep)]
            found = _match_header(cells, required)
            if len(found) == len(required):
                header_line, separator, header_cells = number, sep, cells
                break
            if len(found) > best[0]:
                best = (len(found), number, line)
        if header_line is not None:
            break
    if header_line is None:
        if not any(line.strip() for line in lines):
            raise DataFormatError(f"{path}: no text; expected a header line with {required}")
        raise DataFormatError(
            f"{path}: no header line with columns {required} separated by ',' or ';' within "
            f"the first {search_rows} lines; line {best[1]} reads {best[2][:120]!r}"
        )
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            dtype=str,
            keep_default_na=False,
            skiprows=header_line - 1,
            header=0,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        detail = str(exc).strip().replace("Error tokenizing data. C error: ", "")
        raise DataFormatError(
            f"{path}: not a regular {separator!r}-separated table ({detail}); "
            f"expected {len(header_cells)} fields per line as on the header, line {header_line}"
        ) from exc
    repeated = sorted({c for c in header_cells if c and header_cells.count(c) > 1})
    if repeated:
        raise DataFormatError(
            f"{path}, row {header_line}: column(s) {repeated} appear twice on the header line"
        )
    if len(frame.columns) != len(header_cells):
        raise DataFormatError(
            f"{path}, row {header_line}: the header line splits into {len(header_cells)} "
            f"columns but the table has {len(frame.columns)}; quoted separators in the header?"
        )
    names = list(header_cells)
    for name, j in _match_header(header_cells, required).items():
        names[j] = name
    frame.columns = names
    frame = frame.fillna("")
    frame = frame.apply(lambda col: col.str.strip()).astype(str)
    frame.index = pd.Index(range(header_line + 1, header_line + 1 + len(frame)), name="row")
    frame = frame[(frame != "").any(axis=1)]
    if frame.empty:
        raise DataFormatError(
            f"{path}: no data line below the header (line {header_line}); truncated file?"
        )
    return Table(frame, str(path), None, header_line)


def wrap_schema_errors(exc, source: str, name: str) -> DataFormatError:
    """Turn pandera's lazy :class:`SchemaErrors` into one :class:`DataFormatError` line."""
    cases = exc.failure_cases.head(5)
    details = "; ".join(
        f"column {row.column!r}, row {row.index}: {row.check} failed for {row.failure_case!r}"
        for row in cases.itertuples()
    )
    return DataFormatError(f"{source}: table {name!r} is not valid: {details}")
