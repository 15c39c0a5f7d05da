/**
 * `npm start`: runs the whole stack on this machine, each service in its own process
 * on its own port, prints their URLs once every one is up, and stops them all on
 * Ctrl-C (or when one of them dies: a half-started stack helps nobody).
 *
 *   npm start                        everything
 *   npm start -- --only sandboxes    one group (sandboxes, subgraphs, gateway)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError, envPort } from '../lib/env.js';
import { portProblem } from '../lib/listen.js';
import { chooseLogFormat, prettyLines } from '../lib/logFormat.js';
import { prepareDevAuth } from './devAuth.js';
import { GROUP_ORDER, STACK, type ServiceGroup, type ServiceSpec } from './stack.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LISTENING = /listening on (https?:\/\/\S+)/;
const START_TIMEOUT_MS = 120_000;

interface Running {
  spec: ServiceSpec;
  child: ChildProcess;
  url: Promise<string>;
}

function parseGroups(argv: string[]): Set<ServiceGroup> {
  const index = argv.indexOf('--only');
  if (index === -1) return new Set(GROUP_ORDER);
  const groups = (argv[index + 1] ?? '').split(',').filter(Boolean);
  for (const group of groups) {
    if (!GROUP_ORDER.includes(group as ServiceGroup)) {
      console.error(`--only: unknown group "${group}"; known: ${GROUP_ORDER.join(', ')}`);
      process.exit(2);
    }
  }
  return new Set(groups as ServiceGroup[]);
}

/** The services' JSON log lines, shown pretty when this terminal is a TTY in development (lib/logFormat.ts; LOG_FORMAT=json|pretty decides otherwise). Set in main(). */
let show: (line: string) => string = (line) => line;

function prefixLines(name: string, stream: NodeJS.ReadableStream, out: NodeJS.WriteStream, onLine: (line: string) => void): void {
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      out.write(`${name.padEnd(17)}| ${show(line)}\n`);
      onLine(line);
    }
  });
}

function startService(spec: ServiceSpec, urls: Record<string, string>): Running {
  // Empty values mean "not known" (a group that was not started): leave the default.
  const extra = Object.fromEntries(Object.entries(spec.env?.(urls, process.env) ?? {}).filter(([, value]) => value !== ''));
  // tsx's ESM loader only: our code is ESM, and tsx's CommonJS hook would put every
  // require() that dependencies make while serving (Apollo Server requires 'crypto' on
  // every request) through tsx's resolver.
  const child = spawn(process.execPath, ['--import', 'tsx/esm', spec.entry], {
    cwd: ROOT,
    env: { ...process.env, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${spec.name} did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    const onLine = (line: string): void => {
      const match = LISTENING.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    prefixLines(spec.name, child.stdout!, process.stdout, onLine);
    prefixLines(spec.name, child.stderr!, process.stderr, onLine);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${spec.name} exited (${signal ?? `code ${code}`}) before it was ready`));
    });
  });
  return { spec, child, url };
}

/**
 * Every port the services of `groups` will listen on, checked before any starts: a busy one
 * is one line naming its variable, and nothing is started (a gateway failing on :4000 after
 * six services came up helps nobody).
 */
async function portProblems(groups: Set<ServiceGroup>): Promise<string[]> {
  const problems: string[] = [];
  for (const spec of STACK) {
    if (!groups.has(spec.group)) continue;
    const { portVariable, defaultPort, hostVariable } = spec.listen;
    let port: number;
    try {
      port = envPort(process.env, portVariable, defaultPort);
    } catch (error) {
      problems.push((error as Error).message);
      continue;
    }
    const problem = await portProblem(portVariable, port, process.env[hostVariable] || '127.0.0.1');
    if (problem) problems.push(problem);
  }
  return problems;
}

async function main(): Promise<void> {
  const groups = parseGroups(process.argv.slice(2));
  if (chooseLogFormat(process.env, process.stdout.isTTY === true) === 'pretty') show = prettyLines(process.stdout.hasColors?.() ?? false);
  const busy = await portProblems(groups);
  if (busy.length > 0) {
    for (const problem of busy) console.error(`npm start: ${problem} (nothing was started)`);
    process.exit(1);
  }
  // Development credentials (scripts/devAuth.ts): the gateway's verification key, a dev
  // token, and this run's gateway-to-subgraph secret, for every service started below.
  const devAuth = await prepareDevAuth(ROOT, process.env);
  Object.assign(process.env, devAuth.env);
  const running: Running[] = [];
  let stopping = false;

  const stopAll = async (exitCode: number): Promise<never> => {
    stopping = true;
    const alive = running.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
    await Promise.all(
      alive.map(
        (r) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              console.error(`${r.spec.name} did not stop within 10 s of SIGTERM; killing it (SIGKILL).`);
              r.child.kill('SIGKILL');
            }, 10_000);
            r.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            r.child.kill('SIGTERM');
          }),
      ),
    );
    console.log('\nEvery process of the stack has stopped.');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const urls: Array<[string, string]> = [];
  const urlByName: Record<string, string> = {};
  for (const group of GROUP_ORDER) {
    if (!groups.has(group)) continue;
    const started = STACK.filter((s) => s.group === group).map((spec) => startService(spec, urlByName));
    running.push(...started);
    for (const r of started) {
      r.child.once('exit', (code, signal) => {
        if (stopping) return;
        console.error(`\n${r.spec.name} stopped (${signal ?? `code ${code}`}); stopping the rest of the stack.`);
        void stopAll(1);
      });
    }
    try {
      for (const r of started) {
        const url = await r.url;
        urls.push([r.spec.name, url]);
        urlByName[r.spec.name] = url;
      }
    } catch (error) {
      console.error(`\n${(error as Error).message}; stopping the rest of the stack.`);
      await stopAll(1);
    }
  }

  const width = Math.max(...urls.map(([name]) => name.length));
  console.log('\nThe stack is up:');
  for (const [name, url] of urls) console.log(`  ${name.padEnd(width)}  ${url}`);
  if (urlByName.gateway) {
    const problem = await gatewayReady(urlByName.gateway);
    if (problem) console.warn(`\nThe gateway is up but not ready: ${problem}`);
    console.log(`\nPlayground: ${urlByName.gateway} (open it in a browser; it sends the development token below)`);
    if (devAuth.token) {
      console.log(`\nDevelopment token (every scope, 12 h; also in ${devAuth.tokenFile}):\n  Authorization: Bearer ${devAuth.token}`);
    }
  }
  console.log('\nPress Ctrl-C to stop every process.');
}

/**
 * Waits (up to 30 s) for the gateway's /ready to say `ready`: supergraph loaded and every
 * subgraph answering (`degraded` names those that do not). Returns why it is not ready,
 * or undefined once it is.
 */
async function gatewayReady(graphqlUrl: string): Promise<string | undefined> {
  const readyUrl = new URL('/ready', graphqlUrl).toString();
  const deadline = Date.now() + 30_000;
  let problem = 'no answer from /ready';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(readyUrl, { signal: AbortSignal.timeout(5000) });
      const text = await response.text();
      if (response.ok && (JSON.parse(text) as { status?: string }).status === 'ready') return undefined;
      problem = text;
    } catch (error) {
      problem = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return problem;
}

main().catch((error: unknown) => {
  // A bad setting (LOG_FORMAT, a port variable) is one line naming it.
  if (error instanceof ConfigError) console.error(`npm start: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
