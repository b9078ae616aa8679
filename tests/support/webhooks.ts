import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: { type: string; threshold: number; budget: { id: string }; id: string };
  signatureOk: boolean;
}

/** A local webhook receiver that checks each signature with the destination's secret. */
export async function startReceiver(): Promise<{
  url: string;
  received: Received[];
  setSecret(s: string): void;
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  let secret = '';
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const ts = String(req.headers['x-tokenledger-timestamp']);
      const expected = `v1=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`;
      const fresh = Math.abs(Date.now() / 1000 - Number(ts)) < 300;
      received.push({
        headers: req.headers,
        body,
        json: JSON.parse(body) as Received['json'],
        signatureOk: fresh && req.headers['x-tokenledger-signature'] === expected,
      });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    setSecret: (s) => (secret = s),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
