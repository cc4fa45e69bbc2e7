"""Analysts' text: per-territory Markdown files merged into the matching sections of the blocks.

Where the files live
--------------------
One folder per territory, named after the territory id: ``data/analyses/<territory id>/`` by
default (``data/analyses/DA01/``, ``data/analyses/nord-franche-comte/``). The notebook parameter
``analyses_dir`` names another root folder holding such per-territory folders (empty string:
the default); a relative root is taken from the project folder, never from the working
directory. A territory without a folder simply has no analysts' text, and the report says so.

The files (a fixed set)
-----------------------
=========================  =====================================================================
file                       where it goes in the report
=========================  =====================================================================
``methode.md``             1. Identité et méthode: the interview log (front matter below) and a
                           free description of the method
``secteurs.md``            4. Emploi salarié privé, « Les secteurs vus par les acteurs locaux »
``secteurs/<nom>.md``      same place, one file per sector story, in file-name order (after
                           ``secteurs.md``); a file that does not open with a heading gets one
                           from its name (``batiment-travaux-publics.md`` → « Batiment travaux
                           publics »)
``synthese.md``            8. Enjeux et préconisations, « Synthèse des entretiens »
``verbatims.md``           8, « Paroles d'acteurs » (quotes: write them as ``> « … »``)
``enjeux.md``              8, « Enjeux »
``preconisations.md``      8, « Préconisations »
=========================  =====================================================================

Any other entry of the folder (another file name, another sub-folder, a file of ``secteurs/``
that does not end in ``.md``) is **ignored with a warning**
(:class:`~bassin_lib.errors.BassinWarning`) naming it and listing the accepted names: a stray
draft never stops a batch, and the warning stays in the executed notebook (not in the HTML). Hidden entries (``.DS_Store``, ``.git``) are skipped
silently. An empty file counts as absent.

``methode.md`` may open with a YAML front matter between two ``---`` lines; every field is
optional, unknown fields are refused::

    ---
    dates: [2024-03-12, 2024-03-19, 2024-04-04]   # ISO dates (one date or a list)
    entretiens: 8                                  # number of interviews
    personnes: 11                                  # number of people met
    structures: [agences d'emploi, France Travail] # organisations met (one name or a list)
    ---
    Texte libre décrivant la méthode…

The front matter is read with YAML's base loader (every value a string, checked here). A
malformed front matter (unclosed, invalid YAML, unknown or repeated field, a date that is not
``YYYY-MM-DD``, a count that is not a whole number) raises
:class:`~bassin_lib.errors.DataFormatError` naming the file and the line. Files must be UTF-8.

How the text is shown
---------------------
- Markdown is kept (paragraphs, lists, emphasis, block quotes, links to ``http``, ``https`` and
  ``mailto`` addresses); any HTML is shown as text (:func:`bassin_lib.rendering.blocks.text`), and a link
  to any other kind of address (``javascript:``…) is made inert.
- Headings written in the files (``#``, ``##``…) are placed under the report's headings:
  ``#`` becomes a fourth-level heading, ``##`` a fifth-level one.
- Dates are written in French with Babel (« 12, 14 et 28 mars 2024 et 1er avril 2024 »).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from bassin_lib.errors import BassinWarning, DataFormatError, ParameterError
from bassin_lib.paths import DATA_DIR, PROJECT_DIR
from bassin_lib.rendering import blocks, french
from bassin_lib.rendering.french import french_dates, french_list

ANALYSES_DIR = DATA_DIR / "analyses"
"""Default root folder: one sub-folder per territory id."""

METHOD_FILE = "methode.md"
SECTORS_FILE = "secteurs.md"
SECTORS_DIR = "secteurs"
SECTION_FILES = {
    "synthese.md": "Synthèse des entretiens",
    "verbatims.md": "Paroles d'acteurs",
    "enjeux.md": "Enjeux",
    "preconisations.md": "Préconisations",
}
"""Files of the analysts' section (section 8), in report order, with their heading."""
ACCEPTED = (METHOD_FILE, SECTORS_FILE, f"{SECTORS_DIR}/<nom>.md", *SECTION_FILES)
FRONT_MATTER_FIELDS = ("dates", "entretiens", "personnes", "structures")

SECTORS_HEADING = "### Les secteurs vus par les acteurs locaux"
METHOD_HEADING = "### Méthode qualitative"


