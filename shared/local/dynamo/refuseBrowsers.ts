import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Host names a loopback request may carry (the port is ignored). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why a request to the embedded store is refused, or undefined to let it through.
 *
 * dynalite answers any origin with `Access-Control-Allow-Origin: *` and grants every CORS
 * preflight, so while a long-lived store runs (`serve` hosts one on a known port) any web page
 * open in the user's browser could read, write or delete the tables. The SDK and the CLI send
 * no `Origin` and no preflight; a browser always does for such a request, and a DNS-rebinding
 * page sends its own host name. So: no `Origin`, no `OPTIONS`, and a loopback `Host`.
 */
export function browserRefusal(req: Pick<IncomingMessage, 'method' | 'headers'>): string | undefined {
  if (req.method === 'OPTIONS') return 'CORS preflight';
  if (req.headers.origin !== undefined) return `request from a web page (Origin ${req.headers.origin})`;
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (!LOOPBACK_HOSTS.has(host)) return `Host ${host || '(none)'} is not loopback`;
  return undefined;
}

/** Puts {@link browserRefusal} in front of the server's request handlers (403 with the reason). */
export function refuseBrowsers(server: Server): void {
  const handlers = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const refusal = browserRefusal(req);
    if (refusal) {
      const payload = JSON.stringify({ message: `the embedded DynamoDB refuses this: ${refusal}` });
      res.writeHead(403, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(payload),
      });
      res.end(payload);
      return;
    }
    for (const handler of handlers) handler(req, res);
  });
}
