// A minimal POST /v1/events for `npm run bench:sdk`, run as its own process so that the SDK's
// process measures only the SDK: gunzips, parses, counts the events and answers 202 as API.md
// says. It does not validate or queue (the real API does both, so it is slower than this).
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';

let events = 0;
let requests = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ events, requests }));
    }
    const raw = Buffer.concat(chunks);
    const body = JSON.parse(
      (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'),
    );
    events += body.events.length;
    requests++;
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ accepted: body.events.length, rejected: [] }));
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('disconnect', () => process.exit(0));
