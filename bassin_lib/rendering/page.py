"""The report page: an executed notebook exported to one standalone HTML file, without code.

nbconvert's JupyterLab layout, through the ``diagnostic`` template of
``templates/nbconvert/`` (no script fetched from a network). Python prepares data; the
template writes every tag:

- :class:`ReportPreprocessor` leaves out what a reader should not see (stderr streams, code
  cells without output) and lists the sections for the table of contents (:class:`Contents`);
- :class:`ReportExporter` renders Markdown as nbconvert does, giving each section heading
  (``h2``, ``h3``) its anchor ``section-1``, ``section-2``…;
- the template writes the table of contents (« Sommaire ») before the first section and the
  date of rendering at the foot of the page, between :data:`TIMESTAMP_START` and
  :data:`TIMESTAMP_END`.

Rendering is pure (notebook → HTML string); writing the file is the caller's atomic step.

Stylesheet: by default a page holds everything, JupyterLab's ~260 KB stylesheet included. A
batch shares that stylesheet instead: it writes :func:`shared_stylesheet` once per edition and
passes its relative URL (``stylesheet="../diagnostic.css"``); each page then links it, and keeps
inline only a few essentials (page width, fonts, tables, images, the contents box, the notice) so
that it still reads well copied alone.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import nbformat
from jinja2 import pass_context
from markupsafe import Markup
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor

NBCONVERT_TEMPLATES = Path(__file__).resolve().parent / "templates" / "nbconvert"
"""Folder of the nbconvert template ``diagnostic`` (``index.html.j2`` and ``conf.json``)."""
TIMESTAMP_START = "<!-- horodatage : début -->"
TIMESTAMP_END = "<!-- horodatage : fin -->"
"""Markers around the date of rendering, the one part of a page that changes from run to run
(written by the template; :func:`strip_timestamp` cuts between them)."""
CONTENTS_LEVELS = (2, 3)
"""Heading levels listed in the table of contents: sections and subsections."""
STYLESHEET_START = "<!-- feuille de style : début -->"
STYLESHEET_END = "<!-- feuille de style : fin -->"
STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
"""What :func:`shared_stylesheet` reads out of a rendered page (it writes no tag)."""
"""Markers around JupyterLab's stylesheet in a self-contained page (written by the template;
:func:`shared_stylesheet` reads between them)."""


def notebook_to_html(
    notebook, title: str, generated_at: datetime | None = None, stylesheet: str | None = None
) -> str:
    """Executed notebook (node or path) → standalone HTML string without code or prompts.

    Figures are embedded as PNG data; error output stays visible, stderr streams (library
    warnings) are left out of the reader's page but kept in the ``.ipynb``. A table of contents
    (« Sommaire ») links every section (``h2``) and subsection (``h3``). The page ends with the
    one part that changes from run to run, the date of rendering, between the
    :data:`TIMESTAMP_START` and :data:`TIMESTAMP_END` markers: everything else is the same
    bytes for the same inputs (:func:`strip_timestamp`).

    Parameters
    ----------
    notebook : NotebookNode or str or Path
        The executed notebook; it is not modified.
    title : str
        Title of the page (``<title>``).
    generated_at : datetime, optional
        Date of rendering shown at the foot of the page (default: now).
    stylesheet : str, optional
        URL, relative to the page, of a file holding :func:`shared_stylesheet` (e.g.
        ``"../diagnostic.css"``; writing it is the caller's business): the page links it
        instead of holding JupyterLab's stylesheet, and keeps inline only the essentials that
        make it readable without it. Default (None): a self-contained page, everything inline.

    Returns
    -------
    str
        The page.
    """
    if not isinstance(notebook, nbformat.NotebookNode):
        notebook = nbformat.read(str(notebook), as_version=4)
    resources = {
        "report_title": title,
        "generated_on": _french_datetime(generated_at),
        "stylesheet": stylesheet,
    }
    body, resources = _exporter().from_notebook_node(notebook, resources=resources)
    resources["contents"].check_all_shown()
    return body


@functools.cache
def shared_stylesheet() -> str:
    """JupyterLab's stylesheet as a self-contained page holds it: the file a batch shares.

    Returns
    -------
    str
        CSS text: what :func:`notebook_to_html` inlines when ``stylesheet`` is None, besides
        the essentials (code highlighting and JupyterLab's stylesheet: the same template, read
        between :data:`STYLESHEET_START` and :data:`STYLESHEET_END`), for the file that pages
        rendered with ``stylesheet`` link.
    """
    html = notebook_to_html(nbformat.v4.new_notebook(), "", generated_at=datetime(2000, 1, 1))
    inline = html[html.index(STYLESHEET_START) + len(STYLESHEET_START) : html.index(STYLESHEET_END)]
    blocks = STYLE_BLOCK.findall(inline)
    return "\n".join(block.strip("\n") + "\n" for block in blocks)


def strip_timestamp(html: str) -> str:
    """The page without its date of rendering: equal for equal inputs."""
    start, end = html.find(TIMESTAMP_START), html.find(TIMESTAMP_END)
    if start < 0 or end < 0:
        return html
    return html[:start] + html[end + len(TIMESTAMP_END) :]


def _french_datetime(when: datetime | None = None) -> str:
    """« 12 mars 2026 à 09:05 » (now when ``when`` is None)."""
    from babel.dates import format_datetime

    when = when or datetime.now().astimezone()
    return format_datetime(when, "d MMMM y 'à' HH:mm", locale="fr_FR")


@dataclass(frozen=True)
class Heading:
    """A section of the table of contents.

    Attributes
    ----------
    level : int
        2 for a section, 3 for a subsection.
    anchor : str
        ``id`` of the heading in the page (``"section-1"``).
    text : Markup
        The heading's content as the page shows it (HTML rendered from its Markdown).
    """

    level: int
    anchor: str
    text: Markup


@dataclass
class Contents:
    """The table of contents of one page, from the notebook (:class:`ReportPreprocessor`).

    The template shows :attr:`headings` before :attr:`start`; while the page is rendered,
    each section heading takes its anchor in turn (:meth:`anchor_for`), so that a heading and
    its entry always agree.

    Attributes
    ----------
    headings : list of Heading
        Every ``h2`` and ``h3`` of the page, in order.
    start : NotebookNode or None
        The Markdown cell, or the Markdown output of a code cell, holding the first heading.
    """

    headings: list[Heading] = field(default_factory=list)
    start: object = None
    _shown: int = field(default=0, init=False, repr=False)

    def add(self, level: int, text: str) -> str:
        """Record the next heading of the notebook; returns its anchor."""
        anchor = f"section-{len(self.headings) + 1}"
        self.headings.append(Heading(level, anchor, Markup(text)))
        return anchor

    def anchor_for(self, level: int, text: str) -> str:
        """The anchor of the next heading the page shows (the one listed next).

        Raises
        ------
        RuntimeError
            When the page shows a heading the contents do not list next (a Markdown text
            the preprocessor did not read): the contents would link the wrong places.
        """
        expected = self.headings[self._shown] if self._shown < len(self.headings) else None
        if expected is None or (expected.level, str(expected.text)) != (level, text):
            raise RuntimeError(
                f"table of contents out of step: the page shows h{level} {text!r}, "
                f"the contents list {expected!r} next"
            )
        self._shown += 1
        return expected.anchor

    def check_all_shown(self) -> None:
        """Raise RuntimeError when a listed heading was not shown in the page."""
        if self._shown != len(self.headings):
            missing = [h.anchor for h in self.headings[self._shown :]]
            raise RuntimeError(f"table of contents lists headings the page lacks: {missing}")


class _NumberedRenderer(IPythonRenderer):
    """nbconvert's Markdown renderer, handing each ``h2``/``h3`` to ``on_heading`` (which
    returns its anchor, written as the heading's ``id``)."""

    def __init__(self, on_heading=None, **options):
        super().__init__(**options)
        self.on_heading = on_heading

    def heading(self, text: str, level: int, **attrs) -> str:
        if self.on_heading is not None and level in CONTENTS_LEVELS:
            attrs["id"] = self.on_heading(level, text)
        return super().heading(text, level, **attrs)


class ReportExporter(HTMLExporter):
    """nbconvert's HTML exporter whose Markdown headings carry the contents' anchors."""

    def render_markdown(
        self, source: str, attachments=None, path: str = "", on_heading=None
    ) -> str:
        """Markdown → HTML exactly as nbconvert's ``markdown2html`` filter, except that each
        ``h2``/``h3`` takes the ``id`` returned by ``on_heading(level, text)``."""
        renderer = _NumberedRenderer(
            on_heading,
            escape=False,
            attachments=attachments or {},
            embed_images=self.embed_images,
            path=path,
            anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=self.exclude_anchor_links,
            **self.lexer_options,
        )
        return MarkdownWithMath(renderer=renderer).render(source)

    @pass_context
    def markdown2html(self, context, source):
        """The template's ``markdown2html`` filter: headings anchored from the contents."""
        resources = context.get("resources", {})
        contents = resources.get("contents")
        return self.render_markdown(
            source,
            attachments=context.get("cell", {}).get("attachments", {}),
            path=resources.get("metadata", {}).get("path", ""),
            on_heading=contents.anchor_for if contents is not None else None,
        )


class ReportPreprocessor(Preprocessor):
    """Prepare an executed notebook for the reader's page.

    - stderr streams (library warnings) are removed from the outputs;
    - code cells left without output are removed (they show nothing, and papermill gives
      its injected cell a random id: without them, equal inputs give equal bytes);
    - the page title is ``resources["report_title"]`` when given;
    - ``resources["contents"]`` lists every section heading (:class:`Contents`), read from
      the Markdown cells and the Markdown outputs, in the order of the page.

    Its parent must be a :class:`ReportExporter` (it renders the Markdown as the page does).
    """

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.get("outputs", []) if not _is_stderr(o)]
        nb.cells = [c for c in nb.cells if c.cell_type != "code" or c.outputs]
        if resources.get("report_title"):
            nb.metadata["title"] = resources["report_title"]
        resources["contents"] = self._contents(nb, resources)
        return nb, resources

    def _contents(self, nb, resources) -> Contents:
        contents = Contents()
        path = resources.get("metadata", {}).get("path", "")
        for cell in nb.cells:
            pieces = []
            if cell.cell_type == "markdown":
                pieces.append((cell, cell.source))
            elif cell.cell_type == "code":
                pieces += [
                    (output, output.data["text/markdown"])
                    for output in cell.outputs
                    if self._shown_type(output) == "text/markdown"
                ]
            for node, source in pieces:
                before = len(contents.headings)
                self.parent.render_markdown(
                    source,
                    attachments=cell.get("attachments", {}),
                    path=path,
                    on_heading=contents.add,
                )
                if before == 0 and contents.headings:
                    contents.start = node
        return contents

    def _shown_type(self, output) -> str | None:
        """The MIME type the page shows for a rich output (the first in display priority)."""
        if output.get("output_type") not in ("display_data", "execute_result"):
            return None
        return next((t for t in self.display_data_priority if t in output.get("data", {})), None)


class SharedStylesheetPreprocessor(Preprocessor):
    """With a shared stylesheet (``resources["stylesheet"]``), leave the code highlighting's
    CSS out of the page: :func:`shared_stylesheet` holds it.

    It must run after nbconvert's ``CSSHTMLHeaderPreprocessor``, which puts that CSS in
    ``resources["inlining"]["css"]`` for the template to inline.
    """

    def preprocess(self, nb, resources):
        if resources.get("stylesheet"):
            resources["inlining"] = {"css": []}
        return nb, resources


def _is_stderr(output) -> bool:
    return output.get("output_type") == "stream" and output.get("name") == "stderr"


@functools.cache
def _exporter() -> ReportExporter:
    """The exporter, built once per process (loading the template and its CSS is costly)."""
    exporter = ReportExporter(
        extra_template_basedirs=[str(NBCONVERT_TEMPLATES)],
        template_name="diagnostic",
        preprocessors=[ReportPreprocessor],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
        language_code="fr",
    )
    # registered last: after nbconvert's own preprocessors (CSSHTMLHeaderPreprocessor)
    exporter.register_preprocessor(SharedStylesheetPreprocessor, enabled=True)
    return exporter
