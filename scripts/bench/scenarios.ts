/**
 * What the benchmark measures. Each scenario names the route, how requests vary, and how to
 * tell from one request that the route exists and does what the scenario claims; a route
 * that is missing is reported as a gap, never measured as a stub.
 */

/** What the harness knows about the seeded data when it builds request paths. */
export interface Dataset {
  /** Published article ids, in a fixed shuffled order so reads do not walk the table. */
  articleIds: number[];
  /** id -> canonical reader-page path (/articles/{id}/{slug}). */
  articlePaths: Map<number, string>;
  /** Channels that hold articles directly (the ones list pages show). */
  leafChannels: string[];
  /** A word that occurs in many titles, for search. */
  searchTerm: string;
  /** How many articles the spread beacon covers (1,000; fewer in the short mode). */
  spread: number;
  /** Rows in the primitives worker's D1 table (ids 1..n). */
  primitiveRows: number;
  /** GET routes with 'search' in their path that /openapi.json lists, with their query parameter. */
  searchRoutes: { path: string; param: string }[];
}

/**
 * Every phase runs the same build on the same data; workerd restarts between them.
 * `origin`: API_EDGE_CACHE_SECONDS=0, so every read does its origin work (D1, rendering).
 * `deployed`: wrangler.toml's [vars] as they ship (edge cache on).
 * Both leave out the local assets router, which would otherwise sit in front of every route.
 * `assets`: [assets] on, for the static files; the constant route then goes through it too.
 * `primitives`: not Gazette but a bare worker (scripts/bench/primitives.ts), for the floor.
 */
export type Phase = 'primitives' | 'origin' | 'deployed' | 'assets';

export interface Scenario {
  key: string;
  title: string;
  phase: Phase;
  method: 'GET' | 'POST';
  /** Candidate path lists, tried in order: the first whose first path answers 2xx is measured. */
  candidates(data: Dataset): string[][];
  /** Every request from a distinct browser-like visitor (the view beacon). */
  visitors?: boolean;
  /** Never reuse a path within the run (each measurement continues where the last stopped). */
  fresh?: boolean;
  /** Request every path once before measuring (the time it takes is reported). */
  prime?: boolean;
  /** Extra check on the verification response; returns why it fails, or null. */
  verify?(res: Response, body: string, refetch: () => Promise<Response>): Promise<string | null>;
  /** Rows-written accounting for view-counting scenarios: which article ids were hit. */
  countedArticles?(data: Dataset): number[];
  note?: string;
}

const edgeHit = (res: Response) =>
  res.headers.get('X-Edge-Cache') === 'HIT' || res.headers.get('CF-Cache-Status') === 'HIT';

export const constantScenario: Scenario = {
  key: 'constant',
  title: 'Constant route (GET /healthz)',
  phase: 'deployed',
  method: 'GET',
  candidates: () => [['/healthz']],
};

export const primitiveConstant: Scenario = {
  key: 'constant',
  title: 'Constant response (bare worker)',
  phase: 'primitives',
  method: 'GET',
  candidates: () => [['/constant']],
};

/** Every primitive row once, in a scattered order, through one of the bare worker's read routes. */
function primitiveReads(d: Dataset, route: string): string[] {
  return Array.from(
    { length: d.primitiveRows },
    (_, i) => `${route}?id=${((i * 7919) % d.primitiveRows) + 1}`,
  );
}

