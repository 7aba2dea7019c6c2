import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PageBundle } from './pageBundle.js';
import type { FeedUpdate, SnapshotFeed } from './SnapshotFeed.js';
import { ServeError } from './serveErrors.js';

/** Options of {@link startDashboardServer}. */
export interface DashboardServerOptions {
  readonly page: PageBundle;
  readonly feed: SnapshotFeed;
  /** @default 127.0.0.1: only this machine can open the page */
  readonly host?: string;
  /** @default 0: any free port */
  readonly port?: number;
}

/** A running page server. */
export interface DashboardServer {
  /** `http://host:port/` */
  readonly url: string;
  close(): Promise<void>;
}

/** SSE comment lines keep idle connections from being closed by proxies and tell a dead tab apart. */
const HEARTBEAT_MS = 15_000;

// No inline script or style, nothing from another origin: the page is its own three files.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * Serves the page read-only: `GET /` (the page), `/app.js`, `/app.css`, `/api/snapshot` (the
 * page's data as JSON) and `/api/events` (server-sent events: the data again on every change).
 * Every other method is refused. On a loopback address, requests naming another host are
 * refused too, so a web page elsewhere cannot reach it through DNS rebinding.
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  const loopbackOnly = LOOPBACK_HOSTS.has(host);
  const streams = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    if (loopbackOnly && !LOOPBACK_HOSTS.has(hostnameOf(req)))
      return send(res, 403, 'text/plain', 'forbidden host\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'text/plain', 'read-only\n');
    }
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    switch (path) {
      case '/':
      case '/index.html':
        return send(res, 200, 'text/html; charset=utf-8', options.page.html);
      case '/app.js':
        return send(res, 200, 'text/javascript; charset=utf-8', options.page.js);
      case '/app.css':
        return send(res, 200, 'text/css; charset=utf-8', options.page.css);
      case '/api/snapshot':
        return sendSnapshot(res, options.feed.current());
      case '/api/events':
        return openStream(req, res, options.feed, streams);
      default:
        return send(res, 404, 'text/plain', 'not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) =>
      reject(
        new ServeError(
          'SERVER_LISTEN_FAILED',
          `cannot listen on ${host}:${options.port ?? 0}: ${cause.code ?? cause.message}${cause.code === 'EADDRINUSE' ? ' (pick another --port)' : ''}`,
          { cause },
        ),
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    close: () => closeServer(server, streams),
  };
}

function hostnameOf(req: IncomingMessage): string {
  const h = req.headers.host ?? '';
  return h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : (h.split(':')[0] ?? '');
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type });
  res.end(body);
}

function sendSnapshot(res: ServerResponse, update: FeedUpdate | undefined): void {
  if (update?.type === 'snapshot') send(res, 200, 'application/json', update.json);
  else send(res, 503, 'application/json', JSON.stringify({ error: update?.message ?? 'not read yet' }));
}

/** One SSE stream: `snapshot` events carry the data, `unavailable` events say why there is none. */
function openStream(
  req: IncomingMessage,
  res: ServerResponse,
  feed: SnapshotFeed,
  streams: Set<ServerResponse>,
) {
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream', connection: 'keep-alive' });
  // The browser reconnects after this many ms when the server restarts.
  res.write('retry: 1000\n\n');
  streams.add(res);
  const unsubscribe = feed.subscribe((u) => {
    const data = u.type === 'snapshot' ? u.json : JSON.stringify({ message: u.message });
    res.write(`event: ${u.type}\ndata: ${data}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(': alive\n\n'), HEARTBEAT_MS);
  req.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
    streams.delete(res);
  });
}

async function closeServer(server: Server, streams: Set<ServerResponse>): Promise<void> {
  // Event streams never end by themselves: end them, or close() waits forever.
  for (const s of streams) s.end();
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}
