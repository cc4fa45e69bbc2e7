"""The notebook reads like the report: short cells, no logic, no name shadowing a module, and
every cell re-runs in any order after the setup cell (as a researcher does in JupyterLab)."""

import ast
import json

import nbformat
import pytest
from nbclient import NotebookClient

from bassin_lib.paths import DIAGNOSTIC_NOTEBOOK

MAX_LINES = 15


def _notebook():
    return nbformat.read(str(DIAGNOSTIC_NOTEBOOK), as_version=4)


def _code(cell) -> str:
    return "\n".join(line for line in cell.source.splitlines() if not line.startswith("%"))


def test_code_cells_are_short_and_stored_without_outputs():
    for i, cell in enumerate(_notebook().cells):
        if cell.cell_type != "code":
            continue
        assert len(cell.source.strip().splitlines()) <= MAX_LINES, f"cell {i} is too long"
        assert cell.outputs == [] and cell.execution_count is None, f"cell {i} has outputs"


def test_no_name_shadows_a_module_or_an_import():
    imported, assigned = set(), set()
    for cell in _notebook().cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(_code(cell))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                imported |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                assigned.add(node.id)
    assert imported and not imported & assigned, imported & assigned


def test_no_control_flow_in_the_notebook():
    """Availability and plumbing live in bassin_lib.rendering.sections, not in cells."""
    for i, cell in enumerate(_notebook().cells):
        if cell.cell_type == "code":
            tree = ast.parse(_code(cell))
            loops = [n for n in ast.walk(tree) if isinstance(n, ast.If | ast.For | ast.While)]
            assert not loops, f"cell {i} carries logic"


@pytest.mark.slow
def test_every_cell_reruns_in_any_order_after_the_setup_cell(tmp_path):
    nb = _notebook()
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    parameters, setup, rest = code[0], code[1], code[2:]
    nb.cells[parameters].source += f"\noutput_dir = {str(tmp_path)!r}"
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    with client.setup_kernel():
        for index in [parameters, setup, *reversed(rest), *rest, rest[-1], *rest]:
            client.execute_cell(nb.cells[index], index)
            errors = [o for o in nb.cells[index].outputs if o.output_type == "error"]
            assert not errors, (index, errors)
    assert (tmp_path / "indicators.json").exists()
    recorded = json.loads((tmp_path / "provenance.json").read_text(encoding="utf-8"))
    numbers = [figure["number"] for figure in recorded["figures"]]
    # DA01's thirteen charts (three of them temporary work), each once despite the re-runs
    assert numbers == list(range(1, 14))
