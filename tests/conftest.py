"""Shared fixtures: the demo dataset and a tiny hand-made cube whose figures are computed by
hand in the tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bassin_lib.inputs import cube as cube_module
from bassin_lib.inputs import demo
from bassin_lib.inputs.territories import Referentiel

TINY_ZONES = pd.DataFrame(
    {
        "zone": ["0051", "2705", "2714"],
        "label": ["Zone Un", "Zone Deux", "Zone Trois"],
        "region": ["R1", "R1", "R2"],
        "region_label": ["Région Une", "Région Une", "Région Deux"],
        "departements": ["01", "01,02", "03"],
    }
)
TINY_GROUPS = {
    "duo": {"label": "Duo", "zones": ("0051", "2705")},
    "solo": {"label": "Solo", "zones": ("0051",)},
}
QUARTERS = ["2019Q4", "2020Q1", "2020Q2", "2020Q3", "2020Q4"]
EMPLOYMENT = {  # private jobs, seasonally adjusted, total
    "0051": [1000, 980, 950, 990, 960],
    "2705": [2000, 1990, 1970, 2000, 1980],
    "2714": [500, 490, 480, 495, 490],
}


def _rows(level, code, periods, values, freq="Q", **dims):
    return pd.DataFrame(
        {
            "level": level,
            "code": code,
            "period": pd.PeriodIndex(periods, freq=freq),
            **dims,
            "value": [float(v) for v in values],
        }
    )


def tiny_tables() -> dict[str, pd.DataFrame]:
    employment = pd.concat(
        [
            _rows("zone", z, QUARTERS, v, sector="TOTAL", adjustment="cvs")
            for z, v in EMPLOYMENT.items()
        ],
        ignore_index=True,
    )
    jobseekers = pd.concat(
        [
            _rows("zone", "0051", ["2019Q4", "2020Q4"], [100, 110], category="A"),
            _rows("zone", "0051", ["2019Q4", "2020Q4"], [20, 18], category="B"),
            _rows("zone", "0051", ["2019Q4", "2020Q4"], [30, 32], category="C"),
            _rows("zone", "2705", ["2019Q4", "2020Q4"], [200, 210], category="A"),
            _rows("zone", "2705", ["2019Q4", "2020Q4"], [40, 40], category="B"),
            _rows("zone", "2705", ["2019Q4", "2020Q4"], [60, 50], category="C"),
            _rows("zone", "2714", ["2019Q4", "2020Q4"], [50, 60], category="A"),
            _rows("zone", "2714", ["2019Q4", "2020Q4"], [10, 10], category="B"),
            _rows("zone", "2714", ["2019Q4", "2020Q4"], [20, 20], category="C"),
        ],
        ignore_index=True,
    )
    unemployment = pd.concat(
        [
            _rows("zone", "0051", ["2020Q4"], [10.0]),
            _rows("zone", "2705", ["2020Q4"], [6.0]),
            _rows("zone", "2714", ["2020Q4"], [8.0]),
            _rows("region", "R1", ["2020Q4"], [7.0]),
            _rows("france", "FR", ["2020Q4"], [7.5]),
        ],
        ignore_index=True,
    )
    population = pd.concat(
        [
            _rows("zone", "0051", ["2019", "2020"], [90, 100], freq="Y"),
            _rows("zone", "2705", ["2019", "2020"], [310, 300], freq="Y"),
            _rows("zone", "2714", ["2019", "2020"], [100, 100], freq="Y"),
        ],
        ignore_index=True,
    )
    income = pd.concat(
        [
            _rows("zone", "0051", ["2020"], [20.0], freq="Y", indicator="poverty_rate"),
            _rows("zone", "2705", ["2020"], [12.0], freq="Y", indicator="poverty_rate"),
            _rows("zone", "2714", ["2020"], [15.0], freq="Y", indicator="poverty_rate"),
            _rows("region", "R1", ["2020"], [13.0], freq="Y", indicator="poverty_rate"),
            _rows("france", "FR", ["2020"], [14.5], freq="Y", indicator="poverty_rate"),
        ],
        ignore_index=True,
    )
    return {
        "employment": employment,
        "jobseekers": jobseekers,
        "unemployment_rate": unemployment,
        "population": population,
        "income_poverty": income,
    }


@pytest.fixture
def tiny_cube():
    referentiel = Referentiel(TINY_ZONES.copy(), TINY_GROUPS)
    return cube_module.build_cube(tiny_tables(), referentiel, meta={"france_label": "France"})


@pytest.fixture(scope="session")
def demo_data():
    return demo.generate()


@pytest.fixture(scope="session")
def demo_cube():
    """The demo cube (30 fictitious zones, groups, regions, France), built once per session;
    tests must not modify it."""
    from bassin_lib.inputs import datasets

    return datasets.build("demo")


REAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


@pytest.fixture(scope="session")
def real_dir() -> Path:
    """The real official files of ../shared/data/real (never copied into the project)."""
    if not REAL_DIR.is_dir():
        pytest.skip(f"real official files not available: {REAL_DIR} is absent")
    return REAL_DIR


PROPERTY_SECTORS = ["C5", "MN", "GZ", "OQ"]


def sector_frame(jobs):
    """Long employment frame of the zones in ``jobs`` (zone × quarter × sector array) plus
    France = their sum, for property tests; returns the frame and its quarters."""
    n_zones, n_periods, n_sectors = jobs.shape
    periods = pd.period_range("2019Q4", periods=n_periods, freq="Q")
    codes = [f"{i + 1:04d}" for i in range(n_zones)] + ["FR"]
    values = np.concatenate([jobs, jobs.sum(axis=0, keepdims=True)]).astype(float)
    index = pd.MultiIndex.from_product(
        [codes, periods, PROPERTY_SECTORS[:n_sectors]], names=["code", "period", "sector"]
    )
    frame = pd.DataFrame({"value": values.ravel()}, index=index).reset_index()
    frame["level"] = np.where(frame["code"] == "FR", "france", "zone")
    return frame[["level", "code", "period", "sector", "value"]], periods


CHROMIUM_INSTALL = [
    ["apt-get", "update"],
    ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's ``chromium``, installed with apt-get when absent (CI runs as root).

    The browser tests fail, never skip, when chromium can be neither found nor installed.
    """
    import os
    import shutil
    import subprocess

    found = shutil.which("chromium") or shutil.which("chromium", path="/usr/bin")
    if found:
        return found
    if shutil.which("apt-get") is None:
        pytest.fail("chromium is not on PATH and apt-get is absent: install Debian's chromium")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in CHROMIUM_INSTALL:
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, env=environment, timeout=900
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.fail(f"chromium is not on PATH and `{' '.join(command)}` failed: {exc}")
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            pytest.fail(
                f"chromium is not on PATH and `{' '.join(command)}` exited with "
                f"{done.returncode} (the browser tests need root to install it):\n{tail}"
            )
    found = shutil.which("chromium") or shutil.which("chromium", path="/usr/bin")
    if not found:
        pytest.fail("apt-get installed chromium, but no `chromium` executable is on PATH")
    return found
