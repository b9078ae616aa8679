import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  assertStorableVariables,
  depthLimitRule,
  hasFragmentCycle,
  KnownOperationTypesRule,
  StorableStringLiteralsRule,
  unstorableIn,
} from './input-validation';

const schema = buildSchema(`
  input Filter { models: [String!], nested: Filter }
  type Thing { id: ID! name: String! child: Thing }
  type Query { things(filter: Filter, search: String): [Thing!]! }
`);

const errorsOf = (source: string) =>
  validate(schema, parse(source), [
    ...specifiedRules,
    depthLimitRule(8),
    KnownOperationTypesRule,
    StorableStringLiteralsRule,
  ]).map((e) => e.message);

describe('GraphQL input validation', () => {
  it('reports a self-spreading fragment as graphql does, without overflowing the stack', () => {
    expect(errorsOf('query { things { ...F } } fragment F on Thing { id ...F }')).toEqual([
      'Cannot spread fragment "F" within itself.',
    ]);
    expect(
      hasFragmentCycle(
        parse(
          'query { things { ...A } } fragment A on Thing { child { ...B } } fragment B on Thing { ...A }',
        ),
      ),
    ).toBe(true);
    expect(
      hasFragmentCycle(
        parse('query { things { ...A ...B } } fragment A on Thing { ...B } fragment B on Thing { id }'),
      ),
    ).toBe(false);
  });

  it('still limits depth when fragments are acyclic', () => {
    const deep = `query { things { ...F } } fragment F on Thing { child { child { child { child { child { child { child { child { id } } } } } } } } }`;
    expect(errorsOf(deep).join()).toMatch(/exceeds maximum operation depth/);
  });

  it('refuses an operation type the schema has no root for', () => {
    expect(errorsOf('subscription { things { id } }')).toContain(
      'This API does not serve subscription operations',
    );
    expect(errorsOf('mutation { __typename }')).toContain('This API does not serve mutation operations');
  });

  it('names the argument path of a string literal the store cannot hold', () => {
    expect(errorsOf('query { things(filter: { nested: { models: ["ok", "a\\u0000"] } }) { id } }')).toEqual([
      'filter.nested.models.1 must not contain NUL (\\u0000)',
    ]);
    // graphql's lexer refuses a lone surrogate in a literal itself (a 400 parse error).
    expect(() => parse('query { things(search: "\\ud800") { id } }')).toThrow(/Invalid Unicode escape/);
    expect(() => parse('query { things(search: "\uD800") { id } }')).toThrow(/Invalid character/);
    expect(errorsOf('query { things(search: "\\ud83d\\ude00 é") { id } }')).toEqual([]);
  });

  it('names the variable path, keys included, of a string the store cannot hold', () => {
    expect(unstorableIn({ a: ['x', 'y\u0000'] }, '$f')).toEqual({
      path: '$f.a.1',
      problem: 'must not contain NUL (\\u0000)',
    });
    expect(unstorableIn({ ['k\uDC00']: 1 }, '$j')?.path).toBe('$j.k\uDC00');
    expect(unstorableIn({ a: [1, true, null, 'ok'] }, '$f')).toBeNull();
    expect(() => assertStorableVariables({ s: '\uD800' })).toThrow(/^\$s must not contain an unpaired/);
    expect(() => assertStorableVariables(undefined)).not.toThrow();
  });
});
