#!/bin/sh
# The linker of the Node addon (`make node-build`): zig, targeting glibc 2.17 (manylinux2014),
# the same toolchain and wrapper as the Python wheel's `maturin build --zig`: maturin's
# `zig cc` (cargo-zigbuild's argument handling) running the `ziglang` package of the project
# venv. RELMAN_VENV is that venv's bin folder (set by the Makefile).
: "${RELMAN_VENV:?RELMAN_VENV must name the project venv's bin folder}"
export CARGO_ZIGBUILD_ZIG_COMMAND="$RELMAN_VENV/python"
export CARGO_ZIGBUILD_ZIG_COMMAND_ARGS='-m ziglang'
exec "$RELMAN_VENV/maturin" zig cc -- -g '-fno-sanitize=all' -target x86_64-linux-gnu.2.17 "$@"
