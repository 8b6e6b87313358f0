// Type-checked (not run) against index.d.ts by `tsc --noEmit -p test/tsconfig.json`: what a
// TypeScript user writes, through the package's own name and its `exports`.

import {
  Catalog,
  Config,
  History,
  ImageRef,
  Registry,
  Repository,
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
  vocabularies,
} from 'relman'
import type {
  ErrorCode,
  HistorySource,
  ImageSlot,
  MoveCause,
  PointerMove,
  Policy,
  Reason,
  ReleasePlan,
  ReleaseRecord,
  RelmanError,
  Selection,
  SlotKind,
  Status,
  WorkloadResult,
} from 'relman'

declare const text: string

const image: ImageRef = ImageRef.parse('acme/users:1.4.0')
const parts: [string, string, string | null, string | null, string] = [image.domain, image.path, image.tag, image.digest, image.name]
const shown: string = `${image.toString()} ${parts.join()}`

const filter = TagFilter.parse('semver:^1')
const ok: boolean = filter.matches('1.4.0') && filter.matches('1', 'loose')
const selection: Selection = filter.select([{ tag: '1.4.0', created: new Date() }, { tag: '1.5.0', created: '2026-11-01T10:00:00Z', digest: null }])
const order: number | null = filter.compare({ tag: '1.4.0' }, { tag: '1.5.0' }, 'strict')

const slots: ImageSlot[] = listImages(text, { defaultNamespace: 'web', path: 'envs/web/users.yaml' })
const kind: SlotKind = slots[0].kind
const line: number = slots[0].line
const edited: string = setImage(text, 'deployment/users', 'app', 'acme/users:1.4.0', { defaultNamespace: 'web' })
const policed: string = updatePolicy(edited, 'deployment/users', { add: { automated: 'true' }, remove: ['locked'] })
const policy: Policy = readPolicy(policed, 'deployment/users', { defaultNamespace: 'web' })
const automated: boolean = policy.automated && policy.tagFilters['app'] !== undefined

const config = Config.parse(text)
const modes: string[] = config.environments.map((e) => `${e.name}:${e.release}:${e.lock?.until ?? 'never'}`)
const locked: string = lockEnvironment(text, 'production', { reason: 'freeze', by: 'alice', until: new Date() })
const unlocked: string = unlockEnvironment(locked, 'production')

const catalog = new Catalog()
catalog.add('acme/users', '1.4.0', { created: new Date(), digest: 'sha256:...' })
catalog.add('acme/users', '1.5.0')

const snapshot: Snapshot = Snapshot.fromFiles({ 'relman.yaml': text })
const revision: string | null = Snapshot.fromDir('.').revision ?? Snapshot.fromGit('.', 'HEAD').revision

const plan: ReleasePlan = planRelease(snapshot, {
  environment: 'production',
  services: ['users'],
  image: 'promote',
  exclude: [],
  force: false,
  lock: true,
  user: 'alice <alice@example.com>',
  message: null,
  catalog,
  history: ['commit message', parseReleaseRecord('Release...') ?? 'nothing'],
  now: new Date(),
})
const parsed: ReleaseRecord | null = parseReleaseRecord('Release...')
const all: ReleasePlan = planRelease(snapshot, { environment: 'staging', services: 'all' })
const results: WorkloadResult[] = plan.results
const status: Status = results[0].status
const reason: Reason | null = results[0].reason
const noop: boolean = plan.isNoop && all.changes.every((c) => c.before !== c.after)
const message: string = plan.commitMessage
const plans: ReleasePlan[] = planAutomation(snapshot, { catalog, now: '2026-11-27T12:00:00Z' })

const repo = Repository.open('/srv/config.git')
const head: string = repo.branchHead('main')
const history: History = repo.history('main', { environment: 'production', limit: 10 })
const moves: PointerMove[] = history.moves
const cause: MoveCause = moves[0].cause
const warnings: string[] = history.warnings
const fromTrees: History = History.fromCommits([{ message: 'Release', snapshot }], null)
const believed: History = History.fromMessages(['Release...'])
const rollbackTo: string | null = fromTrees.previous('staging', 'staging:deployment/users', 'app', 'acme/users:1.4.0')
planRelease(snapshot, { environment: 'staging', history: believed })
const committed: string = repo.commit(plan, { branch: 'main', expectedHead: head, author: 'Bot <bot@example.com>' })
const released: string | null = repo.releaseWithRetry({
  branch: 'main',
  author: 'Bot <bot@example.com>',
  attempts: 3,
  plan: (s, history) => planRelease(s, { environment: 'production', image: 'acme/users:1.4.0', history }),
})

try {
  setImage(text, 'deployment/users', 'app', 'not a reference')
} catch (e) {
  const err = e as RelmanError
  const code: ErrorCode = err.code
  const where: string = `${err.path ?? '-'}:${err.line ?? 0}:${err.column ?? 0} ${err.actualHead ?? ''} ${err.message}`
  void [code, where]
}

// services: 'all', one name as text, or a list
planRelease(snapshot, { environment: 'production', services: 'users' })
// @ts-expect-error: services is text or a list of names
planRelease(snapshot, { environment: 'production', services: 42 })
const source: HistorySource = history.source
const codes: Array<string> | undefined = vocabularies().ErrorKind
// @ts-expect-error: status is a closed union
const wrong: Status = 'done'

// The registry: options all optional, credentials 'docker-config', null or an object; a Promise.
const registry = new Registry({ credentials: null, cacheDir: '.cache', insecure: ['registry.local:5000'], concurrency: 4 })
new Registry({ credentials: { username: 'ci', password: 'pw' } })
new Registry()
const pending: Promise<Catalog> = registry.catalog(snapshot.repositories(), {
  progress: (e) => {
    const kind: 'listed' | 'fetched' = e.event
    void kind
  },
})
const requestCount: number = registry.requests().total
// @ts-expect-error: credentials are not a number
new Registry({ credentials: 5 })

export const used = [pending, requestCount, shown, ok, status, reason, selection, order, kind, line, automated, modes, unlocked, revision, noop, message, plans, committed, history, moves, parsed, cause, warnings, rollbackTo, released, wrong, source, codes]
