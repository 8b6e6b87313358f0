// End to end: the Node binding's `Registry` against a real registry on 127.0.0.1 (Debian's
// docker-registry, filled by `registry.py serve` with skopeo: OCI and Docker media types,
// single- and multi-platform). `catalog` returns a Promise and runs off the event loop.

import { spawn } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'

const require = createRequire(import.meta.url)
const { Registry, Snapshot } = require('../../bindings-node/index.js')

const here = path.dirname(new URL(import.meta.url).pathname)
let server
let served
let root

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'relman-node-registry-'))
  server = spawn(process.env.PYTHON || 'python3', [path.join(here, 'registry.py'), 'serve', root], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  let out = ''
  for await (const chunk of server.stdout) {
    out += chunk
    if (out.includes('\n')) break
  }
  served = JSON.parse(out.split('\n')[0])
})

after(() => {
  server.stdin.end()
  fs.rmSync(root, { recursive: true, force: true })
})

test('catalog: digests and creation times of every kind, cold then warm', async () => {
  const repos = [`${served.host}/acme/users`, `${served.host}/acme/orders`]
  const events = []
  const registry = new Registry({ credentials: null, cacheDir: path.join(root, 'cache') })
  const catalog = await registry.catalog(repos, { progress: (e) => events.push(e) })
  for (const image of served.images) {
    const [repository, tag] = [image.reference.slice(0, image.reference.lastIndexOf(':')), image.reference.slice(image.reference.lastIndexOf(':') + 1)]
    const info = catalog.images(repository).find((i) => i.tag === tag)
    assert.ok(info, image.reference)
    assert.equal(info.digest, image.digest, image.reference)
    assert.equal(info.created, image.created, image.reference)
  }
  assert.deepEqual(registry.requests(), { tagLists: 2, manifests: 6, blobs: 4, tokens: 0, total: 12 })
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(events.filter((e) => e.event === 'listed').length, 2)
  assert.deepEqual(events.filter((e) => e.event === 'fetched').map((e) => e.tag).sort(), ['1.0.0', '1.1.0', 'main-1', 'main-2'])

  const warm = new Registry({ credentials: null, cacheDir: path.join(root, 'cache') })
  await warm.catalog(repos)
  assert.deepEqual(warm.requests(), { tagLists: 2, manifests: 0, blobs: 0, tokens: 0, total: 2 })
})

test('catalog: a missing repository rejects with registry_not_found', async () => {
  await assert.rejects(new Registry({ credentials: null }).catalog([`${served.host}/acme/nothing`]), (e) => {
    assert.equal(e.code, 'registry_not_found')
    assert.match(e.message, new RegExp(`http://${served.host}/v2/acme/nothing/tags/list`))
    return true
  })
})

test('catalog: a hanging registry times out without blocking the event loop', async () => {
  const held = []
  const hanging = net.createServer((socket) => held.push(socket))
  hanging.listen(0, '127.0.0.1')
  await once(hanging, 'listening')
  let ticks = 0
  const timer = setInterval(() => ticks++, 20)
  try {
    await assert.rejects(
      new Registry({ credentials: null, timeout: 1 }).catalog([`127.0.0.1:${hanging.address().port}/acme/users`]),
      (e) => e.code === 'registry_unavailable' && /no answer within 1 s/.test(e.message),
    )
  } finally {
    clearInterval(timer)
    for (const s of held) s.destroy()
    hanging.close()
  }
  assert.ok(ticks >= 10, `the event loop ran ${ticks} timer ticks while the registry hung`)
})

test('options and arguments are checked', () => {
  for (const bad of [{ credentials: 'nope' }, { credentials: { token: 'a', dockerConfig: 'b' } }, { concurrency: 0 }, { timeout: -1 }]) {
    assert.throws(() => new Registry(bad), (e) => e.code === 'invalid_argument', JSON.stringify(bad))
  }
  return assert.rejects(new Registry({ credentials: null }).catalog(['acme/users:1.0']), (e) => e.code === 'invalid_argument')
})

test('snapshot.repositories names what to ask for', () => {
  const deployment = (image) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: users\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${image}\n`
  const snapshot = Snapshot.fromFiles({ 'users.yaml': deployment(`${served.host}/acme/users:1.0.0`) })
  assert.deepEqual(snapshot.repositories(), [`${served.host}/acme/users`])
})
