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
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import autocannon from 'autocannon';
import { format, resolveConfig } from 'prettier';
import { createHash, randomBytes } from 'node:crypto';
import { withSoakBlock } from './bench/report';
import { visitorHeaders, workerdPids } from './bench/load';
import { generateDemoArticles } from './demo-content';
import { seedWorker } from './lib/seed-worker';
import { connectInspector } from './lib/inspector';
import {
  judge,
  renderSoakBlock,
  workerIsolate,
  type Checkpoint,
  type Phase,
  type Rss,
  type SoakRun,
  type StreamResult,
} from './lib/soak-report';
import { projectRoot, startWorker } from './lib/run-worker';
import { createServer } from 'node:net';

const seconds = Number(process.env.SOAK_SECONDS ?? 60);
const articleCount = 500;
const beaconArticles = 20;
const roundCount = Math.max(1, Number(process.env.SOAK_ROUNDS ?? 2));
const idleSeconds = Number(process.env.IDLE_SECONDS ?? 10);
// A third of a short round (SOAK_SECONDS=20).
const warmupSeconds = Number(process.env.WARMUP_SECONDS ?? Math.min(20, Math.floor(seconds / 3)));

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

/** `first`: the number of the stream's first request (rounds go on numbering: new visitors). */
function runStream(origin: string, s: Stream, first = 0): Promise<StreamResult> {
  let next = first;
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
              connections: s.connections,
              rate: s.rate,
              sent: next - first,
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The isolates the soak's requests reach, so a forced collection there gets to run. */
const collected = (name: string) => name === workerIsolate || /^(cache|d1|ratelimit):/.test(name);

/**
 * SOAK_ROUNDS rounds of the streams back to back, then IDLE_SECONDS without load. A forced
 * collection in every isolate the load reaches opens the load, ends the warm-up and each
 * round, and closes the idle time; RSS is read once a second throughout.
 */
async function runPhase(
  origin: string,
  inspectorPort: number,
  streams: (round: number) => Stream[],
  poke: () => Promise<unknown>,
): Promise<Phase> {
  const pids = workerdPids();
  const inspector = await connectInspector(inspectorPort);
  const began = Date.now();
  const checkpoint = async (label: string): Promise<Checkpoint> => {
    const unanswered = await inspector.collectGarbage(poke, collected);
    return {
      label,
      at: Math.round((Date.now() - began) / 1000),
      heaps: await inspector.heaps(),
      rss: rssMiB(pids),
      unanswered,
    };
  };
  const checkpoints = [await checkpoint('start of load')];
  const samples: Rss[] = [];
  const sampler = setInterval(() => samples.push(rssMiB(pids)), 1000);
  const rounds: StreamResult[][] = [];
  const offsets = new Map<string, number>();
  try {
    for (let round = 1; round <= roundCount; round++) {
      const these = streams(round);
      const done = Promise.all(these.map((s) => runStream(origin, s, offsets.get(s.name) ?? 0)));
      if (round === 1) {
        await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
        checkpoints.push(await checkpoint(`end of the ${warmupSeconds} s warm-up`));
      }
      const results = await done;
      for (const r of results) offsets.set(r.name, (offsets.get(r.name) ?? 0) + r.sent);
      rounds.push(results);
      checkpoints.push(await checkpoint(`end of round ${round}`));
    }
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    checkpoints.push(await checkpoint(`after ${idleSeconds} s without load`));
  } finally {
    clearInterval(sampler);
    inspector.close();
  }
  return { rounds, samples, checkpoints };
}

/** Bundles the control worker (scripts/lib/soak-control-worker.ts) into a folder of its own. */
async function buildControl(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gazette-soak-control-'));
  await build({
    entryPoints: [join(projectRoot, 'scripts/lib/soak-control-worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    external: ['cloudflare:*'],
    outfile: join(dir, 'index.js'),
    logLevel: 'warning',
  });
  return dir;
}

async function main() {
  const started = Date.now();
  log('building and starting the worker (edge cache as wrangler.toml ships it)');
  // SOAK_VARS='{"NAME":"value"}' overrides [vars] (e.g. to compare a setting's memory).
  const vars = JSON.parse(process.env.SOAK_VARS ?? '{}') as Record<string, string>;
  const inspectorPort = await freePort();
  const worker = await startWorker({ assets: false, inspectorPort, vars });
  const origin = worker.url.origin;
  const controlDir = await buildControl();
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
    /** The four streams; `readRate` 0 reads as fast as answered (Gazette), else at that rate. */
    const streams = (readRate: number, onBeacon?: Stream['onBody']): Stream[] => [
      {
        name: 'reads',
        connections: 3,
        rate: readRate,
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
        onBody: onBeacon,
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
    // Requests that make an idle workerd run a collection: a search (D1) and a beacon for an
    // article the count check does not look at, each time from a new visitor (rate limiter,
    // counter object), and an API read (Cache API).
    let pokes = 0;
    const pokeTarget = articles[beaconArticles]!.id;
    const poke = () => {
      const n = pokes++;
      return Promise.all(
        [
          fetch(`${origin}/api/v1/search?q=${encodeURIComponent(`政务公开${n}`)}`),
          fetch(`${origin}/api/v1/channels`),
          fetch(`${origin}/api/v1/articles/${pokeTarget}/views`, {
            method: 'POST',
            headers: visitorHeaders(9_000_000 + n),
          }),
        ].map((p) => p.then((r) => r.arrayBuffer())),
      );
    };

    const liveCount = async (id: number) => {
      const res = await fetch(`${origin}/api/v1/articles/${id}/views`);
      return ((await res.json()) as { views: number }).views;
    };
    // The demo articles start with view counts of their own.
    const baseline = new Map<number, number>();
    for (const a of beaconTargets) baseline.set(a.id, await liveCount(a.id));

    // A fresh workerd for the load, as the control gets one: the seed's memory is not in it.
    await worker.restart(vars, { assets: false });
    log(
      `Gazette: ${roundCount} × ${seconds} s of ${streams(0).length} streams, then ${idleSeconds} s idle, against ${origin}`,
    );
    const gazette = await runPhase(
      origin,
      inspectorPort,
      () =>
        streams(0, (n, status, body) => {
          if (status !== 200) return;
          if ((JSON.parse(body) as { counted?: boolean }).counted) {
            const id = beaconTargets[n % beaconTargets.length]!.id;
            counted.set(id, (counted.get(id) ?? 0) + 1);
          }
        }),
      poke,
    );

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

    // The control: the same bindings, state and streams, each round's reads at the rate
    // Gazette answered them in that round, so both runs see the same number of requests.
    await worker.restart(vars, { assets: false, buildDir: controlDir });
    log(`control worker: the same ${roundCount} rounds on a fresh workerd`);
    const control = await runPhase(
      origin,
      inspectorPort,
      (round) => streams(Math.max(1, Math.round(gazette.rounds[round - 1]![0]!.rps))),
      poke,
    );

    const run: SoakRun = {
      date: new Date().toISOString().slice(0, 16).replace('T', ' '),
      seconds,
      warmupSeconds,
      idleSeconds,
      articleCount,
      gazette,
      control,
      beaconArticles,
      expectedViews,
      liveViews,
      mismatches: mismatches.length,
    };
    const checks = judge(run);
    const block = renderSoakBlock(run, checks);
    const file = join(projectRoot, 'BENCHMARKS.md');
    const previous = readFileSync(file, 'utf8');
    const markdown = withSoakBlock(previous, previous, block);
    writeFileSync(file, await format(markdown, { ...(await resolveConfig(file)), filepath: file }));
    writeFileSync(join(tmpdir(), 'gazette-soak-last.json'), JSON.stringify(run));
    process.stdout.write(`${block}\n`);
    for (const c of checks) log(`${c.pass ? 'pass' : 'FAIL'}: ${c.what}: ${c.measured}`);
    if (mismatches.length) log(`count mismatches: ${mismatches.slice(0, 10).join('; ')}`);
    log(
      `wrote the soak block into BENCHMARKS.md (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
    if (checks.some((c) => !c.pass)) process.exitCode = 1;
  } finally {
    await worker.dispose();
    rmSync(controlDir, { recursive: true, force: true });
  }
}

await main();
