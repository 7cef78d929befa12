/**
 * `npm run soak`: a bounded soak of the built worker on loopback (issue 18). For SOAK_SECONDS
 * (default 60) four autocannon streams run at once: mixed public reads, searches, view beacons
 * from distinct visitors, and admin writes (create and publish articles). It then checks
 *   - zero 5xx answers in every stream,
 *   - exact view counts: each article's live count equals the beacons the worker answered
 *     `counted: true` for it (read from each beacon's own answer),
 *   - Gazette's memory flat: the V8 heap size plus ArrayBuffer backing stores of Gazette's
 *     isolate (the worker and its Durable Objects), read every second through workerd's
 *     inspector (Runtime.getHeapUsage); the median of the last ten seconds of load may exceed
 *     the median of the last ten seconds of the warm-up (the first WARMUP_SECONDS, default 20 or a third of a shorter run)
 *     by at most 20 %. Heap size, not heap used: used swings by tens of MiB between
 *     collections, and workerd does not answer HeapProfiler.collectGarbage (no reply in 10 s),
 *     so no collection can be forced.
 * Why not workerd's resident set size, as this script judged before: it is not the worker's
 * memory. State is already persisted to a temporary folder (scripts/lib/run-worker.ts), yet
 * the process also runs Miniflare's local stand-ins for the Cache API, D1, R2 and the rate
 * limiter (each an isolate of its own) and their SQLite, and that is where RSS grows under
 * load. Measured on 2026-12-01, all with the edge cache as shipped unless said: 60 s, 28,000
 * requests: RSS 251 -> 666 MiB, all of it anonymous memory (file-backed flat at 69 MiB), while
 * Gazette's heap size went 77 -> 84 MiB; 150 s, 118,000 requests: RSS 254 -> 944 MiB, still
 * rising though slower after 40 s, Gazette's heap size 78 -> 91 MiB, the Cache API simulator's
 * two isolates 18 -> 116 MiB, D1's 22 -> 48 MiB; 60 s with the edge cache off: RSS 312 -> 611
 * MiB, the cache isolates flat, D1's 25 -> 77 MiB. Most of the growth is outside every V8 heap
 * (native: SQLite page caches, workerd's buffers, what the allocator keeps), which this soak
 * cannot split between Gazette's requests and the simulators; it stops the moment the load
 * stops (RSS flat for 20 s after), and STALE_IF_ERROR_SECONDS=0 changed nothing. Gazette's
 * module-level caches are all bounded (src/views/article-cache.ts, counter-client.ts,
 * src/search/normalize.ts, src/lib/time.ts clear at a size; the rest are keyed by a few
 * fixed shapes or are WeakMaps on per-request or per-env objects). RSS is still sampled every
 * second (VmRSS, RssAnon, RssFile from /proc/<pid>/status, summed over the workerd processes
 * Miniflare started) and reported with every isolate's heap and the native remainder.
 * The figures go into BENCHMARKS.md between the soak markers (scripts/bench/report.ts keeps
 * that block when the benchmark rewrites the file). Exits 1 when a check fails.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { format, resolveConfig } from 'prettier';
import { createHash, randomBytes } from 'node:crypto';
import { withSoakBlock } from './bench/report';
import { visitorHeaders, workerdPids } from './bench/load';
import { generateDemoArticles } from './demo-content';
import { seedWorker } from './lib/seed-worker';
import { connectInspector, type IsolateHeap } from './lib/inspector';
import { projectRoot, startWorker } from './lib/run-worker';
import { createServer } from 'node:net';

const seconds = Number(process.env.SOAK_SECONDS ?? 60);
const articleCount = 500;
const beaconArticles = 20;
// A third of a short run (SOAK_SECONDS=20), so the two windows compared do not overlap.
const warmupSeconds = Number(process.env.WARMUP_SECONDS ?? Math.min(20, Math.floor(seconds / 3)));
const heapGrowthLimit = 0.2;
/** Gazette's isolate as workerd's inspector lists it; every other isolate is Miniflare's. */
const gazetteIsolate = 'core:user:gazette';

