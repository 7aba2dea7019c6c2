import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardServer, startDashboardServer } from '../../../scripts/serve/DashboardServer.js';
import { SnapshotFeed } from '../../../scripts/serve/SnapshotFeed.js';

/** A raw request, so the test can send any method and Host header. */
function call(url: string, init: { method?: string; host?: string; path?: string } = {}) {
  const u = new URL(init.path ?? '/', url);
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: init.method ?? 'GET',
          headers: init.host ? { host: init.host } : {},
        },
        (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

/** An open event stream: `next()` resolves with the next server-sent event. */
async function openEvents(url: string) {
  const res = await fetch(new URL('api/events', url));
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next(): Promise<{ event: string; data: string }> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data !== undefined) return { event, data };
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the event stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    },
    close: () => reader.cancel(),
  };
}

describe('the page server', () => {
  const state = { rides: 1 };
  let feed: SnapshotFeed;
  let server: DashboardServer;

  beforeAll(async () => {
    feed = new SnapshotFeed({ read: async () => ({ ...state }), refreshMs: 60_000 });
    await feed.start();
    server = await startDashboardServer({
      page: { html: '<p>page</p>', js: 'js()', css: 'p{}' },
      feed,
      port: 0,
    });
  });
  afterAll(async () => {
    await server.close();
    await feed.stop();
  });

  it('listens on loopback by default', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it.each([
    ['/', 'text/html; charset=utf-8', '<p>page</p>'],
    ['/app.js', 'text/javascript; charset=utf-8', 'js()'],
    ['/app.css', 'text/css; charset=utf-8', 'p{}'],
    ['/api/snapshot', 'application/json', '{"rides":1}'],
  ])('serves %s as %s, loading nothing from another origin', async (path, type, body) => {
    const res = await call(server.url, { path });

    expect([res.status, res.headers['content-type'], res.body]).toEqual([200, type, body]);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it.each(['POST', 'PUT', 'DELETE'])('is read-only: %s is refused', async (method) => {
    const res = await call(server.url, { method, path: '/api/snapshot' });

    expect([res.status, res.headers.allow]).toEqual([405, 'GET, HEAD']);
  });

  it('refuses a request naming another host (DNS rebinding), accepts localhost', async () => {
    expect((await call(server.url, { host: 'attacker.example:80' })).status).toBe(403);
    expect((await call(server.url, { host: 'localhost' })).status).toBe(200);
  });

  it('answers an unknown path with 404', async () => {
    expect((await call(server.url, { path: '/.env' })).status).toBe(404);
  });

  it('streams the snapshot at once and again when the store changes', async () => {
    const events = await openEvents(server.url);
    expect(await events.next()).toEqual({ event: 'snapshot', data: '{"rides":1}' });

    state.rides = 2;
    await feed.refresh();

    expect(await events.next()).toEqual({ event: 'snapshot', data: '{"rides":2}' });
    await events.close();
  });
});
