import type { Writable } from 'node:stream';
import type Decimal from 'decimal.js';
import type { Worksheet } from 'exceljs';
import { LINE_ITEM_COLUMNS, TEXT_COLUMNS, type LineItem } from './line-item';
import { savingsBasis, savingsLines, usd, type Breakdown, type ReportSummary } from './summary';

const MONEY = '"$"#,##0.00';
/** Line items are often fractions of a cent: four decimals so they do not all read $0.00. */
const MONEY_FINE = '"$"#,##0.0000';
const COUNT = '#,##0';

/** Excel holds numbers as doubles: money goes in as a number (exact to ~15 digits), formatted. */
const num = (d: Decimal) => d.toNumber();

function columnLetter(n: number): string {
  let s = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s;
  return s;
}

/**
 * The workbook, streamed (exceljs's WorkbookWriter: rows are flushed as they are committed, so
 * memory stays flat): a "Line items" sheet with a frozen header and filters, then a "Summary"
 * sheet, which the workbook opens on. The zip takes one entry at a time, so the line items are
 * written in one pass (the caller accumulates the summary through `onItem`) and the Summary sheet
 * after them; the other order would buffer every row until the summary was done, or need a
 * second pass over the month.
 */
export async function writeXlsx(
  items: AsyncIterable<LineItem>,
  out: Writable,
  summary: () => Promise<ReportSummary>,
  onItem?: (item: LineItem) => void,
): Promise<void> {
  // Loaded when first needed: a worker that never writes a workbook does not carry exceljs (~30 MB).
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = 'Tokenledger';
  // Opens on the Summary (the second tab).
  workbook.views = [
    { x: 0, y: 0, width: 20000, height: 12000, firstSheet: 0, activeTab: 1, visibility: 'visible' },
  ];
  const sheet = workbook.addWorksheet('Line items', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = LINE_ITEM_COLUMNS.map(([key, header]) => ({
    header,
    key,
    width: TEXT_COLUMNS.has(key) ? (key === 'day' ? 12 : 20) : key === 'costUsd' ? 14 : 12,
    style: TEXT_COLUMNS.has(key) ? {} : { numFmt: key === 'costUsd' ? MONEY_FINE : COUNT },
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.autoFilter = `A1:${columnLetter(LINE_ITEM_COLUMNS.length)}1`;
  // One style object per column, shared by all its cells: exceljs recognises a style object it has
  // seen (a WeakMap) and otherwise renders every cell's style to XML to look it up, which was a
  // fifth of the time of a large sheet.
  const styles = LINE_ITEM_COLUMNS.map((_, i) => ({ ...sheet.getColumn(i + 1).style }));
  let written = 0;
  for await (const item of items) {
    onItem?.(item);
    const row: Record<string, string | number> = {};
    for (const [key] of LINE_ITEM_COLUMNS) {
      const value = item[key];
      row[key] = typeof value === 'string' || typeof value === 'number' ? value : num(value);
    }
    const added = sheet.addRow(row);
    for (let i = 0; i < styles.length; i++) added.getCell(i + 1).style = styles[i]!;
    added.commit();
    // exceljs has no backpressure: let the zip's deflate catch up now and then, so committed rows
    // do not pile up in memory ahead of it.
    if (++written % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  sheet.commit();
  writeSummarySheet(
    // tabSelected: exceljs writes it (its typings leave it out); Excel shows this tab selected.
    workbook.addWorksheet('Summary', {
      views: [{ state: 'frozen', ySplit: 1, ...({ tabSelected: true } as object) }],
    }),
    await summary(),
  );
  await workbook.commit();
}

function writeSummarySheet(ws: Worksheet, s: ReportSummary): void {
  ws.columns = [
    { header: 'Item', key: 'item', width: 44 },
    { header: 'Cost (USD)', key: 'cost', width: 16, style: { numFmt: MONEY } },
    { header: 'Requests', key: 'requests', width: 14, style: { numFmt: COUNT } },
    { header: 'Input tokens', key: 'input', width: 18, style: { numFmt: COUNT } },
    { header: 'Output tokens', key: 'output', width: 18, style: { numFmt: COUNT } },
    { header: 'Note', key: 'note', width: 60 },
  ];
  ws.getRow(1).font = { bold: true };
  const heading = (text: string) => {
    ws.addRow([]).commit();
    const row = ws.addRow({ item: text });
    row.font = { bold: true };
    row.commit();
  };
  const line = (
    item: string,
    values: { cost?: Decimal; requests?: number; input?: number; output?: number; note?: string },
  ) =>
    ws
      .addRow({
        item,
        cost: values.cost === undefined ? undefined : num(values.cost),
        requests: values.requests,
        input: values.input,
        output: values.output,
        note: values.note,
      })
      .commit();
  line(`Organization`, { note: `${s.organization.name} (${s.organization.slug})` });
  line('Month', { note: `${s.month} (${s.timeZone}), revision ${s.revision}` });
  line('Generated at', { note: s.generatedAt.toISOString() });
  const total = ws.addRow({
    item: 'Total',
    cost: num(s.totalUsd),
    requests: s.requests,
    input: s.inputTokens,
    output: s.outputTokens,
    note: `exact: ${s.totalUsd.toFixed()} USD; ${s.lineItems} line items`,
  });
  total.font = { bold: true };
  total.commit();
  line(`Previous month (${s.previous.month})`, { cost: s.previous.totalUsd });
  line('Change', {
    cost: s.changeUsd,
    note:
      s.changePercent === null
        ? 'previous month was zero'
        : `${s.changePercent.toDecimalPlaces(2).toFixed(2)}%`,
  });
  const section = (title: string, list: Breakdown[]) => {
    heading(title);
    for (const b of list)
      line(b.name, { cost: b.costUsd, requests: b.requests, input: b.inputTokens, output: b.outputTokens });
  };
  section('By project', s.byProject);
  section('By provider / model', s.byModel);
  section('By feature', s.byFeature);
  section(
    `By customer (top ${Math.min(s.customersTotal, s.byCustomer.length)} of ${s.customersTotal})`,
    s.byCustomer,
  );
  section('By environment', s.byEnvironment);
  heading('Unpriced requests (not in the total)');
  line('Total unpriced', {
    requests: s.unpriced.requests,
    input: s.unpriced.inputTokens,
    output: s.unpriced.outputTokens,
  });
  for (const u of s.unpriced.models)
    line(`${u.provider} / ${u.model}`, {
      requests: u.requests,
      input: u.inputTokens,
      output: u.outputTokens,
    });
  heading('Rate table versions used');
  for (const v of s.rateVersions)
    line(v.rateVersionId ? `${v.table} v${v.version}` : '(unpriced)', {
      requests: v.events,
      note: v.rateVersionId ? `${v.rateVersionId}, effective ${v.effectiveFrom?.toISOString() ?? ''}` : '',
    });
  heading('Reprice runs that touched the month');
  if (s.repriceRuns.length === 0) line('(none)', {});
  for (const r of s.repriceRuns)
    line(`${r.createdAt.toISOString().slice(0, 16)} ${r.status}`, {
      cost: r.totalAfterUsd.minus(r.totalBeforeUsd),
      requests: r.eventsChanged,
      note: `${r.reason} (run ${r.id})`,
    });
  if (s.reconciliation?.length) {
    heading("Reconciliation with the providers' reports (UTC days)");
    for (const r of s.reconciliation) {
      line(`${r.provider}: difference`, {
        cost: r.differenceUsd,
        note: `${r.coverage} ${r.provider} ${usd(r.providerCostUsd)}, Tokenledger ${usd(r.ourCostUsd)}`,
      });
      for (const e of r.byExplanation)
        line(`  ${e.kind}`, { cost: e.amountUsd, requests: e.lines, note: 'lines' });
    }
  }
  heading('Savings recommendations');
  if (s.savings) line('Basis', { note: savingsBasis(s.savings) });
  for (const l of savingsLines(s.savings))
    line(l.label, { ...(l.savingsUsd ? { cost: l.savingsUsd } : {}), note: l.note });
  heading('By day');
  for (const d of s.byDay) line(d.day, { cost: d.costUsd, requests: d.requests });
  ws.commit();
}
