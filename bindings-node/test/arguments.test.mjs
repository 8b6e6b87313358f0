// tests/fixtures/arguments/cases.json: the argument rules every surface shares (services as text
// or a list, times as RFC 3339 text or a Date, history as commit messages, one-line names),
// through the public functions. The Rust runner (core/tests/arguments.rs) and the Python runner
// read the same cases: each outcome must be the one the case expects.

import assert from 'node:assert/strict'
import path from 'node:path'
import test from 'node:test'

import { Catalog, Snapshot, planAutomation, planRelease } from 'relman'

import { FIXTURES, camel, outcome, readJson, runAll } from './support.mjs'

const doc = readJson(path.join(FIXTURES, 'arguments/cases.json'))
const snapshot = Snapshot.fromFiles(doc.files)
const catalog = new Catalog()
for (const [repository, tags] of Object.entries(doc.catalog)) {
  for (const tag of tags) catalog.add(repository, tag)
}

/** A fixture argument as JavaScript gives it: `{"$millis": N}` is a `Date`. */
function argument(value) {
  return value !== null && typeof value === 'object' && '$millis' in value ? new Date(value.$millis) : value
}

function run(c) {
  const args = Object.fromEntries(Object.entries(c.args).map(([k, v]) => [camel(k), argument(v)]))
  const options = { now: doc.now, ...args, catalog }
  switch (c.call) {
    case 'plan_release': {
      const plan = planRelease(snapshot, options)
      return { statuses: Object.fromEntries(plan.results.map((r) => [r.workload, r.status])) }
    }
    case 'plan_automation':
      return { plans: planAutomation(snapshot, options).length }
    default:
      throw new Error(`unknown call ${c.call}`)
  }
}

test('argument cases give the expected outcome', (t) => {
  assert.ok(doc.cases.length >= 20, 'the arguments fixture lost its cases')
  runAll(t, assert, doc.cases, 'argument cases', (c) => {
    const got = outcome(() => run(c))
    const result = got.error ? { error: got.error.code } : got.ok
    try {
      assert.deepStrictEqual(result, c.expect)
    } catch {
      return `${c.name}: expected ${JSON.stringify(c.expect)}, got ${JSON.stringify(result)}`
    }
  })
})
