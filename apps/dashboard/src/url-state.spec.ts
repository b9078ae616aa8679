import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXPLORER,
  eventsLink,
  parseExplorer,
  serializeExplorer,
  spendFilterFields,
  type ExplorerState,
} from './url-state';

const parse = (q: string) => parseExplorer(new URLSearchParams(q));

describe('explorer state in the URL', () => {
  it('an empty query is the default view', () => {
    expect(parse('')).toEqual(DEFAULT_EXPLORER);
  });

  it('round-trips a full view through the query string', () => {
    const state: ExplorerState = {
      range: { preset: 'custom', from: '2026-10-01', to: '2026-10-31' },
      groupBy: ['FEATURE', 'CUSTOMER'],
      interval: 'HOUR',
      filters: { MODEL: ['gpt-5.5', 'deepseek-v4-pro'], CUSTOMER: [''], PROJECT: ['a&b=c'] },
      utc: true,
      sort: { key: 'requests', desc: false },
    };
    const query = serializeExplorer(state).toString();
    expect(parse(query)).toEqual(state);
    expect(query).toContain('model=gpt-5.5&model=deepseek-v4-pro');
    expect(query).toContain('by=FEATURE%2CCUSTOMER');
  });

  it('leaves defaults out so shared links stay short', () => {
    expect(serializeExplorer(DEFAULT_EXPLORER).toString()).toBe('range=30d&by=MODEL');
  });

  it('keeps at most two distinct, known dimensions', () => {
    expect(parse('by=MODEL,MODEL,NOPE,FEATURE,CUSTOMER').groupBy).toEqual(['MODEL', 'FEATURE']);
    expect(parse('by=HOUR').groupBy).toEqual(['MODEL']);
  });

  it('falls back instead of failing on a hand-edited URL', () => {
    expect(parse('range=custom&from=2026-02-30&to=2026-03-01').range).toEqual({ preset: '30d' });
    expect(parse('range=forever').range).toEqual({ preset: '30d' });
    expect(parse('every=WEEK').interval).toBe('DAY');
    expect(parse('sort=price:up').sort).toEqual(DEFAULT_EXPLORER.sort);
    expect(parse('sort=label:asc').sort).toEqual({ key: 'label', desc: false });
  });

  it('turns filters into spend filter fields, the empty value meaning "none set"', () => {
    expect(spendFilterFields({ MODEL: ['a'], FEATURE: [''], CUSTOMER: [] })).toEqual({
      models: ['a'],
      features: [''],
    });
  });

  it('drills a row into its events with the view filters and the row values', () => {
    const link = eventsLink(
      { from: '2026-11-01T00:00:00.000Z', to: '2026-11-02T00:00:00.000Z' },
      { PROJECT: ['demo'], MODEL: ['x', 'y'] },
      { MODEL: 'gpt-5.5', CUSTOMER: null },
    );
    const params = new URLSearchParams(link.split('?')[1]);
    expect(link.startsWith('/events?')).toBe(true);
    expect(params.getAll('model')).toEqual(['gpt-5.5']);
    expect(params.getAll('project')).toEqual(['demo']);
    expect(params.getAll('customer')).toEqual(['']);
    expect(params.get('from')).toBe('2026-11-01T00:00:00.000Z');
  });
});
