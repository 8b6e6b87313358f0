// The release scenarios of tests/fixtures/plan/ (format: tests/fixtures/README.md), with the
// checks of core/tests/plan.rs: results, no-op, changed files equal expected/ and nothing else
// changes, the commit message's trailers read back as the successful updates.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import test from 'node:test'

import { Catalog, History, Snapshot, parseReleaseRecord, planAutomation, planRelease } from 'relman'

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

/** The release options of a case's `spec` (null fields take their defaults); `observed` names
 * a file of the case folder `dir` whose text is the observed text. */
function releaseOptions(spec, dir) {
  if (typeof spec?.environment !== 'string') throw new Error('spec.environment')
  const options = { environment: spec.environment }
  for (const key of ['services', 'image', 'exclude', 'force', 'lock', 'user', 'message']) {
    if (spec[key] !== undefined) options[key] = spec[key]
  }
  if (spec.override_environment_lock !== undefined) options.overrideEnvironmentLock = spec.override_environment_lock
  if (typeof spec.observed === 'string') options.observed = fs.readFileSync(path.join(dir, spec.observed), 'utf8')
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
  for (const wanted of expect.warnings ?? []) {
    if (!plan.warnings.some((w) => w.includes(wanted))) {
      return `${plan.environment}: no warning contains ${show(wanted)}; warnings: ${show(plan.warnings)}`
    }
  }
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

// The case's history: `commits` read from the trees of the states they imply (the state after
// the newest commit is files/; each commit's edits, undone, give the state before it), or
// `history`, commit messages (the weaker mode).
function historyOf(c, files) {
  if (c.commits === undefined) return (c.history ?? []).filter((m) => typeof m === 'string')
  if (c.history !== undefined) throw new Error('a case gives commits or history, not both')
  const state = new Map(files)
  const commits = []
  c.commits.forEach((commit, i) => {
    commits.push({ message: commit.message, snapshot: Snapshot.fromFiles(Object.fromEntries(state)) })
    for (const edit of commit.edits) {
      if (edit.added === true) {
        if (!state.delete(edit.path)) throw new Error(`commits[${i}]: ${edit.path} was not there`)
        continue
      }
      const text = state.get(edit.path)
      if (text === undefined || text.split(edit.to).length !== 2) {
        throw new Error(`commits[${i}]: ${edit.to} is not in ${edit.path} exactly once`)
      }
      state.set(edit.path, text.replace(edit.to, () => edit.from))
    }
  })
  return History.fromCommits(commits, Snapshot.fromFiles(Object.fromEntries(state)))
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
    return runCase(c, files, expectedFiles, made, dir)
  } finally {
    made?.close()
  }
}

function runCase(c, files, expectedFiles, made, dir) {
  const snapshot = made === null ? Snapshot.fromFiles(Object.fromEntries(files)) : Snapshot.fromDir(made.root)
  let history
  try {
    history = historyOf(c, files)
  } catch (e) {
    return e.message
  }
  const inputs = { catalog: catalog(c.catalog), history, now: c.now }
  if (typeof c.now !== 'string') return 'now'
  const expect = c.expect
  if (!expect) return 'expect'
  if (expect.repositories !== undefined) {
    const got = snapshot.repositories()
    if (JSON.stringify(got) !== JSON.stringify(expect.repositories)) {
      return `repositories are ${JSON.stringify(got)}, expected ${JSON.stringify(expect.repositories)}`
    }
  }
  let plans
  try {
    if (c.op === 'release') plans = [planRelease(snapshot, { ...releaseOptions(c.spec, dir), ...inputs })]
    else if (c.op === 'automation') plans = planAutomation(snapshot, inputs)
    else return `unknown op ${c.op}`
  } catch (e) {
    if (typeof e.code !== 'string') throw e
    if (expect.error === undefined) return `planning failed: ${e.message}`
    if (e.code !== expect.error.code) return `expected error ${expect.error.code}, got ${e.message}`
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

// ReleaseRecord parsing is strict (tests/fixtures/record/parse.json): exactly relman's format.
test('record fixtures', (t) => {
  const table = readJson(path.join(FIXTURES, 'record', 'parse.json'))
  const normal = (r) => r === null ? null : { environment: r.environment, kind: r.kind, user: r.user ?? null, changes: r.changes.map((c) => ({ workload: c.workload, container: c.container, from: c.from, to: c.to })), locked: r.locked }
  runAll(t, assert, table.cases, 'record cases', (c) => {
    const got = normal(parseReleaseRecord(c.message))
    if (JSON.stringify(got) !== JSON.stringify(c.record)) return `${c.description}: expected ${show(c.record)}, got ${show(got)}`
  })
})
