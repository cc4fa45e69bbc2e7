"""Zone référentiel and user-defined groups of zones; territory ids are validated here.

A *territory* is what one diagnostic describes: either one employment zone (ZE2020), whose id is
its 4-character code (``"2705"``, ``"0051"``), or a user-defined group of zones declared in a YAML
file, whose id is a lower-case slug (``"nord-franche-comte"``).

Groups file layout (both forms may be mixed)::

    groups:
      nord-franche-comte:
        label: Nord Franche-Comté (Belfort + Montbéliard)
        zones: ["2705", "2714"]
      duo: [2705, 2714]          # short form; the label is built from the zones' labels

The file is read with YAML's *base* loader, so every scalar stays a string: ``0051`` is the zone
``"0051"``, never the octal or decimal number 41 or 51.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from bassin_lib.errors import DataFormatError, ParameterError, UnknownTerritoryError

ZONE_COLUMNS = ["zone", "label", "region", "region_label", "departements"]
GROUP_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Territory:
    """One territory a diagnostic is written for.

    Attributes
    ----------
    id : str
        Zone code (``"2705"``) or group slug (``"nord-franche-comte"``).
    kind : {"zone", "group"}
    label : str
        French label shown in reports.
    zones : tuple of str
        Member zone codes (one for a zone).
    region, region_label : str
        The comparison region: the zone's region; for a group, the region holding most of its
        zones (ties: the region of the first zone listed).
    regions : tuple of str
        Every region the territory touches.
    departements : tuple of str
        Départements covered by at least one commune of the territory.
    """

    id: str
    kind: str
    label: str
    zones: tuple[str, ...]
    region: str
    region_label: str
    regions: tuple[str, ...]
    departements: tuple[str, ...]


def _fold(text: str) -> str:
    """Lower-case, accent-free form of ``text`` for fuzzy matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def validate_zones_table(zones: pd.DataFrame, source: str = "zones table") -> pd.DataFrame:
    """Check the zone référentiel: columns, 4-character string codes, no duplicates.

    Raises
    ------
    DataFormatError
        Naming ``source``, the row and the column at fault.
    """
    missing = [c for c in ZONE_COLUMNS if c not in zones.columns]
    if missing:
        raise DataFormatError(f"{source}: missing column(s) {missing}; expected {ZONE_COLUMNS}")
    for row, code in enumerate(zones["zone"]):
        if not isinstance(code, str) or len(code) != 4:
            raise DataFormatError(
                f"{source}: row {row}, column 'zone': {code!r} is not a 4-character string code"
            )
    duplicated = zones["zone"][zones["zone"].duplicated()]
    if len(duplicated):
        raise DataFormatError(
            f"{source}: column 'zone': duplicated code(s) {sorted(set(duplicated))}"
        )
    return zones


def load_groups(path: str | Path, zones: pd.DataFrame) -> dict[str, dict]:
    """Read a groups YAML file and check every member zone against the référentiel.

    Parameters
    ----------
    path : str or Path
        YAML file with a top-level ``groups`` mapping (see module docstring).
    zones : DataFrame
        Zone référentiel (columns ``ZONE_COLUMNS``).

    Returns
    -------
    dict
        ``{group_id: {"label": str, "zones": tuple of str}}`` in file order.

    Raises
    ------
    DataFormatError
        When the file is missing or malformed, a group id is not a slug, or a zone is unknown.
    """
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except FileNotFoundError as exc:
        raise DataFormatError(f"{path}: groups file not found") from exc
    except yaml.YAMLError as exc:
        raise DataFormatError(f"{path}: not valid YAML ({exc})") from exc
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict) or not isinstance(raw.get("groups", {}), dict):
        raise DataFormatError(f"{path}: expected a top-level mapping 'groups: {{id: zones}}'")
    known = dict(zip(zones["zone"], zones["label"], strict=True))
    groups: dict[str, dict] = {}
    for group_id, spec in (raw.get("groups") or {}).items():
        where = f"{path}: group {group_id!r}"
        if not GROUP_ID.match(group_id):
            raise DataFormatError(
                f"{where}: a group id is a lower-case slug such as 'nord-franche-comte'"
            )
        if isinstance(spec, list):
            spec = {"zones": spec}
        if not isinstance(spec, dict) or not isinstance(spec.get("zones"), list):
            raise DataFormatError(f"{where}: expected a list of zone codes under 'zones'")
        members = tuple(str(z).strip() for z in spec["zones"])
        if not members:
            raise DataFormatError(f"{where}: the group has no zone")
        for code in members:
            if code not in known:
                close = difflib.get_close_matches(code, list(known), n=3)
                raise DataFormatError(
                    f"{where}: unknown zone {code!r}"
                    + (f" (close matches: {', '.join(close)})" if close else "")
                )
        if len(set(members)) != len(members):
            raise DataFormatError(f"{where}: a zone is listed twice")
        label = spec.get("label") or " + ".join(known[z] for z in members)
        groups[group_id] = {"label": label, "zones": members}
    return groups


