import { validateUsageEvent } from '@tokenledger/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { toApiEvent } from './api-event';
import { DEMO_CUSTOMER_COUNT, DEMO_PROJECTS } from './company';
import {
  demoTraffic,
  DemoOptionError,
  generateHour,
  planDemoTraffic,
  rhythmAt,
  splitHours,
  type DemoEvent,
  type DemoTrafficOptions,
} from './demo-traffic';
import { DEMO_FEATURES, DEMO_SWITCH, DEMO_UNPRICED_MODEL, GPT_55_CONTEXT } from './features';

const END = new Date('2026-11-28T15:00:00Z');
const OPTIONS: DemoTrafficOptions = { seed: 42, events: 60_000, days: 30, end: END };

function all(options: DemoTrafficOptions): DemoEvent[] {
  return [...demoTraffic(planDemoTraffic(options))].flat();
}

const share = (events: DemoEvent[], test: (e: DemoEvent) => boolean) =>
  events.filter(test).length / events.length;

describe('demo traffic', () => {
  let events: DemoEvent[];
  beforeAll(() => {
    events = all(OPTIONS);
  });

  describe('determinism', () => {
    it('gives the same eventIds and contents for the same seed and options', () => {
      const again = all(OPTIONS);
      expect(again.length).toBe(events.length);
      // Key order too: content hashes are computed over the JSON text.
      expect(JSON.stringify(again)).toBe(JSON.stringify(events));
    });

    it('gives other traffic for another seed, with other eventIds', () => {
      const other = all({ ...OPTIONS, seed: 43 });
      expect(other.length).toBe(events.length);
      expect(other[0]!.event.eventId).not.toBe(events[0]!.event.eventId);
      const sameModel = other.filter((e, i) => e.event.model === events[i]!.event.model).length;
      expect(sameModel).toBeLessThan(other.length * 0.8);
    });

    it('names each run by seed and options, so another window never reuses an eventId', () => {
      const later = planDemoTraffic({ ...OPTIONS, end: new Date(END.getTime() + 3_600_000) });
      const more = planDemoTraffic({ ...OPTIONS, events: OPTIONS.events + 1 });
      const plan = planDemoTraffic(OPTIONS);
      expect(plan.idPrefix).toMatch(/^demo-42-[0-9a-z]+-$/);
      expect(new Set([plan.idPrefix, later.idPrefix, more.idPrefix]).size).toBe(3);
    });

    it('generates any hour alone exactly as in the whole run', () => {
      const plan = planDemoTraffic(OPTIONS);
      for (const hour of [0, 17, 300, plan.hours - 1]) {
        const first = plan.offsets[hour]!;
        const alone = generateHour(plan, hour);
        expect(alone).toEqual(events.slice(first, first + alone.length));
      }
    });

    it('splits the hours into contiguous ranges of similar size', () => {
      const plan = planDemoTraffic(OPTIONS);
      const ranges = splitHours(plan, 3);
      expect(ranges[0]![0]).toBe(0);
      expect(ranges.at(-1)![1]).toBe(plan.hours);
      for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1]);
      for (const [from, to] of ranges) {
        const n = plan.offsets[to]! - plan.offsets[from]!;
        expect(n).toBeGreaterThan(OPTIONS.events / 3 - 2000);
        expect(n).toBeLessThan(OPTIONS.events / 3 + 2000);
      }
    });
  });

  describe('shape', () => {
    it('has exactly the requested number of events, ids in index order, inside the window', () => {
      const plan = planDemoTraffic(OPTIONS);
      expect(events.length).toBe(OPTIONS.events);
      expect(events.filter((e, i) => e.event.eventId !== `${plan.idPrefix}${i}`)).toEqual([]);
      const times = events.map((e) => Date.parse(e.event.occurredAt));
      expect(Math.min(...times)).toBeGreaterThanOrEqual(plan.start.getTime());
      expect(Math.max(...times)).toBeLessThan(END.getTime());
      expect(plan.start.toISOString()).toBe('2026-10-29T15:00:00.000Z');
    });

    it('is valid API.md traffic: the API would accept every event and read back the same event', () => {
      const now = new Date(END.getTime());
      for (const { event } of events.filter((_, i) => i % 7 === 0)) {
        const result = validateUsageEvent(JSON.parse(JSON.stringify(toApiEvent(event))), now);
        expect(result.ok).toBe(true);
        if (result.ok) expect(JSON.stringify(result.event)).toBe(JSON.stringify(event));
      }
    });

    it('has every feature, at roughly its designed share of requests', () => {
      for (const f of DEMO_FEATURES) {
        const s = share(events, (e) => e.event.feature === f.feature);
        expect(s, f.feature).toBeGreaterThan(f.share * 0.8);
        expect(s, f.feature).toBeLessThan(f.share * 1.25);
      }
    });

    it('spreads over several projects and environments', () => {
      const projects = new Set(events.map((e) => e.project));
      expect([...projects].sort()).toEqual(DEMO_PROJECTS.map((p) => p.slug).sort());
      const environments = new Set(events.map((e) => e.event.environment));
      expect(environments).toEqual(new Set(['production', 'staging', 'development', 'ci']));
    });

    it('puts everything in one project when asked to', () => {
      const one = all({ ...OPTIONS, events: 2000, project: 'sandbox' });
      expect(new Set(one.map((e) => e.project))).toEqual(new Set(['sandbox']));
    });

    it('has a few hundred customers with a long tail', () => {
      const perCustomer = new Map<string, number>();
      for (const { event } of events)
        if (event.customerId) perCustomer.set(event.customerId, (perCustomer.get(event.customerId) ?? 0) + 1);
      const counts = [...perCustomer.values()].sort((a, b) => b - a);
      const total = counts.reduce((a, b) => a + b, 0);
      expect(counts.length).toBeGreaterThan(DEMO_CUSTOMER_COUNT * 0.8);
      expect(counts.length).toBeLessThanOrEqual(DEMO_CUSTOMER_COUNT);
      expect(counts[0]! / total).toBeGreaterThan(0.1);
      expect(counts[0]! / total).toBeLessThan(0.25);
      const topTenth = counts.slice(0, Math.ceil(counts.length / 10)).reduce((a, b) => a + b, 0);
      expect(topTenth / total).toBeGreaterThan(0.5);
      expect(counts.at(-1)!).toBeLessThan(counts[0]! / 100);
      // Internal features are nobody's customer.
      for (const { event } of events)
        if (event.feature === 'coding-agent' || event.feature === 'catalog-enrichment')
          expect(event.customerId).toBeNull();
    });

    it('follows a daily and a weekly rhythm', () => {
      const support = events.filter((e) => e.event.feature === 'support-chat');
      const atHours = (from: number, to: number) =>
        support.filter((e) => {
          const h = new Date(e.event.occurredAt).getUTCHours();
          return h >= from && h < to;
        }).length;
      expect(atHours(14, 18)).toBeGreaterThan(3 * atHours(2, 6));
      const weekend = support.filter((e) => [0, 6].includes(new Date(e.event.occurredAt).getUTCDay())).length;
      const weekday = support.length - weekend;
      expect(weekday / 5).toBeGreaterThan(1.4 * (weekend / 2));
      const batch = events.filter((e) => e.event.feature === 'catalog-enrichment');
      const night = batch.filter((e) => {
        const h = new Date(e.event.occurredAt).getUTCHours();
        return h >= 1 && h <= 5;
      });
      expect(night.length / batch.length).toBeGreaterThan(0.8);
      expect(rhythmAt('engineering', 15, 3)).toBeGreaterThan(5 * rhythmAt('engineering', 15, 7));
    });
  });

  describe('feature profiles', () => {
    it('support chat sends long prompts, mostly read from cache', () => {
      const chat = events.filter((e) => e.event.feature === 'support-chat').map((e) => e.event.usage);
      const medianInput = chat.map((u) => u.inputTokens).sort((a, b) => a - b)[chat.length >> 1]!;
      expect(medianInput).toBeGreaterThan(15_000);
      expect(chat.filter((u) => u.cacheReadTokens > u.inputTokens / 2).length / chat.length).toBeGreaterThan(
        0.8,
      );
    });

    it('support chat switches from gpt-5.5 to deepseek-v4-pro mid-period, both sides present', () => {
      const plan = planDemoTraffic(OPTIONS);
      const chat = events.filter((e) => e.event.feature === DEMO_SWITCH.feature).map((e) => e.event);
      const before = chat.filter((e) => Date.parse(e.occurredAt) < plan.switchStart.getTime());
      const after = chat.filter((e) => Date.parse(e.occurredAt) >= plan.switchEnd.getTime());
      const ramp = chat.filter((e) => !before.includes(e) && !after.includes(e));
      expect(before.length).toBeGreaterThan(chat.length * 0.4);
      expect(after.length).toBeGreaterThan(chat.length * 0.3);
      expect(new Set(before.map((e) => `${e.provider}/${e.model}`))).toEqual(new Set(['openai/gpt-5.5']));
      expect(new Set(after.map((e) => `${e.provider}/${e.model}`))).toEqual(
        new Set(['deepseek/deepseek-v4-pro']),
      );
      expect(new Set(ramp.map((e) => e.model))).toEqual(new Set(['gpt-5.5', 'deepseek-v4-pro']));
      expect(plan.switchStart.getTime() - plan.start.getTime()).toBe(15 * 86_400_000);
      expect(plan.switchEnd.getTime() - plan.switchStart.getTime()).toBe(72 * 3_600_000);
    });

    it('the coding agent reasons, and sometimes sends prompts above 256K to long-context models', () => {
      const agent = events.filter((e) => e.event.feature === 'coding-agent').map((e) => e.event);
      const long = agent.filter((e) => e.usage.inputTokens > GPT_55_CONTEXT);
      expect(long.length / agent.length).toBeGreaterThan(0.04);
      expect(long.length / agent.length).toBeLessThan(0.15);
      expect(long.some((e) => e.model === 'gpt-5.5' || e.model === 'gpt-5.5-pro')).toBe(false);
      const ok = agent.filter((e) => e.status === 'success');
      expect(ok.every((e) => e.usage.reasoningTokens > 0)).toBe(true);
      expect(
        ok.filter((e) => e.usage.reasoningTokens > e.usage.outputTokens / 3).length / ok.length,
      ).toBeGreaterThan(0.9);
      // Anthropic cache writes, both durations.
      expect(agent.some((e) => e.usage.cacheWriteTokens > 0)).toBe(true);
      expect(agent.some((e) => e.usage.cacheWrite1hTokens > 0)).toBe(true);
    });

    it('screenshot-to-code sends images, and launched after the window began', () => {
      const plan = planDemoTraffic(OPTIONS);
      const shots = events.filter((e) => e.event.feature === 'screenshot-to-code').map((e) => e.event);
      expect(shots.length).toBeGreaterThan(0);
      for (const e of shots) {
        expect(e.inputModalities).toEqual(['text', 'image']);
        expect(e.usage.inputImageTokens).toBeGreaterThan(0);
      }
      const launch = plan.start.getTime() + 0.15 * (END.getTime() - plan.start.getTime());
      expect(Math.min(...shots.map((e) => Date.parse(e.occurredAt)))).toBeGreaterThanOrEqual(
        launch - 3_600_000,
      );
    });

    it('the classifier is high volume with tiny outputs', () => {
      const classifier = events.filter((e) => e.event.feature === 'ticket-classifier').map((e) => e.event);
      expect(classifier.length / events.length).toBeGreaterThan(0.4);
      expect(classifier.every((e) => e.usage.outputTokens <= 120)).toBe(true);
    });

    it('includes a model missing from every catalog, so unpriced events show', () => {
      const unpriced = events.filter(
        (e) =>
          e.event.provider === DEMO_UNPRICED_MODEL.provider && e.event.model === DEMO_UNPRICED_MODEL.model,
      );
      expect(unpriced.length).toBeGreaterThan(events.length * 0.01);
    });

    it("uses MARKET.md's models and several others across providers", () => {
      const models = new Set(events.map((e) => `${e.event.provider}/${e.event.model}`));
      for (const m of [
        'openai/gpt-5.5',
        'openai/gpt-5.5-pro',
        'deepseek/deepseek-v4-pro',
        'deepseek/deepseek-v4-flash',
        'anthropic/claude-sonnet-4-6',
        'google/gemini-2.5-flash',
      ])
        expect(models).toContain(m);
      expect(new Set(events.map((e) => e.event.provider)).size).toBeGreaterThanOrEqual(5);
    });

    it('covers batch and priority service tiers, audio and file inputs, and some errors', () => {
      const tiers = new Set(events.map((e) => e.event.serviceTier));
      expect(tiers).toEqual(new Set(['standard', 'batch', 'priority']));
      expect(
        events.some((e) => e.event.inputModalities.includes('audio') && e.event.usage.outputAudioTokens > 0),
      ).toBe(true);
      expect(events.some((e) => e.event.inputModalities.includes('file'))).toBe(true);
      const errors = share(events, (e) => e.event.status === 'error');
      expect(errors).toBeGreaterThan(0.002);
      expect(errors).toBeLessThan(0.03);
    });
  });

  describe('options', () => {
    it.each([
      [{ seed: -1 }, 'seed: must be a whole number of at least 0 (got -1)'],
      [{ events: 0 }, 'events: must be a whole number from 1 to 1000000000 (got 0)'],
      [{ days: 2.5 }, 'days: must be a whole number from 1 to 1098 (got 2.5)'],
      [
        { end: new Date('2026-11-28T15:30:00Z') },
        'end: must be a whole UTC hour (got 2026-11-28T15:30:00.000Z)',
      ],
    ] as const)('rejects %j, naming the option', (override, message) => {
      expect(() => planDemoTraffic({ ...OPTIONS, ...override })).toThrow(message);
      expect(() => planDemoTraffic({ ...OPTIONS, ...override })).toThrow(DemoOptionError);
    });

    it('handles a single event and a single day', () => {
      const one = all({ seed: 1, events: 1, days: 1, end: END });
      expect(one).toHaveLength(1);
    });
  });
});
