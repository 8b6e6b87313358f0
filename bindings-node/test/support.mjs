// Shared helpers of the golden runners: the same rules as the Rust runners in core/tests/.

import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../tests/fixtures')

/** A fixture file's text, bytes exactly as stored (a BOM is kept, as Rust's read_to_string does). */
export function read(file) {
  return fs.readFileSync(file, 'utf8')
}

export function readJson(file) {
  return JSON.parse(read(file))
}

/** The folders under `dir` (recursively) that hold a `case.json`, sorted as Rust sorts paths. */
export function caseDirs(dir) {
  const out = []
  const stack = [dir]
  while (stack.length) {
    const d = stack.pop()
    let entries
    try {
      entries = fs.readdirSync(d, { withFileTypes: true })
    } catch {
      continue
    }
    for (const e of entries) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) stack.push(p)
      else if (e.name === 'case.json') out.push(d)
    }
  }
  return out.sort(comparePaths)
}

/** The folders directly under `dir`, sorted. */
export function childDirs(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(dir, e.name))
    .sort(comparePaths)
}

/** Every file under `dir`, as [path relative to `dir` with `/` separators, text], sorted. */
export function readTree(dir) {
  const out = []
  const stack = [dir]
  while (stack.length) {
    const d = stack.pop()
    let entries
    try {
      entries = fs.readdirSync(d, { withFileTypes: true })
    } catch {
      continue
    }
    for (const e of entries) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) stack.push(p)
      else out.push([path.relative(dir, p).split(path.sep).join('/'), read(p)])
    }
  }
  return out.sort((a, b) => comparePaths(a[0], b[0]))
}

/** Byte order of UTF-8 paths, as Rust sorts `PathBuf`s and `String`s (component-wise for `/`). */
function comparePaths(a, b) {
  const x = a.split(/[\\/]/)
  const y = b.split(/[\\/]/)
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = Buffer.compare(Buffer.from(x[i]), Buffer.from(y[i]))
    if (c !== 0) return c
  }
  return x.length - y.length
}

/**
 * `expected` fields (recursively for objects) all equal in `actual`; arrays must have the same
 * length. Scalars compare with `===` (JSON numbers, strings, booleans, null).
 */
export function subset(expected, actual) {
  if (isObject(expected)) {
    return isObject(actual) && Object.keys(expected).every((k) => k in actual && subset(expected[k], actual[k]))
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length && expected.every((e, i) => subset(e, actual[i]))
  }
  return expected === actual
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/**
 * The fixtures spell fields in snake_case (the Rust serialisation); the Node surface in
 * camelCase. Keys are converted recursively, except inside user-keyed maps such as
 * `tag_filters` (whose keys are container names).
 */
export function camelKeys(value, userMaps = new Set(['tag_filters'])) {
  if (Array.isArray(value)) return value.map((v) => camelKeys(v, userMaps))
  if (!isObject(value)) return value
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [camel(k), userMaps.has(k) ? v : camelKeys(v, userMaps)]),
  )
}

export function camel(key) {
  return key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
}

export function crlf(s) {
  return s.replaceAll('\n', '\r\n')
}

/** What an operation gave: `{ok: value}` or `{error: {code, line, column, message}}`. */
export function outcome(run) {
  try {
    return { ok: run() }
  } catch (e) {
    if (!(e instanceof Error) || typeof e.code !== 'string') throw e
    return { error: { code: e.code, path: e.path ?? null, line: e.line ?? null, column: e.column ?? null, message: e.message } }
  }
}

export function show(o) {
  return JSON.stringify(o, null, 1)?.slice(0, 2000)
}

/** Longest common subsequence length of two line lists. */
function lcs(a, b) {
  let next = new Array(b.length + 1).fill(0)
  for (let i = a.length - 1; i >= 0; i--) {
    const row = new Array(b.length + 1).fill(0)
    for (let j = b.length - 1; j >= 0; j--) {
      row[j] = a[i] === b[j] ? next[j + 1] + 1 : Math.max(next[j], row[j + 1])
    }
    next = row
  }
  return next[0]
}

/** Lines not in the LCS, the larger side's count, over the given line lists. */
function changedOf(a, b) {
  const common = lcs(a, b)
  return Math.max(a.length - common, b.length - common)
}

/**
 * core/tests/fixtures.rs: `split_inclusive('\n')`, each line compared without its `\n`
 * (the caller has already turned CRLF into LF).
 */
export function changedLinesInclusive(a, b) {
  return changedOf(splitInclusive(a), splitInclusive(b))
}

function splitInclusive(s) {
  const out = []
  let start = 0
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\n') {
      out.push(s.slice(start, i).replace(/\n+$/, ''))
      start = i + 1
    }
  }
  if (start < s.length) out.push(s.slice(start))
  return out
}

