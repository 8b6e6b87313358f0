// `new Registry(options)` without a registry: the option rules are core's
// (relman::registry::RegistryOptions::with_*, Credentials::from_argument), so each refusal is
// `invalid_argument` with core's message, the option named as JavaScript spells it. The calls
// against a real registry are in examples/e2e/registry.test.mjs.

import assert from 'node:assert/strict'
import test from 'node:test'

import { Registry } from 'relman'

test('registry options: each refusal has its code and core message', () => {
  const bad = [
    [{ credentials: 'nope' }, 'credentials: "nope" is no credentials name (the only one is "docker-config")'],
    [{ credentials: '' }, '"" is no credentials name'],
    [{ credentials: { token: 'a', dockerConfig: 'b' } }, 'exactly one of a user name and password, a token and a Docker config path, not a token and a Docker config path'],
    [{ credentials: {} }, 'not none'],
    [{ credentials: { username: 'ci' } }, 'credentials: a user name needs a password'],
    [{ credentials: { password: 'pw' } }, 'credentials: a password needs a user name'],
    // Keys that are no field are refused, not ignored (the snake_case spelling included).
    [{ credentials: { token: 'a', docker_config: 'b' } }, 'unknown field "docker_config"'],
    [{ credentials: { username: 'ci', password: 'pw', passwrd: 'x' } }, 'unknown field "passwrd"'],
    [{ concurrency: 0 }, 'concurrency must be a whole number from 1 to 256, not 0'],
    // Whole numbers by core's rule: napi no longer wraps -1 to 4294967295 or truncates 1.5.
    [{ concurrency: -1 }, 'concurrency must be a whole number from 1 to 256, not -1'],
    [{ concurrency: 1.5 }, 'concurrency must be a whole number from 1 to 256, not 1.5'],
    [{ concurrency: NaN }, 'concurrency must be a whole number from 1 to 256, not NaN'],
    [{ concurrency: 257 }, 'concurrency must be a whole number from 1 to 256, not 257'],
    [{ concurrency: 2 ** 32 }, 'concurrency must be a whole number from 1 to 256, not 4294967296'],
    [{ retries: -1 }, 'retries must be a whole number from 0 to 4294967295, not -1'],
    [{ retries: 0.5 }, 'retries must be a whole number from 0 to 4294967295, not 0.5'],
    [{ retries: NaN }, 'retries must be a whole number from 0 to 4294967295, not NaN'],
    [{ retries: Infinity }, 'retries must be a whole number from 0 to 4294967295, not inf'],
    [{ retries: 2 ** 32 }, 'retries must be a whole number from 0 to 4294967295, not 4294967296'],
    // Keys that are no option are refused, not ignored.
    [{ maxage: 60 }, 'RegistryOptions: unknown key "maxage" (did you mean "maxAge"?); the keys are "credentials", "cacheDir", "insecure", "concurrency", "timeout", "movingTags", "maxAge", "retries"'],
    [{ cache_dir: '/tmp/x' }, 'unknown key "cache_dir" (did you mean "cacheDir"?)'],
    [{ timeout: -1 }, 'timeout must be a number of seconds >= 0, not -1'],
    [{ timeout: Infinity }, 'timeout must be a number of seconds >= 0, not inf'],
    [{ maxAge: NaN }, 'maxAge must be a number of seconds >= 0, not NaN'],
    [{ maxAge: -0.5 }, 'maxAge must be a number of seconds >= 0'],
  ]
  for (const [options, message] of bad) {
    assert.throws(
      () => new Registry(options),
      (e) => e.code === 'invalid_argument' && e.message.includes(message),
      JSON.stringify(options),
    )
  }
})

test('registry options: the accepted forms', () => {
  const accepted = [
    undefined,
    {},
    { credentials: undefined },
    { credentials: null },
    { credentials: 'docker-config' },
    { credentials: { username: 'ci', password: 'pw' } },
    { credentials: { username: 'ci', password: 'pw', token: undefined } },
    { credentials: { token: 't0k' } },
    { credentials: { dockerConfig: '/nonexistent/config.json' } },
    { timeout: 0, maxAge: 0, concurrency: 1, retries: 0, movingTags: [] },
    { concurrency: 256, retries: 2 ** 32 - 1 },
    { concurrency: 2, retries: -0 },
  ]
  for (const options of accepted) {
    assert.equal(new Registry(options).requests().total, 0, JSON.stringify(options))
  }
})
