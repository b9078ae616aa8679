import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import type { BuiltInImportResult } from '@tokenledger/db';
import { withStore } from '../context';
import { emit, runCommand, type GlobalOptions } from '../output';

const FORMATS = ['genai-prices', 'litellm'] as const;
type Format = (typeof FORMATS)[number];

interface ImportOptions {
  format?: string;
  org: string;
  table?: string;
  effectiveFrom?: string;
}

function parseDate(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime()))
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      `${flag}: "${value}" is not a date or RFC 3339 timestamp`,
    );
  return date;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      `file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TokenledgerError(
      ErrorCode.MalformedJson,
      `file: ${file} is not valid JSON (${(error as Error).message})`,
    );
  }
}

/** One JSON-friendly summary of a built-in import (seed prints it too). */
export function builtInSummary(r: BuiltInImportResult) {
  const table = (p: BuiltInImportResult['catalog']) => ({
    table: p.table.slug,
    published: p.published,
    version: p.version.version,
    versionId: p.version.id,
    effectiveFrom: p.version.effectiveFrom.toISOString(),
    rates: p.rateCount,
    changes: p.published
      ? {
          added: p.changes.added.length,
          changed: p.changes.changed.length,
          removed: p.changes.removed.length,
        }
      : null,
  });
  return {
    source: r.source,
    catalog: table(r.catalog),
    listPrices: table(r.listPrices),
    modelFacts: r.facts,
  };
}

export function builtInHuman(r: BuiltInImportResult): string {
  const line = (p: BuiltInImportResult['catalog']) =>
    p.published
      ? `published ${p.table.slug} v${p.version.version} (${p.rateCount} rates, in force from ${p.version.effectiveFrom.toISOString()})`
      : `${p.table.slug} v${p.version.version} is up to date (${p.rateCount} rates)`;
  return [
    `Built-in catalog from ${r.source}: ${line(r.catalog)}; ${line(r.listPrices)}.`,
    r.facts.created + r.facts.updated > 0
      ? `Model facts: ${r.facts.created} created, ${r.facts.updated} updated.`
      : 'Model facts up to date.',
  ].join('\n');
}

export function registerCatalogCommands(program: Command): void {
  const catalog = program.command('catalog').description('The rate tables: imports and versions');

  catalog
    .command('import')
    .argument('[file]', 'the price file (with --format litellm)')
    .description(
      'Re-import the built-in catalog (@pydantic/genai-prices), or read a LiteLLM model_prices_and_context_window.json into an organization (--format litellm FILE)',
    )
    .option('--format <format>', `${FORMATS.join(' or ')} (default genai-prices: the built-in catalog)`)
    .option('--org <slug>', 'the organization whose rate table receives a LiteLLM file', 'demo')
    .option('--table <slug>', 'the organization table to import into (default litellm)')
    .option('--effective-from <timestamp>', 'when the new version starts to price events (default: now)')
    .action(async (file: string | undefined, options: ImportOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      await runCommand(global, async () => {
        const format = (options.format ?? (file ? 'litellm' : 'genai-prices')) as Format;
        if (!FORMATS.includes(format))
          throw new TokenledgerError(
            ErrorCode.ValidationFailed,
            `--format: "${options.format}" is not one of ${FORMATS.join(', ')}`,
          );
        const effectiveFrom = parseDate('--effective-from', options.effectiveFrom);
        if (format === 'genai-prices') {
          if (file)
            throw new TokenledgerError(
              ErrorCode.ValidationFailed,
              'file: the built-in catalog comes from the installed @pydantic/genai-prices; give --format litellm to import a file',
            );
          await withStore(async (store) => {
            const result = await store.rates.importBuiltInCatalog({ effectiveFrom });
            emit(global, builtInSummary(result), () => builtInHuman(result));
          });
          return;
        }
        if (!file)
          throw new TokenledgerError(
            ErrorCode.ValidationFailed,
            'file: give the LiteLLM price file to import',
          );
        const json = readJson(file);
        await withStore(async (store) => {
          const org = await store.organizations.requireBySlug(options.org);
          const r = await store.rates.importLiteLLM({
            organizationId: org.id,
            json,
            fileName: basename(file),
            table: options.table,
            effectiveFrom,
          });
          const document = {
            format,
            organization: org.slug,
            table: r.table.slug,
            version: r.version
              ? {
                  id: r.version.id,
                  version: r.version.version,
                  effectiveFrom: r.version.effectiveFrom.toISOString(),
                }
              : null,
            entries: r.entries,
            added: r.added,
            changed: r.changed,
            unchanged: r.unchanged,
            skipped: r.skipped,
          };
          emit(global, document, () =>
            [
              r.version
                ? `Published ${org.slug}/${r.table.slug} v${r.version.version}, in force from ${r.version.effectiveFrom.toISOString()}.`
                : `Nothing changed in ${org.slug}/${r.table.slug}: no version published.`,
              `${r.entries} entries: ${r.added.length} added, ${r.changed.length} changed, ${r.unchanged} unchanged, ${r.skipped.length} skipped.`,
              ...r.skipped.slice(0, 20).map((s) => `  skipped ${s.key}: ${s.reason}`),
              r.skipped.length > 20 ? `  … and ${r.skipped.length - 20} more (--json lists them all)` : '',
              r.version
                ? 'Events already priced keep their prices; `tokenledger reprice --since <date>` re-prices them.'
                : '',
            ]
              .filter(Boolean)
              .join('\n'),
          );
        });
      });
    });

  catalog
    .command('list')
    .description('The rate tables and their versions (global, and one organization’s with --org)')
    .option('--org <slug>', 'also show this organization’s tables')
    .action(async (options: { org?: string }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      await runCommand(global, () =>
        withStore(async (store) => {
          const orgId = options.org ? (await store.organizations.requireBySlug(options.org)).id : null;
          const tables = await store.rates.listTables(orgId);
          const document = {
            tables: tables.map((t) => ({
              id: t.id,
              slug: t.slug,
              name: t.name,
              kind: t.kind,
              organization: t.organizationId ? options.org : null,
              priority: t.priority,
              versions: t.versions.map((v) => ({
                id: v.id,
                version: v.version,
                effectiveFrom: v.effectiveFrom.toISOString(),
                publishedAt: v.publishedAt.toISOString(),
                publishedBy: v.publishedBy,
                source: v.source,
                note: v.note,
                rates: v.rateCount,
              })),
            })),
          };
          emit(global, document, () =>
            tables.length === 0
              ? 'No rate tables: run `npm run tokenledger -- seed`.'
              : tables
                  .map((t) =>
                    [
                      `${t.organizationId ? `${options.org}/` : ''}${t.slug} (${t.kind}, priority ${t.priority})`,
                      ...t.versions.map(
                        (v) =>
                          `  v${v.version}  from ${v.effectiveFrom.toISOString()}  ${v.rateCount} rates  ${v.source}`,
                      ),
                    ].join('\n'),
                  )
                  .join('\n'),
          );
        }),
      );
    });
}
