#!/usr/bin/env bash
# The whole test suite, as CI runs it: engine and CLI (native), the engine's
# WebAssembly build, the service against SQLite and PostgreSQL, the widget in
# headless Chromium. Installs what is missing; quick when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "toolchain"
rustup component add clippy rustfmt >/dev/null 2>&1 || true
rustup target add wasm32-unknown-unknown >/dev/null

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

step "engine builds for wasm32 without wasm-bindgen"
cargo build -p efa-engine --target wasm32-unknown-unknown
if cargo tree -p efa-engine --target wasm32-unknown-unknown -e normal | grep -Eq 'wasm-bindgen|web-sys'; then
  echo "efa-engine must not depend on wasm-bindgen or web-sys" >&2
  exit 1
fi

step "the browser widget holds no compiler"
if cargo tree -p efa-wasm --target wasm32-unknown-unknown -e normal | grep -q 'efa-wasm-compiler'; then
  echo "efa-wasm must not depend on efa-wasm-compiler without the server feature" >&2
  exit 1
fi

step "native tests (engine, CLI, service on SQLite)"
cargo test --workspace

step "forms lint clean"
cargo run -q -p efa-cli -- lint forms/

step "service against PostgreSQL"
scripts/test-serve.sh

step "widget: wasm tests, conformance in WebAssembly, size, end-to-end in Chromium"
scripts/test-widget.sh

step "all tests passed"
