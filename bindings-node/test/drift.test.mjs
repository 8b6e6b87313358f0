// The drift cases of tests/fixtures/drift/ (format: tests/fixtures/README.md): a repo, the text
// kubectl printed, and the report `drift` must give (or its error).

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import test from 'node:test'

import { Snapshot, drift } from 'relman'

import { FIXTURES, childDirs, readJson, readTree, runAll, show, subset } from './support.mjs'

const ROOT = path.join(FIXTURES, 'drift')

/** An entry with core's snake_case keys, to compare with the fixture. */
function snake(e) {
  return {
    workload: e.workload,
    container: e.container,
    status: e.status,
    repo_image: e.repoImage,
    running_image: e.runningImage,
    live_workload: e.liveWorkload,
    live_container: e.liveContainer,
    path: e.path,
    message: e.message,
  }
}

function checkCase(dir) {
  const c = readJson(path.join(dir, 'case.json'))
  const snapshot = Snapshot.fromFiles(Object.fromEntries(readTree(path.join(dir, 'files'))))
  const observed = fs.readFileSync(path.join(dir, c.observed), 'utf8')
  const expect = c.expect
  let report
  try {
    report = drift(snapshot, { environment: c.environment, observed })
  } catch (e) {
    if (typeof e.code !== 'string') throw e
    if (expect.error === undefined) return `drift failed: ${e.message}`
    if (e.code !== expect.error.code) return `expected error ${expect.error.code}, got ${e.code}: ${e.message}`
    for (const key of ['path', 'line', 'column']) {
      if (expect.error[key] !== undefined && e[key] !== expect.error[key]) {
        return `expected error ${key} ${JSON.stringify(expect.error[key])}, got ${JSON.stringify(e[key])}: ${e.message}`
      }
    }
    if (expect.error.message_contains !== undefined && !e.message.includes(expect.error.message_contains)) {
      return `the message lacks ${JSON.stringify(expect.error.message_contains)}: ${e.message}`
    }
    return
  }
  if (expect.error !== undefined) return `expected error ${expect.error.code}, got a report`
  const entries = report.entries.map(snake)
  if (!subset(expect.entries, entries)) return `entries differ:\n${show(entries)}`
  if (expect.drifted !== undefined && report.isDrifted !== expect.drifted) return `isDrifted: expected ${expect.drifted}`
  for (const piece of expect.warnings ?? []) {
    if (!report.warnings.some((w) => w.includes(piece))) return `no warning holds ${JSON.stringify(piece)}: ${show(report.warnings)}`
  }
  if (!observed.includes('\r')) {
    const twin = drift(snapshot, { environment: c.environment, observed: observed.replaceAll('\n', '\r\n') })
    if (JSON.stringify(twin) !== JSON.stringify(report)) return 'the CRLF twin of the observed text gives another report'
  }
}

test('drift fixtures', (t) => {
  const dirs = childDirs(ROOT).filter((d) => fs.existsSync(path.join(d, 'case.json')))
  runAll(t, assert, dirs, 'drift fixture cases', checkCase)
})
