#!/usr/bin/env bash
# Installs what Longbox needs to build, run and test, skipping whatever is already right.
# Idempotent: safe to run before every `make run` / `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
apt_get() { if [ "$(id -u)" = 0 ]; then apt-get "$@"; else sudo apt-get "$@"; fi; }

# 1. Rust's wasm32 target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. cargo-leptos, without its downloader (this machine reaches crates.io and npm only).
if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 12 minutes on 2 cores)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

# 3. wasm-bindgen-cli equal to the lockfile's wasm-bindgen.
want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
  say "installing wasm-bindgen-cli $want"
  cargo install wasm-bindgen-cli --version "$want" --force
fi

# 4. npm packages: binaryen (wasm-opt for release builds), @playwright/test and
#    @axe-core/playwright (the accessibility checks).
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/@playwright/test ] \
   || [ ! -d node_modules/@axe-core/playwright ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund
fi

# 5. Debian's Chromium for the Playwright suite (never Playwright's own download).
if ! command -v chromium >/dev/null 2>&1; then
  say "installing Debian's chromium"
  apt_get update -qq
  DEBIAN_FRONTEND=noninteractive apt_get install -y -qq chromium
fi

# 6. xmllint, which checks the ComicInfo.xml Longbox writes against the schema (cargo test).
if ! command -v xmllint >/dev/null 2>&1; then
  say "installing libxml2-utils (xmllint)"
  apt_get update -qq
  DEBIAN_FRONTEND=noninteractive apt_get install -y -qq libxml2-utils
fi
# 7. nginx, which server/tests/nginx_proxy.rs runs as a child process on a free port. Only the
#    binary is wanted: a policy-rc.d answering 101 keeps the package from starting its service.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  say "installing Debian's nginx (its system service is not started)"
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  policy=/usr/sbin/policy-rc.d
  apt_get update -qq
  if [ -e "$policy" ]; then
    DEBIAN_FRONTEND=noninteractive apt_get install -y -qq nginx
  else
    as_root sh -c "printf '#!/bin/sh\\nexit 101\\n' > $policy && chmod +x $policy"
    trap 'as_root rm -f "$policy"' EXIT
    DEBIAN_FRONTEND=noninteractive apt_get install -y -qq nginx
    as_root rm -f "$policy"
    trap - EXIT
  fi
fi
say "toolchain ready"
