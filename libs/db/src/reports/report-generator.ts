import { validateUsageEvent } from '@tokenledger/contracts';
import type { Pricer } from '@tokenledger/pricing';
import {
  CONTENT_TYPES,
  daysInMonth,
  daysOf,
  isReportFormat,
  monthBounds,
  previousMonth,
  RECONCILE_PROVIDERS,
  reconciliationBrief,
  reportFileName,
  startOfDay,
  summaryFileName,
  summaryOf,
  writeFocusGroups,
  writeLineItemsCsv,
  writePdf,
  writeSummaryCsv,
  writeXlsx,
  type FocusTokenKind,
  type Reconciliation,
  type ReportContext,
  type ReportSavings,
  type ReportSummary,
  type UnitPrices,
} from '@tokenledger/reports';
import type { Recommendation } from '@tokenledger/simulation';
import Decimal from 'decimal.js';
import type { Reconciler } from '../reconciliation/reconciler';
import type { AnalyticsStore } from '../store/analytics-store';
import type { PendingFile, ReportStorage } from './report-storage';
import type { ReportRecord, ReportsRepository } from './reports.repository';

/** 1000 tokens of one kind, in the API's convention (a part is also counted in its total). */
const UNIT_USAGE: Record<FocusTokenKind, Record<string, number>> = {
  uncachedInput: { inputTokens: 1000, outputTokens: 0 },
  cacheRead: { inputTokens: 1000, outputTokens: 0, cacheReadTokens: 1000 },
  cacheWrite: { inputTokens: 1000, outputTokens: 0, cacheWriteTokens: 1000 },
  cacheWrite1h: { inputTokens: 1000, outputTokens: 0, cacheWrite1hTokens: 1000 },
  inputAudio: { inputTokens: 1000, outputTokens: 0, inputAudioTokens: 1000 },
  inputImage: { inputTokens: 1000, outputTokens: 0, inputImageTokens: 1000 },
  output: { inputTokens: 0, outputTokens: 1000 },
  reasoning: { inputTokens: 0, outputTokens: 1000, reasoningTokens: 1000 },
  outputAudio: { inputTokens: 0, outputTokens: 1000, outputAudioTokens: 1000 },
};

/**
 * The price of 1000 tokens of each kind, asked of the pricer with a one-call usage at noon of the
 * day: with the catalog only (list) and with the organization's overrides (contracted). Per-request
 * fees are left out (they are not a token price). Cached per model, day and kind.
 */
