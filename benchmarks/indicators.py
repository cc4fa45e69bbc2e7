#!/usr/bin/env python3
"""Indicator timing at France scale: 306 zones × 60 quarters (2010-2024) × 38 sectors (A38).

Prints the time of the cube (aggregation of every table to groups, regions and France) and of
each indicator computed for every geography of the cube at once (zones, regions, France;
``territory=None`` or the vectorised structure, shift-share, income-base, territory and
similarity functions), the total against the 5-second budget (:data:`BUDGET`), and, as the
in-process baseline, the per-territory path (one call per zone, as a notebook does) for three of
the same indicators, with the ratio.

Usage: .venv/bin/python benchmarks/indicators.py [--zones 306]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bassin_lib import analysis as ind  # noqa: E402
from bassin_lib.inputs import cube as cube_module  # noqa: E402
from bassin_lib.inputs import demo  # noqa: E402
from bassin_lib.inputs.territories import Referentiel  # noqa: E402

BUDGET = 5.0
"""Seconds allowed to the cube and every indicator together."""

# A17 demo sectors split into the 38 A38 sectors (synthetic proportions).
A17_TO_A38 = {
    "C1": ["AZ", "CA"],
    "C2": ["CD"],
    "C3": ["CI", "CJ", "CK"],
    "C4": ["CL"],
    "C5": ["BZ", "CB", "CC", "CE", "CF", "CG", "CH", "CM"],
    "DE": ["DZ", "EZ"],
    "FZ": ["FZ"],
    "GZ": ["GZ"],
    "HZ": ["HZ"],
    "IZ": ["IZ"],
    "JZ": ["JA", "JB", "JC"],
    "KZ": ["KZ"],
    "LZ": ["LZ"],
    "MN": ["MA", "MB", "MC", "NZ"],
    "OQ": ["OZ", "PZ", "QA", "QB"],
    "RU": ["RZ", "SZ", "TZ", "UZ"],
}


def a38(employment: pd.DataFrame, seed: int = 38) -> pd.DataFrame:
    """Split each A17 sector row into its A38 sectors with fixed per-zone proportions."""
    rng = np.random.default_rng(seed)
    total = employment[employment["sector"] == "TOTAL"]
    parts = []
    for a17, codes in A17_TO_A38.items():
        rows = employment[employment["sector"] == a17]
        weights = rng.dirichlet(np.ones(len(codes)), size=rows["code"].nunique())
        by_zone = dict(zip(sorted(rows["code"].unique()), weights, strict=True))
        shares = np.vstack(rows["code"].map(by_zone).to_numpy())
        for k, code in enumerate(codes):
            parts.append(rows.assign(sector=code, value=np.round(rows["value"] * shares[:, k])))
    return pd.concat([total, *parts], ignore_index=True)


def similar_for_all(cube, sectors) -> pd.DataFrame:
    """Standardised structure features once, then the 5 nearest zones of every zone."""
    features = ind.structure_features(sectors)
    return pd.concat([ind.similar_zones(features, code) for code in features.index])


def timed(label: str, function, results: dict):
    started = time.perf_counter()
    out = function()
    results[label] = time.perf_counter() - started
    rows = sum(len(t) for t in out.tables.values()) if hasattr(out, "tables") else len(out)
    print(f"  {label:<50} {results[label]:6.2f} s  ({rows:>10,} rows)")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--zones", type=int, default=306)
    args = parser.parse_args()
    data = demo.generate(n_zones=args.zones, n_regions=10)
    tables = dict(data.tables)
    tables["employment"] = a38(tables["employment"])
    n_sectors = tables["employment"]["sector"].nunique() - 1
    n_quarters = tables["employment"]["period"].nunique()
    print(
        f"{args.zones} zones × {n_quarters} quarters × {n_sectors} sectors "
        f"({len(tables['employment']):,} employment rows)"
    )

    results: dict[str, float] = {}
    cube = timed(
        "cube (aggregation to regions, France)",
        lambda: cube_module.build_cube(tables, Referentiel(data.zones), meta=data.meta),
        results,
    )
    sectors = cube.tables["employment"]
    sectors = sectors[sectors["adjustment"] == "cvs"]
    print("indicators, every geography at once:")
    vectorised = {
        "employment_index": lambda: ind.employment_index(cube, None, base="2010Q1"),
        "employment_change (2019Q4-2020Q4)": lambda: ind.employment_change(cube, None),
        "employment_change (2007-2019 window: 2010Q4-2019Q4)": lambda: ind.employment_change(
            cube, None, "2010Q4", "2019Q4"
        ),
        "quarterly_changes": lambda: ind.quarterly_changes(cube, None, "2010Q1", "2024Q4"),
        "crisis_reading": lambda: ind.crisis_reading(cube, None),
        "jobseekers_change": lambda: ind.jobseekers_change(cube, None),
        "unemployment_rate_change": lambda: ind.unemployment_rate_change(
            cube, None, "2019Q4", "2024Q4"
        ),
        "population_change": lambda: ind.population_change(cube, None, "2013", "2024"),
        "sector_shares (all quarters)": lambda: ind.sector_shares(sectors),
        "location_quotients (all quarters)": lambda: ind.location_quotients(sectors),
        "specialisation_indices (all quarters)": lambda: ind.specialisation_indices(sectors),
        "sphere_shares (all quarters)": lambda: ind.sphere_shares(sectors),
        "shift_share (2012Q4-2019Q4)": lambda: ind.shift_share(sectors, "2012Q4", "2019Q4"),
        "dynamic_shift_share (yearly, 2012Q4-2019Q4)": lambda: ind.dynamic_shift_share(
            sectors, "2012Q4", "2019Q4", step=4
        ),
        "income_base_shares + development_model": lambda: ind.development_model(
            ind.income_base_shares(cube.tables["income_base"]), since="2015"
        ),
        "population_density": lambda: ind.population_density(
            cube.tables["population"], cube.tables["area"]
        ),
        "population_growth (2013-2024)": lambda: ind.population_growth(
            cube.tables["population"], "2013", "2024"
        ),
        "labour_force_identity (2019Q4-2024Q4)": lambda: ind.labour_force_identity(
            cube.tables["unemployment_rate"], cube.tables["employment"], "2019Q4", "2024Q4"
        ),
        "jobseeker_shares": lambda: ind.jobseeker_shares(cube.tables["jobseekers"]),
        "similar_zones (k=5, every zone)": lambda: similar_for_all(cube, sectors),
    }
    indicator_time = 0.0
    for label, function in vectorised.items():
        timed(label, function, results)
        indicator_time += results[label]
    total = indicator_time + results["cube (aggregation to regions, France)"]
    print(
        f"total, cube + all indicators: {total:.2f} s (budget {BUDGET:g} s: "
        f"{'met' if total < BUDGET else 'NOT met'})"
    )

    print("baseline, per-territory calls (one per zone) for 3 indicators:")
    zones = [cube.territory(z) for z in data.zones["zone"]]
    started = time.perf_counter()
    for territory in zones:
        ind.employment_change(cube, territory)
        ind.quarterly_changes(cube, territory)
        ind.jobseekers_change(cube, territory)
    loop = time.perf_counter() - started
    same = (
        results["employment_change (2019Q4-2020Q4)"]
        + results["quarterly_changes"]
        + results["jobseekers_change"]
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:,.0f} MB")
    print(
        f"  per-territory loop: {loop:.2f} s ; vectorised: {same:.2f} s ; ratio {loop / same:.1f}x"
    )


if __name__ == "__main__":
    main()
