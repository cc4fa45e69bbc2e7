"""Official datasets: where each is published, its vintage and licence, and a reader from its
official layout to a canonical table (:mod:`bassin_lib.inputs.schemas`).

One module per dataset. Each module defines

- ``SOURCE``: a :class:`Source` (publisher, official page, file URL(s), vintage, licence);
- one or more ``read_*(path, ...)`` functions: official file → canonical table, validated by
  :func:`bassin_lib.inputs.schemas.validate`, or :class:`~bassin_lib.errors.DataFormatError` naming
  the file, the sheet, the row, the column and what was expected. Readers never download, never
  format French text, and never turn a masked cell into a zero: masked cells are ``NaN``.

Every reader goes through one toolkit, :mod:`bassin_lib.inputs.sources._cells` (cells and their
conversion: masked tokens, numbers, codes, error locations), fed by
:mod:`bassin_lib.inputs.sources._excel` (workbooks, and CSV exports whose header is searched for)
and :mod:`bassin_lib.inputs.sources._csv` (CSV exports of a fixed layout). Errors read
``<file>, sheet '<sheet>', row <n>, column '<name>' (<letter>): <problem>``, the sheet and the
column letter for workbooks only.

Downloads go to ``data/raw/<source>/<vintage>/<file>`` with ``data/raw/manifest.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LICENCE_ETALAB = "Licence Ouverte / Etalab 2.0"


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset as its publisher serves it.

    Attributes
    ----------
    name : str
        File name under ``data/raw/<source>/<vintage>/``.
    url : str
        Download address on the publisher's site.
    sha256 : str or None
        Pinned checksum of the expected file (None while not pinned).
    """

    name: str
    url: str
    sha256: str | None = None


@dataclass(frozen=True)
class Source:
    """A published dataset: who publishes it, where, which vintage, under which licence."""

    name: str
    title: str
    publisher: str
    page: str
    vintage: str
    licence: str = LICENCE_ETALAB
    files: tuple[RemoteFile, ...] = field(default_factory=tuple)

    def source_line(self) -> str:
        """« Source : Insee, Taux de chômage localisés (2023T3) » for charts and sentences."""
        return f"Source : {self.publisher}, {self.title} ({self.vintage})"


def catalogue() -> list[Source]:
    """Every dataset vintage declared by a module of this package, sorted by name and vintage.

    A module declares its datasets as module attributes that are :class:`Source` objects, or
    dicts / tuples of them (one per vintage).
    """
    import importlib
    import pkgutil

    found: dict[tuple[str, str], Source] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            items = value.values() if isinstance(value, dict) else value
            candidates = items if isinstance(items, (list, tuple, type({}.values()))) else [value]
            for candidate in candidates:
                if isinstance(candidate, Source):
                    found[(candidate.name, candidate.vintage)] = candidate
    return [found[key] for key in sorted(found)]
