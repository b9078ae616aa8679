import { describe, expect, it } from 'vitest';
import { decodeJson, decodeProtobuf } from './otlp-decode';

const JSON_REQUEST = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: '5B8EFFF798038103D269B633813FC60C',
              spanId: 'EEE19B7EC3C1B174',
              name: 'chat',
              startTimeUnixNano: '1544712660000000000',
              endTimeUnixNano: 1544712661000000000,
              status: { code: 2 },
              attributes: [
                { key: 'gen_ai.usage.input_tokens', value: { intValue: '42' } },
                { key: 'gen_ai.usage.output_tokens', value: { intValue: 7 } },
                { key: 'ok', value: { boolValue: true } },
                {
                  key: 'list',
                  value: { arrayValue: { values: [{ stringValue: 'a' }, { doubleValue: 1.5 }] } },
                },
              ],
            },
          ],
        },
      ],
    },
  ],
};

describe('OTLP decoding', () => {
  it('decodes OTLP/JSON with int64s as strings or numbers and hex ids', () => {
    const [s] = decodeJson(JSON_REQUEST);
    expect(s).toEqual({
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      name: 'chat',
      startTimeUnixNano: 1544712660000000000n,
      endTimeUnixNano: 1544712661000000000n,
      statusCode: 2,
      attributes: {
        'gen_ai.usage.input_tokens': 42,
        'gen_ai.usage.output_tokens': 7,
        ok: true,
        list: ['a', 1.5],
      },
      resource: { 'service.name': 'svc' },
    });
  });

  it('refuses JSON that is not an export request, naming the field', () => {
    expect(() => decodeJson({ spans: [] })).toThrow('OTLP/JSON');
  });

  it('refuses bytes that are not an OTLP protobuf request', () => {
    expect(() => decodeProtobuf(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(
      'ExportTraceServiceRequest',
    );
  });
});
