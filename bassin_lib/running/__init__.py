"""Running: the batch over territories (``batch``), its parameters, cache and ledger, local
and Dask executors, the warm-kernel papermill engine, and the command line (``cli``)."""
