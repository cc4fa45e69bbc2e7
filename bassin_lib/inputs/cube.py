"""The cube: every canonical table at zone, group, region and France level, built once per batch.

Aggregation rules (documented in the report's method appendix):

- counts (employment, job seekers, population, area, income, hiring projects...) are summed over
  member zones; when a member is
  missing (masked cell) the sum covers the others and is flagged ``lower_bound``;
- rates (unemployment rate, poverty rate, living standards, shares of income composition) are
  taken as published for zones, regions and France; for a group of several zones, or a level the
  source does not publish, they are population-weighted means of the member zones (population of
  the latest year), flagged ``approximate``; a group of one zone equals the zone;
- except when the table also holds the rate's denominator (:data:`EXACT_DENOMINATORS`): the
  poverty rate of Filosofi is a share of the persons of fiscal households, so a group's rate is
  ``Σ rate_z × persons_z / Σ persons_z``, exact (up to the rounding of the published rates), not
  flagged. The counts of a rate table (:data:`COUNT_ROWS`, the persons) are summed. Without the
  denominator for every member (the demo has none), the population-weighted rule applies.

A notebook never aggregates: it loads the cube (:func:`load_cube`) and slices it.
"""

from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bassin_lib.errors import DataFormatError
from bassin_lib.files import write_atomic
from bassin_lib.inputs import schemas
from bassin_lib.inputs.territories import Referentiel, Territory

RATE_TABLES = ("unemployment_rate", "income_poverty", "income_composition")
"""Tables of rates or levels per head; every other canonical table holds counts (jobs, people,
km², euros, hiring projects) and is summed."""
FULL_COVERAGE_TABLES = {"employment_ape": ("976",)}
"""Tables that may come from an extract holding only some zones (the Urssaf commune × APE file
filtered to one zone) → the départements outside the publisher's scope (Urssaf: « hors
Mayotte »). An aggregate (group, region, France) is computed only when every one of its zones is
in the table, zones lying wholly in those départements excepted, so that a partial sum is never
shown as a region or as France. The levels with aggregates left out are recorded in
``meta["levels"][table]["not_covered"]``."""
COUNT_ROWS = {"income_poverty": ("indicator", tuple(schemas.INCOME_COUNTS))}
"""Rows of a rate table that hold counts, summed like count tables: table → (dimension, values).
"""
EXACT_DENOMINATORS = {"income_poverty": ("indicator", {"poverty_rate": "persons"})}
"""Rates a group gets exactly: table → (dimension, {rate: the count of its denominator, a row of
the same table}). The rate of a group is the members' rates weighted by their denominators."""
COMPARATOR_NAMES = {"territory": "territoire", "region": "région", "france": "France"}
_ROLE_ORDER = {role: i for i, role in enumerate(COMPARATOR_NAMES)}


