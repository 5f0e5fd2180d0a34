#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests: 127.0.0.1 only, a free port, data
# in a temporary directory. Installs Debian's postgresql if missing.
#
#   eval "$(scripts/postgres.sh start)"   # exports EFA_TEST_POSTGRES_URL and EFA_PG_DIR
#   scripts/postgres.sh stop "$EFA_PG_DIR"
#
# Everything but the export lines goes to stderr, so `eval` sees only those.
set -euo pipefail

log() { printf 'postgres.sh: %s\n' "$*" >&2; }

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

install_postgres() {
  log "installing postgresql (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q postgresql >&2; then
    apt-get update -q >&2
    apt-get install -y -q postgresql >&2
  fi
}

# Runs a PostgreSQL tool as the postgres user when we are root (initdb refuses root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  local port
  for port in $(seq 54320 54420); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  log "no free port in 54320-54420"
  return 1
}

start() {
  local bin dir port
  bin="$(pg_bin)"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    install_postgres
    bin="$(pg_bin)"
  fi
  dir="$(mktemp -d /tmp/efa-pg.XXXXXX)"
  chmod 755 "$dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir"
  fi
  port="$(free_port)"
  log "starting $(basename "$(dirname "$bin")") on 127.0.0.1:$port in $dir"
  as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300" start >&2 \
    || { cat "$dir/server.log" >&2; return 1; }
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres efa
  echo "export EFA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/efa"
  echo "export EFA_PG_DIR=$dir"
}

stop() {
  local dir="${1:-${EFA_PG_DIR:-}}" bin
  if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
    log "nothing to stop"
    return 0
  fi
  bin="$(pg_bin)"
  as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  rm -rf "$dir"
  log "stopped and removed $dir"
}

case "${1:-start}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) log "usage: $0 start | stop DIR"; exit 2 ;;
esac
