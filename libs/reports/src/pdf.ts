import type { Writable } from 'node:stream';
import Decimal from 'decimal.js';
import { savingsBasis, savingsLines, usd, type Breakdown, type ReportSummary } from './summary';

const INK = '#1f2933';
const MUTED = '#616e7c';
const ACCENT = '#2563eb';
const PREVIOUS = '#f59e0b';
const RULE = '#d9e2ec';
const LEFT = 48;
const WIDTH = 499; // A4 (595 pt) minus margins

type Doc = PDFKit.PDFDocument;

interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right';
}

const count = (n: number) => n.toLocaleString('en-US');

function clip(doc: Doc, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let s = text;
  while (s.length > 1 && doc.widthOfString(`${s}…`) > width) s = s.slice(0, -1);
  return `${s}…`;
}

/** A plain table at (LEFT, y); returns the y below it. Rows never wrap (long names are clipped). */
function table(doc: Doc, y: number, columns: Column[], rows: string[][]): number {
  const rowHeight = 14;
  doc.font('Helvetica-Bold').fontSize(8).fillColor(MUTED);
  let x = LEFT;
  for (const c of columns) {
    doc.text(c.header, x + 2, y + 3, { width: c.width - 4, align: c.align ?? 'left', lineBreak: false });
    x += c.width;
  }
  y += rowHeight;
  doc
    .moveTo(LEFT, y)
    .lineTo(LEFT + WIDTH, y)
    .strokeColor(RULE)
    .lineWidth(0.7)
    .stroke();
  doc.font('Helvetica').fillColor(INK);
  for (const row of rows) {
    x = LEFT;
    row.forEach((cell, i) => {
      const c = columns[i]!;
      doc.text(clip(doc, cell, c.width - 4), x + 2, y + 3, {
        width: c.width - 4,
        align: c.align ?? 'left',
        lineBreak: false,
      });
      x += c.width;
    });
    y += rowHeight;
  }
  doc
    .moveTo(LEFT, y)
    .lineTo(LEFT + WIDTH, y)
    .strokeColor(RULE)
    .lineWidth(0.7)
    .stroke();
  return y + 6;
}

function heading(doc: Doc, y: number, text: string): number {
  doc.font('Helvetica-Bold').fontSize(11).fillColor(INK).text(text, LEFT, y, { lineBreak: false });
  return y + 17;
}

function share(part: Decimal, total: Decimal): string {
  return total.isZero() ? '' : `${part.div(total).times(100).toDecimalPlaces(1).toFixed(1)}%`;
}

/** Top `n` rows of a breakdown, the rest folded into one line. */
function breakdownTable(
  doc: Doc,
  y: number,
  title: string,
  list: Breakdown[],
  total: Decimal,
  n: number,
): number {
  y = heading(doc, y, title);
  const shown = list.slice(0, n);
  const rest = list.slice(n);
  const rows = shown.map((b) => [
    b.name,
    usd(b.costUsd),
    share(b.costUsd, total),
    count(b.requests),
    count(b.inputTokens + b.outputTokens),
  ]);
  if (rest.length > 0) {
    const cost = rest.reduce((s, b) => s.plus(b.costUsd), new Decimal(0));
    rows.push([
      `${rest.length} more`,
      usd(cost),
      share(cost, total),
      count(rest.reduce((s, b) => s + b.requests, 0)),
      count(rest.reduce((s, b) => s + b.inputTokens + b.outputTokens, 0)),
    ]);
  }
  return table(
    doc,
    y,
    [
      { header: 'Name', width: 219 },
      { header: 'Cost', width: 80, align: 'right' },
      { header: 'Share', width: 50, align: 'right' },
      { header: 'Requests', width: 70, align: 'right' },
      { header: 'Tokens', width: 80, align: 'right' },
    ],
    rows,
  );
}