@dataclass
class Cube:
    """Canonical tables aggregated to every level, with the référentiel and the zone map.

    Attributes
    ----------
    tables : dict of DataFrame
        Canonical tables plus boolean columns ``approximate`` and ``lower_bound``.
    referentiel : Referentiel
    geometry : GeoDataFrame or None
        One polygon per zone (column ``zone``).
    meta : dict
        ``data_source``, ``synthetic``, ``notice``, ``sources`` (one « Source : … » line per
        table), ``france_label``.
    """

    tables: dict[str, pd.DataFrame]
    referentiel: Referentiel
    geometry: object = None
    meta: dict = field(default_factory=dict)

    def territory(self, territory_id: str) -> Territory:
        """Resolve a territory id (raises with close matches when unknown)."""
        return self.referentiel.resolve(territory_id)

    def comparators(self, territory: Territory) -> pd.DataFrame:
        """The territory, its region and France, in that order.

        Returns
        -------
        DataFrame
            Columns ``role`` (``territory``, ``region``, ``france``), ``level``, ``code``,
            ``label``.
        """
        return pd.DataFrame(
            [
                ("territory", territory.kind, territory.id, territory.label),
                ("region", "region", territory.region, territory.region_label),
                ("france", "france", schemas.FRANCE_CODE, self.meta.get("france_label", "France")),
            ],
            columns=["role", "level", "code", "label"],
        )

    def select(self, table: str, territory: Territory, **filters) -> pd.DataFrame:
        """Rows of ``table`` for the territory and its comparators, with their role and label.

        Parameters
        ----------
        table : str
            Canonical table name.
        territory : Territory
        **filters
            Column equal to value (``sector="TOTAL"``, ``adjustment="cvs"``...).
        """
        if table not in self.tables:
            raise DataFormatError(f"cube has no table {table!r}; it has {sorted(self.tables)}")
        data = self.tables[table]
        for column in filters:
            if column not in data.columns:
                raise DataFormatError(f"table {table!r} has no column {column!r}")
        # Row positions by (level, code), computed once per table: a slice costs the size of
        # the three geographies, not of the whole table (hundreds of zones in a batch).
        positions = self._positions(table)
        parts = []
        for row in self.comparators(territory).itertuples(index=False):
            rows = data.iloc[positions.get((row.level, row.code), [])]
            for column, value in filters.items():
                rows = rows[rows[column] == value]
            parts.append(rows.assign(role=row.role, label=row.label))
        out = pd.concat(parts, ignore_index=True)
        return (
            out.sort_values("period", kind="stable")
            .sort_values("role", key=lambda r: r.map(_ROLE_ORDER), kind="stable")
            .reset_index(drop=True)
        )

    def rows(self, table: str, territory: Territory) -> pd.DataFrame:
        """Rows of ``table`` for the territory, its region and France, as the table has them.

        Same columns and order as the table, a new index: what an indicator computed series by
        series (``level, code``) gives the same figures from as from the whole table, at the
        cost of three geographies rather than of every zone of a national batch.
        """
        if table not in self.tables:
            raise DataFormatError(f"cube has no table {table!r}; it has {sorted(self.tables)}")
        positions = self._positions(table)
        keys = self.comparators(territory)[["level", "code"]].itertuples(index=False, name=None)
        found = [positions[key] for key in keys if key in positions]
        at = np.sort(np.concatenate(found)) if found else np.array([], dtype=int)
        return self.tables[table].iloc[at].reset_index(drop=True)

    def _positions(self, table: str) -> dict:
        cache = self.__dict__.setdefault("_position_cache", {})
        if table not in cache:
            cache[table] = self.tables[table].groupby(["level", "code"], sort=False).indices
        return cache[table]

    def save(self, directory: str | Path) -> Path:
        """Write the cube as parquet files plus ``meta.json`` into ``directory``.

        Every file is written whole (:func:`bassin_lib.files.write_atomic`); ``meta.json``,
        which makes the folder a cube for :func:`load_cube`, is removed first and written last,
        so an interrupted save leaves a folder that is not read as a cube, never a half cube.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "meta.json").unlink(missing_ok=True)
        for name, table in self.tables.items():
            write_atomic(directory / f"{name}.parquet", _parquet(table, index=False))
        write_atomic(
            directory / "zones.parquet", _parquet(self.referentiel.zones.reset_index(drop=True))
        )
        if self.geometry is not None:
            write_atomic(directory / "geometry.parquet", _parquet(self.geometry))
        payload = {
            "meta": self.meta,
            "groups": {
                gid: {"label": g["label"], "zones": list(g["zones"])}
                for gid, g in self.referentiel.groups.items()
            },
        }
        write_atomic(directory / "meta.json", json.dumps(payload, ensure_ascii=False, indent=1))
        return directory


def _parquet(frame, **options) -> bytes:
    """A (Geo)DataFrame as parquet bytes."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, **options)
    return buffer.getvalue()


_LOADED: dict = {}
"""The cube :func:`load_cube` read last in this process (``"key"``: its
:func:`cube_fingerprint`, ``"cube"``): a module attribute, so a warm kernel's reset, which
clears the user namespace only (:mod:`bassin_lib.running._kernel_state`), keeps it."""


