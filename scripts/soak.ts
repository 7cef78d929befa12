/**
 * `npm run soak`: a bounded soak of the built worker on loopback (issue 18). SOAK_ROUNDS (2)
 * rounds of SOAK_SECONDS (60) each of four autocannon streams at once: mixed public reads,
 * searches, view beacons from distinct visitors, and admin writes (create and publish
 * articles), then IDLE_SECONDS (10) without load. Then the same rounds again against a control
 * worker (scripts/lib/soak-control-worker.ts: no Gazette code, run as both workers, the same
 * kinds of calls on the same bindings and seeded state), each round's reads at the rate
 * Gazette answered them.
 * Checks (scripts/lib/soak-report.ts):
 *   - zero 5xx answers in every stream,
 *   - exact view counts: each article's live count equals the beacons the worker answered
 *     `counted: true` for it (read from each beacon's own answer),
 *   - Gazette's heap flat: heap used right after a forced full collection in the readers'
 *     worker's isolate (the worker and its view counters), which takes all public load, at the
 *     end of each round and after the idle time, against the end of the warm-up
 *     (WARMUP_SECONDS, 20); the admin worker's isolate (the writes reach it over the ADMIN
 *     service binding) is collected and reported beside it,
 *   - workerd's RSS growth over the load against the control worker's.
 * Why the control: workerd's resident set also holds Miniflare's local stand-ins for the Cache
 * API, D1, Durable Object storage and the rate limiter (isolates of their own, and their SQLite
 * in native memory), which do not exist in a Worker's memory on Cloudflare; measured before this
 * control existed, RSS went 221 -> 592 MiB in 60 s while Gazette's heap size moved 5.7 %. The
 * control says how much of that growth the simulators and workerd do on their own.
 * Collections: workerd runs HeapProfiler.collectGarbage as a task of the isolate, and runs those
 * only while the isolate handles an event, so the soak sends a few cheap requests until each
 * isolate has answered (scripts/lib/inspector.ts). RSS is VmRSS, RssAnon and RssFile from
 * /proc/<pid>/status, summed over the workerd processes Miniflare started, once a second.
 * The figures go into BENCHMARKS.md between the soak markers (scripts/bench/report.ts keeps
 * that block when the benchmark rewrites the file); the run itself is kept as JSON in the
 * temporary folder (gazette-soak-last.json). Exits 1 when a check fails.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import autocannon from 'autocannon';
import { format, resolveConfig } from 'prettier';
import { createHash, randomBytes } from 'node:crypto';
import { visitorHeaders, workerdPids } from './bench/load';
import { generateDemoArticles } from './demo-content';
import { seedWorker } from './lib/seed-worker';
import { connectInspector } from './lib/inspector';
import {
  adminIsolate,
  judge,
  renderSoakBlock,
  withSoakBlock,
  workerIsolate,
  type Checkpoint,
  type Phase,
  type Rss,
  type SoakRun,
  type StreamResult,
} from './lib/soak-report';
import { adminBuildDir, projectRoot, removeBuild, startWorker } from './lib/run-worker';
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
  /** Exactly this many requests, at `rate` (the control replays Gazette's counts). */
  amount?: number;
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
        ...(s.amount !== undefined
          ? { amount: s.amount }
          : s.exact
            ? { amount: s.rate * seconds }
            : { duration: seconds }),
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

/**
 * The isolates the soak's requests reach, so a forced collection there gets to run. Miniflare
 * gives each worker a Cache API service, numbered in worker order: the reader's is cache:0; the
 * admin worker's (cache:1) is never called (it purges through the reader's CachePurge), so it
 * could never answer.
 */
const collected = (name: string) =>
  name === workerIsolate ||
  name === adminIsolate ||
  /^(cache:0$|cache:cache$|d1:|ratelimit:)/.test(name);

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
    const rssBefore = rssMiB(pids);
    const unanswered = await inspector.collectGarbage(poke, collected);
    return {
      label,
      rssBefore,
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

/**
 * Bundles the control worker (scripts/lib/soak-control-worker.ts) into a folder of its own and
 * puts the same bundle where run-worker looks for the admin worker's, so that restart() runs it
 * as both workers, each under Gazette's bindings for it.
 */
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
  mkdirSync(adminBuildDir(dir));
  copyFileSync(join(dir, 'index.js'), join(adminBuildDir(dir), 'index.js'));
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
    /** The four streams. */
    const streams = (onBeacon?: Stream['onBody']): Stream[] => [
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
    // counter object), an API read (Cache API), and an admin read that crosses the service
    // binding into the admin worker's isolate.
    let pokes = 0;
    const pokeTarget = articles[beaconArticles]!.id;
    const poke = () => {
      const n = pokes++;
      return Promise.all(
        [
          fetch(`${origin}/api/v1/search?q=${encodeURIComponent(`政务公开${n}`)}`),
          fetch(`${origin}/api/v1/channels`),
          fetch(`${origin}/api/v1/admin/articles?limit=1`, {
            headers: { authorization: `Bearer ${token}`, 'cf-connecting-ip': '127.0.0.1' },
          }),
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
      `Gazette: ${roundCount} × ${seconds} s of ${streams().length} streams, then ${idleSeconds} s idle, against ${origin}`,
    );
    const gazette = await runPhase(
      origin,
      inspectorPort,
      () =>
        streams((n, status, body) => {
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

    // The control: the same bindings, state and streams, each stream of each round sending
    // as many requests as Gazette's did, spread over the round as Gazette's were.
    await worker.restart(vars, { assets: false, buildDir: controlDir });
    log(`control worker: the same ${roundCount} rounds on a fresh workerd`);
    const control = await runPhase(
      origin,
      inspectorPort,
      (round) =>
        streams().map((s, i) => {
          const sent = gazette.rounds[round - 1]![i]!.sent;
          return { ...s, amount: sent, rate: Math.max(1, Math.round(sent / seconds)) };
        }),
      poke,
    );

    const settings = ['SOAK_SECONDS', 'SOAK_ROUNDS', 'IDLE_SECONDS', 'WARMUP_SECONDS', 'SOAK_VARS']
      .filter((name) => process.env[name] !== undefined)
      .map((name) => `${name}=${process.env[name]}`);
    const run: SoakRun = {
      command: [...settings, 'npm run soak'].join(' '),
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
    removeBuild(controlDir);
  }
}

await main();
