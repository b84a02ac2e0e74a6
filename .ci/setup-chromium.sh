#!/usr/bin/env bash
# Installs Chromium and chromedriver (Debian's `chromium` and `chromium-driver`) for the
# end-to-end browser tests of hoard-webdriver, when they are missing. Quiet on success: progress
# goes to stderr in one line per step, apt's output only when it fails.
#
#   bash .ci/setup-chromium.sh
#
# Idempotent: does nothing when both programs already exist (at HOARD_CHROMIUM and
# HOARD_CHROMEDRIVER if set, else /usr/bin/chromium and /usr/bin/chromedriver). Must run as root
# (CI does). Never lets a tool download its own browser: everything comes from apt.
set -euo pipefail

CHROMIUM="${HOARD_CHROMIUM:-/usr/bin/chromium}"
CHROMEDRIVER="${HOARD_CHROMEDRIVER:-/usr/bin/chromedriver}"
log() { echo "setup-chromium: $*" >&2; }

if [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ]; then
  log "chromium and chromedriver already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  log "chromium or chromedriver is missing and installing them needs root"
  exit 1
fi

LOG=$(mktemp /tmp/setup-chromium.XXXXXX.log)
run() {
  if ! "$@" >>"$LOG" 2>&1; then
    log "failed: $*"
    tail -n 30 "$LOG" >&2
    exit 1
  fi
}

export DEBIAN_FRONTEND=noninteractive
log "apt-get update"
run apt-get update
log "installing chromium and chromium-driver"
run apt-get install -y --no-install-recommends chromium chromium-driver
rm -f "$LOG"

for program in "$CHROMIUM" "$CHROMEDRIVER"; do
  if [ ! -x "$program" ]; then
    log "$program still missing after the install (set HOARD_CHROMIUM / HOARD_CHROMEDRIVER?)"
    exit 1
  fi
done
log "$("$CHROMEDRIVER" --version)"
