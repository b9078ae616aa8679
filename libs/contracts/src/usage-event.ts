import { z } from 'zod';
import type { FieldError } from './errors';
import {
  EVENT_STATUSES,
  MAX_FUTURE_SKEW_MS,
  MAX_INT4,
  MAX_TAGS,
  MAX_TOKENS,
  MODALITIES,
  PROVIDER_ID,
  RFC3339,
  SERVICE_TIERS,
  tagKeyProblem,
  timestampProblem,
  unstorableText,
  type EventStatus,
  type Modality,
  type ServiceTier,
} from './usage-event.rules';
import { quickParse } from './usage-event.quick';
import { TOKEN_KINDS, type PartField, type TotalField } from './token-kinds';
import { partErrors } from './usage-rules';

export * from './usage-event.rules';

const tokens = z
  .number({ error: 'must be a number of tokens' })
  .int('must be a whole number of tokens')
  .min(0, 'must not be negative')
  .max(MAX_TOKENS, `must be at most ${MAX_TOKENS}`);

/** A string the store holds exactly as sent (text and jsonb refuse NUL and lone surrogates). */
const storable = <S extends z.ZodString>(schema: S) =>
  schema.check(
    z.superRefine((s: string, ctx) => {
      const problem = unstorableText(s);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, input: s });
    }),
  );

const label = (max: number) =>
  storable(
    z
      .string({ error: 'must be a string' })
      .min(1, 'must not be empty')
      .max(max, `must be at most ${max} characters`),
  );

/** Every token kind of TOKEN_KINDS, in its order: totals required, parts 0 when absent. */
const usageShape = Object.fromEntries(
  TOKEN_KINDS.map((k) => [k.field, k.total === null ? tokens : tokens.default(0)]),
) as { [F in TotalField]: typeof tokens } & { [F in PartField]: z.ZodDefault<typeof tokens> };

export const usageSchema = z.strictObject(usageShape, {
  error: (issue) => (issue.code === 'unrecognized_keys' ? 'unknown field' : 'must be an object'),
});

export const usageEventSchema = z.strictObject(
  {
    eventId: storable(
      z
        .string({ error: 'is required and must be a string' })
        .min(1, 'must not be empty')
        .max(128, 'must be at most 128 characters'),
    ),
    occurredAt: z
      .string({ error: 'is required and must be an RFC 3339 timestamp' })
      .regex(RFC3339, 'must be an RFC 3339 timestamp with a time zone, e.g. 2026-06-01T12:00:00Z')
      .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a valid date')
      .check(
        z.superRefine((s: string, ctx) => {
          // A Date.parse failure is reported above; this names the calendar or range problem.
          const problem = Number.isNaN(Date.parse(s)) ? null : timestampProblem(s);
          if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, input: s });
        }),
      ),
    provider: z
      .string({ error: 'is required and must be a string' })
      .regex(PROVIDER_ID, 'must be a lower-case provider id as in the catalog, e.g. "openai"'),
    model: label(256),
    usage: usageSchema,
    serviceTier: z
      .enum(SERVICE_TIERS, { error: `must be one of ${SERVICE_TIERS.join(', ')}` })
      .default('standard'),
    feature: label(128).optional(),
    customerId: label(128).optional(),
    environment: label(64).default('production'),
    inputModalities: z
      .array(z.enum(MODALITIES, { error: `must be one of ${MODALITIES.join(', ')}` }), {
        error: 'must be an array',
      })
      .min(1, 'must not be empty')
      .default(['text']),
    latencyMs: z
      .number({ error: 'must be a number' })
      .int('must be whole milliseconds')
      .min(0, 'must not be negative')
      .max(MAX_INT4, `must be at most ${MAX_INT4}`)
      .optional(),
    status: z
      .enum(EVENT_STATUSES, { error: `must be one of ${EVENT_STATUSES.join(', ')}` })
      .default('success'),
    tags: z
      .record(
        z.string().refine((key) => tagKeyProblem(key) === null),
        storable(
          z.string({ error: 'tag values must be strings' }).max(256, 'must be at most 256 characters'),
        ),
        {
          error: (issue) =>
            issue.code === 'invalid_key' && typeof issue.input === 'string'
              ? (tagKeyProblem(issue.input) ?? 'must be an object of string pairs')
              : 'must be an object of string pairs',
        },
      )
      .refine((t) => Object.keys(t).length <= MAX_TAGS, `must have at most ${MAX_TAGS} pairs`)
      .default({}),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? 'unknown field' : 'each event must be a JSON object',
  },
);

/** An event as a client sends it (API.md). */
export type UsageEventInput = z.input<typeof usageEventSchema>;
/** Usage with every token kind present. */
export type Usage = z.output<typeof usageSchema>;

