/**
 * Writes deploy/k8s/supergraph-configmap.yaml, the ConfigMap the gateway's Deployment
 * mounts, from schema/supergraph.graphql (which `npm run compose` writes), so that the
 * manifests serve the supergraph the repository composed.
 *
 *   npx tsx scripts/supergraphConfigMap.ts            write it
 *   npx tsx scripts/supergraphConfigMap.ts --check    exit 1 if it is stale (test/deploy.test.ts checks too)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

export const SUPERGRAPH_FILE = fileURLToPath(new URL('../schema/supergraph.graphql', import.meta.url));
export const CONFIGMAP_FILE = fileURLToPath(new URL('../deploy/k8s/supergraph-configmap.yaml', import.meta.url));

export function supergraphConfigMap(): string {
  const header = [
    '# Generated from schema/supergraph.graphql by `npx tsx scripts/supergraphConfigMap.ts`; do not edit by hand.',
    '# The gateway reloads the file when the mounted ConfigMap changes (SUPERGRAPH_PATH).',
  ].join('\n');
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'graph360-supergraph', labels: { 'app.kubernetes.io/part-of': 'graph360' } },
    data: { 'supergraph.graphql': readFileSync(SUPERGRAPH_FILE, 'utf8') },
  };
  return `${header}\n${stringify(configMap, { lineWidth: 0, blockQuote: 'literal' })}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const wanted = supergraphConfigMap();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(CONFIGMAP_FILE, 'utf8');
    } catch {
      // Missing counts as stale.
    }
    if (current !== wanted) {
      console.error('deploy/k8s/supergraph-configmap.yaml is stale: run npx tsx scripts/supergraphConfigMap.ts');
      process.exit(1);
    }
    console.log('deploy/k8s/supergraph-configmap.yaml is up to date.');
  } else {
    writeFileSync(CONFIGMAP_FILE, wanted);
    console.log('Wrote deploy/k8s/supergraph-configmap.yaml');
  }
}
