/**
 * Run by oneByteNames.test.ts in a fresh process (V8's string table is per process):
 * builds the API schema of a supergraph file as ApolloGateway does, with or without
 * readSupergraph first, and prints which of the schema's field names V8 holds two bytes
 * per character. `v8.serialize` shows it: a one-byte string is written with the tag '"',
 * a two-byte one with 'c'.
 */
import { readFileSync } from 'node:fs';
import { serialize } from 'node:v8';
import { Supergraph } from '@apollo/federation-internals';
import { isObjectType } from 'graphql';
import { readSupergraph } from './readSupergraph.js';

const [path, mode] = process.argv.slice(2) as [string, 'read-first' | 'apollo-only'];
const twoByte = (text: string): boolean => serialize(text)[2] === 'c'.charCodeAt(0);

// What ApolloGateway does with the SDL it is given: build the supergraph and its API schema.
const held = mode === 'read-first' ? readSupergraph(path) : undefined;
const sdl = held?.executableSdl ?? readFileSync(path, 'utf8');
const schema = Supergraph.build(sdl, { validateSupergraph: true }).apiSchema().toGraphQLJSSchema();
const fieldNames = Object.values(schema.getTypeMap())
  .filter((type) => isObjectType(type) && !type.name.startsWith('__'))
  .flatMap((type) => Object.keys(isObjectType(type) ? type.getFields() : {}));
console.log(JSON.stringify({ fields: fieldNames.length, twoByteFields: fieldNames.filter(twoByte) }));
