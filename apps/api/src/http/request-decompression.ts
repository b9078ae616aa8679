import { PassThrough, type Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';

type PayloadStream = Readable & { receivedEncodedLength?: number };
type DecodedStream = PassThrough & { receivedEncodedLength?: number };

/**
 * Accepts gzip (and deflate) request bodies. The decompressed size is what counts against the
 * body limit, so a small bomb cannot get past it; a corrupt stream is a 400, never a 500.
 */
export function registerRequestDecompression(fastify: FastifyInstance): void {
  fastify.addHook('preParsing', async (request: FastifyRequest, _reply, payload: PayloadStream) => {
    const encoding = String(request.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    if (encoding === 'identity' || encoding === '') return payload;
    if (encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'deflate') {
      throw new TokenledgerError(
        ErrorCode.UnsupportedMediaType,
        `Content-Encoding "${encoding}" is not supported: send gzip or no encoding`,
      );
    }
    const inflate = encoding === 'deflate' ? createInflate() : createGunzip();
    const output: DecodedStream = new PassThrough();
    output.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => {
      output.receivedEncodedLength = (output.receivedEncodedLength ?? 0) + chunk.length;
    });
    inflate.on('error', () =>
      output.destroy(
        new TokenledgerError(
          ErrorCode.MalformedJson,
          `The request body is not valid ${encoding === 'deflate' ? 'deflate' : 'gzip'} data`,
        ),
      ),
    );
    payload.on('error', (error) => output.destroy(error));
    payload.pipe(inflate).pipe(output);
    return output;
  });
}

/** OTLP/HTTP protobuf bodies arrive as raw bytes. */
export function registerProtobufParser(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(
    ['application/x-protobuf', 'application/protobuf'],
    { parseAs: 'buffer' },
    (_req, body, done) => done(null, body),
  );
}
