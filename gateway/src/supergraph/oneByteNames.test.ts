/**
 * oneByteNames.ts: once readSupergraph has read a supergraph, the field names of the API
 * schema that @apollo/federation-internals builds from it are one byte per character, as
 * the response keys made from them must be; without it, some are not (the control, which
 * shows the check can fail). Each case runs in a fresh process: V8's string table is per
 * process, and this one has seen every name already.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./oneByteNames.probe.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'one-byte-names-'));

/** A small supergraph composed here, with a description holding a character beyond Latin-1. */
function supergraphFile(): string {
  const accounts = parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
    """A customer account (“account” in the CRM)."""
    type User @key(fields: "id") { id: ID! username: String shippingEstimate: Int topProducts: [String] }
    type Query { me: User users: [User] }
  `);
  const inventory = parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
    type Product @key(fields: "upc") { upc: String! inStock: Boolean reviewsOfProduct: [String] }
    type Query { product(upc: String!): Product }
  `);
  const result = composeServices([
    { name: 'accounts', typeDefs: accounts, url: 'http://127.0.0.1:1/graphql' },
    { name: 'inventory', typeDefs: inventory, url: 'http://127.0.0.1:2/graphql' },
  ]);
  if (!result.supergraphSdl) throw new Error(`composition failed: ${result.errors?.map((e) => e.message).join('; ')}`);
  const path = join(dir, 'supergraph.graphql');
  writeFileSync(path, result.supergraphSdl);
  return path;
}

function probe(path: string, mode: 'read-first' | 'apollo-only'): { fields: number; twoByteFields: string[] } {
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx/esm', PROBE, path, mode], { encoding: 'utf8' })) as {
    fields: number;
    twoByteFields: string[];
  };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('one-byte names', () => {
  const path = supergraphFile();

  it('without readSupergraph first, the API schema has field names held two bytes per character (the control)', () => {
    const { fields, twoByteFields } = probe(path, 'apollo-only');
    expect(fields).toBeGreaterThan(5);
    expect(twoByteFields.length).toBeGreaterThan(0);
  });

  it('after readSupergraph, every field name of the API schema is one byte per character', () => {
    const { fields, twoByteFields } = probe(path, 'read-first');
    expect(fields).toBeGreaterThan(5);
    expect(twoByteFields).toEqual([]);
  });

  it('holds for the project supergraph too, whose descriptions go beyond Latin-1', () => {
    const { fields, twoByteFields } = probe(fileURLToPath(new URL('../../../schema/supergraph.graphql', import.meta.url)), 'read-first');
    expect(fields).toBeGreaterThan(50);
    expect(twoByteFields).toEqual([]);
  });
});
