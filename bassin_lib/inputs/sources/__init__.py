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

Vintages: ``Source.vintage`` and ``Source.files`` are the vintage the readers are written for
(what ``fetch`` takes by default); ``Source.vintages`` lists the other vintages known from public
evidence (:class:`Vintage`: its files when their URLs are confirmed, else only a note: ``fetch
--url`` or ``--from`` covers it); ``Source.patterns`` (:class:`FilePattern`) name the files of
any vintage when the publisher keeps one naming rule; ``Source.newest_from_page`` makes ``fetch``
take the newest vintage linked from ``Source.page`` instead of ``Source.vintage``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

LICENCE_ETALAB = "Licence Ouverte / Etalab 2.0"
LICENCE_ODBL = "Open Data Commons Open Database License (ODbL)"


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset as its publisher serves it.

    Attributes
    ----------
    name : str
        File name under ``data/raw/<source>/<vintage>/``.
    url : str or None
        Download address on the publisher's site (followed through redirects); None when no
        public evidence confirms one: ``fetch --url`` or ``--from`` then provides the file.
    sha256 : str or None
        Known checksum of this vintage's file (None: the first download records it in the
        manifest, which then protects it).
    required : bool
        The diagnostics cannot run without this file (the zoning): ``fetch --from`` fails when
        it is absent, and only then.
    also : tuple of str
        Other names under which the same content circulates (the workbook unzipped...), looked
        for by ``fetch --from`` when ``name`` is absent; the file keeps the name it was found
        under.
    """

    name: str
    url: str | None = None
    sha256: str | None = None
    required: bool = False
    also: tuple[str, ...] = ()


_VINTAGE = re.compile(r"(?P<year>\d{4})(?:-?[TQ](?P<quarter>[1-4]))?", re.IGNORECASE)


def vintage_key(vintage: str) -> tuple[int, ...]:
    """Sort key of a vintage: ``"2025T4"`` → ``(2025, 4)``, ``"2026"`` → ``(2026,)``."""
    return tuple(int(n) for n in re.findall(r"\d+", vintage))


@dataclass(frozen=True)
class FilePattern:
    """The naming rule of one file of a dataset, for every vintage.

    Attributes
    ----------
    name : str
        File name with ``{year}`` and, for quarterly vintages, ``{quarter}``:
        ``"chomage-zone-t1-2003-t{quarter}-{year}.xlsx"`` (vintage ``"2025T4"``).
    url : str
        Download address with the same fields and ``{name}``.
    required, also :
        As in :class:`RemoteFile` (``also`` are name patterns).
    """

    name: str
    url: str
    required: bool = False
    also: tuple[str, ...] = ()

    @property
    def quarterly(self) -> bool:
        return "{quarter}" in self.name

    def normalize(self, vintage: str) -> str | None:
        """``vintage`` in this pattern's form (``"2025-T4"``, ``"2025Q4"`` → ``"2025T4"``), or
        None when it is not one (a quarter for an annual file, a year alone for a quarterly one).
        """
        match = _VINTAGE.fullmatch(vintage.strip())
        if match is None or bool(match["quarter"]) != self.quarterly:
            return None
        return match["year"] + (f"T{match['quarter']}" if match["quarter"] else "")

    def file(self, vintage: str) -> RemoteFile:
        """The :class:`RemoteFile` of one vintage (``vintage`` as :meth:`normalize` gives it)."""
        year, _, quarter = vintage.partition("T")
        fields = {"year": year, "quarter": quarter}
        name = self.name.format(**fields)
        also = tuple(other.format(**fields) for other in self.also)
        return RemoteFile(
            name, self.url.format(name=name, **fields), required=self.required, also=also
        )

    def vintage_of(self, filename: str) -> str | None:
        """The vintage of a file named by this pattern (or one of ``also``), else None."""
        for name in (self.name, *self.also):
            regex = re.escape(name).replace(r"\{year\}", r"(?P<year>\d{4})")
            regex = regex.replace(r"\{quarter\}", r"(?P<quarter>[1-4])")
            match = re.fullmatch(regex, filename, re.IGNORECASE)
            if match:
                quarter = match.groupdict().get("quarter")
                return match["year"] + (f"T{quarter}" if quarter else "")
        return None


@dataclass(frozen=True)
class Vintage:
    """Another known vintage of a dataset (besides the one its readers are written for).

    Attributes
    ----------
    vintage : str
        ``"2026"``, ``"2025T4"``...
    files : tuple of RemoteFile
        Its files, when public evidence gives them; empty: the dataset's
        :attr:`Source.patterns` name them, or (no pattern) only ``--url``/``--from`` can.
    note : str
        What ``fetch --list`` says of it (unconfirmed name, layout the readers do not read...).
    """

    vintage: str
    files: tuple[RemoteFile, ...] = ()
    note: str = ""


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
    vintages: tuple[Vintage, ...] = ()
    patterns: tuple[FilePattern, ...] = ()
    newest_from_page: bool = False
    note: str = ""

    def source_line(self) -> str:
        """« Source : Insee, Taux de chômage localisés (2023T3) » for charts and sentences."""
        return f"Source : {self.publisher}, {self.title} ({self.vintage})"

    def normalize(self, vintage: str) -> str:
        """``vintage`` as this dataset writes it (``"2025-T4"`` → ``"2025T4"`` for a pattern)."""
        for pattern in self.patterns:
            if (normal := pattern.normalize(vintage)) is not None:
                return normal
        return vintage.strip()

    def known(self) -> list[Vintage]:
        """Every declared vintage, this one included, oldest first."""
        found = {v.vintage: v for v in self.vintages}
        found[self.vintage] = Vintage(self.vintage, self.files, self.note)
        return [found[v] for v in sorted(found, key=vintage_key)]

    def at(self, vintage: str) -> Source:
        """This dataset at another vintage: its declared files, else those of the patterns.

        ``files`` is empty when neither a declaration nor a pattern names them (only ``fetch
        --url`` or ``--from`` can then provide the files); ``note`` is the vintage's.
        """
        vintage = self.normalize(vintage)
        declared = {v.vintage: v for v in self.known()}.get(vintage)
        files = declared.files if declared else ()
        if not files and self.patterns and all(p.normalize(vintage) for p in self.patterns):
            files = tuple(p.file(vintage) for p in self.patterns)
        note = declared.note if declared else ""
        return replace(self, vintage=vintage, files=files, note=note)


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
