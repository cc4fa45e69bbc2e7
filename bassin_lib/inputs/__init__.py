"""Data in: official files (``sources``, ``fetch``, ``real``) or the synthetic ``demo``, checked
canonical tables (``schemas``), the zone référentiel and groups (``territories``) and the
``cube`` of every geography that the analysis reads (``datasets`` opens it)."""
