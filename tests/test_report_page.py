"""The report page (bassin_lib.rendering.page): table of contents, stderr left out, and one
marked timestamp block as the only variable part."""

import re
from datetime import datetime
from html.parser import HTMLParser

import nbformat
import pytest

from bassin_lib.rendering import blocks, page

NAV = re.compile(r'<nav [^>]*class="toc"[^>]*>(.*?)</nav>', re.S)


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


def _markdown_output(markdown: str, **data):
    cell = nbformat.v4.new_code_cell("show()")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/markdown": markdown, **data})
    ]
    return cell


def _contents(html: str) -> list[tuple[str, str, str]]:
    """(class, anchor, text) of every entry of the page's table of contents."""
    nav = NAV.search(html).group(1)
    return re.findall(r'<li class="([^"]+)"><a href="#([^"]+)">(.*?)</a></li>', nav)


def test_contents_link_every_section_and_subsection():
    html = page.notebook_to_html(_notebook(), "Essai")
    entries = _contents(html)
    assert [(kind, text) for kind, _, text in entries] == [
        ("toc-h2", "1. Identité"),
        ("toc-h3", "Détail &amp; suite"),
        ("toc-h2", "Annexe : sources"),
    ]
    assert [anchor for _, anchor, _ in entries] == ["section-1", "section-2", "section-3"]
    for _, anchor, _ in entries:
        assert html.count(f'id="{anchor}"') == 1
    assert html.count("<nav") == 1 and '<p class="toc-title">Sommaire</p>' in html
    # the contents come after the title, before the first section
    assert html.index("<h1") < NAV.search(html).start() < html.index('id="section-1"')


def test_each_entry_shows_its_heading_as_the_page_does():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("## Taux *localisé* de `chômage` & [Insee](https://insee.fr)")
    ]
    html = page.notebook_to_html(nb, "Essai")
    [(_, anchor, text)] = _contents(html)
    heading = re.search(rf'<h2 id="{anchor}">(.*?)</h2>', html).group(1)
    assert (
        text
        == heading
        == (
            'Taux <em>localisé</em> de <code>chômage</code> &amp; <a href="https://insee.fr">Insee</a>'
        )
    )


def test_sections_of_markdown_outputs_are_listed_in_page_order():
    # a code cell's Markdown output (the analysts' texts, the title block) holds headings too;
    # when it holds the first section, the contents open that output
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _markdown_output("# Titre"),
        _markdown_output("## 1. Identité\n\n### Méthode"),
        nbformat.v4.new_markdown_cell("## 2. Emploi"),
        _markdown_output("### Paroles d'acteurs\n\n#### Commerce"),
    ]
    html = page.notebook_to_html(nb, "Essai")
    assert [(a, t) for _, a, t in _contents(html)] == [
        ("section-1", "1. Identité"),
        ("section-2", "Méthode"),
        ("section-3", "2. Emploi"),
        ("section-4", "Paroles d'acteurs"),
    ]
    assert "<h4>Commerce</h4>" in html  # deeper headings are not listed
    nav = NAV.search(html).start()
    opening = html.rindex('data-mime-type="text/markdown"', 0, nav)  # the output's own box
    assert html.index("</h1>") < opening < nav < html.index('<h2 id="section-1">')
    assert "</div>" not in html[opening:nav]


def test_an_output_shown_as_html_is_not_read_as_markdown():
    # the page shows text/html before text/markdown: its Markdown headings are not on the page
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _markdown_output("## Invisible", **{"text/html": "<p>Vu</p>"}),
        nbformat.v4.new_markdown_cell("## Visible"),
    ]
    html = page.notebook_to_html(nb, "Essai")
    assert [t for _, _, t in _contents(html)] == ["Visible"]
    assert "<p>Vu</p>" in html and "Invisible" not in html


def test_a_page_without_section_has_no_contents():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Seul titre\n\nTexte.")]
    html = page.notebook_to_html(nb, "Essai")
    assert "<nav" not in html and "section-1" not in html


def test_stderr_is_left_out_and_a_cell_with_only_stderr_disappears():
    nb = nbformat.v4.new_notebook()
    shown = nbformat.v4.new_code_cell("print('x')")
    shown.id = "shown"
    shown.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="FutureWarning: bruit\n"),
        nbformat.v4.new_output("stream", name="stdout", text="résultat\n"),
    ]
    noisy = nbformat.v4.new_code_cell("import warnings")
    noisy.id = "noisy"
    noisy.outputs = [nbformat.v4.new_output("stream", name="stderr", text="DeprecationWarning\n")]
    nb.cells = [shown, noisy]
    html = page.notebook_to_html(nb, "Essai")
    assert "résultat" in html and "Warning" not in html
    assert 'id="cell-id=shown"' in html and 'id="cell-id=noisy"' not in html
    # the caller's notebook keeps everything (the .ipynb is written from it)
    assert len(nb.cells) == 2 and len(shown.outputs) == 2


def test_the_exporter_is_built_once_and_keeps_no_state_between_pages():
    assert page._exporter() is page._exporter()
    notebook = _notebook()  # (cell ids are random: one notebook, rendered twice)
    with_sections = page.notebook_to_html(notebook, "A", generated_at=datetime(2026, 1, 1))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("## Seule section")]
    other = page.notebook_to_html(nb, "B", generated_at=datetime(2026, 1, 1))
    assert [a for _, a, _ in _contents(other)] == ["section-1"]
    again = page.notebook_to_html(notebook, "A", generated_at=datetime(2026, 1, 1))
    assert again == with_sections


