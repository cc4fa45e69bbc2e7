#!/usr/bin/env bash
# Set-up and tasks on a fresh machine (Python 3.11 and pip are enough).
#   ./dev.sh run    create/reuse .venv, install from requirements.lock, render every demo territory,
#                   print the index path
#   ./dev.sh test   create/reuse .venv, install from requirements.lock, run the whole test suite
#   ./dev.sh lock   re-resolve pyproject.toml (runtime + test extras) into requirements.lock and
#                   pin environment.yml to it; installs nothing in .venv
# Extra arguments go to papermill_runs.py (run; they replace the default "--all --jobs 2"), to
# pytest (test) or to `uv pip compile` (lock; e.g. --upgrade, --upgrade-package pandas).
#
# requirements.lock pins every package, direct and transitive, with its sha256 hashes, for Linux
# x86_64 and Python 3.11; both run and test install all of it (runtime and test extras), then the
# package itself without dependencies. A plain `./dev.sh lock` keeps every pin that still
# satisfies pyproject.toml and resolves only what changed; --upgrade moves everything.
set -euo pipefail
cd "$(dirname "$0")"
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
STAMP="$VENV/.installed"
LOCK=requirements.lock
UV_VERSION=0.13.9       # the resolver of ./dev.sh lock, pinned so that re-locking is repeatable
LOCK_PYTHON=3.11.7      # the machines' Python; the lock is for this version and later 3.11.x
LOCK_PLATFORM=x86_64-unknown-linux-gnu

# pip, without the warnings about this machine's missing local package folders.
pip_quiet() {
  "$@" --quiet --disable-pip-version-check 2> >(grep -v "^WARNING: Location" >&2)
}

install() {
  if [ ! -x "$PY" ]; then
    python3 -m venv "$VENV"
  fi
  # Reinstall only when the lock or pyproject.toml changed.
  want=$(cat "$LOCK" pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
    # Hash-checking mode: every package must be pinned in the lock, with a matching hash.
    pip_quiet "$PY" -m pip install --require-hashes -r "$LOCK"
    pip_quiet "$PY" -m pip install --no-deps -e .
    # pip adds and replaces but never removes: name what is installed beyond the lock.
    extra=$("$PY" - "$LOCK" <<'EOF'
import re
import sys
from importlib.metadata import distributions

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

text = open(sys.argv[1]).read()
locked = {norm(m) for m in re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", text, re.M)}
locked |= {"pip", "setuptools", "wheel", "bassin-lib"}
print(" ".join(sorted({norm(d.metadata["Name"]) for d in distributions()} - locked)))
EOF
)
    if [ -n "$extra" ]; then
      echo "dev.sh: installed in $VENV but not in $LOCK: $extra (delete $VENV to start afresh)" >&2
    fi
    echo "$want" > "$STAMP"
  fi
}

lock() {
  # uv (one self-contained wheel from PyPI) resolves without installing anything; kept in its
  # own folder so that it never enters the project's environment.
  tools="$VENV/.tools/uv-$UV_VERSION"
  if [ ! -x "$tools/bin/uv" ]; then
    pip_quiet python3 -m pip install --root-user-action=ignore --target "$tools" "uv==$UV_VERSION"
  fi
  "$tools/bin/uv" pip compile pyproject.toml --extra test --generate-hashes \
    --python-version "$LOCK_PYTHON" --python-platform "$LOCK_PLATFORM" \
    --custom-compile-command "./dev.sh lock" --quiet --output-file "$LOCK" "$@"
  # environment.yml lists pyproject's packages for conda; pin each to the lock's version.
  python3 - "$LOCK" environment.yml <<'EOF'
import re
import sys
from pathlib import Path

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

text = Path(sys.argv[1]).read_text()
pins = {norm(n): v for n, v in re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", text, re.M)}
env = Path(sys.argv[2])

def pin(match):
    version = pins.get(norm(match.group(2)))
    return match.group(0) if version is None else f"{match.group(1)}{match.group(2)}=={version}"

pattern = r"^(  - )([A-Za-z0-9][A-Za-z0-9._-]*)\s*([<>=!~].*)?$"
env.write_text(re.sub(pattern, pin, env.read_text(), flags=re.M))
EOF
  echo "dev.sh: wrote $LOCK and pinned environment.yml; ./dev.sh test installs it" >&2
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
  lock)
    lock "$@"
    ;;
  *)
    echo "usage: ./dev.sh run|test|lock [arguments]" >&2
    exit 2
    ;;
esac
