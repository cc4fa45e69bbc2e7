"""One error root and one warning root for everything bassin_lib raises."""

from __future__ import annotations


class BassinError(Exception):
    """Root of every error bassin_lib raises on purpose (bad input, unknown territory...)."""


class DataFormatError(BassinError):
    """A data file or table does not have the expected layout or content."""


class UnknownTerritoryError(BassinError):
    """A territory id is neither a zone code nor a declared group.

    Attributes
    ----------
    territory : str
        The id that was asked for.
    suggestions : list of str
        Close matches among the known ids ("id (label)"), best first.
    """

    def __init__(self, territory: str, suggestions: list[str]):
        self.territory = territory
        self.suggestions = list(suggestions)
        hint = (
            "close matches: " + ", ".join(self.suggestions)
            if self.suggestions
            else "no close match"
        )
        super().__init__(f"unknown territory {territory!r} ({hint})")


class ParameterError(BassinError):
    """A function or command-line parameter has a value outside its allowed set."""


class BassinWarning(UserWarning):
    """Root of every warning bassin_lib emits (approximate aggregates, hedged sentences...)."""
