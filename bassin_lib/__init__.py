"""bassin_lib: territorial employment diagnostics for INSEE employment zones (ZE2020).

The folders are the one-way data flow (``docs/architecture.md``), each layer importing only
the layers below it (an import contract in ``pyproject.toml``, checked by the tests):

- ``running``: parameters, cache, ledger, local and Dask executors, warm kernels, command line;
- ``rendering``: everything a reviewer reads, in French (formatting, narrative, figures, maps,
  report sections, page export, index site, provenance, templates);
- ``analysis``: the indicators, one module per subject, the registry and the headline figures;
- ``inputs``: official files and the demo dataset into canonical tables and the cube.

``errors``, ``paths``, ``files`` and ``environment`` are shared by every layer. Importing the package has no
side effect and imports nothing heavy.
"""

__version__ = "0.1.0"
