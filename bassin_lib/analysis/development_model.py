"""Captured income (« revenus captés ») and the « modèle de développement » (A1–A7).

The canonical input is an ``income_base`` frame, one row per territory, period and component:
``level, code, period, component, value`` with ``component`` in :data:`COMPONENTS` and
``value`` the income the territory captures through that channel, in euros:

============  ================================================================================
productive    revenus productifs exportateurs: wages and profits of the exporting activities (A1)
public        revenus publics: wages of the public sector (A6)
social        revenus sociaux: social benefits (A2)
pensions      pensions de retraite (A3)
commuting     revenus pendulaires: wages of residents working outside the zone (A4)
tourism       dépenses touristiques: spending of visitors (A5)
============  ================================================================================

The source study's figures come from « Calculs Six d'après Insee, DGI et Urssaf », a method it
does not document; building the ``income_base`` table from open data is left to a
source module. This module only works on the table: shares, socialisation (A7) and the label.

Functions work on every territory at once (pivots and column operations, no loop over
territories). A masked component (``NaN`` or absent row) is missing, never zero.

On real data there is no open ``income_base`` table. What Filosofi publishes instead is the
composition of the disposable income of the households living in a territory (table
``income_composition``: activity income, pensions, property income, social benefits, taxes):
:func:`income_composition_levels` reads it for a territory, its region and France
métropolitaine, and :func:`income_composition_profile` labels it with a simple rule against
France. It describes the residents' income, not the captured-income bases above.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from bassin_lib.analysis.common import (
    check_choice,
    check_period,
    check_territory,
    cube_table,
    frame_span,
    long_rows,
    shared_doc,
    table_span,
)
from bassin_lib.errors import ParameterError
from bassin_lib.inputs.territories import Territory

KEYS = ["level", "code", "period"]
COMPONENTS = ["productive", "public", "social", "pensions", "commuting", "tourism"]
SOCIALISATION = "socialisation"
#: Components summed into the degree of socialisation (A7): « revenus publics, sociaux et
#: pensions de retraite ».
SOCIALISATION_PARTS = ("public", "social", "pensions")
#: French labels of the components, and of the socialisation aggregate.
COMPONENT_LABELS: dict[str, str] = {
    "productive": "revenus productifs exportateurs",
    "public": "revenus publics",
    "social": "revenus sociaux",
    "pensions": "pensions de retraite",
    "commuting": "revenus pendulaires",
    "tourism": "dépenses touristiques",
    SOCIALISATION: "socialisation (revenus publics, sociaux et pensions de retraite)",
}
#: Adjective of each component in a development-model label (« productif-social-retraite »).
ADJECTIVES: Mapping[str, str] = MappingProxyType(
    {
        "productive": "productif",
        "public": "public",
        "social": "social",
        "pensions": "retraite",
        "commuting": "pendulaire",
        "tourism": "touristique",
    }
)
BENCHMARKS = ["zone_mean", "france"]
NO_LEVER_LABEL = "diversifié"
#: Comparisons of shares with thresholds allow this many points of rounding error, so that a
#: share exactly ``margin`` points above the benchmark is a lever whatever the float rounding.
TOLERANCE = 1e-9
FRANCE = ("france", "FR")


def income_base_shares(income_base: pd.DataFrame) -> pd.DataFrame:
    """Share of each component in the income a territory captures (%), and socialisation (A7).

    Parameters
    ----------
    income_base : DataFrame
        ``level, code, period, component, value`` (euros), ``component`` in
        :data:`COMPONENTS`; any period frequency.

    Returns
    -------
    DataFrame
        Seven rows per territory and period (the six components in :data:`COMPONENTS` order,
        then ``"socialisation"``), sorted: ``level, code, period, component, value, share_pct,
        lower_bound, complete``. ``complete`` is true when all six components are observed
        (and none is flagged ``lower_bound`` in the input).

    Raises
    ------
    ParameterError
        An unknown component (named, with the allowed set) or a malformed frame.

    Notes
    -----
    ``share_pct_k = 100 × R_k / Σ_j R_j``, the sum running over the observed components of the
    territory-period. Without masked components the six shares sum to 100. The source study's A1 is
    the ``productive`` share (« 32,8 % contre 19,2 % » in Belfort-Montbéliard). Socialisation
    (A7, « revenus publics, sociaux et pensions de retraite ») is
    ``R_public + R_social + R_pensions`` and its share the sum of their shares; with one of
    them masked it sums the others and is flagged ``lower_bound``. A masked component has
    ``value`` and ``share_pct`` NaN; when ``complete`` is false the other shares are
    overstated.

    Examples
    --------
    >>> shares = income_base_shares(income_base)
    >>> shares.query("code == '2705' and component == 'productive'")["share_pct"]
    """
    rows = long_rows(income_base, "income_base", [*KEYS, "component", "value"])
    unknown = sorted(set(rows["component"]) - set(COMPONENTS))
    if unknown:
        raise ParameterError(
            f"unknown income component(s) {unknown}: allowed {COMPONENTS}"
            + (" (socialisation is derived, not an input)" if SOCIALISATION in unknown else "")
        )
    keys, values, partial = _dense(rows, KEYS)
    observed = ~np.isnan(values)
    total = np.where(observed.any(axis=1), np.nansum(values, axis=1), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = 100.0 * values / np.where(total > 0, total, np.nan)[:, None]
    parts = [COMPONENTS.index(c) for c in SOCIALISATION_PARTS]
    some = observed[:, parts].any(axis=1)
    social_value = np.where(some, np.nansum(values[:, parts], axis=1), np.nan)
    social_share = np.where(some, np.nansum(shares[:, parts], axis=1), np.nan)
    social_bound = (~observed[:, parts] | partial[:, parts]).any(axis=1) & some
    complete = observed.all(axis=1) & ~partial.any(axis=1)
    width = len(COMPONENTS) + 1
    out = keys.iloc[np.repeat(np.arange(len(keys)), width)].reset_index(drop=True)
    out["component"] = np.tile(np.asarray([*COMPONENTS, SOCIALISATION], dtype=object), len(keys))
    out["value"] = np.column_stack([values, social_value]).ravel()
    out["share_pct"] = np.column_stack([shares, social_share]).ravel()
    out["lower_bound"] = np.column_stack([partial, social_bound]).ravel()
    out["complete"] = np.repeat(complete, width)
    return out


def _dense(rows: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """One row per ``keys`` group (sorted) and one column per component (:data:`COMPONENTS`).

    Returns
    -------
    groups : DataFrame
        The ``keys`` of each row, sorted.
    values : ndarray
        ``value`` of each group and component, ``NaN`` where masked or absent.
    partial : ndarray of bool
        ``lower_bound`` of each cell (false where absent).
    """
    grouped = rows.groupby(keys, sort=True, observed=True)
    ids = grouped.ngroup().to_numpy()
    groups = grouped.size().index.to_frame(index=False)
    column = rows["component"].map({c: i for i, c in enumerate(COMPONENTS)}).to_numpy(dtype=int)
    values = np.full((len(groups), len(COMPONENTS)), np.nan)
    values[ids, column] = rows["value"].to_numpy(dtype=float)
    partial = np.zeros(values.shape, dtype=bool)
    partial[ids, column] = rows["lower_bound"].to_numpy(dtype=bool)
    return groups, values, partial


@dataclass(frozen=True)
class ModelRule:
    """Rule turning income shares into a « modèle de développement » label.

    Parameters
    ----------
    margin : float, default 1.0
        A component is a lever when its share exceeds the benchmark's by at least ``margin``
        percentage points (and by more than 0). ``margin >= 0``.
    rise_points : float, default 1.0
        With two periods (``since`` in :func:`development_model`), a component is also a lever
        when its share rose by at least ``rise_points`` points (and by more than 0) between
        them. ``rise_points >= 0``.
    order : tuple of str, default :data:`COMPONENTS`
        The components that may be levers, in the order their adjectives appear in the label.
        A component left out is never a lever.
    adjectives : mapping of str to str, default :data:`ADJECTIVES`
        Adjective of each component of ``order`` in the label.
    no_lever_label : str, default "diversifié"
        Label of a territory with no lever.

    Raises
    ------
    ParameterError
        A negative or non-finite threshold, an unknown or repeated component in ``order``, or
        a component of ``order`` with no adjective.

    Notes
    -----
    The source study gives the label (« productif-social-retraite-pendulaire ») but not its
    criteria. This rule is the plausible reading of it: the levers are the components whose
    share is above the benchmark (the « moyenne des zones d'emploi françaises »), or rising;
    their adjectives are joined with « - » in a fixed order. The thresholds have no value in
    the source study: 1 point by default, to be confirmed against the « Six » method.
    """

    margin: float = 1.0
    rise_points: float = 1.0
    order: tuple[str, ...] = tuple(COMPONENTS)
    adjectives: Mapping[str, str] = field(default_factory=lambda: ADJECTIVES)
    no_lever_label: str = NO_LEVER_LABEL

    def __post_init__(self):
        for name in ("margin", "rise_points"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not np.isfinite(value)
                or value < 0
            ):
                raise ParameterError(f"{name} {value!r}: expected a finite number ≥ 0 (points)")
        if isinstance(self.order, str) or not all(isinstance(c, str) for c in self.order):
            raise ParameterError(
                f"order {self.order!r}: expected a sequence of components among {COMPONENTS}"
            )
        order = tuple(self.order)
        unknown = [c for c in order if c not in COMPONENTS]
        if unknown:
            raise ParameterError(f"order has unknown component(s) {unknown}: allowed {COMPONENTS}")
        if len(set(order)) != len(order):
            raise ParameterError(f"order {list(order)} repeats a component")
        if not isinstance(self.adjectives, Mapping):
            raise ParameterError(
                f"adjectives must be a mapping of component to adjective, "
                f"not {type(self.adjectives).__name__}"
            )
        without = [c for c in order if not isinstance(self.adjectives.get(c), str)]
        if without:
            raise ParameterError(f"no adjective for component(s) {without} in adjectives")
        if not isinstance(self.no_lever_label, str) or not self.no_lever_label:
            raise ParameterError(f"no_lever_label {self.no_lever_label!r}: expected a label")
        object.__setattr__(self, "order", order)


DEFAULT_RULE = ModelRule()


def _wide_shares(rows: pd.DataFrame, period: pd.Period) -> tuple[pd.DataFrame, np.ndarray]:
    """``level, code`` of the territories with rows at ``period`` (sorted), and their shares."""
    groups, values, _ = _dense(rows[rows["period"] == period], ["level", "code"])
    return groups, values


def _present(rows: pd.DataFrame, value, span, name: str) -> pd.Period:
    """Check ``value`` (:func:`~bassin_lib.analysis.common.check_period`) and that the frame
    has rows at that period (shares exist only at the years of the income base)."""
    period = check_period(value, span, name)
    if not (rows["period"] == period).any():
        available = sorted(str(p) for p in rows["period"].unique())
        raise ParameterError(f"{name} {period} not in the shares frame; available: {available}")
    return period


def development_model(
    shares: pd.DataFrame,
    benchmark: str = "zone_mean",
    rule: ModelRule = DEFAULT_RULE,
    *,
    period=None,
    since=None,
) -> pd.DataFrame:
    """The « modèle de développement » label of each territory, from its income shares.

    Parameters
    ----------
    shares : DataFrame
        Output of :func:`income_base_shares` (``level, code, period, component, share_pct``;
        the ``socialisation`` rows are ignored).
    benchmark : {"zone_mean", "france"}, default "zone_mean"
        ``"zone_mean"``: the unweighted mean of the shares of every zone (``level == "zone"``)
        at the period, the territory included — the source study's « moyenne des zones d'emploi
        françaises ». ``"france"``: the row ``level == "france"``, ``code == "FR"``.
    rule : ModelRule, default ``ModelRule()``
        Thresholds, order of the components and adjectives (see :class:`ModelRule`).
    period : str or Period, optional
        Period labelled, one of the periods of ``shares``; default the latest.
    since : str or Period, optional
        Earlier period of ``shares``: when given, a component whose share rose by at least
        ``rule.rise_points`` points since then is also a lever.

    Returns
    -------
    DataFrame
        One row per territory with shares at ``period``, sorted: ``level, code, period, since``
        (NaT without the rising criterion), ``benchmark``, ``label``, ``levers`` (the lever
        components, ``", "``-joined in ``rule.order``), one boolean column per component of
        :data:`COMPONENTS` (true for a lever), and ``complete`` (every share of
        ``rule.order`` is known for the territory and the benchmark, and at ``since`` when
        given).

    Raises
    ------
    ParameterError
        An unknown benchmark (named with the allowed set), a rule that is not a
        :class:`ModelRule`, a period that does not parse, lies outside the frame's periods or
        has no rows (with the periods that have), ``since`` not before ``period``, no zone
        (``"zone_mean"``) or no France row (``"france"``) at the period, or a malformed frame.

    Notes
    -----
    With ``s_k`` the territory's share of component ``k`` at ``period`` (%), ``b_k`` the
    benchmark's and ``s⁰_k`` the territory's share at ``since``, ``k`` is a lever when

    - ``s_k − b_k ≥ margin`` and ``s_k − b_k > 0`` (above the benchmark), or
    - ``since`` is given and ``s_k − s⁰_k ≥ rise_points`` and ``s_k − s⁰_k > 0`` (rising).

    The label joins the adjectives of the levers with « - » in ``rule.order``: productive,
    public, social, pensions, commuting, tourism give « productif-public-social-retraite-
    pendulaire-touristique ». A territory with no lever is labelled « diversifié »
    (``rule.no_lever_label``): no income base stands out from the benchmark, so none names
    its model. A missing share (masked component, or absent at ``since``) is not a lever and
    makes ``complete`` false. Comparisons allow :data:`TOLERANCE` points of rounding error.
    The source study's Belfort-Montbéliard label « productif-social-retraite-pendulaire »
    reads as productive and pensions above the zone mean, social and commuting rising, public
    and tourism neither; the criteria are not given by the source study.

    Examples
    --------
    >>> development_model(income_base_shares(income_base), since="2015")
    """
    check_choice(benchmark, "benchmark", BENCHMARKS)
    if not isinstance(rule, ModelRule):
        raise ParameterError(f"rule must be a ModelRule, not {type(rule).__name__}")
    if isinstance(shares, pd.DataFrame) and "share_pct" in shares.columns:
        shares = shares.rename(columns={"value": "_euros", "share_pct": "value"})
    rows = long_rows(shares, "shares", [*KEYS, "component", "value"])
    rows = rows[rows["component"] != SOCIALISATION]
    unknown = sorted(set(rows["component"]) - set(COMPONENTS))
    if unknown:
        raise ParameterError(f"unknown income component(s) {unknown}: allowed {COMPONENTS}")
    if rows.empty:
        raise ParameterError("shares frame has no component rows")
    span = frame_span(rows, "shares frame")
    at = _present(rows, rows["period"].max() if period is None else period, span, "period")
    freq = rows["period"].array.freqstr
    since_period = pd.Period(pd.NaT, freq=freq)
    if since is not None:
        since_period = _present(rows, since, span, "since")
        if since_period >= at:
            raise ParameterError(f"since {since_period} must be before period {at}")
    groups, values = _wide_shares(rows, at)
    is_zone = (groups["level"] == "zone").to_numpy()
    if benchmark == "zone_mean":
        if not is_zone.any():
            raise ParameterError(f"no zone rows in {at}: the zone mean needs the zones' shares")
        zones = values[is_zone]
        counts = (~np.isnan(zones)).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            reference = np.nansum(zones, axis=0) / np.where(counts > 0, counts, np.nan)
    else:
        france = ((groups["level"] == FRANCE[0]) & (groups["code"] == FRANCE[1])).to_numpy()
        if not france.any():
            raise ParameterError(
                f"no France row (level 'france', code 'FR') in {at}; use benchmark 'zone_mean'"
            )
        reference = values[np.flatnonzero(france)[0]]
    used = np.isin(COMPONENTS, rule.order)
    with np.errstate(invalid="ignore"):
        gap = values - reference
        lever = (gap >= rule.margin - TOLERANCE) & (gap > TOLERANCE)
    known = ~np.isnan(values[:, used]).any(axis=1) & ~np.isnan(reference[used]).any()
    if since is not None:
        earlier_groups, earlier = _wide_shares(rows, since_period)
        position = pd.MultiIndex.from_frame(earlier_groups).get_indexer(
            pd.MultiIndex.from_frame(groups)
        )
        before = np.where((position >= 0)[:, None], earlier[position], np.nan)
        with np.errstate(invalid="ignore"):
            rise = values - before
            lever |= (rise >= rule.rise_points - TOLERANCE) & (rise > TOLERANCE)
        known &= ~np.isnan(before[:, used]).any(axis=1)
    lever &= used
    label = np.full(len(groups), "", dtype=object)
    names = np.full(len(groups), "", dtype=object)
    for component in rule.order:  # at most six components: a loop over columns, not zones
        flag = lever[:, COMPONENTS.index(component)]
        label = label + np.where(flag, rule.adjectives[component] + "-", "").astype(object)
        names = names + np.where(flag, component + ", ", "").astype(object)
    label = pd.Series(label, dtype=object)
    label = label.str[:-1].where(label != "", rule.no_lever_label).to_numpy(dtype=object)
    names = pd.Series(names, dtype=object).str[:-2].to_numpy(dtype=object)
    out = groups.assign(
        period=pd.PeriodIndex([at] * len(groups)),
        since=pd.PeriodIndex([since_period] * len(groups), freq=freq),
        benchmark=benchmark,
        label=label,
        levers=names,
    )
    for position, component in enumerate(COMPONENTS):
        out[component] = lever[:, position]
    out["complete"] = known
    return out


# --------------------------------------------------------------------------------------------
# Composition of households' disposable income (INSEE Filosofi), for real data
# --------------------------------------------------------------------------------------------

COMPOSITION_TABLE = "income_composition"
#: Filosofi components of disposable income (table ``income_composition``), in reading order,
#: with their French labels. ``PACT = PTSA + PCHO + PBEN``, ``PPSOC = PPFAM + PPMINI +
#: PPLOGT``, ``PACT + PPEN + PPAT + PPSOC + PIMPOT = 100``.
COMPOSITION_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "PACT": "revenus d'activité",
        "PTSA": "salaires et traitements",
        "PCHO": "indemnités de chômage",
        "PBEN": "revenus des activités non salariées",
        "PPEN": "pensions, retraites et rentes",
        "PPAT": "revenus du patrimoine",
        "PPSOC": "prestations sociales",
        "PPFAM": "prestations familiales",
        "PPMINI": "minima sociaux",
        "PPLOGT": "prestations logement",
        "PIMPOT": "impôts",
    }
)
COMPOSITION_COMPONENTS = list(COMPOSITION_LABELS)
#: The four sources of disposable income the profile compares (with taxes they sum to 100).
PROFILE_BASES = ("PACT", "PPEN", "PPAT", "PPSOC")
#: Their names in a profile label (plural nouns: « de pensions », « des pensions »).
PROFILE_NOUNS: Mapping[str, str] = MappingProxyType(
    {
        "PACT": "revenus d'activité",
        "PPEN": "pensions",
        "PPAT": "revenus du patrimoine",
        "PPSOC": "prestations sociales",
    }
)
#: Points above France métropolitaine from which a source is a « forte part » of income.
PROFILE_MARGIN = 2.0
COMPOSITION_COLUMNS = ["role", "label", "period", *COMPOSITION_COMPONENTS, "approximate"]
PROFILE_COLUMNS = [
    "role",
    "label",
    "period",
    "dominant",
    "strong",
    "profile",
    *[f"gap_{base}" for base in PROFILE_BASES],
    "margin",
    "complete",
    "approximate",
]


@shared_doc
def income_composition_levels(cube, territory: Territory, year=None) -> pd.DataFrame:
    """Composition of households' disposable income (% by source), territory vs region vs France.

    Parameters
    ----------
    {{cube_one_territory}}
    year : str or Period, optional
        A year of the ``income_composition`` table; default: the latest year for which the
        territory has its share of activity income (``PACT``).

    Returns
    -------
    DataFrame
        One row per role (territory, region, France): ``role, label, period``, one column per
        component of :data:`COMPOSITION_COMPONENTS` (``PACT`` … ``PIMPOT``, % of disposable
        income, taxes negative; NaN where masked or not published), ``approximate``. Empty
        (same columns) when ``year`` is None and the territory has no share of activity income.

    Raises
    ------
    ParameterError
        A territory that is None or not of this cube; a year that does not parse or lies
        outside the years of the table.
    DataFormatError
        The cube has no ``income_composition`` table.

    Notes
    -----
    ``share_k = 100 × R_k / RD`` with ``R_k`` the income of source ``k`` of the households
    living in the territory and ``RD`` their disposable income, as published by Filosofi for
    zones, regions and France (France métropolitaine: sheet ``METRO``). For a group of
    several zones, the shares are the population-weighted means of its zones' shares, flagged
    ``approximate``: the exact shares ``Σ_z R_kz / Σ_z RD_z`` would need each zone's
    disposable income, which the file does not give. These shares describe where the
    residents' income comes from; they are not the captured-income bases
    (:func:`income_base_shares`) of the source study.
    """
    cube_table(cube, COMPOSITION_TABLE)
    check_territory(cube, territory, allow_none=False)
    span = table_span(cube, COMPOSITION_TABLE)
    period = None if year is None else check_period(year, span, "year")
    rows = cube.select(COMPOSITION_TABLE, territory)
    if period is None:
        own = rows[
            (rows["role"] == "territory") & (rows["component"] == "PACT") & rows["value"].notna()
        ]
        if own.empty:
            return pd.DataFrame(columns=COMPOSITION_COLUMNS)
        period = own["period"].max()
    rows = rows[rows["period"] == period]
    order = rows[["role", "label"]].drop_duplicates().set_index(["role", "label"]).index
    wide = rows.set_index(["role", "label", "component"])["value"].unstack("component")
    wide = wide.reindex(index=order, columns=COMPOSITION_COMPONENTS)
    wide["approximate"] = rows.groupby(["role", "label"], sort=False)["approximate"].any()
    wide.columns.name = None
    out = wide.reset_index().assign(period=period)
    return out[COMPOSITION_COLUMNS]


def income_composition_profile(
    levels: pd.DataFrame, margin: float = PROFILE_MARGIN
) -> pd.DataFrame:
    """The income profile of the territory and its region against France, from Filosofi shares.

    Parameters
    ----------
    levels : DataFrame
        Output of :func:`income_composition_levels` (rows ``territory``, ``region``,
        ``france``; columns ``PACT``, ``PPEN``, ``PPAT``, ``PPSOC``).
    margin : float, default :data:`PROFILE_MARGIN` (2 points)
        Points above France from which a source is a « forte part » of income; ``≥ 0``.

    Returns
    -------
    DataFrame
        One row per role other than France: ``role, label, period``, ``dominant`` (the
        Filosofi code of the largest source), ``strong`` (codes of the sources at least
        ``margin`` points above France, ``", "``-joined, in :data:`PROFILE_BASES` order),
        ``profile`` (the French label), ``gap_PACT, gap_PPEN, gap_PPAT, gap_PPSOC`` (points
        above France), ``margin``, ``complete`` (the four shares known for the row and for
        France), ``approximate``. Empty (same columns) without a France row.

    Raises
    ------
    ParameterError
        A negative or non-finite margin, or a frame without the columns of
        :func:`income_composition_levels`.

    Notes
    -----
    With ``s_k`` the territory's share of source ``k`` among ``PACT`` (activity income),
    ``PPEN`` (pensions, retirement and annuities), ``PPAT`` (property income) and ``PPSOC``
    (social benefits), and ``f_k`` that of France métropolitaine:

    - the **dominant** source is ``argmax_k s_k`` (activity income in every zone but one in
      2019: 296 zones of 297);
    - a source is **strong** when ``s_k − f_k ≥ margin`` (2 points by default; comparisons
      allow :data:`TOLERANCE` of rounding).

    The label is « territoire à dominante de <dominant> », followed by « , à forte part des
    <strong sources> » for the strong sources other than the dominant one; a dominant source
    that is itself strong gives « territoire à forte dominante de <dominant> ». With a
    missing share (masked) the label uses the known shares and ``complete`` is false.

    Only what Filosofi supports is said: the sources of the residents' income, against France.
    The rule is not the source study's « modèle de développement » (its captured-income bases
    and criteria are not open data). Calibration on the 297 zones of 2019, with 2 points:
    pensions are strong in 182 zones (France métropolitaine, weighted by its large cities, has
    28,3 % of pensions while the median zone has 32,2 %), activity income in 38, social
    benefits in 34 and property income in 24.

    Examples
    --------
    >>> income_composition_profile(income_composition_levels(cube, cube.territory("2714")))
    """
    if (
        isinstance(margin, bool)
        or not isinstance(margin, int | float)
        or not np.isfinite(margin)
        or margin < 0
    ):
        raise ParameterError(f"margin {margin!r}: expected a finite number ≥ 0 (points)")
    required = ["role", "label", "period", *PROFILE_BASES]
    if not isinstance(levels, pd.DataFrame) or any(c not in levels for c in required):
        raise ParameterError(
            f"levels must be the frame of income_composition_levels, with columns {required}"
        )
    france = levels[levels["role"] == "france"]
    if france.empty:
        return pd.DataFrame(columns=PROFILE_COLUMNS)
    reference = france.iloc[0][list(PROFILE_BASES)].to_numpy(dtype=float)
    rows = levels[levels["role"] != "france"].reset_index(drop=True)
    shares = rows[list(PROFILE_BASES)].to_numpy(dtype=float)
    gaps = shares - reference
    with np.errstate(invalid="ignore"):
        strong = gaps >= margin - TOLERANCE
    known = ~np.isnan(shares)
    dominant, chosen, labels = [], [], []
    for i in range(len(rows)):  # two rows at most: the territory and its region
        if not known[i].any():
            dominant.append("")
            chosen.append("")
            labels.append("")
            continue
        top = PROFILE_BASES[int(np.nanargmax(shares[i]))]
        others = [b for k, b in enumerate(PROFILE_BASES) if strong[i, k] and b != top]
        top_strong = bool(strong[i, PROFILE_BASES.index(top)])
        label = "territoire à forte dominante de " if top_strong else "territoire à dominante de "
        label += PROFILE_NOUNS[top]
        if others:
            names = [f"des {PROFILE_NOUNS[b]}" for b in others]
            joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]
            label += f", à forte part {joined}"
        dominant.append(top)
        chosen.append(", ".join(b for k, b in enumerate(PROFILE_BASES) if strong[i, k]))
        labels.append(label)
    out = rows[["role", "label", "period"]].copy()
    out["dominant"] = dominant
    out["strong"] = chosen
    out["profile"] = labels
    for k, base in enumerate(PROFILE_BASES):
        out[f"gap_{base}"] = gaps[:, k]
    out["margin"] = float(margin)
    out["complete"] = known.all(axis=1) & ~np.isnan(reference).any()
    out["approximate"] = (
        rows["approximate"].astype(bool).to_numpy() if "approximate" in rows else False
    )
    return out[PROFILE_COLUMNS]
