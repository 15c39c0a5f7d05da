import { buildSchema, getNamedType, isCompositeType, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { selectionWalker, type SelectionVisitor } from './walk.js';

const schema = buildSchema(`
  interface Node { id: ID! }
  type Invoice implements Node { id: ID! total: Int }
  type Product implements Node { id: ID! name: String }
  type Query { nodes: [Node!]! invoice: Invoice }
`);

/** Field paths, each field named with the parent type it was resolved on (`?` without a schema; `!` for no definition). */
const paths: SelectionVisitor<string, string[]> = {
  empty: () => [],
  add: (a, b) => [...a, ...b],
  field: (node, parent, definition, prefix, walk) => {
    const here = `${prefix}${parent?.name ?? '?'}.${node.name.value}${definition ? '' : '!'}`;
    const named = definition ? getNamedType(definition.type) : undefined;
    return [here, ...(node.selectionSet ? walk(node.selectionSet, named && isCompositeType(named) ? named : undefined, `${here}/`) : [])];
  },
};

const operationOf = (text: string) => {
  const document = parse(text);
  return { document, operation: document.definitions[0] as OperationDefinitionNode };
};

describe('selectionWalker', () => {
  it('flattens inline fragments and spreads into their parent, with type conditions and field definitions from the schema', () => {
    const { document, operation } = operationOf('{ nodes { id ... on Invoice { total } ...P } } fragment P on Product { name }');
    const walk = selectionWalker({ document, schema }, paths);
    expect(walk(operation.selectionSet, schema.getQueryType()!, '')).toEqual([
      'Query.nodes',
      'Query.nodes/Node.id',
      'Query.nodes/Invoice.total',
      'Query.nodes/Product.name',
    ]);
  });

  it('applies @skip/@include only when given the variables', () => {
    const { document, operation } = operationOf('query($on: Boolean!) { invoice @include(if: $on) { id } nodes @skip(if: true) { id } }');
    expect(selectionWalker({ document, variables: { on: false } }, paths)(operation.selectionSet, undefined, '')).toEqual([]);
    expect(selectionWalker({ document, variables: { on: true } }, paths)(operation.selectionSet, undefined, '')).toEqual(['?.invoice!', '?.invoice!/?.id!']);
    expect(selectionWalker({ document }, paths)(operation.selectionSet, undefined, '')).toEqual([
      '?.invoice!',
      '?.invoice!/?.id!',
      '?.nodes!',
      '?.nodes!/?.id!',
    ]);
  });

  it('walks a fragment once per memo key, and does not follow a fragment into itself', () => {
    const { document, operation } = operationOf('{ ...A ...A invoice { ...A } } fragment A on Query { invoice { id ...B } } fragment B on Invoice { ...A }');
    let visited = 0;
    const count: SelectionVisitor<undefined, number> = {
      empty: () => 0,
      add: (a, b) => a + b,
      field: (node, _parent, _definition, state, walk) => (visited++, 1 + (node.selectionSet ? walk(node.selectionSet, undefined, state) : 0)),
      memoKey: () => '',
    };
    // A is 2 fields (B spreads A again, which is not followed), spread three times; `invoice` at the root is 1.
    expect(selectionWalker({ document }, count)(operation.selectionSet, undefined, undefined)).toBe(2 + 2 + 1 + 2);
    // Fields visited: A's two once, and the root's `invoice`.
    expect(visited).toBe(3);
  });
});
