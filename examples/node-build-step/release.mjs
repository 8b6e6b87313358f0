#!/usr/bin/env node
// relman build step: what a Node build tool runs after it has built and pushed an image.
//
//   node examples/node-build-step/release.mjs release --env staging --image acme/users:1.5.0 [--dry-run]
//
// It plans the release with relman (the image goes to every container of the environment that
// runs the same repository, within the policies: filters, locks, the promotion gate), prints
// the plan, and commits it to the config repo:
//
// - a bare repository (a CI cache, a bot's clone): relman commits with compare-and-swap and
//   re-plans when another writer moved the branch meanwhile (`releaseWithRetry`);
// - a work tree (the build's own checkout): relman cannot move a checked-out branch, so the
//   plan's file changes are written there and committed with the git command line.
//
// Pushing stays the pipeline's job (`git push`, which is itself a compare-and-swap).
//
// Options: --repo PATH (default $RELMAN_CONFIG_REPO or the current folder), --branch (main),
// --services a,b (default: all), --author "Name <email>", --message TEXT, --lock, --force,
// --override-environment-lock (with --force: release despite an environment lock), --dry-run,
// --json (print the plan as JSON). Exit status: 0 released or nothing to release,
// 1 an error (its relman code is printed), 2 a usage error.

import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { parseArgs } from 'node:util'

const require = createRequire(import.meta.url)

/** The `relman` npm package when installed, else the binding built in this repository. */
function loadRelman() {
  try {
    return require('relman')
  } catch {
    return require('../../bindings-node/index.js')
  }
}

const USAGE = `usage: release.mjs release --env ENV --image IMAGE [--repo PATH] [--branch main]
                      [--services a,b] [--author "Name <email>"] [--message TEXT]
                      [--lock] [--force [--override-environment-lock]] [--dry-run] [--json]`

function usage(message) {
  console.error(`release: ${message}\n${USAGE}`)
  process.exit(2)
}

function parse(argv) {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        env: { type: 'string' },
        image: { type: 'string' },
        repo: { type: 'string', default: process.env.RELMAN_CONFIG_REPO || '.' },
        branch: { type: 'string', default: 'main' },
        services: { type: 'string', default: 'all' },
        author: { type: 'string', default: process.env.RELMAN_AUTHOR || 'relman build step <build@localhost>' },
        message: { type: 'string' },
        lock: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        'override-environment-lock': { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (err) {
    usage(err.message)
  }
  const { values, positionals } = parsed
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  if (positionals.length !== 1 || positionals[0] !== 'release') usage('the command is `release`')
  if (!values.env) usage('--env is required')
  if (!values.image) usage('--image is required')
  return values
}

function git(cwd, ...args) {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

function printPlan(plan) {
  const rows = [['WORKLOAD', 'CONTAINER', 'FROM', 'TO', 'STATUS', 'REASON']]
  const notes = new Set()
  for (const r of plan.results) {
    for (const u of r.updates) rows.push([r.workload, u.container, u.from, u.to, r.status, r.reason ?? ''])
    for (const s of r.skipped) {
      rows.push([r.workload, s.container, '', '', r.status, s.reason])
      notes.add(`${s.reason}: ${s.message}`)
    }
    if (!r.updates.length && !r.skipped.length) {
      rows.push([r.workload, '*', '', '', r.status, r.reason ?? ''])
      if (r.status !== 'success') notes.add(`${r.reason}: ${r.message}`)
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)))
  console.log(`${plan.environment} (${plan.kind}): ${plan.commitMessage.split('\n')[0]}`)
  for (const row of rows) console.log('  ' + row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd())
  for (const note of notes) console.log(`  why  ${note}`)
  for (const warning of plan.warnings) console.log(`  warning  ${warning}`)
}

function planFor(relman, options, snapshot, history) {
  return relman.planRelease(snapshot, {
    environment: options.env,
    image: options.image,
    services: options.services === 'all' ? 'all' : options.services.split(',').map((s) => s.trim()).filter(Boolean),
    lock: options.lock || undefined,
    force: options.force,
    overrideEnvironmentLock: options['override-environment-lock'],
    user: options.author,
    message: options.message,
    history,
  })
}

function isBare(repo) {
  return git(repo, 'rev-parse', '--is-bare-repository') === 'true'
}

/** A work tree: plan on the committed branch, write the changes, commit with git. */
function releaseInWorkTree(relman, options, repo) {
  const top = git(repo, 'rev-parse', '--show-toplevel')
  const current = git(top, 'symbolic-ref', '--quiet', '--short', 'HEAD')
  if (current !== options.branch) throw new Error(`${top} has ${current} checked out, not ${options.branch}`)
  const handle = relman.Repository.open(top)
  const snapshot = handle.snapshot(options.branch)
  const plan = planFor(relman, options, snapshot, handle.history(options.branch))
  if (options['dry-run'] || plan.isNoop) return { plan, commit: null }
  for (const change of plan.changes) {
    const file = path.join(top, change.path)
    if (fs.readFileSync(file, 'utf8') !== change.before) {
      throw new Error(`${change.path} has local changes: commit or stash them, then release again`)
    }
  }
  for (const change of plan.changes) fs.writeFileSync(path.join(top, change.path), change.after)
  const [, name, email] = /^(.*?)\s*<(.*)>$/.exec(options.author) ?? usage('--author must look like "Name <email>"')
  git(top, 'add', '--', ...plan.changes.map((c) => c.path))
  execFileSync('git', ['-c', `user.name=${name}`, '-c', `user.email=${email}`, 'commit', '--quiet', '--cleanup=verbatim', '-F', '-', '--', ...plan.changes.map((c) => c.path)], {
    cwd: top,
    input: plan.commitMessage,
    stdio: ['pipe', 'ignore', 'pipe'],
  })
  return { plan, commit: git(top, 'rev-parse', 'HEAD') }
}

/** A bare repository: compare-and-swap commit, re-planned on conflict. */
function releaseInBareRepo(relman, options, repo) {
  const handle = relman.Repository.open(repo)
  if (options['dry-run']) {
    const snapshot = handle.snapshot(options.branch)
    return { plan: planFor(relman, options, snapshot, handle.history(options.branch)), commit: null }
  }
  let plan = null
  const commit = handle.releaseWithRetry({
    branch: options.branch,
    author: options.author,
    plan: (snapshot, history) => (plan = planFor(relman, options, snapshot, history)),
  })
  return { plan, commit }
}

function main() {
  const options = parse(process.argv.slice(2))
  const relman = loadRelman()
  const repo = path.resolve(options.repo)
  try {
    const { plan, commit } = isBare(repo) ? releaseInBareRepo(relman, options, repo) : releaseInWorkTree(relman, options, repo)
    if (options.json) console.log(JSON.stringify(plan, null, 2))
    else printPlan(plan)
    if (options['dry-run']) console.log('dry run: nothing committed')
    else if (commit) console.log(`committed ${commit} on ${options.branch}`)
    else console.log('nothing to release')
  } catch (err) {
    console.error(err.code ? `release: error[${err.code}]: ${err.message}` : `release: ${err.message}`)
    process.exit(1)
  }
}

main()
