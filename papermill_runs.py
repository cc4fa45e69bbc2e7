#!/usr/bin/env python3
"""Render territorial employment diagnostics with papermill, one notebook run per territory.

The command line lives in :mod:`bassin_lib.running.cli` (also installed as ``bassin``);
``--help`` lists every option and the exit codes.

Examples
--------
Every zone and group of the embedded demo data, two processes::

    python papermill_runs.py --all --jobs 2

Two territories (zone codes are strings; pass them as they are written, "0051" stays "0051")::

    python papermill_runs.py DA01 pole-fictif-alpha

Download the official files into data/raw (or import them from a folder, offline)::

    python papermill_runs.py fetch
    python papermill_runs.py fetch --from /media/usb/bassin-data

A territory named like a command, with the default command ``render`` spelled out::

    python papermill_runs.py render fetch
"""

from __future__ import annotations

import sys

from bassin_lib.running.cli import main, parse_args

__all__ = ["main", "parse_args"]

if __name__ == "__main__":
    sys.exit(main())