@dataclass(frozen=True)
class InterviewMethod:
    """The interview log of ``methode.md``.

    Attributes
    ----------
    dates : tuple of datetime.date
        Interview dates, sorted, without repeats (front matter ``dates``).
    interviews : int or None
        Number of interviews (``entretiens``).
    people : int or None
        Number of people met (``personnes``).
    organisations : tuple of str
        Organisations met (``structures``).
    text : str
        The Markdown body after the front matter (may be empty).
    """

    dates: tuple[date, ...] = ()
    interviews: int | None = None
    people: int | None = None
    organisations: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Analyses:
    """Everything the analysts wrote for one territory (raw Markdown, not yet escaped).

    Attributes
    ----------
    territory : str
        Territory id.
    folder : Path
        The folder that was looked at (it may not exist).
    exists : bool
        Whether the folder exists.
    method : InterviewMethod or None
        ``methode.md``.
    sectors : tuple of (str, str)
        ``(file name relative to the folder, Markdown)`` of each sector story, report order.
    sections : dict
        File name of :data:`SECTION_FILES` → Markdown, for the files present.
    files : tuple of Path
        Every file read, sorted (for the provenance sidecar).
    """

    territory: str
    folder: Path
    exists: bool = False
    method: InterviewMethod | None = None
    sectors: tuple[tuple[str, str], ...] = ()
    sections: dict = field(default_factory=dict)
    files: tuple[Path, ...] = ()

    @property
    def empty(self) -> bool:
        """True when no analysts' text was found for the territory."""
        return self.method is None and not self.sectors and not self.sections

    @property
    def folder_label(self) -> str:
        """The folder as shown in the report: relative to the project when inside it."""
        try:
            return self.folder.relative_to(PROJECT_DIR).as_posix() + "/"
        except ValueError:
            return self.folder.as_posix() + "/"


def territory_folder(territory_id: str, analyses_dir: str | Path | None = "") -> Path:
    """The folder of a territory's analysts' files.

    Parameters
    ----------
    territory_id : str
    analyses_dir : str or Path, optional
        Root folder holding one sub-folder per territory; ``""`` or None: :data:`ANALYSES_DIR`.
        A relative path is taken from the project folder.

    Raises
    ------
    ParameterError
        When ``analyses_dir`` is given and is not a folder.
    """
    if not analyses_dir:
        return ANALYSES_DIR / territory_id
    root = Path(analyses_dir)
    if not root.is_absolute():
        root = PROJECT_DIR / root
    if not root.is_dir():
        raise ParameterError(
            f"analyses_dir {str(analyses_dir)!r}: no such folder ({root}); give the folder "
            "holding one sub-folder per territory, or an empty string for data/analyses"
        )
    return root / territory_id


def load(territory_id: str, analyses_dir: str | Path | None = "") -> Analyses:
    """Read the analysts' files of a territory.

    Parameters
    ----------
    territory_id : str
        Territory id (zone code or group id): the name of its folder.
    analyses_dir : str or Path, optional
        Root folder (see :func:`territory_folder`); default ``data/analyses``.

    Returns
    -------
    Analyses
        Empty (``exists=False``) when the territory has no folder.

    Raises
    ------
    DataFormatError
        A file is not UTF-8, or ``methode.md`` has a malformed front matter (file and line
        named).
    ParameterError
        ``analyses_dir`` is not a folder.

    Warns
    -----
    BassinWarning
        For each entry of the folder that is not one of the accepted files (it is ignored).

    Examples
    --------
    >>> analyses = load("DA01")  # the fictitious example folder of the demo
    >>> analyses.method.interviews, len(analyses.sectors)
    (7, 3)
    """
    folder = territory_folder(territory_id, analyses_dir)
    if not folder.exists():
        return Analyses(territory=territory_id, folder=folder)
    if not folder.is_dir():
        raise DataFormatError(f"{folder}: expected a folder of analysts' Markdown files")
    read: list[Path] = []
    method = None
    sectors: list[tuple[str, str]] = []
    sections: dict[str, str] = {}
    for entry in sorted(folder.iterdir()):
        name = entry.name
        if name.startswith("."):
            continue
        if entry.is_file() and name == METHOD_FILE:
            text = _read(entry)
            if text.strip():
                method = parse_method(text, entry)
                read.append(entry)
        elif entry.is_file() and name == SECTORS_FILE:
            text = _read(entry)
            if text.strip():
                sectors.insert(0, (name, text))
                read.append(entry)
        elif entry.is_file() and name in SECTION_FILES:
            text = _read(entry)
            if text.strip():
                sections[name] = text
                read.append(entry)
        elif entry.is_dir() and name == SECTORS_DIR:
            for story in sorted(entry.iterdir()):
                if story.name.startswith("."):
                    continue
                if not (story.is_file() and story.suffix == ".md"):
                    _warn_unknown(story, folder)
                    continue
                text = _read(story)
                if text.strip():
                    sectors.append((f"{SECTORS_DIR}/{story.name}", _titled(text, story.stem)))
                    read.append(story)
        else:
            _warn_unknown(entry, folder)
    ordered = {name: sections[name] for name in SECTION_FILES if name in sections}
    return Analyses(
        territory=territory_id,
        folder=folder,
        exists=True,
        method=method,
        sectors=tuple(sectors),
        sections=ordered,
        files=tuple(sorted(read)),
    )


