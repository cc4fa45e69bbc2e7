"""The warm engine's execution manager writes the executed notebook once, when it ends."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from bassin_lib.running.engine import WrittenAtEnd


def _manager(tmp_path):
    nb = new_notebook(cells=[new_code_cell("1 + 1"), new_code_cell("2 + 2")])
    nb.metadata["papermill"] = {}
    for cell in nb.cells:
        cell.metadata["papermill"] = {}
    return WrittenAtEnd(nb, output_path=str(tmp_path / "out.ipynb"), progress_bar=False)


def test_cells_do_not_write_the_notebook_its_end_does(tmp_path):
    manager = _manager(tmp_path)
    manager.notebook_start()
    for index, cell in enumerate(manager.nb.cells):
        manager.cell_start(cell, index)
        manager.cell_complete(cell, index)
    assert not (tmp_path / "out.ipynb").exists()
    manager.notebook_complete()
    written = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert [c.metadata.papermill["status"] for c in written.cells] == ["completed"] * 2


def test_a_failed_run_still_writes_its_notebook(tmp_path):
    manager = _manager(tmp_path)
    manager.notebook_start()
    cell = manager.nb.cells[0]
    manager.cell_start(cell, 0)
    manager.cell_exception(cell, 0)
    manager.cell_complete(cell, 0)
    manager.notebook_complete()  # papermill calls it in a finally
    written = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert written.metadata.papermill["exception"] is True
    assert written.cells[0].metadata.papermill["status"] == "failed"
