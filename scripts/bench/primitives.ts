/**
 * The floors: a bare worker (no Hono, no Gazette) doing only what a route cannot avoid, so a
 * budget judges what Gazette adds on top of the platform. It runs in its own workerd beside
 * Gazette's, on a D1 table with as many rows as Gazette has articles, each about as large.
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
  // The least a private, exact counter does: a keyed hash of the visitor under a day's random
  // salt (WebCrypto's HMAC, the platform's own), inserted-or-ignored, counted only when new.
  async countOnce(visitor) {
    const [sql, day] = [this.ctx.storage.sql, new Date().toISOString().slice(0, 10)];
    if (this.day !== day) {
      sql.exec('CREATE TABLE IF NOT EXISTS salts (day TEXT PRIMARY KEY, salt BLOB NOT NULL); CREATE TABLE IF NOT EXISTS v (h BLOB PRIMARY KEY) WITHOUT ROWID');
      sql.exec('INSERT OR IGNORE INTO salts VALUES (?, ?)', day, crypto.getRandomValues(new Uint8Array(32)).buffer);
      const salt = sql.exec('SELECT salt FROM salts WHERE day = ?', day).one().salt;
      [this.key, this.day] = [await crypto.subtle.importKey('raw', salt, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']), day];
    }
    const h = (await crypto.subtle.sign('HMAC', this.key, new TextEncoder().encode(visitor))).slice(0, 16);
    return this.ctx.storage.transactionSync(() => sql.exec(sql.exec('INSERT OR IGNORE INTO v VALUES (?)', h).rowsWritten
      ? 'UPDATE c SET n = n + 1 WHERE id = 1 RETURNING n' : 'SELECT n FROM c').one().n);
  }
}

const cacheKey = 'https://primitives.bench/cached';

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    // A fresh Sessions API session per request, as Gazette opens one for each read.
    const session = () => env.DB.withSession('first-unconstrained');
    switch (url.pathname) {
      case '/d1-session': {
        const row = await session().prepare('SELECT id, title, body FROM rows WHERE id = ?')
          .bind(Number(url.searchParams.get('id'))).first();
        return Response.json(row);
      }
      case '/d1-list-session': {
        const { results } = await session()
          .prepare('SELECT id, title, summary, published_at FROM rows WHERE channel = ? ORDER BY published_at DESC LIMIT 20')
          .bind(Number(url.searchParams.get('channel'))).all();
        return Response.json(results);
      }
      case '/ratelimit-do': {
        // The least a counted beacon does: ask the limiter about this visitor, then count.
        const key = request.headers.get('CF-Connecting-IP') + '|' + request.headers.get('User-Agent');
        const { success } = await env.LIMITER.limit({ key });
        const object = url.searchParams.get('object') ?? 'hot';
        const stub = env.COUNTER.get(env.COUNTER.idFromName(object));
        const n = url.searchParams.has('dedupe') ? await stub.countOnce(key) : await stub.increment();
        return Response.json({ success, n });
      }
      case '/cache': {
        const hit = await caches.default.match(cacheKey);
        if (hit) return hit;
        const headers = { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=3600' };
        const res = new Response('x'.repeat(2000), { headers });
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
  dispose(): Promise<void>;
}

/** Channels of the list floor: as many as Gazette's leaf channels, rows spread evenly. */
export const primitiveChannels = 8;

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
          // Gazette's limiter settings; every request is a new visitor, so none is refused.
          ratelimits: { LIMITER: { namespace_id: '1001', simple: { limit: 60, period: 60 } } },
          unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
        },
      ],
      resourcePersistencePath: stateDir,
      handleStructuredLogs: () => {},
    } as V4MiniflareOptions),
  );
  await mf.ready;
  const url = await mf.unsafeGetDirectURL();
  const db = await mf.getD1Database('DB');
  await db.exec(
    'CREATE TABLE rows (id INTEGER PRIMARY KEY, channel INTEGER NOT NULL, published_at INTEGER NOT NULL, title TEXT NOT NULL, summary TEXT NOT NULL, body TEXT NOT NULL)',
  );
  await db.exec('CREATE INDEX rows_channel ON rows (channel, published_at)');
  // Rows the size of an article's body, so a read moves about what Gazette's does.
  const summary = '近日，滨河新区老旧小区改造工作全面启动，相关部门深入一线了解群众需求。';
  await db
    .prepare(
      'WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n WHERE id < ?1) ' +
        "INSERT INTO rows SELECT id, id % ?2, 1700000000000 + id, '标题 ' || id, ?3, ?4 FROM n",
    )
    .bind(rows, primitiveChannels, summary, `<p>${summary}</p>`.repeat(12))
    .run();
  return {
    origin: url.origin,
    async dispose() {
      await mf.dispose();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
