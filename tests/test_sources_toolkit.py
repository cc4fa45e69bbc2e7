"""One reader toolkit for CSV files and workbooks (bassin_lib.inputs.sources._cells).

The same cell, written in a CSV file and in a workbook, must give the same value (a masked token
is NaN, never 0; French numbers are read alike) or the same error, located in the same format:
``<file>, sheet '<sheet>', row <n>, column '<name>' (<letter>): <problem>``, the sheet and the
letter appearing for workbooks only. Fixtures are tiny files written here; figures are invented.
"""

from __future__ import annotations

import math
import re

import openpyxl
import pytest

from bassin_lib.errors import DataFormatError
from bassin_lib.inputs.sources import francetravail_bmo
from bassin_lib.inputs.sources import urssaf_emploi as urssaf
from bassin_lib.inputs.sources._cells import (
    MASKED_TOKENS,
    data_error,
    locate,
    parse_number,
)
from bassin_lib.inputs.sources._excel import open_workbook, read_csv_table

# What each toolkit accepted as masked before they were merged: the shared set keeps both.
FORMER_WORKBOOK_MARKERS = {"", "s", "nd", "n.d.", "*", "secret", "nc", "ns"}
FORMER_CSV_TOKENS = {"", "*", "s", "secret", "nd", "n.d."}


def write_csv(tmp_path, rows, name="t.csv", sep=";"):
    """A CSV file: header ``zone;value`` then ``rows`` of (zone, value text)."""
    path = tmp_path / name
    lines = [sep.join(["zone", "value"])] + [sep.join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_xlsx(tmp_path, rows, name="t.xlsx", sheet="Data"):
    """A workbook: sheet ``Data``, header row 1 ``zone, value`` then ``rows`` (cells as given)."""
    book = openpyxl.Workbook()
    data = book.active
    data.title = sheet
    data.append(["zone", "value"])
    for row in rows:
        data.append(list(row))
    path = tmp_path / name
    book.save(path)
    return path


def csv_values(path):
    return read_csv_table(path, ["zone", "value"]).floats("value")


def xlsx_values(path):
    with open_workbook(path) as book:
        return book.table("Data", ["zone", "value"]).floats("value")


# --- masked tokens ----------------------------------------------------------------------------


def test_masked_tokens_cover_what_both_toolkits_accepted():
    assert FORMER_WORKBOOK_MARKERS | FORMER_CSV_TOKENS <= MASKED_TOKENS
    assert {"c", "-", "…"} <= MASKED_TOKENS  # secrecy "c", a dash, an ellipsis
    assert "0" not in MASKED_TOKENS


@pytest.mark.parametrize("token", sorted(MASKED_TOKENS - {""}) + ["NC", " S ", "N.D."])
def test_masked_token_is_nan_in_a_csv_and_in_a_workbook(tmp_path, token):
    from_csv = csv_values(write_csv(tmp_path, [("2705", "12"), ("2714", token)]))
    from_xlsx = xlsx_values(write_xlsx(tmp_path, [("2705", 12), ("2714", token)]))
    for values in (from_csv, from_xlsx):
        assert values.tolist()[0] == 12
        assert math.isnan(values.tolist()[1])  # missing, never 0
    assert from_csv.index.tolist() == from_xlsx.index.tolist() == [2, 3]


def test_empty_cell_is_nan_in_a_csv_and_in_a_workbook(tmp_path):
    from_csv = csv_values(write_csv(tmp_path, [("2705", ""), ("2714", "3")]))
    from_xlsx = xlsx_values(write_xlsx(tmp_path, [("2705", None), ("2714", 3)]))
    for values in (from_csv, from_xlsx):
        assert math.isnan(values.tolist()[0]) and values.tolist()[1] == 3


@pytest.mark.parametrize("token", ["nc", "ns", "c", "-"])
def test_readers_of_both_kinds_give_nan_for_a_masked_token(tmp_path, token):
    # Urssaf (CSV): tokens its former toolkit did not know, such as "nc", are masked too
    header = ",".join(urssaf.REDUCED_COLUMNS)
    path = tmp_path / "u.csv"
    path.write_text(f"{header}\n2020,1,2705,100,{token},1\n", encoding="utf-8")
    jobs = urssaf.read(path).set_index("adjustment")["value"]
    assert jobs["brut"] == 100 and math.isnan(jobs["cvs"])
    # BMO (workbook)
    header = ["annee", "Code métier BMO", "Dept", "BE24", "met", "xmet", "smet"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "BMO_2024_open_data"
    sheet.append(header)
    sheet.append([2024, "A1X41", "90", 2733, 87, token, "*"])
    bmo = tmp_path / "bmo.xlsx"
    book.save(bmo)
    rows = francetravail_bmo.read(bmo)
    projects = rows[rows["occupation"] == "A1X41"].set_index("measure")["value"]
    assert projects["projects"] == 87
    assert math.isnan(projects["difficult"]) and math.isnan(projects["seasonal"])


# --- one number parser --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("7,4", 7.4),
        ("7.4", 7.4),
        ("1 234", 1234.0),
        ("1\u00a0234,5", 1234.5),  # no-break space
        ("1\u202f234,5", 1234.5),  # narrow no-break space (French typography)
        ("1\u2009234", 1234.0),  # thin space
        ("-3", -3.0),
        ("\u22123", -3.0),  # typographic minus
        ("0", 0.0),
        ("1e-05", 1e-05),  # as Excel floats are written
        (" 42 ", 42.0),
    ],
)
def test_parse_number_reads_french_numbers(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["abc", "8,6%", "nan", "inf", "--", "1.234,5", "1e999", "1,2,3"])
def test_parse_number_refuses_what_is_not_a_number(text):
    with pytest.raises(ValueError, match="neither a number nor a masked token"):
        parse_number(text)


