// The shared image reference table, tests/fixtures/image/references.json, with the checks of
// core/tests/image_refs.rs.

import assert from 'node:assert/strict'
import path from 'node:path'
import test from 'node:test'

import { ImageRef } from 'relman'

import { FIXTURES, outcome, readJson, runAll } from './support.mjs'

const TABLE = readJson(path.join(FIXTURES, 'image/references.json'))
const SOME_DIGEST = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

function cases(key) {
  const rows = TABLE[key]
  assert.ok(Array.isArray(rows) && rows.length > 0, `references.json: array ${key} is missing or empty`)
  return rows
}

/** Compare `actual` with `expected`, collecting a failure message. */
function checker() {
  const failures = []
  const check = (what, actual, expected) => {
    if (actual !== expected) failures.push(`${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`)
  }
  return { failures, check }
}

function parts(image) {
  return [image.toString(), image.domain, image.path, image.tag, image.digest, image.name, image.repository]
}

test('valid references parse into their parts', (t) => {
  runAll(t, assert, cases('valid'), 'valid references', (c) => {
    const { failures, check } = checker()
    const image = ImageRef.parse(c.input)
    check('domain', image.domain, c.domain)
    check('path', image.path, c.path)
    check('tag', image.tag, c.tag)
    check('digest', image.digest, c.digest)
    check('name', image.name, c.name)
    check('toString()', image.toString(), c.input)
    check('template literal', `${image}`, c.input)
    check('JSON', JSON.stringify(image), JSON.stringify(c.input))
    const repository = (image.domain ? `${image.domain}/` : '') + image.path
    check('repository', image.repository, repository)
    check('parse(display)', JSON.stringify(parts(ImageRef.parse(image.toString()))), JSON.stringify(parts(image)))
    check('sameRepository(self)', image.sameRepository(image), true)
    return failures.join('; ') || undefined
  })
})

test('withTag and withDigest round trip', (t) => {
  runAll(t, assert, cases('valid'), 'valid references (withTag/withDigest)', (c) => {
    const { failures, check } = checker()
    const image = ImageRef.parse(c.input)

    const tagged = image.withTag('v2.0.1')
    check('withTag display', tagged.toString(), `${image.repository}:v2.0.1`)
    check('withTag tag', tagged.tag, 'v2.0.1')
    check('withTag digest', tagged.digest, null)
    check('withTag domain', tagged.domain, image.domain)
    check('withTag path', tagged.path, image.path)
    check('withTag name', tagged.name, image.name)
    check('withTag reparsed', JSON.stringify(parts(ImageRef.parse(tagged.toString()))), JSON.stringify(parts(tagged)))
    if (image.tag !== null && image.digest === null) {
      check('withTag back to the original tag', tagged.withTag(image.tag).toString(), image.toString())
    }

    const pinned = image.withDigest(SOME_DIGEST)
    const expected =
      image.tag !== null ? `${image.repository}:${image.tag}@${SOME_DIGEST}` : `${image.repository}@${SOME_DIGEST}`
    check('withDigest display', pinned.toString(), expected)
    check('withDigest tag', pinned.tag, image.tag)
    check('withDigest digest', pinned.digest, SOME_DIGEST)
    check('withDigest repository', pinned.repository, image.repository)
    check('withDigest reparsed', JSON.stringify(parts(ImageRef.parse(pinned.toString()))), JSON.stringify(parts(pinned)))
    if (image.digest !== null) {
      check('withDigest back to the original', pinned.withDigest(image.digest).toString(), image.toString())
    }

    for (const bad of ['', 'a:b', '-x', ' x']) {
      const o = outcome(() => image.withTag(bad))
      if (o.error?.code !== 'invalid_image_reference') failures.push(`withTag(${JSON.stringify(bad)}) gave ${JSON.stringify(o)}`)
    }
    for (const bad of ['', 'sha256:', 'sha256:abc', '@sha256:0', 'md5']) {
      const o = outcome(() => image.withDigest(bad))
      if (o.error?.code !== 'invalid_image_reference') failures.push(`withDigest(${JSON.stringify(bad)}) gave ${JSON.stringify(o)}`)
    }
    return failures.join('; ') || undefined
  })
})

test('invalid references are refused', (t) => {
  runAll(t, assert, cases('invalid'), 'invalid references', (c) => {
    const o = outcome(() => ImageRef.parse(c.input))
    if (!o.error) return `(${c.why}) parsed as ${o.ok}`
    if (o.error.code !== 'invalid_image_reference') return `(${c.why}) code ${o.error.code}`
    if (!o.error.message) return `(${c.why}) empty message`
  })
})

test('same_name groups share a name', (t) => {
  runAll(t, assert, cases('same_name'), 'same_name groups', (group) => {
    if (group.length < 2) return 'fewer than two inputs'
    const images = group.map((s) => ImageRef.parse(s))
    const failures = []
    for (const image of images.slice(1)) {
      if (image.name !== images[0].name) failures.push(`${image} has name ${image.name}, ${images[0]} has ${images[0].name}`)
    }
    for (const a of images) for (const b of images) if (!a.sameRepository(b)) failures.push(`${a}.sameRepository(${b}) is false`)
    return failures.join('; ') || undefined
  })
})

test('different_name pairs differ', (t) => {
  runAll(t, assert, cases('different_name'), 'different_name pairs', (pair) => {
    const [a, b] = pair.map((s) => ImageRef.parse(s))
    if (a.name === b.name) return `both have name ${a.name}`
    if (a.sameRepository(b) || b.sameRepository(a)) return 'sameRepository is true'
  })
})
