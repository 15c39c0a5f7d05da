/**
 * Domain syntax, as odoo/osv/expression.py (Odoo 17) reads it: a list of leaves
 * `[field, operator, value]` and the prefix operators '&', '|', '!', with an implicit
 * '&' between consecutive terms. The result is a tree in which negations have been
 * pushed into the leaves where an operator has an opposite (distribute_not), because
 * that decides how empty values match: `!(amount > 5)` is `amount <= 5`, which an
 * empty amount does not satisfy.
 */
import type { XmlRpcValue } from '../../../../lib/xmlrpc/values.js';
import { pythonError } from './exceptions.js';
import { pyRepr, pyStrOf, pyTuple } from './pyRepr.js';

export type Leaf = readonly [XmlRpcValue, string, XmlRpcValue];

export type DomainNode =
  | { kind: 'and' | 'or'; left: DomainNode; right: DomainNode }
  | { kind: 'not'; child: DomainNode }
  | { kind: 'leaf'; leaf: Leaf }
  | { kind: 'const'; value: boolean };

export const TERM_OPERATORS = [
  '=',
  '!=',
  '<=',
  '<',
  '>',
  '>=',
  '=?',
  '=like',
  '=ilike',
  'like',
  'not like',
  'ilike',
  'not ilike',
  'in',
  'not in',
  'child_of',
  'parent_of',
  'any',
  'not any',
] as const;

const NEGATION: Readonly<Record<string, string>> = {
  '<': '>=',
  '>': '<=',
  '<=': '>',
  '>=': '<',
  '=': '!=',
  '!=': '=',
  in: 'not in',
  'not in': 'in',
  like: 'not like',
  'not like': 'like',
  ilike: 'not ilike',
  'not ilike': 'ilike',
  any: 'not any',
  'not any': 'any',
};

type Token = '&' | '|' | '!' | { leaf: XmlRpcValue[] } | { garbage: XmlRpcValue };

const ARITY: Readonly<Record<string, number>> = { '!': 1, '&': 2, '|': 2 };

function isLogicOperator(value: XmlRpcValue): value is '&' | '|' | '!' {
  return value === '&' || value === '|' || value === '!';
}

function sameAs(value: XmlRpcValue, n: 0 | 1): boolean {
  return value === n || value === (n === 1);
}

/** TRUE_LEAF (1, '=', 1) or FALSE_LEAF (0, '=', 1), as Odoo writes them. */
export function constantLeaf(leaf: readonly XmlRpcValue[]): boolean | undefined {
  if (leaf.length !== 3 || leaf[1] !== '=' || !sameAs(leaf[2]!, 1)) return undefined;
  if (sameAs(leaf[0]!, 1)) return true;
  if (sameAs(leaf[0]!, 0)) return false;
  return undefined;
}

function isLeaf(leaf: readonly XmlRpcValue[]): boolean {
  if (leaf.length !== 3) return false;
  const [left, operator] = leaf;
  if (typeof operator !== 'string' || !([...TERM_OPERATORS, '<>'] as string[]).includes(operator)) return false;
  return (typeof left === 'string' && left !== '') || constantLeaf(leaf) !== undefined;
}

/** normalize_leaf: '<>' is '!=', `in True` is `= True`, `= [..]` is `in [..]`. */
function normalizeLeaf(leaf: readonly XmlRpcValue[]): Leaf {
  const [left, original, right] = leaf as [XmlRpcValue, string, XmlRpcValue];
  let operator = original.toLowerCase();
  if (operator === '<>') operator = '!=';
  if (typeof right === 'boolean' && (operator === 'in' || operator === 'not in')) operator = operator === 'in' ? '=' : '!=';
  if (Array.isArray(right) && (operator === '=' || operator === '!=')) operator = operator === '=' ? 'in' : 'not in';
  return [left, operator, right];
}

/** normalize_domain, then check_leaf on every term. */
function tokenize(domain: XmlRpcValue): Token[] {
  if (!Array.isArray(domain)) {
    throw pythonError('AssertionError', "Domains to normalize must have a 'domain' form: a list or tuple of domain components");
  }
  const tokens: Token[] = [];
  let expected = 1;
  for (const item of domain) {
    if (expected === 0) {
      tokens.unshift('&');
      expected = 1;
    }
    if (Array.isArray(item)) {
      expected -= 1;
      tokens.push({ leaf: item });
    } else if (isLogicOperator(item)) {
      expected += ARITY[item]! - 1;
      tokens.push(item);
    } else {
      expected -= 1;
      tokens.push({ garbage: item });
    }
  }
  if (expected !== 0) throw pythonError('ValueError', `Domain ${pyRepr(domain)} is syntactically not correct.`);
  for (const token of tokens) {
    if (typeof token === 'string') continue;
    if ('garbage' in token) throw pythonError('ValueError', `Invalid leaf ${pyStrOf(token.garbage)}`);
    if (!isLeaf(token.leaf)) throw pythonError('ValueError', `Invalid leaf ${pyTuple(token.leaf)}`);
  }
  return tokens;
}

/** Parses a domain into a tree; an empty domain matches everything. */
export function parseDomain(domain: XmlRpcValue): DomainNode {
  if (Array.isArray(domain) && domain.length === 0) return { kind: 'const', value: true };
  const tokens = tokenize(domain);
  let position = 0;
  const build = (negate: boolean): DomainNode => {
    const token = tokens[position++]!;
    if (token === '!') return build(!negate);
    if (token === '&' || token === '|') {
      const left = build(negate);
      const right = build(negate);
      const and = token === '&' ? !negate : negate;
      return { kind: and ? 'and' : 'or', left, right };
    }
    const raw = (token as { leaf: XmlRpcValue[] }).leaf;
    const constant = constantLeaf(raw);
    if (constant !== undefined) return { kind: 'const', value: negate ? !constant : constant };
    const leaf = normalizeLeaf(raw);
    if (!negate) return { kind: 'leaf', leaf };
    const opposite = NEGATION[leaf[1]];
    return opposite ? { kind: 'leaf', leaf: [leaf[0], opposite, leaf[2]] } : { kind: 'not', child: { kind: 'leaf', leaf } };
  };
  return build(false);
}

/** Whether any leaf's left side is exactly `field` (Odoo's test before adding `active = True`). */
export function mentionsField(domain: XmlRpcValue, field: string): boolean {
  return Array.isArray(domain) && domain.some((item) => Array.isArray(item) && item[0] === field);
}
