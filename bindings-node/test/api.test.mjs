// The Node surface itself: module loading (require and import), argument conversion, results
// as plain objects, and errors as `Error` objects with `code` and location.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import test from 'node:test'

import * as relman from 'relman'
import {
  Catalog,
  Config,
  ImageRef,
  Snapshot,
  TagFilter,
  listImages,
  lockEnvironment,
  parseReleaseRecord,
  planAutomation,
  planRelease,
  readPolicy,
  setImage,
  unlockEnvironment,
  updatePolicy,
} from 'relman'

import { FIXTURES } from './support.mjs'

const require = createRequire(import.meta.url)

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: users
  namespace: prod
spec:
  template:
    spec:
      containers:
        - name: app   # the users service
          image: "acme/users:1.3.0"
`

const CONFIG = `environments:
  staging:
    path: envs/staging
    release: automatic
  production:
    path: envs/production
    release: manual
    promoteFrom: staging
`

function catches(run) {
  try {
    run()
  } catch (e) {
    return e
  }
  assert.fail('expected an exception')
}

test('require and import give the same module', () => {
  const cjs = require('relman')
  for (const name of ['ImageRef', 'TagFilter', 'Catalog', 'Snapshot', 'Config', 'Repository', 'setImage', 'planRelease']) {
    assert.equal(typeof cjs[name], 'function', `require('relman').${name}`)
    assert.equal(relman[name], cjs[name], `import { ${name} } is require's`)
  }
  assert.equal(relman.default, cjs, 'the default import is module.exports')
})

test('ImageRef: parts, display, JSON and equality by name', () => {
  const image = ImageRef.parse('nginx:1.25')
  assert.equal(image.domain, '')
  assert.equal(image.path, 'nginx')
  assert.equal(image.tag, '1.25')
  assert.equal(image.digest, null)
  assert.equal(image.name, 'docker.io/library/nginx')
  assert.equal(image.repository, 'nginx')
  assert.equal(String(image), 'nginx:1.25')
  assert.equal(JSON.stringify({ image }), '{"image":"nginx:1.25"}')
  assert.ok(image.sameRepository(ImageRef.parse('docker.io/library/nginx:1.26')))
  assert.equal(image.withTag('1.26').toString(), 'nginx:1.26')
  assert.ok(image instanceof ImageRef)
})

test('errors are Error objects with a code, and a location where known', () => {
  const bad = catches(() => ImageRef.parse('Nginx'))
  assert.ok(bad instanceof Error)
  assert.equal(bad.code, 'invalid_image_reference')
  assert.match(bad.message, /must be lowercase/)
  assert.ok(!('line' in bad) && !('column' in bad) && !('path' in bad) && !('actualHead' in bad))
  assert.match(bad.stack, /api\.test\.mjs/, 'the stack names the caller')

  const yaml = catches(() => setImage('a: [\n', 'deployment/users', 'app', 'acme/users:1.4.0', { path: 'envs/x.yaml' }))
  assert.equal(yaml.code, 'invalid_yaml')
  assert.equal(yaml.path, 'envs/x.yaml')
  assert.equal(typeof yaml.line, 'number')
  assert.equal(typeof yaml.column, 'number')

  const config = catches(() => Config.parse('environments:\n  prod:\n    path: ../prod\n'))
  assert.deepEqual([config.code, config.path, config.line, config.column], ['invalid_config', 'relman.yaml', 3, 11])

  const missing = catches(() => setImage(DEPLOYMENT, 'prod:deployment/orders', 'app', 'acme/users:1.4.0'))
  assert.equal(missing.code, 'workload_not_found')
  assert.equal(catches(() => setImage(DEPLOYMENT, 'prod:deployment/users', 'web', 'acme/users:1.4.0')).code, 'container_not_found')
  assert.equal(catches(() => TagFilter.parse('semver:nonsense')).code, 'invalid_filter')
  assert.equal(catches(() => updatePolicy(DEPLOYMENT, 'prod:deployment/users', { add: { nonsense: 'x' } })).code, 'invalid_policy')
})

