// The bad-input catalogue of tests/fixtures/invalid/ (format: tests/fixtures/README.md) through
// the Node API, with the checks of core/tests/invalid.rs: the error code, line, column, path and
// a piece of the message when a case gives them; an error returns no text; successful edits keep
// the invariants of the manifest fixtures and read back what was written. Nothing here measures
// time: bounded time is shown by the run finishing at all.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import test from 'node:test'

import { Config, Snapshot, listImages, readPolicy, setImage, updatePolicy } from 'relman'

import {
  FIXTURES,
  MadeTree,
  camelKeys,
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

const ROOT = path.join(FIXTURES, 'invalid')

/** The case's input: `input.yaml`, or the concatenation of the `generate` parts. */
function inputText(dir, c) {
  const file = path.join(dir, 'input.yaml')
  if (c.generate === undefined) return read(file)
  if (fs.existsSync(file)) throw new Error('a case gives input.yaml or generate, not both')
  return c.generate.map((p) => p.text.repeat(p.repeat)).join('')
}

function options(args) {
  const o = {}
  if (args.default_namespace !== undefined) o.defaultNamespace = args.default_namespace
  if (args.path !== undefined) o.path = args.path
  return o
}

/** A snapshot as the `snapshot` expectation of `from_dir` cases: files and links. */
function snapshotValue(snapshot) {
  return { files: snapshot.paths, links: { ...snapshot.links } }
}

/** Run the case's operation: `{ok: value}` or `{error: {code, path, line, column, message}}`. */
function run(op, args, input, dir) {
  const o = options(args)
  return outcome(() => {
    switch (op) {
      case 'set_image':
        return setImage(input, args.workload, args.container, args.image, o)
      case 'update_policy':
        return updatePolicy(input, args.workload, { add: args.add ?? {}, remove: args.remove ?? [], ...o })
      case 'list_images':
        return listImages(input, o)
      case 'read_policy':
        return readPolicy(input, args.workload, o)
      case 'parse_config':
        return Config.parse(input).toJSON()
      case 'from_dir': {
        const make = readJson(path.join(dir, 'case.json')).make
        if (make === undefined) return snapshotValue(Snapshot.fromDir(path.join(dir, 'files')))
        const tree = new MadeTree(path.join(dir, 'files'), make)
        try {
          return snapshotValue(Snapshot.fromDir(tree.root))
        } finally {
          tree.close()
        }
      }
      default:
        throw new Error(`unknown op ${op}`)
    }
  })
}

/** A result for a failure message; a 50 MB text is not printed. */
function brief(o) {
  if (typeof o.ok === 'string' && o.ok.length > 2000) return `text of ${o.ok.length} characters`
  return show(o)
}

/** The expected error against an outcome: code, then line, column, path and message piece when given. */
function checkError(want, got) {
  if (!got.error) return `expected error ${want.code}, got ${brief(got)}`
  if (got.error.code !== want.code) return `expected error ${want.code}, got ${brief(got)}`
  for (const key of ['line', 'column', 'path']) {
    if (want[key] !== undefined && got.error[key] !== want[key]) return `expected ${key} ${want[key]}, got ${brief(got)}`
  }
  if (want.message_contains !== undefined && !got.error.message.includes(want.message_contains)) {
    return `the message lacks ${JSON.stringify(want.message_contains)}: ${got.error.message.slice(0, 2000)}`
  }
  // An error returns no text: the thrown error is all the caller gets.
  if (got.ok !== undefined) return 'an error case returned a value'
}

function checkCase(dir) {
  const caseFile = path.join(dir, 'case.json')
  if (!fs.existsSync(caseFile)) return 'no case.json'
  const c = readJson(caseFile)
  if (typeof c.description !== 'string' || c.description === '') return 'case.json has no description'
  const { op, expect } = c
  const args = c.args ?? {}
  if (!op) return 'case.json has no op'
  if (!expect) return 'case.json has no expect'
  let input = ''
  if (op === 'from_dir') {
    if (!fs.existsSync(path.join(dir, 'files'))) return 'a from_dir case needs a files/ folder'
  } else {
    input = inputText(dir, c)
  }
  const twin = op !== 'from_dir' && (c.crlf_twin ?? true) && !input.includes('\r')
  const got = run(op, args, input, dir)

  if (expect.error !== undefined) {
    const e = checkError(expect.error, got)
    if (e) return e
    if (twin) {
      const t = checkError(expect.error, run(op, args, crlf(input), dir))
      if (t) return `CRLF twin: ${t}`
    }
    return
  }
  if (expect.changed_lines !== undefined) {
    if (c.generate !== undefined) return 'changed_lines needs input.yaml and expected.yaml, not generate'
    const expected = read(path.join(dir, 'expected.yaml'))
    if (typeof got.ok !== 'string') return `expected an edit, got ${brief(got)}`
    if (got.ok !== expected) return `bytes differ\n--- expected\n${JSON.stringify(expected)}\n--- got\n${JSON.stringify(got.ok)}`
    const have = changedLinesInclusive(input.replaceAll('\r\n', '\n'), expected.replaceAll('\r\n', '\n'))
    if (have !== expect.changed_lines) return `changed_lines: case says ${expect.changed_lines}, input vs expected differ in ${have}`
    const again = run(op, args, expected, dir)
    if (again.ok !== expected) return `not idempotent: second run gave ${brief(again)}`
    if (twin) {
      const t = run(op, args, crlf(input), dir)
      if (t.ok !== crlf(expected)) return `CRLF twin differs: ${brief(t)}`
    }
    if (c.read_back !== undefined) {
      const back = outcome(() => readPolicy(got.ok, c.read_back.workload, options(args)))
      if (back.error) return `read_back: ${back.error.message}`
      const want = camelKeys(c.read_back.policy)
      if (!subset(want, back.ok)) return `read back differs\n--- expected\n${show(want)}\n--- got\n${show(back.ok)}`
    }
    return
  }
  if (c.read_back !== undefined) return 'read_back goes with changed_lines'
  const keys = Object.keys(expect)
  if (keys.length !== 1 || !['slots', 'policy', 'config', 'snapshot'].includes(keys[0])) return `unknown expectation ${keys.join(', ')}`
  const key = keys[0]
  if (got.ok === undefined) return `expected ${key}, got ${brief(got)}`
  if (key === 'snapshot') {
    // The whole snapshot: every file and every link, no more.
    if (op !== 'from_dir') return 'a snapshot expectation goes with from_dir'
    const want = { files: expect.snapshot.files, links: expect.snapshot.links ?? {} }
    try {
      assert.deepStrictEqual(got.ok, want)
    } catch {
      return `snapshot differs\n--- expected\n${show(want)}\n--- got\n${show(got.ok)}`
    }
    return
  }
  const want = camelKeys(expect[key])
  if (!subset(want, got.ok)) return `${key} differ\n--- expected\n${show(want)}\n--- got\n${show(got.ok)}`
  if (twin) {
    try {
      assert.deepStrictEqual(run(op, args, crlf(input), dir), got)
    } catch {
      return 'CRLF twin gives a different result'
    }
  }
}

test('bad-input catalogue', (t) => {
  runAll(t, assert, childDirs(ROOT), 'bad-input cases', checkCase)
})
