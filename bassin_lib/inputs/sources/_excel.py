"""Open official workbooks and CSV exports whose header row has to be found.

Every reader of :mod:`bassin_lib.inputs.sources` goes through these helpers or those of
:mod:`bassin_lib.inputs.sources._csv`, so that a bad file always gives a
:class:`~bassin_lib.errors.DataFormatError` naming the file, the sheet, the row (1-based, as
spreadsheets and text editors number them), the column and what was expected, in the one format
of :func:`bassin_lib.inputs.sources._cells.locate`, and never a traceback.

- :func:`open_workbook` opens an ``.xlsx`` or a ``.zip`` holding one (INSEE ships both);
  :meth:`Workbook.table` finds the header row of a sheet among its first
  :data:`HEADER_SEARCH_ROWS` rows (banner rows come and go between releases) and returns a
  :class:`~bassin_lib.inputs.sources._cells.Table` of text cells.
- :func:`read_csv_table` does the same for a CSV export: separator ``,`` or ``;``, UTF-8 with or
  without BOM, else latin-1 (read as its Windows-1252 superset).
- :meth:`Table.floats <bassin_lib.inputs.sources._cells.Table.floats>` and
  :meth:`Table.codes <bassin_lib.inputs.sources._cells.Table.codes>` then convert columns
  explicitly: masked tokens become ``NaN`` (never ``0``), codes stay strings.

Notes
-----
Every cell is first turned into text (:func:`~bassin_lib.inputs.sources._cells.cell_text`), so
that codes keep their leading zeros and numbers are parsed once, in one place, for CSV files and
workbooks alike.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from bassin_lib.errors import DataFormatError
from bassin_lib.inputs.sources._cells import Table, cell_text, data_error
from bassin_lib.inputs.sources._csv import data_rows

__all__ = [
    "HEADER_SEARCH_ROWS",
    "Table",
    "Workbook",
    "cell_text",
    "decode_text",
    "open_workbook",
    "read_csv_table",
    "wrap_schema_errors",
]

HEADER_SEARCH_ROWS = 15
"""How many rows from the top of a sheet (or lines of a CSV file) are searched for the header."""

CSV_SEPARATORS = (";", ",")
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def _check_file(path: Path) -> None:
    if not path.exists():
        raise data_error("file not found", path)
    if path.is_dir():
        raise data_error("is a directory; expected a file", path)
    if path.stat().st_size == 0:
        raise data_error("empty file (0 bytes); was the download interrupted?", path)


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
            raise data_error(f"{hint}; expected an .xlsx workbook or a .zip holding one", path)
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
            raise data_error(f"damaged zip archive ({exc})", path) from exc
        try:
            self.book = openpyxl.load_workbook(content, read_only=True, data_only=True)
        except Exception as exc:  # any parse failure of a damaged workbook is a format error
            raise data_error(
                f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})", self.source
            ) from exc

    def _pick_member(self, names: list[str], member: str | None) -> str:
        workbooks = [
            n for n in names if n.lower().endswith(".xlsx") and not n.startswith("__MACOSX")
        ]
        if member is not None:
            if member not in names:
                raise data_error(f"the zip holds no {member!r}; it holds {names[:20]}", self.path)
            return member
        if len(workbooks) != 1:
            found = f"{len(workbooks)} .xlsx files ({workbooks[:10]})" if workbooks else "none"
            raise data_error(
                f"expected a zip holding one .xlsx workbook; found {found} among {names[:10]}",
                self.path,
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
            raise data_error(f"no sheet {sheet!r}; sheets present: {self.sheetnames}", self.source)
        try:
            rows = self.book[sheet].iter_rows(values_only=True)
            return _build_table(rows, required, self.source, sheet, until_blank, search_rows)
        except DataFormatError:
            raise
        except Exception as exc:  # damaged sheet XML surfaces while iterating
            raise data_error(
                f"unreadable sheet ({type(exc).__name__}: {exc})", self.source, sheet
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
            raise data_error(f"empty; expected a header row with {required}", source, sheet)
        lacks = [n for n in required if n not in _match_header(best[2], required)]
        present = [c for c in best[2] if c][:12]
        raise data_error(
            f"no header row with columns {required} within the first {search_rows} rows; "
            f"closest is row {best[1]}, which lacks {lacks} (it has {present})",
            source,
            sheet,
        )
    renames = {j: name for name, j in _match_header(header, required).items()}
    keep = [j for j, text in enumerate(header) if text]
    names = [renames.get(j, header[j]) for j in keep]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise data_error(
            f"column(s) {repeated} appear twice on the header row", source, sheet, header_row
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
        raise data_error(
            f"no data row below the header (row {header_row}); truncated file?", source, sheet
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
        raise data_error(
            "holds NUL bytes (UTF-16 text or a binary file?); expected UTF-8 or latin-1 text",
            source,
        )
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as exc:
            raise data_error(
                f"neither UTF-8 (invalid byte at offset {utf8_error.start}) nor "
                f"latin-1/Windows-1252 text (byte {raw[exc.start : exc.start + 1]!r} at offset "
                f"{exc.start}); save the file as UTF-8",
                source,
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
        Index: the row number (line number in the file, 1-based); ``sheet`` is None.

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
        raise data_error("is a zip archive or an .xlsx workbook, not a CSV file", path)
    text, _encoding = decode_text(raw, str(path))
    lines = text.splitlines()
    header_line = separator = None
    best: tuple[int, int, str] = (-1, 0, "")
    for number, line in enumerate(lines[:search_rows], start=1):
        for sep in CSV_SEPARATORS:
            found = _match_header([c.strip().strip('"').strip() for c in line.split(sep)], required)
            if len(found) == len(required):
                header_line, separator = number, sep
                break
            if len(found) > best[0]:
                best = (len(found), number, line)
        if header_line is not None:
            break
    if header_line is None:
        if not any(line.strip() for line in lines):
            raise data_error(f"no text; expected a header line with {required}", path)
        raise data_error(
            f"no header line with columns {required} separated by ',' or ';' within the first "
            f"{search_rows} lines; row {best[1]} reads {best[2][:120]!r}",
            path,
        )
    header_cells = [
        c.strip() for c in next(csv.reader([lines[header_line - 1]], delimiter=separator))
    ]
    repeated = sorted({c for c in header_cells if c and header_cells.count(c) > 1})
    if repeated:
        raise data_error(
            f"column(s) {repeated} appear twice on the header row", path, row=header_line
        )
    records, rows = data_rows(
        path, text, sep=separator, header_row=header_line, width=len(header_cells), pad_short=True
    )
    if not records:
        raise data_error(f"no data row below the header (row {header_line}); truncated file?", path)
    names = list(header_cells)
    for name, j in _match_header(header_cells, required).items():
        names[j] = name
    frame = pd.DataFrame(records, columns=names, index=pd.Index(rows, name="row"), dtype=str)
    return Table(frame, str(path), None, header_line)


def wrap_schema_errors(exc, source: str, name: str) -> DataFormatError:
    """Turn pandera's lazy :class:`SchemaErrors` into one :class:`DataFormatError` line.

    The rows named are the index of the frame validated: keep the file's row numbers as index
    (as :class:`Table` does) to name rows of the file.
    """
    cases = exc.failure_cases.head(5)
    details = "; ".join(
        f"row {row.index}, column {row.column!r}: {row.check} failed for {row.failure_case!r}"
        for row in cases.itertuples()
    )
    return data_error(f"table {name!r} is not valid: {details}", source)