class Referentiel:
    """The zones and groups a batch can render, with validation of territory ids.

    Parameters
    ----------
    zones : DataFrame
        Zone référentiel with columns ``zone, label, region, region_label, departements``
        (``departements``: comma-separated codes).
    groups : dict, optional
        Output of :func:`load_groups`.
    """

    def __init__(self, zones: pd.DataFrame, groups: dict[str, dict] | None = None):
        self.zones = validate_zones_table(zones).set_index("zone", drop=False)
        self.groups = dict(groups or {})
        clash = set(self.groups) & set(self.zones.index)
        if clash:
            raise DataFormatError(f"group id(s) {sorted(clash)} are also zone codes")

    @property
    def ids(self) -> list[str]:
        """All valid territory ids: zone codes, then group ids."""
        return list(self.zones.index) + list(self.groups)

    def label(self, territory_id: str) -> str:
        """French label of a territory id (validated)."""
        return self.resolve(territory_id).label

    def suggestions(self, territory_id: str, n: int = 5) -> list[str]:
        """Close matches to ``territory_id`` among ids and labels, as ``"id (label)"``."""
        labels = {tid: self._label_of(tid) for tid in self.ids}
        query = _fold(str(territory_id))
        scored: dict[str, float] = {}
        for tid, label in labels.items():
            score = max(
                difflib.SequenceMatcher(None, query, _fold(tid)).ratio(),
                difflib.SequenceMatcher(None, query, _fold(label)).ratio(),
                0.9 if query and query in _fold(label) else 0.0,
            )
            if score >= 0.5:
                scored[tid] = score
        best = sorted(scored, key=lambda t: (-scored[t], t))[:n]
        return [f"{tid} ({labels[tid]})" for tid in best]

    def _label_of(self, tid: str) -> str:
        if tid in self.groups:
            return self.groups[tid]["label"]
        return str(self.zones.at[tid, "label"])

    def resolve(self, territory_id: str) -> Territory:
        """Return the :class:`Territory` for an id, or raise with close matches.

        Raises
        ------
        ParameterError
            When the id is not a string (zone codes are strings: ``"0051"``, not ``51``).
        UnknownTerritoryError
            When the id is neither a zone code nor a group id.
        """
        if not isinstance(territory_id, str):
            padded = f"{territory_id:0>4}" if isinstance(territory_id, int) else None
            hint = f"; did you mean {padded!r}?" if padded in self.zones.index else ""
            raise ParameterError(
                f"territory id {territory_id!r} must be a string "
                f"(zone codes are 4-character strings such as '0051'){hint}"
            )
        territory_id = territory_id.strip()
        if territory_id in self.zones.index:
            return self._territory(
                "zone", territory_id, self._label_of(territory_id), (territory_id,)
            )
        if territory_id in self.groups:
            group = self.groups[territory_id]
            return self._territory("group", territory_id, group["label"], group["zones"])
        raise UnknownTerritoryError(territory_id, self.suggestions(territory_id))

    def _territory(self, kind: str, tid: str, label: str, members: tuple[str, ...]) -> Territory:
        rows = self.zones.loc[list(members)]
        counts = Counter(rows["region"])
        top = max(counts.values())
        region = next(r for r in rows["region"] if counts[r] == top)
        region_label = rows.loc[rows["region"] == region, "region_label"].iloc[0]
        departements = sorted({d for ds in rows["departements"] for d in ds.split(",") if d})
        return Territory(
            id=tid,
            kind=kind,
            label=label,
            zones=tuple(members),
            region=region,
            region_label=region_label,
            regions=tuple(dict.fromkeys(rows["region"])),
            departements=tuple(departements),
        )

    def validate(
        self, territory_ids
    ) -> tuple[list[Territory], list[ParameterError | UnknownTerritoryError]]:
        """Split requested ids into resolved territories and errors, keeping order.

        Duplicates are rendered once. Nothing is raised: the caller decides what an error means.
        """
        valid: list[Territory] = []
        errors: list[ParameterError | UnknownTerritoryError] = []
        seen: set[str] = set()
        for tid in territory_ids:
            try:
                territory = self.resolve(tid)
            except (ParameterError, UnknownTerritoryError) as exc:
                errors.append(exc)
                continue
            if territory.id not in seen:
                seen.add(territory.id)
                valid.append(territory)
        return valid, errors
