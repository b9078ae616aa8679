import { describe, expect, it } from 'vitest';
import { effectivePrice, scaleCard } from './effective-price';
import { snapshotOf, tablesInForce } from './snapshot';

describe('effectivePrice: the price in force with any discount applied', () => {
  const snapshot = snapshotOf([
    {
      slug: 'overrides',
      organizationId: 'org-1',
      versions: [
        {
          effectiveFrom: '2026-01-01T00:00:00Z',
          rates: [
            {
              provider: 'openai',
              model: 'gpt-5.5',
              match: { exact: ['gpt-5.5'] },
              prices: { discountPercent: '20' },
              source: 'contract',
            },
          ],
        },
      ],
    },
    {
      slug: 'genai-prices',
      versions: [
        {
          effectiveFrom: '2026-01-01T00:00:00Z',
          rates: [
            {
              provider: 'openai',
              model: 'gpt-5.5',
              match: { exact: ['gpt-5.5'] },
              prices: {
                input: '5',
                output: '30',
                cacheRead: '0.5',
                tiers: [{ aboveInputTokens: 271999, input: '10', output: '45' }],
                serviceTiers: { batch: { multiplier: '0.5' } },
              },
              source: 'catalog',
            },
          ],
        },
      ],
    },
  ]);

  it('applies an override discount to every price of the base card, naming both steps', () => {
    const inForce = tablesInForce(snapshot, '2026-06-01T00:00:00Z', 'org-1');
    const p = effectivePrice(inForce, 'openai', 'gpt-5.5')!;
    expect(p.prices).toEqual({
      input: '4',
      output: '24',
      cacheRead: '0.4',
      tiers: [{ aboveInputTokens: 271999, input: '8', output: '36' }],
      serviceTiers: { batch: { multiplier: '0.5' } },
    });
    expect(inForce[p.base.table]!.table.slug).toBe('genai-prices');
    expect(inForce[p.discount!.table]!.table.slug).toBe('overrides');
    expect(p.discount!.prices).toEqual({ discountPercent: '20' });
  });

  it('is the base card itself without an override', () => {
    const p = effectivePrice(tablesInForce(snapshot, '2026-06-01T00:00:00Z', null), 'openai', 'gpt-5.5')!;
    expect(p.discount).toBeNull();
    expect(p.prices).toMatchObject({ input: '5', output: '30' });
  });

  it('scales exactly', () => {
    expect(scaleCard({ input: '0.3', other: { webSearch: '0.01' } }, '0.9')).toEqual({
      input: '0.27',
      other: { webSearch: '0.009' },
    });
  });
});
