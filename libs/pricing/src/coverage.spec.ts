import { describe, expect, it } from 'vitest';
import { versionCoverage } from './coverage';
import { snapshotOf } from './snapshot';

const rate = (model: string, output: string, match: object = { exact: [model] }) => ({
  provider: 'acme',
  model,
  match,
  prices: { input: '1', output },
  source: 't',
});

function coverage(
  versions: { effectiveFrom: string; rates: ReturnType<typeof rate>[]; providers?: unknown[] }[],
  target: number,
  since: string,
) {
  const snapshot = snapshotOf([
    { slug: 'overrides', organizationId: 'org', versions },
    {
      slug: 'genai-prices',
      versions: [
        {
          effectiveFrom: '2020-01-01T00:00:00Z',
          rates: [],
          providers: [{ id: 'acme', aliases: [{ equals: 'acme_cloud' }] }],
        },
      ],
    },
  ]);
  return versionCoverage(snapshot, `overrides@${target}`, new Date(since), null);
}

describe('versionCoverage: the names a published version can price differently', () => {
  const v1 = {
    effectiveFrom: '2026-01-01T00:00:00Z',
    rates: [rate('m1', '2'), rate('m2', '2'), rate('m3', '2')],
  };

  it('a correction to one model covers that model (and its aliases and snapshots) only', () => {
    const covers = coverage(
      [
        v1,
        {
          ...v1,
          effectiveFrom: '2026-06-01T00:00:00Z',
          rates: [rate('m1', '2'), rate('m2', '3'), rate('m3', '2')],
        },
      ],
      2,
      '2026-06-01T00:00:00Z',
    );
    expect(covers('acme', 'm2')).toBe(true);
    expect(covers('acme', 'M2-2026-05-01')).toBe(true);
    expect(covers('acme_cloud', 'm2')).toBe(true); // a provider alias of the catalog
    expect(covers('acme', 'm1')).toBe(false);
    expect(covers('acme', 'm3')).toBe(false);
    expect(covers('other', 'm2')).toBe(false);
  });

  it('covers rates it adds (unpriced names it can now price) and rates it drops', () => {
    const covers = coverage(
      [
        v1,
        {
          effectiveFrom: '2026-06-01T00:00:00Z',
          rates: [rate('m1', '2'), rate('m2', '2'), rate('self-hosted', '1')],
        },
      ],
      2,
      '2026-06-01T00:00:00Z',
    );
    expect(covers('acme', 'self-hosted')).toBe(true);
    expect(covers('acme', 'm3')).toBe(true);
    expect(covers('acme', 'm1')).toBe(false);
  });

  it('compares with every version in force in the range, not only the latest', () => {
    const later = {
      effectiveFrom: '2026-03-01T00:00:00Z',
      rates: [rate('m1', '5'), rate('m2', '2'), rate('m3', '2')],
    };
    // A correction back-dated to February: v2 (March) was in force for part of the range.
    const covers = coverage(
      [
        v1,
        later,
        { effectiveFrom: '2026-02-01T00:00:00Z', rates: [rate('m1', '2'), rate('m2', '2'), rate('m3', '2')] },
      ],
      3,
      '2026-02-01T00:00:00Z',
    );
    expect(covers('acme', 'm1')).toBe(true);
    expect(covers('acme', 'm2')).toBe(false);
  });

  it('covers everything when the providers change, and every gateway event', () => {
    const covers = coverage(
      [
        v1,
        {
          ...v1,
          effectiveFrom: '2026-06-01T00:00:00Z',
          providers: [{ id: 'acme', fallbackProviders: ['openai'] }],
        },
      ],
      2,
      '2026-06-01T00:00:00Z',
    );
    expect(covers('anything', 'at-all')).toBe(true);
    const same = coverage(
      [
        v1,
        {
          ...v1,
          effectiveFrom: '2026-06-01T00:00:00Z',
          rates: [rate('m1', '9'), rate('m2', '2'), rate('m3', '2')],
        },
      ],
      2,
      '2026-06-01T00:00:00Z',
    );
    expect(same('litellm', 'whatever')).toBe(true);
  });
});
