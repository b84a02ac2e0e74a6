#!/usr/bin/env bash
# The purity check of STYLE.md: the pure crates never depend on IO runtimes, HTTP, databases,
# and never read the system clock or spawn threads.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for crate in hoard-primitives hoard-core hoard-clmm hoard-btc; do
  deps=$(cargo tree -p "$crate" -e normal --prefix none --format '{p}' 2>/dev/null | awk '{print $1}' | sort -u)
  for banned in tokio axum hyper rusqlite sqlx postgres tokio-postgres reqwest ureq; do
    if echo "$deps" | grep -qx "$banned"; then
      echo "purity: $crate depends on $banned" >&2
      status=1
    fi
  done
  dir="crates/${crate#hoard-}"
  if grep -rnE 'SystemTime::now|Instant::now|std::thread::spawn|std::fs::|std::net::' "$dir/src" >/dev/null 2>&1; then
    echo "purity: $crate reads the clock, spawns threads or does IO:" >&2
    grep -rnE 'SystemTime::now|Instant::now|std::thread::spawn|std::fs::|std::net::' "$dir/src" >&2
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "purity: ok (hoard-primitives, hoard-core, hoard-clmm, hoard-btc)"
exit "$status"
