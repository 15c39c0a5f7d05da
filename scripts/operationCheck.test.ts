/**
 * Schema checks against real operations (operationCheck.ts): the persisted-operation
 * manifest validated against the API schema of a supergraph composed from the repo's
 * subgraph schemas with one field removed. A field a manifest operation uses fails the
 * check, naming the operation and the field; a field no manifest operation uses may go.
 */
import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { composeSupergraph, MANIFEST_FILE, SUBGRAPHS, SUPERGRAPH_FILE } from './compose.js';
import { brokenOperations, describeBrokenOperations, gatewayApiSchema, readManifestOperations, type ManifestOperation } from './operationCheck.js';

const ROOT = new URL('..', import.meta.url);
const schemaOf = (name: string): string => readFileSync(new URL(`subgraphs/${name}/schema.graphql`, ROOT), 'utf8');

/** The repo's supergraph with `change` applied to one subgraph's schema first. */
function composedWith(subgraph: string, change: (sdl: string) => string): string {
  const result = composeServices(
    SUBGRAPHS.map(({ name, url }) => ({ name, url, typeDefs: parse(name === subgraph ? change(schemaOf(name)) : schemaOf(name)) })),
  );
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

const withoutLine =
  (line: string) =>
  (sdl: string): string => {
    expect(sdl).toContain(line);
    return sdl.replace(line, '');
  };

const manifest = readManifestOperations(MANIFEST_FILE);

describe('persisted operations against a new supergraph', () => {
  it('the repo: every manifest operation validates against the committed supergraph', () => {
    expect(manifest.length).toBeGreaterThan(5);
    expect(readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(composeSupergraph());
    expect(brokenOperations(manifest, gatewayApiSchema(readFileSync(SUPERGRAPH_FILE, 'utf8')))).toEqual([]);
  });

  it('a removed field that manifest operations use fails, naming each operation and the field', () => {
    // Invoice.number (ERP): the clients' invoice rows read it.
    const schema = gatewayApiSchema(composedWith('erp', withoutLine('  "The invoice number, e.g. INV/2026/00042."\n  number: String!\n')));
    const broken = brokenOperations(manifest, schema);
    expect(broken.map((b) => b.operation)).toEqual(['CustomerInvoicesPage', 'CustomerOverview']);
    for (const { problems } of broken) expect(problems).toEqual(['Cannot query field "number" on type "Invoice".']);
    expect(describeBrokenOperations(broken)).toContain('- CustomerInvoicesPage: Cannot query field "number" on type "Invoice".');
  });

  it('a removed field that no manifest operation uses passes (unshipped operations do not count)', () => {
    // Invoice.order (ERP): no client operation asks an invoice for its order.
    const sdl = composedWith('erp', withoutLine('  "The order this invoice bills, when there is one."\n  order: Order\n'));
    expect(brokenOperations(manifest, gatewayApiSchema(sdl))).toEqual([]);
    // An operation outside the manifest that uses it would break, and does not count.
    const unshipped: ManifestOperation = { name: 'InvoiceOrder', body: 'query InvoiceOrder($id: ID!) { invoice(id: $id) { order { id } } }' };
    expect(brokenOperations([unshipped], gatewayApiSchema(readFileSync(SUPERGRAPH_FILE, 'utf8')))).toEqual([]);
    expect(brokenOperations([unshipped], gatewayApiSchema(sdl))).toEqual([
      { operation: 'InvoiceOrder', problems: ['Cannot query field "order" on type "Invoice".'] },
    ]);
  });

  it('a removed argument that a manifest operation passes fails, naming the argument', () => {
    const sdl = composedWith('erp', withoutLine('    "Only products with stock on hand."\n    inStockOnly: Boolean = false\n'));
    expect(brokenOperations(manifest, gatewayApiSchema(sdl))).toEqual([
      { operation: 'ProductSearch', problems: ['Unknown argument "inStockOnly" on field "Query.products".'] },
    ]);
  });
});
