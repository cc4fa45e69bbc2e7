"""Which table of employment by sector a diagnostic reads, and what that table is.

Three canonical tables give employment by sector, with different scopes, sector levels and
frequencies. :func:`sector_frame` takes, for a territory, the first one that can describe it:

(a) ``employment``, the quarterly Urssaf series by sector (rows other than ``TOTAL``,
    seasonally adjusted ``cvs``): private salaried jobs at the end of each quarter, sectors A17;
(b) ``employment_ape``, Urssaf's establishments and salaried jobs by commune and APE code summed
    to zones (nomenclature ``NA38``, measure ``employees``): private salaried jobs at
    31 December, 38 sectors;
(c) ``employment_estel``, INSEE's Estimations d'emploi (measure ``salaried``): salaried jobs,
    public and private, at 31 December, in the 5 A5 sectors.

A table can describe the territory when it has sector figures for the territory and for France
in its last period, and when its France covers the country: at least :data:`MIN_COVERAGE` of the
référentiel's zones have sector figures (an extract limited to a few zones would compare the
territory with itself). The result, :class:`SectorData`, holds the frame in the shape every
sector indicator takes (``level, code, period, sector, value`` plus the cube's ``approximate``
and ``lower_bound`` flags, every geography, ``TOTAL`` rows dropped) and says in data what it is:
source line, periods, sector level, scope, and whether it can be split into the présentielle
and productive spheres (:data:`~bassin_lib.analysis.sectors.SPHERE_BY_SECTOR` covers A17 and
A38, not A5).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from bassin_lib.analysis.common import as_period, check_territory
from bassin_lib.analysis.sectors import SPHERE_BY_SECTOR, TOTAL_SECTOR
from bassin_lib.errors import ParameterError
from bassin_lib.inputs import schemas

PREFERENCE = ("employment", "employment_ape", "employment_estel")
"""Sector tables from the most to the least preferred."""
MIN_COVERAGE = 0.95
"""Share of the référentiel's zones a table must describe for its France to be a reference."""
COLUMNS = ["level", "code", "period", "sector", "value", "approximate", "lower_bound"]

A5_LABELS = {
    "AZ": "Agriculture",
    "BE": "Industrie",
    "FZ": "Construction",
    "GU": "Tertiaire marchand",
    "OQ": "Tertiaire non marchand",
}
A17_LABELS = {
    "AZ": "Agriculture, sylviculture et pêche",
    "C1": "Industries agro-alimentaires",
    "C2": "Cokéfaction et raffinage",
    "C3": "Équipements électriques, électroniques, informatiques ; machines",
    "C4": "Fabrication de matériels de transport",
    "C5": "Autres produits industriels",
    "DE": "Industries extractives, énergie, eau, déchets",
    "FZ": "Construction",
    "GZ": "Commerce ; réparation d'automobiles",
    "HZ": "Transports et entreposage",
    "IZ": "Hébergement et restauration",
    "JZ": "Information et communication",
    "KZ": "Activités financières et d'assurance",
    "LZ": "Activités immobilières",
    "MN": "Activités scientifiques et techniques ; services administratifs",
    "OQ": "Administration publique, enseignement, santé, action sociale",
    "RU": "Autres activités de services",
}
A38_LABELS = {
    "AZ": "Agriculture, sylviculture et pêche",
    "BZ": "Industries extractives",
    "CA": "Industries alimentaires, boissons, tabac",
    "CB": "Textile, habillement, cuir et chaussure",
    "CC": "Bois, papier et imprimerie",
    "CD": "Cokéfaction et raffinage",
    "CE": "Industrie chimique",
    "CF": "Industrie pharmaceutique",
    "CG": "Caoutchouc, plastique, autres minéraux non métalliques",
    "CH": "Métallurgie et produits métalliques",
    "CI": "Produits informatiques, électroniques et optiques",
    "CJ": "Équipements électriques",
    "CK": "Machines et équipements",
    "CL": "Matériels de transport",
    "CM": "Autres industries manufacturières ; réparation et installation",
    "DZ": "Électricité, gaz, vapeur et air conditionné",
    "EZ": "Eau, assainissement, déchets et dépollution",
    "FZ": "Construction",
    "GZ": "Commerce ; réparation d'automobiles",
    "HZ": "Transports et entreposage",
    "IZ": "Hébergement et restauration",
    "JA": "Édition, audiovisuel et diffusion",
    "JB": "Télécommunications",
    "JC": "Activités informatiques et services d'information",
    "KZ": "Activités financières et d'assurance",
    "LZ": "Activités immobilières",
    "MA": "Activités juridiques, comptables, de gestion, d'ingénierie",
    "MB": "Recherche-développement scientifique",
    "MC": "Autres activités spécialisées, scientifiques et techniques",
    "NZ": "Services administratifs et de soutien (dont intérim)",
    "OZ": "Administration publique",
    "PZ": "Enseignement",
    "QA": "Santé humaine",
    "QB": "Hébergement médico-social, action sociale",
    "RZ": "Arts, spectacles et activités récréatives",
    "SZ": "Autres activités de services",
    "TZ": "Activités des ménages en tant qu'employeurs",
    "UZ": "Activités extra-territoriales",
}
LEVELS = {
    "A5": "secteurs A5 (5 grands secteurs)",
    "A17": "secteurs A17 (NAF rév. 2, 17 postes)",
    "NA38": "NA38 (NAF rév. 2, 38 postes)",
    "NAF": "secteurs de la NAF rév. 2",
}
"""French name of each sector level, as the report names it."""
SCOPES = {
    "employment": ("emploi salarié privé", "l'emploi salarié privé"),
    "employment_ape": ("emploi salarié privé", "l'emploi salarié privé"),
    "employment_estel": (
        "emploi salarié, public et privé",
        "l'emploi salarié (public et privé)",
    ),
}
"""Scope of each table: (noun phrase, subject of a sentence)."""
TIMING = {
    "employment": "en fin de trimestre, corrigé des variations saisonnières",
    "employment_ape": "au 31 décembre",
    "employment_estel": "au 31 décembre, au lieu de travail",
}


