"""CSV helpers shared by the Urssaf, DARES and France Travail readers: decoding (UTF-8 with or
without BOM, else Windows-1252), separator checks, counts with masked tokens as NaN, zero-padding
of codes that lost their leading zeros, duplicate and regional-part handling. Every error names
the file, the line and the column."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from bassin_lib.errors import DataFormatError

#: Cell contents read as a masked (secret) or missing figure, compared case-insensitively.
MASKED_TOKENS = frozenset({"", "*", "s", "secret", "nd", "n.d."})
_SEPARATOR_NAMES = {";": "semicolon", ",": "comma", "\t": "tab", "|": "pipe"}


def _decode(path: Path) -> str:
    """Text of a CSV file: UTF-8 (BOM optional), else Windows-1252 (a spreadsheet re-save).

    Raises
    ------
    DataFormatError
        Unreadable, empty or binary file, or bytes that are neither UTF-8 nor Windows-1252.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DataFormatError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    if not raw.strip():
        raise DataFormatError(f"{path}: the file is empty; expected a CSV header and data rows")
    if raw[:2] == b"PK" or b"\x00" in raw[:4096]:
        raise DataFormatError(
            f"{path}: binary content (an xlsx workbook, a zip, UTF-16 text?); expected a CSV "
            "text file"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            raise DataFormatError(
                f"{path}: byte {raw[utf8_error.start]:#04x} at offset {utf8_error.start} is "
                "neither UTF-8 nor Windows-1252 (Latin-1) text; expected a CSV text file"
            ) from None


def _header(text: str, sep: str) -> list[str]:
    """Column names of the first line of ``text`` split on ``sep``."""
    first = next(csv.reader(io.StringIO(text, newline=""), delimiter=sep), [])
    return [name.strip() for name in first]


def _separator_hint(text: str, sep: str, required: Sequence[str]) -> str:
    """A sentence naming the separator the header really uses, when that explains a mismatch."""
    for other in _SEPARATOR_NAMES:
        if other != sep and set(required) <= set(_header(text, other)):
            return (
                f"; the header is {_SEPARATOR_NAMES[other]}-separated ({other!r}) but this "
                f"layout is {_SEPARATOR_NAMES[sep]}-separated ({sep!r})"
            )
    return ""


def _read_csv(
    path: Path, text: str, *, sep: str, required: Sequence[str], layout: str
) -> pd.DataFrame:
    """Data rows of a delimited text as a frame of stripped strings.

    Every row must have as many fields as the header (a truncated last line or a stray
    separator is an error, never a row padded with empty cells); blank lines are skipped. The
    extra column ``_line`` holds each row's line number in the file (the header is line 1).

    Raises
    ------
    DataFormatError
        Missing required columns (with a hint when the separator is the cause), duplicated
        column names, a row of the wrong width, unreadable CSV, or no data row.
    """
    header = _header(text, sep)
    missing = [name for name in required if name not in header]
    if missing:
        raise DataFormatError(
            f"{path}: line 1 (header): missing column(s) {missing} of the {layout}; "
            f"found {header}{_separator_hint(text, sep, required)}"
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise DataFormatError(f"{path}: line 1 (header): column(s) {repeated} appear twice")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    next(reader)
    width = len(header)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for row in reader:
            if not any(field.strip() for field in row):
                continue
            if len(row) != width:
                raise DataFormatError(
                    f"{path}: line {reader.line_num} has {len(row)} field(s), expected {width} "
                    f"({_SEPARATOR_NAMES.get(sep, sep)}-separated like the header): "
                    "truncated file, or a separator inside an unquoted value?"
                )
            rows.append([field.strip() for field in row])
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise DataFormatError(f"{path}: line {reader.line_num}: unreadable CSV ({exc})") from None
    if not rows:
        raise DataFormatError(f"{path}: header only, no data rows ({layout})")
    frame = pd.DataFrame(rows, columns=header, dtype=str)
    frame["_line"] = lines
    return frame


def _first(frame: pd.DataFrame, mask: pd.Series) -> pd.Series:
    """The first row of ``frame`` where ``mask`` holds."""
    return frame.loc[mask[mask].index[0]]


def _counts(
    frame: pd.DataFrame,
    column: str,
    path: Path,
    *,
    decimal_comma: bool = False,
    what: str = "a count",
) -> pd.Series:
    """Column of non-negative figures as floats; masked cells (:data:`MASKED_TOKENS`) are NaN.

    Spaces (also non-breaking) are thousands separators; with ``decimal_comma`` a comma is the
    decimal mark (French CSVs).

    Raises
    ------
    DataFormatError
        Naming the file, line and column of the first cell that is neither a number nor a masked
        token, or of the first negative figure.
    """
    raw = frame[column]
    masked = raw.str.casefold().isin(MASKED_TOKENS)
    cleaned = raw.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    if decimal_comma:
        cleaned = cleaned.str.replace(",", ".", regex=False)
    values = pd.to_numeric(cleaned.where(~masked, "nan"), errors="coerce").astype(float)
    bad = ~masked & ~np.isfinite(values)
    if bad.any():
        row = _first(frame, bad)
        raise DataFormatError(
            f"{path}: line {row['_line']}, column {column!r}: {row[column]!r} is not a number "
            f"(expected {what}, or '*', 's' or an empty cell for a masked figure); "
            f"{int(bad.sum())} such cell(s)"
        )
    negative = values < 0
    if negative.any():
        row = _first(frame, negative)
        raise DataFormatError(
            f"{path}: line {row['_line']}, column {column!r}: negative figure {row[column]!r} "
            f"(expected {what} ≥ 0); {int(negative.sum())} such cell(s)"
        )
    return values


def _pad_codes(codes: pd.Series, width: int) -> pd.Series:
    """Zero-pad purely numeric codes shorter than ``width`` (``"51"`` → ``"0051"``).

    A code such as ``"0051"`` loses its leading zeros when a CSV is opened in a spreadsheet and
    saved again; official codes are never shorter than ``width``, so padding restores them.
    """
    short = codes.str.fullmatch(rf"\d{{1,{width - 1}}}")
    return codes.where(~short, codes.str.zfill(width))


def _check_pattern(
    frame: pd.DataFrame, column: str, values: pd.Series, pattern: str, path: Path, expected: str
) -> None:
    """Raise naming the first line whose ``values`` does not fully match ``pattern``."""
    bad = ~values.str.fullmatch(pattern)
    if bad.any():
        row = _first(frame, bad)
        raise DataFormatError(
            f"{path}: line {row['_line']}, column {column!r}: {row[column]!r} is not {expected}; "
            f"{int(bad.sum())} such cell(s)"
        )


def _duplicates_error(
    path: Path, frame: pd.DataFrame, keys: Sequence[str], why: str, where: str = "on lines"
) -> None:
    """Raise if rows repeat the same ``keys``, naming the first repeated keys and their lines.

    ``frame["_line"]`` holds the line (or sheet row) numbers; ``where`` introduces them.
    """
    repeated = frame.duplicated(list(keys), keep=False)
    if not repeated.any():
        return
    groups = frame[repeated].groupby(list(keys), sort=False)["_line"].apply(list)

    def named(key) -> dict[str, str]:
        values = key if isinstance(key, tuple) else (key,)
        return {name: str(v) for name, v in zip(keys, values, strict=True)}

    shown = "; ".join(f"{named(key)} {where} {lines}" for key, lines in list(groups.items())[:3])
    raise DataFormatError(
        f"{path}: duplicated rows for the same keys ({why}): {shown}"
        + (f" and {len(groups) - 3} more" if len(groups) > 3 else "")
    )


def _sum_parts(frame: pd.DataFrame, keys: Sequence[str], columns: Sequence[str]) -> pd.DataFrame:
    """Sum ``columns`` over the rows sharing ``keys``; a sum over a masked (NaN) part is NaN."""
    grouped = frame.groupby(list(keys), sort=True, observed=True)
    sums = grouped[list(columns)].sum(min_count=1)
    any_masked = frame[list(columns)].isna().groupby([frame[k] for k in keys], sort=True).any()
    return sums.mask(any_masked).reset_index()
