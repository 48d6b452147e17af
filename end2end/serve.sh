#!/usr/bin/env bash
# Starts the release `longbox` on a fresh demo library and data dir for the Playwright suite.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${E2E_ROOT:-target/e2e}
rm -rf "$root"
mkdir -p "$root/data"
./target/release/longbox demo-library "$root/library" >/dev/null
cp "$root/library/Saga/Saga #004 (2012).cbz" "$root/sample.cbz"  # for tests that add comics
exec ./target/release/longbox --library "$root/library" --data-dir "$root/data" \
  --addr "${E2E_ADDR:-127.0.0.1:3100}" --no-auth
