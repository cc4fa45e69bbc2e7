"""Analysis: the indicator functions, one module per subject.

Indicator functions: pure, tidy frames in and out, no file I/O and no printing.

Each function takes the :class:`~bassin_lib.inputs.cube.Cube`, a :class:`~bassin_lib.inputs.territories.Territory`
and keyword options, and returns a frame with one row per comparator (``role``: territory,
region, France) and documented columns. Passing ``territory=None`` to the employment, job-seeker,
unemployment and population functions computes every geography of the cube at once (rows keyed
by ``level, code``): the same formulas, vectorised, for batches and benchmarks. The structure
and shift-share families take the canonical employment frame directly and are vectorised too.
"""

from bassin_lib.analysis.annual_employment import (
    annual_employment_change,
    annual_employment_index,
)
from bassin_lib.analysis.development_model import (
    development_model,
    income_base_shares,
    income_composition_levels,
    income_composition_profile,
)
from bassin_lib.analysis.employment import (
    crisis_reading,
    employment_change,
    employment_index,
    quarterly_changes,
    year_on_year_changes,
)
from bassin_lib.analysis.interim import (
    interim_profile_shares,
    interim_sector_mix,
    interim_share,
    interim_share_ape,
    interim_yoy,
)
from bassin_lib.analysis.jobseekers import (
    jobseeker_shares,
    jobseekers_change,
    jobseekers_communes_change,
    jobseekers_departements,
    jobseekers_departements_change,
    jobseekers_series,
)
from bassin_lib.analysis.living_standards import income_poverty_levels

# Not indicators (no registry entry, so not in __all__): seasonal adjustment and noise bands
from bassin_lib.analysis.noise import NOISE_FLOOR_POINTS as NOISE_FLOOR_POINTS
from bassin_lib.analysis.noise import NoiseBand as NoiseBand
from bassin_lib.analysis.noise import change_differentials as change_differentials
from bassin_lib.analysis.noise import differential_noise as differential_noise
from bassin_lib.analysis.noise import year_on_year_noise as year_on_year_noise
from bassin_lib.analysis.population import population_change, population_density, population_growth
from bassin_lib.analysis.recruitment import recruitment_by_occupation, recruitment_summary
from bassin_lib.analysis.seasonal import seasonal_decomposition as seasonal_decomposition
from bassin_lib.analysis.seasonal import seasonally_adjust as seasonally_adjust
from bassin_lib.analysis.sector_data import sector_frame
from bassin_lib.analysis.sectors import (
    location_quotients,
    sector_shares,
    specialisation_indices,
    sphere_shares,
)
from bassin_lib.analysis.shift_share import dynamic_shift_share, shift_share
from bassin_lib.analysis.similar_zones import similar_zones, structure_features
from bassin_lib.analysis.unemployment import (
    labour_force_identity,
    unemployment_rate_change,
    unemployment_rate_series,
)

__all__ = [
    "annual_employment_change",
    "annual_employment_index",
    "sector_frame",
    "development_model",
    "income_base_shares",
    "income_composition_levels",
    "income_composition_profile",
    "interim_profile_shares",
    "interim_sector_mix",
    "interim_share",
    "interim_share_ape",
    "interim_yoy",
    "jobseeker_shares",
    "labour_force_identity",
    "population_density",
    "population_growth",
    "similar_zones",
    "structure_features",
    "crisis_reading",
    "dynamic_shift_share",
    "location_quotients",
    "sector_shares",
    "shift_share",
    "specialisation_indices",
    "sphere_shares",
    "employment_change",
    "employment_index",
    "income_poverty_levels",
    "jobseekers_change",
    "jobseekers_communes_change",
    "jobseekers_departements",
    "jobseekers_departements_change",
    "jobseekers_series",
    "population_change",
    "quarterly_changes",
    "recruitment_by_occupation",
    "recruitment_summary",
    "unemployment_rate_change",
    "unemployment_rate_series",
    "year_on_year_changes",
]
