"""Run inside a warm kernel (see :mod:`bassin_lib.running.engine`): import what every diagnostic needs,
remember the pristine state, and bring it back between two notebooks."""

from __future__ import annotations

import gc
import os
import sys
import warnings

_PRISTINE: dict = {}


def warm_up() -> None:
    """Import the heavy modules once and record the state a fresh kernel would have."""
    import geopandas  # noqa: F401
    import matplotlib
    import matplotlib.pyplot  # noqa: F401
    import pandas  # noqa: F401

    import bassin_lib.analysis  # noqa: F401
    import bassin_lib.inputs.datasets  # noqa: F401
    import bassin_lib.rendering.blocks  # noqa: F401
    import bassin_lib.rendering.figures  # noqa: F401
    import bassin_lib.rendering.maps  # noqa: F401
    import bassin_lib.rendering.narrative  # noqa: F401

    _PRISTINE.update(rc=dict(matplotlib.rcParams), warnings=list(warnings.filters))
    # The imported modules live as long as the kernel: keep the garbage collector from walking
    # them again at every reset (IPython's reset collects; measured 0.19 s → 0.03 s by
    # benchmarks/profile_territory.py).
    gc.freeze()


def reset(cwd: str) -> None:
    """Fresh-kernel state for the next notebook, working in ``cwd``.

    Clears the user namespace and output history and sets the execution counter back to 1
    (IPython's own ``reset``), closes figures, restores matplotlib settings and warning filters,
    forgets which warnings were already shown (a fresh kernel would show them again), and
    changes directory.
    """
    import matplotlib
    import matplotlib.pyplot as plt
    from IPython import get_ipython

    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(_PRISTINE["rc"])
    warnings.filters[:] = _PRISTINE["warnings"]
    warnings._filters_mutated()
    for module in list(sys.modules.values()):
        registry = getattr(module, "__warningregistry__", None)
        if isinstance(registry, dict):
            registry.clear()
    os.chdir(cwd)
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)
