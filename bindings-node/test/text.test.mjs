// Text arguments (bindings-node/src/text.rs): a text of more than 64 Ki UTF-16 units is read as
// UTF-16 and transcoded to UTF-8 by the binding, a shorter one is converted by V8 (WriteUtf8).
// Both must give the same UTF-8: every character as it is, each lone surrogate as U+FFFD (what
// `String.prototype.toWellFormed` gives), whatever the alignment of the characters around it.

import assert from 'node:assert/strict'
import test from 'node:test'

import { listImages, setImage } from 'relman'

import { crlf } from './support.mjs'

/** Above the binding's threshold (64 Ki UTF-16 units). */
const LARGE = 64 * 1024

/** Characters the conversion must keep (or replace) exactly: lone surrogates at the start,
 * middle and end, next to ASCII and to other non-ASCII characters, and at every alignment. */
const PAYLOADS = [
  '\uDC00lone low first',
  'lone high last\uD800',
  'Latin-1 é ñ ÿ, BMP ✔ ☃, astral 😀 𝄞 🇪🇺',
  'a\uD800b\uDC00c',
  '\uD800\uD800\uDC00\uDC00',
  '\uDC00\uD83D\uDE00\uD800',
  '✔\uD800✔\uDC00😀',
  'BOM\uFEFFinside',
  'x\uD800',
  'xy\uD800',
  'xyz\uDC00',
]

/** One Deployment whose comment and second container's image carry `payload`; `pad` shifts the
 * payload's alignment. Fourteen lines. */
function doc(i, payload, pad) {
  return [
    `# ${'.'.repeat(pad)}${payload} ${payload}`,
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: w${i}`,
    '  namespace: ns',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: app',
    `          image: acme/app-${i}:1.0`,
    '        - name: odd',
    `          image: "${payload}${'.'.repeat(pad)}" # ${payload}`,
    '',
  ].join('\n')
}
const LINES = 14

/** The documents of a text of at least `units` UTF-16 units, starting with `first`. */
function documents(units, first = '') {
  const docs = [first]
  let size = first.length
  for (let i = 0; size <= units; i += 1) {
    const d = (i > 0 ? '---\n' : '') + doc(i, PAYLOADS[i % PAYLOADS.length], i % 4)
    docs.push(d)
    size += d.length
  }
  return docs
}

/** `slots` with their lines shifted by `by`. */
function shifted(slots, by) {
  return slots.map((s) => ({ ...s, line: s.line + by }))
}

for (const [name, eol] of [
  ['LF', (s) => s],
  ['CRLF', crlf],
]) {
  test(`a large text (${name}) lists what its documents list on the small-text path`, () => {
    const docs = documents(LARGE).map(eol)
    const text = docs.join('')
    assert.ok(text.length > LARGE)
    const slots = listImages(text)
    let expected = []
    let line = 0
    for (const d of docs.slice(1)) {
      const small = d.startsWith('---') ? d.slice(d.indexOf('\n') + 1) : d
      const offset = d.startsWith('---') ? line + 1 : line
      expected = expected.concat(shifted(listImages(small), offset))
      line = offset + LINES
    }
    assert.equal(slots.length, 2 * (docs.length - 1))
    assert.deepStrictEqual(slots, expected)
    // And the values are the characters written, lone surrogates replaced.
    for (let i = 0; i < docs.length - 1; i += 1) {
      const payload = PAYLOADS[i % PAYLOADS.length]
      assert.equal(slots[2 * i + 1].image, `${payload.toWellFormed()}${'.'.repeat(i % 4)}`)
    }
  })

  test(`an edit of a large text (${name}) returns it byte for byte outside the image`, () => {
    // Lone surrogates at the very start and end of the whole text, and a BOM first.
    for (const [first, last] of [
      ['\uFEFF', '# end \uD800'],
      ['\uDC00\n---\n', '# end\uDC00'],
      ['# \uD83D\n', '#\uD800'],
    ]) {
      const docs = documents(LARGE, eol(first))
      docs.push(eol(last))
      const text = docs.join('')
      const out = setImage(text, 'ns:deployment/w7', 'app', 'acme/app-7:2.0')
      const expected = text.toWellFormed().replace('acme/app-7:1.0', 'acme/app-7:2.0')
      assert.ok(Buffer.from(out, 'utf8').equals(Buffer.from(expected, 'utf8')))
      assert.equal(out, expected)
      // The small-text path gives the same for the same document.
      const small = eol(first) + doc(7, PAYLOADS[7], 3) + eol(last)
      assert.equal(
        setImage(small, 'ns:deployment/w7', 'app', 'acme/app-7:2.0'),
        small.toWellFormed().replace('acme/app-7:1.0', 'acme/app-7:2.0'),
      )
    }
  })
}

test('a small text keeps every character and replaces lone surrogates', () => {
  for (const [i, payload] of PAYLOADS.entries()) {
    const text = doc(i, payload, i % 4)
    assert.ok(text.length < LARGE)
    const slots = listImages(text)
    assert.equal(slots[1].image, `${payload.toWellFormed()}${'.'.repeat(i % 4)}`)
    const out = setImage(text, `ns:deployment/w${i}`, 'app', 'acme/x:2')
    assert.equal(out, text.toWellFormed().replace(`acme/app-${i}:1.0`, 'acme/x:2'))
  }
})

test('a NUL fails alike in a large and a small text', () => {
  const bad = '# a\u0000b\n'
  const small = bad + doc(0, 'x', 0)
  const large = documents(LARGE, bad).join('')
  assert.ok(large.length > LARGE)
  const error = (text) => {
    try {
      listImages(text)
    } catch (e) {
      return { code: e.code, message: e.message }
    }
    assert.fail('a NUL was accepted')
  }
  assert.deepStrictEqual(error(large), error(small))
  assert.equal(error(large).code, 'invalid_yaml')
})

test('texts around the threshold convert alike', () => {
  // Lengths just below, at and above the threshold, ending with an astral character, a lone
  // high surrogate and ASCII in every alignment.
  const base = doc(0, '✔😀', 0)
  for (let length = LARGE - 3; length <= LARGE + 5; length += 1) {
    for (const tail of ['😀', '\uD800', 'a', '\uDC00b']) {
      const fill = length - base.length - tail.length - 2
      const text = `${base}#${'é'.repeat(fill % 7)}${'x'.repeat(fill - (fill % 7))}${tail}\n`
      assert.equal(text.length, length)
      assert.equal(setImage(text, 'ns:deployment/w0', 'app', 'acme/x:2'), text.toWellFormed().replace('acme/app-0:1.0', 'acme/x:2'))
    }
  }
})

test('a value that is not a string fails as before', () => {
  for (const value of [42, null, undefined, {}, ['a']]) {
    assert.throws(() => listImages(value), (e) => e.code === 'StringExpected')
  }
})
