#!/usr/bin/env bash
# Installs what `make bench` needs beyond scripts/setup.sh, and is quick when nothing is missing:
# wrk, the HTTP load generator of bench/bench_api.py (a Debian/Ubuntu package; needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup-bench: %s\n' "$*" >&2; }

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
