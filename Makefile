# The commands of the README: `make run`, `make test` and `make dev`. Each installs what is missing
# first.
SHELL := bash
.ONESHELL:
.SHELLFLAGS := -euo pipefail -c
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# A CI checkout is built once: incremental artefacts would only cost time and disk.
ifdef CI
export CARGO_INCREMENTAL := 0
endif

LIBRARY ?=
DATA_DIR ?=
ADDR ?= 127.0.0.1:3000

.PHONY: run dev test setup build lint unit node-test e2e demo-library bundle-size bench-ui

## Set up and serve Longbox at http://$(ADDR) (the demo library unless LIBRARY=/path).
run: setup build
	lib="$(LIBRARY)"; data="$(DATA_DIR)"; auth=""
	if [ -z "$$lib" ]; then
	  # The demo runs without accounts (allowed on loopback only; the page says so).
	  lib=target/demo-library; data=$${data:-target/demo-data}; auth=--no-auth
	  ./target/release/longbox demo-library "$$lib"
	fi
	exec ./target/release/longbox --library "$$lib" $${data:+--data-dir "$$data"} --addr "$(ADDR)" $$auth

## Development: `cargo leptos watch --split` serves http://$(ADDR), rebuilds the server and the
## WASM on every change and reloads the page (the demo library with --no-auth unless
## LIBRARY=/path). `--split` is a command-line flag only in cargo-leptos 0.3.10 (no metadata
## key): without it the lazy chunks are missing and pages do not hydrate. DEV_FLAGS=--release
## reuses `make build`'s artefacts (the dev-server test does).
DEV_FLAGS ?=
dev: setup
	lib="$(LIBRARY)"; data="$(DATA_DIR)"; auth=""
	if [ -z "$$lib" ]; then
	  lib=target/demo-library; data=$${data:-target/demo-data}; auth=--no-auth
	  if [ ! -d "$$lib" ]; then
	    # Any longbox binary writes the demo; `cargo run` builds one only if there is none.
	    exe=$$(ls target/release/longbox target/debug/longbox 2>/dev/null | head -n 1 || true)
	    if [ -n "$$exe" ]; then "$$exe" demo-library "$$lib"; else cargo run -q -p server -- demo-library "$$lib"; fi
	  fi
	fi
	# cargo-leptos waits for the server on its site address before it serves reloads.
	export LEPTOS_SITE_ADDR="$(ADDR)"
	exec cargo leptos watch --split $(DEV_FLAGS) -- --library "$$lib" $${data:+--data-dir "$$data"} --addr "$(ADDR)" $$auth

## Set up and run every test: format, lints, cargo tests, Playwright against a release build.
test: setup lint unit node-test build e2e

setup:
	./scripts/setup.sh

build:
	cargo leptos build --release --split

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

unit:
	cargo test --all-targets

## The event stream through a real EventSource client (npm `eventsource`) and a relay that cuts.
node-test:
	# `cargo test --no-run` builds target/debug/longbox with the features `make unit` already
	# built it with, so nothing is compiled twice.
	cargo test -p server --no-run
	node --test end2end/node/

e2e:
	npx playwright test -c end2end/playwright.config.ts

## gzip -9 size of each file of the browser bundle, and what the main page downloads (run after
## `make build`; figures in docs/performance.md).
bundle-size:
	cd target/site/pkg
	for f in *.wasm *.js; do printf '%9d  %s\n' "$$(gzip -9 -c "$$f" | wc -c)" "$$f"; done
	total=0
	for f in longbox.wasm longbox.js __wasm_split.*.js; do total=$$((total + $$(gzip -9 -c "$$f" | wc -c))); done
	echo "main page (/): $$total bytes gzipped (target: 200 KB)"

## Browser benchmarks against a release build (after `make build`): they print figures for
## docs/performance.md and assert nothing about time.
bench-ui:
	npx playwright test -c end2end/bench.config.ts
