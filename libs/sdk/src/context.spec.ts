import { describe, expect, it } from 'vitest';
import { contextPropagatesAcrossAwait, getContext, mergeContext, withContext } from './context.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('withContext', () => {
  it('is empty outside any scope', () => {
    expect(getContext()).toEqual({});
  });

  it('follows awaits, nests (inner fields win, tags merge) and restores the outer scope', async () => {
    expect(contextPropagatesAcrossAwait).toBe(true);
    await withContext(
      { feature: 'chat', customerId: 'acme', tags: { team: 'a', region: 'eu' } },
      async () => {
        await tick();
        expect(getContext()).toMatchObject({ feature: 'chat', customerId: 'acme' });
        await withContext({ customerId: 'globex', tags: { team: 'b' } }, async () => {
          await tick();
          expect(getContext()).toEqual({
            feature: 'chat',
            customerId: 'globex',
            environment: undefined,
            tags: { team: 'b', region: 'eu' },
          });
        });
        expect(getContext().customerId).toBe('acme');
      },
    );
    expect(getContext()).toEqual({});
  });

  it('keeps concurrent scopes apart', async () => {
    const seen: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((customerId, i) =>
        withContext({ customerId }, async () => {
          await new Promise((resolve) => setTimeout(resolve, 5 * (3 - i)));
          seen.push(`${customerId}=${getContext().customerId}`);
        }),
      ),
    );
    expect(seen.sort()).toEqual(['a=a', 'b=b', 'c=c']);
  });

  it('returns what the function returns, and rethrows what it throws', () => {
    expect(withContext({ feature: 'x' }, () => 42)).toBe(42);
    expect(() =>
      withContext({ feature: 'x' }, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(getContext()).toEqual({});
  });
});

describe('mergeContext', () => {
  it('returns one side unchanged when the other is empty', () => {
    const outer = { feature: 'a' };
    expect(mergeContext(outer, undefined)).toBe(outer);
    expect(mergeContext(undefined, outer)).toBe(outer);
  });
});
