"""Embedded default data: a deterministic synthetic dataset in the canonical tables.

Nothing here describes a real place. Zone codes are ``D`` + a region letter + two digits
(``"DA01"``), which no INSEE code can be (INSEE zone codes are four digits); regions are ``"RA"``,
``"RB"``...; labels end with « (fictive) ». Every page rendered from these data says they are
synthetic (:data:`SYNTHETIC_NOTICE`).

What is generated, for ``n_zones`` zones spread over ``n_regions`` regions (plus France, the sum
or the weighted mean of all zones), with a fixed seed:

- ``zones``: the référentiel (code, label, region, départements) and a map of polygons in a
  fictitious planar coordinate system (kilometres, no real projection);
- ``employment``: quarterly private salaried jobs 2010-Q1 .. 2024-Q4 by NAF A17 sector, raw
  (``brut``, with a sector-specific seasonal pattern) and seasonally adjusted (``cvs``: the same
  series without the seasonal factor, as the model that generated it knows it), with a Covid-like
  shock in 2020 whose depth (``resilience``) and recovery (``rebound``) differ by zone;
- ``jobseekers``: end-of-quarter registered job seekers, categories A, B, C, rounded to 10;
- ``unemployment_rate``: quarterly rates by zone, and for regions and France rebuilt from the
  synthetic unemployed and labour-force counts, as a publisher would;
- ``income_poverty``: poverty rate, median living standard, deciles D1 and D9, 2018-2021;
- ``population``: yearly population 2006-2024;
- ``interim`` (monthly, raw), ``interim_quarterly`` (seasonally adjusted: end-of-quarter
  temporary workers, quarterly mean of full-time equivalents) and ``interim_profile`` (yearly
  2019-2024, temporary workers by sex, age band and monthly hours): temporary workers by sector
  of the user establishment (:data:`INTERIM_SECTORS`), about 2 to 8 % of private employment
  (more in industrial zones), with a Covid collapse in spring 2020 whose depth follows the
  zone's ``resilience``. They are drawn from their own random stream (:data:`INTERIM_STREAM`),
  so that adding them left every other table unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bassin_lib.errors import ParameterError
from bassin_lib.inputs import schemas

SEED = 2020
SYNTHETIC_NOTICE = (
    "Données synthétiques : ce diagnostic est produit à partir de données fictives générées par "
    "bassin_lib (jeu de démonstration, graine {seed}). Les territoires, les chiffres et les "
    "cartes ne décrivent aucun territoire réel."
)
SOURCE_LINE = "Source : données synthétiques (jeu de démonstration bassin_lib)"
SYNTHETIC_DATASET = {
    "producer": "données synthétiques",
    "title": "jeu de démonstration bassin_lib",
    "vintage": None,
}
"""What the provenance sidecar says of every demo table (``meta["datasets"]``)."""

# NAF rév. 2, aggregation A17 (private sectors; agriculture is outside the Urssaf scope).
SECTORS = {
    "C1": "Industries agro-alimentaires",
    "C2": "Cokéfaction et raffinage",
    "C3": "Équipements électriques, électroniques, informatiques ; machines",
    "C4": "Fabrication de matériels de transport",
    "C5": "Autres produits industriels",
    "DE": "Énergie, eau, déchets",
    "FZ": "Construction",
    "GZ": "Commerce ; réparation d'automobiles",
    "HZ": "Transports et entreposage",
    "IZ": "Hébergement et restauration",
    "JZ": "Information et communication",
    "KZ": "Activités financières et d'assurance",
    "LZ": "Activités immobilières",
    "MN": "Activités scientifiques et techniques ; services administratifs (dont intérim)",
    "OQ": "Enseignement, santé, action sociale (privé)",
    "RU": "Autres activités de services",
}
# National shares of private employment, trend growth per quarter (%), Covid sensitivity,
# seasonal amplitude (%) and the quarter of the seasonal peak.
_SECTOR_MODEL = {
    #      share  trend  shock  season peak
    "C1": (0.035, 0.05, 0.4, 1.5, 3),
    "C2": (0.001, -0.3, 0.3, 0.0, 1),
    "C3": (0.030, -0.15, 0.8, 0.3, 2),
    "C4": (0.025, -0.20, 1.3, 0.3, 2),
    "C5": (0.090, -0.25, 0.8, 0.4, 2),
    "DE": (0.020, 0.05, 0.2, 0.0, 1),
    "FZ": (0.075, 0.00, 0.9, 1.5, 3),
    "GZ": (0.165, 0.10, 0.7, 1.0, 4),
    "HZ": (0.075, 0.15, 0.8, 0.5, 4),
    "IZ": (0.055, 0.35, 2.5, 6.0, 3),
    "JZ": (0.045, 0.40, 0.3, 0.0, 1),
    "KZ": (0.045, 0.10, 0.1, 0.0, 1),
    "LZ": (0.015, 0.10, 0.3, 0.0, 1),
    "MN": (0.150, 0.35, 1.4, 1.0, 2),
    "OQ": (0.130, 0.35, 0.3, 0.3, 3),
    "RU": (0.044, 0.15, 1.0, 1.0, 2),
}
# National Covid path: quarter-on-quarter change (%) added to the trend, before zone effects.
_COVID_QQ = {
    "2020Q1": -1.6,
    "2020Q2": -1.8,
    "2020Q3": +2.4,
    "2020Q4": -0.5,
    "2021Q1": +0.5,
    "2021Q2": +0.7,
    "2021Q3": +0.6,
    "2021Q4": +0.3,
}
# BMO occupations (FAP codes and labels of the survey), with the share of projects judged
# difficult and seasonal that the synthetic zones scatter around.
OCCUPATIONS = {
    "T4Z60": ("Aides à domicile et aides ménagères", 0.75, 0.05),
    "S1X40": ("Serveurs de cafés restaurants", 0.65, 0.60),
    "J3X41": ("Conducteurs routiers", 0.70, 0.10),
    "D6Z60": ("Ouvriers non qualifiés des industries de process", 0.45, 0.15),
    "R1Z60": ("Employés de libre-service", 0.40, 0.35),
    "A0Z40": ("Agriculteurs salariés", 0.45, 0.85),
    "B4Z41": ("Ouvriers qualifiés du second œuvre du bâtiment", 0.75, 0.05),
    "V5Z81": ("Professionnels de l'animation socioculturelle", 0.40, 0.55),
    "T2A60": ("Agents d'entretien de locaux", 0.50, 0.15),
    "L6Z00": ("Employés administratifs", 0.30, 0.05),
}
SECRET_THRESHOLD = 10  # cells under this many projects are masked, as the survey does
# Temporary work: sectors of the user establishment (the barometer's five), their weight in the
# activity (industry scaled by the zone's industrial tilt), and how deep the spring 2020
# collapse went in each (1 = the national path).
INTERIM_SECTORS = {
    #              weight  depth
    "Industrie": (0.40, 1.15),
    "BTP": (0.16, 1.25),
    "Commerce": (0.10, 0.90),
    "Transports": (0.10, 0.80),
    "Services": (0.24, 1.00),
}
INTERIM_STREAM = 6
"""The temporary-work tables are drawn from ``default_rng([seed, INTERIM_STREAM])``, a stream
independent of the one every other table is drawn from."""
# National temporary-work activity relative to employment, by month (1 = the usual level); the
# months in between are interpolated, the level after the last one kept.
_INTERIM_PATH = {
    "2010-01": 0.96,
    "2018-01": 1.04,
    "2019-12": 1.00,
    "2020-02": 1.00,
    "2020-03": 0.80,
    "2020-04": 0.50,
    "2020-05": 0.58,
    "2020-06": 0.74,
    "2020-08": 0.86,
    "2020-10": 0.92,
    "2020-11": 0.85,
    "2020-12": 0.90,
    "2021-06": 0.98,
    "2022-06": 1.02,
    "2023-06": 0.97,
    "2024-12": 0.91,
}
# Raw monthly pattern of temporary work (summer break, autumn peak), mean 1.
_INTERIM_SEASON = [0.95, 0.97, 0.99, 1.00, 1.01, 1.04, 1.03, 0.90, 1.03, 1.05, 1.04, 0.99]

REGION_NAMES = [
    "Val-de-Brume",
    "Hautes-Marches",
    "Côte-d'Ambre",
    "Plaine-Sourde",
    "Monts-Clairs",
    "Terres-Basses",
    "Lac-Argent",
    "Forêt-Grise",
    "Vent-d'Ouest",
    "Marais-Doré",
]
_PREFIXES = [
    "Val",
    "Mont",
    "Bourg",
    "Roche",
    "Pont",
    "Font",
    "Clair",
    "Haut",
    "Bel",
    "Grand",
    "Vieux",
    "Saint-Armel",
    "Sainte-Odile",
    "Port",
    "Champ",
    "Bois",
    "Ver",
    "Mar",
]
_SUFFIXES = [
    "morin",
    "cresse",
    "ferrand",
    "lac",
    "brune",
    "-sur-Ondine",
    "-les-Forges",
    "-la-Rivière",
    "dieu",
    "rive",
    "-le-Vieux",
    "bel",
    "-en-Brume",
    "-des-Prés",
    "-sous-Roche",
    "garde",
    "vallon",
    "-aux-Saules",
]


@dataclass
class DemoData:
    """The synthetic dataset: référentiel, map, canonical tables and its description."""

    zones: pd.DataFrame
    geometry: object  # geopandas.GeoDataFrame, imported lazily
    tables: dict[str, pd.DataFrame]
    meta: dict = field(default_factory=dict)


def _zone_names(rng: np.random.Generator, n: int) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        name = rng.choice(_PREFIXES) + rng.choice(_SUFFIXES)
        name = name[0].upper() + name[1:]
        if name not in names:
            names.append(name)
    return names


def _quarters(start: str, end: str) -> pd.PeriodIndex:
    return pd.period_range(start, end, freq="Q")


def generate(
    n_zones: int = 30,
    n_regions: int = 3,
    seed: int = SEED,
    start: str = "2010Q1",
    end: str = "2024Q4",
) -> DemoData:
    """Generate the synthetic dataset.

    Parameters
    ----------
    n_zones : int, default 30
        Number of zones (at least 2 per region, at most 99 per region).
    n_regions : int, default 3
        Number of regions (1 to 10).
    seed : int, default 2020
        Seed of the random generator: same arguments, same data, bit for bit.
    start, end : str
        First and last quarter of the quarterly tables; must include 2019Q4..2021Q4.

    Returns
    -------
    DemoData
        ``zones`` (référentiel), ``geometry`` (GeoDataFrame, one polygon per zone), ``tables``
        (canonical tables, validated) and ``meta`` (``synthetic=True``, seed, sources, and
        for the provenance sidecar ``generator`` (function and arguments), ``datasets``
        (producer « données synthétiques », no vintage) and ``files`` (empty: no source file)).
    """
    if not 1 <= n_regions <= len(REGION_NAMES):
        raise ParameterError(f"n_regions={n_regions}: allowed 1 to {len(REGION_NAMES)}")
    if not 2 * n_regions <= n_zones <= 99 * n_regions:
        raise ParameterError(
            f"n_zones={n_zones}: allowed {2 * n_regions} to {99 * n_regions} for {n_regions} regions"
        )
    quarters = _quarters(start, end)
    if pd.Period("2019Q4") not in quarters or pd.Period("2021Q4") not in quarters:
        raise ParameterError(f"quarters {start}..{end} must cover 2019Q4..2021Q4")
    rng = np.random.default_rng(seed)

    zones, geometry = _referentiel(rng, n_zones, n_regions)
    n = len(zones)
    # Zone traits drive every table, so that the tables tell one coherent story.
    traits = pd.DataFrame(
        {
            "population": np.round(np.exp(rng.normal(np.log(90_000), 0.7, n)), -1),
            "industry": rng.lognormal(0.0, 0.45, n),  # tilt towards industry
            "resilience": rng.uniform(0.5, 1.8, n),  # multiplies the shock (higher = worse)
            "rebound": rng.uniform(0.6, 1.4, n),  # multiplies the recovery
            "growth": rng.normal(0.0, 0.12, n),  # own trend, % per quarter
            "hardship": rng.normal(0.0, 1.0, n),  # drives unemployment and poverty
        },
        index=zones["zone"],
    )
    years = pd.period_range("2006", "2024", freq="Y")
    population = _population(rng, traits, years)
    employment = _employment(rng, traits, quarters)
    jobseekers = _jobseekers(rng, traits, quarters)
    unemployment = _unemployment_rate(rng, traits, quarters, zones)
    income = _income_poverty(rng, traits, zones)
    recruitment = _recruitment(rng, traits)
    income_base = _income_base(rng, traits)
    interim, interim_quarterly, interim_profile = _interim(
        np.random.default_rng([seed, INTERIM_STREAM]), traits, employment, quarters
    )
    area = _long(
        pd.DataFrame(
            {pd.Period("2020", "Y"): geometry.set_index("zone").geometry.area.round(1)}
        ).reindex(traits.index)
    )

    tables = {
        "employment": employment,
        "jobseekers": jobseekers,
        "unemployment_rate": unemployment,
        "income_poverty": income,
        "population": population,
        "recruitment_bmo": recruitment,
        "income_base": income_base,
        "area": area,
        "interim": interim,
        "interim_quarterly": interim_quarterly,
        "interim_profile": interim_profile,
    }
    source = f"bassin_lib.inputs.demo.generate(n_zones={n_zones}, seed={seed})"
    tables = {name: schemas.validate(name, t, source) for name, t in tables.items()}
    meta = {
        "data_source": "demo",
        "synthetic": True,
        "seed": seed,
        "n_zones": n_zones,
        "notice": SYNTHETIC_NOTICE.format(seed=seed),
        "sources": {name: SOURCE_LINE for name in tables},
        # provenance (bassin_lib.rendering.provenance): no source file, the generator and its arguments
        "generator": {
            "function": "bassin_lib.inputs.demo.generate",
            "n_zones": n_zones,
            "n_regions": n_regions,
            "seed": seed,
            "start": start,
            "end": end,
        },
        "datasets": {name: dict(SYNTHETIC_DATASET) for name in [*tables, "zones", "geometry"]},
        "files": {},
        "zoning": SOURCE_LINE,
        "france_label": "France (ensemble fictif)",
        "occupations": {code: label for code, (label, _, _) in OCCUPATIONS.items()},
        "sectors": dict(SECTORS),
        "notes": {
            "recruitment_bmo": "Les projets de recrutement sont simulés par zone d'emploi ; les "
            "cellules de moins de 10 projets sont masquées, comme dans l'enquête."
        },
    }
    return DemoData(zones=zones, geometry=geometry, tables=tables, meta=meta)


def _referentiel(rng: np.random.Generator, n_zones: int, n_regions: int):
    import geopandas as gpd
    import shapely
    from shapely.geometry import MultiPoint, box

    per_region = np.full(n_regions, n_zones // n_regions)
    per_region[: n_zones % n_regions] += 1
    names = _zone_names(rng, n_zones)
    rows, polygons = [], []
    k = 0
    cols = int(np.ceil(np.sqrt(n_regions)))
    for r in range(n_regions):
        letter = chr(ord("A") + r)
        x0, y0 = (r % cols) * 230.0, (r // cols) * 230.0
        frame = box(x0, y0, x0 + 220.0, y0 + 220.0)
        n_dep = 2 + r % 3
        strips = [
            box(x0 + 220.0 * i / n_dep, y0, x0 + 220.0 * (i + 1) / n_dep, y0 + 220.0)
            for i in range(n_dep)
        ]
        count = int(per_region[r])
        points = MultiPoint(rng.uniform([x0 + 5, y0 + 5], [x0 + 215, y0 + 215], (count, 2)))
        cells = shapely.voronoi_polygons(points, extend_to=frame).geoms
        # Voronoi cells come in no fixed order: order them by the point they hold.
        cells = [next(c for c in cells if c.contains(p)).intersection(frame) for p in points.geoms]
        order = sorted(range(count), key=lambda i: (-cells[i].centroid.y, cells[i].centroid.x))
        for i, cell_index in enumerate(order, start=1):
            cell = cells[cell_index]
            deps = [
                f"{letter}{j + 1}"
                for j, s in enumerate(strips)
                if cell.intersection(s).area >= 0.05 * cell.area
            ]
            rows.append(
                {
                    "zone": f"D{letter}{i:02d}",
                    "label": f"{names[k]} (fictive)",
                    "region": f"R{letter}",
                    "region_label": f"{REGION_NAMES[r]} (région fictive)",
                    "departements": ",".join(deps),
                }
            )
            polygons.append(cell)
            k += 1
    zones = pd.DataFrame(rows)
    geometry = gpd.GeoDataFrame(
        zones[["zone", "label", "region"]].copy(), geometry=polygons, crs=None
    )
    return zones, geometry


def _long(frame: pd.DataFrame, value_name: str = "value", **constants) -> pd.DataFrame:
    """Wide frame (index zones, columns periods) to canonical long rows at zone level."""
    out = frame.rename_axis(index="code", columns="period").stack().rename(value_name)
    out = out.reset_index()
    out.insert(0, "level", "zone")
    for name, value in constants.items():
        out[name] = value
    out["value"] = out["value"].astype(float)
    return out


def _population(rng, traits, years) -> pd.DataFrame:
    growth = rng.normal(0.002, 0.004, len(traits))
    steps = np.arange(len(years)) - (len(years) - 1)
    values = traits["population"].to_numpy()[:, None] * (1 + growth[:, None]) ** steps[None, :]
    wide = pd.DataFrame(np.round(values), index=traits.index, columns=years)
    return _long(wide)


def _employment(rng, traits, quarters) -> pd.DataFrame:
    n, t = len(traits), len(quarters)
    labels = list(quarters.astype(str))
    covid = np.array([_COVID_QQ.get(q, 0.0) for q in labels])
    frames = []
    total_jobs = 0.27 * traits["population"].to_numpy()
    raw_shares = {}
    for code, (share, _, _, _, _) in _SECTOR_MODEL.items():
        tilt = traits["industry"].to_numpy() if code.startswith("C") else 1.0
        raw_shares[code] = share * tilt * rng.lognormal(0.0, 0.25, n)
    norm = sum(raw_shares.values())
    for code, (_, trend, shock, season, peak) in _SECTOR_MODEL.items():
        level0 = total_jobs * raw_shares[code] / norm
        # quarter-on-quarter growth in %: trend + zone trend + Covid path scaled per zone
        shocks = np.where(
            covid < 0,
            covid[None, :] * shock * traits["resilience"].to_numpy()[:, None],
            covid[None, :] * shock * traits["rebound"].to_numpy()[:, None],
        )
        qq = trend + traits["growth"].to_numpy()[:, None] + shocks
        qq = qq + rng.normal(0.0, 0.15, (n, t))
        qq[:, 0] = 0.0
        sa = level0[:, None] * np.cumprod(1 + qq / 100.0, axis=1)
        phase = 2 * np.pi * (np.arange(t) % 4 - (peak - 1)) / 4
        factor = 1 + season / 100.0 * np.cos(phase)
        raw = sa * factor[None, :] * (1 + rng.normal(0.0, 0.002, (n, t)))
        for adjustment, values in (("cvs", sa), ("brut", raw)):
            wide = pd.DataFrame(np.round(values), index=traits.index, columns=quarters)
            frames.append(_long(wide, sector=code, adjustment=adjustment))
    sectors = pd.concat(frames, ignore_index=True)
    total = sectors.groupby(["level", "code", "period", "adjustment"], as_index=False)[
        "value"
    ].sum()
    total["sector"] = "TOTAL"
    return pd.concat([total, sectors], ignore_index=True)[
        ["level", "code", "period", "sector", "adjustment", "value"]
    ]


def _jobseekers(rng, traits, quarters) -> pd.DataFrame:
    n = len(traits)
    labels = list(quarters.astype(str))
    years = np.array([q.year + (q.quarter - 1) / 4 for q in quarters])
    # national cycle of the ABC stock, relative to 2010: up to 2016, down to 2019, Covid bump
    cycle = np.interp(years, [2010, 2016, 2019.75, 2022, 2024.75], [1.0, 1.22, 1.12, 1.02, 1.04])
    base = 0.085 * traits["population"].to_numpy() * np.exp(0.15 * traits["hardship"].to_numpy())
    frames = []
    for category, share, covid in (
        (
            "A",
            0.55,
            {
                "2020Q1": 0.01,
                "2020Q2": 0.22,
                "2020Q3": 0.10,
                "2020Q4": 0.08,
                "2021Q1": 0.07,
                "2021Q2": 0.04,
                "2021Q3": 0.02,
            },
        ),
        ("B", 0.14, {"2020Q2": -0.30, "2020Q3": -0.05, "2020Q4": -0.03}),
        (
            "C",
            0.31,
            {"2020Q1": -0.02, "2020Q2": -0.35, "2020Q3": -0.06, "2020Q4": -0.02, "2021Q1": 0.02},
        ),
    ):
        bump = np.array([covid.get(q, 0.0) for q in labels])
        sensitivity = traits["resilience"].to_numpy()[:, None]
        values = (
            base[:, None]
            * share
            * cycle[None, :]
            * (1 + bump[None, :] * sensitivity)
            * (1 + rng.normal(0.0, 0.01, (n, len(quarters))))
        )
        wide = pd.DataFrame(np.round(values, -1), index=traits.index, columns=quarters)
        frames.append(_long(wide, category=category))
    return pd.concat(frames, ignore_index=True)[["level", "code", "period", "category", "value"]]


def _unemployment_rate(rng, traits, quarters, zones) -> pd.DataFrame:
    years = np.array([q.year + (q.quarter - 1) / 4 for q in quarters])
    national = np.interp(
        years,
        [2010, 2015.25, 2019.75, 2020.25, 2020.75, 2022.5, 2024.75],
        [9.0, 10.3, 8.1, 7.2, 8.9, 7.2, 7.4],
    )
    n = len(traits)
    level = 7.5 + 1.8 * traits["hardship"].to_numpy() + rng.normal(0, 0.3, n)
    level = np.clip(level, 3.5, 18.0)
    swing = traits["resilience"].to_numpy()
    rates = level[:, None] + (national[None, :] - 8.0) * swing[:, None]
    rates = np.clip(rates + rng.normal(0.0, 0.08, rates.shape), 2.0, 30.0)
    labour_force = 0.46 * traits["population"].to_numpy()
    unemployed = rates / 100.0 * labour_force[:, None]
    wide = pd.DataFrame(np.round(rates, 1), index=traits.index, columns=quarters)
    out = [_long(wide)]
    # Regions and France rebuilt from counts, as INSEE publishes them.
    region_of = zones.set_index("zone")["region"].reindex(traits.index).to_numpy()
    for level_name, keys in (("region", region_of), ("france", np.full(n, schemas.FRANCE_CODE))):
        u = pd.DataFrame(unemployed, columns=quarters).groupby(keys).sum()
        lf = pd.Series(labour_force).groupby(keys).sum()
        agg = _long(np.round(u.div(lf, axis=0) * 100, 1))
        agg["level"] = level_name
        out.append(agg)
    return pd.concat(out, ignore_index=True)[["level", "code", "period", "value"]]


def _income_poverty(rng, traits, zones) -> pd.DataFrame:
    years = pd.period_range("2018", "2021", freq="Y")
    n = len(traits)
    hardship = traits["hardship"].to_numpy()
    poverty0 = np.clip(13.5 + 2.6 * hardship + rng.normal(0, 0.6, n), 6.0, 30.0)
    median0 = np.clip(21_900 - 900 * hardship + rng.normal(0, 400, n), 17_000, 30_000)
    indicators = {}
    drift = np.arange(len(years))
    indicators["poverty_rate"] = np.round(
        poverty0[:, None] + 0.1 * drift + rng.normal(0, 0.2, (n, len(years))), 1
    )
    indicators["median_living_standard"] = np.round(median0[:, None] * (1.012**drift), -1)
    indicators["d1"] = np.round(
        indicators["median_living_standard"] * rng.uniform(0.50, 0.56, (n, 1)), -1
    )
    indicators["d9"] = np.round(
        indicators["median_living_standard"] * rng.uniform(1.75, 2.0, (n, 1)), -1
    )
    weights = traits["population"].to_numpy()
    region_of = zones.set_index("zone")["region"].reindex(traits.index).to_numpy()
    out = []
    for name, values in indicators.items():
        wide = pd.DataFrame(values, index=traits.index, columns=years)
        out.append(_long(wide, indicator=name))
        # Regions and France: population-weighted, the publisher's own (synthetic) figures.
        for level_name, keys in (
            ("region", region_of),
            ("france", np.full(n, schemas.FRANCE_CODE)),
        ):
            weighted = wide.mul(weights, axis=0).groupby(keys).sum()
            agg = weighted.div(pd.Series(weights).groupby(keys).sum().to_numpy(), axis=0)
            agg = _long(agg.round(1 if name == "poverty_rate" else -1), indicator=name)
            agg["level"] = level_name
            out.append(agg)
    return pd.concat(out, ignore_index=True)[["level", "code", "period", "indicator", "value"]]


def _recruitment(rng, traits) -> pd.DataFrame:
    """BMO-like hiring projects by zone and occupation for 2024, small cells masked (NaN)."""
    n = len(traits)
    rows = []
    for code, (_, difficult, seasonal) in OCCUPATIONS.items():
        weight = rng.uniform(0.5, 1.5)
        projects = np.round(
            0.0007 * traits["population"].to_numpy() * weight * rng.lognormal(0.0, 0.9, n)
        )
        hard = np.round(projects * np.clip(rng.normal(difficult, 0.08, n), 0, 1))
        season = np.round(projects * np.clip(rng.normal(seasonal, 0.05, n), 0, 1))
        masked = projects < SECRET_THRESHOLD
        for measure, values in (("projects", projects), ("difficult", hard), ("seasonal", season)):
            values = np.where(masked, np.nan, values)
            rows.append(
                pd.DataFrame(
                    {
                        "level": "zone",
                        "code": traits.index,
                        "period": pd.Period("2024", "Y"),
                        "occupation": code,
                        "measure": measure,
                        "value": values.astype(float),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def _income_base(rng, traits) -> pd.DataFrame:
    """Captured income by base (euros), 2015 and 2020: productive income follows the zone's
    industrial tilt, social income its hardship; everything scales with population."""
    n = len(traits)
    population = traits["population"].to_numpy()
    base = {
        "productive": 0.20 * traits["industry"].to_numpy() ** 0.8,
        "public": rng.uniform(0.15, 0.24, n),
        "social": 0.14 * np.exp(0.12 * traits["hardship"].to_numpy()),
        "pensions": rng.uniform(0.20, 0.32, n),
        "commuting": rng.uniform(0.04, 0.16, n),
        "tourism": rng.lognormal(np.log(0.05), 0.6, n),
    }
    drift = {
        "productive": -0.01,
        "public": 0.0,
        "social": 0.008,
        "pensions": 0.01,
        "commuting": 0.006,
        "tourism": 0.0,
    }
    rows = []
    for year, step in (("2015", 0), ("2020", 1)):
        for component, weights in base.items():
            euros = population * 21_000 * np.clip(weights + step * drift[component], 0.005, None)
            rows.append(
                pd.DataFrame(
                    {
                        "level": "zone",
                        "code": traits.index,
                        "period": pd.Period(year, "Y"),
                        "component": component,
                        "value": np.round(euros, -3),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def _interim(rng, traits, employment, quarters):
    """Temporary workers by zone and sector: monthly raw (``interim``), quarterly seasonally
    adjusted (``interim_quarterly``) and a yearly profile (``interim_profile``).

    A zone's temporary workers are a share of its private jobs (CVS) that grows with its
    industrial tilt, spread over the sectors of :data:`INTERIM_SECTORS`, and follow the
    national path :data:`_INTERIM_PATH`, whose dips are deepened by the zone's ``resilience``
    and the sector's depth. Full-time equivalents fall further than heads in a collapse (shorter
    missions). Only ``rng`` (a stream of its own) is drawn from.
    """
    n = len(traits)
    months = pd.period_range(quarters[0].asfreq("M", "start"), quarters[-1].asfreq("M", "end"))
    position = np.arange(len(months))
    anchors = [months.get_loc(pd.Period(m, "M")) for m in _INTERIM_PATH]
    path = np.interp(position, anchors, list(_INTERIM_PATH.values()))
    season = np.array(_INTERIM_SEASON)[months.month - 1]
    total = employment[(employment["sector"] == "TOTAL") & (employment["adjustment"] == "cvs")]
    jobs = total.pivot(index="code", columns="period", values="value").reindex(traits.index)
    jobs = jobs[quarters].to_numpy()[:, months.asfreq("Q").map(quarters.get_loc)]
    industry = traits["industry"].to_numpy()
    rate = np.clip(0.022 + 0.018 * industry + rng.normal(0.0, 0.004, n), 0.012, 0.12)
    weights = {
        sector: weight * (industry if sector == "Industrie" else 1.0) * rng.lognormal(0, 0.2, n)
        for sector, (weight, _) in INTERIM_SECTORS.items()
    }
    norm = sum(weights.values())
    sensitivity = 0.5 + 0.5 * traits["resilience"].to_numpy()[:, None]
    monthly, adjusted = [], []
    for sector, (_, depth) in INTERIM_SECTORS.items():
        dip = np.clip((1.0 - path[None, :]) * sensitivity * depth, -0.5, 0.85)
        noise = 1 + rng.normal(0.0, 0.015, (n, len(months)))
        heads = (rate * weights[sector] / norm)[:, None] * jobs * (1 - dip) * noise
        fte = heads * np.clip(0.92 - 0.2 * np.clip(dip, 0, None), 0.5, 1.0)
        for measure, values in (("jobs", heads), ("fte", fte)):
            raw = pd.DataFrame(
                np.round(values * season[None, :]), index=traits.index, columns=months
            )
            monthly.append(_long(raw, sector=sector, measure=measure))
            cvs = pd.DataFrame(values, index=traits.index, columns=months)
            by_quarter = cvs.T.groupby(months.asfreq("Q"))
            quarter = by_quarter.last() if measure == "jobs" else by_quarter.mean()
            adjusted.append(_long(np.round(quarter.T), sector=sector, measure=measure))
    tables = []
    for frames in (monthly, adjusted):
        sectors = pd.concat(frames, ignore_index=True)
        all_sectors = sectors.groupby(["level", "code", "period", "measure"], as_index=False)[
            "value"
        ].sum()
        all_sectors["sector"] = "TOTAL"
        tables.append(
            pd.concat([all_sectors, sectors], ignore_index=True)[
                ["level", "code", "period", "sector", "measure", "value"]
            ]
        )
    interim, interim_quarterly = tables
    return interim, interim_quarterly, _interim_profile(rng, traits, interim)


def _interim_profile(rng, traits, interim) -> pd.DataFrame:
    """Temporary workers living in each zone by sex, age band and monthly hours, 2019-2024: the
    year's mean headcount split by shares scattered around national ones (more men in industrial
    zones; longer hours after 2020, shorter in 2020)."""
    n = len(traits)
    heads = interim[(interim["sector"] == "TOTAL") & (interim["measure"] == "jobs")]
    heads = heads.assign(year=heads["period"].dt.year)
    heads = heads[heads["year"] >= 2019].groupby(["code", "year"])["value"].mean().unstack()
    heads = heads.reindex(traits.index)
    men = np.clip(
        0.70 + 0.06 * (traits["industry"].to_numpy() - 1) + rng.normal(0, 0.02, n), 0.5, 0.9
    )
    young = np.clip(0.26 + 0.01 * traits["hardship"].to_numpy() + rng.normal(0, 0.02, n), 0.15, 0.4)
    senior = np.clip(rng.normal(0.17, 0.02, n), 0.08, 0.3)
    short = np.clip(rng.normal(0.33, 0.03, n), 0.15, 0.5)
    long = np.clip(rng.normal(0.30, 0.03, n), 0.15, 0.5)
    rows = []
    for year in heads.columns:
        step = year - 2019
        covid = 0.06 if year == 2020 else 0.0
        under_70h = np.clip(short - 0.012 * step + covid, 0.05, 0.7)
        over_150h = np.clip(long + 0.02 * step - covid, 0.05, 0.7)
        shares = {
            ("sex", "men"): men - 0.003 * step,
            ("sex", "women"): 1 - (men - 0.003 * step),
            ("age", "under_25"): young,
            ("age", "25_49"): 1 - young - senior,
            ("age", "50_plus"): senior,
            ("hours", "under_70h"): under_70h,
            ("hours", "70_150h"): 1 - under_70h - over_150h,
            ("hours", "over_150h"): over_150h,
        }
        for (dimension, category), share in shares.items():
            rows.append(
                pd.DataFrame(
                    {
                        "level": "zone",
                        "code": traits.index,
                        "period": pd.Period(str(year), "Y"),
                        "dimension": dimension,
                        "category": category,
                        "value": np.round(heads[year].to_numpy() * share),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)