const log = (msg: string) => process.stdout.write(`[soak] ${msg}\n`);

interface Stream {
  name: string;
  connections: number;
  /** Requests per second across the stream's connections (0: as fast as answered). */
  rate: number;
  /**
   * A fixed number of requests instead of the duration (rate × seconds): every one is answered
   * before the stream ends, so none is in flight, counted by the worker but not by the soak.
   */
  exact?: boolean;
  request: (n: number) => {
    method: 'GET' | 'POST';
    path: string;
    headers?: Record<string, string>;
    body?: string;
  };
  onBody?: (n: number, status: number, body: string) => void;
}

interface StreamResult {
  name: string;
  sent: number;
  ok: number;
  status4xx: number;
  status5xx: number;
  errors: number;
  rps: number;
  p99: number;
}

function runStream(origin: string, s: Stream): Promise<StreamResult> {
  let next = 0;
  let status5xx = 0;
  let status4xx = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: origin,
        connections: s.connections,
        ...(s.exact ? { amount: s.rate * seconds } : { duration: seconds }),
        timeout: 10,
        ...(s.rate ? { overallRate: s.rate } : {}),
        requests: [
          {
            setupRequest: (req, context: object) => {
              const n = next++;
              // Per connection, and one request in flight on each: the answer that follows is n's.
              (context as { n?: number }).n = n;
              const r = s.request(n);
              return {
                ...req,
                method: r.method,
                path: r.path,
                headers: { 'user-agent': 'gazette-soak', ...r.headers },
                body: r.body,
              };
            },
            onResponse: (status: number, body: string, context: object) => {
              s.onBody?.((context as { n: number }).n, status, body);
            },
          },
        ],
      },
      (err, res) =>
        err
          ? reject(err)
          : resolve({
              name: s.name,
              sent: next,
              ok: res['2xx'],
              status4xx,
              status5xx,
              errors: res.errors + res.timeouts,
              rps: res['2xx'] / res.duration,
              p99: res.latency.p99,
            }),
    );
    instance.on('response', (_c: unknown, status: number) => {
      if (status >= 500) status5xx += 1;
      else if (status >= 400) status4xx += 1;
    });
  });
}

interface Rss {
  rss: number;
  anon: number;
  file: number;
}

/** VmRSS and its anonymous and file-backed parts, summed over the given processes, in MiB. */
function rssMiB(pids: number[]): Rss {
  const sum = { rss: 0, anon: 0, file: 0 };
  for (const pid of pids) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) =>
      Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    sum.rss += kib('VmRSS') / 1024;
    sum.anon += kib('RssAnon') / 1024;
    sum.file += kib('RssFile') / 1024;
  }
  return sum;
}

