#!/usr/bin/env bash
# The main job: builds the widget (installing the WebAssembly tools if
# missing) and starts `efa serve` on the embedded SQLite store (efa.db).
# Extra arguments go to `efa serve`, e.g. --addr 127.0.0.1:9000.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build-widget.sh
exec cargo run --release -p efa-cli -- serve "$@"
