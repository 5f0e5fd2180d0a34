#!/usr/bin/env bash
# The service's tests against a real PostgreSQL (and SQLite): starts a
# throwaway cluster (scripts/postgres.sh), runs `cargo test -p efa-cli` with
# EFA_TEST_POSTGRES_URL set, and stops the cluster whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(scripts/postgres.sh start)"
trap 'scripts/postgres.sh stop "$EFA_PG_DIR"' EXIT
EFA_TEST_POSTGRES_URL="$EFA_TEST_POSTGRES_URL" cargo test -p efa-cli "$@"
