#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for hoard-store's tests (127.0.0.1, port 54329 unless
# HOARD_PG_PORT says otherwise), creates the database `hoard_test`, and prints the line that
# exports HOARD_TEST_POSTGRES_URL. Everything else goes to stderr, so the usual call is:
#
#   eval "$(bash .ci/setup-postgres.sh)"
#
# Idempotent: installs PostgreSQL with apt-get only when it is missing, reuses a server already
# answering on the port, and creates the database only once. Must run as root (CI does).
set -euo pipefail

PORT="${HOARD_PG_PORT:-54329}"
DB="hoard_test"
log() { echo "setup-postgres: $*" >&2; }

find_pgbin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

PGBIN=$(find_pgbin || true)
if [ -z "${PGBIN:-}" ] || ! command -v psql >/dev/null 2>&1; then
  log "installing postgresql with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y postgresql >&2
  PGBIN=$(find_pgbin)
fi

if "$PGBIN/pg_isready" -h 127.0.0.1 -p "$PORT" -q; then
  log "a server already answers on 127.0.0.1:$PORT; reusing it"
else
  DATA=$(mktemp -d /tmp/hoard-pg.XXXXXX)
  chown postgres:postgres "$DATA"
  runuser -u postgres -- "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 >/dev/null
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$DATA" -l "$DATA/log" \
    -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c max_connections=300" -w start >&2
  log "started a cluster in $DATA on 127.0.0.1:$PORT"
fi

if ! psql -h 127.0.0.1 -p "$PORT" -U postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  psql -h 127.0.0.1 -p "$PORT" -U postgres -q -c "CREATE DATABASE $DB" >&2
fi

echo "export HOARD_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$PORT/$DB"
