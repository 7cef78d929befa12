/**
 * The soak's control worker (scripts/soak.ts): no Gazette code, only the calls Gazette's routes
 * make on Miniflare's local simulators, against the same bindings, the same seeded D1 and the
 * same request streams. Whatever workerd's resident memory does under this worker is what the
 * simulators (Cache API, D1, Durable Object SQLite, rate limiter) and workerd itself do, so it
 * is the baseline that Gazette's run is compared with.
 *
 * Per request, as Gazette's handlers do (src/lib/http.ts, src/articles, src/search, src/views,
 * src/authoring):
 *   - public GET: a Cache API look-up; on a miss one D1 read (the article with its body, or a
 *     page of 20 listed articles), a body of the same kind built from it, its SHA-256 (the
 *     strong ETag) and a Cache API put for 60 s (API_EDGE_CACHE_SECONDS);
 *   - search: one FTS5 trigram query and the matching articles, in one D1 batch;
 *   - beacon: two rate-limiter calls, then one Durable Object per article that records the
 *     visitor's keyed hash and the count in its SQLite storage;
 *   - admin write: handed over the ADMIN service binding to the admin worker, which does the
 *     token's D1 look-up and a rate-limiter call, then one D1 batch writing an article-sized row,
 *     a revision-sized row and a trigram index row, then asks the reader (CACHE_PURGE, an RPC
 *     entrypoint) to delete the lists the new article changes from its Cache API.
 * Like Gazette it runs as two workers (scripts/lib/run-worker.ts): the soak puts this one bundle
 * in both places, under the reader's name and bindings (wrangler.toml: it has ADMIN) and the
 * admin's (wrangler.admin.toml: it has CACHE_PURGE), so each request crosses the same service
 * binding and lands in the same isolate as Gazette's. The bindings are Gazette's, so the Durable
 * Object classes and the entrypoint they name exist here too.
 */
import { DurableObject, WorkerEntrypoint } from 'cloudflare:workers';

interface ControlEnv {
  DB: D1Database;
  VIEW_COUNTER: DurableObjectNamespace<ViewCounter>;
  VIEW_RATE_LIMITER: RateLimit;
  VIEW_IP_RATE_LIMITER: RateLimit;
  AUTH_RATE_LIMITER: RateLimit;
  /** Only under the reader's bindings. */
  ADMIN?: Fetcher;
  /** Only under the admin's bindings. */
  CACHE_PURGE?: Service<CachePurge>;
}

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function read(request: Request, env: ControlEnv, ctx: ExecutionContext): Promise<Response> {
  const key = new Request(request.url, { method: 'GET' });
  const hit = await caches.default.match(key);
  if (hit) return new Response(hit.body, hit);
  const url = new URL(request.url);
  const id = /\/articles\/(\d+)/.exec(url.pathname)?.[1];
  const rows = id
    ? await env.DB.prepare(
        'SELECT id, slug, title, subtitle, summary, body, source, author, published_at FROM articles WHERE id = ?',
      )
        .bind(Number(id))
        .all()
    : await env.DB.prepare(
        "SELECT id, slug, title, summary, source, published_at, view_count FROM articles WHERE status = 'published' ORDER BY published_at DESC, id DESC LIMIT 20",
      ).all();
  const body = url.pathname.startsWith('/api/')
    ? JSON.stringify({ data: rows.results })
    : `<!doctype html><html lang="zh-CN"><body>${rows.results
        .map((r) => `<article><h1>${String(r.title)}</h1>${String(r.body ?? r.summary)}</article>`)
        .join('')}</body></html>`;
  const response = new Response(body, {
    headers: {
      'content-type': url.pathname.startsWith('/api/')
        ? 'application/json; charset=utf-8'
        : 'text/html; charset=utf-8',
      etag: `"${await sha256Hex(body)}"`,
      'cache-control': 'public, max-age=60',
    },
  });
  ctx.waitUntil(caches.default.put(key, response.clone()));
  return response;
}

async function search(url: URL, env: ControlEnv): Promise<Response> {
  const q = url.searchParams.get('q') ?? '';
  const [hits, total] = await env.DB.batch([
    env.DB.prepare(
      'SELECT a.id, a.slug, a.title, a.summary FROM search_trigram s JOIN articles a ON a.id = s.rowid WHERE search_trigram MATCH ? ORDER BY rank LIMIT 20',
    ).bind(`"${q.replaceAll('"', '')}"`),
    env.DB.prepare('SELECT count(*) AS n FROM search_trigram WHERE search_trigram MATCH ?').bind(
      `"${q.replaceAll('"', '')}"`,
    ),
  ]);
  return json({ data: hits!.results, total: total!.results[0] });
}

