#!/usr/bin/env bash
# Installs what NSAI needs on this machine and is quick when nothing is missing:
#  1. PostgreSQL server programs and PostGIS (Debian/Ubuntu packages; needs root or sudo),
#  2. .venv with the project and its dev tools,
#  3. with --browser (`make test`), Debian's Chromium for the console's browser test.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo "$@"
  else
    log "missing system packages; run this, then try again:"
    log "  sudo $*"
    exit 1
  fi
}

pg_major() { ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1; }

apt_updated=0
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    log "this is not a Debian/Ubuntu system: install PostgreSQL with PostGIS (and $*) yourself,"
    log "or set NSAI_DATABASE_URL to a PostGIS server"
    exit 1
  fi
  if [ "$apt_updated" = 0 ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  log "installing $*"
  local lean=--no-install-recommends
  [ "${WITH_RECOMMENDS:-0}" = 1 ] && lean=
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $lean "$@"
}

# 1. PostgreSQL and PostGIS: the managed cluster and the test suite's cluster tests need both.
major=$(pg_major)
if [ -z "$major" ] || [ ! -x "/usr/lib/postgresql/$major/bin/initdb" ]; then
  apt_install postgresql postgresql-contrib
  major=$(pg_major)
fi
if [ ! -f "/usr/share/postgresql/$major/extension/postgis.control" ]; then
  apt_install "postgresql-$major-postgis-3"
fi

# 2. Python 3.11+ and the virtual environment.
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  log "NSAI needs Python 3.11 or newer; $PYTHON is $("$PYTHON" -V 2>&1). Set PYTHON=/path/to/python3.11"
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    apt_install python3-venv
    "$PYTHON" -m venv .venv
  fi
fi
stamp=.venv/.nsai-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "installing the project into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  echo "$want" > "$stamp"
fi

# 3. The browser test drives Debian's headless Chromium (Playwright's own browsers are never
# downloaded), installed as CI always has (with what its libraries recommend).
if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  WITH_RECOMMENDS=1 apt_install chromium
fi
