# relman: the commands the README gives. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
CARGO ?= cargo
# The real-world corpus for the opt-in corpus test; used when the folder exists.
RELMAN_CORPUS ?= $(abspath ../shared/corpus)

.PHONY: cli-install-test status-page-test test check fmt-check clippy unit-test cargo-test default-features docs fuzz-build corpus demo fmt bench fuzz node-test node-build python-test python-venv python-wheel e2e-test bench-registry

test: fmt-check clippy cargo-test default-features docs fuzz-build corpus node-test python-test e2e-test cli-install-test status-page-test

# The fast loop while editing (a minute once warm): formatting, clippy, core's unit tests.
check: fmt-check clippy unit-test

unit-test:
	$(CARGO) test -p relman --all-features --lib

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

# Unit, integration (golden fixtures) and doc tests of every crate.
cargo-test:
	$(CARGO) test --workspace --all-features

# Core with its default features only (no `fs`, no `git`): it builds, and its tests pass.
default-features:
	$(CARGO) test -p relman

# The API docs build without a warning (broken intra-doc links, bare URLs...).
docs:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps -p relman --all-features

# The fuzz targets (fuzz/, its own workspace) still compile against core; type-checked only, in
# a target dir of their own under target/, with stable cargo (no cargo-fuzz, no nightly).
fuzz-build:
	$(CARGO) check --manifest-path fuzz/Cargo.toml --bins --target-dir target/fuzz-check

# The corpus test runs in release mode: 1,353 files, each edited and checked by two oracles.
corpus:
	@if [ -d "$(RELMAN_CORPUS)" ]; then \
		RELMAN_CORPUS="$(RELMAN_CORPUS)" $(CARGO) test --release -p relman --test main corpus -- --nocapture; \
	else \
		echo "corpus test skipped: $(RELMAN_CORPUS) not found (set RELMAN_CORPUS to run it)"; \
	fi

fmt:
	$(CARGO) fmt --all

# The `relman` command as `cargo install --path cli` installs it (into target/cli-install, with
# the workspace's target dir so that nothing builds twice), then `--version` and a real command
# on a throwaway config folder. The size of the binary is the README's.
CLI_ROOT := target/cli-install
cli-install-test:
	$(CARGO) install --quiet --locked --path cli --root $(CLI_ROOT) --target-dir target
	$(CLI_ROOT)/bin/relman --version | grep -qx "relman $$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && mkdir -p "$$tmp/staging" && \
		printf 'environments:\n  staging: {path: staging}\n' >"$$tmp/relman.yaml" && \
		printf 'kind: Deployment\nmetadata: {name: users}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: app, image: acme/users:1.3.0}\n' >"$$tmp/staging/users.yaml" && \
		$(CLI_ROOT)/bin/relman --repo "$$tmp" release --image acme/users:1.4.0 >/dev/null && \
		$(CLI_ROOT)/bin/relman --repo "$$tmp" list | grep -q 'staging  default:deployment/users  app        acme/users:1.4.0' && \
		echo "cargo install: $$(du -k $(CLI_ROOT)/bin/relman | cut -f1) KiB relman binary, release and list ran"

# The status page in headless Chromium (Debian's, installed with apt-get when missing): the
# demo's page, its DOM and a screenshot (cli/tests/browser/).
status-page-test: python-wheel
	cli/tests/browser/status_page.sh $(PY_BIN)/python

# Criterion benchmarks (DESIGN.md section 15; results in target/criterion), then the side-by-side
# comparison with PyYAML, ruamel.yaml and npm `yaml` (benches/compare/), which rewrites
# benches/RESULTS.md, and the per-call overhead of both bindings.
BENCH_DIR := benches/compare

$(BENCH_DIR)/node_modules/.package-lock.json: $(BENCH_DIR)/package.json $(BENCH_DIR)/package-lock.json
	cd $(BENCH_DIR) && npm ci --no-audit --no-fund
	@touch $@

bindings-python/.venv/.bench-complete: $(BENCH_DIR)/requirements.txt bindings-python/.venv/.complete
	$(PY_BIN)/python -m pip install --quiet --disable-pip-version-check -r $(BENCH_DIR)/requirements.txt
	@touch $@

bench: python-wheel node-build $(BENCH_DIR)/node_modules/.package-lock.json bindings-python/.venv/.bench-complete
	$(CARGO) bench -p relman-benches
	$(PY_BIN)/python $(BENCH_DIR)/compare.py --write-results
	$(PY_BIN)/python $(BENCH_DIR)/python_overhead.py || true
	node $(BENCH_DIR)/node_overhead.mjs || true

