import type { Type } from '@nestjs/common';
import { Field, InputType, ObjectType } from '@nestjs/graphql';
import { TOKEN_KINDS, type TokenKind, type TotalField } from '@tokenledger/contracts';
import { LongScalar } from './scalars';

/** One `Long` per token kind (`inputTokens`, …), as TOKEN_KINDS declares them. */
export type TokenCounts = Record<TokenKind['graphqlField'], number>;
/** The same, where only the totals are required (an input). */
export type TokenCountsInput = Pick<TokenCounts, TotalField> & Partial<Omit<TokenCounts, TotalField>>;

/**
 * A base class with a GraphQL field for every token kind (libs/contracts TOKEN_KINDS), so a new kind
 * reaches SpendRow, TokenUsage and QuoteUsageInput without editing them:
 * `class SpendRow extends TokenCountFields('object', { describeTotals: true }) { … }`.
 */
export function TokenCountFields(kind: 'object', options?: { describeTotals?: boolean }): Type<TokenCounts>;
export function TokenCountFields(
  kind: 'input',
  options?: { describeTotals?: boolean },
): Type<TokenCountsInput>;
export function TokenCountFields(
  kind: 'object' | 'input',
  options: { describeTotals?: boolean } = {},
): Type<unknown> {
  abstract class Counts {}
  if (kind === 'input') InputType({ isAbstract: true })(Counts);
  else ObjectType({ isAbstract: true })(Counts);
  for (const k of TOKEN_KINDS) {
    const total = k.total === null;
    Field(() => LongScalar, {
      // An input requires the totals; the parts may be left out (they default to 0).
      nullable: kind === 'input' && !total,
      ...(total && options.describeTotals && k.description ? { description: k.description } : {}),
    })(Counts.prototype, k.graphqlField);
  }
  return Counts as unknown as Type<unknown>;
}
