"""Temporary work (intérim): share of employment, year-on-year change, sector mix, profiles.

Functions take the canonical ``interim`` (monthly) or
``interim_quarterly`` table of :mod:`bassin_lib.inputs.schemas`, with the columns ``level, code,
period, sector, measure, value`` (``measure`` ``"jobs"``: temporary workers;
``"fte"``: full-time equivalents), for **all** territories at once, and work with
groupby/merge only (no loop over territories or periods). A ``sector`` equal to ``"TOTAL"`` is
the all-sector total (DARES « Ensemble »). When the input carries the cube's boolean columns
``approximate`` and ``lower_bound`` they are propagated; otherwise they count as false.

Masked cells
------------
A masked cell (``NaN``) is missing, never zero: a sum over cells some of which are masked
covers the others and is flagged ``lower_bound``; a share is relative to the observed cells
and flagged not ``complete``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bassin_lib.analysis.common import (
    FLAGS,
    check_choice,
    check_period,
    check_window,
    frame_span,
    frequency,
    long_rows,
)
from bassin_lib.errors import ParameterError

TOTAL_SECTOR = "TOTAL"
MEASURES = ["jobs", "fte"]
ADJUSTMENTS = ["brut", "cvs"]
MONTH_RULES = ["last", "mean"]
KEYS = ["level", "code", "period"]
INTERIM_COLUMNS = ["level", "code", "period", "sector", "measure", "value"]
EMPLOYMENT_COLUMNS = ["level", "code", "period", "sector", "adjustment", "value"]
PROFILE_COLUMNS = ["level", "code", "period", "dimension", "category", "value"]


def _interim_totals(rows: pd.DataFrame) -> pd.DataFrame:
    """All-sector total per ``level, code, period, measure``: the ``TOTAL`` row when published,
    else the sum of the sector rows (a lower bound when one of them is masked)."""
    keys = [*KEYS, "measure"]
    is_total = rows["sector"] == TOTAL_SECTOR
    published = rows.loc[is_total, [*keys, "value", *FLAGS]].set_index(keys)
    parts = rows.loc[~is_total].assign(masked=rows.loc[~is_total, "value"].isna())
    grouped = parts.groupby(keys, sort=False)
    summed = pd.DataFrame(
        {
            "value": grouped["value"].sum(min_count=1),
            "masked": grouped["masked"].any(),
            "approximate": grouped["approximate"].any(),
            "lower_bound": grouped["lower_bound"].any(),
        }
    )
    index = published.index.union(summed.index)
    pub = published.reindex(index)
    part = summed.reindex(index)
    use_published = pub["value"].notna().to_numpy()

    def flag(frame, column):
        return frame[column].astype("boolean").fillna(False).to_numpy(dtype=bool)

    value = np.where(use_published, pub["value"], part["value"])
    partial_sum = (flag(part, "masked") | flag(part, "lower_bound")) & part["value"].notna()
    out = pd.DataFrame(
        {
            "value": value,
            "approximate": np.where(
                use_published, flag(pub, "approximate"), flag(part, "approximate")
            ),
            "lower_bound": np.where(
                use_published, flag(pub, "lower_bound"), partial_sum.to_numpy(dtype=bool)
            ),
        },
        index=index,
    )
    return out.reset_index()


def _to_quarters(totals: pd.DataFrame, months: str) -> pd.DataFrame:
    """Monthly totals → quarterly: the quarter's last month, or the mean of its three months."""
    keys = [*KEYS, "measure"]
    quarter = totals["period"].dt.asfreq("Q")
    if months == "last":
        last = totals["period"].dt.month % 3 == 0
        return totals.loc[last].assign(period=quarter[last]).reset_index(drop=True)
    grouped = totals.assign(period=quarter).groupby(keys, sort=False)
    count = grouped["value"].count()
    out = pd.DataFrame(
        {
            "value": grouped["value"].mean().where(count == 3),
            "approximate": grouped["approximate"].any(),
            "lower_bound": grouped["lower_bound"].any(),
        }
    )
    return out.reset_index()


