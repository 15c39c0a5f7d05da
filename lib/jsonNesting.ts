/**
 * How deeply a JSON text nests arrays and objects, measured on its bytes before anything
 * parses it. V8's JSON.parse copes with any depth, but what handles the parsed value
 * next (JSON.stringify of variables for a cache key, graphql-js's value coercion, a
 * logger's serialiser) recurses once per level: a 400,000-level `[[[[...]]]]` of under
 * 1 MB overflows the stack there, far from where the input came in. One linear pass
 * with no recursion bounds it at the door.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * The deepest nesting of `[` and `{` in a JSON text, not counting those inside strings
 * (an escaped quote does not end a string). It stops at the first level past
 * `stopAbove`, so it returns at most stopAbove + 1 and reads a hostile text only as far
 * as it must. Works on UTF-8 bytes: every byte of a multi-byte character is 0x80 or
 * above, so none is mistaken for a bracket, a quote or a backslash. A malformed text is
 * measured as far as it goes; JSON.parse reports what is wrong with it.
 */
export function jsonNestingDepth(json: Uint8Array, stopAbove: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const byte = json[i];
    if (inString) {
      if (byte === BACKSLASH)
        i++; // whatever is escaped, it neither ends the string nor nests
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth--;
    }
  }
  return deepest;
}