export const scenarios: Scenario[] = [
  constantScenario,
  {
    key: 'primitive-d1',
    title: 'Primitive: one D1 read (bare worker)',
    phase: 'primitives',
    method: 'GET',
    candidates: (d) => [primitiveReads(d, '/d1')],
    note: 'SELECT one ~2 KB row by primary key, JSON out',
  },
  {
    key: 'primitive-d1-session',
    title: 'Primitive: one D1 read in a fresh session (bare worker)',
    phase: 'primitives',
    method: 'GET',
    candidates: (d) => [primitiveReads(d, '/d1-session')],
    note: "the same read through env.DB.withSession('first-unconstrained'), one session per request",
  },
  {
    key: 'primitive-ratelimit',
    title: 'Primitive: one rate-limiter call (bare worker)',
    phase: 'primitives',
    method: 'GET',
    candidates: () => [Array.from({ length: 20_000 }, (_, i) => `/ratelimit?key=visitor-${i}`)],
    note: 'the ratelimits binding (limit 60 per 60 s), a new key per request',
  },
  {
    key: 'primitive-ratelimit-do',
    title: 'Primitive: rate-limiter call, then DO increment (bare worker)',
    phase: 'primitives',
    method: 'POST',
    candidates: () => [Array.from({ length: 20_000 }, (_, i) => `/ratelimit-do?key=visitor-${i}`)],
    note: 'the least a counted beacon does: both calls above, one after the other',
  },
  {
    key: 'primitive-ratelimit-do-spread',
    title:
      'Primitive: rate-limiter call, then DO increment spread over 1,000 objects (bare worker)',
    phase: 'primitives',
    method: 'POST',
    visitors: true,
    candidates: (d) => [
      Array.from({ length: d.spread }, (_, i) => `/ratelimit-do?object=article-${i}`),
    ],
    prime: true,
    note: 'the same two calls, set up as the spread beacon is: every request a new visitor, each object woken once before measuring',
  },
  {
    key: 'primitive-do',
    title: 'Primitive: one Durable Object increment (bare worker)',
    phase: 'primitives',
    method: 'POST',
    candidates: () => [['/do']],
    note: 'RPC to one SQLite-backed object, UPDATE … RETURNING',
  },
  {
    key: 'primitive-cache',
    title: 'Primitive: one Cache API hit (bare worker)',
    phase: 'primitives',
    method: 'GET',
    candidates: () => [['/cache']],
    note: 'caches.default.match of a 2 KB response',
  },
  {
    key: 'article-json',
    title: 'Article JSON from D1 (GET /api/v1/articles/{id})',
    phase: 'origin',
    method: 'GET',
    candidates: (d) => [d.articleIds.map((id) => `/api/v1/articles/${id}`)],
    note: 'ids cycle over every seeded article; edge cache off, so each request reads D1',
  },
  {
    key: 'article-json-edge-hit',
    title: 'Article JSON, edge-cache hit',
    phase: 'deployed',
    method: 'GET',
    candidates: (d) => [d.articleIds.slice(0, 100).map((id) => `/api/v1/articles/${id}`)],
    verify: async (_res, _body, refetch) => {
      const again = await refetch();
      await again.arrayBuffer();
      return edgeHit(again)
        ? null
        : 'a repeated request was not served from the Cache API (no X-Edge-Cache/CF-Cache-Status HIT): the route has no edge cache';
    },
    note: '100 hot articles, warmed before measuring',
  },
  {
    key: 'article-json-edge-miss',
    title: 'Article JSON, edge-cache miss (match + D1 + put)',
    phase: 'deployed',
    method: 'GET',
    fresh: true,
    // Detail routes refuse stray query parameters, so a miss needs an article not yet asked
    // for: walk the ids from the other end of the list the edge-hit scenario warmed.
    candidates: (d) => [[...d.articleIds].reverse().map((id) => `/api/v1/articles/${id}`)],
    verify: async (res) =>
      res.headers.get('X-Edge-Cache') === 'MISS'
        ? null
        : `the first request for an article was not an edge-cache MISS (X-Edge-Cache: ${res.headers.get('X-Edge-Cache')})`,
    note: 'each article requested once, so each request misses, reads D1 and stores the response',
  },
  {
    key: 'article-page',
    title: 'Article page HTML (GET /articles/{id}/{slug})',
    phase: 'origin',
    method: 'GET',
    candidates: (d) => [d.articleIds.map((id) => d.articlePaths.get(id)!)],
    verify: async (res) =>
      (res.headers.get('Content-Type') ?? '').includes('text/html')
        ? null
        : `answered ${res.headers.get('Content-Type')}, not HTML`,
  },
  {
    key: 'channel-page',
    title: 'Channel list page HTML (GET /channels/{slug})',
    phase: 'origin',
    method: 'GET',
    candidates: (d) => [d.leafChannels.map((slug) => `/channels/${slug}`)],
  },
  {
    key: 'channel-json',
    title: 'Channel list JSON (GET /api/v1/articles?channel={slug})',
    phase: 'origin',
    method: 'GET',
    candidates: (d) => [d.leafChannels.map((slug) => `/api/v1/articles?channel=${slug}`)],
  },
  {
    key: 'feed',
    title: 'Feed (GET /feed.xml)',
    phase: 'origin',
    method: 'GET',
    candidates: () => [['/feed.xml'], ['/feed.json']],
  },
  {
    key: 'search',
    title: 'Search',
    phase: 'origin',
    method: 'GET',
    candidates: (d) => {
      const q = encodeURIComponent(d.searchTerm);
      const listed = d.searchRoutes.map((r) => [`${r.path}?${r.param}=${q}`]);
      return [...listed, [`/api/v1/search?q=${q}`], [`/search?q=${q}`]];
    },
  },
  {
    key: 'embed-js',
    title: 'embed.js (GET /embed.js)',
    phase: 'assets',
    method: 'GET',
    candidates: () => [['/embed.js']],
    note: 'a static file: served by the local assets router and asset worker, not by Gazette (on Cloudflare, by the assets layer)',
  },
  {
    key: 'beacon-hot',
    title: 'View beacon, one article, many visitors (POST /api/v1/articles/{id}/views)',
    phase: 'deployed',
    method: 'POST',
    visitors: true,
    candidates: (d) => [[`/api/v1/articles/${d.articleIds[0]}/views`]],
    verify: beaconCounts,
    countedArticles: (d) => d.articleIds.slice(0, 1),
    note: 'every request a new visitor (distinct User-Agent and client IP), so every view counts',
  },
  {
    key: 'beacon-spread',
    title: 'View beacon spread over 1,000 articles (100 in short mode)',
    phase: 'deployed',
    method: 'POST',
    visitors: true,
    candidates: (d) => [
      d.articleIds.slice(1, 1 + d.spread).map((id) => `/api/v1/articles/${id}/views`),
    ],
    verify: beaconCounts,
    countedArticles: (d) => d.articleIds.slice(1, 1 + d.spread),
    prime: true,
    note: 'every request a new visitor; 1,000 counter objects, each woken once before measuring',
  },
];

async function beaconCounts(_res: Response, body: string): Promise<string | null> {
  try {
    const parsed = JSON.parse(body) as { counted?: unknown; reason?: unknown };
    if (parsed.counted === true) return null;
    return `the beacon answered but did not count the view (reason: ${String(parsed.reason)})`;
  } catch {
    return 'the beacon did not answer JSON';
  }
}
