// The Node side of compare.py (run by it; prints one JSON object): on the same stream and the
// same edit tasks, relman through the Node binding against the npm `yaml` Document API.
//
//     node benches/compare/compare.mjs --stream FILE [--rounds N] [--peers] [--tasks FILE.json]
//
// Listing: relman `listImages` of the whole stream (the time of every round, the best is the
// figure), and with `--peers` `yaml.parseAllDocuments` of it (the Document API's load; a peer
// must load before it can find an image). Editing (with `--tasks`): for every task (one corpus
// file, one container), `setImage`, and for `yaml` parseAllDocuments + set the container's
// image in the node tree + toString of every document; the output texts go back to
// compare.py, which diffs them against the intended text. compare.py runs this script once per
// stream and more than once per stream (a fresh process each time: Node's listing rate was seen
// to differ from one process to the next, see benches/RESULTS.md).

import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import YAML from 'yaml'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(HERE, '../..')
const relman = createRequire(import.meta.url)(path.join(ROOT, 'bindings-node'))
const { values } = parseArgs({
  options: {
    stream: { type: 'string' },
    tasks: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    peers: { type: 'boolean', default: false },
  },
})
const stream = fs.readFileSync(values.stream, 'utf8')
const tasks = values.tasks ? JSON.parse(fs.readFileSync(values.tasks, 'utf8')) : []
const rounds = Number(values.rounds)

/** [best seconds, the last result, every round's seconds] of `n` calls of `fn`. */
function best(fn, n) {
  const times = []
  let out
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint()
    out = fn()
    times.push(Number(process.hrtime.bigint() - t) / 1e9)
  }
  return [Math.min(...times), out, times]
}

const bytes = Buffer.byteLength(stream)
const [relmanList, slots, relmanRounds] = best(() => relman.listImages(stream), rounds)
const [yamlLoad] = values.peers ? best(() => YAML.parseAllDocuments(stream), 1) : [null]

// The container `name` under a `containers` (or `initContainers`) sequence, anywhere below.
function findContainer(node, key, name) {
  if (YAML.isMap(node)) {
    for (const pair of node.items) {
      const k = YAML.isScalar(pair.key) ? pair.key.value : pair.key
      if (k === key && YAML.isSeq(pair.value)) {
        for (const item of pair.value.items) {
          if (YAML.isMap(item) && item.get('name') === name && item.has('image')) return item
        }
      }
      const found = findContainer(pair.value, key, name)
      if (found) return found
    }
  } else if (YAML.isSeq(node)) {
    for (const item of node.items) {
      const found = findContainer(item, key, name)
      if (found) return found
    }
  }
  return null
}

function objects(doc) {
  const root = doc.contents
  if (!YAML.isMap(root)) return []
  const kind = String(root.get('kind') ?? '')
  const items = root.get('items')
  if (kind.endsWith('List') && YAML.isSeq(items)) return items.items.filter((i) => YAML.isMap(i))
  return [root]
}

function yamlEdit(text, task) {
  const docs = YAML.parseAllDocuments(text)
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(doc.errors[0].message)
    for (const obj of objects(doc)) {
      const meta = obj.get('metadata')
      if (String(obj.get('kind') ?? '').toLowerCase() !== task.kind) continue
      if (!YAML.isMap(meta) || meta.get('name') !== task.name) continue
      const c = findContainer(obj, task.key, task.container)
      if (c) {
        c.set('image', task.new_image)
        return docs.map((d) => d.toString()).join('')
      }
    }
  }
  throw new Error('container not found')
}

const edits = { relman: { seconds: 0, outputs: [] }, yaml: { seconds: 0, outputs: [] } }
for (const task of tasks) {
  const text = task.text
  let t = process.hrtime.bigint()
  let out
  try {
    out = relman.setImage(text, task.workload, task.container, task.new_image)
  } catch (e) {
    out = null
  }
  edits.relman.seconds += Number(process.hrtime.bigint() - t) / 1e9
  edits.relman.outputs.push(out)
  t = process.hrtime.bigint()
  try {
    out = yamlEdit(text, task)
  } catch (e) {
    out = null
  }
  edits.yaml.seconds += Number(process.hrtime.bigint() - t) / 1e9
  edits.yaml.outputs.push(out)
}

console.log(
  JSON.stringify({
    node: process.version,
    yaml: createRequire(import.meta.url)('yaml/package.json').version,
    bytes,
    slots: slots.length,
    // V8 keeps a string read from UTF-8 in one byte per character when every character is
    // Latin-1, else in two (UTF-16); the binding converts either to UTF-8.
    two_byte: /[^\u0000-\u00ff]/.test(stream),
    list: { relman: relmanList, relman_rounds: relmanRounds, yaml_parseAllDocuments: yamlLoad },
    edits,
  }),
)