test('arguments that do not convert are invalid_argument; wrong JavaScript types are napi errors', () => {
  const snapshot = Snapshot.fromFiles({})
  const time = catches(() => planRelease(snapshot, { environment: 'default', now: 'yesterday' }))
  assert.equal(time.code, 'invalid_argument')
  assert.match(time.message, /now: `yesterday` is not an RFC 3339 timestamp/)
  assert.equal(catches(() => planRelease(snapshot, { environment: 'default', now: new Date(NaN) })).code, 'invalid_argument')
  // One name as text is that name (core's Services::parse), as in Python.
  const one = planRelease(snapshot, { environment: 'default', services: 'users' })
  assert.deepEqual(one, planRelease(snapshot, { environment: 'default', services: ['users'] }))
  assert.equal(one.results[0].reason, 'not_found')
  const record = parseReleaseRecord('Release\n\nRelman-Environment: default\nRelman-Cause: manual\n')
  const history = [{ ...record, kind: 'sideways' }]
  assert.equal(catches(() => planRelease(snapshot, { environment: 'default', history })).code, 'invalid_argument')
  assert.equal(catches(() => setImage(42, 'a', 'b', 'c')).code, 'StringExpected')
})

test('setImage, listImages, updatePolicy, readPolicy', () => {
  const out = setImage(DEPLOYMENT, 'prod:deployment/users', 'app', 'acme/users:1.4.0')
  assert.equal(out, DEPLOYMENT.replace('1.3.0', '1.4.0'))
  assert.equal(setImage(out, 'deployment/users', 'app', 'acme/users:1.4.0', { defaultNamespace: 'prod' }), out)

  const slots = listImages(DEPLOYMENT, { path: 'envs/prod/users.yaml' })
  assert.deepEqual(slots, [
    {
      workload: 'prod:deployment/users',
      container: 'app',
      kind: 'container',
      image: 'acme/users:1.3.0',
      managed: true,
      line: 11,
      column: 18,
      path: 'envs/prod/users.yaml',
      warning: null,
    },
  ])
  assert.equal(listImages(DEPLOYMENT, null)[0].path, null)

  // New policies are written in the order given.
  const policed = updatePolicy(DEPLOYMENT, 'prod:deployment/users', { add: { locked: 'true', automated: 'true' } })
  assert.match(policed, /annotations:\n {4}fluxcd\.io\/locked: "true"\n {4}fluxcd\.io\/automated: "true"\n/)
  const policy = readPolicy(policed, 'prod:deployment/users')
  assert.deepEqual(policy, {
    automated: true,
    automatedSet: true,
    locked: true,
    lockedMsg: null,
    lockedUser: null,
    lockedUntil: null,
    ignore: 'no',
    tagFilters: {},
    ambiguous: [],
  })
  assert.equal(updatePolicy(policed, 'prod:deployment/users', { remove: ['locked', 'automated'] }), DEPLOYMENT)
  assert.equal(updatePolicy(DEPLOYMENT, 'prod:deployment/users'), DEPLOYMENT)
})

test('Config, lockEnvironment and unlockEnvironment take a Date or an RFC 3339 string', () => {
  const config = Config.parse(CONFIG)
  assert.equal(config.versions, 'default')
  assert.equal(config.defaultNamespace, 'default')
  assert.deepEqual(
    config.environments.map((e) => [e.name, e.release, e.promoteFrom]),
    [
      ['staging', 'automatic', null],
      ['production', 'manual', 'staging'],
    ],
  )
  assert.equal(catches(() => config.environment('qa')).code, 'unknown_environment')
  assert.equal(config.serviceFor('deployment', 'users'), null)
  assert.deepEqual(JSON.parse(JSON.stringify(config)).environments[1].paths, ['envs/production'])
  assert.equal(Config.implicit().environment('default').release, 'annotations')

  const byString = lockEnvironment(CONFIG, 'production', { reason: 'freeze', by: 'alice', until: '2027-01-04T00:00:00Z' })
  const byDate = lockEnvironment(CONFIG, 'production', { reason: 'freeze', by: 'alice', until: new Date(Date.UTC(2027, 0, 4)) })
  assert.equal(byDate, byString)
  assert.deepEqual(Config.parse(byString).environment('production').lock, {
    reason: 'freeze',
    by: 'alice',
    until: '2027-01-04T00:00:00Z',
  })
  assert.equal(lockEnvironment(CONFIG, 'production', { reason: 'freeze', by: 'alice', until: null }).includes('until'), false)
  assert.equal(unlockEnvironment(byString, 'production'), CONFIG)
  assert.equal(catches(() => lockEnvironment(CONFIG, 'production', { reason: '', by: 'alice' })).code, 'invalid_config')
})