/** core/tests/config.rs: Rust's `str::lines()` (split on `\n`, one trailing `\r` dropped per line). */
export function changedLinesRust(a, b) {
  return changedOf(rustLines(a), rustLines(b))
}

function rustLines(s) {
  if (s === '') return []
  const parts = s.split('\n')
  if (parts[parts.length - 1] === '') parts.pop()
  return parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
}

/** Run `check` on every item; fail once, listing every failure, as the Rust runners do. */
export function runAll(t, assert, items, name, check) {
  assert.ok(items.length > 0, `no fixture case for ${name}`)
  const failures = []
  for (const item of items) {
    try {
      const err = check(item)
      if (err) failures.push(`${label(item)}: ${err}`)
    } catch (e) {
      failures.push(`${label(item)}: ${e && e.stack ? e.stack : e}`)
    }
  }
  assert.deepStrictEqual(failures, [], `${failures.length} of ${items.length} ${name} failed:\n\n${failures.join('\n\n')}`)
  t.diagnostic(`${items.length} ${name} passed`)
  return items.length
}

function label(item) {
  if (typeof item === 'string') return path.relative(FIXTURES, item) || item
  return JSON.stringify(item).slice(0, 120)
}

// The `make` field (tests/fixtures/README.md): what git cannot hold, made in a copy of files/.

/** A `make` path as bytes: `%XX` is the byte XX (names that are not UTF-8). */
export function decodePath(p) {
  const out = []
  const bytes = Buffer.from(p, 'utf8')
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x25) {
      const hex = bytes.subarray(i + 1, i + 3).toString('latin1')
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Error(`${p}: bad escape %${hex}`)
      out.push(parseInt(hex, 16))
      i += 2
    } else {
      out.push(bytes[i])
    }
  }
  return Buffer.from(out)
}

/**
 * A temporary copy of a case's `files/` with its `make` entries made (symbolic links, FIFOs,
 * files under names that are not UTF-8). Call `close()` when done.
 */
export class MadeTree {
  constructor(files, make) {
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'relman-made-'))
    this.root = path.join(this.tmp, 'files')
    fs.cpSync(files, this.root, { recursive: true })
    this.links = []
    for (const entry of make) {
      const kinds = ['symlink', 'fifo', 'file'].filter((k) => entry[k] !== undefined)
      if (kinds.length !== 1) throw new Error(`a make entry needs one of symlink, fifo, file: ${JSON.stringify(entry)}`)
      const onDisk = Buffer.concat([Buffer.from(this.root + path.sep), decodePath(entry[kinds[0]])])
      const slash = onDisk.lastIndexOf(0x2f)
      fs.mkdirSync(onDisk.subarray(0, slash), { recursive: true })
      if (kinds[0] === 'symlink') {
        fs.symlinkSync(entry.to, onDisk)
        this.links.push([onDisk, entry.to])
      } else if (kinds[0] === 'fifo') {
        // Node has no mkfifo of its own.
        execFileSync('mkfifo', [onDisk.toString('utf8')])
      } else {
        fs.writeFileSync(onDisk, entry.text)
      }
    }
  }

  close() {
    fs.rmSync(this.tmp, { recursive: true, force: true })
  }

  /**
   * Write each change's `after` at its path, as a caller applying a plan would (a write follows
   * links); then check that every link made still leads where it did, and that every file of
   * `files/` holds its `expected/` text when there is one, else its own. Returns an error
   * message or undefined.
   */
  applyAndCheck(changes, files, expected) {
    for (const [p, after] of changes) fs.writeFileSync(path.join(this.root, p), after)
    for (const [link, target] of this.links) {
      if (!fs.lstatSync(link).isSymbolicLink()) return `${link} is no longer a link`
      if (fs.readlinkSync(link) !== target) return `${link} now leads elsewhere`
    }
    for (const [p, text] of files) {
      const want = expected.get(p) ?? text
      if (read(path.join(this.root, p)) !== want) return `after writing the plan's changes, ${p} differs`
    }
  }
}

/**
 * A fresh git repository in a temporary folder (removed after test `t`) holding `files` (path to
 * text) in one commit on `main`, with HEAD detached so that `main` is not checked out. `env` is
 * added to git's environment (e.g. a fixed `GIT_AUTHOR_DATE`). Returns the folder and a `git`
 * function running git there (its output as trimmed text).
 */
export function gitRepository(t, files, { prefix = 'relman-node-', env = {} } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir, ...env }
  const git = (...args) =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=CI', '-c', 'user.email=ci@example.com', ...args], { env: gitEnv })
      .toString()
      .trim()
  git('init', '-q', '-b', 'main')
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    fs.writeFileSync(path.join(dir, file), text)
  }
  git('add', '.')
  git('commit', '-q', '-m', 'init')
  git('checkout', '-q', '--detach')
  return { dir, git }
}
