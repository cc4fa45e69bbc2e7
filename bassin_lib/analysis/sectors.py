"""Sector structure of employment: shares, location quotients, specialisation, spheres.

Every function takes the long ``employment`` frame (canonical table of
:mod:`bassin_lib.inputs.schemas`, already filtered on one ``adjustment``) with the columns
``level, code, period, sector, value`` for **all** territories at once and works with
groupby/merge only (no loop over territories or periods). Rows whose sector is ``"TOTAL"``
are dropped: every total below is a sum over the sector rows.

Masked cells
------------
A masked cell (``NaN``) is missing, never zero. The rule used throughout the module:

- a masked sector is left out of the sums; a share is relative to the **observed** sectors of
  the territory in that period, and a masked sector's own share is ``NaN``;
- the boolean column ``complete`` says whether the figure rests on every sector: it is false
  when a sector of the territory-period (or of the reference, for comparisons) is masked or
  absent, the universe of sectors being every sector appearing in the input. When the input
  carries the cube's ``lower_bound`` column, a lower-bound cell also makes ``complete`` false
  (its value is used as it is). When ``complete`` is false the shares of the observed sectors
  are overstated and the figure should be read as approximate.

Sphères présentielle et productive
----------------------------------
Insee splits activities into a *sphère présentielle* (goods and services produced locally
for the people present in the area, residents or tourists) and a *sphère productive* (the
rest: goods and services mainly consumed outside the area, and services to businesses).
Insee defines the split on the 732 sub-classes of NAF rév. 2. The employment tables only give
aggregated sectors (A17 or A38), so :data:`SPHERE_BY_SECTOR` is an **approximation**: each
A17/A38 sector goes to the sphere of most of its jobs, by our judgement of the sub-classes it
groups (a comment gives the rule for each code), not from an Insee table. Known departures:
artisanal bakeries and butchers (in C1/CA), local bank branches (KZ), passenger transport and
taxis (HZ), vets and travel agencies (MN/MC/NZ) are presential but sit in sectors mapped
productive; wholesale trade (GZ) is productive but sits in a sector mapped presential; in A17,
water and waste (presential) are merged with energy in DE, mapped productive. Results are
therefore close to, not equal to, Insee's published sphere figures; pass your own ``mapping``
to :func:`sphere_shares` to change the rule.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from bassin_lib.analysis.common import long_rows, shared_doc
from bassin_lib.errors import ParameterError

TOTAL_SECTOR = "TOTAL"
REQUIRED_COLUMNS = ["level", "code", "period", "sector", "value"]
KEYS = ["level", "code", "period"]
DEFAULT_REFERENCE = ("france", "FR")
PRESENTIELLE = "presentielle"
PRODUCTIVE = "productive"

# NAF rév. 2 aggregated sectors → sphere. Rule per code: the sphere of most of the sector's jobs
# in Insee's sub-class split (« activités présentielles » vs « productives »).
SPHERE_BY_SECTOR: dict[str, str] = {
    # --- A17 ---
    "AZ": PRODUCTIVE,  # agriculture, forestry, fishing: sold outside the area
    "C1": PRODUCTIVE,  # food industry (artisanal bakeries/butchers, presential, are a minority)
    "C2": PRODUCTIVE,  # coke and refined petroleum
    "C3": PRODUCTIVE,  # electrical, electronic, computer equipment; machinery
    "C4": PRODUCTIVE,  # transport equipment
    "C5": PRODUCTIVE,  # other manufacturing
    "DE": PRODUCTIVE,  # energy (productive) + water and waste (presential): energy weighs more
    "FZ": PRESENTIELLE,  # construction: mostly building and finishing work for local demand
    "GZ": PRESENTIELLE,  # trade: retail and car repair (presential) outweigh wholesale
    "HZ": PRODUCTIVE,  # transport and storage: freight and logistics outweigh taxis, urban lines
    "IZ": PRESENTIELLE,  # accommodation and food service: residents and tourists
    "JZ": PRODUCTIVE,  # information and communication: publishing, telecoms, software
    "KZ": PRODUCTIVE,  # finance and insurance (local bank branches would be presential)
    "LZ": PRESENTIELLE,  # real estate: agencies and property management for residents
    "MN": PRODUCTIVE,  # business services incl. temporary work (vets, travel agencies aside)
    "OQ": PRESENTIELLE,  # public administration, education, health, social work
    "RU": PRESENTIELLE,  # arts, associations, personal services, households as employers
    # --- A38 (AZ, FZ, GZ, HZ, IZ, KZ, LZ as in A17 above) ---
    "BZ": PRODUCTIVE,  # mining and quarrying
    "CA": PRODUCTIVE,  # food, beverages, tobacco (same remark as C1)
    "CB": PRODUCTIVE,  # textiles, clothing, leather
    "CC": PRODUCTIVE,  # wood, paper, printing
    "CD": PRODUCTIVE,  # coke and refined petroleum
    "CE": PRODUCTIVE,  # chemicals
    "CF": PRODUCTIVE,  # pharmaceuticals
    "CG": PRODUCTIVE,  # rubber, plastics, non-metallic minerals
    "CH": PRODUCTIVE,  # basic metals and metal products
    "CI": PRODUCTIVE,  # computer, electronic and optical products
    "CJ": PRODUCTIVE,  # electrical equipment
    "CK": PRODUCTIVE,  # machinery
    "CL": PRODUCTIVE,  # transport equipment
    "CM": PRODUCTIVE,  # other manufacturing, repair and installation of machinery
    "DZ": PRODUCTIVE,  # electricity, gas, steam: production and transmission
    "EZ": PRESENTIELLE,  # water supply, sewerage, waste collection: local public services
    "JA": PRODUCTIVE,  # publishing, audiovisual, broadcasting
    "JB": PRODUCTIVE,  # telecommunications
    "JC": PRODUCTIVE,  # computer programming, IT services
    "MA": PRODUCTIVE,  # legal, accounting, management, architecture, engineering
    "MB": PRODUCTIVE,  # scientific research and development
    "MC": PRODUCTIVE,  # advertising, design, other specialised activities (vets aside)
    "NZ": PRODUCTIVE,  # administrative and support services incl. temporary work
    "OZ": PRESENTIELLE,  # public administration
    "PZ": PRESENTIELLE,  # education
    "QA": PRESENTIELLE,  # human health
    "QB": PRESENTIELLE,  # residential care and social work
    "RZ": PRESENTIELLE,  # arts, entertainment, recreation
    "SZ": PRESENTIELLE,  # other personal services, associations
    "TZ": PRESENTIELLE,  # households as employers
    "UZ": PRODUCTIVE,  # extraterritorial organisations: no local consumer demand
}


# --------------------------------------------------------------------------------------------
# Shared input checks (also used by bassin_lib.analysis.shift_share)
# --------------------------------------------------------------------------------------------


def _sector_rows(employment: pd.DataFrame) -> pd.DataFrame:
    """Check the employment frame and return its sector rows (``TOTAL`` dropped).

    Returns
    -------
    DataFrame
        ``level, code, period, sector, value`` (float) and ``partial`` (bool: the cell is a
        lower bound, from the cube's ``lower_bound`` column when present), in input order.

    Raises
    ------
    ParameterError
        A malformed frame (:func:`~bassin_lib.analysis.common.long_rows`) or one that mixes
        adjustments.
    """
    adjusted = isinstance(employment, pd.DataFrame) and "adjustment" in employment.columns
    columns = [*KEYS, "sector", *(["adjustment"] if adjusted else []), "value"]
    rows = long_rows(employment, "employment", columns)
    if adjusted:
        adjustments = sorted(rows["adjustment"].dropna().unique())
        if len(adjustments) > 1:
            raise ParameterError(
                f"employment frame mixes adjustments {adjustments}; "
                "filter it on one adjustment ('brut' or 'cvs') first"
            )
    rows = rows[rows["sector"] != TOTAL_SECTOR].reset_index(drop=True)
    return rows[[*KEYS, "sector", "value"]].assign(partial=rows["lower_bound"])


def _check_reference(rows: pd.DataFrame, reference) -> tuple[str, str]:
    """Check that ``reference`` is a (level, code) pair present in ``rows``."""
    if (
        not isinstance(reference, tuple | list)
        or len(reference) != 2
        or not all(isinstance(part, str) for part in reference)
    ):
        raise ParameterError(
            f"reference must be a (level, code) pair of strings such as ('france', 'FR'), "
            f"not {reference!r}"
        )
    level, code = reference
    present = (rows["level"] == level) & (rows["code"] == code)
    if not present.any():
        pairs = rows[["level", "code"]].drop_duplicates().sort_values(["level", "code"])
        preferred = pd.concat(
            [pairs[pairs["level"] == "france"], pairs[pairs["level"] == "region"], pairs]
        ).drop_duplicates()
        available = [tuple(pair) for pair in preferred.head(10).itertuples(index=False)]
        raise ParameterError(
            f"unknown reference {tuple(reference)!r}: no sector rows for it; "
            f"available references include {available}"
        )
    return level, code


def _reference_mask(rows: pd.DataFrame, reference: tuple[str, str]) -> pd.Series:
    return (rows["level"] == reference[0]) & (rows["code"] == reference[1])


def _join_reference(rows: pd.DataFrame, reference, columns: list[str]) -> pd.DataFrame:
    """Add to each row the reference's ``reference_<column>`` of the same period and sector
    (missing where the reference has no such row)."""
    ref = rows.loc[_reference_mask(rows, reference), ["period", "sector", *columns]]
    ref = ref.rename(columns={c: f"reference_{c}" for c in columns})
    return rows.merge(ref, on=["period", "sector"], how="left")


def _shares(rows: pd.DataFrame) -> pd.DataFrame:
    """Add ``share`` and ``complete`` to checked sector rows (see module docstring)."""
    n_universe = rows["sector"].nunique()
    grouped = rows.groupby(KEYS, sort=False, observed=True)
    total = grouped["value"].transform("sum")
    observed = grouped["value"].transform("count")
    partial = grouped["partial"].transform("any")
    out = rows.assign(
        share=rows["value"] / total.where(total > 0),
        complete=(observed == n_universe) & ~partial,
    )
    return out


# --------------------------------------------------------------------------------------------
# Public indicators
# --------------------------------------------------------------------------------------------


@shared_doc
def sector_shares(employment: pd.DataFrame) -> pd.DataFrame:
    """Share of each sector in the employment of each territory and period.

    Parameters
    ----------
    {{employment_frame}}

    Returns
    -------
    DataFrame
        One row per input sector row, in input order: ``level, code, period, sector, value,
        share, complete``. ``complete`` is true when every sector of the territory-period is
        observed (module docstring).

    Raises
    ------
    ParameterError
        When the frame lacks a column, mixes adjustments or has duplicated cells.

    Notes
    -----
    ``s_i = E_i / Σ_j E_j``, the sum running over the observed sectors ``j`` of the territory
    in the period (``TOTAL`` excluded). Without masked cells the shares of a territory-period
    sum to 1. A masked sector has ``share`` NaN; a territory-period whose observed total is 0
    has every share NaN.

    Examples
    --------
    >>> cvs = cube.tables["employment"].query("adjustment == 'cvs'")
    >>> shares = sector_shares(cvs)
    """
    rows = _sector_rows(employment)
    return _shares(rows)[[*KEYS, "sector", "value", "share", "complete"]]


@shared_doc
def location_quotients(
    employment: pd.DataFrame, *, reference: tuple[str, str] = DEFAULT_REFERENCE
) -> pd.DataFrame:
    """Location quotient (« indice de spécificité ») of each sector against a reference.

    Parameters
    ----------
    {{employment_frame}}
    reference : (level, code), default ("france", "FR")
        The territory every other one is compared with; it must have sector rows.

    Returns
    -------
    DataFrame
        One row per input sector row, in input order: ``level, code, period, sector, value,
        share, reference_share, lq, lq_rest, complete``. ``complete`` is true when both the
        territory and the reference observe every sector in the period.

    Raises
    ------
    ParameterError
        Unknown reference, or a bad employment frame (see :func:`sector_shares`).

    Notes
    -----
    With ``s_i`` the territory's share of sector ``i`` and ``S_i`` the reference's share
    (:func:`sector_shares`):

    - ``lq_i = s_i / S_i``: above 1, the sector weighs more locally than in the reference.
    - ``lq_rest_i = s_i / R_i`` with ``R_i = (E_ref,i − E_i) / Σ_j (E_ref,j − E_j)``, the
      share of sector ``i`` in the *rest* of the reference (reference minus the territory),
      summed over the sectors observed in both. For a big territory (a large metropolitan
      zone, a region) ``lq`` is pulled towards 1 because the territory weighs in its own
      reference; ``lq_rest`` compares it with everything else.

    For the reference itself ``lq`` is 1 and ``lq_rest`` is NaN. ``lq_rest`` is NaN as well
    when the rest is not positive (the territory holds all the reference's jobs in the sector,
    or is as big as the reference), and both quotients are NaN when a share is missing.
    """
    rows = _sector_rows(employment)
    reference = _check_reference(rows, reference)
    shares = _shares(rows)
    own = shares[_reference_mask(shares, reference)]
    reference_complete = own.groupby("period", observed=True)["complete"].all()
    out = _join_reference(shares, reference, ["value", "share"])
    out["lq"] = out["share"] / out["reference_share"]
    both = out["value"].notna() & out["reference_value"].notna()
    rest = (out["reference_value"] - out["value"]).where(both)
    rest_total = rest.groupby([out[k] for k in KEYS], sort=False, observed=True).transform("sum")
    rest_share = rest / rest_total.where(rest_total > 0)
    out["lq_rest"] = out["share"] / rest_share.where(rest_share > 0)
    is_reference = _reference_mask(out, reference)
    out.loc[is_reference, "lq"] = 1.0
    out.loc[is_reference, "lq_rest"] = np.nan
    out.loc[out["share"].isna() | out["reference_share"].isna(), "lq"] = np.nan
    ref_ok = out["period"].map(reference_complete).astype("boolean").fillna(False)
    out["complete"] = out["complete"] & ref_ok.to_numpy(dtype=bool)
    return out[[*KEYS, "sector", "value", "share", "reference_share", "lq", "lq_rest", "complete"]]


@shared_doc
def specialisation_indices(
    employment: pd.DataFrame, *, reference: tuple[str, str] = DEFAULT_REFERENCE
) -> pd.DataFrame:
    """Krugman and Hoover specialisation indices and Herfindahl concentration index.

    Parameters
    ----------
    {{employment_frame}}
    reference : (level, code), default ("france", "FR")
        The territory whose sector structure is the benchmark.

    Returns
    -------
    DataFrame
        One row per territory and period, sorted: ``level, code, period, krugman, hoover,
        herfindahl, n_sectors, complete``. ``n_sectors`` is the number of sectors the indices
        are computed on; ``complete`` is true when that is every sector of the input and no
        cell is a lower bound.

    Raises
    ------
    ParameterError
        Unknown reference, or a bad employment frame (see :func:`sector_shares`).

    Notes
    -----
    Over the sectors ``i`` observed both in the territory and in the reference in the period
    (the *common support*), with ``s_i = E_i / Σ E_j`` and ``S_i = E_ref,i / Σ E_ref,j``
    both summed over that support:

    - ``krugman = Σ_i |s_i − S_i|`` (Krugman dissimilarity index, 0 = same structure as the
      reference, at most 2);
    - ``hoover = ½ Σ_i |s_i − S_i| = krugman / 2`` (Hoover / Duncan index, between 0 and 1:
      the share of the territory's jobs that would have to change sector to match the
      reference);
    - ``herfindahl = Σ_i s_i²`` (between 1 / n_sectors, even spread, and 1, one sector).

    Without masked cells the common support is every sector and the formulas are the textbook
    ones. With masked cells both structures are renormalised on the common support, so the
    indices compare like with like; ``complete`` is then false. The indices are NaN when the
    support is empty or its total is 0. All three are unchanged when every count of the
    territory is multiplied by the same positive number.
    """
    rows = _sector_rows(employment)
    reference = _check_reference(rows, reference)
    n_universe = rows["sector"].nunique()
    data = _join_reference(rows, reference, ["value", "partial"])
    both = data["value"].notna() & data["reference_value"].notna()
    value = data["value"].where(both)
    ref_value = data["reference_value"].where(both)
    by = [data[k] for k in KEYS]
    total = value.groupby(by, sort=False, observed=True).transform("sum")
    ref_total = ref_value.groupby(by, sort=False, observed=True).transform("sum")
    share = value / total.where(total > 0)
    ref_share = ref_value / ref_total.where(ref_total > 0)
    parts = pd.DataFrame(
        {
            **{k: data[k] for k in KEYS},
            "gap": (share - ref_share).abs(),
            "square": share**2,
            "used": both,
            "partial": both & (data["partial"] | data["reference_partial"].fillna(False)),
        }
    )
    grouped = parts.groupby(KEYS, sort=True, observed=True)
    out = pd.DataFrame(
        {
            "krugman": grouped["gap"].sum(min_count=1),
            "herfindahl": grouped["square"].sum(min_count=1),
            "n_sectors": grouped["used"].sum().astype(int),
            "partial": grouped["partial"].any(),
        }
    )
    out["hoover"] = 0.5 * out["krugman"]
    out["complete"] = (out["n_sectors"] == n_universe) & ~out["partial"]
    out = out.reset_index()
    return out[[*KEYS, "krugman", "hoover", "herfindahl", "n_sectors", "complete"]]


@shared_doc
def sphere_shares(
    employment: pd.DataFrame, *, mapping: Mapping[str, str] = SPHERE_BY_SECTOR
) -> pd.DataFrame:
    """Employment of the présentielle and productive spheres and their shares.

    Parameters
    ----------
    {{employment_frame}}
    mapping : mapping of str to str, default :data:`SPHERE_BY_SECTOR`
        Sector code → sphere (``"presentielle"`` / ``"productive"`` by default). Every sector
        of the frame must be a key.

    Returns
    -------
    DataFrame
        One row per territory, period and sphere, sorted: ``level, code, period, sphere,
        value, share, lower_bound, complete``. ``lower_bound`` is true when a sector of the
        sphere is masked (or is itself a lower bound), so ``value`` sums only the others;
        ``value`` is NaN when every sector of the sphere is masked. ``complete`` is true
        when every sector of the territory-period is observed.

    Raises
    ------
    ParameterError
        A sector of the frame missing from ``mapping`` (named, with the known sectors), or a
        bad employment frame (see :func:`sector_shares`).

    Notes
    -----
    ``E_sphere = Σ_{i ∈ sphere} E_i``; ``share = E_sphere / Σ_j E_j`` with both sums over the
    observed sectors. The A17/A38 split is an approximation of Insee's (module docstring).
    """
    rows = _sector_rows(employment)
    if not isinstance(mapping, Mapping):
        raise ParameterError(
            f"mapping must be a dict of sector code to sphere, not {type(mapping).__name__}"
        )
    unknown = sorted(set(rows["sector"].unique()) - set(mapping))
    if unknown:
        raise ParameterError(
            f"sector(s) {unknown} not in the sphere mapping; known sectors: {sorted(mapping)}"
        )
    n_universe = rows["sector"].nunique()
    codes, sectors = pd.factorize(rows["sector"])  # each distinct sector mapped once
    parts = rows.assign(
        sphere=sectors.map(dict(mapping)).array.take(codes, allow_fill=True),
        masked=rows["value"].isna(),
        observed=rows["value"].notna(),
    )
    grouped = parts.groupby([*KEYS, "sphere"], sort=True, observed=True)
    out = pd.DataFrame(
        {
            "value": grouped["value"].sum(min_count=1),
            "masked": grouped["masked"].any(),
            "partial": grouped["partial"].any(),
        }
    ).reset_index()
    territory = parts.groupby(KEYS, sort=False, observed=True).agg(
        total=("value", "sum"), observed=("observed", "sum"), partial_any=("partial", "any")
    )
    out = out.merge(territory.reset_index(), on=KEYS, how="left")
    out["share"] = out["value"] / out["total"].where(out["total"] > 0)
    out["lower_bound"] = (out["masked"] | out["partial"]) & out["value"].notna()
    out["complete"] = (out["observed"] == n_universe) & ~out["partial_any"]
    return out[[*KEYS, "sphere", "value", "share", "lower_bound", "complete"]]