test('Catalog and TagFilter.select take Dates and strings; outputs are RFC 3339 strings', () => {
  const catalog = new Catalog()
  catalog.add('acme/users', '1.4.0', { created: new Date('2026-11-01T10:00:00Z') })
  catalog.add('docker.io/acme/users', '1.5.0', { created: '2026-11-02T10:00:00+01:00', digest: null })
  catalog.add('acme/users', '1.3.0')
  assert.equal(catalog.size, 1)
  assert.deepEqual(catalog.images('acme/users'), [
    { tag: '1.4.0', digest: null, created: '2026-11-01T10:00:00Z' },
    { tag: '1.5.0', digest: null, created: '2026-11-02T09:00:00Z' },
    { tag: '1.3.0', digest: null, created: null },
  ])
  const invalid = catches(() => catalog.add('acme/users', '1.6.0', { created: 'yesterday' }))
  assert.equal(invalid.code, 'invalid_catalog')
  assert.equal(catches(() => catalog.add('acme/users', 'bad tag')).code, 'invalid_catalog')

  const glob = TagFilter.parse('glob:1.*')
  assert.equal(glob.kind, 'glob')
  const selection = glob.select(catalog.images('acme/users'))
  assert.equal(selection.chosen.tag, '1.5.0')
  assert.equal(selection.rejectedCount, 2)
  assert.deepEqual(
    selection.rejected.map((r) => [r.tag, r.reason]),
    [
      ['1.4.0', 'older'],
      ['1.3.0', 'missing_time'],
    ],
  )
  const semver = TagFilter.parse('semver:^1')
  assert.equal(semver.compare({ tag: '1.10.0' }, { tag: '1.9.0' }), 1)
  assert.equal(semver.compare({ tag: 'main' }, { tag: '1.9.0' }), null)
  assert.equal(semver.matches('1', 'loose'), true)
  assert.equal(semver.matches('1'), false)
})

function repo() {
  return Snapshot.fromFiles({
    'relman.yaml': CONFIG,
    'envs/staging/users.yaml': DEPLOYMENT.replace('namespace: prod', 'namespace: staging'),
    './envs//production/users.yaml': DEPLOYMENT,
  })
}