/** Spend by day as bars, the previous month by day of month as a line over them. */
function dailyChart(doc: Doc, y: number, s: ReportSummary): number {
  const height = 150;
  const axis = 46;
  const plotX = LEFT + axis;
  const plotW = WIDTH - axis;
  const values = s.byDay.map((d) => d.costUsd.toNumber());
  const previous = s.previous.byDay.map((d) => d.toNumber());
  const max = Math.max(...values, ...previous, 0.01);
  const step = niceStep(max / 4);
  const top = Math.ceil(max / step) * step;
  doc.font('Helvetica').fontSize(7).fillColor(MUTED);
  for (let v = 0; v <= top + step / 2; v += step) {
    const yy = y + height - (v / top) * height;
    doc
      .moveTo(plotX, yy)
      .lineTo(plotX + plotW, yy)
      .strokeColor(RULE)
      .lineWidth(0.5)
      .stroke();
    doc.text(usd(new Decimal(v.toFixed(2))).replace(/\.00$/, ''), LEFT, yy - 3, {
      width: axis - 6,
      align: 'right',
      lineBreak: false,
    });
  }
  const slot = plotW / values.length;
  values.forEach((v, i) => {
    const h = (v / top) * height;
    doc
      .rect(plotX + i * slot + slot * 0.15, y + height - h, slot * 0.7, h)
      .fillColor(ACCENT)
      .fill();
    if (i === 0 || (i + 1) % 5 === 0)
      doc.fillColor(MUTED).text(String(i + 1), plotX + i * slot, y + height + 3, {
        width: slot,
        align: 'center',
        lineBreak: false,
      });
  });
  if (previous.length > 0) {
    doc.save().strokeColor(PREVIOUS).lineWidth(1.4);
    previous.forEach((v, i) => {
      const px = plotX + i * slot + slot / 2;
      const py = y + height - (v / top) * height;
      if (i === 0) doc.moveTo(px, py);
      else doc.lineTo(px, py);
    });
    doc.stroke().restore();
  }
  const ly = y + height + 16;
  doc.rect(plotX, ly, 8, 8).fillColor(ACCENT).fill();
  doc
    .fillColor(INK)
    .fontSize(8)
    .text(`${s.month} by day`, plotX + 12, ly, { lineBreak: false });
  doc
    .moveTo(plotX + 110, ly + 4)
    .lineTo(plotX + 126, ly + 4)
    .strokeColor(PREVIOUS)
    .lineWidth(1.4)
    .stroke();
  doc
    .fillColor(INK)
    .text(`${s.previous.month} (previous month) by day of month`, plotX + 130, ly, { lineBreak: false });
  return ly + 20;
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

function kpis(doc: Doc, y: number, s: ReportSummary): number {
  const boxes: [string, string, string][] = [
    ['Total spend', usd(s.totalUsd), `${count(s.requests)} requests`],
    [`Previous month (${s.previous.month})`, usd(s.previous.totalUsd), ''],
    [
      'Change',
      `${s.changeUsd.isNegative() ? '' : '+'}${usd(s.changeUsd)}`,
      s.changePercent === null
        ? 'previous month was zero'
        : `${s.changePercent.isNegative() ? '' : '+'}${s.changePercent.toDecimalPlaces(1).toFixed(1)}%`,
    ],
    [
      'Unpriced requests',
      count(s.unpriced.requests),
      `${count(s.unpriced.inputTokens + s.unpriced.outputTokens)} tokens`,
    ],
  ];
  const w = (WIDTH - 3 * 8) / 4;
  boxes.forEach(([label, value, note], i) => {
    const x = LEFT + i * (w + 8);
    doc.roundedRect(x, y, w, 58, 4).fillColor('#f5f7fa').fill();
    doc
      .fillColor(MUTED)
      .font('Helvetica')
      .fontSize(8)
      .text(label, x + 8, y + 8, { width: w - 16, lineBreak: false });
    doc
      .fillColor(INK)
      .font('Helvetica-Bold')
      .fontSize(15)
      .text(value, x + 8, y + 21, { width: w - 16, lineBreak: false });
    doc
      .fillColor(MUTED)
      .font('Helvetica')
      .fontSize(8)
      .text(note, x + 8, y + 42, { width: w - 16, lineBreak: false });
  });
  return y + 72;
}

function footer(doc: Doc, s: ReportSummary, page: number): void {
  doc
    .font('Helvetica')
    .fontSize(7)
    .fillColor(MUTED)
    .text(
      `Tokenledger · ${s.organization.slug} · ${s.month} revision ${s.revision} · generated ${s.generatedAt.toISOString()} · page ${page}`,
      LEFT,
      842 - 34,
      { width: WIDTH, align: 'center', lineBreak: false },
    );
}

/** The monthly report as a PDF of three A4 pages: summary, breakdowns, what it rests on. */
export async function writePdf(s: ReportSummary, out: Writable): Promise<void> {
  // Loaded when first needed (pdfkit and its fonts are ~10 MB resident).
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    info: { Title: `LLM spend ${s.month} — ${s.organization.name}`, Author: 'Tokenledger' },
  });
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(out);

  // Page 1: the month at a glance.
  doc
    .font('Helvetica-Bold')
    .fontSize(20)
    .fillColor(INK)
    .text(`LLM spend report — ${s.month}`, LEFT, 44, { lineBreak: false });
  doc
    .font('Helvetica')
    .fontSize(10)
    .fillColor(MUTED)
    .text(
      `${s.organization.name} (${s.organization.slug}) · ${s.periodStart.toISOString().slice(0, 10)} to ${s.periodEnd.toISOString().slice(0, 10)} (${s.timeZone}, end exclusive) · revision ${s.revision}`,
      LEFT,
      70,
      { width: WIDTH, lineBreak: false },
    );
  let y = kpis(doc, 92, s);
  y = heading(doc, y, 'Spend by day, against the previous month');
  y = dailyChart(doc, y + 4, s);
  y = breakdownTable(doc, y + 4, 'By project', s.byProject, s.totalUsd, 8);
  breakdownTable(doc, y + 4, 'By environment', s.byEnvironment, s.totalUsd, 4);
  footer(doc, s, 1);

  // Page 2: where the money went.
  doc.addPage();
  y = breakdownTable(doc, 44, 'By provider and model', s.byModel, s.totalUsd, 12);
  y = breakdownTable(doc, y + 6, 'By feature', s.byFeature, s.totalUsd, 10);
  breakdownTable(
    doc,
    y + 6,
    `By customer (top ${Math.min(10, s.customersTotal)} of ${count(s.customersTotal)})`,
    s.byCustomer.slice(0, 10).concat(s.byCustomer.slice(10)),
    s.totalUsd,
    11,
  );
  footer(doc, s, 2);

  // Page 3: what the numbers rest on.
  doc.addPage();
  y = heading(doc, 44, 'Unpriced requests (no rate priced them; not in the total)');
  y = table(
    doc,
    y,
    [
      { header: 'Provider / model', width: 259 },
      { header: 'Requests', width: 80, align: 'right' },
      { header: 'Input tokens', width: 80, align: 'right' },
      { header: 'Output tokens', width: 80, align: 'right' },
    ],
    s.unpriced.models.length === 0
      ? [['(none)', '', '', '']]
      : s.unpriced.models
          .slice(0, 8)
          .map((u) => [
            `${u.provider} / ${u.model}`,
            count(u.requests),
            count(u.inputTokens),
            count(u.outputTokens),
          ]),
  );
  y = heading(doc, y + 6, 'Rate table versions used');
  y = table(
    doc,
    y,
    [
      { header: 'Rate table version', width: 180 },
      { header: 'Effective from', width: 120 },
      { header: 'Events', width: 80, align: 'right' },
      { header: 'Id', width: 119 },
    ],
    s.rateVersions
      .slice(0, 12)
      .map((v) => [
        v.rateVersionId ? `${v.table} v${v.version}` : '(unpriced)',
        v.effectiveFrom ? v.effectiveFrom.toISOString().slice(0, 10) : '',
        count(v.events),
        v.rateVersionId ?? '',
      ]),
  );
  y = heading(doc, y + 6, 'Reprice runs that touched the month');
  y = table(
    doc,
    y,
    [
      { header: 'When', width: 100 },
      { header: 'Reason', width: 190 },
      { header: 'Status', width: 60 },
      { header: 'Events changed', width: 70, align: 'right' },
      { header: 'Change', width: 79, align: 'right' },
    ],
    s.repriceRuns.length === 0
      ? [['(none)', '', '', '', '']]
      : s.repriceRuns
          .slice(0, 8)
          .map((r) => [
            r.createdAt.toISOString().slice(0, 16).replace('T', ' '),
            r.reason,
            r.status,
            count(r.eventsChanged),
            usd(r.totalAfterUsd.minus(r.totalBeforeUsd)),
          ]),
  );
  if (s.reconciliation?.length) {
    y = heading(doc, y + 6, "Reconciliation with the providers' reports (UTC days)");
    for (const r of s.reconciliation) {
      const parts = r.byExplanation.map((e) => `${e.kind} ${usd(e.amountUsd)}`).join(', ');
      const text = `${r.coverage} ${r.provider} ${usd(r.providerCostUsd)} against Tokenledger ${usd(r.ourCostUsd)}: difference ${usd(r.differenceUsd)}${parts ? ` (${parts})` : ''}.`;
      doc.font('Helvetica').fontSize(9).fillColor(MUTED).text(text, LEFT, y, { width: WIDTH });
      y += doc.heightOfString(text, { width: WIDTH }) + 4;
    }
  }
  y = heading(doc, y + 6, 'Savings recommendations');
  if (s.savings && s.savings.items.length > 0) {
    y = table(
      doc,
      y,
      [
        { header: 'Feature', width: 75 },
        { header: 'Move', width: 215 },
        { header: 'Saving', width: 60, align: 'right' },
        { header: 'Moved', width: 34, align: 'right' },
        { header: `Quality (${s.savings.benchmark})`, width: 115 },
      ],
      s.savings.items.slice(0, 5).map((i) => [
        i.feature,
        // The source's provider is in "By provider and model"; the target's is needed.
        `${i.source.slice(i.source.indexOf(' / ') + 3)} to ${i.target}`,
        usd(i.savingsUsd),
        `${i.movableShare.times(100).toDecimalPlaces(0).toFixed(0)}%`,
        i.quality.startsWith(`${s.savings!.benchmark} `)
          ? i.quality.slice(s.savings!.benchmark.length + 1)
          : i.quality,
      ]),
    );
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor(MUTED)
      .text(savingsBasis(s.savings), LEFT, y + 2, { width: WIDTH });
    y += 26;
  } else {
    const note = savingsLines(s.savings)[0]?.note ?? '';
    doc.font('Helvetica').fontSize(9).fillColor(MUTED).text(note, LEFT, y, { width: WIDTH });
    y += 30;
  }
  doc
    .font('Helvetica')
    .fontSize(8)
    .fillColor(MUTED)
    .text(
      `Exact total: ${s.totalUsd.toFixed()} USD over ${count(s.lineItems)} line items (day × project × provider × model × feature × customer × environment), from the hourly rollups. A later reprice or late event marks this revision stale; a regeneration is a new revision and this one stays downloadable.`,
      LEFT,
      y,
      { width: WIDTH },
    );
  footer(doc, s, 3);
  doc.end();
  await done;
}
