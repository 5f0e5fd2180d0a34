#!/usr/bin/env bash
# Builds the <efa-form> widget into bindings/pkg/, a folder a portal can
# serve as it is:
#   efa-form.js        module entry: defines <efa-form>
#   efa_wasm.js        wasm-bindgen glue (also usable on its own, and in Node)
#   efa_wasm_bg.wasm   engine + renderer: loads compiled form images, no compiler
#   efa_wasm.d.ts      TypeScript types of the script API
#   efa_compiler.js    the compiler module (and _bg.wasm, .d.ts): fetched by
#                      the element only when a page names a JSON definition
#   efa-form.css       styles (design tokens documented at the top)
# and into bindings/pkg-node/ the Node build (wasm-bindgen --target nodejs,
# with the conformance harness) used by tests/wasm-runner and examples/node.
# Installs missing tools first; quick when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
PKG=bindings/pkg
NODE_PKG=bindings/pkg-node
NODE_WASM=target/wasm32-unknown-unknown/wasm-release/efa_wasm.wasm
# The widget has its own target folder: it is built with a different
# standard library (below), which would otherwise evict the Node build's.
WIDGET_TARGET=target/widget
WIDGET_WASM=$WIDGET_TARGET/wasm32-unknown-unknown/wasm-release/efa_wasm.wasm
COMPILER_WASM=$WIDGET_TARGET/wasm32-unknown-unknown/wasm-release/efa_wasm_compiler.wasm

step() { printf '\n== %s\n' "$*"; }

step "tools"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
if ! rustup component list --installed | grep -qx 'rust-src'; then
  rustup component add rust-src
fi
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  # --locked fails on this registry mirror; the version pin is what matters.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
if [ ! -x bindings/node_modules/.bin/wasm-opt ] || [ ! -x bindings/node_modules/.bin/esbuild ]; then
  (cd bindings && npm ci --no-audit --no-fund)
fi

# The widget: opt-level z and wasm-opt -Oz, about 6 % smaller than s; every
# kilobyte is download time for citizens on mobile connections, while a
# keystroke costs microseconds either way. The Node build is for servers:
# opt-level 3 and -O3, about twice as fast (tests/wasm-runner/bench.mjs).
build() {
  local package="$1" level="$2"
  shift 2
  CARGO_PROFILE_WASM_RELEASE_OPT_LEVEL="$level" \
    cargo build -p "$package" --target wasm32-unknown-unknown --profile wasm-release "$@"
}

optimize() {
  local file="$1"
  shift
  bindings/node_modules/.bin/wasm-opt "$@" --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$file" -o "$file"
}

step "cargo build (wasm-release, Node build with the conformance harness)"
build efa-wasm 3 --features conformance
rm -rf "$NODE_PKG"
wasm-bindgen --target nodejs --out-dir "$NODE_PKG" --out-name efa_wasm "$NODE_WASM"
optimize "$NODE_PKG/efa_wasm_bg.wasm" -O3

# The widget's standard library is rebuilt with the profile (opt-level z)
# and with panics as a bare trap: no message formatting, no source
# locations. A panic in the browser aborts the instance either way and its
# message reaches nobody (wasm32-unknown-unknown has no stderr); dropping
# that machinery is ~14 KB gzip (tests/wasm-runner and examples/node keep
# ordinary panics). -Z flags on the pinned stable toolchain need
# RUSTC_BOOTSTRAP; the flags are added to .cargo/config.toml's (the stack
# size), not put in their place as RUSTFLAGS would.
# The compiler module is built the same way: it shares the rebuilt std.
widget_build() {
  RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$WIDGET_TARGET" build "$1" "${EFA_WASM_OPT_LEVEL:-z}" \
    -Zbuild-std=std,panic_abort \
    --config 'target.wasm32-unknown-unknown.rustflags = ["-Zunstable-options", "-Cpanic=immediate-abort", "-Zlocation-detail=none"]'
}
step "cargo build (wasm-release, widget and compiler module: std rebuilt, panic = immediate abort)"
widget_build efa-wasm
widget_build efa-wasm-compiler

step "wasm-bindgen --target web"
rm -rf "$PKG"
mkdir -p "$PKG"
wasm-bindgen --target web --out-dir "$PKG" --out-name efa_wasm "$WIDGET_WASM"
wasm-bindgen --target web --out-dir "$PKG" --out-name efa_compiler "$COMPILER_WASM"

# Restructured control flow (--flatten --rereloop) before -Oz, twice, until
# nothing shrinks: about 2 KB gzip below a plain -Oz. --low-memory-unused:
# Rust puts the stack below its data, so the first kilobyte of memory is only
# reached by a stack that has already overflowed (another ~1.5 KB).
step "wasm-opt --low-memory-unused --flatten --rereloop -Oz -Oz --converge"
optimize "$PKG/efa_wasm_bg.wasm" --low-memory-unused --flatten --rereloop -Oz -Oz --converge
optimize "$PKG/efa_compiler_bg.wasm" -Oz

step "package (JS and CSS minified with esbuild; the sources keep the comments)"
cp bindings/README.md "$PKG/"
# Minified: about 4.5 KB gzip less for every citizen. Export names stay (the
# script API and efa_wasm.d.ts are unchanged); the design tokens are
# documented in bindings/css/efa-form.css and bindings/README.md.
minify() { bindings/node_modules/.bin/esbuild "$1" --minify --log-level=warning --outfile="$2" "${@:3}"; }
minify "$PKG/efa_wasm.js" "$PKG/efa_wasm.min.js" '--banner:js=/* @ts-self-types="./efa_wasm.d.ts" */'
mv "$PKG/efa_wasm.min.js" "$PKG/efa_wasm.js"
minify "$PKG/efa_compiler.js" "$PKG/efa_compiler.min.js" '--banner:js=/* @ts-self-types="./efa_compiler.d.ts" */'
mv "$PKG/efa_compiler.min.js" "$PKG/efa_compiler.js"
minify bindings/js/efa-form.js "$PKG/efa-form.js"
minify bindings/css/efa-form.css "$PKG/efa-form.css"
cat > "$PKG/package.json" <<JSON
{
  "name": "efa-form",
  "version": "$(sed -n 's/^version = "\(.*\)"/\1/p' bindings/Cargo.toml | head -n1)",
  "description": "The efa-forms widget: <efa-form> custom element, and the form engine for browsers and Node.",
  "license": "EUPL-1.2",
  "type": "module",
  "main": "efa_wasm.js",
  "module": "efa-form.js",
  "types": "efa_wasm.d.ts",
  "files": ["efa-form.js", "efa-form.css", "efa_wasm.js", "efa_wasm.d.ts", "efa_wasm_bg.wasm", "efa_wasm_bg.wasm.d.ts",
            "efa_compiler.js", "efa_compiler.d.ts", "efa_compiler_bg.wasm", "efa_compiler_bg.wasm.d.ts", "README.md"],
  "sideEffects": ["efa-form.js"]
}
JSON
rm -f "$PKG/.gitignore"
ls -l "$PKG"
