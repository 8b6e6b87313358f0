// The npm package's `relman` bin from a fresh install: `npm pack`, then `npm install` of the
// tarball into an empty project, then `relman --version` and real commands on a config repo
// made here; and the addon's glibc requirement (no symbol version above GLIBC_2.17).

import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import relman from '../index.js'

const PACKAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const VERSION = JSON.parse(fs.readFileSync(path.join(PACKAGE, 'package.json'), 'utf8')).version

function run(command, args, cwd) {
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: cwd }
  delete env.NO_COLOR
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 })
}

function configRepo(dir) {
  fs.mkdirSync(path.join(dir, 'staging'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'relman.yaml'), 'environments:\n  staging: {path: staging, release: automatic}\n')
  fs.writeFileSync(
    path.join(dir, 'staging', 'users.yaml'),
    'kind: Deployment\nmetadata:\n  name: users\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: acme/users:1.3.0  # pinned\n',
  )
  for (const args of [['init', '-q', '-b', 'main'], ['config', 'user.name', 'Alice'], ['config', 'user.email', 'a@example.com'], ['add', '.'], ['commit', '-q', '-m', 'init']]) {
    assert.equal(run('git', args, dir).status, 0)
  }
  return dir
}

test('the addon exports the command as main(argv)', () => {
  assert.equal(relman.main(['relman', '--version']), 0)
  assert.equal(relman.main(['relman', '--no-such-flag']), 2)
})

test('a fresh install of the packed package gives the relman bin', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'relman-npm-'))
  try {
    const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', tmp], { cwd: PACKAGE, encoding: 'utf8' }).trim().split('\n').pop()
    const project = path.join(tmp, 'project')
    fs.mkdirSync(project)
    fs.writeFileSync(path.join(project, 'package.json'), '{"name": "consumer", "private": true}\n')
    execFileSync('npm', ['install', '--silent', '--no-audit', '--no-fund', '--offline', path.join(tmp, packed)], { cwd: project })
    const bin = path.join(project, 'node_modules', '.bin', 'relman')
    assert.ok(fs.existsSync(bin), 'the package installs the relman bin')

    let out = run(bin, ['--version'], tmp)
    assert.equal(out.status, 0, out.stderr)
    assert.equal(out.stdout.trim(), `relman ${VERSION}`)

    const repo = configRepo(path.join(tmp, 'config'))
    out = run(bin, ['status', '--json'], repo)
    assert.equal(out.status, 0, out.stderr)
    assert.equal(JSON.parse(out.stdout).environments[0].workloads[0].containers[0].image, 'acme/users:1.3.0')
    out = run(bin, ['release', '--env', 'staging', '--image', 'acme/users:1.4.0', '--commit'], repo)
    assert.equal(out.status, 0, out.stderr)
    assert.match(fs.readFileSync(path.join(repo, 'staging', 'users.yaml'), 'utf8'), /acme\/users:1\.4\.0 {2}# pinned/)
    out = run(bin, ['status', '--env', 'nope'], repo)
    assert.equal(out.status, 1)
    assert.match(out.stderr, /^relman: error\[unknown_environment\]/)
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
})

test('the addon needs no glibc newer than 2.17 (manylinux2014)', () => {
  const addon = fs.readdirSync(PACKAGE).find((f) => f.endsWith('.node'))
  assert.ok(addon, 'the addon is built')
  const symbols = execFileSync('objdump', ['-T', path.join(PACKAGE, addon)], { encoding: 'utf8', maxBuffer: 64 << 20 })
  const versions = [...symbols.matchAll(/GLIBC_(\d+)\.(\d+)(?:\.(\d+))?/g)].map((m) => [Number(m[1]), Number(m[2])])
  assert.ok(versions.length > 0, 'the addon links glibc')
  const newest = versions.reduce((a, b) => (a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]) ? a : b))
  assert.ok(newest[0] === 2 && newest[1] <= 17, `the addon needs GLIBC_${newest.join('.')}`)
})
