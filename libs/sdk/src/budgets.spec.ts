import { describe, expect, it } from 'vitest';
import { withContext } from './context.js';
import { BudgetExceededError, budgetQuery } from './budgets.js';
import { wrapOpenAI } from './openai.js';
import { Tokenledger } from './tokenledger.js';
import type { FetchLike } from './transport.js';

function api(answer: { status: number; body: unknown } | Error) {
  const urls: string[] = [];
  const fetch: FetchLike = async (url) => {
    urls.push(url);
    if (answer instanceof Error) throw answer;
    return {
      status: answer.status,
      headers: { get: () => null },
      text: async () => JSON.stringify(answer.body),
    };
  };
  return { urls, fetch };
}

const exceeded = {
  allowed: false,
  budgets: [
    {
      id: 'b1',
      name: 'Agent cap',
      scope: { kind: 'feature', key: null, value: 'agent' },
      amountUsd: '10',
      spentUsd: '12.5',
      exceeded: true,
      periodEnd: '2026-12-01T00:00:00.000Z',
    },
  ],
};

describe('checkBudget and enforceBudgets', () => {
  it('asks with the labels of the call, the scope and the defaults', async () => {
    const { urls, fetch } = api({ status: 200, body: { allowed: true, budgets: [] } });
    const tl = new Tokenledger({
      apiKey: 'k',
      baseUrl: 'http://tl.test/',
      fetch,
      flushOnExit: false,
      defaults: { environment: 'staging' },
    });
    await withContext({ customerId: 'acme', tags: { team: 'growth' } }, () =>
      tl.checkBudget({ feature: 'chat', model: 'gpt-5.5' }),
    );
    expect(urls[0]).toBe(
      'http://tl.test/v1/budgets/check?feature=chat&customerId=acme&environment=staging&model=gpt-5.5&tag.team=growth',
    );
    expect(budgetQuery({})).toBe('');
    await tl.shutdown(10);
  });

  it('throws BudgetExceededError before the provider is called', async () => {
    const { fetch } = api({ status: 200, body: exceeded });
    const tl = new Tokenledger({ apiKey: 'k', fetch, flushOnExit: false });
    let calls = 0;
    const client = wrapOpenAI(
      { chat: { completions: { create: async (_body: unknown) => (calls++, { model: 'gpt-5.5' }) } } },
      { tokenledger: tl, feature: 'agent', enforceBudgets: true },
    );
    const error = await client.chat.completions.create({ model: 'gpt-5.5', messages: [] }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect((error as BudgetExceededError).budgets.map((b) => b.id)).toEqual(['b1']);
    expect(calls).toBe(0);
    await tl.shutdown(10);
  });

  it('fails open when Tokenledger cannot answer, and does not check without enforceBudgets', async () => {
    const down = api(new Error('ECONNREFUSED'));
    const tl = new Tokenledger({ apiKey: 'k', fetch: down.fetch, flushOnExit: false });
    expect(await tl.checkBudget({ feature: 'agent' })).toMatchObject({
      allowed: true,
      unavailable: 'ECONNREFUSED',
    });
    const refused = api({ status: 200, body: exceeded });
    const tl2 = new Tokenledger({ apiKey: 'k', fetch: refused.fetch, flushOnExit: false });
    let calls = 0;
    const client = wrapOpenAI(
      { chat: { completions: { create: async (_body: unknown) => (calls++, { model: 'gpt-5.5' }) } } },
      { tokenledger: tl2 },
    );
    await client.chat.completions.create({ model: 'gpt-5.5', messages: [] });
    expect(calls).toBe(1);
    expect(refused.urls.filter((u) => u.includes('/budgets/check'))).toEqual([]);
    await tl.shutdown(10);
    await tl2.shutdown(10);
  });
});
