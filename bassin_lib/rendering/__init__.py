"""Rendering: everything a reviewer reads, in French.

``french`` formats numbers and dates; ``narrative`` writes the sentences; ``figures`` and
``maps`` draw the charts; ``sections`` assembles each section of the report from the analysis;
``blocks`` holds the Markdown blocks; ``page`` exports the executed notebook to HTML;
``index_site`` writes the edition's index page; ``provenance`` records where each figure comes
from; ``analysts`` merges the analysts' Markdown texts. HTML lives in ``templates/``."""
