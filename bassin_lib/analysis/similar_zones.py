"""Similar zones: standardised structure features and nearest neighbours.

The source study compares Belfort-Montbéliard with « territoires comparables » without saying
which; Pôle emploi uses « groupes homogènes d'agences ». This module makes the
comparison explicit: each zone is described by standardised features (sector shares of its
private employment, plus any numeric indicator passed in, such as the unemployment or poverty
rate), and the zones most similar to a given one are its nearest neighbours on them.
Both functions work on all zones at once with array operations (no loop over zones).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bassin_lib.analysis.common import check_choice, check_count, check_period, frame_span
from bassin_lib.analysis.sectors import _sector_rows, _shares
from bassin_lib.errors import ParameterError

SHARE_PREFIX = "share_"
N_TOP_FEATURES = 3
#: A feature whose standard deviation is below this fraction of its largest absolute value is
#: constant (the spread is rounding noise, e.g. shares of 1/3 computed from different counts).
RELATIVE_NOISE = 1e-9


def structure_features(
    employment: pd.DataFrame,
    period=None,
    *,
    extra: pd.DataFrame | None = None,
    level: str = "zone",
) -> pd.DataFrame:
    """One row per zone of standardised features: sector shares and optional extra columns.

    Parameters
    ----------
    employment : DataFrame
        Canonical ``employment`` frame ``level, code, period, sector, value`` filtered on one
        ``adjustment``; ``TOTAL`` rows are ignored.
    period : str or Period, optional
        Quarter of the sector shares (``"2019Q4"``); default the latest quarter of the frame.
    extra : DataFrame, optional
        Numeric columns indexed by zone code (e.g. ``unemployment_rate``, ``poverty_rate``),
        added as features; codes absent from the employment frame are ignored, zones absent
        from ``extra`` get ``NaN``.
    level : str, default "zone"
        A level of the frame: the rows described (one row per code of that level).

    Returns
    -------
    DataFrame
        Indexed by ``code`` (sorted), one column per feature: ``share_<sector>`` for each sector
        of the frame (sorted), then the columns of ``extra``; values are z-scores.

    Raises
    ------
    ParameterError
        A malformed employment frame (see :func:`~bassin_lib.analysis.sector_shares`), a level
        absent from it, a period that does not parse, lies outside the frame's periods or has
        no rows at ``level``, ``extra`` not a frame, with non-numeric columns, duplicated codes
        or a column named like a share feature.

    Notes
    -----
    The share of sector ``i`` in zone ``z`` is ``s_zi = E_zi / Σ_j E_zj`` over the observed sectors
    (:func:`~bassin_lib.analysis.sector_shares`). Every feature ``x`` is then standardised across
    the zones: ``z = (x − mean(x)) / sd(x)``, with the mean and the population standard deviation
    (``ddof = 0``) taken over the zones where ``x`` is known. Standardising puts a share of 2 % and
    an unemployment rate of 8 % on the same footing: a unit is one standard deviation across zones.
    A feature that is constant across zones (standard deviation below :data:`RELATIVE_NOISE` times
    its largest absolute value, i.e. rounding noise) carries no information and gets 0 for every
    zone where it is known. A masked share, or a zone absent from ``extra``, stays ``NaN`` (see
    :func:`similar_zones` for the distance).

    Examples
    --------
    >>> cvs = cube.tables["employment"].query("adjustment == 'cvs'")
    >>> features = structure_features(cvs, "2019Q4", extra=rates.set_index("code")[["rate"]])
    """
    rows = _sector_rows(employment)
    check_choice(level, "level", sorted(rows["level"].unique()))
    span = frame_span(rows, "employment frame")
    at = None if period is None else check_period(period, span, "period")
    rows = rows[rows["level"] == level]
    at = rows["period"].max() if at is None else at
    rows = rows[rows["period"] == at]
    if rows.empty:
        raise ParameterError(f"no {level} sector rows in {at} in the employment frame")
    shares = _shares(rows.reset_index(drop=True))
    wide = shares.pivot(index="code", columns="sector", values="share")
    wide = wide.reindex(columns=sorted(wide.columns))
    wide.columns = [f"{SHARE_PREFIX}{sector}" for sector in wide.columns]
    wide.index.name = "code"
    if extra is not None:
        wide = wide.join(_check_extra(extra, wide.columns), how="left")
    wide = wide.astype(float)
    spread = wide.std(ddof=0)  # over the zones where the feature is known
    noise = RELATIVE_NOISE * wide.abs().max()
    spread = spread.where(spread > noise, np.inf)  # constant feature: (x − mean) / inf = 0
    return (wide - wide.mean()).div(spread, axis=1).sort_index()


def _check_extra(extra, share_columns) -> pd.DataFrame:
    if not isinstance(extra, pd.DataFrame):
        raise ParameterError(
            f"extra must be a DataFrame indexed by zone code, not {type(extra).__name__}"
        )
    if extra.index.has_duplicates:
        duplicated = sorted(extra.index[extra.index.duplicated()].astype(str).unique())
        raise ParameterError(f"extra has duplicated code(s) {duplicated[:5]}; one row per zone")
    clash = [c for c in extra.columns if c in set(share_columns)]
    if clash:
        raise ParameterError(f"extra column(s) {clash} clash with the sector share features")
    numeric = [c for c in extra.columns if pd.api.types.is_numeric_dtype(extra[c])]
    text = [c for c in extra.columns if c not in numeric or pd.api.types.is_bool_dtype(extra[c])]
    if text:
        raise ParameterError(f"extra column(s) {text} are not numeric; features must be numbers")
    out = extra.astype(float)
    out.index = out.index.astype(str)
    return out


def similar_zones(features: pd.DataFrame, code: str, k: int = 5) -> pd.DataFrame:
    """The ``k`` zones nearest to ``code`` on standardised features, and what makes them close.

    Parameters
    ----------
    features : DataFrame
        Standardised features indexed by zone code, as returned by :func:`structure_features`.
    code : str
        The zone whose neighbours are wanted (``"2705"``).
    k : int, default 5
        Number of neighbours, ≥ 1; fewer are returned when there are fewer other zones with a
        distance.

    Returns
    -------
    DataFrame
        ``k`` rows, nearest first: ``code, rank`` (1 = nearest), ``distance``,
        ``top_features`` (the :data:`N_TOP_FEATURES` features on which the neighbour is
        closest to the zone, ``", "``-joined, closest first).

    Raises
    ------
    ParameterError
        ``features`` not a numeric frame with unique codes; a ``code`` not in the index of
        ``features`` (with the known codes, or the closest ones and their count); ``k`` not an
        integer ≥ 1; a zone with no known feature.

    Notes
    -----
    The distance is Euclidean on the standardised features:
    ``d(a, b) = sqrt(Σ_f (z_af − z_bf)²)``. When some features are missing for ``a`` or ``b``
    the sum runs over the ``q`` features known for both and is scaled up to the ``p``
    features, ``d = sqrt(p / q × Σ_known (z_af − z_bf)²)`` (the rule of scikit-learn's
    ``nan_euclidean_distances``), so that a zone with a masked share is neither favoured nor
    penalised; a zone sharing no known feature with ``code`` is left out. The zone itself is
    excluded (by code: another zone with identical features is at distance 0). Ties are broken
    by code. ``top_features`` orders the features by ``|z_af − z_bf|``, smallest first, ties in
    column order, and keeps the first three known ones.

    Examples
    --------
    >>> similar_zones(structure_features(cvs, "2019Q4"), "2705", k=5)
    """
    if not isinstance(features, pd.DataFrame) or features.shape[1] == 0:
        raise ParameterError("features must be a DataFrame with one column per feature")
    check_count(k, "k")
    codes = pd.Index(np.asarray(features.index.astype(str), dtype=object))
    if codes.has_duplicates:
        raise ParameterError(
            f"features has duplicated code(s) {sorted(codes[codes.duplicated()].unique())[:5]}"
        )
    if not isinstance(code, str) or code not in codes:  # sorting the codes is for the message
        check_choice(code, "code", sorted(codes))
    try:
        values = features.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"features must be numeric: {exc}") from None
    own = values[codes.get_loc(code)]
    if np.isnan(own).all():
        raise ParameterError(f"zone {code!r} has no known feature: no distance can be computed")
    diff = np.abs(values - own)
    n_features = values.shape[1]
    n_known = (~np.isnan(diff)).sum(axis=1)
    squares = np.nansum(diff**2, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = np.where(n_known > 0, np.sqrt(squares * n_features / n_known), np.nan)
    candidate = (codes != code) & ~np.isnan(distance)
    positions = np.flatnonzero(candidate)
    names = np.asarray(codes, dtype=str)
    order = np.lexsort((names[positions], distance[positions]))[:k]
    chosen = positions[order]
    ranked = np.argsort(diff[chosen], axis=1, kind="stable")  # NaN last
    columns = np.asarray([str(c) for c in features.columns], dtype=object)
    known = np.take_along_axis(~np.isnan(diff[chosen]), ranked, axis=1)
    top = [
        ", ".join(columns[idx][ok][:N_TOP_FEATURES])
        for idx, ok in zip(ranked, known, strict=True)  # k neighbours, not every zone
    ]
    return pd.DataFrame(
        {
            "code": names[chosen].astype(object),
            "rank": np.arange(1, len(chosen) + 1),
            "distance": distance[chosen],
            "top_features": top,
        }
    )
