/**
 * What the limits measure, without executing anything: the lexical size of a query
 * (tokens, bracket nesting) before it is parsed, and the shape of a parsed document
 * (depth, aliases, root fields) before it is validated.
 *
 * Both run on untrusted input before graphql-js has looked at it, so both are bounded:
 * the lexer pass stops at the first token past the limit, and the document walk visits
 * each fragment once (its measures are memoised, so a "fragment bomb" of fragments
 * spreading each other twice is linear to measure even though its expansion is
 * exponential) and tolerates fragment cycles (which validation rejects afterwards).
 */
import { Kind, Lexer, Source, TokenKind, type DefinitionNode, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

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

/**
 * Measures every operation of a document (not only the one a request names: a parsed
 * document is cached and validated once, by its hash, whichever operation is run).
 */
export function measureDocument(document: DocumentNode): DocumentMeasure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const memo = new Map<string, SetMeasure>();
  const inProgress = new Set<string>();

  const fragment = (name: string): SetMeasure => {
    const known = memo.get(name);
    if (known) return known;
    const definition = fragments.get(name);
    // Unknown fragment or a cycle: nothing to add here; validation rejects the document.
    if (!definition || inProgress.has(name)) return { depth: 0, aliases: 0, fields: 0 };
    inProgress.add(name);
    const measure = selectionSet(definition.selectionSet);
    inProgress.delete(name);
    memo.set(name, measure);
    return measure;
  };

  /** depth: deepest field below (1 for a set of leaves); fields: fields at this level, through fragments. */
  const selectionSet = (set: SelectionSetNode): SetMeasure => {
    let depth = 0;
    let aliases = 0;
    let fields = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        fields++;
        if (selection.alias) aliases++;
        const below = selection.selectionSet ? selectionSet(selection.selectionSet) : { depth: 0, aliases: 0, fields: 0 };
        depth = Math.max(depth, 1 + below.depth);
        aliases += below.aliases;
      } else {
        const inner = selection.kind === Kind.INLINE_FRAGMENT ? selectionSet(selection.selectionSet) : fragment(selection.name.value);
        depth = Math.max(depth, inner.depth);
        aliases += inner.aliases;
        fields += inner.fields;
      }
    }
    return { depth, aliases, fields };
  };

  const result: DocumentMeasure = { depth: 0, aliases: 0, rootFields: 0 };
  for (const definition of document.definitions as readonly DefinitionNode[]) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const measure = selectionSet(definition.selectionSet);
    result.depth = Math.max(result.depth, measure.depth);
    result.aliases += measure.aliases;
    result.rootFields = Math.max(result.rootFields, measure.fields);
  }
  return result;
}
