/**
 * The deployment files, checked offline: the Dockerfile, compose.yaml and the Kubernetes
 * manifests under deploy/k8s/.
 *
 * - Every YAML document parses; every Kubernetes object validates against the API's
 *   schema (kubernetes-models); compose.yaml validates against the Compose
 *   Specification's schema (deploy/schema/compose-spec.json).
 * - Cross-checks that a schema cannot make: each service is started by a name the image's
 *   entry point knows, for the entry point `npm start` uses; every variable a manifest sets
 *   is one that service reads, and the service's own config reader accepts the whole set;
 *   every probe path is one the service serves; every Secret, ConfigMap, Service and port
 *   referenced exists; the image installs production dependencies only, and the code it
 *   runs imports nothing else.
 *
 * Building the image needs a Docker daemon and the base image from a registry, neither of
 * which the test machines have; the Dockerfile is checked as text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../gateway/src/configFile.js';
import { shutdownDrainMs } from '../lib/drain.js';
import { readCrmSandboxConfig } from '../sandboxes/crm/src/config.js';
import { readErpSandboxConfig } from '../sandboxes/erp/src/config.js';
import { readPaymentsSandboxConfig } from '../sandboxes/payments/src/config.js';
import { CONFIGMAP_FILE, supergraphConfigMap } from '../scripts/supergraphConfigMap.js';
import { STACK } from '../scripts/stack.js';
import { readCrmSubgraphConfig } from '../subgraphs/crm/src/config.js';
import { readErpSubgraphConfig } from '../subgraphs/erp/src/config.js';
import { readPaymentsSubgraphConfig } from '../subgraphs/payments/src/config.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const K8S_DIR = join(ROOT, 'deploy/k8s');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const k8sFiles = readdirSync(K8S_DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const k8sObjects: Array<{ file: string; object: Json }> = k8sFiles.flatMap((file) =>
  parseAllDocuments(readFileSync(join(K8S_DIR, file), 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return { file, object: doc.toJS() as Json };
  }),
);
const ofKind = (kind: string): Json[] => k8sObjects.filter((o) => o.object.kind === kind).map((o) => o.object);
const compose = parseYaml(read('compose.yaml'), { merge: true }) as Json;

/** service name -> entry file, as the image's entry point maps them. */
function entryPointServices(): Map<string, string> {
  const script = read('deploy/docker-entrypoint.sh');
  return new Map([...script.matchAll(/^\s*([a-z0-9-]+)\) entry=(\S+) ;;$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** What kind of service a name is, for the routes it serves and the sources it reads. */
function serviceKind(name: string): { kind: 'gateway' | 'subgraph' | 'sandbox'; short: string } {
  if (name === 'gateway') return { kind: 'gateway', short: 'gateway' };
  const [short, kind] = name.split('-') as [string, string];
  if (kind === 'subgraph' || kind === 'sandbox') return { kind, short };
  throw new Error(`no such service: ${name}`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** The variables a service's code names (`env.X`, `'X'` as an argument), and the gateway's schema's x-env. */
function variablesRead(name: string): Set<string> {
  const { kind, short } = serviceKind(name);
  const dirs =
    kind === 'gateway'
      ? ['gateway/src', 'lib']
      : kind === 'subgraph'
        ? [`subgraphs/${short}/src`, 'subgraphs/kit/src', 'lib']
        : [`sandboxes/${short}/src`, 'sandboxes/kit/src', 'lib'];
  const names = new Set<string>(['NODE_ENV', 'NODE_OPTIONS']);
  for (const file of dirs.flatMap(sourceFiles)) {
    const text = read(file);
    for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)\b|'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)) names.add((m[1] ?? m[2])!);
  }
  if (kind === 'gateway') for (const m of read('gateway/config.schema.json').matchAll(/"x-env": "([A-Z0-9_]+)"/g)) names.add(m[1]!);
  return names;
}

/** The routes a service answers GET on, read from the code that serves them. */
function servesPath(name: string, path: string): boolean {
  const { kind } = serviceKind(name);
  if (kind === 'gateway') return read('gateway/src/observability/routes.ts').includes(`path === '${path}'`);
  if (kind === 'subgraph') return read('subgraphs/kit/src/createSubgraphServer.ts').includes(`path === '${path}'`);
  return read('sandboxes/kit/src/createSandboxServer.ts').includes(`'GET ${path}'`);
}

/** Reads a service's configuration from this environment, as the service does at start; throws what it would refuse. */
function readConfigOf(name: string, env: Record<string, string>): void {
  const readers: Record<string, (env: Record<string, string>) => unknown> = {
    gateway: (e) => loadGatewayConfig(e),
    // A subgraph's entry point reads SHUTDOWN_DRAIN_MS beside its config.
    'crm-subgraph': (e) => [readCrmSubgraphConfig(e), shutdownDrainMs(e)],
    'erp-subgraph': (e) => [readErpSubgraphConfig(e), shutdownDrainMs(e)],
    'payments-subgraph': (e) => [readPaymentsSubgraphConfig(e), shutdownDrainMs(e)],
    'crm-sandbox': readCrmSandboxConfig,
    'erp-sandbox': readErpSandboxConfig,
    'payments-sandbox': readPaymentsSandboxConfig,
  };
  readers[name]!(env);
}

/** Test values standing in for the Secrets' placeholders: long enough, and the JWKS URL https as production wants. */
const SECRET_VALUES: Record<string, string> = {
  GATEWAY_SUBGRAPH_SECRET: 's'.repeat(40),
  GATEWAY_SUBGRAPH_SECRET_PREVIOUS: 'p'.repeat(40),
  GATEWAY_INVALIDATION_SECRET: 'i'.repeat(24),
  GATEWAY_INVALIDATION_SECRET_PREVIOUS: 'j'.repeat(24),
  AUTH_JWKS_URL: 'https://issuer.test/.well-known/jwks.json',
  AUTH_PUBLIC_KEY: '',
  METRICS_TOKEN: 'm'.repeat(24),
};

interface Container {
  workload: string;
  service: string;
  env: Record<string, string>;
  container: Json;
  pod: Json;
}

/** Every container of the Deployments that runs the graph360 image, with its env resolved (Secret keys to test values). */
const graph360Containers: Container[] = ofKind('Deployment').flatMap((deployment) =>
  (deployment.spec.template.spec.containers as Json[])
    .filter((c) => String(c.image).startsWith('graph360:'))
    .map((container) => ({
      workload: deployment.metadata.name as string,
      service: (container.args as string[])[0]!,
      pod: deployment.spec.template.spec,
      container,
      env: Object.fromEntries(
        ((container.env ?? []) as Json[]).map((e) => [
          e.name as string,
          e.valueFrom ? (SECRET_VALUES[e.valueFrom.secretKeyRef.key as string] ?? '') : String(e.value),
        ]),
      ),
    })),
);

/** compose.yaml's services that run the image, with `${VAR:?...}` and `${VAR:-default}` resolved to test values. */
const composeServices = Object.entries(compose.services as Record<string, Json>)
  .filter(([, service]) => service.image === 'graph360:0.1.0')
  .map(([name, service]) => ({
    name,
    service,
    command: (service.command as string[])[0]!,
    env: Object.fromEntries(
      Object.entries((service.environment ?? {}) as Record<string, string>).map(([key, value]) => [
        key,
        String(value).replace(
          /\$\{([A-Z0-9_]+)(?::[?-]([^}]*))?\}/g,
          (_m, variable: string, rest: string | undefined) => SECRET_VALUES[variable] ?? (String(_m).includes(':-') ? (rest ?? '') : 'x'.repeat(40)),
        ),
      ]),
    ),
  }));

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile.split('\n').filter((line) => /^[A-Z]+\s/.test(line));

  it('runs Node 24 as a non-root user, with production dependencies only', () => {
    const froms = instructions.filter((line) => line.startsWith('FROM '));
    expect(froms.length).toBeGreaterThan(0);
    for (const from of froms) expect(from).toMatch(/^FROM node:24-bookworm-slim\b/);
    expect(instructions.filter((line) => line.startsWith('USER ')).at(-1)).toBe('USER node');
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["graph360-service"\]$/m);
  });

  it('copies what the services need, and .dockerignore keeps none of it out', () => {
    const copied = instructions
      .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
      .map((l) =>
        l
          .split(/\s+/)
          .filter((w) => !w.startsWith('--'))
          .at(1)!,
      );
    const ignored = read('.dockerignore')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    for (const needed of ['package.json', 'lib', 'schema', 'gateway', 'subgraphs', 'sandboxes', 'deploy/docker-entrypoint.sh']) {
      expect(copied).toContain(needed);
      expect(ignored.filter((pattern) => pattern === needed || needed.startsWith(`${pattern}/`))).toEqual([]);
    }
  });

  it('the entry point starts every service `npm start` starts, from the same entry file', () => {
    expect(Object.fromEntries(entryPointServices())).toEqual(Object.fromEntries(STACK.map((spec) => [spec.name, spec.entry])));
  });

  it('the code the image runs imports only production dependencies and Node built-ins', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const allowed = new Set([...Object.keys(pkg.dependencies), ...builtinModules]);
    const runtime = ['lib', 'gateway/src', 'subgraphs', 'sandboxes'].flatMap(sourceFiles).filter((file) => !/testSupport|\/test\//.test(file));
    const problems: string[] = [];
    for (const file of runtime) {
      for (const m of read(file).matchAll(/^(?:import|export)\s[^;]*?\bfrom\s+'([^'.][^']*)'|^import\s+'([^'.][^']*)'/gm)) {
        const specifier = (m[1] ?? m[2])!.replace(/^node:/, '');
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        if (!allowed.has(name)) problems.push(`${file}: ${specifier}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

type KubernetesModels = Record<string, new (data: unknown) => { validate(): void }>;
/**
 * kubernetes-models' module for each API version the manifests use, imported by name: an
 * import built from a template string is one Vite cannot resolve ahead, and warns about.
 * A manifest of another API version fails the test below until it is added here.
 */
const MODELS: Record<string, () => Promise<unknown>> = {
  v1: () => import('kubernetes-models/v1'),
  'apps/v1': () => import('kubernetes-models/apps/v1'),
  'autoscaling/v2': () => import('kubernetes-models/autoscaling/v2'),
  'policy/v1': () => import('kubernetes-models/policy/v1'),
};

describe('Kubernetes manifests (deploy/k8s)', () => {
  it('every object validates against the Kubernetes API schema', async () => {
    expect(k8sObjects.length).toBeGreaterThan(10);
    for (const { file, object } of k8sObjects) {
      const apiVersion = object.apiVersion as string;
      expect(MODELS, `${file}: ${apiVersion} (add it to MODELS)`).toHaveProperty([apiVersion]);
      const module = (await MODELS[apiVersion]!()) as KubernetesModels;
      const Model = module[object.kind as string];
      expect(Model, `${file}: ${apiVersion} ${object.kind}`).toBeDefined();
      expect(() => new Model!(object).validate(), `${file}: ${object.kind} ${object.metadata?.name}`).not.toThrow();
    }
  });

  it('the validation does catch a broken object', async () => {
    const { Deployment } = await import('kubernetes-models/apps/v1');
    const broken = structuredClone(ofKind('Deployment')[0]!);
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    expect(() => new Deployment(broken).validate()).toThrow(/containerPort/);
  });

  it('kustomization.yaml lists every manifest', () => {
    const kustomization = parseYaml(read('deploy/k8s/kustomization.yaml')) as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual([...k8sFiles].sort());
  });

  it('has Deployments with probes and resources, Services, a PodDisruptionBudget and an autoscaling/v2 HorizontalPodAutoscaler', () => {
    const names = ofKind('Deployment').map((d) => d.metadata.name as string);
    expect(names).toEqual(expect.arrayContaining([...STACK.map((s) => s.name), 'redis']));
    for (const deployment of ofKind('Deployment')) {
      for (const container of deployment.spec.template.spec.containers as Json[]) {
        expect(container.readinessProbe, deployment.metadata.name).toBeDefined();
        expect(container.livenessProbe, deployment.metadata.name).toBeDefined();
        expect(container.resources?.requests?.cpu, deployment.metadata.name).toBeDefined();
        expect(container.resources?.limits?.memory, deployment.metadata.name).toBeDefined();
      }
    }
    expect(ofKind('PodDisruptionBudget').map((p) => p.metadata.name)).toContain('gateway');
    const hpa = k8sObjects.find((o) => o.object.kind === 'HorizontalPodAutoscaler')!.object;
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(ofKind('Deployment').map((d) => d.metadata.name)).toContain(hpa.spec.scaleTargetRef.name);
  });

  it('the gateways and subgraphs are probed for readiness on /ready and liveness on /health, the sandboxes on their health route, each a path the service serves', () => {
    expect(graph360Containers.length).toBe(STACK.length);
    for (const { service, container } of graph360Containers) {
      const readiness = container.readinessProbe.httpGet.path as string;
      const liveness = container.livenessProbe.httpGet.path as string;
      if (serviceKind(service).kind === 'sandbox') {
        expect([readiness, liveness]).toEqual(['/__sandbox/health', '/__sandbox/health']);
      } else {
        expect([readiness, liveness], service).toEqual(['/ready', '/health']);
      }
      for (const path of [readiness, liveness, container.startupProbe?.httpGet?.path].filter(Boolean))
        expect(servesPath(service, path), `${service} serves ${path}`).toBe(true);
      const ports = (container.ports as Json[]).map((p) => p.name);
      for (const probe of [container.readinessProbe, container.livenessProbe]) expect(ports).toContain(probe.httpGet.port);
    }
  });

  it('a replica drains for longer than its readiness probe takes to see it, and within its grace period', () => {
    for (const { service, env, container, pod } of graph360Containers.filter((c) => serviceKind(c.service).kind !== 'sandbox')) {
      const drainMs = Number(env.SHUTDOWN_DRAIN_MS);
      const probe = container.readinessProbe as { periodSeconds: number; failureThreshold: number };
      expect(drainMs, service).toBeGreaterThan(probe.periodSeconds * probe.failureThreshold * 1000);
      expect(drainMs + 10_000, service).toBeLessThanOrEqual((pod.terminationGracePeriodSeconds as number) * 1000);
    }
  });

  it('every container runs a service the image knows, listening on the port its Service targets', () => {
    const known = entryPointServices();
    for (const { workload, service, container, env } of graph360Containers) {
      expect(known.has(service), service).toBe(true);
      expect(workload).toBe(service);
      const spec = STACK.find((s) => s.name === service)!;
      const port = Number(env[spec.listen.portVariable] ?? spec.listen.defaultPort);
      expect((container.ports as Json[])[0]!.containerPort, service).toBe(port);
      expect(env[spec.listen.hostVariable], `${service} listens on every interface`).toBe('0.0.0.0');
    }
  });

  it('every variable a manifest sets is one the service reads, and its config reader accepts the whole set', () => {
    for (const { service, env } of graph360Containers) {
      const read = variablesRead(service);
      expect(
        Object.keys(env).filter((name) => !read.has(name)),
        service,
      ).toEqual([]);
      expect(() => readConfigOf(service, env), service).not.toThrow();
    }
  });

  it('every URL a manifest gives a service names a Service and one of its ports', () => {
    const services = new Map(ofKind('Service').map((s) => [s.metadata.name as string, (s.spec.ports as Json[]).map((p) => p.port as number)]));
    for (const { service, container } of graph360Containers) {
      for (const { name: variable, value } of ((container.env ?? []) as Json[]).filter((e) => typeof e.value === 'string')) {
        for (const url of (value as string).split(',').filter((v: string) => /^(https?|redis):\/\//.test(v))) {
          const { hostname, port } = new URL(url);
          expect(services.get(hostname) ?? [], `${service} ${variable}: ${url}`).toContain(Number(port));
        }
      }
    }
  });

  it('every Secret key, ConfigMap and selector referenced exists', () => {
    const secrets = new Map(ofKind('Secret').map((s) => [s.metadata.name as string, new Set(Object.keys({ ...s.stringData, ...s.data }))]));
    const configMaps = new Set(ofKind('ConfigMap').map((c) => c.metadata.name as string));
    for (const { workload, container, pod } of graph360Containers) {
      for (const e of (container.env ?? []) as Json[]) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) expect(secrets.get(ref.name)?.has(ref.key), `${workload}: secret ${ref.name}/${ref.key}`).toBe(true);
      }
      for (const volume of (pod.volumes ?? []) as Json[])
        if (volume.configMap) expect(configMaps.has(volume.configMap.name), `${workload}: configMap ${volume.configMap.name}`).toBe(true);
      const mounts = new Set(((container.volumeMounts ?? []) as Json[]).map((m) => m.name));
      expect([...mounts].filter((m) => !((pod.volumes ?? []) as Json[]).some((v) => v.name === m))).toEqual([]);
    }
    const labelsOf = new Map(ofKind('Deployment').map((d) => [d.metadata.name as string, d.spec.template.metadata.labels as Record<string, string>]));
    const selects = (selector: Record<string, string>): boolean =>
      [...labelsOf.values()].some((labels) => Object.entries(selector).every(([k, v]) => labels[k] === v));
    for (const s of ofKind('Service')) expect(selects(s.spec.selector), `Service ${s.metadata.name}`).toBe(true);
    for (const p of ofKind('PodDisruptionBudget')) expect(selects(p.spec.selector.matchLabels), `PDB ${p.metadata.name}`).toBe(true);
  });

  it('Secrets hold only placeholders: nothing that could be a real secret is committed', () => {
    for (const secret of ofKind('Secret')) {
      expect(secret.data, secret.metadata.name).toBeUndefined();
      for (const [key, value] of Object.entries(secret.stringData as Record<string, string>)) {
        expect(value === '' || String(value).includes('REPLACE-ME'), `${secret.metadata.name}/${key}`).toBe(true);
      }
    }
  });

  it('the supergraph ConfigMap holds schema/supergraph.graphql (npx tsx scripts/supergraphConfigMap.ts rewrites it)', () => {
    expect(readFileSync(CONFIGMAP_FILE, 'utf8')).toBe(supergraphConfigMap());
    const gateway = graph360Containers.find((c) => c.service === 'gateway')!;
    const mount = (gateway.container.volumeMounts as Json[]).find((m) => m.name === 'supergraph')!;
    expect(gateway.env.SUPERGRAPH_PATH).toBe(`${mount.mountPath}/supergraph.graphql`);
  });
});

describe('compose.yaml', () => {
  it('validates against the Compose Specification schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
    const validate = ajv.compile(JSON.parse(read('deploy/schema/compose-spec.json')) as object);
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 1)).toEqual([]);
    expect(valid).toBe(true);
    expect(validate({ services: { gateway: { image: 'graph360', helathcheck: {} } } })).toBe(false);
  });

  it('runs Redis and every service of the stack, each by a name the image knows, with a healthcheck on a path it serves', () => {
    expect(Object.keys(compose.services as object)).toContain('redis');
    expect(composeServices.map((s) => s.command).sort()).toEqual(STACK.map((s) => s.name).sort());
    const known = entryPointServices();
    for (const { name, command, service } of composeServices) {
      expect(known.has(command)).toBe(true);
      expect(name).toBe(command);
      const test = (service.healthcheck.test as string[]).join(' ');
      const url = new URL(/fetch\('([^']+)'\)/.exec(test)![1]!);
      const spec = STACK.find((s) => s.name === command)!;
      expect(Number(url.port), name).toBe(spec.listen.defaultPort);
      expect(servesPath(command, url.pathname), `${name} serves ${url.pathname}`).toBe(true);
      if (serviceKind(command).kind !== 'sandbox') expect(url.pathname).toBe('/ready');
      for (const dependency of Object.keys(service.depends_on ?? {})) expect(Object.keys(compose.services as object)).toContain(dependency);
    }
  });

  it('every variable it sets is one the service reads, the config reader accepts them, and no secret is written in it', () => {
    for (const { name, env, service } of composeServices) {
      const read = variablesRead(name);
      expect(
        Object.keys(env).filter((variable) => !read.has(variable)),
        name,
      ).toEqual([]);
      expect(
        () => readConfigOf(name, { ...env, GATEWAY_HOST: '0.0.0.0', SUBGRAPH_HOST: '0.0.0.0', SANDBOX_HOST: '0.0.0.0', NODE_ENV: 'production' }),
        name,
      ).not.toThrow();
      for (const [variable, value] of Object.entries((service.environment ?? {}) as Record<string, string>)) {
        if (/SECRET|TOKEN|PASSWORD|KEY/.test(variable)) expect(value, `${name} ${variable}`).toMatch(/^\$\{[A-Z0-9_]+(:[-?][^}]*)?\}$/);
      }
      for (const [variable, value] of Object.entries((service.environment ?? {}) as Record<string, string>).filter(([, v]) => !String(v).includes('${'))) {
        for (const url of value.split(',').filter((v) => /^(https?|redis):\/\//.test(v))) {
          expect(Object.keys(compose.services as object), `${name} ${variable}`).toContain(new URL(url).hostname);
        }
      }
    }
  });
});
