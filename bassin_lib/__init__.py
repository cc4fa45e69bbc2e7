"""bassin_lib: territorial employment diagnostics for INSEE employment zones (ZE2020).

The package is organised along a one-way data flow (see docs/architecture.md):
``demo`` / ``sources`` -> canonical tables (``schemas``) -> ``cube`` -> ``indicators`` ->
``narrative`` -> ``figures`` / ``maps`` -> ``report``; ``batch`` runs the diagnostic notebook
once per territory. Importing the package has no side effect and imports nothing heavy.
"""

__version__ = "0.1.0"
