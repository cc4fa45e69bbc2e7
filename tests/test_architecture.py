"""The folders are the data flow: running -> rendering -> analysis -> inputs, never the
reverse, checked by import-linter with the contracts of pyproject.toml."""

import shutil
import subprocess
import sys
from pathlib import Path

from bassin_lib.paths import PACKAGE_DIR, PROJECT_DIR

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess:
    """Run lint-imports with root's pyproject.toml on root's copy of bassin_lib."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_layers_contract_holds():
    result = _lint(PROJECT_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contract_fails_on_a_forbidden_import(tmp_path):
    """Self-test: the data layer importing the rendering layer breaks the contract."""
    shutil.copytree(PACKAGE_DIR, tmp_path / "bassin_lib", ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(PROJECT_DIR / "pyproject.toml", tmp_path / "pyproject.toml")
    cube = tmp_path / "bassin_lib" / "inputs" / "cube.py"
    cube.write_text(cube.read_text() + "\nfrom bassin_lib.rendering import narrative  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout and "bassin_lib.inputs.cube" in result.stdout
