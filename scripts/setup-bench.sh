#!/usr/bin/env bash
# Installs what `make bench` needs beyond scripts/setup.sh, and is quick when nothing is missing:
#  1. uk_address_matcher (PyPI, with Splink and DuckDB), the matcher bench/bench_real_match.py
#     measures NSAI beside, into .venv; when it cannot be installed that bench says so and runs on,
#  2. wrk, the HTTP load generator of bench/bench_api.py (a Debian/Ubuntu package; needs root or
#     sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup-bench: %s\n' "$*" >&2; }

# 1. uk_address_matcher.
if ! .venv/bin/python -c 'import uk_address_matcher' >/dev/null 2>&1; then
  log "installing uk_address_matcher into .venv"
  if ! .venv/bin/python -m pip install --quiet 'uk_address_matcher>=1.5,<2'; then
    log "uk_address_matcher could not be installed: bench/bench_real_match.py will say so"
  fi
fi

# 2. wrk.
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo "$@"
  else
    log "wrk (the load generator of bench/bench_api.py) is missing; run this, then try again:"
    log "  sudo apt-get install -y wrk"
    exit 1
  fi
}

if ! command -v apt-get >/dev/null 2>&1; then
  log "this is not a Debian/Ubuntu system: install wrk (https://github.com/wg/wrk) yourself"
  exit 1
fi
log "installing wrk"
if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk
fi
