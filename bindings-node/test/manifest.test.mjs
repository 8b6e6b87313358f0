// The golden manifest fixtures of tests/fixtures/manifest/ (format: tests/fixtures/README.md),
// with the invariants of core/tests/fixtures.rs: exact bytes, idempotence, CRLF twin, error
// codes and locations, changed_lines by LCS.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import test from 'node:test'

import { listImages, readPolicy, setImage, updatePolicy } from 'relman'

import {
  FIXTURES,
  camelKeys,
  caseDirs,
  changedLinesInclusive,
  childDirs,
  crlf,
  outcome,
  read,
  readJson,
  runAll,
  show,
  subset,
} from './support.mjs'

const ROOT = path.join(FIXTURES, 'manifest')

function run(op, args, input) {
  const options = args.default_namespace === undefined ? {} : { defaultNamespace: args.default_namespace }
  return outcome(() => {
    switch (op) {
      case 'set_image':
        return setImage(input, args.workload, args.container, args.image, options)
      case 'update_policy':
        return updatePolicy(input, args.workload, { add: args.add ?? {}, remove: args.remove ?? [], ...options })
      case 'list_images':
        return listImages(input, options)
      case 'read_policy':
        return readPolicy(input, args.workload, options)
      default:
        throw new Error(`unknown op ${op}`)
    }
  })
}

function checkCase(dir) {
  const c = readJson(path.join(dir, 'case.json'))
  const input = read(path.join(dir, 'input.yaml'))
  const { op, expect } = c
  const args = c.args ?? {}
  if (!op) return 'case.json has no op'
  if (!expect) return 'case.json has no expect'
  const twin = (c.crlf_twin ?? true) && !input.includes('\r')
  const got = run(op, args, input)

  if (expect.error) {
    const want = expect.error
    if (!got.error) return `expected error ${want.code}, got ${show(got)}`
    if (got.error.code !== want.code) return `expected error ${want.code}, got ${show(got.error)}`
    for (const key of ['line', 'column']) {
      if (want[key] !== undefined && got.error[key] !== want[key]) {
        return `error ${want.code}: expected ${key} ${want[key]}, got ${got.error[key]}`
      }
    }
    if (twin) {
      const again = run(op, args, crlf(input))
      if (again.error?.code !== want.code) return `CRLF twin: expected error ${want.code}, got ${show(again)}`
    }
    return
  }
  if (expect.changed_lines !== undefined) {
    const expected = read(path.join(dir, 'expected.yaml'))
    if (typeof got.ok !== 'string') return `expected an edit, got ${show(got)}`
    if (got.ok !== expected) return `bytes differ\n--- expected\n${JSON.stringify(expected)}\n--- got\n${JSON.stringify(got.ok)}`
    const have = changedLinesInclusive(input.replaceAll('\r\n', '\n'), expected.replaceAll('\r\n', '\n'))
    if (have !== expect.changed_lines) {
      return `changed_lines: case says ${expect.changed_lines}, input vs expected differ in ${have}`
    }
    const again = run(op, args, expected)
    if (again.ok !== expected) return `not idempotent: second run gave ${show(again)}`
    if (twin) {
      const t = run(op, args, crlf(input))
      if (t.ok !== crlf(expected)) return `CRLF twin differs: ${show(t)}`
    }
    return
  }
  const keys = Object.keys(expect)
  if (keys.length === 0) return 'empty expect'
  const key = keys[0]
  if (key !== 'slots' && key !== 'policy') return `unknown expectation ${key}`
  if (got.ok === undefined) return `expected ${key}, got ${show(got)}`
  const want = camelKeys(expect[key])
  if (!subset(want, got.ok)) return `${key} differ\n--- expected\n${show(want)}\n--- got\n${show(got.ok)}`
  if (twin) {
    try {
      assert.deepStrictEqual(run(op, args, crlf(input)), got)
    } catch {
      return 'CRLF twin gives a different result'
    }
  }
}

test('manifest fixtures', (t) => {
  runAll(t, assert, caseDirs(ROOT), 'manifest fixture cases', checkCase)
})

test('every manifest fixture group has cases', () => {
  const groups = childDirs(ROOT)
  assert.ok(groups.length > 0, `no fixture group under ${ROOT}`)
  for (const g of groups) assert.ok(caseDirs(g).length > 0, `fixture group ${g} yields no case`)
})

test('every manifest case folder has its files', () => {
  for (const dir of caseDirs(ROOT)) {
    assert.ok(fs.existsSync(path.join(dir, 'input.yaml')), `${dir} has no input.yaml`)
  }
})
