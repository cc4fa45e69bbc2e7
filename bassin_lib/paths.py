"""Paths anchored on the project, never on the working directory."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
NOTEBOOK_DIR = PROJECT_DIR / "notebooks"
DIAGNOSTIC_NOTEBOOK = NOTEBOOK_DIR / "diagnostic.ipynb"
DATA_DIR = PROJECT_DIR / "data"
OUTPUT_DIR = PROJECT_DIR / "outputs"
GROUPS_FILES = {
    "demo": DATA_DIR / "groups-demo.yaml",
    "real": DATA_DIR / "groups.yaml",
}
