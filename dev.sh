#!/usr/bin/env bash
# Set-up and tasks on a fresh machine (Python 3.11 and pip are enough).
#   ./dev.sh run    create/reuse .venv, install, render every demo territory, print the index path
#   ./dev.sh test   create/reuse .venv, install with test extras, run the whole test suite
# Extra arguments go to papermill_runs.py (run; they replace the default "--all --jobs 2") or to
# pytest (test).
set -euo pipefail
cd "$(dirname "$0")"
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
STAMP="$VENV/.installed"

install() {
  if [ ! -x "$PY" ]; then
    python3 -m venv "$VENV"
  fi
  # Reinstall only when the dependency list changed.
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
    "$PY" -m pip install --quiet --disable-pip-version-check -e ".[test]" 2> >(grep -v "^WARNING: Location" >&2)
    echo "$want" > "$STAMP"
  fi
}

task="${1:-}"
shift || true
case "$task" in
  run)
    install
    if [ "$#" -eq 0 ]; then
      set -- --all --jobs 2
    fi
    exec "$PY" papermill_runs.py "$@"
    ;;
  test)
    install
    exec "$PY" -m pytest "$@"
    ;;
  *)
    echo "usage: ./dev.sh run|test [arguments]" >&2
    exit 2
    ;;
esac