def test_french_number_reads_the_same_in_a_csv_and_in_a_workbook(tmp_path):
    texts = ["1\u202f980,5", "2\u00a0150", "7,4"]
    rows = [(str(2700 + i), text) for i, text in enumerate(texts)]
    from_csv = csv_values(write_csv(tmp_path, rows))
    from_xlsx = xlsx_values(write_xlsx(tmp_path, rows))
    assert from_csv.tolist() == from_xlsx.tolist() == [1980.5, 2150.0, 7.4]


# --- one error-location format ------------------------------------------------------------------


def test_locate_names_file_sheet_row_and_column():
    assert locate("f.xlsx", "ZE2020", 12, "TP6019", "G") == (
        "f.xlsx, sheet 'ZE2020', row 12, column 'TP6019' (G)"
    )
    assert locate("f.csv", row=3, column="annee") == "f.csv, row 3, column 'annee'"
    assert locate("f.csv", column="Sexe") == "f.csv, column 'Sexe'"
    assert locate("f.csv") == "f.csv"
    error = data_error("found 'x'; expected a number", "f.csv", row=3, column="annee")
    assert isinstance(error, DataFormatError)
    assert str(error) == "f.csv, row 3, column 'annee': found 'x'; expected a number"


def split_error(message):
    """(where, problem) of a located error message."""
    where, problem = message.split(": ", 1)
    return where, problem


@pytest.mark.parametrize("cell", ["abc", "8,6%", "12 ans"])
def test_malformed_cell_gives_the_same_error_in_a_csv_and_in_a_workbook(tmp_path, cell):
    csv_path = write_csv(tmp_path, [("2705", "12"), ("2714", cell)])
    xlsx_path = write_xlsx(tmp_path, [("2705", 12), ("2714", cell)])
    with pytest.raises(DataFormatError) as from_csv:
        csv_values(csv_path)
    with pytest.raises(DataFormatError) as from_xlsx:
        xlsx_values(xlsx_path)
    csv_where, csv_problem = split_error(str(from_csv.value))
    xlsx_where, xlsx_problem = split_error(str(from_xlsx.value))
    assert csv_where == f"{csv_path}, row 3, column 'value'"
    assert xlsx_where == f"{xlsx_path}, sheet 'Data', row 3, column 'value' (B)"
    assert csv_problem == xlsx_problem
    assert csv_problem.startswith(f"found {cell!r}; expected a number or a masked marker (")


