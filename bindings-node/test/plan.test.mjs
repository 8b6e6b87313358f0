// The release scenarios of tests/fixtures/plan/ (format: tests/fixtures/README.md), with the
// checks of core/tests/plan.rs: results, no-op, changed files equal expected/ and nothing else
// changes, the commit message's trailers read back as the successful updates.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import test from 'node:test'

import { Catalog, Snapshot, parseReleaseRecord, planAutomation, planRelease } from 'relman'

import { FIXTURES, MadeTree, childDirs, readJson, readTree, runAll, show, subset } from './support.mjs'

const ROOT = path.join(FIXTURES, 'plan')

function catalog(value) {
  const c = new Catalog()
  for (const [repo, tags] of Object.entries(value ?? {})) {
    if (!Array.isArray(tags)) throw new Error('catalog entries are lists')
    for (const t of tags) c.add(repo, t.tag, { digest: t.digest, created: t.created })
  }
  return c
}

/** The release options of a case's `spec` (null fields take their defaults). */
function releaseOptions(spec) {
  if (typeof spec?.environment !== 'string') throw new Error('spec.environment')
  const options = { environment: spec.environment }
  for (const key of ['services', 'image', 'exclude', 'force', 'lock', 'user', 'message']) {
    if (spec[key] !== undefined) options[key] = spec[key]
  }
  return options
}

function checkPlan(plan, expect, snapshot, expectedFiles) {
  if (expect.results !== undefined && !subset(expect.results, plan.results)) {
    return `results differ in ${plan.environment}\n--- expected\n${show(expect.results)}\n--- got\n${show(plan.results)}`
  }
  if (typeof expect.noop === 'boolean' && plan.isNoop !== expect.noop) {
    return `${plan.environment}: noop is ${plan.isNoop}, expected ${expect.noop}`
  }
  if (plan.isNoop !== (plan.changes.length === 0)) return `isNoop ${plan.isNoop} with ${plan.changes.length} changes`
  for (const change of plan.changes) {
    if (snapshot.get(change.path) !== change.before) return `${change.path}: before is not the snapshot's text`
    const want = expectedFiles.get(change.path)
    if (want === undefined) return `${change.path} changed but has no expected/ file`
    if (want !== change.after) return `${change.path} differs\n--- expected\n${want}\n--- got\n${change.after}`
  }
  const record = parseReleaseRecord(plan.commitMessage)
  if (record === null) return 'the commit message has no trailers'
  const updates = plan.results
    .filter((r) => r.status === 'success')
    .flatMap((r) => r.updates.map((u) => [r.workload, u.container, u.from, u.to]))
  const recorded = record.changes.map((c) => [c.workload, c.container, c.from, c.to])
  if (JSON.stringify(updates) !== JSON.stringify(recorded)) {
    return `trailers ${show(recorded)} differ from the updates ${show(updates)}`
  }
  if (expect.commit_message !== undefined) {
    const summary = plan.commitMessage.split('\n')[0].replace(/\r$/, '')
    const got = { summary, kind: record.kind, user: record.user, locked: record.locked }
    if (!subset(expect.commit_message, got)) {
      return `commit message: expected ${show(expect.commit_message)}, got ${show(got)}\n${plan.commitMessage}`
    }
  }
}

function checkCase(dir) {
  const c = readJson(path.join(dir, 'case.json'))
  const files = readTree(path.join(dir, 'files'))
  if (files.length === 0) return 'files/ is empty'
  const expectedFiles = new Map(readTree(path.join(dir, 'expected')))
  for (const p of expectedFiles.keys()) {
    if (!files.some(([f]) => f === p)) return `expected/${p} has no files/${p}`
  }
  // With `make`, the repo is a folder on disk holding links: read it as a caller would.
  const made = c.make === undefined ? null : new MadeTree(path.join(dir, 'files'), c.make)
  try {
    return runCase(c, files, expectedFiles, made)
  } finally {
    made?.close()
  }
}

function runCase(c, files, expectedFiles, made) {
  const snapshot = made === null ? Snapshot.fromFiles(Object.fromEntries(files)) : Snapshot.fromDir(made.root)
  const inputs = { catalog: catalog(c.catalog), history: (c.history ?? []).filter((m) => typeof m === 'string'), now: c.now }
  if (typeof c.now !== 'string') return 'now'
  const expect = c.expect
  if (!expect) return 'expect'
  let plans
  try {
    if (c.op === 'release') plans = [planRelease(snapshot, { ...releaseOptions(c.spec), ...inputs })]
    else if (c.op === 'automation') plans = planAutomation(snapshot, inputs)
    else return `unknown op ${c.op}`
  } catch (e) {
    if (typeof e.code !== 'string') throw e
    if (expect.error === undefined) return `planning failed: ${e.message}`
    if (e.code !== expect.error.code) return `expected error ${expect.error.code}, got ${e.message}`
    return
  }
  if (expect.error !== undefined) return `expected error ${expect.error.code}, planning succeeded`
  if (c.op === 'release') {
    const e = checkPlan(plans[0], expect, snapshot, expectedFiles)
    if (e) return e
  } else {
    if (!Array.isArray(expect.plans)) return 'automation cases need expect.plans'
    for (const w of expect.plans) {
      const plan = plans.find((p) => p.environment === w.environment)
      if (!plan) return `no plan for ${w.environment}`
      const e = checkPlan(plan, w, snapshot, expectedFiles)
      if (e) return e
    }
  }
  if (made !== null) {
    return made.applyAndCheck(
      plans.flatMap((p) => p.changes.map((ch) => [ch.path, ch.after])),
      files,
      expectedFiles,
    )
  }
}

test('plan fixtures', (t) => {
  const dirs = childDirs(ROOT).filter((d) => fs.existsSync(path.join(d, 'case.json')))
  runAll(t, assert, dirs, 'plan fixture cases', checkCase)
})
