// Options objects refuse keys that are no option (core's relman::arguments::known_keys through
// bindings-node/src/options.rs): a misspelt `maxage` throws `invalid_argument` naming it and
// listing the accepted keys, as Python refuses an unknown keyword argument. Each call taking an
// options object is tried here, and each list of accepted keys is checked against the fields
// of its interface in index.d.ts (so a field added in Rust cannot be refused by a stale list).

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'node:test'

import {
  Catalog,
  History,
  Registry,
  Repository,
  Snapshot,
  TagFilter,
  drift,
  listImages,
  lockEnvironment,
  planAutomation,
  planRelease,
  readPolicy,
  setImage,
  updatePolicy,
} from 'relman'

import { gitRepository } from './support.mjs'

const DTS = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'index.d.ts'), 'utf8')
const CONFIG = 'environments:\n  prod: {path: envs/prod}\n'
const USERS = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: users\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: acme/users:1.3.0\n'
const snapshot = Snapshot.fromFiles({ 'relman.yaml': CONFIG, 'envs/prod/users.yaml': USERS })

/** The field names of `export interface name { ... }` in index.d.ts. */
function fields(name) {
  const body = DTS.match(new RegExp(`export interface ${name} \\{\\n([\\s\\S]*?)\\n\\}`))
  assert.ok(body, `interface ${name} in index.d.ts`)
  return [...body[1].matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1])
}

/** A bare git repository with one commit, for the Repository calls. */
function repository(t) {
  const { dir } = gitRepository(t, { 'relman.yaml': CONFIG, 'envs/prod/users.yaml': USERS }, { prefix: 'relman-node-options-' })
  return Repository.open(dir)
}

/** Each options object: its interface, and a call passing `extra` keys on top of valid ones. */
function calls(repo) {
  const plan = planRelease(snapshot, { environment: 'prod', image: 'acme/users:1.4.0' })
  const filter = TagFilter.parse('semver:>=1.0.0')
  return [
    ['ManifestOptions', (extra) => listImages(USERS, { path: 'a.yaml', ...extra })],
    ['ManifestOptions', (extra) => setImage(USERS, 'deployment/users', 'app', 'acme/users:1.4.0', { ...extra })],
    ['ManifestOptions', (extra) => readPolicy(USERS, 'deployment/users', { defaultNamespace: 'default', ...extra })],
    ['PolicyChange', (extra) => updatePolicy(USERS, 'deployment/users', { add: { automated: 'true' }, ...extra })],
    ['LockInput', (extra) => lockEnvironment(CONFIG, 'prod', { reason: 'freeze', by: 'alice', ...extra })],
    ['CatalogEntry', (extra) => new Catalog().add('acme/users', '1.4.0', { digest: null, ...extra })],
    ['ImageInfoInput', (extra) => filter.select([{ tag: '1.4.0', ...extra }])],
    ['ImageInfoInput', (extra) => filter.compare({ tag: '1.4.0' }, { tag: '1.3.0', ...extra })],
    ['HistoryCommit', (extra) => History.fromCommits([{ message: 'init', snapshot, ...extra }])],
    ['ReleaseOptions', (extra) => planRelease(snapshot, { environment: 'prod', ...extra })],
    ['AutomationOptions', (extra) => planAutomation(snapshot, { now: '2026-11-27T12:00:00Z', ...extra })],
    ['DriftOptions', (extra) => drift(snapshot, { environment: 'prod', observed: USERS, ...extra })],
    ['RegistryOptions', (extra) => new Registry({ credentials: null, ...extra })],
    ['CatalogOptions', (extra) => new Registry({ credentials: null }).catalog([], { ...extra })],
    ['HistoryOptions', (extra) => repo.history('main', { limit: 10, ...extra })],
    ['CommitOptions', (extra) => repo.commit(plan, { branch: 'main', expectedHead: '0'.repeat(40), author: 'A <a@example.com>', ...extra })],
    ['ReleaseWithRetryOptions', (extra) => repo.releaseWithRetry({ branch: 'main', author: 'A <a@example.com>', plan: () => plan, ...extra })],
  ]
}

test('every options object refuses an unknown key, naming it and listing its fields', (t) => {
  const repo = repository(t)
  for (const [name, call] of calls(repo)) {
    const accepted = fields(name)
    assert.ok(accepted.length > 0, name)
    const listed = accepted.map((k) => JSON.stringify(k)).join(', ')
    assert.throws(
      () => call({ colour: 'blue' }),
      (e) => e.code === 'invalid_argument' && e.message === `invalid_argument: ${name}: unknown key "colour"; the keys are ${listed}`,
      name,
    )
    // A snake_case or lower-cased spelling of a field is refused too, with the field it meant.
    const field = accepted.find((k) => /[A-Z]/.test(k)) ?? accepted[0]
    const snake = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
    const wrong = snake === field ? field.toUpperCase() : snake
    assert.throws(
      () => call({ [wrong]: undefined }),
      (e) => e.code === 'invalid_argument' && e.message.startsWith(`invalid_argument: ${name}: unknown key ${JSON.stringify(wrong)} (did you mean ${JSON.stringify(field)}?)`),
      `${name}: ${wrong}`,
    )
  }
})

test('valid options objects still work, and a value that is no object is a type error', async (t) => {
  assert.equal(setImage(USERS, 'deployment/users', 'app', 'acme/users:1.4.0', { defaultNamespace: 'default', path: 'a.yaml' }).includes('1.4.0'), true)
  assert.equal(listImages(USERS, undefined).length, 1)
  assert.equal(listImages(USERS, null).length, 1)
  // Keys from the prototype chain count as keys of the object, as napi reads them.
  assert.throws(() => listImages(USERS, Object.create({ nameSpace: 'x' })), (e) => e.code === 'invalid_argument')
  // A class instance: its own enumerable fields are its keys; methods on the prototype are not.
  class Options {
    constructor() {
      this.path = 'a.yaml'
    }
    describe() {
      return this.path
    }
  }
  assert.equal(listImages(USERS, new Options())[0].path, 'a.yaml')
  // Not an object: a type error (napi-rs alone read a string's fields as absent and went on).
  for (const value of ['a.yaml', 42, true, () => ({})]) {
    assert.throws(
      () => setImage(USERS, 'deployment/users', 'app', 'acme/users:1.4.0', value),
      (e) => e.code === 'ObjectExpected' && e.message.startsWith('ManifestOptions: expected an object, not '),
      String(value),
    )
  }
  assert.throws(() => planRelease(snapshot, 'prod'), (e) => e.code === 'ObjectExpected' && e.message.includes('ReleaseOptions'))
  assert.throws(() => new Registry('docker-config'), (e) => e.code === 'ObjectExpected')
  const catalog = await new Registry({ credentials: null }).catalog([], {})
  assert.equal(catalog.size, 0)
  const repo = repository(t)
  assert.equal(repo.history('main', {}).isComplete, true)
})