async function beacon(request: Request, env: ControlEnv, articleId: number): Promise<Response> {
  const ip = request.headers.get('cf-connecting-ip') ?? '';
  const ua = request.headers.get('user-agent') ?? '';
  const visitor = await sha256Hex(`${ip}\n${ua}`);
  await env.VIEW_RATE_LIMITER.limit({ key: visitor });
  await env.VIEW_IP_RATE_LIMITER.limit({ key: await sha256Hex(ip) });
  const counter = env.VIEW_COUNTER.get(env.VIEW_COUNTER.idFromName(`control:${articleId}`));
  return json(await counter.hit(visitor));
}

async function admin(request: Request, env: ControlEnv): Promise<Response> {
  const token = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '');
  await env.AUTH_RATE_LIMITER.limit({
    key: await sha256Hex(request.headers.get('cf-connecting-ip') ?? ''),
  });
  const row = await env.DB.prepare('SELECT id, role FROM api_tokens WHERE token_hash = ?')
    .bind(await sha256Hex(token))
    .first();
  if (!row) return json({ code: 'unauthorized' }, 401);
  // The soak's idle-time pokes read; only the write stream posts.
  if (request.method !== 'POST') return json({ data: [] });
  const input = (await request.json()) as { title: string; body: string; slug: string };
  const document = JSON.stringify(input);
  await env.DB.batch([
    env.DB.prepare(
      'CREATE TABLE IF NOT EXISTS control_articles (id INTEGER PRIMARY KEY, slug TEXT, title TEXT, body TEXT, document TEXT)',
    ),
    env.DB.prepare(
      'CREATE TABLE IF NOT EXISTS control_revisions (id INTEGER PRIMARY KEY, slug TEXT, snapshot TEXT)',
    ),
    env.DB.prepare(
      'INSERT INTO control_articles (slug, title, body, document) VALUES (?, ?, ?, ?)',
    ).bind(input.slug, input.title, input.body, document),
    env.DB.prepare('INSERT INTO control_revisions (slug, snapshot) VALUES (?, ?)').bind(
      input.slug,
      document,
    ),
    env.DB.prepare(
      "INSERT INTO search_trigram (rowid, title, subtitle, summary, body, meta) VALUES ((SELECT max(id) FROM control_articles) + 1000000000, ?, '', '', ?, '')",
    ).bind(input.title, input.body),
  ]);
  const origin = new URL(request.url).origin;
  await env.CACHE_PURGE!.purge(
    ['/api/v1/articles', '/', '/feed.xml', '/sitemap.xml'].map((path) => `${origin}${path}`),
  );
  return json({ slug: input.slug }, 201);
}

/** The reader's purge for the admin worker, as src/lib/cache-purge.ts's CachePurge. */
export class CachePurge extends WorkerEntrypoint<ControlEnv> {
  async purge(urls: string[]): Promise<number> {
    const deleted = await Promise.all(
      urls.map((url) => caches.default.delete(new Request(url, { method: 'GET' }))),
    );
    return deleted.filter(Boolean).length;
  }
}

export default {
  async fetch(request: Request, env: ControlEnv, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/healthz') return new Response('ok');
    if (env.CACHE_PURGE) return admin(request, env);
    // The reader hands writers' paths on, as src/reader-app.ts's forwardedPaths.
    if (/^\/(?:api\/v1\/)?admin(?:\/|$)/.test(url.pathname)) return env.ADMIN!.fetch(request);
    const views = /^\/api\/v1\/articles\/(\d+)\/views$/.exec(url.pathname);
    if (views && request.method === 'POST') return beacon(request, env, Number(views[1]));
    if (views) {
      const counter = env.VIEW_COUNTER.get(env.VIEW_COUNTER.idFromName(`control:${views[1]}`));
      return json({ views: await counter.count() });
    }
    if (/^\/(?:api\/v1\/)?search$/.test(url.pathname)) return search(url, env);
    return read(request, env, ctx);
  },
};

export class ViewCounter extends DurableObject<ControlEnv> {
  constructor(ctx: DurableObjectState, env: ControlEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS visitors (hash TEXT PRIMARY KEY); CREATE TABLE IF NOT EXISTS totals (k TEXT PRIMARY KEY, v INTEGER)',
    );
  }

  hit(visitor: string): { counted: boolean } {
    const fresh = this.ctx.storage.sql
      .exec('INSERT OR IGNORE INTO visitors (hash) VALUES (?) RETURNING hash', visitor)
      .toArray().length;
    if (fresh) {
      this.ctx.storage.sql.exec(
        "INSERT INTO totals (k, v) VALUES ('views', 1) ON CONFLICT (k) DO UPDATE SET v = v + 1",
      );
    }
    return { counted: fresh > 0 };
  }

  count(): number {
    const [row] = this.ctx.storage.sql
      .exec<{ v: number }>("SELECT v FROM totals WHERE k = 'views'")
      .toArray();
    return row?.v ?? 0;
  }
}

// Named by Gazette's wrangler.admin.toml bindings; the control never calls them.
export class WebhookDelivery extends DurableObject {}
export class ImportJob extends DurableObject {}
