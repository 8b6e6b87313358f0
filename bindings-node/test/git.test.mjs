// The git adapter from Node: snapshots, history, compare-and-swap commits, the retry helper
// with a JavaScript callback, and `conflict` errors carrying the actual head.

import assert from 'node:assert/strict'
import path from 'node:path'
import test from 'node:test'

import { History, Repository, Snapshot, planRelease } from 'relman'

import { gitRepository } from './support.mjs'

const CONFIG = 'environments:\n  prod:\n    path: envs/prod\n    release: manual\n'
const USERS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: users
  namespace: prod
spec:
  template:
    spec:
      containers:
        - name: app
          image: acme/users:1.3.0 # pinned by CI
`
const AUTHOR = 'Release bot <bot@example.com>'

/** A fresh repository with one commit on `main`, which is not checked out (detached HEAD). */
function makeRepo(t) {
  return gitRepository(t, { 'relman.yaml': CONFIG, 'envs/prod/users.yaml': USERS }, {
    prefix: 'relman-node-git-',
    env: { GIT_AUTHOR_DATE: '2026-11-27T12:00:00Z' },
  })
}

function catches(run) {
  try {
    run()
  } catch (e) {
    return e
  }
  assert.fail('expected an exception')
}

const release = (image) => (snapshot, history) =>
  planRelease(snapshot, { environment: 'prod', image, history, user: AUTHOR, now: '2026-11-27T12:00:00Z' })

test('snapshot, commit, history, and a conflict that names the actual head', (t) => {
  const { dir, git } = makeRepo(t)
  const repo = Repository.open(dir)
  assert.equal(repo.path, dir)
  const head = repo.branchHead('main')
  assert.equal(head, git('rev-parse', 'main'))

  const snapshot = repo.snapshot(head)
  assert.equal(snapshot.revision, head)
  assert.deepEqual(snapshot.paths, ['envs/prod/users.yaml', 'relman.yaml'])
  assert.equal(Snapshot.fromGit(dir).revision, head, 'fromGit defaults to HEAD')
  assert.equal(Snapshot.fromGit(dir, 'main').get('relman.yaml'), CONFIG)

  const plan = release('acme/users:1.4.0')(snapshot, [])
  const commit = repo.commit(plan, { branch: 'main', expectedHead: snapshot.revision, author: AUTHOR })
  assert.equal(repo.branchHead('main'), commit)
  assert.equal(git('show', 'main:envs/prod/users.yaml'), USERS.replace('1.3.0', '1.4.0').trim())
  assert.equal(git('log', '-1', '--format=%an <%ae>', 'main'), AUTHOR)

  const history = repo.history('main', { environment: 'prod', limit: 10 })
  assert.ok(history instanceof History)
  assert.equal(history.source, 'trees')
  assert.equal(history.isComplete, true)
  assert.deepEqual(history.warnings, [])
  assert.deepEqual(history.moves, [
    {
      commit,
      environment: 'prod',
      workload: 'prod:deployment/users',
      container: 'app',
      from: 'acme/users:1.3.0',
      to: 'acme/users:1.4.0',
      cause: 'manual',
      user: AUTHOR,
      locked: false,
    },
    {
      commit: head,
      environment: 'prod',
      workload: 'prod:deployment/users',
      container: 'app',
      from: null,
      to: 'acme/users:1.3.0',
      cause: 'unrecorded',
      user: null,
      locked: false,
    },
  ])
  assert.equal(catches(() => repo.history('main', { environment: 'staging' })).code, 'unknown_environment')
  assert.deepEqual(
    repo.history().moves.map((m) => m.cause),
    ['unrecorded'],
    'HEAD (detached at the first commit) has no release',
  )
  assert.equal(repo.history('main', { limit: 0 }).moves.length, 0)

  const sideways = catches(() => repo.commit({ ...plan, kind: 'sideways' }, { branch: 'main', expectedHead: commit, author: AUTHOR }))
  assert.equal(sideways.code, 'invalid_argument')
  assert.equal(catches(() => repo.branchHead('nope')).code, 'not_found')

  // The branch has moved: the same plan on the old head is a conflict saying where it is.
  const conflict = catches(() => repo.commit(plan, { branch: 'main', expectedHead: head, author: AUTHOR }))
  assert.ok(conflict instanceof Error)
  assert.equal(conflict.code, 'conflict')
  assert.equal(conflict.actualHead, commit)

  // A rollback planned with the history read from git.
  const rolled = release('rollback')(repo.snapshot('main'), repo.history('main'))
  assert.deepEqual(rolled.results[0].updates, [{ container: 'app', from: 'acme/users:1.4.0', to: 'acme/users:1.3.0' }])
})

test('errors of the adapter: not a repository, a checked-out branch', (t) => {
  const { dir, git } = makeRepo(t)
  assert.equal(catches(() => Repository.open(path.join(dir, 'envs'))).code, 'invalid_path')
  assert.equal(catches(() => Snapshot.fromGit(path.join(dir, 'nope'))).code, 'invalid_path')
  git('checkout', '-q', 'main')
  const repo = Repository.open(dir)
  const snapshot = repo.snapshot('main')
  const plan = release('acme/users:1.4.0')(snapshot, [])
  const err = catches(() => repo.commit(plan, { branch: 'main', expectedHead: snapshot.revision, author: AUTHOR }))
  assert.equal(err.code, 'branch_checked_out')
})

test('releaseWithRetry calls back JavaScript, re-plans after a conflict, and returns the commit', (t) => {
  const { dir } = makeRepo(t)
  const repo = Repository.open(dir)
  let calls = 0
  const commit = repo.releaseWithRetry({
    branch: 'main',
    author: AUTHOR,
    attempts: 3,
    plan: (snapshot, history) => {
      calls += 1
      assert.ok(snapshot instanceof Snapshot)
      assert.ok(history instanceof History)
      if (calls === 1) {
        // Another writer moves the branch between our snapshot and our commit.
        const other = release('acme/users:1.3.1')(snapshot, history)
        repo.commit(other, { branch: 'main', expectedHead: snapshot.revision, author: 'Other <other@example.com>' })
      }
      return release('acme/users:1.4.0')(snapshot, history)
    },
  })
  assert.equal(calls, 2, 'planned once more on the new head')
  assert.equal(repo.branchHead('main'), commit)
  assert.deepEqual(
    repo.history('main').moves.filter((m) => m.cause !== 'unrecorded').map((m) => m.to),
    ['acme/users:1.4.0', 'acme/users:1.3.1'],
  )
  // Released already: nothing to commit.
  assert.equal(repo.releaseWithRetry({ branch: 'main', author: AUTHOR, plan: release('acme/users:1.4.0') }), null)
})

test('releaseWithRetry rethrows what the callback throws, and the last conflict', (t) => {
  const { dir } = makeRepo(t)
  const repo = Repository.open(dir)
  const mine = new RangeError('no release today')
  const thrown = catches(() =>
    repo.releaseWithRetry({
      branch: 'main',
      author: AUTHOR,
      plan: () => {
        throw mine
      },
    }),
  )
  assert.equal(thrown, mine, 'the very object the callback threw')

  const relmanError = catches(() =>
    repo.releaseWithRetry({ branch: 'main', author: AUTHOR, plan: (s) => planRelease(s, { environment: 'qa' }) }),
  )
  assert.equal(relmanError.code, 'unknown_environment')

  let n = 0
  const conflict = catches(() =>
    repo.releaseWithRetry({
      branch: 'main',
      author: AUTHOR,
      attempts: 2,
      plan: (snapshot, history) => {
        n += 1
        const other = release(`acme/users:1.3.${n}`)(snapshot, history)
        repo.commit(other, { branch: 'main', expectedHead: snapshot.revision, author: 'Other <other@example.com>' })
        return release('acme/users:2.0.0')(snapshot, history)
      },
    }),
  )
  assert.equal(n, 2)
  assert.equal(conflict.code, 'conflict')
  assert.equal(conflict.actualHead, repo.branchHead('main'))
})

// `limit` and `attempts` by core's rule (relman::arguments::whole_number with
// relman::git::HISTORY_LIMITS and ATTEMPTS): napi no longer wraps -1 to 4294967295 or truncates
// 1.5; checked before any work, so the plan callback is never called.
const USIZE_MAX = '18446744073709551615'

test('history limit and releaseWithRetry attempts are whole numbers, else invalid_argument', (t) => {
  const { dir } = makeRepo(t)
  const repo = Repository.open(dir)
  const bad = [
    [-1, '-1'],
    [1.5, '1.5'],
    [NaN, 'NaN'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [2 ** 64, '18446744073709552000'],
  ]
  for (const [limit, shown] of bad) {
    const e = catches(() => repo.history('main', { limit }))
    assert.equal(e.code, 'invalid_argument', String(limit))
    assert.equal(e.message, `invalid_argument: limit must be a whole number from 0 to ${USIZE_MAX}, not ${shown}`)
  }
  assert.equal(repo.history('main', { limit: 0 }).moves.length, 0)
  assert.equal(repo.history('main', { limit: -0 }).moves.length, 0)
  assert.equal(repo.history('main', { limit: 2 ** 53 }).isComplete, true)
  assert.equal(repo.history('main', { limit: null }).isComplete, true)
  assert.throws(() => repo.history('main', { limit: '10' }), (e) => e.code !== 'invalid_argument')

  let calls = 0
  const plan = (snapshot, history) => {
    calls += 1
    return release('acme/users:2.0.0')(snapshot, history)
  }
  for (const [attempts, shown] of [[0, '0'], ...bad]) {
    const e = catches(() => repo.releaseWithRetry({ branch: 'main', author: AUTHOR, attempts, plan }))
    assert.equal(e.code, 'invalid_argument', String(attempts))
    assert.equal(e.message, `invalid_argument: attempts must be a whole number from 1 to ${USIZE_MAX}, not ${shown}`)
  }
  assert.equal(calls, 0)
})