@dataclass(frozen=True)
class SectorData:
    """A frame of employment by sector and what it is.

    Attributes
    ----------
    table : str
        The canonical table read (``"employment"``, ``"employment_ape"``,
        ``"employment_estel"``).
    frame : DataFrame
        ``level, code, period, sector, value, approximate, lower_bound`` for every geography
        of the cube, sector rows only: the ``employment`` frame of the sector indicators
        (:func:`~bassin_lib.analysis.location_quotients`, :func:`~bassin_lib.analysis.shift_share`,
        :func:`~bassin_lib.analysis.structure_features`...).
    frequency : {"Q", "Y"}
        Quarterly or yearly periods.
    first, last : Period
        First and last periods with sector figures for France.
    nomenclature : {"A5", "A17", "NA38", "NAF"}
        Sector level.
    level : str
        Its French name (« secteurs A5 (5 grands secteurs) »).
    scope : str
        What is counted (« emploi salarié privé », « emploi salarié, public et privé »).
    subject : str
        The scope as the subject of a sentence (« l'emploi salarié privé »).
    timing : str
        When jobs are counted (« au 31 décembre, au lieu de travail »).
    source : str
        The « Source : … » line of the table (the cube's ``meta["sources"]``).
    labels : dict
        Sector code → French label.
    spheres : bool
        Whether every sector maps to a présentielle or productive sphere
        (:data:`~bassin_lib.analysis.sectors.SPHERE_BY_SECTOR`); false for A5.
    france_label : str
        What the table's France covers (« France hors Mayotte » for Estel).
    """

    table: str
    frame: pd.DataFrame = field(repr=False)
    frequency: str
    first: pd.Period
    last: pd.Period
    nomenclature: str
    level: str
    scope: str
    subject: str
    timing: str
    source: str
    labels: dict
    spheres: bool
    france_label: str = "France"

    @property
    def periods(self) -> str:
        """« 1998-2018 », « 2010T1-2024T4 »: the periods covered."""
        if self.frequency == "Q":
            return f"{self.first.year}T{self.first.quarter}-{self.last.year}T{self.last.quarter}"
        return f"{self.first.year}-{self.last.year}"

    @property
    def citation(self) -> str:
        """« Source : Insee, … (1998-2018) ; secteurs A5 (5 grands secteurs) »: the source line
        with its vintage and the sector level, said after each sentence of the report."""
        return f"{self.source} ; {self.level}"

    @property
    def description(self) -> str:
        """« emploi salarié, public et privé, au 31 décembre, au lieu de travail ; secteurs A5
        (5 grands secteurs) ; 1998-2018 ; France hors Mayotte »: scope, sector level, periods
        and what France covers (when not the whole), under a chart's source line."""
        where = "" if self.france_label == "France" else f" ; {self.france_label}"
        return f"{self.scope}, {self.timing} ; {self.level} ; {self.periods}{where}"

    def window(self, start=None, end=None) -> tuple[pd.Period, pd.Period]:
        """The window of a change over time: ``start`` to ``end`` when both are periods of
        the frame's frequency within its span, else the longest window, ``first`` to ``last``.

        Parameters
        ----------
        start, end : str or Period, optional
            Preferred ends (the notebook's ``long_run_start`` and ``crisis_start`` for a
            quarterly frame).
        """
        try:
            first, last = as_period(start, self.frequency), as_period(end, self.frequency)
        except (ParameterError, TypeError):
            return self.first, self.last
        if self.first <= first < last <= self.last:
            return first, last
        return self.first, self.last


