import { Controller, Get, Headers, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import type { FastifyReply } from 'fastify';
import { AccessService } from '../access/access.service';
import type { Principal } from '../access/principal';
import { ApiKeyAuthService } from '../auth/api-key-auth.service';
import { SessionService } from '../auth/session.service';
import { ReportsService } from './reports.service';

/** RFC 6266: a plain ASCII fallback and the UTF-8 name. */
function disposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/**
 * `GET /v1/reports/:id/download` (API.md): the report file, streamed, with its content type, a
 * filename and Content-Length. Auth as GraphQL (a session or an API key that may read the
 * organization); another organization's report is not found. `?file=summary` gives a CSV
 * report's summary file.
 */
@Controller('v1/reports')
export class ReportDownloadController {
  constructor(
    private readonly sessions: SessionService,
    private readonly apiKeys: ApiKeyAuthService,
    private readonly access: AccessService,
    private readonly reports: ReportsService,
  ) {}

  private async principal(authorization: string | undefined): Promise<Principal | undefined> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) return undefined;
    if (token.startsWith('tls_')) {
      const s = await this.sessions.resolve(token);
      return { kind: 'user', userId: s.userId, sessionId: s.sessionId, email: s.email };
    }
    const k = await this.apiKeys.authenticate(authorization, 'read').catch(async (error: unknown) => {
      const admin = await this.apiKeys.authenticate(authorization, 'admin').catch(() => undefined);
      if (admin) return admin;
      throw error;
    });
    return {
      kind: 'apiKey',
      keyId: k.keyId,
      prefix: k.prefix,
      organizationId: k.organizationId,
      projectId: k.projectId,
      scopes: k.scopes,
    };
  }

  @Get(':id/download')
  async download(
    @Param('id') id: string,
    @Query('file') file: string | undefined,
    @Query('org') org: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    if (file !== undefined && file !== 'summary' && file !== 'report')
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'file: must be "report" or "summary"');
    const access = await this.access.forOrg(await this.principal(authorization), org, 'read');
    const found = await this.reports.file(access, id, file === 'summary' ? 'summary' : 'report');
    void reply.header('cache-control', 'private, no-store');
    return new StreamableFile(found.stream, {
      type: found.contentType,
      disposition: disposition(found.fileName),
      length: found.byteSize,
    });
  }
}