def test_contents_out_of_step_with_the_page_is_an_error():
    contents = page.Contents()
    assert contents.add(2, "Un") == "section-1"
    assert contents.add(3, "Deux") == "section-2"
    assert contents.anchor_for(2, "Un") == "section-1"
    with pytest.raises(RuntimeError, match="out of step"):
        contents.anchor_for(2, "Autre")
    with pytest.raises(RuntimeError, match="section-2"):
        contents.check_all_shown()


def test_only_the_marked_timestamp_differs_between_two_renderings():
    notebook = _notebook()  # (cell ids are random: one notebook, rendered twice)
    first = page.notebook_to_html(notebook, "Essai", generated_at=datetime(2026, 3, 12, 9, 5))
    second = page.notebook_to_html(notebook, "Essai", generated_at=datetime(2027, 1, 2, 18, 0))
    assert first != second
    assert page.strip_timestamp(first) == page.strip_timestamp(second)
    assert "Document produit le 12 mars 2026 à 09:05." in first
    assert first.count(page.TIMESTAMP_START) == 1 and first.count(page.TIMESTAMP_END) == 1
    assert "produit le" not in page.strip_timestamp(first)
    # the date closes the page, after the notebook's content
    footer = first.index(page.TIMESTAMP_START)
    assert (
        first.index("</main>") < footer < first.index(page.TIMESTAMP_END) < first.index("</body>")
    )
    assert '<footer class="horodatage">' in first[footer:]


def test_text_from_data_cannot_carry_a_script_or_a_script_link():
    label = "Pôle <script>alert(1)</script> [clic](javascript:alert(2)) [site](https://insee.fr)"
    markdown = blocks.escape_markdown_html(f"# {label}")
    assert "<script" not in markdown and "javascript:" not in markdown
    assert "[clic](#)" in markdown and "[site](https://insee.fr)" in markdown


# --- stylesheet: inline by default, shared by a batch -----------------------------------------

LINK = re.compile(r"<link\b[^>]*>")
ESSENTIALS = (
    "body.jp-Notebook { max-width: 60rem;",  # page width
    "body { font-family: system-ui,",  # fonts
    ".jp-RenderedHTMLCommon table {",  # tables
    "img { max-width: 100%; height: auto; }",  # images
    "nav.toc {",  # the contents box
    ".jp-RenderedHTMLCommon blockquote { background: #fff4d6;",  # the notice
)


def test_a_page_holds_its_whole_stylesheet_by_default():
    html = page.notebook_to_html(_notebook(), "Essai")
    assert not LINK.search(html)
    assert html.count(page.STYLESHEET_START) == html.count(page.STYLESHEET_END) == 1
    assert "--jp-content-font-family:" in html and ".highlight .hll" in html
    for rule in ESSENTIALS:
        assert rule in html, rule


def test_a_page_links_a_shared_stylesheet_and_keeps_only_the_essentials_inline():
    when = datetime(2026, 1, 1)
    notebook = _notebook()  # (cell ids are random: one notebook, rendered twice)
    inline = page.notebook_to_html(notebook, "Essai", generated_at=when)
    linked = page.notebook_to_html(notebook, "Essai", generated_at=when, stylesheet="../x.css")
    [link] = LINK.findall(linked)
    assert 'rel="stylesheet"' in link and 'href="../x.css"' in link
    head = linked.split("<body", 1)[0]
    assert link in head and head.index("</style>") < head.index(link)  # the full sheet wins
    assert page.STYLESHEET_START not in linked and page.STYLESHEET_END not in linked
    assert "--jp-content-font-family:" not in linked and ".highlight" not in linked
    for rule in ESSENTIALS:  # readable without the shared file
        assert rule in linked, rule
    assert len(head) < 3000 < 200_000 < len(inline.split("<body", 1)[0])
    # the same body: only where the stylesheet is differs
    assert linked.split("<body", 1)[1] == inline.split("<body", 1)[1]


def test_the_shared_stylesheet_is_what_a_self_contained_page_inlines():
    css = page.shared_stylesheet()
    assert "<style" not in css and "</style>" not in css
    assert "--jp-content-font-family:" in css and ".highlight .hll" in css
    assert "nav.toc" not in css  # the essentials stay in the page
    html = page.notebook_to_html(_notebook(), "Essai")
    inline = html[html.index(page.STYLESHEET_START) : html.index(page.STYLESHEET_END)]
    blocks = re.findall(r"<style[^>]*>(.*?)</style>", inline, flags=re.S)
    assert len(blocks) >= 2 and all(block.strip() in css for block in blocks)
    assert page.shared_stylesheet() is css  # computed once per process


def test_the_stylesheet_address_is_escaped():
    address = 'a"><script>b.css'
    html = page.notebook_to_html(_notebook(), "Essai", stylesheet=address)
    assert "<script" not in html

    class Links(HTMLParser):
        found: list = []

        def handle_starttag(self, tag, attrs):
            if tag == "link":
                self.found.append(dict(attrs))

    Links().feed(html)
    assert Links.found == [{"href": address, "rel": "stylesheet"}]
