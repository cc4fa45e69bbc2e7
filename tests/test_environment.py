"""pyproject.toml is the source of truth; requirements.lock pins it; environment.yml mirrors it.

- requirements.lock pins every package (``==`` and sha256 hashes) and each dependency of
  pyproject (runtime and test extras) at a version within pyproject's range;
- environment.yml lists the same packages as pyproject, each ``==``-pinned to the lock's version;
- an environment built by ``./dev.sh`` has exactly the lock's versions installed.
"""

import hashlib
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from bassin_lib import environment

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def _pyproject_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    return [Requirement(r) for r in wanted]


def _lock_entries() -> list[tuple[Requirement, list[str]]]:
    """Each requirement of the lock with its hashes (continuation lines joined, comments off)."""
    text = LOCK.read_text().replace("\\\n", " ")
    entries = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        hashes = re.findall(r"--hash=sha256:(\S+)", line)
        entries.append((Requirement(re.sub(r"--hash=\S+", "", line).strip()), hashes))
    return entries


def test_lock_pins_every_package_with_hashes():
    entries = _lock_entries()
    assert len(entries) > 100  # direct and transitive
    names = [canonicalize_name(req.name) for req, _ in entries]
    assert len(names) == len(set(names))
    for req, hashes in entries:
        (spec,) = req.specifier
        assert spec.operator == "==" and "*" not in spec.version, req
        assert req.url is None and not req.marker, req
        assert hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), req
    # The update command is named in the file itself.
    assert "./dev.sh lock" in LOCK.read_text().split("\n\n", 1)[0]


def test_lock_pins_pyproject_dependencies_within_their_ranges():
    pins = environment.locked_versions(LOCK)
    assert pins == {
        canonicalize_name(req.name): str(req.specifier)[2:] for req, _ in _lock_entries()
    }
    for req in _pyproject_requirements():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in requirements.lock: run ./dev.sh lock"
        assert req.specifier.contains(Version(pins[name]), prereleases=True), (
            f"requirements.lock pins {name}=={pins[name]}, outside pyproject's {req}: "
            "run ./dev.sh lock"
        )
    assert {"import-linter", "pandas", "numpy", "pytest"} <= pins.keys()


def test_environment_yml_mirrors_pyproject_at_the_locked_versions():
    pins = environment.locked_versions(LOCK)
    wanted = {canonicalize_name(req.name) for req in _pyproject_requirements()}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed = dict(_split(d) for d in env["dependencies"] if isinstance(d, str))
    assert listed.pop("python") == "=3.11"
    assert listed.pop("pip") == ""
    assert {canonicalize_name(name) for name in listed} == wanted
    for name, spec in listed.items():
        assert spec == f"=={pins[canonicalize_name(name)]}", (
            f"environment.yml has {name}{spec}, requirements.lock {pins[canonicalize_name(name)]}:"
            " run ./dev.sh lock"
        )


@pytest.mark.skipif(
    not (Path(sys.prefix) / ".installed").is_file(),
    reason="not an environment built by ./dev.sh (no .installed stamp)",
)
def test_environment_built_by_dev_sh_has_the_locked_versions():
    wrong = {}
    for name, version in environment.locked_versions(LOCK).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed is None or Version(installed) != Version(version):
            wrong[name] = (installed, version)
    assert not wrong, f"installed vs locked {wrong}: ./dev.sh run or test reinstalls"


def test_lock_digest_is_the_sha256_of_the_lock_file(tmp_path):
    assert environment.LOCK_FILE == LOCK
    assert environment.lock_digest() == hashlib.sha256(LOCK.read_bytes()).hexdigest()
    lock = tmp_path / "requirements.lock"
    lock.write_text("six==1.17.0 \\\n    --hash=sha256:" + "0" * 64 + "\n")
    assert environment.lock_digest(lock) == hashlib.sha256(lock.read_bytes()).hexdigest()
    assert environment.lock_digest(str(lock)) == environment.lock_digest(lock)
    assert re.fullmatch(r"[0-9a-f]{64}", environment.lock_digest(lock))
    assert environment.locked_versions(lock) == {"six": "1.17.0"}
    lock.write_text("six==1.16.0\n")
    assert environment.lock_digest(lock) != hashlib.sha256(LOCK.read_bytes()).hexdigest()
    assert environment.lock_digest(tmp_path / "absent.lock") is None
    assert environment.locked_versions(tmp_path / "absent.lock") == {}


def test_canonical_name():
    assert environment.canonical_name("Jinja2") == "jinja2"
    assert environment.canonical_name("typing_extensions") == "typing-extensions"
    assert environment.canonical_name("jupyter.server__x") == "jupyter-server-x"


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


NOT_IMPORTED = {
    "ipykernel": "the kernel the notebooks run in (papermill starts it)",
    "jupyterlab": "the notebook's exploring environment and the report's stylesheet",
    "pyarrow": "pandas' parquet engine for the cube",
}
"""Runtime dependencies that bassin_lib uses without importing them, and why."""

IMPORT_NAMES = {"pyyaml": "yaml"}


def test_no_declared_dependency_is_unused():
    """Each runtime dependency is imported by bassin_lib, or is listed with its use above."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    sources = "\n".join(p.read_text() for p in (ROOT / "bassin_lib").rglob("*.py"))
    for requirement in project["dependencies"]:
        name = _split(requirement)[0]
        module = IMPORT_NAMES.get(name, name.replace("-", "_"))
        imported = re.search(rf"^\s*(import|from) {module}\b", sources, flags=re.M)
        assert imported or name in NOT_IMPORTED, f"{name} is declared but bassin_lib never uses it"
