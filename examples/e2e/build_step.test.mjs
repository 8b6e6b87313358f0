// examples/node-build-step/release.mjs on temporary config repos: a dry run, a release into a bare
// repository (compare-and-swap commit), a release into a work tree (files written and
// committed with git), a lock that stops a release, and usage errors.

import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import test from 'node:test'
import { fileURLToPath } from 'node:url'

const STEP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../node-build-step/release.mjs')
const AUTHOR = 'Build tool <build@example.com>'
const CONFIG = `environments:
  staging: {path: envs/staging, release: automatic}
  production: {path: envs/production, release: manual, promoteFrom: staging}
`
const deployment = (name, ns, image) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  template:
    spec:
      containers:
        - name: app
          image: ${image}   # set by the build
`
const FILES = {
  'relman.yaml': CONFIG,
  'envs/staging/users.yaml': deployment('users', 'staging', 'acme/users:1.4.0'),
  'envs/staging/orders.yaml': deployment('orders', 'staging', 'acme/orders:2.1.0'),
  'envs/production/users.yaml': deployment('users', 'prod', 'acme/users:1.4.0'),
}

/** A work tree on `main` holding FILES, and a bare clone of it. */
function makeRepos(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relman-build-step-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const env = { ...process.env, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }
  const git = (cwd, ...args) =>
    execFileSync('git', ['-c', 'user.name=CI', '-c', 'user.email=ci@example.com', ...args], { cwd, env, encoding: 'utf8' }).trim()
  const work = path.join(dir, 'work')
  for (const [file, text] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true })
    fs.writeFileSync(path.join(work, file), text)
  }
  git(dir, 'init', '-q', '-b', 'main', work)
  git(work, 'add', '.')
  git(work, 'commit', '-q', '-m', 'init')
  const bare = path.join(dir, 'config.git')
  git(dir, 'clone', '-q', '--bare', work, bare)
  const step = (...args) => spawnSync(process.execPath, [STEP, ...args], { env, encoding: 'utf8' })
  return { work, bare, git, step }
}

test('a dry run prints the plan and commits nothing', (t) => {
  const { bare, git, step } = makeRepos(t)
  const head = git(bare, 'rev-parse', 'main')
  const out = step('release', '--repo', bare, '--env', 'staging', '--image', 'acme/users:1.5.0', '--dry-run')
  assert.equal(out.status, 0, out.stderr)
  assert.match(out.stdout, /staging \(manual\): Release acme\/users:1\.5\.0 to staging/)
  assert.match(out.stdout, /staging:deployment\/users\s+app\s+acme\/users:1\.4\.0\s+acme\/users:1\.5\.0\s+success/)
  assert.match(out.stdout, /staging:deployment\/orders\s+\*\s+ignored\s+different_image/)
  assert.match(out.stdout, /dry run: nothing committed/)
  assert.equal(git(bare, 'rev-parse', 'main'), head)
})

test('a release into a bare repository is one compare-and-swap commit', (t) => {
  const { bare, git, step } = makeRepos(t)
  const head = git(bare, 'rev-parse', 'main')
  const out = step('release', '--repo', bare, '--env', 'staging', '--image', 'acme/users:1.5.0', '--author', AUTHOR, '--message', 'build 412')
  assert.equal(out.status, 0, out.stderr)
  const commit = git(bare, 'rev-parse', 'main')
  assert.match(out.stdout, new RegExp(`committed ${commit} on main`))
  assert.equal(git(bare, 'rev-parse', 'main^'), head)
  assert.equal(git(bare, 'log', '-1', '--format=%an <%ae>', 'main'), AUTHOR)
  assert.deepEqual(git(bare, 'log', '-1', '--format=%(trailers:only,unfold)', 'main').split('\n'), [
    'Relman-Environment: staging',
    'Relman-Cause: manual',
    `Relman-User: ${AUTHOR}`,
    'Relman-Change: staging:deployment/users app acme/users:1.4.0 -> acme/users:1.5.0',
  ])
  assert.equal(git(bare, 'show', 'main:envs/staging/users.yaml') + '\n', FILES['envs/staging/users.yaml'].replace('1.4.0', '1.5.0'))
  assert.deepEqual(git(bare, 'diff', '--name-only', head, 'main').split('\n'), ['envs/staging/users.yaml'])

  // The same release again: nothing to do.
  const again = step('release', '--repo', bare, '--env', 'staging', '--image', 'acme/users:1.5.0')
  assert.equal(again.status, 0, again.stderr)
  assert.match(again.stdout, /up_to_date/)
  assert.match(again.stdout, /nothing to release/)
  assert.equal(git(bare, 'rev-parse', 'main'), commit)
})

test('a release into a work tree writes the files and commits them with git', (t) => {
  const { work, git, step } = makeRepos(t)
  const out = step('release', '--repo', work, '--env', 'staging', '--image', 'acme/orders:2.2.0', '--author', AUTHOR)
  assert.equal(out.status, 0, out.stderr)
  assert.equal(fs.readFileSync(path.join(work, 'envs/staging/orders.yaml'), 'utf8'), FILES['envs/staging/orders.yaml'].replace('2.1.0', '2.2.0'))
  assert.equal(git(work, 'status', '--porcelain'), '')
  assert.equal(git(work, 'log', '-1', '--format=%s|%an', 'main'), `Release acme/orders:2.2.0 to staging|Build tool`)
  assert.match(git(work, 'log', '-1', '--format=%B', 'main'), /Relman-Change: staging:deployment\/orders app acme\/orders:2\.1\.0 -> acme\/orders:2\.2\.0$/)
})

test('the promotion gate and a lock stop a release, with the reason', (t) => {
  const { bare, git, step } = makeRepos(t)
  const head = git(bare, 'rev-parse', 'main')
  let out = step('release', '--repo', bare, '--env', 'production', '--image', 'acme/users:1.5.0')
  assert.equal(out.status, 0, out.stderr)
  assert.match(out.stdout, /skipped\s+not_promoted/)
  assert.match(out.stdout, /why\s+not_promoted: acme\/users:1\.5\.0 never ran in staging/)
  assert.match(out.stdout, /nothing to release/)
  assert.equal(git(bare, 'rev-parse', 'main'), head)

  // Released with --lock, the workload refuses the next build's image until unlocked.
  out = step('release', '--repo', bare, '--env', 'staging', '--image', 'acme/users:1.5.0', '--lock', '--author', AUTHOR, '--message', 'hold for QA')
  assert.equal(out.status, 0, out.stderr)
  assert.match(git(bare, 'show', 'main:envs/staging/users.yaml'), /fluxcd\.io\/locked: "true"\n\s+fluxcd\.io\/locked_msg: "hold for QA"/)
  const locked = git(bare, 'rev-parse', 'main')
  out = step('release', '--repo', bare, '--env', 'staging', '--image', 'acme/users:1.6.0')
  assert.equal(out.status, 0, out.stderr)
  assert.match(out.stdout, /staging:deployment\/users\s+\*\s+skipped\s+locked/)
  assert.match(out.stdout, /why\s+locked: locked by Build tool <build@example\.com>: hold for QA/)
  assert.equal(git(bare, 'rev-parse', 'main'), locked)
})

test('usage and repository errors', (t) => {
  const { bare, step } = makeRepos(t)
  let out = step('release', '--repo', bare, '--image', 'acme/users:1.5.0')
  assert.equal(out.status, 2)
  assert.match(out.stderr, /--env is required/)
  out = step('deploy', '--env', 'staging', '--image', 'acme/users:1.5.0')
  assert.equal(out.status, 2)
  out = step('release', '--repo', bare, '--env', 'qa', '--image', 'acme/users:1.5.0')
  assert.equal(out.status, 1)
  assert.match(out.stderr, /error\[unknown_environment\]/)
})