def cube_fingerprint(directory: str | Path) -> tuple:
    """What tells whether a saved cube's content changed, without reading it.

    Parameters
    ----------
    directory : str or Path
        A folder written by :meth:`Cube.save`.

    Returns
    -------
    tuple
        The resolved folder, then name, size, modification time (ns) and inode of its
        ``meta.json`` and parquet files. A save writes every file anew (a new inode), and a
        batch publishes its cube by renaming a new folder into place, so a rewritten cube
        never has the fingerprint of the cube it replaces.
    """
    directory = Path(directory).resolve()
    files = []
    for path in sorted(directory.iterdir()):
        if path.name == "meta.json" or path.suffix == ".parquet":
            stat = path.stat()
            files.append((path.name, stat.st_size, stat.st_mtime_ns, stat.st_ino))
    return str(directory), tuple(files)


def load_cube(directory: str | Path, *, shared: bool = True) -> Cube:
    """Read a cube written by :meth:`Cube.save`, once per process while its files are unchanged.

    Parameters
    ----------
    directory : str or Path
        The cube's folder.
    shared : bool, default True
        Return the cube this process already read from the same folder when its files are
        the same (:func:`cube_fingerprint`), else read it and keep it for the next call (one
        cube is kept: the last one read). The consecutive notebooks of a batch that run in
        one warm kernel thus read the cube once. ``False`` reads a private, writable copy.

    Returns
    -------
    Cube
        With ``shared``, one object for every caller, hence read-only: the numeric, period
        and boolean arrays of its tables, of the référentiel's zones and of the geometry
        cannot be written (pandas raises ``ValueError: assignment destination is
        read-only``). Nothing may change it in place (a table's column, ``meta``, the dict
        of tables): work on copies (every filter, selection or ``assign`` is one).

    Raises
    ------
    DataFormatError
        When the folder holds no ``meta.json`` (not a cube, or one whose save was cut).
    """
    directory = Path(directory)
    if not (directory / "meta.json").exists():
        raise DataFormatError(f"{directory}: not a cube folder (no meta.json); build it first")
    if not shared:
        return _read_cube(directory)
    key = cube_fingerprint(directory)
    if _LOADED.get("key") == key:
        return _LOADED["cube"]
    _LOADED.clear()  # free the previous cube before reading the next one
    cube = _read_only(_read_cube(directory))
    if cube_fingerprint(directory) == key:  # not rewritten while it was read
        _LOADED.update(key=key, cube=cube)
    return cube


def _read_cube(directory: Path) -> Cube:
    payload = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    groups = {
        gid: {"label": g["label"], "zones": tuple(g["zones"])}
        for gid, g in payload["groups"].items()
    }
    zones = pd.read_parquet(directory / "zones.parquet")
    tables = {
        p.stem: pd.read_parquet(p)
        for p in sorted(directory.glob("*.parquet"))
        if p.stem not in ("zones", "geometry")
    }
    geometry = None
    if (directory / "geometry.parquet").exists():
        import geopandas as gpd

        geometry = gpd.read_parquet(directory / "geometry.parquet")
    return Cube(
        tables=tables,
        referentiel=Referentiel(zones, groups),
        geometry=geometry,
        meta=payload["meta"],
    )


def _read_only(cube: Cube) -> Cube:
    """Make the numpy arrays under the cube's frames non-writeable (Arrow arrays already are)."""
    frames = [*cube.tables.values(), cube.referentiel.zones]
    if cube.geometry is not None:
        frames.append(cube.geometry)
    for frame in frames:
        for block in frame._mgr.blocks:  # no public API reaches the arrays a frame owns
            values = block.values
            array = values if isinstance(values, np.ndarray) else getattr(values, "_ndarray", None)
            if isinstance(array, np.ndarray):
                array.flags.writeable = False
    return cube


def _membership(referentiel: Referentiel) -> pd.DataFrame:
    """(level, code, zone) for every aggregate: regions, France and groups."""
    zones = referentiel.zones
    rows = [("region", r, z) for z, r in zip(zones["zone"], zones["region"], strict=True)]
    rows += [("france", schemas.FRANCE_CODE, z) for z in zones["zone"]]
    rows += [("group", gid, z) for gid, g in referentiel.groups.items() for z in g["zones"]]
    return pd.DataFrame(rows, columns=["level", "code", "zone"])


_FLAGS = ("approximate", "lower_bound")


