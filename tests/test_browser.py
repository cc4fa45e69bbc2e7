"""In a real browser (Debian's chromium, driven by playwright): the index page and a report,
opened from disk (``file://``), work offline, without console errors, failed requests, broken
images or dead links; the index's table sorts and its map links every rendered territory.

Full-page screenshots are kept in ``outputs/browser-test/`` for a person to look at.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from bassin_lib.rendering import index_site
from bassin_lib.running.batch import run_batch

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "outputs" / "browser-test"
TERRITORIES = ["DA01", "DB03", "pole-fictif-alpha"]
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")
PAGE_STATE = """() => ({
  broken_images: Array.from(document.images)
    .filter((img) => !img.complete || img.naturalWidth === 0)
    .map((img) => img.currentSrc || img.src || "(no src)")
    .map((src) => (src.startsWith("data:") ? src.slice(0, 80) : src)),
  links: Array.from(document.querySelectorAll("a[href]")).map((a) => a.getAttribute("href")),
  ids: Array.from(document.querySelectorAll("[id], a[name]")).map((e) => e.id || e.name),
})"""


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    """A small demo edition rendered end to end: two zones and a group of zones."""
    output = tmp_path_factory.mktemp("outputs")
    result = run_batch(
        TERRITORIES,
        data_source="demo",
        edition="navigateur",
        jobs=2,
        output_root=output,
        progress=False,
        log=lambda *_: None,
    )
    status = {r["territory"]: r["status"] for r in result.records}
    assert status == dict.fromkeys(TERRITORIES, "ok"), result.failures
    return result.edition_dir


@pytest.fixture(scope="module")
def browser(chromium_path):
    """Debian's chromium through playwright (never playwright's own downloaded browsers)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
        yield launched
        launched.close()


class Visit:
    """A page opened from disk, with every problem the browser reported while loading it."""

    def __init__(self, browser, path: Path):
        self.path = path
        self.problems: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        page = self.page
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("dialog", self._dialog)
        page.on(
            "requestfailed",
            lambda request: self.problems.append(
                f"failed request: {_short(request.url)} ({request.failure})"
            ),
        )
        page.on("request", self._request)
        page.goto(path.as_uri(), wait_until="load")

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _dialog(self, dialog):
        self.problems.append(f"dialog opened by the page: {dialog.message}")
        dialog.dismiss()

    def _request(self, request):
        if not request.url.startswith(LOCAL_SCHEMES):
            self.problems.append(f"network request (pages must work offline): {request.url}")

    def check(self) -> list[str]:
        """Problems while loading, plus broken images and dead links of the page."""
        state = self.page.evaluate(PAGE_STATE)
        problems = list(self.problems)
        problems += [f"broken image: {src}" for src in state["broken_images"]]
        for href in state["links"]:
            problem = link_problem(href, self.path, set(state["ids"]))
            if problem:
                problems.append(problem)
        return problems

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def _short(url: str) -> str:
    """A URL for a message: whole, except the payload of a data: URL."""
    return url[:80] if url.startswith("data:") else url


def link_problem(href: str, page_path: Path, page_ids: set[str]) -> str | None:
    """Why a link of ``page_path`` is dead or leaves the machine (None when it is fine)."""
    parts = urlsplit(href)
    if parts.scheme in ("http", "https") or href.startswith("//"):
        return f"link to the network (reports must work offline): {href}"
    if parts.scheme not in ("", "file"):
        return f"link with an unexpected scheme: {href}"
    if not parts.path:
        target, ids = page_path, page_ids
    else:
        target = Path(unquote(parts.path))
        target = target if parts.scheme == "file" else page_path.parent / target
        if not target.is_file():
            return f"link to a missing file: {href}"
        ids = None
    fragment = unquote(parts.fragment)
    if fragment:
        if ids is None:
            text = target.read_text(encoding="utf-8", errors="replace")
            found = re.findall(r"""\b(?:id|name)\s*=\s*["']([^"']*)["']""", text)
            ids = {html.unescape(value) for value in found}
        if fragment not in ids:
            return f"link to a missing anchor: {href}"
    return None


def column_keys(page, column: int) -> list[str]:
    """``data-sort`` keys of one column of the index table, in displayed order."""
    return page.eval_on_selector_all(
        "#territoires tbody tr",
        f"rows => rows.map(row => row.cells[{column}].getAttribute('data-sort'))",
    )


def header(page, text: str):
    return page.locator("#territoires thead th", has_text=text)


