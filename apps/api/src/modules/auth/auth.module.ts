import { Module } from '@nestjs/common';
import { ApiKeyAuthService } from './api-key-auth.service';
import { SessionService } from './session.service';

/** Who is calling: API keys (ingestion, GraphQL) and dashboard sessions. */
@Module({ providers: [ApiKeyAuthService, SessionService], exports: [ApiKeyAuthService, SessionService] })
export class AuthModule {}
