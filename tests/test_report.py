import ast
import inspect
import json
import re

import nbformat
import pytest

from bassin_lib.files import write_atomic
from bassin_lib.rendering import blocks, index_site, page


def test_text_from_data_cannot_inject_html():
    out = blocks.escape_markdown_html("Zone <script>alert(1)</script> & co > 2")
    assert out == "Zone &lt;script>alert(1)&lt;/script> &amp; co > 2"


def test_notebook_to_html_drops_code_prompts_and_stderr_but_keeps_results():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('secret code')")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="résultat visible\n"),
        nbformat.v4.new_output("stream", name="stderr", text="FutureWarning: bruit\n"),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# Titre"), cell]
    html = page.notebook_to_html(nb, "Essai")
    assert "résultat visible" in html and "FutureWarning" not in html
    assert "secret code" not in html and '<html lang="fr">' in html
    assert "<title>Essai</title>" in html
    assert "<script src=" not in html  # nothing fetched from a network


def test_write_atomic_replaces_whole_file(tmp_path):
    path = tmp_path / "a" / "b.json"
    write_atomic(path, json.dumps({"x": 1}))
    write_atomic(path, json.dumps({"x": 2}))
    assert json.loads(path.read_text()) == {"x": 2}
    assert [p.name for p in path.parent.iterdir()] == ["b.json"]


def test_index_escapes_labels_and_shows_status():
    records = [
        {
            "territory": "DA01",
            "label": "<b>Zone</b>",
            "status": "ok",
            "seconds": 1.5,
            "error": "",
            "report": "DA01/diagnostic.html",
        },
        {
            "territory": "XX",
            "label": "territoire inconnu",
            "status": "rejected",
            "seconds": None,
            "error": "unknown territory 'XX'",
            "report": "",
        },
    ]
    html = index_site.render_index(
        records,
        "essai",
        "Données synthétiques",
        {"DA01": {"employment_change_pct": -4.93, "unemployment_rate": 7.26, "poverty_rate": None}},
    )
    assert "&lt;b&gt;Zone&lt;/b&gt;" in html and "<b>Zone</b>" not in html
    assert "-\u00a04,9\u00a0%" in html and "7,3\u00a0%" in html
    assert "refusé" in html and "1 réussi · 0 à jour · 0 échec · 1 refusé" in html


def test_same_inputs_same_html_bytes():
    def executed(injected_id):
        nb = nbformat.v4.new_notebook()
        injected = nbformat.v4.new_code_cell("territory = 'DA01'")
        injected.id = injected_id  # papermill gives the injected cell a random id
        shown = nbformat.v4.new_code_cell("print('x')")
        shown.id = "fixed"
        shown.outputs = [nbformat.v4.new_output("stream", name="stdout", text="résultat\n")]
        nb.cells = [injected, shown]
        return nb

    assert page.notebook_to_html(executed("aaaa1111"), "T") == page.notebook_to_html(
        executed("bbbb2222"), "T"
    )


@pytest.mark.parametrize("module", [blocks, page, index_site])
def test_python_writes_no_html_tag(module):
    """Pages are written by the templates: no string of the code holds a tag (docstrings
    aside), except the markers around the page's date of rendering and its inline stylesheet
    and the pattern that reads a rendered page's style blocks."""
    tree = ast.parse(inspect.getsource(module))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    tags = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and re.search(r"<[A-Za-z/!]", node.value)
    ]
    allowed = [
        page.TIMESTAMP_START,
        page.TIMESTAMP_END,
        page.STYLESHEET_START,
        page.STYLESHEET_END,
        page.STYLE_BLOCK.pattern,
    ]
    assert sorted(tags) == sorted(allowed if module is page else [])
