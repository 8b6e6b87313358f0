// The golden relman.yaml fixtures of tests/fixtures/config/ (format: the README.md there):
// parsing cases and lock edits, with the invariants of core/tests/config.rs.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import test from 'node:test'

import { Config, lockEnvironment, unlockEnvironment } from 'relman'

import { FIXTURES, camelKeys, changedLinesRust, childDirs, crlf, outcome, read, readJson, runAll, show, subset } from './support.mjs'

const PARSE = path.join(FIXTURES, 'config/parse')
const LOCK = path.join(FIXTURES, 'config/lock')

/** The case folders directly under `dir`; every one must hold a `case.json`. */
function cases(dir) {
  const dirs = childDirs(dir)
  assert.ok(dirs.length > 0, `no fixture case under ${dir}`)
  for (const d of dirs) assert.ok(fs.existsSync(path.join(d, 'case.json')), `${d} has no case.json`)
  return dirs
}

function caseJson(dir) {
  const c = readJson(path.join(dir, 'case.json'))
  if (typeof c.description !== 'string' || c.description === '') throw new Error('case.json has no description')
  return c
}

const twin = (c, input) => (c.crlf_twin ?? true) && !input.includes('\r')

/** The expected error of a case against an outcome: code, then line and column when given. */
function checkError(want, got) {
  if (!got.error) return `expected error ${want.code}, got ${show(got)}`
  if (got.error.code !== want.code) return `expected error ${want.code}, got ${got.error.message}`
  for (const key of ['line', 'column']) {
    if (want[key] !== undefined && got.error[key] !== want[key]) return `expected ${key} ${want[key]}, got ${got.error.message}`
  }
}

/** A parse outcome, comparable across the LF and CRLF forms: the config as a plain object, or the error. */
function parse(text) {
  return outcome(() => Config.parse(text).toJSON())
}

function checkParse(dir) {
  const c = caseJson(dir)
  const text = read(path.join(dir, 'relman.yaml'))
  const got = parse(text)
  const { config, error } = c.expect ?? {}
  if (config !== undefined && error === undefined) {
    if (got.error) return `expected a config, got ${show(got)}`
    const want = camelKeys(config)
    if (!subset(want, got.ok)) return `config differs\n--- expected (subset)\n${show(want)}\n--- got\n${show(got.ok)}`
  } else if (error !== undefined && config === undefined) {
    const e = checkError(error, got)
    if (e) return e
    if (got.error.path !== 'relman.yaml') return `error path ${got.error.path}, expected relman.yaml`
  } else {
    return 'expect needs exactly one of config, error'
  }
  if (twin(c, text)) {
    try {
      assert.deepStrictEqual(parse(crlf(text)), parse(text))
    } catch {
      return `CRLF twin differs: ${show(parse(crlf(text)))}`
    }
  }
}

/** The lock operation of a case. */
function lockOp(c) {
  if (typeof c.environment !== 'string') throw new Error('case.json has no environment')
  if (c.op === 'lock') {
    const lock = { reason: c.lock.reason, by: c.lock.by }
    if (c.lock.until != null) lock.until = c.lock.until
    return { run: (text) => outcome(() => lockEnvironment(text, c.environment, lock)), lock }
  }
  if (c.op === 'unlock') return { run: (text) => outcome(() => unlockEnvironment(text, c.environment)), lock: null }
  throw new Error(`unknown op ${c.op}`)
}

/** The edited text reads back with the requested lock (or none). */
function checkResult(c, op, text) {
  const o = outcome(() => Config.parse(text).environment(c.environment))
  if (o.error) return `the result does not parse: ${o.error.message}`
  const want = op.lock === null ? null : { reason: op.lock.reason, by: op.lock.by, until: normalisedUntil(op.lock.until) }
  try {
    assert.deepStrictEqual(o.ok.lock, want)
  } catch {
    return `the result reads back with lock ${show(o.ok.lock)}, expected ${show(want)}`
  }
}

/** An RFC 3339 time as core displays it (UTC, `Z`): compare through `Date` at second precision. */
function normalisedUntil(until) {
  if (until === undefined) return null
  return new Date(until).toISOString().replace(/\.000Z$/, 'Z')
}

function checkLock(dir) {
  const c = caseJson(dir)
  const input = read(path.join(dir, 'input.yaml'))
  const op = lockOp(c)
  const got = op.run(input)
  const expect = c.expect ?? {}
  if (expect.error !== undefined) {
    const e = checkError(expect.error, got)
    if (e) return e
    if (twin(c, input)) {
      const t = checkError(expect.error, op.run(crlf(input)))
      if (t) return `CRLF twin: ${t}`
    }
    return
  }
  if (typeof expect.changed_lines !== 'number') return 'expect needs changed_lines or error'
  const expected = read(path.join(dir, 'expected.yaml'))
  if (got.error) return `expected an edit, got ${show(got)}`
  if (got.ok !== expected) return `bytes differ\n--- expected\n${JSON.stringify(expected)}\n--- got\n${JSON.stringify(got.ok)}`
  const have = changedLinesRust(input, expected)
  if (have !== expect.changed_lines) return `case says ${expect.changed_lines} changed lines, input and expected differ in ${have}`
  const r = checkResult(c, op, got.ok)
  if (r) return r
  const again = op.run(expected)
  if (again.ok !== expected) return `not idempotent: a second run gave ${show(again)}`
  if (twin(c, input)) {
    const t = op.run(crlf(input))
    if (t.ok !== crlf(expected)) return `CRLF twin differs: ${show(t)}`
  }
}

test('config parse fixtures', (t) => {
  runAll(t, assert, cases(PARSE), 'config parse cases', checkParse)
})

test('config lock fixtures', (t) => {
  runAll(t, assert, cases(LOCK), 'config lock cases', checkLock)
})

test('changed lines count the LCS', () => {
  assert.equal(changedLinesRust('a\nb\nc\n', 'a\nb\nc\n'), 0)
  assert.equal(changedLinesRust('a\nb\nc\n', 'a\nx\nc\n'), 1)
  assert.equal(changedLinesRust('a\nc\n', 'a\nb1\nb2\nc\n'), 2)
})
