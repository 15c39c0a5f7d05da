/**
 * What the limits measure, without executing anything: the lexical size of a query
 * (tokens, bracket nesting) before it is parsed, and the shape of a parsed document
 * (depth, aliases, root fields) before it is validated.
 *
 * Both run on untrusted input before graphql-js has looked at it, so both are bounded:
 * the lexer pass stops at the first token past the limit, and the document walk (the
 * shared one, operation/walk.ts, without a schema) visits each fragment once (its measures are memoised, so a "fragment bomb" of fragments
 * spreading each other twice is linear to measure even though its expansion is
 * exponential) and tolerates fragment cycles (which validation rejects afterwards).
 */
import { Kind, Lexer, Source, TokenKind, type DefinitionNode, type DocumentNode } from 'graphql';
import { selectionWalker, type SelectionVisitor } from '../operation/walk.js';

export interface LexicalMeasure {
  /** Tokens counted, up to the first one past `stopAfter` (so at most stopAfter + 1). */
  tokens: number;
  /** Deepest nesting of `{`, `[` and `(` seen (the parser recurses once per level). */
  nesting: number;
  /** Length of the longest operation name (`query Name`, `mutation Name`, `subscription Name`), 0 for none. */
  operationName: number;
}

const OPENING = new Set<string>([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L]);
const CLOSING = new Set<string>([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R]);
const OPERATION_KEYWORDS = new Set(['query', 'mutation', 'subscription']);

/**
 * Counts tokens (comments excluded, as graphql-js's maxTokens does) and bracket nesting,
 * stopping once either passes its limit, and measures the operation names (a name is
 * one token, so a 500 KB name passes the token limit). A lexical error ends the count:
 * the parser reports it properly afterwards.
 */
export function measureSource(query: string, limits: { maxTokens: number; maxNesting: number }): LexicalMeasure {
  const lexer = new Lexer(new Source(query));
  let tokens = 0;
  let depth = 0;
  let nesting = 0;
  let operationName = 0;
  let afterOperationKeyword = false;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      tokens++;
      if (OPENING.has(token.kind)) nesting = Math.max(nesting, ++depth);
      else if (CLOSING.has(token.kind)) depth--;
      // At the top level a name after `query`/`mutation`/`subscription` names the operation.
      if (afterOperationKeyword && token.kind === TokenKind.NAME) operationName = Math.max(operationName, token.value.length);
      afterOperationKeyword = depth === 0 && token.kind === TokenKind.NAME && OPERATION_KEYWORDS.has(token.value);
      if (tokens > limits.maxTokens || nesting > limits.maxNesting) break;
    }
  } catch {
    // A syntax error: parse() reports it with its position.
  }
  return { tokens, nesting, operationName };
}

export interface DocumentMeasure {
  /** Deepest field nesting of any operation, fragments inlined (a root field is depth 1). */
  depth: number;
  /** Aliases in all operations, counted once per use of the fragment that holds them. */
  aliases: number;
  /** Fields selected at the root of the largest operation, through fragments too. */
  rootFields: number;
}

interface SetMeasure {
  depth: number;
  aliases: number;
  fields: number;
}

const ZERO: SetMeasure = { depth: 0, aliases: 0, fields: 0 };

/**
 * depth: deepest field below (1 for a set of leaves); fields: fields at this level,
 * through fragments. Without a schema; each fragment measured once (memo key '').
 */
const MEASURE: SelectionVisitor<undefined, SetMeasure> = {
  empty: () => ZERO,
  add: (a, b) => ({ depth: Math.max(a.depth, b.depth), aliases: a.aliases + b.aliases, fields: a.fields + b.fields }),
  field(node, _parent, _definition, state, walk) {
    const below = node.selectionSet ? walk(node.selectionSet, undefined, state) : ZERO;
    return { depth: 1 + below.depth, aliases: (node.alias ? 1 : 0) + below.aliases, fields: 1 };
  },
  memoKey: () => '',
};

/**
 * Measures every operation of a document (not only the one a request names: a parsed
 * document is cached and validated once, by its hash, whichever operation is run).
 */
export function measureDocument(document: DocumentNode): DocumentMeasure {
  const walk = selectionWalker({ document }, MEASURE);
  const result: DocumentMeasure = { depth: 0, aliases: 0, rootFields: 0 };
  for (const definition of document.definitions as readonly DefinitionNode[]) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const measure = walk(definition.selectionSet, undefined, undefined);
    result.depth = Math.max(result.depth, measure.depth);
    result.aliases += measure.aliases;
    result.rootFields = Math.max(result.rootFields, measure.fields);
  }
  return result;
}
