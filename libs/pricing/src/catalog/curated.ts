import type { PricedCard, RateInput, Rule } from '../rate-card';
import { isAdjustment, PRICE_KEYS } from '../rate-card';

/**
 * Corrections Tokenledger applies on top of @pydantic/genai-prices, each for a limitation that
 * catalog documents itself, each recorded in the rate's `source`. A correction applies only when
 * the catalog still has the exact layout it was written for; a newer catalog that changed it is
 * left alone (and the test of the correction fails, so someone looks).
 */

export const CURATED_SOURCE = 'Tokenledger curation';

const DEEPSEEK_PEAK_SINCE = '2026-08-17';
const DEEPSEEK_WEEKEND_OFF_PEAK_SINCE = '2026-08-23';
const WEEKDAYS = [1, 2, 3, 4, 5];

/**
 * DeepSeek V4 peak pricing. genai-prices' price_comments (issue #582) say its layout cannot express
 * two things: the peak windows (01:00-04:00 and 06:00-10:00 UTC) only exist from 2026-08-17, and
 * from 2026-08-23 weekends (Beijing time) are off-peak all day. Both windows fall on the same
 * calendar day in Beijing (UTC+8) as in UTC, so the weekend is the UTC weekday there.
 */
function deepseekV4Windows(card: PricedCard): PricedCard | null {
  const rules = card.rules ?? [];
  const [late, early, offPeak] = rules;
  if (
    rules.length !== 3 ||
    late?.when.timeOfDay?.start !== '06:00:00' ||
    late.when.timeOfDay.end !== '10:00:00' ||
    early?.when.timeOfDay?.start !== '01:00:00' ||
    early.when.timeOfDay.end !== '04:00:00' ||
    offPeak?.when.from !== DEEPSEEK_PEAK_SINCE ||
    Object.keys(offPeak.when).length !== 1
  )
    return null;
  const { when: _a, ...peakPrices } = early;
  const { when: _b, ...offPeakPrices } = offPeak;
  const window = (start: string, end: string, extra: Partial<Rule['when']>): Rule => ({
    label: 'peak',
    when: { ...extra, timeOfDay: { start, end } },
    ...peakPrices,
  });
  const firstWeek = { from: DEEPSEEK_PEAK_SINCE, until: DEEPSEEK_WEEKEND_OFF_PEAK_SINCE };
  const weekdays = { from: DEEPSEEK_WEEKEND_OFF_PEAK_SINCE, weekdays: WEEKDAYS };
  return {
    ...card,
    rules: [
      window('01:00:00', '04:00:00', weekdays),
      window('06:00:00', '10:00:00', weekdays),
      window('01:00:00', '04:00:00', firstWeek),
      window('06:00:00', '10:00:00', firstWeek),
      { label: 'off-peak', when: { from: DEEPSEEK_PEAK_SINCE }, ...offPeakPrices },
    ],
  };
}

/**
 * Batch and flex prices, which genai-prices does not carry: OpenAI's Batch API and Flex
 * processing, Anthropic's Message Batches and Gemini's Batch Mode each bill 50% of the standard
 * prices (cache prices included).
 */
const SERVICE_TIERS: Record<string, PricedCard['serviceTiers']> = {
  openai: { batch: { multiplier: '0.5' }, flex: { multiplier: '0.5' } },
  anthropic: { batch: { multiplier: '0.5' } },
  google: { batch: { multiplier: '0.5' } },
};

export function applyCuration(rates: RateInput[]): RateInput[] {
  return rates.map((rate) => {
    if (isAdjustment(rate.prices)) return rate;
    let card: PricedCard = rate.prices;
    const notes: string[] = [];
    // Models listed without any price: free (":free" variants), or price unknown (unpriced, never $0).
    if (!card.rules && !card.other && PRICE_KEYS.every((k) => card[k] === undefined)) {
      if (rate.model.endsWith(':free')) {
        card = { input: '0', output: '0', notes: 'a ":free" model, listed without prices' };
        notes.push('free model: input and output at $0');
      } else {
        card = { notes: 'listed without prices in the catalog: usage of it stays unpriced' };
        notes.push('listed without prices');
      }
    }
    if (
      rate.provider === 'deepseek' &&
      (rate.model === 'deepseek-v4-pro' || rate.model === 'deepseek-v4-flash')
    ) {
      const fixed = deepseekV4Windows(card);
      if (fixed) {
        card = fixed;
        notes.push(
          'peak windows only from 2026-08-17, weekends off-peak from 2026-08-23 (genai-prices #582)',
        );
      }
    }
    const tiers = SERVICE_TIERS[rate.provider];
    if (tiers && !card.serviceTiers && (card.input !== undefined || card.output !== undefined)) {
      card = { ...card, serviceTiers: tiers };
      notes.push(`${Object.keys(tiers).join(' and ')} at 50% of standard prices`);
    }
    // genai-prices: "TypeSafe bills Jev per input token only; output tokens are free."
    if (rate.provider === 'typesafe' && card.input !== undefined && card.output === undefined) {
      card = { ...card, output: '0' };
      notes.push('output tokens are free (provider price comment)');
    }
    if (notes.length === 0) return rate;
    return { ...rate, prices: card, source: `${rate.source}; ${CURATED_SOURCE}: ${notes.join('; ')}` };
  });
}
