"""Notebook parameters: what the parameters cell declares, and user values checked against it."""

from __future__ import annotations

import ast
import difflib
from pathlib import Path

from bassin_lib.errors import ParameterError

RUNNER_PARAMETERS = ("territory", "edition", "data_source", "output_dir", "cube_dir")
"""Parameters the runner sets for every notebook; a user cannot give them."""


def notebook_parameters(notebook: str | Path) -> dict[str, object]:
    """Parameters declared in the notebook's ``parameters`` cell, with their default values.

    Parameters
    ----------
    notebook : str or Path
        A parameterized notebook.

    Returns
    -------
    dict
        Name → default value (``None`` for a default that is an expression, not a literal).

    Raises
    ------
    ParameterError
        When the notebook has no such cell, or lacks a parameter the runner sets
        (:data:`RUNNER_PARAMETERS`).
    """
    import papermill as pm

    declared = pm.inspect_notebook(str(notebook))
    if not declared:
        raise ParameterError(f"{notebook}: no cell tagged 'parameters'")
    missing = [name for name in RUNNER_PARAMETERS if name not in declared]
    if missing:
        raise ParameterError(
            f"{notebook}: the parameters cell must declare {', '.join(missing)} (set by the runner)"
        )
    defaults = {}
    for name, info in declared.items():
        try:
            defaults[name] = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            defaults[name] = None  # an expression: any value is accepted, as given
    return defaults


def validate_parameters(notebook: str | Path, given: dict | None) -> dict:
    """Check user parameters against the notebook's parameters cell, before any kernel starts.

    - an unknown name is an error (with close matches), and so is a runner-owned one;
    - a value given as text (command line) takes the type of the default: text stays text
      (``"0051"`` is never 51), numbers and booleans are parsed, a list is read from
      comma-separated values; a value of another type is an error;
    - a parameter whose default is a quarter (``"2019Q4"``) must be a quarter, read by
      :func:`bassin_lib.analysis.common.as_period` (``"2019Q4"``, ``"2019-T4"``, ``"2019T4"``)
      and passed on in the canonical form ``"2019Q4"``; so is each item of a list of quarters.

    Parameters
    ----------
    notebook : str or Path
        The parameterized notebook.
    given : dict or None
        Name → value, values as typed on the command line (text) or already typed.

    Returns
    -------
    dict
        The parameters with their values converted.

    Raises
    ------
    ParameterError
        For an unknown or runner-owned name, or a value that does not fit its default.
    """
    defaults = notebook_parameters(notebook)
    checked = {}
    for name, value in (given or {}).items():
        if name in RUNNER_PARAMETERS:
            raise ParameterError(
                f"parameter {name!r} is set by the runner (use the territories, --edition or "
                "--data instead)"
            )
        if name not in defaults:
            close = difflib.get_close_matches(name, list(defaults), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            accepted = ", ".join(n for n in defaults if n not in RUNNER_PARAMETERS)
            raise ParameterError(
                f"unknown parameter {name!r} for {Path(notebook).name}{hint} (accepted: {accepted})"
            )
        checked[name] = _convert(name, value, defaults[name])
    return checked


def _quarter(value) -> str | None:
    """``value`` as a canonical quarter ``"2019Q4"``, or None when it is not a quarter."""
    # imported here: the workers import this module for `injected` and need no pandas
    from bassin_lib.analysis.common import as_period

    if not isinstance(value, str):
        return None
    try:
        return str(as_period(value, "Q"))
    except ParameterError:
        return None


def _convert(name: str, value, default):
    def fail(expected: str):
        raise ParameterError(f"parameter {name!r}: {value!r} is not {expected}")

    if default is None:
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            fail("a text value")
        if _quarter(default) is not None:
            return _quarter(value) or fail("a quarter such as 2019Q4")
        return value
    if isinstance(default, list):
        items = (
            [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value
        )
        if not isinstance(items, list | tuple):
            fail("a list")
        if default and all(_quarter(d) is not None for d in default):
            quarters = []
            for item in items:
                quarter = _quarter(item)
                if quarter is None:
                    raise ParameterError(
                        f"parameter {name!r}: {item!r} is not a quarter such as 2019Q4"
                    )
                quarters.append(quarter)
            return quarters
        return list(items)
    kind = type(default)
    if isinstance(value, str):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            fail(f"a {kind.__name__}")
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if type(value) is not kind:
        fail(f"a {kind.__name__}")
    return value


def kernel_name(notebook: str | Path) -> str:
    """The kernel the notebook asks for (its ``kernelspec``), ``python3`` when it names none.

    Parameters
    ----------
    notebook : str or Path

    Returns
    -------
    str
    """
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    return nb.metadata.get("kernelspec", {}).get("name") or "python3"


def injected(task: dict, work: str | Path) -> dict:
    """Every parameter given to one territory's notebook: the user's and the runner's.

    Parameters
    ----------
    task : dict
        One territory's task (``parameters``, ``territory``, ``edition``, ``data_source``,
        ``cube_dir``).
    work : str or Path
        The folder the notebook writes into (``output_dir``).

    Returns
    -------
    dict
    """
    return {
        **task["parameters"],
        "territory": task["territory"],
        "edition": task["edition"],
        "data_source": task["data_source"],
        "output_dir": str(work),
        "cube_dir": task["cube_dir"],
    }


def check_edition(edition: str) -> str:
    """Check that an edition name is a plain folder name (``outputs/<edition>``), not a path.

    Parameters
    ----------
    edition : str
        E.g. ``"demo"``, ``"2024T4"``.

    Returns
    -------
    str
        ``edition``, unchanged.

    Raises
    ------
    ParameterError
        For an empty name, ``.`` or ``..``, a hidden name, or anything holding a separator
        (``a/b``, ``../x``, ``/tmp/x``): an edition is always written below the output folder.
    """
    problem = None
    if not isinstance(edition, str) or not edition.strip():
        problem = "an empty name"
    elif "/" in edition or "\\" in edition or "\0" in edition:
        problem = "a path"
    elif edition.startswith("."):
        problem = "'.', '..' or a hidden name"
    if problem:
        raise ParameterError(
            f"--edition {edition!r} is {problem}: give a plain folder name such as 2024T4, "
            "written below the output folder (--output)"
        )
    return edition
