import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { LINE_ITEM_COLUMNS, TEXT_COLUMNS, type LineItem } from './line-item';
import { savingsLines, type Breakdown, type ReportSummary } from './summary';

/**
 * A cell that a spreadsheet would run as a formula (CSV injection: customer ids and features come
 * from clients) gets a leading apostrophe, the OWASP advice; the text is otherwise kept.
 */
export function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180: comma separated, CRLF line ends, quotes where needed, UTF-8. */
const CSV_OPTIONS = { record_delimiter: 'windows', quoted_match: /^\s|\s$/ } as const;

export function lineItemRecord(item: LineItem): string[] {
  return LINE_ITEM_COLUMNS.map(([key]) => {
    const value = item[key];
    if (typeof value === 'string') return TEXT_COLUMNS.has(key) ? neutralise(value) : value;
    return typeof value === 'number' ? String(value) : value.toFixed();
  });
}

async function writeRecords(
  records: AsyncIterable<string[]> | Iterable<string[]>,
  out: Writable,
): Promise<void> {
  await pipeline(Readable.from(records), stringify(CSV_OPTIONS), out);
}

/** The line items as CSV, streamed: a header row, then one row per line item. */
export async function writeLineItemsCsv(
  items: AsyncIterable<LineItem>,
  out: Writable,
  onItem?: (item: LineItem) => void,
): Promise<void> {
  async function* records(): AsyncGenerator<string[]> {
    yield LINE_ITEM_COLUMNS.map(([, header]) => header);
    for await (const item of items) {
      onItem?.(item);
      yield lineItemRecord(item);
    }
  }
  await writeRecords(records(), out);
}

export const SUMMARY_HEADER = [
  'section',
  'item',
  'cost_usd',
  'requests',
  'input_tokens',
  'output_tokens',
  'note',
];

/** The summary as rows of one table: section, item, cost and counts, a note. */
export function summaryRecords(s: ReportSummary): string[][] {
  const rows: string[][] = [SUMMARY_HEADER];
  const info = (item: string, note: string) => rows.push(['report', item, '', '', '', '', neutralise(note)]);
  info('organization', s.organization.slug);
  info('month', s.month);
  info('time zone', s.timeZone);
  info('period', `${s.periodStart.toISOString()} to ${s.periodEnd.toISOString()}`);
  info('revision', String(s.revision));
  info('generated at', s.generatedAt.toISOString());
  info('line items', String(s.lineItems));
  rows.push([
    'total',
    'total',
    s.totalUsd.toFixed(),
    String(s.requests),
    String(s.inputTokens),
    String(s.outputTokens),
    '',
  ]);
  rows.push(['previous month', s.previous.month, s.previous.totalUsd.toFixed(), '', '', '', '']);
  rows.push([
    'change',
    'against previous month',
    s.changeUsd.toFixed(),
    '',
    '',
    '',
    s.changePercent === null
      ? 'previous month was zero'
      : `${s.changePercent.toDecimalPlaces(2).toFixed(2)}%`,
  ]);
  const section = (name: string, list: Breakdown[]) => {
    for (const b of list)
      rows.push([
        name,
        neutralise(b.name),
        b.costUsd.toFixed(),
        String(b.requests),
        String(b.inputTokens),
        String(b.outputTokens),
        '',
      ]);
  };
  section('project', s.byProject);
  section('provider / model', s.byModel);
  section('feature', s.byFeature);
  section('customer', s.byCustomer);
  section('environment', s.byEnvironment);
  for (const d of s.byDay) rows.push(['day', d.day, d.costUsd.toFixed(), String(d.requests), '', '', '']);
  rows.push([
    'unpriced',
    'total',
    '',
    String(s.unpriced.requests),
    String(s.unpriced.inputTokens),
    String(s.unpriced.outputTokens),
    'requests no rate priced; not in the total',
  ]);
  for (const u of s.unpriced.models)
    rows.push([
      'unpriced',
      neutralise(`${u.provider} / ${u.model}`),
      '',
      String(u.requests),
      String(u.inputTokens),
      String(u.outputTokens),
      '',
    ]);
  for (const v of s.rateVersions)
    rows.push([
      'rate version',
      v.rateVersionId ? `${v.table} v${v.version}` : 'unpriced',
      '',
      String(v.events),
      '',
      '',
      v.rateVersionId ? `${v.rateVersionId}, effective ${v.effectiveFrom?.toISOString() ?? ''}` : '',
    ]);
  for (const r of s.repriceRuns)
    rows.push([
      'reprice run',
      r.id,
      r.totalAfterUsd.minus(r.totalBeforeUsd).toFixed(),
      String(r.eventsChanged),
      '',
      '',
      neutralise(`${r.createdAt.toISOString()} ${r.status}: ${r.reason}`),
    ]);
  for (const r of s.reconciliation ?? []) {
    rows.push([
      'reconciliation',
      r.provider,
      r.differenceUsd.toFixed(),
      '',
      '',
      '',
      `${r.coverage} ${r.provider} $${r.providerCostUsd.toFixed()}, Tokenledger $${r.ourCostUsd.toFixed()} (UTC days)`,
    ]);
    for (const e of r.byExplanation)
      rows.push([
        'reconciliation',
        `${r.provider} / ${e.kind}`,
        e.amountUsd.toFixed(),
        String(e.lines),
        '',
        '',
        '',
      ]);
  }
  for (const l of savingsLines(s.savings))
    rows.push([
      'savings',
      neutralise(l.label),
      l.savingsUsd?.toFixed() ?? '',
      '',
      '',
      '',
      neutralise(l.note),
    ]);
  return rows;
}

export async function writeSummaryCsv(summary: ReportSummary, out: Writable): Promise<void> {
  await writeRecords(summaryRecords(summary), out);
}
