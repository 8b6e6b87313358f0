// Per-call overhead of the Node binding (DESIGN.md section 15: a Node call of setImage on a
// typical 2 KB manifest adds at most 3 us to the Rust call).
//
// Times `setImage` from Node and `relman::set_image` from Rust (the example
// `benches/examples/set_image_timing.rs`, release build) on the same text (`deployment-2k.yaml`
// beside this script) and the same edit, alternating the two a few times and keeping the best
// round of each, so that a loaded machine disturbs both alike: the method of
// `python_overhead.py`. Build the addon first (`make node-test` does), then:
//
//     node benches/compare/node_overhead.mjs [--rounds N] [--manifest FILE]
//
// It prints both timings and their difference. A machine shared with other work makes
// timings swing by more than the few microseconds measured, so when valgrind is installed it
// also counts instructions with callgrind (deterministic: N calls minus 0 calls, on each side;
// Node with `--smc-check=all-non-file` for its JIT) and converts the difference into time at
// the Rust call's measured nanoseconds per instruction, as `python_overhead.py` does. It exits 1
// when the overhead (the instruction-based one when there is one) exceeds the target.

import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(HERE, '../..')
const relman = createRequire(import.meta.url)(path.join(ROOT, 'bindings-node'))
const [WORKLOAD, CONTAINER, IMAGE] = ['prod:deployment/users', 'app', 'registry.acme.io/shop/users:1.4.0']
const TARGET_US = 3

/** The Rust example's best mean, in ns per call. */
function rustNs(manifest) {
  const out = execFileSync(
    'cargo',
    ['run', '--quiet', '--profile', 'profiling', '-p', 'relman-benches', '--example', 'set_image_timing', '--', manifest],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  )
  return JSON.parse(out.trim().split('\n').pop()).ns_per_call
}

/** The best mean of 7 rounds of about 0.2 s each, in ns per call (as the Rust example). */
function nodeNs(text) {
  const call = relman.setImage
  if (call(text, WORKLOAD, CONTAINER, IMAGE) === text) throw new Error('the measured call must edit the text')
  let calls = 0
  const started = process.hrtime.bigint()
  while (process.hrtime.bigint() - started < 200_000_000n) {
    call(text, WORKLOAD, CONTAINER, IMAGE)
    calls += 1
  }
  const perRound = Math.max(calls, 100)
  let best = Infinity
  for (let round = 0; round < 7; round++) {
    const t = process.hrtime.bigint()
    for (let i = 0; i < perRound; i++) call(text, WORKLOAD, CONTAINER, IMAGE)
    best = Math.min(best, Number(process.hrtime.bigint() - t) / perRound)
  }
  return best
}

/** Instructions executed by `command` under callgrind. */
function instructions(command, env = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relman-callgrind-'))
  const out = path.join(dir, 'callgrind.out')
  try {
    execFileSync('valgrind', ['--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, ...command], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    })
    const found = /^(?:summary|totals): (\d+)/m.exec(fs.readFileSync(out, 'utf8'))
    if (!found) throw new Error('no instruction total in the callgrind output')
    return Number(found[1])
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

// 200 calls first in both runs, so that V8's compilation of the loop (tier-up) is in both and
// cancels out of the difference.
const NODE_CALLS = `
const relman = require(process.argv[1])
const text = require('node:fs').readFileSync(process.argv[2], 'utf8')
const call = () => relman.setImage(text, ${JSON.stringify(WORKLOAD)}, ${JSON.stringify(CONTAINER)}, ${JSON.stringify(IMAGE)})
for (let i = 0; i < 200 + Number(process.argv[3]); i++) call()
`

/** Instructions per call of setImage from Rust and from Node (N calls minus 0 calls). */
function perCallInstructions(manifest, calls) {
  const example = path.join(ROOT, 'target', 'profiling', 'examples', 'set_image_timing')
  const rust = [0, calls].map((n) => instructions([example, manifest], { RELMAN_CALLS: String(n) }))
  const addon = path.join(ROOT, 'bindings-node')
  const node = [0, calls].map((n) => instructions([process.execPath, '-e', NODE_CALLS, addon, manifest, String(n)]))
  return [(rust[1] - rust[0]) / calls, (node[1] - node[0]) / calls]
}

function hasValgrind() {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    manifest: { type: 'string', default: path.join(HERE, 'deployment-2k.yaml') },
    calls: { type: 'string', default: '1000' },
    'no-callgrind': { type: 'boolean', default: false },
  },
})
const manifest = path.resolve(values.manifest)
const text = fs.readFileSync(manifest, 'utf8')
let rust = Infinity
let node = Infinity
for (let i = 0; i < Number(values.rounds); i++) {
  rust = Math.min(rust, rustNs(manifest))
  node = Math.min(node, nodeNs(text))
}
const overheadUs = (node - rust) / 1000
console.log(`manifest: ${path.basename(manifest)}, ${Buffer.byteLength(text)} bytes; Node ${process.version}`)
console.log(`setImage from Rust: ${(rust / 1000).toFixed(2).padStart(8)} us per call`)
console.log(`setImage from Node: ${(node / 1000).toFixed(2).padStart(8)} us per call`)
console.log(`overhead:           ${overheadUs.toFixed(2).padStart(8)} us per call (target <= ${TARGET_US} us)`)
if (values['no-callgrind'] || !hasValgrind()) {
  process.exitCode = overheadUs <= TARGET_US ? 0 : 1
} else {
  const calls = Number(values.calls)
  const [rustI, nodeI] = perCallInstructions(manifest, calls)
  const nsPerInstruction = rust / rustI
  const estimateUs = ((nodeI - rustI) * nsPerInstruction) / 1000
  const fmt = (n) => Math.round(n).toLocaleString('en-US')
  console.log(
    `instructions per call (callgrind, ${calls} calls): Rust ${fmt(rustI)}, Node ${fmt(nodeI)}, ` +
      `difference ${fmt(nodeI - rustI)} (${((100 * (nodeI - rustI)) / rustI).toFixed(1)}%)`,
  )
  console.log(
    `overhead from instructions: ${estimateUs.toFixed(2)} us per call at the Rust call's ${nsPerInstruction.toFixed(3)} ns per instruction`,
  )
  process.exitCode = estimateUs <= TARGET_US ? 0 : 1
}
