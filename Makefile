# relman: the commands the README gives. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
CARGO ?= cargo
# The real-world corpus for the opt-in corpus test; used when the folder exists.
RELMAN_CORPUS ?= $(abspath ../shared/corpus)

.PHONY: test fmt-check clippy cargo-test corpus demo fmt bench

test: fmt-check clippy cargo-test corpus

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

# Unit, integration (golden fixtures) and doc tests of every crate.
cargo-test:
	$(CARGO) test --workspace --all-features

# The corpus test runs in release mode: 1,353 files, each edited and checked by two oracles.
corpus:
	@if [ -d "$(RELMAN_CORPUS)" ]; then \
		RELMAN_CORPUS="$(RELMAN_CORPUS)" $(CARGO) test --release -p relman --test main corpus -- --nocapture; \
	else \
		echo "corpus test skipped: $(RELMAN_CORPUS) not found (set RELMAN_CORPUS to run it)"; \
	fi

fmt:
	$(CARGO) fmt --all

# Criterion benchmarks (DESIGN.md section 15); results in target/criterion.
bench:
	$(CARGO) bench -p relman-benches

demo:
	@echo "make demo: not yet - the demo lands with the examples issue; see README.md for what works today"
