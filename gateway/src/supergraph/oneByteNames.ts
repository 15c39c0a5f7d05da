/**
 * Every name in a supergraph (types, fields, arguments, enum values, directives), entered
 * into V8's table of internalized strings as strings of one byte per character, before
 * @apollo/gateway and @apollo/federation-internals build their schemas from the SDL.
 *
 * Why it matters: an object key is always the table's one string for that text, and
 * JSON.stringify's output is held two bytes per character as soon as one key or value in
 * it is. Building the API schema, federation-internals makes some name strings that are
 * held two bytes per character although every character fits in one (seen with 2.14's
 * toGraphQLJSSchema on Node 20); when such a string is the first of its text to reach the
 * table, every response with that field name as a key is built at twice its size and
 * encoded to UTF-8 on V8's slow path: about a millisecond for a 90 kB answer, a fifth of
 * the gateway's CPU time on the Guild's TestQuery. Names from graphql-js's parse of the
 * SDL as read from the file are one byte per character; entered first, they are the ones
 * the table keeps, and every later string with the same text becomes them.
 *
 * The returned object must be kept as long as the supergraph is served: the table holds its
 * strings only while something else does.
 */
import { parse, visit } from 'graphql';

export type NameTable = Readonly<Record<string, true>>;

export function internOneByteNames(sdl: string): NameTable {
  const names: Record<string, true> = Object.create(null) as Record<string, true>;
  visit(parse(sdl, { noLocation: true }), {
    Name(node) {
      // A fresh copy: a name sliced from an SDL that is itself two bytes per character (a
      // description with a character beyond Latin-1) can be two-byte too. Names are ASCII.
      names[Buffer.from(node.value, 'latin1').toString('latin1')] = true;
    },
  });
  return names;
}
