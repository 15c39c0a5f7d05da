/**
 * Label values fed from outside the gateway stay a bounded set, whatever clients and
 * subgraphs send: the registry (and so /metrics) cannot grow without bound.
 */
import { describe, expect, it } from 'vitest';
import { ANONYMOUS_OPERATION, GatewayMetrics, OTHER_LABEL } from './metrics.js';

/** The distinct values of one label of one metric, read from the Prometheus text. */
async function labelValues(metrics: GatewayMetrics, metric: string, label: string): Promise<Set<string>> {
  const text = await metrics.registry.metrics();
  const values = new Set<string>();
  for (const line of text.split('\n').filter((l) => l.startsWith(`${metric}{`))) {
    const match = new RegExp(`${label}="((?:[^"\\\\]|\\\\.)*)"`).exec(line);
    if (match) values.add(match[1]!);
  }
  return values;
}

describe('GatewayMetrics label values', () => {
  it('counts the first N operation names under their own label and every later one as (other)', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false, maxOperationNames: 100 });
    for (let i = 0; i < 1000; i++) metrics.requests.inc({ operation: metrics.operationLabel(`Op${i}`), outcome: 'ok' });
    metrics.requests.inc({ operation: metrics.operationLabel(null), outcome: 'ok' });
    const values = await labelValues(metrics, 'graphql_requests_total', 'operation');
    expect(values.size).toBe(102);
    expect(values.has('Op0') && values.has('Op99') && !values.has('Op100')).toBe(true);
    expect(values.has(OTHER_LABEL) && values.has(ANONYMOUS_OPERATION)).toBe(true);
    // A name seen before the cap keeps its label.
    expect(metrics.operationLabel('Op5')).toBe('Op5');
    expect(await metrics.registry.metrics()).toMatch(/graphql_requests_total\{operation="\(other\)",outcome="ok"\} 900/);
  });

  it('never takes an over-long name as a label, even below the cap', () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false, maxOperationNameLength: 128 });
    expect(metrics.operationLabel('N'.repeat(500_000))).toBe(OTHER_LABEL);
    expect(metrics.operationLabel('N'.repeat(128))).toBe('N'.repeat(128));
  });

  it('with the safelist on, labels only the manifest’s operation names, whoever comes first', () => {
    const manifest = new Set(['CustomerOverview', 'PayInvoice']);
    const metrics = new GatewayMetrics({ defaultMetrics: false, maxOperationNames: 1, persistedOperationName: (name) => manifest.has(name) });
    expect(['Attacker1', 'Attacker2', 'CustomerOverview', 'PayInvoice', ''].map((n) => metrics.operationLabel(n))).toEqual([
      OTHER_LABEL,
      OTHER_LABEL,
      'CustomerOverview',
      'PayInvoice',
      ANONYMOUS_OPERATION,
    ]);
  });

  it('labels subgraph error codes only when they look like codes, and at most 50 of them', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    metrics.subgraphFetchError('erp', 'BACKEND_UNAVAILABLE');
    metrics.subgraphFetchError('erp', 'Traceback at /srv/app.py line 42');
    metrics.subgraphFetchError('erp', 'X'.repeat(10_000));
    metrics.subgraphFetchError('erp', 42);
    for (let i = 0; i < 200; i++) metrics.subgraphFetchError('erp', `CODE_${i}`);
    const codes = await labelValues(metrics, 'subgraph_fetch_errors_total', 'code');
    expect(codes.size).toBe(52); // 50 codes, (other), UNKNOWN
    expect([...codes].filter((c) => c.startsWith('CODE_'))).toHaveLength(49);
    expect(codes.has('BACKEND_UNAVAILABLE') && codes.has('UNKNOWN') && codes.has(OTHER_LABEL)).toBe(true);
  });
});