def interim_share(
    interim: pd.DataFrame,
    employment: pd.DataFrame,
    *,
    measure: str = "jobs",
    adjustment: str = "cvs",
    months: str = "last",
) -> pd.DataFrame:
    """Temporary workers as a share of private salaried employment (%), F2 (and F1).

    Parameters
    ----------
    interim : DataFrame
        Canonical ``interim_quarterly`` (or monthly ``interim``) frame ``level, code, period,
        sector, measure, value``. The ``TOTAL`` row of a territory-quarter is used when
        published; otherwise its sector rows are summed.
    employment : DataFrame
        Canonical quarterly ``employment`` frame ``level, code, period, sector, adjustment,
        value``; its ``TOTAL`` rows of ``adjustment`` are the denominator.
    measure : {"jobs", "fte"}, default "jobs"
        Temporary workers counted as people (end of period) or as full-time equivalents.
    adjustment : {"cvs", "brut"}, default "cvs"
        Employment series used as denominator; take the one matching the interim series
        (seasonally adjusted or raw).
    months : {"last", "mean"}, default "last"
        For a monthly ``interim`` frame only: a quarter takes its last month (an end-of-quarter
        stock, like Urssaf's end-of-quarter headcount) or the mean of its three months (missing
        unless all three are observed).

    Returns
    -------
    DataFrame
        One row per ``level, code, period`` (quarter) present in both frames, sorted:
        ``level, code, period, interim, employment, share_pct, approximate, lower_bound``.
        ``lower_bound`` is true when the numerator is a lower bound (a sector masked in the
        sum, or flagged so in the input) and the denominator is not: the share is then a lower
        bound. ``approximate`` is true when an input is approximate or the denominator is a
        lower bound (the share may then be overstated).

    Raises
    ------
    ParameterError
        An option outside its allowed set, or a malformed frame (missing column, periods that
        are not Periods, employment periods that are not quarters, duplicated cells).

    Notes
    -----
    ``share_pct = 100 × I / E`` with ``I`` the temporary workers of the territory at the end of the
    quarter (all sectors of the user establishments) and ``E`` the private salaried jobs (``TOTAL``)
    of the same territory and quarter. The source study's F2 (« presque 11 % de l'emploi salarié
    privé au 31/12/2017 d'après les données Urssaf ») is this ratio. Urssaf counts temp workers in
    the employment of the temporary-work agencies (NAF 78.20Z), so ``E`` already includes temp
    workers, counted with the agency that employs them, while the numerator counts them by user
    establishment (DARES sectors): the two need not cover the same people, and the ratio is « temp
    workers per 100 private jobs », not a share of a partition. The source study's F1 (share of
    *total* employment) would need total employment (public sector and self-employed included) as
    denominator: pass such a frame as ``employment`` to get it.
    DARES publishes temporary work by département, region and France only, and Urssaf
    employment by zone (aggregated by the cube): only the levels present in both frames get a
    row. The share is ``NaN`` when either count is missing or the employment is 0.

    Examples
    --------
    >>> interim_share(dares_quarterly, cube.tables["employment"])
    """
    check_choice(measure, "measure", MEASURES)
    check_choice(adjustment, "adjustment", ADJUSTMENTS)
    check_choice(months, "months", MONTH_RULES)
    rows = long_rows(interim, "interim", INTERIM_COLUMNS, freqs="MQ")
    jobs = long_rows(employment, "employment", EMPLOYMENT_COLUMNS, freqs="Q")
    totals = _interim_totals(rows[rows["measure"] == measure])
    if frequency(rows) == "M":
        totals = _to_quarters(totals, months)
    jobs = jobs[(jobs["sector"] == TOTAL_SECTOR) & (jobs["adjustment"] == adjustment)]
    out = totals.drop(columns="measure").merge(
        jobs[[*KEYS, "value", *FLAGS]], on=KEYS, how="inner", suffixes=("", "_employment")
    )
    denominator = out["value_employment"].where(out["value_employment"] > 0)
    numerator_bound = out["lower_bound"]
    denominator_bound = out["lower_bound_employment"]
    result = pd.DataFrame(
        {
            **{k: out[k] for k in KEYS},
            "interim": out["value"],
            "employment": out["value_employment"],
            "share_pct": 100.0 * out["value"] / denominator,
            "approximate": out["approximate"] | out["approximate_employment"] | denominator_bound,
            "lower_bound": numerator_bound & ~denominator_bound,
        }
    )
    return result.sort_values(KEYS, kind="stable", ignore_index=True)