const median = (xs: number[]) => {
  // A sample the inspector did not answer in time is NaN: left out.
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : Number.NaN;
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function main() {
  const started = Date.now();
  log('building and starting the worker (edge cache as wrangler.toml ships it)');
  // SOAK_VARS='{"NAME":"value"}' overrides [vars] (e.g. to compare a setting's memory).
  const inspectorPort = await freePort();
  const worker = await startWorker({
    assets: false,
    inspectorPort,
    vars: JSON.parse(process.env.SOAK_VARS ?? '{}') as Record<string, string>,
  });
  const origin = worker.url.origin;
  try {
    const newest = Date.now() - 3_600_000;
    // Through the worker's own import route, like the bench: the authoring commands, in workerd.
    await seedWorker(worker, generateDemoArticles({ count: articleCount, newest }));
    const d1 = await worker.mf.getD1Database('DB');
    const published = await d1
      .prepare("SELECT id, slug FROM articles WHERE status = 'published' ORDER BY id")
      .all<{ id: number; slug: string }>();
    const articles = published.results.map((r) => ({ id: Number(r.id), slug: String(r.slug) }));
    const channels = (
      await d1.prepare('SELECT slug FROM channels ORDER BY id').all<{ slug: string }>()
    ).results.map((r) => String(r.slug));
    const leaf = (
      await d1
        .prepare(
          'SELECT slug FROM channels c WHERE NOT EXISTS (SELECT 1 FROM channels k WHERE k.parent_id = c.id) LIMIT 1',
        )
        .first<{ slug: string }>()
    )?.slug;
    // Stored as `npm run token -- create` stores one: only the SHA-256 of the token.
    const token = `gz_${randomBytes(32).toString('base64url')}`;
    await d1
      .prepare('INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)')
      .bind('soak', 'editor', createHash('sha256').update(token).digest('hex'), Date.now())
      .run();

    const counted = new Map<number, number>();
    const beaconTargets = articles.slice(0, beaconArticles);
    const readPaths = [
      '/',
      '/api/v1/articles',
      '/api/v1/channels',
      '/feed.xml',
      '/sitemap.xml',
      '/embed',
      ...channels.flatMap((c) => [`/channels/${c}`, `/api/v1/articles?channel=${c}`]),
      ...articles
        .slice(0, 100)
        .flatMap((a) => [
          `/api/v1/articles/${a.id}`,
          `/articles/${a.id}/${a.slug}`,
          `/embed/articles/${a.id}`,
          `/oembed?url=${encodeURIComponent(`${origin}/articles/${a.id}/${a.slug}`)}`,
        ]),
    ];
    const queries = ['政务公开', '通知公告', '经济发展', '城市建设', '民生', '招商引资'];
    const streams: Stream[] = [
      {
        name: 'reads',
        connections: 3,
        rate: 0,
        request: (n) => ({ method: 'GET', path: readPaths[n % readPaths.length]! }),
      },
      {
        name: 'searches',
        connections: 1,
        rate: 20,
        request: (n) => {
          const q = encodeURIComponent(queries[n % queries.length]!);
          return { method: 'GET', path: n % 2 ? `/api/v1/search?q=${q}` : `/search?q=${q}` };
        },
      },
      {
        name: 'beacons',
        connections: 2,
        rate: 10,
        exact: true,
        request: (n) => ({
          method: 'POST',
          path: `/api/v1/articles/${beaconTargets[n % beaconTargets.length]!.id}/views`,
          headers: visitorHeaders(1_000_000 + n),
        }),
        onBody: (n, status, body) => {
          if (status !== 200) return;
          if ((JSON.parse(body) as { counted?: boolean }).counted) {
            const id = beaconTargets[n % beaconTargets.length]!.id;
            counted.set(id, (counted.get(id) ?? 0) + 1);
          }
        },
      },
      {
        name: 'admin writes',
        connections: 1,
        rate: 4,
        request: (n) => ({
          method: 'POST',
          path: '/api/v1/admin/articles',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'cf-connecting-ip': '127.0.0.1',
          },
          body: JSON.stringify({
            title: `浸泡测试稿件 ${n}`,
            body: `<p>第 ${n} 篇，由 soak 写入。</p>`,
            channel: leaf,
            slug: `soak-${started.toString(36)}-${n}`,
            publishedAt: new Date(Date.now() - 60_000).toISOString(),
          }),
        }),
      },
    ];

    const liveCount = async (id: number) => {
      const res = await fetch(`${origin}/api/v1/articles/${id}/views`);
      return ((await res.json()) as { views: number }).views;
    };
    // The demo articles start with view counts of their own.
    const baseline = new Map<number, number>();
    for (const a of beaconTargets) baseline.set(a.id, await liveCount(a.id));

    const pids = workerdPids();
    const inspector = await connectInspector(inspectorPort);
    /** Every isolate's heap and workerd's RSS, at one moment. */
    const snapshot = async () => ({ heaps: await inspector.heaps(), rss: rssMiB(pids) });
    const samples: Rss[] = [];
    const heapSamples: IsolateHeap[] = [];
    const sample = async () => {
      samples.push(rssMiB(pids));
      const [gazette] = await inspector.heaps(gazetteIsolate);
      heapSamples.push(gazette!);
    };
    const start = await snapshot();
    const sampler = setInterval(() => void sample(), 1000);
    log(`running ${streams.length} streams for ${seconds} s against ${origin}`);
    const streamsDone = Promise.all(streams.map((s) => runStream(origin, s)));
    const warm = new Promise<Awaited<ReturnType<typeof snapshot>>>((resolve, reject) =>
      setTimeout(() => snapshot().then(resolve, reject), warmupSeconds * 1000),
    );
    const results = await streamsDone;
    clearInterval(sampler);
    const warmHeaps = await warm;
    const endHeaps = await snapshot();
    inspector.close();

    // Live counts straight from the counters (the D1 copy follows within VIEW_FLUSH_SECONDS).
    const mismatches: string[] = [];
    let expectedViews = 0;
    let liveViews = 0;
    for (const a of beaconTargets) {
      const live = (await liveCount(a.id)) - baseline.get(a.id)!;
      const expected = counted.get(a.id) ?? 0;
      expectedViews += expected;
      liveViews += live;
      if (live !== expected) mismatches.push(`${a.id}: live ${live}, counted ${expected}`);
    }

    // Heap size (what V8 keeps for the isolate) rather than heap used: used swings by tens of
    // MiB between collections, and workerd cannot be made to collect on demand. Live data that
    // only grows pushes the size up with it; the lowest "used" in a window is shown beside it.
    const warmWindow = heapSamples.slice(Math.max(0, warmupSeconds - 10), warmupSeconds);
    const lastWindow = heapSamples.slice(-10);
    const owned = (h: IsolateHeap) => h.totalMiB + h.backingMiB;
    const heapWarm = median(warmWindow.map(owned));
    const heapEnd = median(lastWindow.map(owned));
    const usedFloor = (w: IsolateHeap[]) => Math.min(...w.map((h) => h.usedMiB));
    const growth = (heapEnd - heapWarm) / heapWarm;
    const rss = samples.map((r) => r.rss);
    const total5xx = results.reduce((s, r) => s + r.status5xx, 0);
    const checks = [
      { what: 'zero 5xx', pass: total5xx === 0, measured: String(total5xx) },
      {
        what: 'exact view counts (live count = beacons answered counted: true)',
        pass: mismatches.length === 0 && expectedViews > 0,
        measured: `${liveViews.toLocaleString('en-US')} live / ${expectedViews.toLocaleString('en-US')} counted over ${beaconTargets.length} articles`,
      },
      {
        what: `Gazette's isolate memory flat (V8 heap size + ArrayBuffer backing stores, median of the last 10 s ≤ ${100 + heapGrowthLimit * 100} % of the last 10 s of the ${warmupSeconds} s warm-up)`,
        pass: Number.isFinite(growth) && growth <= heapGrowthLimit,
        measured: `${heapWarm.toFixed(1)} → ${heapEnd.toFixed(1)} MiB (${(growth * 100).toFixed(1)} %); lowest heap used in those windows ${usedFloor(warmWindow).toFixed(1)} → ${usedFloor(lastWindow).toFixed(1)} MiB`,
      },
    ];

    const table = [
      '| stream | connections | target rate | sent | 2xx | 4xx | 5xx | errors | 2xx/s | p99 ms |',
      '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
      ...results.map((r, i) => {
        const s = streams[i]!;
        return `| ${r.name} | ${s.connections} | ${s.rate ? `${s.rate}/s` : 'open'} | ${r.sent} | ${r.ok} | ${r.status4xx} | ${r.status5xx} | ${r.errors} | ${r.rps.toFixed(1)} | ${r.p99} |`;
      }),
    ];
    const mib = (x: number) => x.toFixed(1);
    /** RSS's anonymous part that no isolate's heap or backing stores account for. */
    const outside = (at: { heaps: IsolateHeap[]; rss: Rss }) =>
      at.rss.anon - at.heaps.reduce((sum, h) => sum + (owned(h) || 0), 0);
    const memoryRows = [
      '| memory (MiB) | start of load | end of warm-up | end of load | peak |',
      '| --- | --: | --: | --: | --: |',
      `| workerd RSS (anonymous + file) | ${mib(start.rss.rss)} (${mib(start.rss.anon)} + ${mib(start.rss.file)}) | ${mib(warmHeaps.rss.rss)} (${mib(warmHeaps.rss.anon)} + ${mib(warmHeaps.rss.file)}) | ${mib(endHeaps.rss.rss)} (${mib(endHeaps.rss.anon)} + ${mib(endHeaps.rss.file)}) | ${mib(Math.max(...rss))} |`,
      ...endHeaps.heaps
        .map((end) => ({
          end,
          first: start.heaps.find((h) => h.name === end.name),
          warm: warmHeaps.heaps.find((h) => h.name === end.name),
        }))
        .filter(({ end }) => owned(end) >= 4)
        .map(({ end, first, warm }) => {
          const cell = (h?: IsolateHeap) => (h ? `${mib(h.totalMiB)} + ${mib(h.backingMiB)}` : '');
          return `| ${end.name === gazetteIsolate ? "Gazette's isolate" : `Miniflare's \`${end.name}\` isolate`}, V8 heap size + backing stores | ${cell(first)} | ${cell(warm)} | ${cell(end)} | |`;
        }),
      `| workerd anonymous memory outside every isolate's heap and backing stores (native: SQLite, workerd, allocator) | ${mib(outside(start))} | ${mib(outside(warmHeaps))} | ${mib(outside(endHeaps))} | |`,
    ];
    const block = [
      '## Soak',
      '',
      `\`npm run soak\` (scripts/soak.ts), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${seconds} s of four autocannon streams at once against the built worker (Miniflare, direct socket on loopback, ${articleCount} demo articles, edge cache as shipped). Beacons come from a new visitor each (distinct User-Agent and address), a fixed number of them (rate × duration) so that every one is answered before the counts are compared; admin writes create published articles through the admin API. Memory: the check is on Gazette's own isolate (the worker and its Durable Objects), whose V8 heap and ArrayBuffer backing stores are read every second through workerd's inspector (\`Runtime.getHeapUsage\`); their size at the end of the load is compared with the size at the end of a ${warmupSeconds} s warm-up (workerd does not answer \`HeapProfiler.collectGarbage\`, so no collection is forced). workerd's resident set size (VmRSS, RssAnon, RssFile from \`/proc/<pid>/status\`, summed over the workerd processes Miniflare started, sampled every second: ${samples.length} samples) is reported but not judged: the same process runs Miniflare's local Cache API, D1, R2 and rate-limiter simulators, which do not exist on Cloudflare (their isolates are listed below), and most of its growth is native memory outside every isolate's heap (SQLite page caches, workerd's buffers, what the allocator keeps), which this soak cannot split between Gazette and the simulators; it stops growing when the load stops. See scripts/soak.ts for the measurements behind this choice.`,
      '',
      ...table,
      '',
      '| check | measured | result |',
      '| --- | --- | --- |',
      ...checks.map((c) => `| ${c.what} | ${c.measured} | ${c.pass ? 'pass' : '**fail**'} |`),
      '',
      ...memoryRows,
      '',
      `workerd RSS samples (MiB, one per second from the start of load): ${rss.map((s) => s.toFixed(0)).join(' ')}`,
    ].join('\n');

    const file = join(projectRoot, 'BENCHMARKS.md');
    const previous = readFileSync(file, 'utf8');
    const markdown = withSoakBlock(previous, previous, block);
    writeFileSync(file, await format(markdown, { ...(await resolveConfig(file)), filepath: file }));
    process.stdout.write(`${table.join('\n')}\n`);
    for (const c of checks) log(`${c.pass ? 'pass' : 'FAIL'}: ${c.what}: ${c.measured}`);
    if (mismatches.length) log(`count mismatches: ${mismatches.slice(0, 10).join('; ')}`);
    log(
      `wrote the soak block into BENCHMARKS.md (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
    if (checks.some((c) => !c.pass)) process.exitCode = 1;
  } finally {
    await worker.dispose();
  }
}

await main();