test('Snapshot: from files and from a directory', () => {
  const snapshot = repo()
  assert.deepEqual(snapshot.paths, ['envs/production/users.yaml', 'envs/staging/users.yaml', 'relman.yaml'])
  assert.equal(snapshot.get('envs/production/users.yaml'), DEPLOYMENT)
  assert.equal(snapshot.get('nope.yaml'), null)
  assert.equal(snapshot.revision, null)
  assert.equal(snapshot.withRevision('abc').revision, 'abc')
  assert.equal(catches(() => Snapshot.fromFiles({ '../x.yaml': '' })).code, 'invalid_path')

  const dir = path.join(FIXTURES, 'plan', fs.readdirSync(path.join(FIXTURES, 'plan')).sort()[0], 'files')
  const fromDir = Snapshot.fromDir(dir)
  assert.ok(fromDir.paths.length > 0)
  assert.equal(catches(() => Snapshot.fromDir(path.join(os.tmpdir(), 'relman-no-such-dir'))).code, 'invalid_path')
  assert.deepEqual(snapshot.links, {})
  assert.equal(snapshot.resolve('relman.yaml'), 'relman.yaml')

  // A link is kept as a link; the file once, under its real path.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'relman-links-'))
  try {
    for (const p of snapshot.paths) {
      fs.mkdirSync(path.dirname(path.join(tmp, p)), { recursive: true })
      fs.writeFileSync(path.join(tmp, p), snapshot.get(p))
    }
    fs.symlinkSync('../production', path.join(tmp, 'envs/staging/prod'))
    const linked = Snapshot.fromDir(tmp)
    assert.deepEqual(linked.links, { 'envs/staging/prod': 'envs/production' })
    assert.deepEqual(linked.paths, snapshot.paths)
    assert.equal(linked.resolve('envs/staging/prod/users.yaml'), 'envs/production/users.yaml')
    assert.equal(linked.get('envs/staging/prod/users.yaml'), DEPLOYMENT)
    assert.equal(linked.resolve('envs/staging/prod/nope.yaml'), null)
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
})

test('planRelease and planAutomation return plain objects', () => {
  const snapshot = repo()
  const catalog = new Catalog()
  catalog.add('acme/users', '1.4.0', { created: '2026-11-01T10:00:00Z' })
  const plan = planRelease(snapshot, {
    environment: 'staging',
    services: ['users'],
    image: 'acme/users:1.4.0',
    user: 'alice <alice@example.com>',
    message: null,
    lock: null,
    catalog,
    now: new Date('2026-11-27T12:00:00Z'),
  })
  assert.equal(Object.getPrototypeOf(plan), Object.prototype)
  assert.deepEqual(Object.keys(plan).sort(), ['changes', 'commitMessage', 'environment', 'isNoop', 'kind', 'results', 'warnings'])
  assert.equal(plan.isNoop, false)
  assert.equal(plan.kind, 'manual')
  assert.deepEqual(plan.results[0].updates, [{ container: 'app', from: 'acme/users:1.3.0', to: 'acme/users:1.4.0' }])
  assert.equal(plan.results[0].status, 'success')
  assert.equal(plan.results[0].reason, null)
  assert.deepEqual(plan.changes.map((c) => c.path), ['envs/staging/users.yaml'])
  assert.equal(plan.changes[0].after, plan.changes[0].before.replace('1.3.0', '1.4.0'))
  assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan)

  const record = parseReleaseRecord(plan.commitMessage)
  assert.equal(record.environment, 'staging')
  assert.equal(record.user, 'alice <alice@example.com>')
  assert.equal(parseReleaseRecord('Fix a typo'), null)

  // The history takes commit messages and records alike: a rollback reads it.
  const earlier = [
    'Release acme/users:1.3.0 to staging',
    '',
    'Relman-Environment: staging',
    'Relman-Cause: manual',
    'Relman-Change: staging:deployment/users app acme/users:1.2.0 -> acme/users:1.3.0',
    '',
  ].join('\n')
  const rollback = (history) =>
    planRelease(snapshot, { environment: 'staging', image: 'rollback', history, now: '2026-11-27T12:00:00Z' })
  assert.equal(rollback([]).results[0].reason, 'no_previous_release')
  const fromMessage = rollback(['Fix a typo', earlier])
  assert.equal(fromMessage.kind, 'rollback')
  assert.deepEqual(fromMessage.results[0].updates, [{ container: 'app', from: 'acme/users:1.3.0', to: 'acme/users:1.2.0' }])
  assert.deepEqual(rollback([parseReleaseRecord(earlier)]), fromMessage)

  const automation = planAutomation(snapshot, { catalog, history: [record, earlier], now: '2026-11-27T12:00:00Z' })
  assert.deepEqual(automation.map((p) => p.environment), ['staging', 'production'])
  assert.equal(automation[1].results[0].reason, 'environment_manual')
  assert.ok(Array.isArray(planAutomation(snapshot)))
  assert.equal(catches(() => planRelease(snapshot, { environment: 'qa' })).code, 'unknown_environment')
})