export function unitPriceLookup(pricer: Pricer, organizationId: string) {
  const cache = new Map<string, UnitPrices>();
  const FAR_FUTURE = new Date(Date.UTC(9999, 0, 1));
  return (provider: string, model: string, day: string, kind: FocusTokenKind): UnitPrices => {
    const key = `${provider}\u0000${model}\u0000${day}\u0000${kind}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const checked = validateUsageEvent(
      {
        eventId: 'report-unit-price',
        occurredAt: `${day}T12:00:00Z`,
        provider,
        model,
        usage: UNIT_USAGE[kind],
      },
      FAR_FUTURE,
    );
    let prices: UnitPrices = { list: null, contracted: null, rateVersionId: null };
    if (checked.ok) {
      const tokenPrice = (orgId: string | null) => {
        const r = pricer.price(checked.event, orgId);
        if (r.status !== 'priced' || !r.totalUsd) return { usd: null, version: null };
        const fee = r.breakdown?.requests;
        return { usd: fee ? r.totalUsd.minus(fee) : r.totalUsd, version: r.rateVersionId };
      };
      const list = tokenPrice(null);
      const contracted = tokenPrice(organizationId);
      prices = {
        list: list.usd,
        contracted: contracted.usd,
        rateVersionId: contracted.version ?? list.version,
      };
    }
    cache.set(key, prices);
    return prices;
  };
}

/** The month's savings recommendations for a report (the store wires the what-if simulation in). */
export type SavingsSource = (
  organization: { id: string; slug: string },
  range: { start: Date; end: Date },
  now: Date,
) => Promise<ReportSavings>;

/** How many recommendations a report lists. */
export const REPORT_RECOMMENDATIONS = 5;

/**
 * The recommendations that name a cheaper target, best saving first, in the report's words. The
 * quality basis is kept in ASCII so that every format (the PDF's standard fonts too) prints it.
 */
export function reportSavings(
  recommendations: readonly Recommendation[],
  benchmark: string,
  tolerance: number,
): ReportSavings {
  const ranked = recommendations
    .filter((r) => r.target && r.savingsUsd.greaterThan(0))
    .sort((a, b) => b.savingsUsd.comparedTo(a.savingsUsd) || a.feature.localeCompare(b.feature));
  const score = (s: { score: number } | null | undefined) => (s ? s.score.toFixed(1) : 'n/a');
  const items = ranked.slice(0, REPORT_RECOMMENDATIONS).map((r) => {
    const q = r.quality;
    const delta =
      q?.delta == null ? '' : ` (${q.delta >= 0 ? '+' : '-'}${Math.abs(q.delta).toFixed(1)} points)`;
    return {
      feature: r.feature || '(none)',
      source: `${r.source.provider} / ${r.source.model}`,
      target: `${r.target!.provider} / ${r.target!.model}`,
      savingsUsd: r.savingsUsd,
      savingsPercent: r.savingsPercent,
      movableShare: r.movableShare,
      quality: q
        ? `${q.benchmark} ${score(q.sourceScore)} vs ${score(q.targetScore)}${delta}`
        : 'no quality basis',
    };
  });
  const none =
    items.length > 0
      ? null
      : recommendations.length === 0
        ? 'no priced traffic in the month'
        : (recommendations.find((r) => !r.target)?.why ?? 'no cheaper model qualifies');
  return { benchmark, tolerance, items, none };
}

export interface GenerateOptions {
  /** Hears the progress, 0-100 (the CLI's bar, the BullMQ job's progress). */
  onProgress?: (percent: number) => void;
}

/**
 * Makes one report revision's file(s): streams the month's line items from the rollups once,
 * through the format's writer and the summary at the same time, into the report storage; then
 * records the lock (total, rate versions, rollup state). The worker and the CLI both run this.
 */
export class ReportGenerator {
  constructor(
    private readonly reports: ReportsRepository,
    private readonly analytics: AnalyticsStore,
    private readonly storage: ReportStorage,
    private readonly pricer: () => Promise<Pricer>,
    private readonly savings?: SavingsSource,
    private readonly reconciler?: Reconciler,
  ) {}

  async generate(reportId: string, options: GenerateOptions = {}): Promise<ReportRecord> {
    const report = await this.reports.require(reportId);
    if (report.status === 'ready') return report;
    if (!isReportFormat(report.format))
      throw new Error(`report ${reportId}: unknown format "${report.format}"`);
    const format = report.format;
    await this.reports.markRunning(reportId);
    const org = await this.reports.organization(report.organizationId);
    const tz = report.timeZone;
    const range = monthBounds(report.month, tz);
    const generatedAt = new Date();
    const context = this.context(report, org, range, generatedAt);
    context.catch(() => undefined);

    const days = daysInMonth(report.month);
    // Progress follows the days of the month (line items and FOCUS groups come ordered by day).
    let lastDay = '';
    let reported = -1;
    const step = (day: string) => {
      if (day === lastDay) return;
      lastDay = day;
      const done = Number(day.slice(8, 10)) / days;
      const percent = Math.min(95, Math.floor(done * 95));
      if (percent > reported) {
        reported = percent;
        options.onProgress?.(percent);
        void this.reports.progress(reportId, percent).catch(() => undefined);
      }
    };
    // Line items are streamed through the file and counted; nothing of them is kept. The summary
    // is aggregated by the database from the same snapshot (a few hundred rows).
    let streamed = 0;
    const counting = (item: { day: string }) => {
      streamed++;
      step(item.day);
    };

    const fileName = reportFileName(org.slug, report.month, format, report.revision);
    const key = `${report.organizationId}/${report.id}/${fileName}`;
    const month = await this.analytics.openReportMonth(report.organizationId, range, tz);
    let summary: ReportSummary | null = null;
    const summarize = async (lineItems?: number) =>
      (summary ??= summaryOf(await month.summary(lineItems), await context));
    let file: PendingFile | null = null;
    let extra: { fileName: string; storageKey: string; byteSize: number } | undefined;
    try {
      file = await this.storage.create(key);
      switch (format) {
        case 'csv':
          await writeLineItemsCsv(month.lineItems(), file.stream, counting);
          await summarize(streamed);
          break;
        case 'xlsx':
          await writeXlsx(month.lineItems(), file.stream, () => summarize(streamed), counting);
          break;
        case 'pdf':
          await writePdf(await summarize(), file.stream);
          break;
        case 'focus': {
          const lookup = unitPriceLookup(await this.pricer(), report.organizationId);
          await writeFocusGroups(
            month.focusGroups(),
            file.stream,
            {
              billingAccountId: org.id,
              billingAccountName: org.name,
              billingPeriodStart: range.start,
              billingPeriodEnd: range.end,
              dayStart: (day) => startOfDay(day, tz),
            },
            lookup,
            (group) => step(group.day),
          );
          await summarize();
          break;
        }
      }
      await month.close();
      const { byteSize } = await file.commit();
      file = null;
      const done = await summarize();
      if (format === 'csv') {
        const name = summaryFileName(org.slug, report.month, report.revision);
        const summaryKey = `${report.organizationId}/${report.id}/${name}`;
        const summaryFile = await this.storage.create(summaryKey);
        try {
          await writeSummaryCsv(done, summaryFile.stream);
          extra = { fileName: name, storageKey: summaryKey, ...(await summaryFile.commit()) };
        } catch (error) {
          await summaryFile.abort();
          throw error;
        }
      }
      options.onProgress?.(100);
      return await this.reports.markReady(reportId, {
        fileName,
        contentType: CONTENT_TYPES[format],
        storageKey: key,
        byteSize,
        ...(extra ? { summary: extra } : {}),
        totalUsd: done.totalUsd,
        lineItems: done.lineItems,
        rateVersions: done.rateVersions.map((v) => ({
          ...v,
          effectiveFrom: v.effectiveFrom?.toISOString() ?? null,
        })),
        rollupState: month.state,
      });
    } catch (error) {
      await month.close();
      await file?.abort();
      throw error;
    }
  }

  private async context(
    report: ReportRecord,
    org: { id: string; slug: string; name: string },
    range: { start: Date; end: Date },
    generatedAt: Date,
  ): Promise<ReportContext> {
    const prev = previousMonth(report.month);
    const prevRange = monthBounds(prev, report.timeZone);
    const [prevDays, versions, runs, savings, reconciliations] = await Promise.all([
      this.analytics.reportDailySpend(report.organizationId, prevRange, report.timeZone),
      this.analytics.reportRateVersions(report.organizationId, range),
      this.reports.repriceRunsTouching(report.organizationId, range),
      // A report is about the month's cost: when the simulation cannot answer, the report says
      // so in its savings section rather than failing.
      this.savings ? this.savings(org, range, generatedAt).catch(() => null) : Promise.resolve(null),
      Promise.all(
        RECONCILE_PROVIDERS.map(
          (p) => this.reconciler?.reconcile(report.organizationId, p, report.month) ?? null,
        ),
      ),
    ]);
    const refs = await this.reports.rateVersionRefs(
      versions.flatMap((v) => (v.rateVersionId ? [v.rateVersionId] : [])),
    );
    const prevByDay = daysOf(prev).map((d) => prevDays.get(d) ?? new Decimal(0));
    return {
      organization: org,
      month: report.month,
      timeZone: report.timeZone,
      revision: report.revision,
      generatedAt,
      periodStart: range.start,
      periodEnd: range.end,
      previous: {
        month: prev,
        totalUsd: prevByDay.reduce((s, d) => s.plus(d), new Decimal(0)),
        byDay: prevByDay,
      },
      rateVersions: versions.map((v) => {
        const ref = v.rateVersionId ? refs.get(v.rateVersionId) : undefined;
        return {
          rateVersionId: v.rateVersionId,
          table: ref?.table ?? null,
          version: ref?.version ?? null,
          effectiveFrom: ref?.effectiveFrom ?? null,
          events: v.events,
        };
      }),
      reconciliation: reconciliations
        .filter((r): r is Reconciliation => r !== null && (r.usageDays.length > 0 || r.costDays.length > 0))
        .map(reconciliationBrief),
      repriceRuns: runs.map((r) => ({
        id: r.id,
        createdAt: r.createdAt,
        reason: r.reason,
        status: r.status,
        eventsChanged: r.eventsChanged,
        totalBeforeUsd: new Decimal(r.totalBefore.toString()),
        totalAfterUsd: new Decimal(r.totalAfter.toString()),
      })),
      savings,
    };
  }
}
