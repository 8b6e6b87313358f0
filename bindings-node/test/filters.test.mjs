// The tag filter tables of tests/fixtures/filters/ (format: the README.md there), with the
// checks of core/tests/filters.rs. Constraints are reached through `semver:` filters, which
// is how the Node surface exposes them (the Rust runner checks both ways).

import assert from 'node:assert/strict'
import path from 'node:path'
import test from 'node:test'

import { TagFilter } from 'relman'

import { FIXTURES, outcome, readJson, runAll } from './support.mjs'

const DIR = path.join(FIXTURES, 'filters')
const MAX_REJECTIONS = 50
// The time of a select.json case without `now`.
const DEFAULT_NOW = '2026-11-27T12:00:00Z'

function rows(file, key) {
  const table = readJson(path.join(DIR, file))
  const rows = table[key]
  assert.ok(Array.isArray(rows) && rows.length > 0, `${file}: array ${key} is missing or empty`)
  return rows
}

const mode = (row) => row.mode ?? 'default'
const ORDERING = { '-1': 'less', 0: 'equal', 1: 'greater' }
const orderingName = (n) => (n === null ? null : ORDERING[n])

test('filters match', (t) => {
  runAll(t, assert, rows('match.json', 'match'), 'filter rows', (row) => {
    const failures = []
    const filter = TagFilter.parse(row.filter)
    if (filter.toString() !== row.filter || `${filter}` !== row.filter) failures.push(`displays as ${filter}`)
    if (row.kind !== undefined && filter.kind !== row.kind) failures.push(`kind ${filter.kind}, expected ${row.kind}`)
    if (row.order !== undefined && filter.order !== row.order) failures.push(`order ${filter.order}, expected ${row.order}`)
    if (row.extract !== undefined && filter.extract !== row.extract) failures.push(`extract ${filter.extract}, expected ${row.extract}`)
    for (const [tag, want] of Object.entries(row.values ?? {})) {
      const got = filter.valueOfTag(tag)
      if (got !== want) failures.push(`value of ${JSON.stringify(tag)} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`)
    }
    const yes = row.match ?? []
    const no = row.no_match ?? []
    if (yes.length === 0 && no.length === 0) failures.push('row without tags')
    for (const [tags, want] of [
      [yes, true],
      [no, false],
    ]) {
      for (const tag of tags) {
        if (filter.matches(tag, mode(row)) !== want) failures.push(`(${mode(row)}) on ${JSON.stringify(tag)}: expected ${want}`)
        if (mode(row) === 'default' && filter.matches(tag) !== filter.matches(tag, 'default')) {
          failures.push(`matches(${JSON.stringify(tag)}) differs from matches(tag, 'default')`)
        }
      }
    }
    return failures.join('; ') || undefined
  })
})

test('invalid filters', (t) => {
  runAll(t, assert, rows('match.json', 'invalid'), 'invalid filters', (row) => {
    const o = outcome(() => TagFilter.parse(row.filter))
    if (!o.error) return `parsed as ${o.ok}`
    if (o.error.code !== 'invalid_filter') return `code ${o.error.code}`
    if (row.contains !== undefined && !o.error.message.includes(row.contains)) {
      return `message ${JSON.stringify(o.error.message)} lacks ${JSON.stringify(row.contains)}`
    }
  })
})

test('constraints', (t) => {
  runAll(t, assert, rows('constraints.json', 'cases'), 'constraint cases', (row) => {
    const text = `semver:${row.constraint}`
    const filter = TagFilter.parse(text)
    if (filter.toString() !== text) return `displays as ${filter}`
    if (filter.matches(row.version, 'loose') !== row.expect) return `on ${row.version}: expected ${row.expect}`
  })
})

test('invalid constraints', (t) => {
  runAll(t, assert, rows('constraints.json', 'invalid'), 'invalid constraints', (row) => {
    const o = outcome(() => TagFilter.parse(`semver:${row.constraint}`))
    if (!o.error) return `parsed as ${o.ok}`
    if (o.error.code !== 'invalid_filter') return `code ${o.error.code}`
    if (!o.error.message.includes(row.contains ?? '')) {
      return `message ${JSON.stringify(o.error.message)} lacks ${JSON.stringify(row.contains)}`
    }
  })
})

test('selections', (t) => {
  runAll(t, assert, rows('select.json', 'cases'), 'selection cases', (row) => {
    const failures = []
    const filter = TagFilter.parse(row.filter)
    const m = mode(row)
    const images = row.images
    const s = filter.select(images, m, row.now ?? DEFAULT_NOW)
    const chosen = s.chosen?.tag ?? null
    if (chosen !== row.chosen) failures.push(`chose ${chosen}, expected ${row.chosen}`)
    const expectedCount = row.rejected_count ?? images.length - (chosen !== null ? 1 : 0)
    if (s.rejectedCount !== expectedCount || s.rejected.length !== Math.min(expectedCount, MAX_REJECTIONS)) {
      failures.push(`${s.rejectedCount} rejected (${s.rejected.length} listed), expected ${expectedCount}`)
    }
    for (const r of s.rejected) {
      if (!r.message.includes(`\`${r.tag}\``)) failures.push(`message for ${r.tag} does not name it: ${r.message}`)
    }
    for (const [tag, reason] of Object.entries(row.reasons ?? {})) {
      const r = s.rejected.find((x) => x.tag === tag)
      if (!r) failures.push(`${tag} not rejected, expected ${reason}`)
      else if (r.reason !== reason) failures.push(`${tag} rejected as ${r.reason}, expected ${reason} (${r.message})`)
    }
    const order = row.order ?? []
    if (order.length > 0) {
      const sorted = order.map((tag) => images.find((i) => i.tag === tag))
      sorted.sort((a, b) => filter.compare(b, a, m))
      const got = sorted.map((i) => i.tag)
      if (JSON.stringify(got) !== JSON.stringify(order)) failures.push(`order ${got}, expected ${order}`)
    }
    for (const entry of row.compare ?? []) {
      const got = orderingName(filter.compare(entry.a, entry.b, m))
      const back = filter.compare(entry.b, entry.a, m)
      const reverse = orderingName(back === null ? null : -back || 0)
      if (got !== entry.expect || reverse !== got) {
        failures.push(`compare(${entry.a.tag}, ${entry.b.tag}) = ${got}, reversed ${reverse}, expected ${entry.expect}`)
      }
    }
    return failures.join('; ') || undefined
  })
})
