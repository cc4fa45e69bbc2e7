"""A diagnostic-shaped notebook for batch tests: the runner's parameters cell, then one cell."""

from __future__ import annotations

from pathlib import Path

import nbformat


def make_notebook(path: Path, body: str, kernel: str = "python3", extra: str = "") -> Path:
    """Write a notebook whose parameters cell declares what the runner sets (plus ``extra``
    lines) and whose one code cell is ``body``; its kernelspec names ``kernel``."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        'territory = "DA01"\nedition = "x"\ndata_source = "demo"\noutput_dir = None\n'
        f"cube_dir = None\n{extra}"
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    nbformat.write(nb, path)
    return path