def _covered(
    name: str, membership: pd.DataFrame, zone_rows: pd.DataFrame, referentiel: Referentiel
) -> pd.Series:
    """Which membership rows belong to an aggregate whose every zone is in ``zone_rows``, the
    zones outside the source's scope (:data:`FULL_COVERAGE_TABLES`) excepted."""
    outside = set(FULL_COVERAGE_TABLES.get(name, ()))
    zones = referentiel.zones
    excused = zones.loc[
        zones["departements"].map(lambda d: set(str(d).split(",")) <= outside), "zone"
    ]
    present = membership["zone"].isin(set(zone_rows["code"].unique()) | set(excused))
    return present.groupby([membership["level"], membership["code"]]).transform("all")


def _latest_population(tables: dict[str, pd.DataFrame]) -> pd.Series:
    population = tables.get("population")
    if population is None:
        raise DataFormatError("rates cannot be aggregated without a population table")
    zone_rows = population[(population["level"] == "zone") & population["value"].notna()]
    latest = zone_rows.sort_values("period").groupby("code")["value"].last()
    return latest


def aggregate(
    name: str, table: pd.DataFrame, referentiel: Referentiel, weights: pd.Series | None = None
) -> pd.DataFrame:
    """Aggregate one canonical table to groups, regions and France (rules in module docstring).

    Parameters
    ----------
    name : str
        Canonical table name (decides count or rate rules).
    table : DataFrame
        Canonical table with at least the zone rows.
    referentiel : Referentiel
    weights : Series, optional
        Population by zone code, needed for rate tables.

    Returns
    -------
    DataFrame
        The table at every level with boolean columns ``approximate`` and ``lower_bound``.
    """
    dims = schemas.DIMENSIONS[name]
    keys = ["level", "code", "period", *dims]
    zone_rows = table[table["level"] == "zone"]
    unknown = sorted(set(zone_rows["code"].unique()) - set(referentiel.zones.index))
    if unknown:
        raise DataFormatError(
            f"table {name!r}: zone code(s) not in the référentiel: {unknown[:10]}"
        )
    # flags a reader set (a zone's sum over blank commune cells is a lower bound) are kept
    flags = {f: table[f].fillna(False).astype(bool) if f in table else False for f in _FLAGS}
    published = table.assign(**flags)
    membership = _membership(referentiel)
    restore = {}
    if name not in RATE_TABLES:  # the large tables: join, group and sort on integer codes
        restore = _encode_keys(published, membership, ["level", "code", *dims])
    zone_rows = published[published["level"] == "zone"]
    if name in FULL_COVERAGE_TABLES:
        membership = membership[_covered(name, membership, zone_rows, referentiel)]
    members = membership.merge(
        zone_rows.rename(columns={"code": "zone"}).drop(columns=["level"]), on="zone", how="inner"
    )
    size = membership.groupby(["level", "code"])["zone"].size().rename("n_members")
    counted = _counted(name, members)
    grouped, index = _grouped(members[counted], keys)
    out = grouped["value"].sum(min_count=1).to_frame()
    present, rows = grouped["value"].count(), grouped["value"].size()
    out["lower_bound"] = ((present < rows) & (present > 0)) | (
        grouped["lower_bound"].any() & out["value"].notna()
    )
    out["approximate"] = grouped["approximate"].any()
    if index is not None:
        out.index = index
    if name in RATE_TABLES:
        if weights is None:
            raise DataFormatError(f"table {name!r}: rates need population weights to aggregate")
        rates = members[~counted].copy()
        # exact denominators when every member of the aggregate has one, else population
        exact = _denominators(name, rates, members[counted], dims)
        rates["exact"] = exact.notna()
        every = rates.groupby(keys, observed=True)["exact"].transform("all").astype(bool)
        rates["weight"] = exact.where(every, rates["zone"].map(weights))
        rates["weighted"] = rates["value"] * rates["weight"]
        grouped = rates.groupby(keys, observed=True)
        # any missing member value or weight makes the aggregate missing, never a biased mean
        complete = grouped["weighted"].count() == grouped["weighted"].size()
        means = (grouped["weighted"].sum() / grouped["weight"].sum()).rename("value").to_frame()
        means.loc[~complete, "value"] = float("nan")
        means["approximate"] = ~grouped["exact"].all()
        means["lower_bound"] = False
        out = pd.concat([out, means]) if len(out) else means
    out = out.reset_index().merge(size.reset_index(), on=["level", "code"], how="left")
    if name in RATE_TABLES:
        out.loc[out["n_members"] == 1, "approximate"] = False
    out = out.drop(columns="n_members")
    # Published aggregates win over rebuilt ones (a publisher's France is the reference).
    already = published.set_index(["level", "code"]).index
    out = out[~out.set_index(["level", "code"]).index.isin(already)]
    result = pd.concat([published, out], ignore_index=True)
    result["approximate"] = result["approximate"].astype(bool)
    result["lower_bound"] = result["lower_bound"].astype(bool)
    result = result.sort_values(keys).reset_index(drop=True)[
        [*keys, "value", "approximate", "lower_bound"]
    ]
    return _decode_keys(result, restore)


