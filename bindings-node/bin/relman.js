#!/usr/bin/env node
// The `relman` command of the npm package: the Rust command linked into the addon (its
// `main`), the same code as `cargo install --path cli` and the Python wheel's `relman`.
'use strict'
const { main } = require('../index.js')

process.exitCode = main(['relman', ...process.argv.slice(2)])
