/** The report formats, as GraphQL, the CLI and the Report table name them. */
export const REPORT_FORMATS = ['csv', 'xlsx', 'pdf', 'focus'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
  focus: 'text/csv; charset=utf-8',
};

/** "tokenledger-acme-2026-10-r2.xlsx"; the FOCUS export is a CSV named for what it is. */
export function reportFileName(org: string, month: string, format: ReportFormat, revision: number): string {
  const base = `tokenledger-${org.replace(/[^A-Za-z0-9_-]/g, '_')}-${month}${revision > 1 ? `-r${revision}` : ''}`;
  return format === 'focus' ? `${base}-focus.csv` : `${base}.${format}`;
}

export function summaryFileName(org: string, month: string, revision: number): string {
  return reportFileName(org, month, 'csv', revision).replace(/\.csv$/, '-summary.csv');
}
