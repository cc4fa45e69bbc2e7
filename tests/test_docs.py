"""Docs that hold: every document the code cites is in the repository, and the README's layout
section is the package's tree."""

import re

from bassin_lib.paths import PACKAGE_DIR, PROJECT_DIR


def _sources():
    return [p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts]


def test_every_cited_document_exists():
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        for cited in re.findall(r"docs/[\w-]+\.md", text):
            assert (PROJECT_DIR / cited).exists(), f"{path.name} cites missing {cited}"
        # the seeds' digest (domain.md and its sections) is not part of the repository
        assert not re.search(r"domain(\.md)?\s*§|§\s*\d", text), f"{path.name} cites domain.md"


def _layout_block() -> str:
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout and data flow", 1)[1].split("\n## ", 1)[0]
    return section.split("```", 2)[1]


def test_readme_layout_matches_the_tree():
    block = _layout_block()
    named = set(re.findall(r"bassin_lib/[\w/]+(?:\.py|/)", block))
    for entry in named:
        assert (PROJECT_DIR / entry).exists(), f"README names {entry}, which does not exist"
    modules = {
        p.relative_to(PROJECT_DIR).as_posix()
        for p in _sources()
        if p.name != "__init__.py" and "sources" not in p.parts
    }
    folders = {
        p.relative_to(PROJECT_DIR).as_posix() + "/"
        for p in PACKAGE_DIR.iterdir()
        if p.is_dir() and p.name != "__pycache__"
    }
    missing = {m for m in modules | folders if m not in block and m.rsplit("/", 1)[-1] not in block}
    assert not missing, f"README layout does not mention {sorted(missing)}"
