/**
 * The platform's own floor, measured in the same run: a bare worker (no Hono, no Gazette) that
 * answers a constant, reads one D1 row (bare, or through a fresh Sessions API session),
 * increments a SQLite-backed Durable Object, calls the rate-limiting binding, or returns a
 * Cache API hit. The budgets say Gazette may add only a little on top of these, so the
 * report sets each Gazette route beside the primitive it is built on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertV4MiniflareOptions, Miniflare, type V4MiniflareOptions } from 'miniflare';

const source = /* js */ `
import { DurableObject } from 'cloudflare:workers';

export class Counter extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS c (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    ctx.storage.sql.exec('INSERT OR IGNORE INTO c (id, n) VALUES (1, 0)');
  }
  increment() {
    return this.ctx.storage.sql.exec('UPDATE c SET n = n + 1 WHERE id = 1 RETURNING n').one().n;
  }
}

const cacheKey = 'https://primitives.bench/cached';

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case '/constant':
        return new Response('ok');
      case '/d1': {
        const id = Number(url.searchParams.get('id'));
        const row = await env.DB.prepare('SELECT id, title, body FROM rows WHERE id = ?').bind(id).first();
        return Response.json(row);
      }
      case '/d1-session': {
        // A fresh Sessions API session per request, as Gazette opens one for each read.
        const id = Number(url.searchParams.get('id'));
        const row = await env.DB.withSession('first-unconstrained')
          .prepare('SELECT id, title, body FROM rows WHERE id = ?').bind(id).first();
        return Response.json(row);
      }
      case '/ratelimit': {
        const { success } = await env.LIMITER.limit({ key: url.searchParams.get('key') ?? '' });
        return Response.json({ success });
      }
      case '/ratelimit-do': {
        // What any counted beacon must do at least: ask the limiter, then count (on one hot
        // object, or on the object named, for beacons spread over many articles).
        // The key names the visitor: from the query, or from the headers a beacon's visitor sends.
        const key =
          url.searchParams.get('key') ??
          request.headers.get('CF-Connecting-IP') + '|' + request.headers.get('User-Agent');
        const { success } = await env.LIMITER.limit({ key });
        const object = url.searchParams.get('object') ?? 'hot';
        const n = await env.COUNTER.get(env.COUNTER.idFromName(object)).increment();
        return Response.json({ success, n });
      }
      case '/do': {
        const n = await env.COUNTER.get(env.COUNTER.idFromName('hot')).increment();
        return Response.json({ n });
      }
      case '/cache': {
        const hit = await caches.default.match(cacheKey);
        if (hit) return hit;
        const res = new Response('x'.repeat(2000), {
          headers: { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=3600' },
        });
        ctx.waitUntil(caches.default.put(cacheKey, res.clone()));
        return res;
      }
      default:
        return new Response('not found', { status: 404 });
    }
  },
};
`;

export interface Primitives {
  origin: string;
  rows: number;
  dispose(): Promise<void>;
}

export async function startPrimitives(rows: number): Promise<Primitives> {
  const stateDir = mkdtempSync(join(tmpdir(), 'gazette-primitives-'));
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      workers: [
        {
          name: 'primitives',
          modules: true,
          script: source,
          compatibilityDate: '2026-11-01',
          compatibilityFlags: ['nodejs_compat'],
          d1Databases: { DB: 'primitives' },
          durableObjects: { COUNTER: { className: 'Counter', useSQLite: true } },
          // Gazette's limiter settings; every request is a new key, so none is refused.
          ratelimits: { LIMITER: { namespace_id: '1001', simple: { limit: 60, period: 60 } } },
          unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
        },
      ],
      defaultPersistRoot: stateDir,
      handleStructuredLogs: () => {},
    } as V4MiniflareOptions),
  );
  await mf.ready;
  const url = await mf.unsafeGetDirectURL();
  // Rows the size of an article's body, so a read moves about what Gazette's does.
  const db = await mf.getD1Database('DB');
  await db.exec(
    'CREATE TABLE rows (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL)',
  );
  const body =
    '<p>近日，滨河新区老旧小区改造工作全面启动，相关部门深入一线了解群众需求。</p>'.repeat(12);
  for (let i = 1; i <= rows; i += 100) {
    const ids = Array.from({ length: Math.min(100, rows - i + 1) }, (_, k) => i + k);
    await db.batch(
      ids.map((id) =>
        db
          .prepare('INSERT INTO rows (id, title, body) VALUES (?, ?, ?)')
          .bind(id, `标题 ${id}`, body),
      ),
    );
  }
  return {
    origin: url.origin,
    rows,
    async dispose() {
      await mf.dispose();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
