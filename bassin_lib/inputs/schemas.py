"""Canonical tidy tables and their checks (pandera).

Every statistical table is long: one row per (level, code, period, dimension...), one ``value``
column of floats. ``level`` is ``"zone"``, ``"region"`` or ``"france"`` in source tables (the cube
adds ``"group"``); ``code`` is a string (zone ``"2705"``, region ``"27"``, France ``"FR"``);
``period`` is a pandas Period (quarterly ``Q-DEC`` or yearly ``Y-DEC``). A masked or missing cell
is ``NaN``, never ``0``.

| table | period | dimensions | value |
|---|---|---|---|
| employment | quarter | sector (``"TOTAL"`` or NAF A17 code), adjustment (``"brut"``, ``"cvs"``) | private salaried jobs |
| jobseekers | quarter | category (``"A"``, ``"B"``, ``"C"``) | registered job seekers, end of quarter |
| unemployment_rate | quarter | | unemployment rate, % (CVS) |
| income_poverty | year | indicator (``INCOME_INDICATORS``, ``INCOME_COUNTS``) | % or € per consumption unit; persons |
| population | year | | inhabitants |
| area | year | | km² |
| jobseekers_monthly | month | category (A, B, C, ABC) | registered job seekers |
| jobseekers_local | month | | registered job seekers, category not stated by the source (France Travail STMT); levels ``commune``, ``departement``, ``region`` only, never aggregated to zones |
| interim | month | sector, measure (``jobs``, ``fte``) | temporary workers |
| interim_quarterly | quarter | sector, measure | temporary workers |
| interim_profile | year | dimension (``INTERIM_PROFILE``: ``sex``, ``age``, ``hours``), category (``men``, ``under_25``, ``over_150h``… or ``TOTAL``) | temporary workers (by place of residence) |
| income_base | year | component (productive, public, social, pensions, commuting, tourism) | captured income, € |
| recruitment_bmo | year | occupation (FAP code), measure (``projects``, ``difficult``, ``seasonal``) | hiring projects; level ``bmo_basin`` |
| employment_estel | year | measure (``salaried``, ``non_salaried``, ``total``), sector (A5 code or ``"TOTAL"``) | jobs at 31 December, place of work (INSEE Estel) |
| employment_ape | year | nomenclature (``NA17``, ``NA38``, ``NA88``, ``APE``), sector (code), measure (``establishments``, ``employees``) | private establishments and salaried jobs at 31 December (Urssaf commune × APE) |
| income_composition | year | component (Filosofi code: ``PACT``, ``PPEN``, ``PPAT``, ``PPSOC``…, ``PIMPOT``) | share of disposable income, % (taxes negative) |

The commune → zone référentiel (:data:`COMMUNE_ZONE`) has no value column.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from bassin_lib.errors import DataFormatError

LEVELS = ["zone", "group", "region", "france", "departement", "commune", "bmo_basin"]
FRANCE_CODE = "FR"
INCOME_INDICATORS = ["poverty_rate", "median_living_standard", "d1", "d9"]
#: Counts of the income and poverty table: persons in fiscal households (Filosofi), the
#: denominator of the poverty rate; summed, not averaged, by the cube.
INCOME_COUNTS = ["persons"]
QUARTER = pd.PeriodDtype("Q-DEC")
YEAR = pd.PeriodDtype("Y-DEC")
MONTH = pd.PeriodDtype("M")
BMO_MEASURES = ["projects", "difficult", "seasonal"]
ESTEL_MEASURES = ["salaried", "non_salaried", "total"]
APE_NOMENCLATURES = ["NA17", "NA38", "NA88", "APE"]
APE_MEASURES = ["establishments", "employees"]
#: Breakdowns of the temporary workers' profile and their categories.
INTERIM_PROFILE = {
    "sex": ["men", "women"],
    "age": ["under_25", "25_49", "50_plus"],
    "hours": ["under_70h", "70_150h", "over_150h"],
}


def _table(period_dtype, dims: dict[str, pa.Column], value_checks: list[pa.Check]):
    columns = {
        "level": pa.Column(str, pa.Check.isin(LEVELS)),
        "code": pa.Column(str, pa.Check.str_length(min_value=1)),
        "period": pa.Column(period_dtype),
        **dims,
        "value": pa.Column(float, value_checks, nullable=True),
    }
    return pa.DataFrameSchema(
        columns,
        unique=["level", "code", "period", *dims],
        strict="filter",
        ordered=False,
        coerce=False,
    )


SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "employment": _table(
        QUARTER,
        {
            "sector": pa.Column(str, pa.Check.str_length(min_value=1)),
            "adjustment": pa.Column(str, pa.Check.isin(["brut", "cvs"])),
        },
        [pa.Check.ge(0)],
    ),
    "jobseekers": _table(
        QUARTER, {"category": pa.Column(str, pa.Check.isin(["A", "B", "C"]))}, [pa.Check.ge(0)]
    ),
    "unemployment_rate": _table(QUARTER, {}, [pa.Check.in_range(0, 100)]),
    "income_poverty": _table(
        YEAR,
        {"indicator": pa.Column(str, pa.Check.isin([*INCOME_INDICATORS, *INCOME_COUNTS]))},
        [pa.Check.ge(0)],
    ),
    "population": _table(YEAR, {}, [pa.Check.ge(0)]),
    "area": _table(YEAR, {}, [pa.Check.gt(0)]),
    "jobseekers_monthly": _table(
        MONTH, {"category": pa.Column(str, pa.Check.isin(["A", "B", "C", "ABC"]))}, [pa.Check.ge(0)]
    ),
    # no category: the France Travail STMT file does not state one (sources.francetravail_stmt)
    "jobseekers_local": _table(MONTH, {}, [pa.Check.ge(0)]),
    "interim": _table(
        MONTH,
        {
            "sector": pa.Column(str, pa.Check.str_length(min_value=1)),
            "measure": pa.Column(str, pa.Check.isin(["jobs", "fte"])),
        },
        [pa.Check.ge(0)],
    ),
    "interim_quarterly": _table(
        QUARTER,
        {
            "sector": pa.Column(str, pa.Check.str_length(min_value=1)),
            "measure": pa.Column(str, pa.Check.isin(["jobs", "fte"])),
        },
        [pa.Check.ge(0)],
    ),
    "interim_profile": _table(
        YEAR,
        {
            "dimension": pa.Column(str, pa.Check.isin(list(INTERIM_PROFILE))),
            "category": pa.Column(
                str, pa.Check.isin(["TOTAL", *(c for cs in INTERIM_PROFILE.values() for c in cs)])
            ),
        },
        [pa.Check.ge(0)],
    ),
    "income_base": _table(
        YEAR,
        {
            "component": pa.Column(
                str,
                pa.Check.isin(
                    ["productive", "public", "social", "pensions", "commuting", "tourism"]
                ),
            )
        },
        [pa.Check.ge(0)],
    ),
    "employment_estel": _table(
        YEAR,
        {
            "measure": pa.Column(str, pa.Check.isin(ESTEL_MEASURES)),
            "sector": pa.Column(str, pa.Check.str_length(min_value=1)),
        },
        [pa.Check.ge(0)],
    ),
    "employment_ape": _table(
        YEAR,
        {
            "nomenclature": pa.Column(str, pa.Check.isin(APE_NOMENCLATURES)),
            "sector": pa.Column(str, pa.Check.str_length(min_value=1)),
            "measure": pa.Column(str, pa.Check.isin(APE_MEASURES)),
        },
        [pa.Check.ge(0)],
    ),
    "income_composition": _table(
        YEAR, {"component": pa.Column(str, pa.Check.str_length(min_value=1))}, []
    ),
    "recruitment_bmo": _table(
        YEAR,
        {
            "occupation": pa.Column(str, pa.Check.str_length(min_value=1)),
            "measure": pa.Column(str, pa.Check.isin(BMO_MEASURES)),
        },
        [pa.Check.ge(0)],
    ),
}
# Référentiel tables (no value column).
COMMUNE_ZONE = pa.DataFrameSchema(
    {
        "commune": pa.Column(str, pa.Check.str_length(5, 5)),
        "commune_label": pa.Column(str),
        "zone": pa.Column(str, pa.Check.str_length(4, 4)),
        "zone_label": pa.Column(str),
        "zone_part": pa.Column(str, nullable=True),
        "departement": pa.Column(str, pa.Check.str_length(2, 3)),
        "region": pa.Column(str, pa.Check.str_length(2, 2)),
    },
    unique=["commune"],
    strict="filter",
)
DIMENSIONS = {
    name: [c for c in schema.columns if c not in ("level", "code", "period", "value")]
    for name, schema in SCHEMAS.items()
}


def validate(name: str, table: pd.DataFrame, source: str) -> pd.DataFrame:
    """Validate a canonical table and return it restricted to its schema's columns.

    Parameters
    ----------
    name : {"employment", "jobseekers", "unemployment_rate", "income_poverty", "population"}
    table : DataFrame
    source : str
        File or generator the table comes from, named in the error.

    Raises
    ------
    DataFormatError
        Naming the source, the table, and for the first failures the column, row and value.
    """
    if name not in SCHEMAS:
        raise DataFormatError(f"{source}: unknown canonical table {name!r}; known: {list(SCHEMAS)}")
    try:
        return SCHEMAS[name].validate(table, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.head(5)
        details = "; ".join(
            f"column {row.column!r}, row {row.index}: {row.check} failed for {row.failure_case!r}"
            for row in cases.itertuples()
        )
        raise DataFormatError(f"{source}: table {name!r} is not canonical: {details}") from None