def _grouped(frame: pd.DataFrame, keys: list[str]):
    """``frame.groupby(keys, observed=True)``, by one integer key when every key is coded.

    With categorical and period keys (:func:`_encode_keys`), the group of a row is computed from
    the categories' codes and the periods' ordinals (one integer per combination, in the order
    of the keys), and the frame is grouped by that one integer: the same groups, in the same
    order, summed by the same pandas code, without pandas grouping five columns at once.

    Returns
    -------
    tuple
        The groupby object and, when grouped by integers, the MultiIndex of ``keys`` to give its
        results (None otherwise: the results are indexed by ``keys`` already).
    """
    codes, sizes, rebuild = [], [], []
    for key in keys:
        column = frame[key]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes.append(column.cat.codes.to_numpy().astype(np.int64))
            sizes.append(max(len(column.cat.categories), 1))
            rebuild.append(functools.partial(pd.Categorical.from_codes, dtype=column.dtype))
        elif isinstance(column.dtype, pd.PeriodDtype) and len(column):
            ordinals = column.array.asi8
            known = ~column.isna().to_numpy()
            low = int(ordinals[known].min()) if known.any() else 0
            codes.append(np.where(known, ordinals - low, -1))
            sizes.append(int(codes[-1].max()) + 1 if known.any() else 1)
            rebuild.append(functools.partial(_periods, low=low, dtype=column.dtype))
        else:
            return frame.groupby(keys, observed=True), None
    if np.prod(sizes, dtype=float) >= 2**62:
        return frame.groupby(keys, observed=True), None
    known = np.logical_and.reduce([c >= 0 for c in codes])
    if not known.all():  # groupby leaves out the rows with a missing key
        frame, codes = frame[known], [c[known] for c in codes]
    flat = np.ravel_multi_index(codes, sizes)
    ids, groups = pd.factorize(flat, sort=True)
    parts = np.unravel_index(groups, sizes)
    index = pd.MultiIndex.from_arrays(
        [make(part) for make, part in zip(rebuild, parts, strict=True)], names=keys
    )
    return frame.groupby(ids), index


def _periods(ordinals: np.ndarray, *, low: int, dtype) -> pd.arrays.PeriodArray:
    return pd.arrays.PeriodArray(ordinals.astype(np.int64) + low, dtype=dtype)


def _encode_keys(published: pd.DataFrame, membership: pd.DataFrame, columns: list[str]) -> dict:
    """Turn the string key columns of ``published`` (and ``level``, ``code``, ``zone`` of
    ``membership``) into categoricals, in place, for :func:`aggregate`.

    Each column gets sorted categories shared with the membership's values, so that merging,
    grouping and sorting work on integer codes in the order of the strings (comparing Arrow
    strings row by row is what made the aggregation slow); the values are unchanged. The codes
    come from ``pd.factorize`` (hashed by Arrow), not ``astype("category")``, which goes
    through Python objects.

    Returns
    -------
    dict
        Column → original dtype of the encoded columns of ``published``
        (:func:`_decode_keys` restores them).
    """
    restore = {}
    for column in columns:
        dtype = published[column].dtype
        if not isinstance(dtype, pd.StringDtype):
            continue
        shared = [
            c for c in (["zone", "code"] if column == "code" else [column]) if c in membership
        ]
        found = [(published, column, *pd.factorize(published[column]))]
        found += [(membership, c, *pd.factorize(membership[c])) for c in shared]
        values = sorted({v for *_where, uniques in found for v in uniques})
        encoded = pd.CategoricalDtype(pd.Index(values, dtype=dtype))
        for frame, c, codes, uniques in found:
            positions = encoded.categories.get_indexer(uniques)
            codes = (
                np.where(codes >= 0, positions[np.maximum(codes, 0)], -1) if len(uniques) else codes
            )
            frame[c] = pd.Categorical.from_codes(codes, dtype=encoded)
        restore[column] = dtype
    return restore


