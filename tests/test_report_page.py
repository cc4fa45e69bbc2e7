"""The report page: table of contents, and one marked timestamp block as the only variable part."""

import re
from datetime import datetime

import nbformat

from bassin_lib.rendering import blocks as report


def _notebook():
    nb = nbformat.v4.new_notebook()
    out = nbformat.v4.new_code_cell("x")
    out.outputs = [
        nbformat.v4.new_output("display_data", data={"text/markdown": "# Titre\n\nTexte."})
    ]
    nb.cells = [
        out,
        nbformat.v4.new_markdown_cell("## 1. Identité\n\nUn.\n\n### Détail & suite"),
        nbformat.v4.new_markdown_cell("## Annexe : sources"),
    ]
    return nb


def test_contents_link_every_section_and_subsection():
    html = report.notebook_to_html(_notebook(), "Essai")
    nav = html[html.index('<nav class="toc"') : html.index("</nav>")]
    links = re.findall(r'<a href="#([^"]+)">(.*?)</a>', nav)
    assert [text for _, text in links] == [
        "1. Identité",
        "Détail &amp; suite",
        "Annexe : sources",
    ]
    for anchor, _ in links:
        assert html.count(f'id="{anchor}"') == 1
    # the contents come after the title, before the first section
    assert html.index("<h1") < html.index('<nav class="toc"') < html.index('id="section-1"')


def test_only_the_marked_timestamp_differs_between_two_renderings():
    notebook = _notebook()  # (cell ids are random: one notebook, rendered twice)
    first = report.notebook_to_html(notebook, "Essai", generated_at=datetime(2026, 3, 12, 9, 5))
    second = report.notebook_to_html(notebook, "Essai", generated_at=datetime(2027, 1, 2, 18, 0))
    assert first != second
    assert report.strip_timestamp(first) == report.strip_timestamp(second)
    assert "Document produit le 12 mars 2026 à 09:05." in first
    assert first.count(report.TIMESTAMP_START) == 1 and first.count(report.TIMESTAMP_END) == 1
    assert "produit le" not in report.strip_timestamp(first)


def test_text_from_data_cannot_carry_a_script_or_a_script_link():
    label = "Pôle <script>alert(1)</script> [clic](javascript:alert(2)) [site](https://insee.fr)"
    markdown = report.escape_markdown_html(f"# {label}")
    assert "<script" not in markdown and "javascript:" not in markdown
    assert "[clic](#)" in markdown and "[site](https://insee.fr)" in markdown
