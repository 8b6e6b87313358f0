// The examples of the README's `## Node` section, run as written. The ```js blocks that use
// `require(` run alone as CommonJS; the others run in order as one ES module (later blocks use
// what earlier ones defined, as a reader would). They run in a scratch folder where `relman`
// resolves to this package and `config.git` is a bare clone of the config repo the examples
// describe (the same files as their `Snapshot.fromFiles`).

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import test from 'node:test'
import { fileURLToPath } from 'node:url'

const PACKAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const README = path.resolve(PACKAGE, '../README.md')

/** The ```js blocks of the README's `## Node` section. */
function nodeBlocks() {
  const text = fs.readFileSync(README, 'utf8')
  const start = text.indexOf('\n## Node\n')
  assert.ok(start >= 0, 'README.md has no "## Node" section')
  const next = text.indexOf('\n## ', start + 1)
  const section = text.slice(start, next < 0 ? undefined : next)
  return [...section.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1])
}

const USERS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: users
  namespace: NAMESPACE
spec:
  template:
    spec:
      containers:
        - name: app   # the users service
          image: "acme/users:1.3.0"
`

/** A scratch folder with `node_modules/relman` and the bare repository `config.git`. */
function scratch(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relman-node-readme-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  fs.mkdirSync(path.join(dir, 'node_modules'))
  fs.symlinkSync(PACKAGE, path.join(dir, 'node_modules', 'relman'), 'dir')

  const work = path.join(dir, 'work')
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir }
  const git = (cwd, ...args) => execFileSync('git', ['-C', cwd, '-c', 'user.name=CI', '-c', 'user.email=ci@example.com', ...args], { env })
  const files = {
    'relman.yaml':
      'environments:\n  staging: {path: envs/staging, release: automatic}\n  production: {path: envs/production, promoteFrom: staging}\n',
    'envs/staging/users.yaml': USERS.replace('NAMESPACE', 'staging'),
    'envs/production/users.yaml': USERS.replace('NAMESPACE', 'prod'),
  }
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true })
    fs.writeFileSync(path.join(work, file), text)
  }
  git(work, 'init', '-q', '-b', 'main')
  git(work, 'add', '.')
  git(work, 'commit', '-q', '-m', 'Config repo')
  git(dir, 'clone', '-q', '--bare', work, 'config.git')
  return dir
}

function run(dir, file, code) {
  fs.writeFileSync(path.join(dir, file), code)
  try {
    execFileSync(process.execPath, [file], { cwd: dir, stdio: 'pipe' })
  } catch (e) {
    assert.fail(`${file} failed:\n${e.stderr}\n--- code ---\n${code}`)
  }
}

test('the README Node examples run', (t) => {
  const blocks = nodeBlocks()
  assert.ok(blocks.length >= 4, `only ${blocks.length} js blocks in the Node section`)
  const dir = scratch(t)
  const modules = blocks.filter((b) => !b.includes('require('))
  const scripts = blocks.filter((b) => b.includes('require('))
  assert.ok(scripts.length > 0, 'the Node section shows require()')
  run(dir, 'readme.mjs', modules.join('\n'))
  scripts.forEach((code, i) => run(dir, `readme-${i}.cjs`, code))
  t.diagnostic(`${modules.length} ES module blocks and ${scripts.length} CommonJS blocks ran`)
})
