import Decimal from 'decimal.js';
import type { UsageEvent } from '@tokenledger/contracts';
import { arrayLiteral, type PgClient } from '../pg';
import type { EventPricing } from './priced-event';
import { accumulate, type RollupDelta } from './rollup-cell';
import { ROLLUP_COUNTERS } from './rollup.sql';

/**
 * Spend by tag: one cell per project × UTC hour × tag key × tag value, with the same counters as the
 * other rollups. An event with n tags adds to n cells, so cells of different keys overlap (the sum
 * over one key's values is that key's tagged spend, never the total). Written in the transaction
 * that writes (or re-prices) the events, like every other rollup level.
 */
export interface TagRollupDelta {
  /** hour, key, value joined: the unique key cells are sorted by (one lock order for all writers). */
  id: string;
  hour: string;
  tagKey: string;
  tagValue: string;
  delta: RollupDelta;
}

/** An event with its pricing and the sign of its contribution (re-pricing removes the old one). */
export interface TagContribution {
  event: UsageEvent;
  pricing: EventPricing;
  sign?: 1 | -1;
}

/** The tag cells some events add to (nothing for untagged events), sorted by unique key. */
export function tagRollupCells(items: Iterable<TagContribution>): TagRollupDelta[] {
  const cells = new Map<string, TagRollupDelta>();
  for (const { event, pricing, sign = 1 } of items) {
    const tags = Object.entries(event.tags ?? {});
    if (tags.length === 0) continue;
    // The event's own contribution, computed once by the hourly cell arithmetic, then added per tag.
    const one = new Map<string, RollupDelta>();
    accumulate(one, event, pricing, sign);
    const delta = one.values().next().value!;
    for (const [tagKey, tagValue] of tags) {
      const id = [delta.hour, tagKey, tagValue].join('\u001f');
      const cell = cells.get(id);
      if (!cell) {
        cells.set(id, {
          id,
          hour: delta.hour,
          tagKey,
          tagValue,
          delta: { ...delta, costUsd: new Decimal(delta.costUsd) },
        });
        continue;
      }
      for (const [, field] of ROLLUP_COUNTERS) (cell.delta[field] as number) += delta[field] as number;
      cell.delta.costUsd = cell.delta.costUsd.plus(delta.costUsd);
    }
  }
  return [...cells.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const COUNTER_COLUMNS = ROLLUP_COUNTERS.map(([column]) => column);

/** Parameters of the tag upsert (after the shared $1 organization and $2 project). */
export const TAG_ROLLUP_PARAM_COUNT = 3 + COUNTER_COLUMNS.length + 1;

/** The upsert of tag cells, its parameters numbered from `first` (what `tagRollupParams` gives). */
export function tagRollupUpsert(first: number): string {
  const counters = COUNTER_COLUMNS.map((_, i) => `$${first + 3 + i}::bigint[]`).join(', ');
  return `
INSERT INTO tag_rollups (organization_id, project_id, hour, tag_key, tag_value, ${COUNTER_COLUMNS.join(', ')}, cost_usd, updated_at)
SELECT $1::uuid, $2::uuid, c.hour, c.tag_key, c.tag_value, ${COUNTER_COLUMNS.map((c) => `c.${c}`).join(', ')}, c.cost_usd, now()
FROM unnest($${first}::timestamptz[], $${first + 1}::text[], $${first + 2}::text[], ${counters},
  $${first + 3 + COUNTER_COLUMNS.length}::numeric[]
) WITH ORDINALITY AS c(hour, tag_key, tag_value, ${COUNTER_COLUMNS.join(', ')}, cost_usd, ord)
ORDER BY c.ord
ON CONFLICT (project_id, hour, tag_key, tag_value) DO UPDATE SET
  ${COUNTER_COLUMNS.map((c) => `${c} = tag_rollups.${c} + EXCLUDED.${c}`).join(',\n  ')},
  cost_usd = tag_rollups.cost_usd + EXCLUDED.cost_usd,
  updated_at = now()`;
}

/** The upsert's parameters, as array literals. */
export function tagRollupParams(cells: readonly TagRollupDelta[]): string[] {
  return [
    arrayLiteral(cells.map((c) => c.hour)),
    arrayLiteral(cells.map((c) => c.tagKey)),
    arrayLiteral(cells.map((c) => c.tagValue)),
    ...ROLLUP_COUNTERS.map(([, field]) => arrayLiteral(cells.map((c) => c.delta[field] as number))),
    arrayLiteral(cells.map((c) => c.delta.costUsd.toFixed())),
  ];
}

/** Adds tag cells of one project, inside the caller's transaction (re-pricing, resends). */
export async function upsertTagRollups(
  client: PgClient,
  organizationId: string,
  projectId: string,
  items: Iterable<TagContribution>,
): Promise<void> {
  const cells = tagRollupCells(items);
  if (cells.length === 0) return;
  await client.query({
    name: 'tl-upsert-tag-rollups',
    text: tagRollupUpsert(3),
    values: [organizationId, projectId, ...tagRollupParams(cells)],
  });
}
