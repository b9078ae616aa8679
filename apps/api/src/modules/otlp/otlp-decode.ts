import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
// The OTLP protobuf messages as OpenTelemetry's own generated protobufjs module defines them.
import * as otlpRoot from 'otlp-proto-defs/build/src/generated/root';

export type AttributeValue =
  string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

/** One span, decoded the same way from OTLP/protobuf and OTLP/JSON. */
export interface OtlpSpan {
  traceId: string; // lower-case hex
  spanId: string;
  name: string;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  /** 0 unset, 1 ok, 2 error */
  statusCode: number;
  attributes: Record<string, AttributeValue>;
  resource: Record<string, AttributeValue>;
}

interface RawKeyValue {
  key?: string;
  value?: RawAnyValue | null;
}
interface RawAnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: number | string | { toString(): string } | null;
  doubleValue?: number | null;
  arrayValue?: { values?: RawAnyValue[] | null } | null;
  kvlistValue?: { values?: RawKeyValue[] | null } | null;
  bytesValue?: string | Uint8Array | null;
}
interface RawSpan {
  traceId?: string | Uint8Array | null;
  spanId?: string | Uint8Array | null;
  name?: string | null;
  startTimeUnixNano?: number | string | { toString(): string } | null;
  endTimeUnixNano?: number | string | { toString(): string } | null;
  attributes?: RawKeyValue[] | null;
  status?: { code?: number | string | null } | null;
}
interface RawRequest {
  resourceSpans?:
    | {
        resource?: { attributes?: RawKeyValue[] | null } | null;
        scopeSpans?: { spans?: RawSpan[] | null }[] | null;
      }[]
    | null;
}

type Root = {
  opentelemetry: {
    proto: {
      collector: {
        trace: {
          v1: {
            ExportTraceServiceRequest: { decode(bytes: Uint8Array): RawRequest };
            ExportTraceServiceResponse: {
              encode(message: { partialSuccess?: { rejectedSpans?: number; errorMessage?: string } }): {
                finish(): Uint8Array;
              };
            };
          };
        };
      };
    };
  };
};
const traceV1 = (otlpRoot as unknown as Root).opentelemetry.proto.collector.trace.v1;

function hex(id: string | Uint8Array | null | undefined): string {
  if (!id) return '';
  if (typeof id === 'string') return id.toLowerCase(); // OTLP/JSON carries ids as hex already
  return Buffer.from(id).toString('hex');
}

function int64(value: RawSpan['startTimeUnixNano']): bigint {
  if (value === null || value === undefined) return 0n;
  try {
    return BigInt(typeof value === 'number' ? Math.trunc(value) : value.toString());
  } catch {
    return 0n;
  }
}

function anyValue(v: RawAnyValue | null | undefined): AttributeValue {
  if (!v) return null;
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  if (v.intValue !== undefined && v.intValue !== null)
    return Number(typeof v.intValue === 'object' ? v.intValue.toString() : v.intValue);
  if (v.doubleValue !== undefined && v.doubleValue !== null) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue) return attributes(v.kvlistValue.values);
  if (v.bytesValue)
    return typeof v.bytesValue === 'string' ? v.bytesValue : Buffer.from(v.bytesValue).toString('base64');
  return null;
}

function attributes(list: RawKeyValue[] | null | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of list ?? []) if (kv.key) out[kv.key] = anyValue(kv.value);
  return out;
}

function flatten(request: RawRequest): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        spans.push({
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          name: s.name ?? '',
          startTimeUnixNano: int64(s.startTimeUnixNano),
          endTimeUnixNano: int64(s.endTimeUnixNano),
          statusCode: Number(s.status?.code ?? 0) || (s.status?.code === 'STATUS_CODE_ERROR' ? 2 : 0),
          attributes: attributes(s.attributes),
          resource,
        });
      }
    }
  }
  return spans;
}

export function decodeProtobuf(body: Buffer): OtlpSpan[] {
  try {
    return flatten(traceV1.ExportTraceServiceRequest.decode(body));
  } catch (error) {
    throw new TokenledgerError(
      ErrorCode.MalformedJson,
      `The body is not an OTLP ExportTraceServiceRequest: ${(error as Error).message}`,
    );
  }
}

export function decodeJson(body: unknown): OtlpSpan[] {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as RawRequest).resourceSpans)) {
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      'The body must be an OTLP/JSON ExportTraceServiceRequest',
      [{ path: 'resourceSpans', message: 'is required and must be an array' }],
    );
  }
  return flatten(body as RawRequest);
}

/** The OTLP success response; `partialSuccess` when some spans were rejected. */
export function encodeResponse(rejectedSpans: number, errorMessage: string): Uint8Array {
  return traceV1.ExportTraceServiceResponse.encode(
    rejectedSpans > 0 ? { partialSuccess: { rejectedSpans, errorMessage } } : {},
  ).finish();
}
