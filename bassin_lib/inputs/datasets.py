"""Choose a data source and turn it into a cube: the one entry point notebooks and batches use."""

from __future__ import annotations

from pathlib import Path

from bassin_lib.errors import ParameterError
from bassin_lib.inputs.cube import Cube, build_cube, load_cube
from bassin_lib.inputs.territories import Referentiel, load_groups
from bassin_lib.paths import GROUPS_FILES

DATA_SOURCES = ("demo", "real")


def build(
    data_source: str = "demo",
    groups_file: str | Path | None = None,
    demo_zones: int = 30,
    raw_dir: str | Path | None = None,
) -> Cube:
    """Build the cube of a data source.

    Parameters
    ----------
    data_source : {"demo", "real"}
        ``"demo"``: the embedded synthetic dataset (:mod:`bassin_lib.inputs.demo`); ``"real"``: the
        official files found below ``raw_dir`` (:mod:`bassin_lib.inputs.real`).
    groups_file : path, optional
        YAML file of groups of zones; default ``data/groups-demo.yaml`` (demo) or
        ``data/groups.yaml`` (real).
    demo_zones : int, default 30
        Number of synthetic zones (in 3 regions, or more above 297 zones).
    raw_dir : path, optional
        Folder holding the official files; default ``data/raw`` (filled by ``fetch``).
    """
    if data_source not in DATA_SOURCES:
        raise ParameterError(f"data source {data_source!r}: allowed {list(DATA_SOURCES)}")
    groups_file = groups_file or GROUPS_FILES[data_source]
    if data_source == "real":
        from bassin_lib.inputs.fetch import RAW_DIR
        from bassin_lib.inputs.real import build_real

        return build_real(raw_dir or RAW_DIR, groups_file)
    from bassin_lib.inputs import demo

    # as many fictitious regions as needed (at most 99 zones each), at least the default 3
    data = demo.generate(n_zones=demo_zones, n_regions=max(3, -(-demo_zones // 99)))
    referentiel = Referentiel(data.zones, load_groups(groups_file, data.zones))
    return build_cube(data.tables, referentiel, data.geometry, data.meta)


def open_cube(data_source: str = "demo", cube_dir: str | Path | None = None) -> Cube:
    """The cube a notebook works on: the batch's prebuilt cube when ``cube_dir`` is given, else
    one built on the spot (interactive use).

    The prebuilt cube is read once per process while its files are unchanged and shared
    read-only (:func:`~bassin_lib.inputs.cube.load_cube`): the notebooks a warm kernel runs one
    after the other get the same object; none may change it.
    """
    if cube_dir:
        return load_cube(cube_dir)
    return build(data_source)