def _warn_unknown(entry: Path, folder: Path) -> None:
    relative = entry.relative_to(folder).as_posix() + ("/" if entry.is_dir() else "")
    warnings.warn(
        f"{folder / relative}: not an analysts' file, ignored; accepted names: "
        f"{', '.join(ACCEPTED)}",
        BassinWarning,
        stacklevel=3,
    )


def _read(path: Path) -> str:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise DataFormatError(
            f"{path}, line {line}: not UTF-8 text; save the file as UTF-8"
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _titled(text: str, stem: str) -> str:
    """Give a sector story a heading from its file name when it does not open with one."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if re.match(r"^#{1,6}(\s|$)", first):
        return text
    title = re.sub(r"[-_]+", " ", stem).strip()
    return f"# {title[:1].upper()}{title[1:]}\n\n{text}"


# --- methode.md -------------------------------------------------------------------------------


def parse_method(text: str, path: str | Path = METHOD_FILE) -> InterviewMethod:
    """Parse ``methode.md``: optional YAML front matter (see module docstring) and body.

    Parameters
    ----------
    text : str
        Content of the file.
    path : str or Path
        Named in error messages.

    Raises
    ------
    DataFormatError
        ``"<path>, line <n>: …"`` for an unclosed or invalid front matter, an unknown or repeated
        field, a bad date or count.
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return InterviewMethod(text=text.strip("\n"))
    close = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if close is None:
        raise DataFormatError(
            f"{path}, line 1: front matter opened by '---' is never closed (add a '---' line "
            "after the last field)"
        )
    header = "\n".join(lines[1:close])
    body = "\n".join(lines[close + 1 :]).strip("\n")
    offset = 2  # file line of the front matter's first line (1-based)
    try:
        node = yaml.compose(header, Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + offset if mark is not None else offset
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DataFormatError(f"{path}, line {line}: invalid front matter ({problem})") from exc
    if node is None:
        return InterviewMethod(text=body)
    if not isinstance(node, yaml.MappingNode):
        raise DataFormatError(
            f"{path}, line {node.start_mark.line + offset}: the front matter must be fields "
            f"'name: value' ({', '.join(FRONT_MATTER_FIELDS)})"
        )
    values: dict[str, object] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + offset
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key not in FRONT_MATTER_FIELDS:
            raise DataFormatError(
                f"{path}, line {line}: unknown field {key!r}; allowed: "
                f"{', '.join(FRONT_MATTER_FIELDS)}"
            )
        if key in values:
            raise DataFormatError(f"{path}, line {line}: field {key!r} given twice")
        items = _scalars(value_node, key, path, offset)
        if key == "dates":
            values[key] = tuple(sorted({_date(v, ln, path) for v, ln in items}))
        elif key == "structures":
            values[key] = tuple(_name(v, ln, path) for v, ln in items)
        else:
            if len(items) != 1:
                raise DataFormatError(f"{path}, line {line}: {key!r} must be one whole number")
            values[key] = _count(*items[0], key, path)
    return InterviewMethod(
        dates=values.get("dates", ()),
        interviews=values.get("entretiens"),
        people=values.get("personnes"),
        organisations=values.get("structures", ()),
        text=body,
    )


def _scalars(node, key: str, path, offset: int) -> list[tuple[str, int]]:
    """(value, file line) of a scalar or of each item of a list of scalars."""
    nodes = node.value if isinstance(node, yaml.SequenceNode) else [node]
    out = []
    for item in nodes:
        if not isinstance(item, yaml.ScalarNode):
            raise DataFormatError(
                f"{path}, line {item.start_mark.line + offset}: {key!r} must be one value or a "
                "list of values"
            )
        out.append((item.value.strip(), item.start_mark.line + offset))
    return out


def _date(value: str, line: int, path) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as exc:
        raise DataFormatError(
            f"{path}, line {line}: date {value!r} is not a calendar date written YYYY-MM-DD "
            "(e.g. 2024-03-12)"
        ) from exc


def _count(value: str, line: int, key: str, path) -> int:
    if not re.fullmatch(r"\d+", value):
        raise DataFormatError(f"{path}, line {line}: {key!r} must be a whole number, not {value!r}")
    return int(value)


def _name(value: str, line: int, path) -> str:
    if not value:
        raise DataFormatError(f"{path}, line {line}: empty organisation name in 'structures'")
    return value


# --- Formatting --------------------------------------------------------------------------------


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{french.format_number(count)} {singular if count < 2 else plural}"


def shift_headings(markdown: str, levels: int = 3) -> str:
    """Lower every ATX heading (``#``…) by ``levels`` (at most six ``#``), outside code fences."""
    out, fence = [], None
    for line in markdown.split("\n"):
        marker = re.match(r"^\s{0,3}(```|~~~)", line)
        if marker:
            fence = None if fence == marker.group(1) else (fence or marker.group(1))
        elif fence is None:
            heading = re.match(r"^(\s{0,3})(#{1,6})(?=\s|$)", line)
            if heading:
                hashes = "#" * min(6, len(heading.group(2)) + levels)
                line = heading.group(1) + hashes + line[heading.end() :]
        out.append(line)
    return "\n".join(out)


def _prepared(markdown: str) -> str:
    return shift_headings(blocks.safe_links(markdown)).strip("\n")


def method(analyses: Analyses):
    """Identity section: the interview log and method, or one sentence when there is none.

    Returns
    -------
    IPython.display.Markdown
        Escaped (:func:`bassin_lib.rendering.blocks.text`).
    """
    m = analyses.method
    if m is None:
        return blocks.text(
            f"{METHOD_HEADING}\n\n*Aucun entretien n'est consigné pour ce territoire : le "
            "diagnostic ne s'appuie que sur les données chiffrées présentées ci-dessous.*"
        )
    bullets = []
    if m.interviews is not None:
        done = _plural(m.interviews, "entretien", "entretiens")
        if m.people is not None:
            done += " avec " + _plural(m.people, "personne", "personnes")
        bullets.append(f"- Entretiens : {done}")
    elif m.people is not None:
        bullets.append(f"- Personnes rencontrées : {french.format_number(m.people)}")
    if m.dates:
        label = "Dates des entretiens" if len(m.dates) > 1 else "Date de l'entretien"
        bullets.append(f"- {label} : {french_dates(m.dates)}")
    if m.organisations:
        bullets.append(f"- Structures rencontrées : {french_list(list(m.organisations))}")
    parts = [METHOD_HEADING]
    if bullets:
        parts.append("\n".join(bullets))
    if m.text.strip():
        parts.append(_prepared(m.text))
    return blocks.text("\n\n".join(parts))


def sector_stories(analyses: Analyses):
    """Employment section: the analysts' sector stories (None when there are none)."""
    if not analyses.sectors:
        return None
    intro = (
        "*Ces récits, rédigés par les analystes à partir des entretiens, rapportent la "
        "perception des acteurs locaux ; elle peut différer des chiffres ci-dessus.*"
    )
    stories = [_prepared(text) for _, text in analyses.sectors]
    return blocks.text("\n\n".join([SECTORS_HEADING, intro, *stories]))


def stakes_section(analyses: Analyses):
    """Section 8 (« Enjeux et préconisations »): synthesis, quotes, stakes, recommendations,
    or one sentence saying that nothing was written for the territory."""
    if not analyses.sections:
        where = f"dossier {analyses.folder_label}"
        if not analyses.exists:
            sentence = (
                "Aucun texte d'analyste n'a été déposé pour ce territoire "
                f"({where}) : cette partie du diagnostic n'est pas renseignée."
            )
        else:
            sentence = (
                "Aucune synthèse, aucun verbatim ni aucun enjeu n'a été déposé pour ce "
                f"territoire ({where}) : cette partie du diagnostic n'est pas renseignée."
            )
        return blocks.text(f"*{sentence}*")
    parts = [
        "*Cette partie est rédigée par les analystes à partir des entretiens menés sur le "
        "territoire ; elle se lit avec les chiffres des sections précédentes.*"
    ]
    for name, text in analyses.sections.items():
        parts.append(f"### {SECTION_FILES[name]}")
        parts.append(_prepared(text))
    return blocks.text("\n\n".join(parts))
