// The closed vocabularies (error codes, statuses, reasons, kinds...) are declared once, in core
// (`relman::wire`), and the addon exports them as `vocabularies()`. The TypeScript unions of
// index.d.ts and the exported value objects (`Status`, `Reason`...) must list exactly core's
// strings, in core's order: a code added in core fails here until the union (src/header.d.ts
// for `ErrorCode`, else the `#[napi(string_enum)]` of the binding) has it.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import test from 'node:test'

import * as relman from 'relman'

const core = relman.vocabularies()
const dts = fs.readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')

/** The TypeScript name of a core vocabulary: an error's `code` is an `ErrorCode`. */
const tsName = (name) => (name === 'ErrorKind' ? 'ErrorCode' : name)

/** Every `export type Name = 'a' | 'b'` of index.d.ts (on one line, or one member a line). */
function stringUnions(text) {
  const out = {}
  for (const m of text.matchAll(/^export type (\w+) =((?:\s*\|?\s*'[^']*')+)/gm)) {
    out[m[1]] = [...m[2].matchAll(/'([^']*)'/g)].map((v) => v[1])
  }
  return out
}

test('core lists its vocabularies', () => {
  for (const name of ['ErrorKind', 'Status', 'Reason', 'ReleaseKind', 'MoveCause', 'HistorySource', 'SlotKind']) {
    assert.ok(Array.isArray(core[name]) && core[name].length > 0, `vocabularies().${name}`)
  }
  assert.ok(core.ErrorKind.includes('invalid_argument'))
  assert.ok(core.Reason.includes('shared_file'))
})

test('every TypeScript string union is a core vocabulary, with its values in order', () => {
  const unions = stringUnions(dts)
  for (const [name, codes] of Object.entries(core)) {
    assert.deepEqual(unions[tsName(name)], codes, `index.d.ts \`${tsName(name)}\` against core's ${name}`)
  }
  const known = new Set(Object.keys(core).map(tsName))
  assert.deepEqual(
    Object.keys(unions).filter((name) => !known.has(name)),
    [],
    'string unions of index.d.ts that no core vocabulary declares',
  )
})

test('the exported value objects hold core values', () => {
  for (const [name, codes] of Object.entries(core)) {
    if (name === 'ErrorKind') continue
    assert.equal(typeof relman[name], 'object', `relman.${name} is exported`)
    assert.deepEqual(Object.values(relman[name]), codes, `relman.${name} against core`)
  }
})

test('errors carry core error codes', () => {
  const thrown = []
  for (const run of [
    () => relman.ImageRef.parse('Not A Reference'),
    () => relman.Config.parse('environments: [nonsense'),
    () => relman.TagFilter.parse('semver:nonsense'),
    () => relman.planRelease(relman.Snapshot.fromFiles({}), { environment: 'default', now: 'soon' }),
    () => relman.setImage('kind: Deployment\nmetadata: {name: a}\n', 'deployment/b', 'app', 'acme/a:1'),
  ]) {
    try {
      run()
      assert.fail('expected an exception')
    } catch (e) {
      thrown.push(e.code)
    }
  }
  assert.deepEqual(thrown, ['invalid_image_reference', 'invalid_config', 'invalid_filter', 'invalid_argument', 'workload_not_found'])
  for (const code of thrown) assert.ok(core.ErrorKind.includes(code), code)
})