def interim_yoy(interim: pd.DataFrame) -> pd.DataFrame:
    """Year-on-year change of temporary work (%), month by month or quarter by quarter (F3, F4).

    Parameters
    ----------
    interim : DataFrame
        Canonical ``interim`` (monthly) or ``interim_quarterly`` frame ``level, code, period,
        sector, measure, value``.

    Returns
    -------
    DataFrame
        One row per input row, sorted by ``level, code, sector, measure, period``: ``level,
        code, period, sector, measure, value, previous_value`` (same month or quarter a year
        earlier), ``change_pct``, ``approximate``, ``lower_bound`` (true when either end is,
        as in :func:`~bassin_lib.analysis.common.change_between`; a change between lower
        bounds is not itself a bound).

    Raises
    ------
    ParameterError
        A malformed frame, or periods that are neither months nor quarters.

    Notes
    -----
    ``change_pct = 100 × (A_m,y / A_m,y−1 − 1)`` with ``A_m,y`` the value of month (or
    quarter) ``m`` of year ``y``, in each territory, sector and measure. It is ``NaN`` for the first
    year of the series, when either value is masked, and when the earlier value is 0. The source
    study reads it on « le volume d'activité » (F3: « − 78,3 % » between May 2019 and May 2020), a
    unit it does not define; FTE are the closest measure.

    Examples
    --------
    >>> yoy = interim_yoy(interim)
    >>> yoy.query("code == 'FR' and sector == 'TOTAL' and measure == 'fte'")
    """
    rows = long_rows(interim, "interim", INTERIM_COLUMNS, freqs="MQ")
    lag = 12 if frequency(rows) == "M" else 4
    keys = ["level", "code", "sector", "measure"]
    previous = rows[[*keys, "period", "value", *FLAGS]].assign(period=rows["period"] + lag)
    out = rows.merge(previous, on=[*keys, "period"], how="left", suffixes=("", "_previous"))
    earlier = out["value_previous"].where(out["value_previous"] != 0)
    result = pd.DataFrame(
        {
            **{k: out[k] for k in ["level", "code", "period", "sector", "measure"]},
            "value": out["value"],
            "previous_value": out["value_previous"],
            "change_pct": 100.0 * (out["value"] / earlier - 1.0),
        }
    )
    for flag in FLAGS:
        result[flag] = out[flag] | out[f"{flag}_previous"].astype("boolean").fillna(False)
        result[flag] = result[flag].astype(bool)
    return result.sort_values([*keys, "period"], kind="stable", ignore_index=True)


def _window(value, rows: pd.DataFrame) -> tuple[pd.Period, pd.Period]:
    """One period or a (start, end) pair of periods of the frame, both ends included."""
    span = frame_span(rows, "interim frame")
    if not isinstance(value, tuple | list):
        period = check_period(value, span, "period")
        return period, period
    if len(value) != 2:
        raise ParameterError(f"period {value!r}: give one period or a (start, end) pair of periods")
    return check_window(*value, span, names=("period start", "period end"))


def interim_sector_mix(interim: pd.DataFrame, period, *, measure: str = "fte") -> pd.DataFrame:
    """Each sector's share of the territory's temporary-work activity (F5).

    Parameters
    ----------
    interim : DataFrame
        Canonical ``interim`` or ``interim_quarterly`` frame; ``TOTAL`` rows are ignored.
    period : str or Period, or (start, end) pair
        One period (``"2020-12"``, ``"2020Q4"``) or a window of periods, both ends included,
        e.g. ``("2020-11", "2020-12")`` for the source study's « novembre/décembre 2020 »;
        periods of the frame, the start not after the end.
    measure : {"fte", "jobs"}, default "fte"
        The source study's « activité intérimaire » is closest to full-time equivalents.

    Returns
    -------
    DataFrame
        One row per territory and sector, sorted: ``level, code, start, end, sector, value``
        (sum over the window), ``share`` (fraction of the territory's total, between 0 and 1),
        ``lower_bound`` (the sum misses a masked or absent month), ``complete`` (every sector
        of the input is observed in every period of the window, none a lower bound).

    Raises
    ------
    ParameterError
        A period that does not parse or lies outside the frame's periods, a window whose
        start is after its end or with no rows, an unknown measure or a malformed frame.

    Notes
    -----
    ``V_s = Σ_{t ∈ window} A_s,t`` and ``share_s = V_s / Σ_j V_j``, the sums running over the
    observed cells of the territory (masked cells left out). The shares of a territory sum to
    1 over its sectors with a value; a sector with no observed cell has ``share`` NaN. When
    ``complete`` is false the observed sectors' shares are overstated.

    Examples
    --------
    >>> interim_sector_mix(interim, ("2020-11", "2020-12"))  # industry 69 % in Belfort
    """
    check_choice(measure, "measure", MEASURES)
    rows = long_rows(interim, "interim", INTERIM_COLUMNS, freqs="MQ")
    start, end = _window(period, rows)
    keep = (
        (rows["measure"] == measure)
        & (rows["sector"] != TOTAL_SECTOR)
        & (rows["period"] >= start)
        & (rows["period"] <= end)
    )
    rows = rows[keep]
    if rows.empty:
        raise ParameterError(
            f"no {measure!r} sector rows between {start} and {end} in the interim frame"
        )
    n_periods = (end - start).n + 1
    n_sectors = rows["sector"].nunique()
    cells = rows.assign(observed=rows["value"].notna())
    grouped = cells.groupby(["level", "code", "sector"], sort=True)
    out = pd.DataFrame(
        {
            "value": grouped["value"].sum(min_count=1),
            "n_observed": grouped["observed"].sum(),
            "partial": grouped["lower_bound"].any(),
        }
    ).reset_index()
    territory = out.groupby(["level", "code"], sort=False)
    total = territory["value"].transform("sum")
    out["share"] = out["value"] / total.where(total > 0)
    out["lower_bound"] = ((out["n_observed"] < n_periods) | out["partial"]) & out["value"].notna()
    observed_cells = territory["n_observed"].transform("sum")
    any_partial = territory["partial"].transform("any")
    out["complete"] = (observed_cells == n_sectors * n_periods) & ~any_partial
    out["start"] = start
    out["end"] = end
    return out[
        ["level", "code", "start", "end", "sector", "value", "share", "lower_bound", "complete"]
    ]


