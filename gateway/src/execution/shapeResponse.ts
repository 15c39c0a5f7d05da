/**
 * Shapes the data gathered by the fetches into the response: exactly the client's
 * fields, in selection order, under their response names, with `__typename` filled in
 * (the planner never asks subgraphs for a root type's name), leaf values checked against
 * their type, and nulls in non-null positions propagated to the nearest nullable parent.
 * One output object per response object, one array per list; the walk follows the
 * compiled shape (ResponseShape.ts) and the gathered data side by side.
 *
 * Problems found here (a null where the schema forbids one, an unknown `__typename`, a
 * leaf of the wrong kind) are the "value completion" errors of @apollo/gateway: usually
 * the consequence of a failed fetch that already reported an error with a better message,
 * so they are reported only when the execution had no error, and then in
 * `extensions.valueCompletion` rather than `errors` (as @apollo/gateway and the Router do).
 */
import { ERRORS } from '@apollo/federation-internals';
import {
  executeSync,
  GraphQLList,
  GraphQLNonNull,
  isCompositeType,
  isObjectType,
  type GraphQLError,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { setOwn } from './DataRewrites.js';
import { ownValue, type Data } from './mergeInto.js';
import { FieldKind, type LeafCheck, type SelectionShape, type ShapeField } from './ResponseShape.js';

/** Returned instead of a value when a null must propagate to the parent. */
const BUBBLE: unique symbol = Symbol('null propagates');
type Shaped = unknown;

/**
 * One response object of a field list, compiled: reads each field of the gathered object
 * by name (`input.id`: an inline cache per site, where a loop's `input[name]` is one
 * megamorphic lookup for every field of every type), completes it, and builds the output
 * with one object literal, so that every object of a list has the same hidden class
 * (which JSON.stringify serialises fastest). The code is generated from GraphQL names,
 * which are identifiers; a name inherited from Object.prototype (`constructor`) is read
 * with ownValue, and a list with the alias `__proto__` (which a literal would turn into a
 * prototype) is not compiled.
 */
type CompiledObject = (shaper: ResponseShaper, input: Data, fields: readonly ShapeField[]) => Data | typeof BUBBLE;
const compiledObjects = new WeakMap<readonly ShapeField[], CompiledObject | null>();
const IDENTIFIER = /^[_A-Za-z][_0-9A-Za-z]*$/;

function compiledObject(fields: readonly ShapeField[]): CompiledObject | null {
  let compiled = compiledObjects.get(fields);
  if (compiled === undefined) {
    compiled = compileObject(fields);
    compiledObjects.set(fields, compiled);
  }
  return compiled;
}

function compileObject(fields: readonly ShapeField[]): CompiledObject | null {
  if (fields.some((field) => field.name === '__proto__' || !IDENTIFIER.test(field.name))) return null;
  const lines: string[] = [];
  fields.forEach((field, i) => {
    const read = field.name in Object.prototype ? `own(input, ${JSON.stringify(field.name)})` : `input.${field.name}`;
    if (field.kind === FieldKind.Typename) lines.push(`const v${i} = shaper.typename(fields[${i}], input); if (v${i} === BUBBLE) return BUBBLE;`);
    else if (field.kind === FieldKind.Introspection) lines.push(`const v${i} = shaper.introspect(fields[${i}]);`);
    else {
      const valid = field.kind === FieldKind.Leaf ? validLeafTest(field) : undefined;
      if (valid) {
        // A value of the built-in scalar's kind is its own answer (what complete would
        // return); anything else, null included, takes the full path and its checks.
        const nullable = !(field.type instanceof GraphQLNonNull);
        lines.push(`let v${i} = ${read};`);
        lines.push(
          `if (!(${valid(`v${i}`)}${nullable ? ` || v${i} === null` : ''})) { v${i} = shaper.field(fields[${i}], v${i}); if (v${i} === BUBBLE) return BUBBLE; }`,
        );
      } else {
        lines.push(`const v${i} = shaper.field(fields[${i}], ${read}); if (v${i} === BUBBLE) return BUBBLE;`);
      }
    }
  });
  const literal = fields.map((field, i) => `${JSON.stringify(field.name)}: v${i}`).join(', ');
  const factory = new Function('BUBBLE', 'own', `return function shapeObject(shaper, input, fields) {\n${lines.join('\n')}\nreturn { ${literal} };\n};`) as (
    bubble: typeof BUBBLE,
    own: typeof ownValue,
  ) => CompiledObject;
  return factory(BUBBLE, ownValue);
}

/**
 * For a leaf field of a built-in scalar, named or non-null: the expression that tells a
 * value valid as it is, as validLeaf would (safe integers are what Int and ID's integer
 * check accepts without looking at their digits); undefined for lists, enums and custom
 * scalars, which always take the full path.
 */
function validLeafTest(field: ShapeField): ((value: string) => string) | undefined {
  const type = field.type instanceof GraphQLNonNull ? field.type.ofType : field.type;
  if (type instanceof GraphQLList) return undefined;
  switch (field.leaf) {
    case 'String':
      return (v) => `typeof ${v} === 'string'`;
    case 'Boolean':
      return (v) => `typeof ${v} === 'boolean'`;
    case 'Float':
      return (v) => `(typeof ${v} === 'number' && Number.isFinite(${v}))`;
    case 'Int':
      return (v) => `Number.isSafeInteger(${v})`;
    case 'ID':
      return (v) => `(typeof ${v} === 'string' || Number.isSafeInteger(${v}))`;
    default:
      return undefined;
  }
}

const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

function validLeaf(check: LeafCheck, value: unknown): boolean {
  switch (check) {
    case 'any':
      return true;
    case 'String':
      return typeof value === 'string';
    case 'Boolean':
      return typeof value === 'boolean';
    case 'Float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'Int':
    case 'ID':
      if (typeof value === 'number') return Number.isFinite(value) && INTEGER.test(String(value));
      return check === 'ID' && typeof value === 'string';
    default:
      return typeof value === 'string' && check.getValue(value) !== undefined;
  }
}

export interface ShapedResponse {
  data: Data | null;
  /** Value completion errors (see above). */
  errors: GraphQLError[];
}

export class ResponseShaper {
  private readonly errors: GraphQLError[] = [];
  private readonly path: Array<string | number>;
  /** Whether the null just returned by `complete` was already reported. */
  private reported = false;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly variables: Record<string, unknown> | undefined,
    /** Where the shaped object is in the response (a deferred part's path); the root by default. */
    basePath: ReadonlyArray<string | number> = [],
  ) {
    this.path = [...basePath];
  }

  shape(root: SelectionShape, input: Data): ShapedResponse {
    const data = this.object(input, root.fields(undefined));
    return { data: data === BUBBLE ? null : data, errors: this.errors };
  }

  private object(input: Data, fields: readonly ShapeField[]): Data | typeof BUBBLE {
    const compiled = compiledObject(fields);
    return compiled ? compiled(this, input, fields) : this.objectByLoop(input, fields);
  }

  /** What compiled objects do for a `__typename` field: the type's name, or BUBBLE. */
  typename(field: ShapeField, input: Data): string | typeof BUBBLE {
    let value = ownValue(input, field.name);
    if ((value === undefined || value === null) && field.name !== '__typename') value = input.__typename;
    // The data's own type when it names one, else the type in scope; only an object type
    // is a valid answer (a bare interface name comes from an @interfaceObject subgraph
    // whose follow-up fetch failed), otherwise the object is nulled.
    const type = (typeof value === 'string' && this.schema.getType(value)) || field.scope;
    return isObjectType(type) ? type.name : BUBBLE;
  }

  /** What compiled objects do for a leaf or composite field: its completed value, or BUBBLE. */
  field(field: ShapeField, value: unknown): Shaped {
    this.path.push(field.name);
    const completed = this.complete(field.type, value ?? null, field);
    this.path.pop();
    return completed;
  }

  /** The same as a compiled object, for field lists that cannot be compiled (a `__proto__` alias). */
  private objectByLoop(input: Data, fields: readonly ShapeField[]): Data | typeof BUBBLE {
    const output: Data = {};
    for (const field of fields) {
      let value: unknown;
      switch (field.kind) {
        case FieldKind.Typename:
          value = this.typename(field, input);
          break;
        case FieldKind.Introspection:
          value = this.introspect(field);
          break;
        default:
          value = this.field(field, ownValue(input, field.name));
      }
      if (value === BUBBLE) return BUBBLE;
      setOwn(output, field.name, value);
    }
    return output;
  }

  private complete(type: GraphQLOutputType, value: unknown, field: ShapeField): Shaped {
    if (type instanceof GraphQLNonNull) {
      const completed = this.complete(type.ofType as GraphQLOutputType, value, field);
      if (completed !== null) return completed;
      if (!this.reported) this.report('Cannot return null for non-nullable', type.ofType as GraphQLOutputType, field);
      this.reported = true;
      return BUBBLE;
    }
    this.reported = false;
    if (value === null) return null;
    if (type instanceof GraphQLList) {
      if (!Array.isArray(value)) throw new Error(`Invalid non-list value ${String(value)} returned by subgraph for list type ${String(type)}`);
      const output: unknown[] = new Array(value.length);
      let nullify = false;
      let reported = false;
      for (let i = 0; i < value.length; i++) {
        this.path.push(i);
        const element = this.complete(type.ofType as GraphQLOutputType, value[i] ?? null, field);
        this.path.pop();
        // Every element is still completed, so that every error is found.
        if (element === BUBBLE) nullify = true;
        else output[i] = element;
        reported ||= this.reported;
      }
      this.reported = reported;
      return nullify ? null : output;
    }
    if (field.selection) {
      if (typeof value !== 'object') throw new Error(`Invalid non-object value ${String(value)} returned by subgraph for composite type ${String(type)}`);
      const typename = (value as Data).__typename;
      if (typename !== undefined && typeof typename !== 'string') throw new Error(`Invalid non-string value ${String(typename)} for __typename`);
      if (typename !== undefined) {
        const runtime = this.schema.getType(typename);
        // Not in the API schema: an @inaccessible type, whose name must not leak into the message.
        if (!runtime || !isCompositeType(runtime)) {
          this.report('Invalid __typename found for object at', type, field);
          this.reported = true;
          return null;
        }
      }
      const object = this.object(value as Data, field.selection.fields(typename));
      this.reported = object === BUBBLE;
      return object === BUBBLE ? null : object;
    }
    if (validLeaf(field.leaf, value)) return value;
    this.report('Invalid value found for', type, field);
    this.reported = true;
    return null;
  }

  private report(problem: string, type: GraphQLOutputType, field: ShapeField): void {
    const last = this.path[this.path.length - 1];
    const where = typeof last === 'number' ? `array element of type ${String(type)} at index ${last}` : `field ${field.scope.name}.${String(last)}`;
    this.errors.push(ERRORS.INVALID_GRAPHQL.err(`${problem} ${where}.`, { path: [...this.path] }));
  }

  introspect(field: ShapeField): unknown {
    const { data, errors } = executeSync({ schema: this.schema, document: field.introspection!, rootValue: {}, variableValues: this.variables });
    if (errors?.length || !data) throw new Error(`Introspection of ${field.name} failed: ${errors?.map((e) => e.message).join('; ')}`);
    return data[field.name];
  }
}
