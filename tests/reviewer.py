"""What a reviewer checks when reading a rendered diagnostic (used by the end-to-end tests on the
demo and on the real files): every section of the mission in order, no code, no programmer's
debris, no English, every chart titled with its period and with a « Source : » line."""

from __future__ import annotations

import json
import re
from pathlib import Path

SECTIONS = [
    "1. Identité du territoire et méthode",
    "2. Modèle de développement",
    "3. Cohésion sociale",
    "4. Emploi salarié privé",
    "5. Demandeurs d'emploi",
    "6. Intérim",
    "7. Recrutement",
    "8. Enjeux et préconisations",
    "Annexe : sources et méthode",
]
DEBRIS = [
    "Traceback",
    "Error:",
    "Warning:",
    "DataFrame",
    "dtype",
    "<Figure",
    "object at 0x",
    "<bound ",
    "None",
    "NaN",
    "nan %",
    "inf %",
    "Period(",
    "Timestamp(",
    "{'",
    "[nan",
]
# Common English words that are not French words; a report must contain none of them.
ENGLISH = {
    "the", "and", "of", "with", "from", "for", "this", "that", "which", "rate", "employment",
    "unemployment", "jobseekers", "share", "change", "growth", "income", "poverty", "missing",
    "value", "level", "period", "chart", "group", "territory", "approximate", "lower", "bound",
    "true", "false", "warning", "error", "data", "none", "sector", "workers", "jobs", "hiring",
    "quarter", "year", "total_jobs", "region", "country", "between", "against", "yes", "no",
}  # fmt: skip
YEAR = re.compile(r"\b(19|20)\d{2}\b")


def visible_text(html: str) -> str:
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    body = re.sub(r'src="data:[^"]*"', "", body)
    body = re.sub(r"<[^>]+>", " ", body)
    body = body.replace("&nbsp;", " ").replace("&#39;", "'").replace("&amp;", "&")
    return re.sub(r"\s+", " ", body.replace("\u00a0", " ").replace("\u202f", " "))


def assert_reads_as_a_french_diagnostic(folder: Path) -> None:
    """The report of ``folder`` (``diagnostic.html`` + ``provenance.json``) passes review."""
    html = (folder / "diagnostic.html").read_text(encoding="utf-8")
    headings = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html)]
    assert headings == SECTIONS, headings
    # no code: no input area, no plain-text (repr) output, no stream output
    body = html.split("</style>")[-1]
    assert "jp-CodeMirrorEditor" not in body and 'class="highlight' not in body
    assert "text/plain" not in body and "jp-OutputArea-stream" not in body
    text = visible_text(html)
    for debris in DEBRIS:
        assert debris not in text, debris
    # folder paths (data/analyses/…), the product's name and the French term of art
    # « shift-share » are not prose
    prose = re.sub(r"\S*/\S*|shift-share|bassin_lib", " ", text, flags=re.I)
    # whole words, accents included: « Andéol » is not the English « and »
    words = {w.lower() for w in re.findall(r"[^\W\d]+", prose)}
    assert not words & ENGLISH, sorted(words & ENGLISH)
    # (the glossary's formulas use subscripts such as g_i: tables are left out of this check)
    sentences = re.sub(
        r"\S*/\S*|bassin_lib", " ", visible_text(re.sub(r"<table.*?</table>", "", html, flags=re.S))
    )
    identifiers = re.findall(r"\b[a-z]+_[a-z_]+\b", sentences)
    assert not identifiers, identifiers
    assert "(enquête BMO)" in text or "BMO" not in text.upper()
    # every chart: a title with its period (maps that only locate the territory excepted)
    # and a « Source : » line naming a producer
    provenance = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    figures = provenance["figures"]
    assert len(figures) == html.count("<img"), "one provenance entry per image"
    assert figures
    for figure in figures:
        locating = figure["function"] == ["bassin_lib.rendering.maps.territory_in_region"]
        assert locating or YEAR.search(figure["title"]), figure["title"]
        for dataset in figure["datasets"]:
            assert dataset["source_line"].startswith("Source : "), dataset
            assert dataset["producer"], dataset
