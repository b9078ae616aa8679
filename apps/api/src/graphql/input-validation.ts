import { ErrorCode, unstorableText } from '@tokenledger/contracts';
import depthLimit from 'graphql-depth-limit';
import {
  GraphQLError,
  Kind,
  type ASTNode,
  type DocumentNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

// Client mistakes in a GraphQL request are answered 400 VALIDATION_FAILED before anything runs
// (issue 13, item 5): strings the database cannot take, operation types this API does not serve,
// and documents that would send a validator into endless recursion.

/** A request-level error: Apollo answers it with HTTP 400 and formatError keeps the code. */
export function badRequest(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.ValidationFailed, http: { status: 400 } },
  });
}

/** The first string inside `value` that the store cannot hold, with its path, or null. */
export function unstorableIn(value: unknown, path: string): { path: string; problem: string } | null {
  if (typeof value === 'string') {
    const problem = unstorableText(value);
    return problem === null ? null : { path, problem };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableIn(value[i], `${path}.${i}`);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      const found = unstorableIn(key, `${path}.${key}`) ?? unstorableIn(v, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Every variable's strings (nested ones included) are text the database can hold: PostgreSQL
 * refuses NUL, and a lone surrogate would be rewritten to U+FFFD, matching or storing something
 * the client never sent. Throws a 400 naming the variable and where inside it.
 */
export function assertStorableVariables(variables: Record<string, unknown> | undefined | null): void {
  for (const [name, value] of Object.entries(variables ?? {})) {
    const found = unstorableIn(value, `$${name}`);
    if (found) throw badRequest(`${found.path} ${found.problem}`);
  }
}

/** The same for string literals written in the document, naming the argument and field. */
export const StorableStringLiteralsRule: ValidationRule = (context) => ({
  StringValue(node, key, _parent, _path, ancestors) {
    const problem = unstorableText(node.value);
    if (problem === null) return;
    context.reportError(
      new GraphQLError(`${literalPath(ancestors, key)} ${problem}`, {
        nodes: node,
        extensions: { code: ErrorCode.ValidationFailed },
      }),
    );
  },
});

/**
 * `arg.field.0` from the nodes above a literal. graphql's visitor gives the ancestors down to the
 * literal's parent's owner (a list's index in it is the array that follows, or `key` for the last).
 */
function literalPath(
  ancestors: readonly (ASTNode | readonly ASTNode[])[],
  key: string | number | undefined,
): string {
  const parts: string[] = [];
  for (let i = 0; i < ancestors.length; i++) {
    const node = ancestors[i]!;
    if (Array.isArray(node)) continue;
    const n = node as ASTNode;
    if (n.kind === Kind.ARGUMENT || n.kind === Kind.OBJECT_FIELD) parts.push(n.name.value);
    else if (n.kind === Kind.LIST) {
      const items = ancestors[i + 1];
      const child = ancestors[i + 2];
      if (Array.isArray(items) && child) parts.push(String(items.indexOf(child)));
      else if (i === ancestors.length - 1 && key !== undefined) parts.push(String(key));
    }
  }
  return parts.join('.') || 'a string literal';
}

/** `subscription` (or `mutation`) against a schema that has no such root: a 400, not a crash. */
export const KnownOperationTypesRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (context.getSchema().getRootType(node.operation)) return;
    context.reportError(
      new GraphQLError(`This API does not serve ${node.operation} operations`, {
        nodes: node,
        extensions: { code: ErrorCode.ValidationFailed },
      }),
    );
  },
});

/** True when fragments spread each other in a cycle (graphql's NoFragmentCyclesRule reports it). */
export function hasFragmentCycle(document: DocumentNode): boolean {
  const spreads = new Map<string, string[]>();
  for (const def of document.definitions) {
    if (def.kind !== Kind.FRAGMENT_DEFINITION) continue;
    const names: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (typeof node === 'object' && node !== null) {
        const n = node as { kind?: string; name?: { value: string } };
        if (n.kind === Kind.FRAGMENT_SPREAD && n.name) names.push(n.name.value);
        for (const [key, child] of Object.entries(node)) if (key !== 'loc') walk(child);
      }
    };
    walk(def.selectionSet);
    spreads.set(def.name.value, names);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const cyclic = (name: string): boolean => {
    const s = state.get(name);
    if (s === 'visiting') return true;
    if (s === 'done') return false;
    state.set(name, 'visiting');
    const found = (spreads.get(name) ?? []).some(cyclic);
    state.set(name, 'done');
    return found;
  };
  return [...spreads.keys()].some(cyclic);
}

/**
 * graphql-depth-limit follows fragment spreads without remembering where it has been: a fragment
 * that spreads itself overflows the stack (a 500). graphql's own NoFragmentCyclesRule reports
 * such a document; the depth limit is then skipped.
 */
export function depthLimitRule(maxDepth: number): ValidationRule {
  const rule = depthLimit(maxDepth) as unknown as ValidationRule;
  return (context: ValidationContext) => (hasFragmentCycle(context.getDocument()) ? {} : rule(context));
}
