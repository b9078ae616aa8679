import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ErrorCode, MAX_EVENTS_PER_BATCH, TokenledgerError } from '@tokenledger/contracts';
import { ApiKeyAuthService } from '../auth/api-key-auth.service';
import { IngestService, type IngestResult } from './ingest.service';

/** `POST /v1/events` (API.md): a batch of usage events from a project key with scope `ingest`. */
@Controller('v1')
export class EventsController {
  constructor(
    private readonly auth: ApiKeyAuthService,
    private readonly ingest: IngestService,
  ) {}

  @Post('events')
  @HttpCode(202)
  async events(
    @Body() body: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Headers('x-tokenledger-project') projectSlug: string | undefined,
  ): Promise<IngestResult> {
    const principal = await this.auth.authenticate(authorization, 'ingest');
    const events = (body as { events?: unknown } | null)?.events;
    if (typeof body !== 'object' || body === null || !Array.isArray(events)) {
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        'The body must be a JSON object with an "events" array',
        [{ path: 'events', message: 'is required and must be an array' }],
      );
    }
    if (events.length === 0) {
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'No events to ingest', [
        { path: 'events', message: 'must not be empty' },
      ]);
    }
    if (events.length > MAX_EVENTS_PER_BATCH) {
      throw new TokenledgerError(
        ErrorCode.PayloadTooLarge,
        `At most ${MAX_EVENTS_PER_BATCH} events per request (got ${events.length}); split the batch`,
      );
    }
    const result = await this.ingest.ingest(principal, events, 'api', projectSlug);
    if (result.accepted === 0) {
      // Nothing was accepted: a 400 with the same per-event detail a partial 202 carries.
      throw new TokenledgerError(ErrorCode.ValidationFailed, `All ${events.length} events were rejected`, {
        accepted: 0,
        rejected: result.rejected,
      });
    }
    return result;
  }
}