/** An event after validation: defaults filled, `occurredAt` normalised to UTC ISO 8601. */
export interface UsageEvent {
  eventId: string;
  occurredAt: string;
  provider: string;
  model: string;
  usage: Usage;
  serviceTier: ServiceTier;
  feature: string | null;
  customerId: string | null;
  environment: string;
  inputModalities: Modality[];
  latencyMs: number | null;
  status: EventStatus;
  tags: Record<string, string>;
}

export interface RejectedEvent {
  index: number;
  eventId?: string;
  errors: FieldError[];
}

export interface ValidatedBatch {
  accepted: UsageEvent[];
  rejected: RejectedEvent[];
}

function issuePath(path: PropertyKey[]): string {
  return path.map(String).join('.') || '(event)';
}

export type EventValidation =
  { ok: true; event: UsageEvent } | { ok: false; eventId?: string; errors: FieldError[] };

/** Validates one event as received. `now` is the receiver's clock (future-skew check). */
export function validateUsageEvent(raw: unknown, now: Date): EventValidation {
  const quick = quickParse(raw);
  return quick ? checked(quick, raw, now) : validateUsageEventBySchema(raw, now);
}

/** The same validation through the zod schema alone: what names the fields at fault. */
export function validateUsageEventBySchema(raw: unknown, now: Date): EventValidation {
  const parsed = usageEventSchema.safeParse(raw);
  if (!parsed.success) {
    const errors: FieldError[] = [];
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys)
          errors.push({ path: issuePath([...issue.path, key]), message: 'unknown field' });
      } else {
        errors.push({ path: issuePath(issue.path), message: issue.message });
      }
    }
    return { ok: false, eventId: rawEventId(raw), errors };
  }
  return checked(parsed.data, raw, now);
}

function rawEventId(raw: unknown): string | undefined {
  const rawId = typeof raw === 'object' && raw !== null ? (raw as { eventId?: unknown }).eventId : undefined;
  return typeof rawId === 'string' ? rawId : undefined;
}

/**
 * A tag key that an object cannot hold as its own (`__proto__`, which JSON.parse keeps but the
 * schema's output drops): rejected by name, never silently lost between the request and the store.
 */
function droppedTagErrors(raw: unknown): FieldError[] {
  const tags = typeof raw === 'object' && raw !== null ? (raw as { tags?: unknown }).tags : undefined;
  if (typeof tags !== 'object' || tags === null || !Object.prototype.hasOwnProperty.call(tags, '__proto__'))
    return [];
  return [{ path: 'tags.__proto__', message: tagKeyProblem('__proto__')! }];
}

/** The checks across fields (parts within totals, not in the future), then the stored form. */
function checked(e: z.output<typeof usageEventSchema>, raw: unknown, now: Date): EventValidation {
  const errors = partErrors(e.usage);
  errors.push(...droppedTagErrors(raw));
  const at = Date.parse(e.occurredAt);
  if (at > now.getTime() + MAX_FUTURE_SKEW_MS) {
    errors.push({ path: 'occurredAt', message: 'is more than 5 minutes in the future' });
  }
  if (errors.length > 0) return { ok: false, eventId: rawEventId(raw), errors };
  return {
    ok: true,
    event: {
      eventId: e.eventId,
      occurredAt: new Date(at).toISOString(),
      provider: e.provider,
      model: e.model,
      usage: e.usage,
      serviceTier: e.serviceTier,
      feature: e.feature ?? null,
      customerId: e.customerId ?? null,
      environment: e.environment,
      inputModalities: [...new Set(e.inputModalities)],
      latencyMs: e.latencyMs ?? null,
      status: e.status,
      tags: e.tags,
    },
  };
}

/**
 * Validates a batch: good events are accepted even when others are rejected, and each rejection
 * names its index and the fields at fault. A repeated eventId inside one batch is rejected: the
 * first occurrence wins, as a retry would.
 */
export function validateBatch(events: readonly unknown[], now: Date): ValidatedBatch {
  const accepted: UsageEvent[] = [];
  const rejected: RejectedEvent[] = [];
  const seen = new Set<string>();
  events.forEach((raw, index) => {
    const result = validateUsageEvent(raw, now);
    if (!result.ok) {
      rejected.push({ index, eventId: result.eventId, errors: result.errors });
    } else if (seen.has(result.event.eventId)) {
      rejected.push({
        index,
        eventId: result.event.eventId,
        errors: [{ path: 'eventId', message: 'appears more than once in this batch' }],
      });
    } else {
      seen.add(result.event.eventId);
      accepted.push(result.event);
    }
  });
  return { accepted, rejected };
}