def interim_profile_shares(profile: pd.DataFrame) -> pd.DataFrame:
    """Shares of a profile breakdown of temporary workers: sex, age band, hours (F6–F8).

    Parameters
    ----------
    profile : DataFrame
        Long frame ``level, code, period, dimension, category, value``: ``dimension`` names a
        breakdown (``"sex"``, ``"age"``, ``"hours"``…) and ``category`` one of its classes
        (``"men"``, ``"under_25"``…); ``value`` counts temp workers. Rows whose category is
        ``"TOTAL"`` are ignored. Any period frequency.

    Returns
    -------
    DataFrame
        One row per input row (``TOTAL`` left out), in input order: ``level, code, period,
        dimension, category, value, share, complete``.

    Raises
    ------
    ParameterError
        A malformed frame (missing column, non-Period periods, duplicated cells).

    Notes
    -----
    ``share_c = N_c / Σ_j N_j`` within each ``level, code, period, dimension``, over the observed
    categories. The shares of a group sum to 1; a masked category has ``share`` NaN and makes
    ``complete`` false (the observed categories being every category the input shows for that
    dimension). For the source study's F7 (« 30,7 % des intérimaires du territoire ont moins de 25
    ans »), read the ``under_25`` share of the ``age`` dimension.

    Examples
    --------
    >>> interim_profile_shares(profile).query("dimension == 'age' and category == 'under_25'")
    """
    rows = long_rows(profile, "profile", PROFILE_COLUMNS)
    rows = rows[rows["category"] != TOTAL_SECTOR].reset_index(drop=True)
    universe = rows.groupby("dimension")["category"].transform("nunique")
    groups = [rows[k] for k in [*KEYS, "dimension"]]
    total = rows["value"].groupby(groups, sort=False).transform("sum")
    observed = rows["value"].notna().groupby(groups, sort=False).transform("sum")
    partial = rows["lower_bound"].groupby(groups, sort=False).transform("any")
    out = rows.assign(
        share=rows["value"] / total.where(total > 0),
        complete=(observed == universe) & ~partial,
    )
    return out[[*PROFILE_COLUMNS, "share", "complete"]]


APE_COLUMNS = ["level", "code", "period", "nomenclature", "sector", "measure", "value"]
INTERIM_APE = "7820Z"
"""APE code of the temporary-work agencies (« Activités des agences de travail temporaire »)."""