def test_negative_count_gives_the_same_error_in_a_csv_and_in_a_workbook(tmp_path):
    csv_path = write_csv(tmp_path, [("2705", "-5")])
    xlsx_path = write_xlsx(tmp_path, [("2705", -5)])
    messages = []
    for path, read in ((csv_path, read_csv_table), (xlsx_path, None)):
        with pytest.raises(DataFormatError) as caught:
            if read is None:
                with open_workbook(path) as book:
                    book.table("Data", ["zone", "value"]).floats("value", nonnegative=True)
            else:
                read(path, ["zone", "value"]).floats("value", nonnegative=True)
        messages.append(str(caught.value))
    assert messages == [
        f"{csv_path}, row 2, column 'value': found '-5'; expected a count or size, 0 or more",
        f"{xlsx_path}, sheet 'Data', row 2, column 'value' (B): found '-5'; expected a count "
        "or size, 0 or more",
    ]


def test_readers_of_both_kinds_locate_a_malformed_cell_alike(tmp_path):
    # Urssaf reads a CSV file, BMO a workbook: same format, same problem for the same cell
    header = ",".join(urssaf.REDUCED_COLUMNS)
    csv_path = tmp_path / "u.csv"
    csv_path.write_text(f"{header}\n2020,1,2705,100,110,1\n2020,2,2705,dix,110,1\n")
    with pytest.raises(DataFormatError) as from_csv:
        urssaf.read(csv_path)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "BMO_2024_open_data"
    sheet.append(["annee", "Code métier BMO", "Dept", "BE24", "met", "xmet", "smet"])
    sheet.append([2024, "A1X41", "90", 2733, 87, 1, 1])
    sheet.append([2024, "A1X42", "90", 2733, "dix", 1, 1])
    xlsx_path = tmp_path / "bmo.xlsx"
    book.save(xlsx_path)
    with pytest.raises(DataFormatError) as from_xlsx:
        francetravail_bmo.read(xlsx_path)
    csv_where, csv_problem = split_error(str(from_csv.value))
    xlsx_where, xlsx_problem = split_error(str(from_xlsx.value))
    assert csv_where == f"{csv_path}, row 3, column 'effectifs_salaries_brut'"
    assert xlsx_where == f"{xlsx_path}, sheet 'BMO_2024_open_data', row 3, column 'met' (E)"
    assert csv_problem == xlsx_problem
    assert re.match(r"found 'dix'; expected a number or a masked marker \(", csv_problem)


def test_malformed_code_gives_the_same_error_in_a_csv_and_in_a_workbook(tmp_path):
    csv_path = write_csv(tmp_path, [("2705", "1"), ("27O5", "2")])
    xlsx_path = write_xlsx(tmp_path, [("2705", 1), ("27O5", 2)])
    with pytest.raises(DataFormatError) as from_csv:
        read_csv_table(csv_path, ["zone", "value"]).codes("zone", "zone")
    with pytest.raises(DataFormatError) as from_xlsx:
        with open_workbook(xlsx_path) as book:
            book.table("Data", ["zone", "value"]).codes("zone", "zone")
    csv_where, csv_problem = split_error(str(from_csv.value))
    xlsx_where, xlsx_problem = split_error(str(from_xlsx.value))
    assert csv_where == f"{csv_path}, row 3, column 'zone'"
    assert xlsx_where == f"{xlsx_path}, sheet 'Data', row 3, column 'zone' (A)"
    assert csv_problem == xlsx_problem and csv_problem.startswith("found '27O5'; expected a zone")


def test_several_bad_cells_are_counted(tmp_path):
    path = write_csv(tmp_path, [("2705", "x"), ("2714", "y"), ("2406", "1")])
    with pytest.raises(
        DataFormatError, match=r"row 2, column 'value': found 'x'; .*\(2 such cells\)"
    ):
        csv_values(path)


def test_repeated_row_with_a_masked_figure_names_both_rows(tmp_path):
    header = ",".join(urssaf.REDUCED_COLUMNS)
    path = tmp_path / "u.csv"
    path.write_text(f"{header}\n2020,1,2705,1,s,1\n2020,1,2714,1,1,1\n2020,1,2705,1,s,1\n")
    with pytest.raises(DataFormatError, match=r"u\.csv: rows 2 and 4 both give zone '2705'"):
        urssaf.read(path)