# The registry benchmark (not part of `test`; DESIGN.md section 15): 100 repositories x 200 tags
# on a local docker-registry, cold and warm, requests counted (figures in benches/RESULTS.md).
bench-registry: python-wheel
	examples/e2e/install_tools.sh
	$(PY_BIN)/python benches/registry/bench_registry.py

# Fuzzing (not part of `test`): every cargo-fuzz target of fuzz/ for FUZZ_SECONDS each, one
# after another, on stable Rust without sanitizers (fuzz/README.md). Needs cargo-fuzz.
FUZZ_SECONDS ?= 600
fuzz:
	fuzz/run.sh $(FUZZ_SECONDS)

# The guided tour (examples/demo.py) on a throwaway config repo, run by the project venv's
# Python with the binding that python-wheel builds and installs there (PY_BIN is set below).
demo: python-wheel
	@$(PY_BIN)/python examples/demo.py

# Node binding (bindings-node/): install the dev dependencies when package-lock.json changed,
# build the addon, check that the generated index.js and index.d.ts are the committed ones,
# then run the node:test suites and type-check test/usage.ts against index.d.ts.
NODE_DIR := bindings-node
NODE_GENERATED := index.js index.d.ts

$(NODE_DIR)/node_modules/.package-lock.json: $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && npm ci --no-audit --no-fund
	@touch $@

# The addon is linked by zig for glibc 2.17 (manylinux2014, as the wheel): bindings-node/zig-linker.sh
# with the ziglang and maturin of the project venv.
node-build: $(NODE_DIR)/node_modules/.package-lock.json python-venv
	@mkdir -p target/node-generated
	@cd $(NODE_DIR) && for f in $(NODE_GENERATED); do \
		if [ -f $$f ]; then cp $$f ../target/node-generated/$$f; else rm -f ../target/node-generated/$$f; fi; \
	done
	cd $(NODE_DIR) && RELMAN_VENV=$(abspath $(PY_BIN)) CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER=$(abspath $(NODE_DIR)/zig-linker.sh) npm run --silent build
	@cd $(NODE_DIR) && for f in $(NODE_GENERATED); do \
		if ! cmp -s $$f ../target/node-generated/$$f; then \
			diff -u ../target/node-generated/$$f $$f | head -40; \
			echo "$(NODE_DIR)/$$f was stale: it is regenerated now; commit it"; exit 1; \
		fi; \
	done

node-test: node-build
	cd $(NODE_DIR) && node --test test/*.test.mjs
	cd $(NODE_DIR) && npx tsc --noEmit -p test/tsconfig.json

# Python binding (bindings-python/): a project-local virtualenv (made once, remade when
# requirements-dev.txt changes) with maturin, pytest and mypy from PyPI; the wheel built by
# maturin in cargo's target dir and installed there; then pytest, mypy.stubtest (the stub
# against the module) and mypy --strict on the tests (the stub against real use).
PYTHON ?= python3
PY_DIR := bindings-python
PY_BIN := $(PY_DIR)/.venv/bin
PY_WHEELS := target/python-wheels

$(PY_DIR)/.venv/.complete: $(PY_DIR)/requirements-dev.txt
	rm -rf $(PY_DIR)/.venv
	$(PYTHON) -m venv $(PY_DIR)/.venv
	$(PY_BIN)/python -m pip install --quiet --disable-pip-version-check -r $(PY_DIR)/requirements-dev.txt
	@touch $@

python-venv: $(PY_DIR)/.venv/.complete

python-wheel: python-venv
	@rm -f $(PY_WHEELS)/relman-*.whl
	PATH="$(abspath $(PY_BIN)):$$PATH" $(PY_BIN)/maturin build --release --zig --compatibility manylinux2014 --manifest-path $(PY_DIR)/Cargo.toml --out $(PY_WHEELS)
	$(PY_BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall $(PY_WHEELS)/relman-*.whl

python-test: python-wheel
	cd $(PY_DIR) && .venv/bin/python -m pytest
	cd $(PY_DIR) && .venv/bin/python -m mypy.stubtest relman
	cd $(PY_DIR) && .venv/bin/python -m mypy --strict tests

# End to end (examples/e2e/): the registry client of both bindings and the release bot against a
# real registry (Debian's docker-registry on 127.0.0.1, images pushed with skopeo; Basic auth
# with htpasswd, token auth with a token server the test starts) and a bare git remote, the
# demo, and the Node build step on temporary repos. install_tools.sh installs docker-registry,
# skopeo, apache2-utils and openssl with apt-get (as root, or with sudo) only when missing.
e2e-test: python-wheel node-build
	examples/e2e/install_tools.sh
	$(PY_BIN)/python -m pytest -p no:cacheprovider -o tmp_path_retention_policy=failed examples/e2e
	node --test examples/e2e/*.test.mjs