def interim_share_ape(employment_ape: pd.DataFrame, *, ape: str = INTERIM_APE) -> pd.DataFrame:
    """Temporary-work agencies' employees as a share of private salaried jobs, at 31 December
    (F2, Urssaf commune × APE), and its change since the first year available.

    Parameters
    ----------
    employment_ape : DataFrame
        Canonical ``employment_ape`` frame ``level, code, period, nomenclature, sector, measure,
        value`` (yearly), e.g. the cube's table, for any number of territories; only the rows of
        nomenclature ``"APE"`` and measure ``"employees"`` are read.
    ape : str, default "7820Z"
        APE code of the numerator.

    Returns
    -------
    DataFrame
        One row per ``level, code, period`` with APE rows, sorted: ``level, code, period,
        interim`` (employees of APE ``ape``; NaN when the territory has no such row that year),
        ``employment`` (employees of every APE code), ``share_pct``, ``base_period`` (the
        territory's first year with a share), ``change_pts`` (share minus the share of
        ``base_period``, in points), ``interim_change_pct`` (change of ``interim`` since
        ``base_period``, %), ``interim_lower_bound``, ``employment_lower_bound`` (the count sums
        blank or lower-bound cells: a minimum), ``approximate``, ``lower_bound``.
        ``lower_bound`` is true when the numerator is a minimum and the denominator is not (the
        share is then a minimum); ``approximate`` when an input is approximate or the
        denominator is a minimum (the share may then be overstated or understated).

    Raises
    ------
    ParameterError
        A malformed frame (missing column, periods that are not years, duplicated cells), or
        no ``APE`` × ``employees`` row.

    Notes
    -----
    ``share_pct = 100 × I / E`` with ``I`` the salaried employees of APE 7820Z (temporary-work
    agencies) of the territory at 31 December and ``E = Σ_a E_a`` the salaried employees of
    every APE code ``a`` of the territory (7820Z included), both from the Urssaf commune × APE
    file; ``change_pts = share_pct_t − share_pct_t0`` and ``interim_change_pct = 100 × (I_t /
    I_t0 − 1)`` with ``t0`` the first year with a share. The source study's F2 (« presque 11 %
    de l'emploi salarié privé au 31/12/2017 d'après les données Urssaf ») is this ratio.
    **Scope**: Urssaf counts temporary workers in the establishment of the agency that employs
    them (APE 7820Z), where the agency is, not where they work: a zone with the agencies of a
    wider area shows a higher share. A blank cell is left out of the sums (never counted 0), so
    sums over blank cells are minimums (``lower_bound`` of the input, see
    :func:`bassin_lib.inputs.sources.urssaf_commune_ape.read_with_labels`). The share is NaN
    when either count is missing or the employment is 0.

    Examples
    --------
    >>> share = interim_share_ape(cube.tables["employment_ape"])
    >>> share.query("code == '2815'").tail(1)  # 3,3 % at the end of 2022
    """
    rows = long_rows(employment_ape, "employment_ape", APE_COLUMNS, freqs="Y")
    rows = rows[(rows["nomenclature"] == "APE") & (rows["measure"] == "employees")]
    if rows.empty:
        raise ParameterError("employment_ape frame has no row of nomenclature 'APE', 'employees'")
    grouped = rows.assign(masked=rows["value"].isna()).groupby(KEYS, sort=True)
    total = pd.DataFrame(
        {
            "employment": grouped["value"].sum(min_count=1),
            "masked": grouped["masked"].any(),
            "employment_bound": grouped["lower_bound"].any(),
            "employment_approximate": grouped["approximate"].any(),
        }
    )
    numerator = rows[rows["sector"] == ape].set_index(KEYS)
    out = total.join(
        numerator[["value", "lower_bound", "approximate"]].rename(
            columns={
                "value": "interim",
                "lower_bound": "interim_bound",
                "approximate": "interim_approximate",
            }
        ),
        how="left",
    ).reset_index()

    def flag(column):
        return out[column].astype("boolean").fillna(False).to_numpy(dtype=bool)

    has_interim = out["interim"].notna().to_numpy()
    interim_bound = flag("interim_bound") & has_interim
    employment_bound = (flag("masked") | flag("employment_bound")) & out["employment"].notna()
    employment_bound = employment_bound.to_numpy(dtype=bool)
    out["share_pct"] = 100.0 * out["interim"] / out["employment"].where(out["employment"] > 0)
    valid = out.dropna(subset=["share_pct"]).sort_values("period", kind="stable")
    base = (
        valid.groupby(["level", "code"], sort=False)[["period", "share_pct", "interim"]]
        .first()
        .rename(
            columns={"period": "base_period", "share_pct": "base_share", "interim": "base_interim"}
        )
    )
    out = out.merge(base.reset_index(), on=["level", "code"], how="left")
    result = pd.DataFrame(
        {
            **{k: out[k] for k in KEYS},
            "interim": out["interim"],
            "employment": out["employment"],
            "share_pct": out["share_pct"],
            "base_period": out["base_period"],
            "change_pts": out["share_pct"] - out["base_share"],
            "interim_change_pct": 100.0
            * (out["interim"] / out["base_interim"].where(out["base_interim"] > 0) - 1.0),
            "interim_lower_bound": interim_bound,
            "employment_lower_bound": employment_bound,
            "approximate": flag("interim_approximate")
            | flag("employment_approximate")
            | employment_bound,
            "lower_bound": interim_bound & ~employment_bound,
        }
    )
    return result.sort_values(KEYS, kind="stable", ignore_index=True)