def _decode_keys(frame: pd.DataFrame, restore: dict) -> pd.DataFrame:
    """The categorical columns of :func:`_encode_keys` back to their string dtype."""
    for column in restore:
        categorical = frame[column].array
        values = categorical.categories.array.take(categorical.codes, allow_fill=True)
        frame[column] = pd.Series(values, index=frame.index, name=column)
    return frame


def _counted(name: str, members: pd.DataFrame) -> pd.Series:
    """Rows summed as counts: every row of a count table, the :data:`COUNT_ROWS` of a rate table."""
    if name not in RATE_TABLES:
        return pd.Series(True, index=members.index)
    if name not in COUNT_ROWS:
        return pd.Series(False, index=members.index)
    dimension, values = COUNT_ROWS[name]
    return members[dimension].isin(values)


def _denominators(
    name: str, rates: pd.DataFrame, counts: pd.DataFrame, dims: list[str]
) -> pd.Series:
    """The denominator of each member's rate (:data:`EXACT_DENOMINATORS`), NaN where none.

    ``rates`` and ``counts`` are member rows (column ``zone``); the denominator of a rate row is
    the count row of the same zone, period and other dimensions.
    """
    exact = pd.Series(float("nan"), index=rates.index)
    if name not in EXACT_DENOMINATORS:
        return exact
    dimension, pairs = EXACT_DENOMINATORS[name]
    on = ["zone", "period", *[d for d in dims if d != dimension]]
    for rate, count in pairs.items():
        known = counts[counts[dimension] == count].drop_duplicates(on).set_index(on)["value"]
        mask = rates[dimension] == rate
        if mask.any() and len(known):
            where = pd.MultiIndex.from_frame(rates.loc[mask, on])
            exact[mask] = known.reindex(where).to_numpy()
    return exact


def build_cube(
    tables: dict[str, pd.DataFrame],
    referentiel: Referentiel,
    geometry=None,
    meta: dict | None = None,
) -> Cube:
    """Aggregate every canonical table once for all zones, groups, regions and France.

    ``meta["levels"][table]`` records the levels the source published (``published``) and
    those computed here from zones (``computed``), for the report's appendix; for the tables
    of :data:`FULL_COVERAGE_TABLES`, also the levels some of whose aggregates were left out
    because the table lacks one of their zones (``not_covered``).
    """
    weights = _latest_population(tables) if any(t in tables for t in RATE_TABLES) else None
    aggregated = {
        name: aggregate(name, table, referentiel, weights) for name, table in tables.items()
    }
    meta = dict(meta or {})
    meta["levels"] = {}
    for name, table in tables.items():
        # unique() first: iterating a column of (Arrow) strings row by row is slow
        present = set(table["level"].unique())
        produced = set(aggregated[name]["level"].unique())
        published = [lv for lv in schemas.LEVELS if lv in present]
        computed = [lv for lv in schemas.LEVELS if lv in produced and lv not in published]
        meta["levels"][name] = {"published": published, "computed": computed}
        if name in FULL_COVERAGE_TABLES:
            membership = _membership(referentiel)
            zone_rows = table[table["level"] == "zone"]
            left_out = membership[~_covered(name, membership, zone_rows, referentiel)]
            meta["levels"][name]["not_covered"] = [
                lv for lv in schemas.LEVELS if lv in set(left_out["level"].unique())
            ]
    return Cube(tables=aggregated, referentiel=referentiel, geometry=geometry, meta=meta)
