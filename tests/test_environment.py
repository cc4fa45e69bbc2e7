"""pyproject.toml is the source of truth; environment.yml must list the same packages."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_split(r) for r in project["dependencies"])
    wanted.update(_split(r) for r in project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed = dict(_split(d) for d in env["dependencies"] if isinstance(d, str))
    listed.pop("python"), listed.pop("pip")
    assert listed == wanted


def test_required_dependencies_are_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_split(r)[0] for r in project["dependencies"]}
    assert {
        "jupyterlab",
        "pandas",
        "geopandas",
        "matplotlib",
        "seaborn",
        "papermill",
        "nbconvert",
        "statsmodels",
    } <= names


def test_notebook_is_stored_without_outputs():
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / "diagnostic.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not any(c.outputs or c.execution_count for c in code)
    assert "parameters" in code[0].metadata.get("tags", [])