def _candidate(cube, table: str) -> pd.DataFrame | None:
    """The sector rows of one table, or None when the cube lacks it."""
    data = cube.tables.get(table)
    if data is None or data.empty:
        return None
    if table == "employment":
        keep = (data["adjustment"] == "cvs") & (data["sector"] != TOTAL_SECTOR)
    elif table == "employment_ape":
        keep = (
            (data["nomenclature"] == "NA38")
            & (data["measure"] == "employees")
            & (data["sector"] != TOTAL_SECTOR)
        )
    else:
        keep = (data["measure"] == "salaried") & (data["sector"] != TOTAL_SECTOR)
    rows = data.loc[keep, COLUMNS]
    return rows.reset_index(drop=True) if len(rows) else None


def _usable(cube, rows: pd.DataFrame, territory, min_coverage: float) -> pd.Period | None:
    """The last period with French sector figures when ``rows`` can describe ``territory``
    (module docstring), else None."""
    known = rows[rows["value"].notna()]
    france = known[known["level"] == "france"]
    if france.empty:
        return None
    last = france["period"].max()
    zones = set(cube.referentiel.zones["zone"])
    covered = set(known.loc[(known["level"] == "zone") & (known["period"] == last), "code"])
    if len(covered & zones) < min_coverage * len(zones):
        return None
    if territory is not None:
        own = known[
            (known["level"] == territory.kind)
            & (known["code"] == territory.id)
            & (known["period"] == last)
        ]
        if own.empty:
            return None
    return last


def _nomenclature(table: str, sectors: set[str]) -> str:
    if table == "employment_estel":
        return "A5"
    if table == "employment_ape":
        return "NA38"
    if sectors <= set(A17_LABELS):
        return "A17"
    if sectors <= set(A38_LABELS):
        return "NA38"
    return "NAF"


def describe(cube, table: str, rows: pd.DataFrame, last: pd.Period) -> SectorData:
    """The :class:`SectorData` of ``rows``, sector rows of ``table`` (see :func:`sector_frame`)."""
    sectors = set(rows["sector"].unique())
    nomenclature = _nomenclature(table, sectors)
    defaults = {"A5": A5_LABELS, "A17": A17_LABELS, "NA38": A38_LABELS}.get(nomenclature, {})
    given = cube.meta.get("sectors", {}) if table == "employment" else {}
    labels = {code: given.get(code, defaults.get(code, code)) for code in sorted(sectors)}
    france = rows[(rows["level"] == "france") & rows["value"].notna()]
    first = france["period"].min()
    frequency = "Q" if rows["period"].array.freqstr.startswith("Q") else "Y"
    scope, subject = SCOPES[table]
    return SectorData(
        table=table,
        frame=rows,
        frequency=frequency,
        first=first,
        last=last,
        nomenclature=nomenclature,
        level=LEVELS[nomenclature],
        scope=scope,
        subject=subject,
        timing=TIMING[table],
        source=cube.meta.get("sources", {}).get(table, table),
        labels=labels,
        spheres=nomenclature != "A5" and sectors <= set(SPHERE_BY_SECTOR),
        france_label=cube.meta.get("france_labels", {}).get(
            table, cube.meta.get("france_label", "France")
        ),
    )


def sector_frame(cube, territory=None, *, min_coverage: float = MIN_COVERAGE) -> SectorData | None:
    """The best available frame of employment by sector for ``territory``, and what it is.

    Parameters
    ----------
    cube : Cube
    territory : Territory, optional
        The territory to describe; None: the best table for France and the zones.
    min_coverage : float, default :data:`MIN_COVERAGE`
        Share of the référentiel's zones that must have sector figures in the table's last
        period for its France to be a reference.

    Returns
    -------
    SectorData or None
        The first table of :data:`PREFERENCE` that can describe the territory (module
        docstring), or None when none can.

    Raises
    ------
    ParameterError
        ``cube`` not a cube, ``territory`` not one of its territories, ``min_coverage`` not
        between 0 and 1.

    Notes
    -----
    A table can describe the territory when ``E_France,last`` is known,
    ``#{zones z : E_z,last known} ≥ min_coverage × #zones`` and ``E_territory,last`` is known,
    ``last`` being the table's last period with French sector figures.

    Examples
    --------
    >>> data = sector_frame(cube, cube.territory("2705"))  # doctest: +SKIP
    >>> data.table, data.level, data.periods  # doctest: +SKIP
    ('employment_estel', 'secteurs A5 (5 grands secteurs)', '1998-2018')
    """
    check_territory(cube, territory)
    if isinstance(min_coverage, bool) or not isinstance(min_coverage, int | float):
        raise ParameterError(f"min_coverage {min_coverage!r}: expected a number in [0, 1]")
    if not 0 <= min_coverage <= 1:
        raise ParameterError(f"min_coverage {min_coverage!r}: expected a number in [0, 1]")
    for table in PREFERENCE:
        if table not in schemas.SCHEMAS:
            continue
        rows = _candidate(cube, table)
        if rows is None:
            continue
        last = _usable(cube, rows, territory, min_coverage)
        if last is not None:
            return describe(cube, table, rows, last)
    return None