def test_index_page_opens_from_disk_without_errors_and_maps_every_report(browser, edition):
    visit = Visit(browser, edition / "index.html")
    visit.screenshot("index")
    assert visit.check() == []
    page = visit.page
    map_links = page.eval_on_selector_all(
        "svg a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    assert sorted(map_links) == sorted(f"{t}/diagnostic.html" for t in TERRITORIES)
    titles = page.eval_on_selector_all("svg a title", "ts => ts.map(t => t.textContent)")
    assert any(t.startswith("Pôle fictif Alpha (DA01 + DA02) (groupe de zones) :") for t in titles)
    assert all("taux de chômage" in t and "%" in t for t in titles)
    # the map's links work: clicking DA01's zone opens its report
    page.locator('svg a[href="DA01/diagnostic.html"] path').click()
    page.wait_for_url("**/DA01/diagnostic.html")
    page.close()


def test_index_table_sorts_numerically_by_click_and_keyboard(browser, edition):
    visit = Visit(browser, edition / "index.html")
    page = visit.page
    assert len(column_keys(page, 4)) == 3
    header(page, "Taux de chômage").locator("button").click()
    ascending = column_keys(page, 4)
    assert [float(k) for k in ascending] == sorted(float(k) for k in ascending)
    assert header(page, "Taux de chômage").get_attribute("aria-sort") == "ascending"
    header(page, "Taux de chômage").locator("button").click()
    assert column_keys(page, 4) == ascending[::-1]
    assert header(page, "Taux de chômage").get_attribute("aria-sort") == "descending"
    # keyboard: Tab to a header button, Enter sorts (codes in French collation, numbers within)
    header(page, "Code").locator("button").focus()
    page.keyboard.press("Enter")
    assert column_keys(page, 1) == ["DA01", "DB03", "pole-fictif-alpha"]
    page.keyboard.press("Enter")
    assert column_keys(page, 1) == ["pole-fictif-alpha", "DB03", "DA01"]
    assert visit.check() == []
    page.close()


def test_sorting_is_numeric_not_textual_and_labels_stay_text(browser, tmp_path):
    """French-formatted figures (« 10,2 % » before « 9,5 % » as text) sort by their value;
    missing figures stay last; a label made of HTML shows as text and runs nothing."""
    evil = "<script>alert(1)</script>"
    records = [
        {"territory": t, "label": t if t != "B" else evil, "status": "ok", "seconds": s}
        | {"error": "", "report": f"{t}/diagnostic.html"}
        for t, s in [("A", 9.0), ("B", 10.5), ("C", 100.0), ("D", 2.0)]
    ]
    headline = {
        "A": {"unemployment_rate": 9.5},
        "B": {"unemployment_rate": 10.2},
        "C": {"unemployment_rate": None},
        "D": {"unemployment_rate": 100.0},
    }
    page_path = tmp_path / "index.html"
    page_path.write_text(
        index_site.render_index(records, "essai", None, headline), encoding="utf-8"
    )
    for record in records:
        (tmp_path / record["report"]).parent.mkdir()
        (tmp_path / record["report"]).write_text("<p>rapport</p>", encoding="utf-8")
    visit = Visit(browser, page_path)
    page = visit.page

    def codes():
        return column_keys(page, 1)

    header(page, "Taux de chômage").locator("button").click()
    assert codes() == ["A", "B", "D", "C"]  # 9,5 < 10,2 < 100,0, missing last
    header(page, "Taux de chômage").locator("button").click()
    assert codes() == ["D", "B", "A", "C"]  # missing still last
    header(page, "Durée").locator("button").click()
    assert codes() == ["D", "A", "B", "C"]  # 2 < 9 < 10,5 < 100
    assert evil in page.inner_text("#territoires")
    assert visit.check() == []
    page.close()


def test_report_opens_from_disk_without_errors_broken_images_or_dead_links(browser, edition):
    visit = Visit(browser, edition / "DA01" / "diagnostic.html")
    visit.screenshot("DA01")
    assert visit.check() == []
    images = visit.page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(images) >= 6 and min(images) > 0
    visit.page.close()


def test_the_checks_catch_errors_broken_images_and_dead_links(browser, tmp_path):
    """The checker itself: a page built to fail shows every kind of problem."""
    (tmp_path / "other.html").write_text('<p id="here">autre</p>', encoding="utf-8")
    page_path = tmp_path / "broken.html"
    page_path.write_text(
        """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>x</title></head>
<body id="top"><img src="missing.png" alt=""><img src="data:image/png;base64,AAAA" alt="">
<a href="#top">ok</a><a href="other.html#here">ok</a><a href="#nowhere">a</a>
<a href="other.html#nowhere">b</a><a href="absent.html">c</a><a href="https://example.org/">d</a>
<script>console.error("boom"); undefinedFunction();</script></body></html>""",
        encoding="utf-8",
    )
    visit = Visit(browser, page_path)
    problems = visit.check()
    visit.page.close()
    expected = [
        "console error: boom",
        "page error: ",
        "failed request: " + (tmp_path / "missing.png").as_uri(),
        "broken image: " + (tmp_path / "missing.png").as_uri(),
        "broken image: data:image/png;base64,AAAA",
        "link to a missing anchor: #nowhere",
        "link to a missing anchor: other.html#nowhere",
        "link to a missing file: absent.html",
        "link to the network (reports must work offline): https://example.org/",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
    assert not any("#top" in p or "other.html#here" in p for p in problems)
