import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyAuthService } from '../auth/api-key-auth.service';
import { IngestService } from '../ingest/ingest.service';
import { MetricsService } from '../metrics/metrics.service';
import { spanToEvent } from './genai-span';
import { decodeJson, decodeProtobuf, encodeResponse } from './otlp-decode';

/**
 * `POST /v1/traces`: OTLP/HTTP (protobuf or JSON). Spans with GenAI usage become usage events on
 * the same path as /v1/events; other spans are ignored and counted. Success is 200, as OTLP asks.
 */
@Controller('v1')
export class TracesController {
  constructor(
    private readonly auth: ApiKeyAuthService,
    private readonly ingest: IngestService,
    private readonly metrics: MetricsService,
  ) {}

  @Post('traces')
  @HttpCode(200)
  async traces(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Headers('authorization') authorization: string | undefined,
    @Headers('x-tokenledger-project') projectSlug: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const principal = await this.auth.authenticate(authorization, 'ingest');
    const protobuf = Buffer.isBuffer(body);
    const spans = protobuf ? decodeProtobuf(body) : decodeJson(body);
    const events = spans.map(spanToEvent).filter((e) => e !== null);
    this.metrics.otlpSpansIgnored(spans.length - events.length);

    const result =
      events.length > 0
        ? await this.ingest.ingest(principal, events, 'otlp', projectSlug)
        : { accepted: 0, rejected: [] };
    const rejected = result.rejected.length;
    const message =
      rejected > 0
        ? result.rejected
            .map((r) => `span ${r.eventId}: ${r.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`)
            .join(' | ')
        : '';
    request.log.debug(
      { spans: spans.length, usage: events.length, accepted: result.accepted, rejected },
      'otlp traces',
    );
    if (protobuf) {
      void reply.header('content-type', 'application/x-protobuf');
      return Buffer.from(encodeResponse(rejected, message));
    }
    return rejected > 0 ? { partialSuccess: { rejectedSpans: rejected, errorMessage: message } } : {};
  }
}
