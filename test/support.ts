/**
 * What every kind of test shares: waiting until something is true, and suites that need
 * something npm cannot install (Redis, Chromium, python3, HAProxy, the redis-server program).
 *
 * A suite that needs one of them asks `requireOrSkip` once at the top of its file. When the
 * thing is there, it runs. When it is missing, the suite is skipped with one line naming
 * what is missing, or, with REQUIRE_ALL_SUITES=1 (CI, where nothing may skip), fails with
 * that line as its error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { redisReachable } from './helpers/redisProxy.js';

/**
 * Calls `probe` until it returns something other than undefined or false (that value is
 * returned), or fails after `timeoutMs` naming `what`. An error thrown by the probe counts as
 * "not yet" and is quoted if the wait times out.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export type Requirement = 'redis' | 'chromium' | 'python3' | 'haproxy' | 'redis-server';

/** The Redis the suites use: REDIS_URL, else the usual local one. */
export const TEST_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
/** Where the browser suites find Chromium (Debian's package by default). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const runs = (command: string, args: string[]): boolean => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

/** Why `requirement` is not met here, or undefined when it is. */
export async function missing(requirement: Requirement): Promise<string | undefined> {
  switch (requirement) {
    case 'redis':
      return (await redisReachable(TEST_REDIS_URL)) ? undefined : `no Redis answers at ${TEST_REDIS_URL} (set REDIS_URL or start redis-server)`;
    case 'chromium':
      return existsSync(CHROMIUM_PATH) ? undefined : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
    case 'python3': {
      const python = process.env.PYTHON ?? 'python3';
      return runs(python, ['--version']) ? undefined : `no ${python} on the PATH (apt-get install python3, or set PYTHON)`;
    }
    case 'haproxy':
      return runs('haproxy', ['-v']) ? undefined : 'no haproxy on the PATH (apt-get install haproxy)';
    case 'redis-server':
      // The program itself, for suites that start (and kill) a Redis of their own.
      return runs('redis-server', ['--version']) ? undefined : 'no redis-server on the PATH (apt-get install redis-server)';
  }
}

/**
 * Whether the suite named `suite` can run: true when every requirement is met; otherwise
 * one line is printed and false returned (skip the suite with `describe.runIf`), or, with
 * REQUIRE_ALL_SUITES=1, an error is thrown.
 */
export async function requireOrSkip(suite: string, ...requirements: Requirement[]): Promise<boolean> {
  const reasons = (await Promise.all(requirements.map(missing))).filter((reason): reason is string => reason !== undefined);
  if (reasons.length === 0) return true;
  const line = `${suite} skipped: ${reasons.join('; ')}`;
  if (process.env.REQUIRE_ALL_SUITES === '1') throw new Error(`${line}, and REQUIRE_ALL_SUITES=1 forbids skipping`);
  console.warn(line);
  return false;
}
