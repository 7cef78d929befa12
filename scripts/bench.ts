/**
 * `npm run bench`: Gazette's routes against their platform floors (issue 20) -> BENCHMARKS.md.
 *
 *   npm run bench                  full run: 10,000 articles, 5 rounds of 5 s per side per budget
 *   npm run bench -- --check       the same, and exit 1 when a budget is missed
 *   npm run bench -- --short       smoke run for CI (under two minutes; never judges budgets)
 *   options: --rounds N --duration S --warmup S --connections N --articles N --skip-startup
 *            --only key,key (a partial run: its report goes to .bench/, never to BENCHMARKS.md)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { demoChannels, generateDemoArticles } from './demo-content';
import { seedWorker } from './lib/seed-worker';
import {
  buildWorker,
  projectRoot,
  removeBuild,
  startWorker,
  type RunningWorker,
} from './lib/run-worker';
import type { Pair, ViewCostInputs } from './bench/budgets';
import { counterRows, d1RowsPerFlush, lastWrite, readCounterBooks } from './bench/counters';
import type { CounterBooks } from './bench/counters';
import { benchHeaders, LoadClient, visitorHeaders, workerdPids, type Round } from './bench/load';
import { primitiveChannels, startPrimitives } from './bench/primitives';
import {
  evaluate,
  renderChart,
  renderMarkdown,
  renderSummary,
  type BenchReport,
  type Flood,
} from './bench/report';
import { bundleGzip, embedGzip, measureStartup } from './bench/startup';
import { withSoakBlock } from './lib/soak-report';

const string = { type: 'string' } as const;
const flag = { type: 'boolean', default: false } as const;
const { values: args } = parseArgs({
  options: {
    ...{ short: flag, check: flag, 'skip-startup': flag, rounds: string, duration: string },
    ...{ warmup: string, connections: string, articles: string, only: string },
  },
});
const short = args.short;
const config = {
  articles: Number(args.articles ?? (short ? 500 : 10_000)),
  rounds: Number(args.rounds ?? (short ? 1 : 5)),
  durationSec: Number(args.duration ?? (short ? 1 : 5)),
  warmupSec: Number(args.warmup ?? (short ? 0.5 : 3)),
  connections: Number(args.connections ?? 32),
};
const spread = short ? 100 : 1_000;
const only = args.only ? new Set(args.only.split(',')) : null;
/** Short and partial runs report under .bench/; only a full run writes BENCHMARKS.md. */
const reportFiles = (r: { short: boolean; only?: string[] | null }) => {
  const kind = r.short ? 'short' : r.only ? 'partial' : '';
  return {
    json: join(projectRoot, '.bench', kind ? `report.${kind}.json` : 'report.json'),
    md: join(projectRoot, kind ? join('.bench', `BENCHMARKS.${kind}.md`) : 'BENCHMARKS.md'),
  };
};
// An object is full at this many hits a second, below what this machine sends one article: the
// hot beacon must spread by itself. A short run stops at 4 shards and flushes every 5 s.
const splitAt = short ? 2 : 100;
const viewVars = {
  VIEW_SPLIT_HITS_PER_SECOND: String(splitAt),
  VIEW_MAX_SHARDS: short ? '4' : '16',
  VIEW_FLUSH_SECONDS: short
    ? '5'
    : (/^VIEW_FLUSH_SECONDS = "(\d+)"/m.exec(
        readFileSync(join(projectRoot, 'wrangler.toml'), 'utf8'),
      )?.[1] ?? '60'),
};
let tallySends = 0;
const began = Date.now();
const since = () => ((Date.now() - began) / 1000).toFixed(0).padStart(4);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[bench ${since()} s] ${msg}\n`);

/** One side of a budget: where the load goes and how to tell the route does what it claims. */
interface Side {
  origin: string;
  pids: () => number[];
  method: 'GET' | 'POST';
  paths: string[];
  visitors?: boolean;
  /** Request every path once first (counter objects woken, as in production). */
  prime?: boolean;
  /** Why the answer does not show the route doing what it claims, or null. */
  check?: (res: Response, body: string) => string | null;
}

let visitorRange = 0;
const nextVisitors = () => ++visitorRange * 10_000_000;
const request = (side: Side, path: string, visitor: number) =>
  fetch(new URL(path, side.origin), {
    method: side.method,
    redirect: 'manual',
    headers: side.visitors ? visitorHeaders(visitor) : benchHeaders,
  });

/** Why the side's first path does not answer 2xx and pass the check the second time, or null. */
async function verify(side: Side): Promise<string | null> {
  // The second answer is judged: the first one fills the edge cache.
  await (await request(side, side.paths[0]!, nextVisitors())).arrayBuffer();
  const res = await request(side, side.paths[0]!, nextVisitors());
  const [body, ok] = [await res.text(), res.status >= 200 && res.status <= 299];
  return ok
    ? (side.check?.(res, body) ?? null)
    : `${side.method} ${side.paths[0]} answered ${res.status}`;
}

async function each(n: number, send: (i: number) => Promise<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < n) await send(next++);
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** Beacons answered per side, for the cost table (priming, warm-up and rounds alike). */
const answered = new Map<Side, number>();
const count = (side: Side, n: number) => answered.set(side, (answered.get(side) ?? 0) + n);
/** Each side's first round's visitors (numbers from base, `sent` of them), to send again. */
const firstVisitors = new Map<Side, First>();

/**
 * The hot article once flushed: its layout, its count in the objects, live and in D1; then floods
 * that must not count (bots; the run's first visitors again, from before the split), with the
 * objects' rows that differ after and the tally sends logged.
 */
type Kind = [number, (i: number) => HeadersInit];
type First = { base: number; sent: number };
type Hot = { shards: number; d1: number; base: number };
async function hotArticle(gazette: RunningWorker, id: number, first: First) {
  const visitorOf = (i: number) => visitorHeaders(first.base + (i % first.sent));
  const url = new URL(`/api/v1/articles/${id}/views`, gazette.url);
  const post = async (n: number, headers: (i: number) => HeadersInit) => {
    let counted = 0;
    await each(n, async (i) => {
      const res = await fetch(url, { method: 'POST', headers: headers(i) });
      if (((await res.json()) as { counted?: boolean }).counted) counted += 1;
    });
    return counted;
  };
  // Every hit so far has landed in the objects' files once a fresh visitor's row shows there.
  const settle = async () => {
    const t = Date.now();
    await post(1, () => visitorHeaders(nextVisitors()));
    for (let i = 0; i < 45 && lastWrite(gazette.stateDir, id) < t; i++) await sleep(2_000);
  };
  const db = await gazette.mf.getD1Database('DB');
  // Views counted in this run: without the count the demo article carried over (view_base).
  const sql = 'SELECT view_layout AS shards, view_count - view_base AS d1, view_base AS base';
  const row = (await db.prepare(`${sql} FROM articles WHERE id = ?`).bind(id).first<Hot>())!;
  const live = ((await (await fetch(url)).json()) as { views: number }).views;
  const { objects, views } = readCounterBooks(gazette.stateDir).get(id)!;
  await post(first.sent, visitorOf); // so that the final layout's shards take their buckets over
  const floods: Flood[] = [];
  const n = short ? 500 : 2_000;
  const kinds = { bot: [n, () => benchHeaders], duplicate: [n, visitorOf] };
  const copied = () => readCounterBooks(gazette.stateDir).get(id)!.copiedRows;
  for (const [kind, [hits, headers]] of Object.entries(kinds) as [Flood['kind'], Kind][]) {
    await settle();
    const [before, sends, copiedBefore] = [counterRows(gazette.stateDir, id), tallySends, copied()];
    const counted = await post(hits, headers);
    await settle();
    // Less the second fresh visitor's own row and a split's one-off copy: a duplicate flood at
    // full speed can raise the layout itself (2 → 4 shards, 4,172 rows copied, 2026-12-02).
    const copiedRows = copied() - copiedBefore;
    const rowsWritten =
      [...counterRows(gazette.stateDir, id)].filter((r) => !before.has(r)).length - 1 - copiedRows;
    floods.push({ kind, hits, counted, rowsWritten, copiedRows, tallySends: tallySends - sends });
  }
  const hot = { shards: row.shards, splitAt, objects, views, d1: row.d1, live: live - row.base };
  return { hot, floods };
}

/** Warm-up on each side, then route, floor(s), route, floor(s)… */
async function runPair(client: LoadClient, key: string, route: Side, floor: Side, dedupe?: Side) {
  const floors = dedupe ? [floor, dedupe] : [floor];
  for (const side of [route, ...floors]) {
    const failed = await verify(side);
    if (failed) return (log(`${key}: ${failed}`), { failed });
    const [base, primed] = [nextVisitors(), side.prime ? side.paths : []];
    await each(primed.length, async (i) => void (await request(side, primed[i]!, base + i)).text());
    count(side, primed.length);
  }
  const offsets = new Map([route, ...floors].map((side) => [side, 1]));
  const go = async (side: Side, durationSec: number): Promise<Round> => {
    // The spec crosses to the client as JSON, which leaves the side's functions behind.
    const spec = { ...side, visitors: !!side.visitors, visitorBase: nextVisitors() };
    const load = { ...spec, offset: offsets.get(side)!, connections: config.connections };
    const r = await client.run({ ...load, durationSec }, side.pids());
    offsets.set(side, offsets.get(side)! + r.sent);
    count(side, r.ok + r.failed);
    if (!firstVisitors.has(side)) firstVisitors.set(side, { base: spec.visitorBase, sent: r.sent });
    return r;
  };
  for (const side of [route, ...floors]) await go(side, config.warmupSec);
  const pair: Pair = { key, route: [], floor: [], ...(dedupe ? { dedupe: [] } : {}) };
  for (let i = 0; i < config.rounds; i++) {
    const [r, f] = [await go(route, config.durationSec), await go(floor, config.durationSec)];
    const d = dedupe && (await go(dedupe, config.durationSec));
    pair.route.push(r);
    pair.floor.push(f);
    if (d) pair.dedupe!.push(d);
    const side = (x: Round) => `${x.rps.toFixed(0)} req/s (${x.cpuUs.toFixed(0)} µs)`;
    log(
      `${key} round ${i + 1}/${config.rounds}: route ${side(r)}, floor ${side(f)}, CPU ratio ${(f.cpuUs / r.cpuUs).toFixed(3)}, ` +
        `req/s ratio ${(r.rps / f.rps).toFixed(3)}${r.failed + f.failed ? `, failed ${r.failed} / ${f.failed}` : ''}` +
        (d ? `; dedupe floor ${side(d)}, CPU ratio ${(d.cpuUs / r.cpuUs).toFixed(3)}` : ''),
    );
  }
  return pair;
}

/** The search scenarios (issue 16): a two-character query, a four-character one, three terms. */
const searchQueries = {
  'search-short': '盘锦',
  'search-word': '全面振兴',
  'search-terms': '2024年 盘锦 振兴',
};
/** A fixed scattered order (7919 is prime to the table sizes), so reads do not walk the table. */
const scattered = (n: number, i: number) => ((i * 7919) % n) + 1;
const counted = (_res: Response, body: string) =>
  (JSON.parse(body) as { counted?: boolean }).counted ? null : `the beacon did not count: ${body}`;

function sides(
  gazette: RunningWorker,
  floor: { origin: string; pids: number[] },
  ids: number[],
  slugs: Map<number, string>,
) {
  const gazettePids = () => workerdPids().filter((p) => !floor.pids.includes(p));
  const side =
    (origin: string, pids: () => number[], method: Side['method']) =>
    (paths: string[], more: Partial<Side> = {}): Side => ({
      ...{ origin, pids, method, paths, visitors: method === 'POST' },
      ...more,
    });
  const gazetteSide = (method: Side['method']) => side(gazette.url.origin, gazettePids, method);
  const floorSide = (method: Side['method']) => side(floor.origin, () => floor.pids, method);
  const [get, post] = [gazetteSide('GET'), gazetteSide('POST')];
  const [floorGet, floorPost] = [floorSide('GET'), floorSide('POST')];
  const paths = (n: number, path: (i: number) => string) =>
    Array.from({ length: n }, (_, i) => path(i));
  const leaves = demoChannels.filter((c) => !demoChannels.some((d) => d.parentSlug === c.slug));
  const n = config.articles;
  const oneRow = floorGet(paths(n, (i) => `/d1-session?id=${scattered(n, i)}`));
  const twentyRows = floorGet(paths(primitiveChannels, (i) => `/d1-list-session?channel=${i}`));
  const articleJson = get(ids.map((id) => `/api/v1/articles/${id}`));
  const [pages, lists] = [
    ids.map((id) => `/articles/${id}/${slugs.get(id)}`),
    leaves.map((c) => `/api/v1/articles?channel=${c.slug}`),
  ];
  const beacons = (articles: number[]) => articles.map((id) => `/api/v1/articles/${id}/views`);
  const objects = (names: string[], more = '') =>
    names.map((o) => `/ratelimit-do?object=${o}${more}`);
  const spreadNames = paths(spread, (i) => `article-${i}`);
  // The second beacon floor deduplicates privately, on objects of its own (issue 20's does not).
  const dedupe = (names: string[]) =>
    floorPost(
      objects(
        names.map((n) => `dedupe-${n}`),
        '&dedupe',
      ),
      { prime: names.length > 1 },
    );
  const isHtml = (res: Response) =>
    res.headers.get('Content-Type')?.includes('html') ? null : 'not HTML';
  const twenty = (_res: Response, body: string) =>
    (JSON.parse(body) as { data: unknown[] }).data.length === 20 ? null : 'not 20 items';
  const hit = (res: Response) => (res.headers.get('X-Edge-Cache') === 'HIT' ? null : 'no HIT');
  const search = Object.entries(searchQueries).map(([key, q]) => [
    key,
    [get([`/api/v1/search?q=${encodeURIComponent(q)}`]), articleJson],
  ]);
  const origin: Record<string, [Side, Side, Side?]> = {
    'article-json': [articleJson, oneRow],
    'article-page': [get(pages, { check: isHtml }), oneRow],
    'channel-json': [get(lists, { check: twenty }), twentyRows],
    rss: [get(['/feed.xml']), twentyRows],
    ...Object.fromEntries(search),
  };
  const deployed: Record<string, [Side, Side, Side?]> = {
    'edge-hit': [get(articleJson.paths.slice(0, 100), { check: hit }), floorGet(['/cache'])],
    'beacon-hot': [
      post(beacons(ids.slice(0, 1)), { check: counted }),
      floorPost(objects(['hot'])),
      dedupe(['hot']),
    ],
    'beacon-spread': [
      post(beacons(ids.slice(1, 1 + spread)), { check: counted, prime: true }),
      floorPost(objects(spreadNames), { prime: true }),
      dedupe(spreadNames),
    ],
  };
  return { origin, deployed };
}

/** From the counter objects' own files and D1, after their flush alarms have run. */
type Inputs = Promise<ViewCostInputs | { missing: string }>;
async function costInputs(gazette: RunningWorker, side: Side, ids: number[], span: number): Inputs {
  const books = readCounterBooks(gazette.stateDir);
  const mine = ids.flatMap((id) => books.get(id) ?? []);
  if (!mine.length) return { missing: `no counter object under ${gazette.stateDir}` };
  const keys = Object.keys(mine[0]!) as (keyof CounterBooks)[];
  const b = Object.fromEntries(keys.map((k) => [k, mine.reduce((n, m) => n + m[k], 0)]));
  const sum = b as unknown as CounterBooks;
  return {
    ...sum,
    // Autocannon stops reading at the bell: the hits the objects booked count Worker requests.
    beacons: Math.max(answered.get(side) ?? 0, sum.views + sum.rejections),
    flushes: sum.objects * Math.max(1, Math.ceil(span / Number(viewVars.VIEW_FLUSH_SECONDS))),
    d1RowsPerFlush: await d1RowsPerFlush(gazette.mf, ids),
  };
}

async function main() {
  const buildDir = mkdtempSync(join(tmpdir(), 'gazette-bench-build-'));
  log('building the worker as deployed (wrangler deploy --dry-run)');
  buildWorker(buildDir, []);
  // The report itself does not make the tree dirty.
  const dirty = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':!BENCHMARKS.*');
  const report: BenchReport = {
    commit: git('rev-parse', '--short', 'HEAD') + (dirty ? ' (uncommitted changes)' : ''),
    ...{ generatedAt: new Date().toISOString(), short, only: only && [...only], config },
    ...{ machine: machine(), versions: versions(), pairs: {}, startup: null, roundTrips: null },
    ...{ bundleGzip: bundleGzip(buildDir), embedGzip: embedGzip(), totalSeconds: 0 },
    costs: { 'beacon-hot': { missing: 'not run' }, 'beacon-spread': { missing: 'not run' } },
    flushSeconds: Number(viewVars.VIEW_FLUSH_SECONDS),
  };
  if (!args['skip-startup'] && (!only || only.has('startup'))) {
    log('startup: CPU of one more isolate, Gazette and a one-route Hono worker in turn');
    report.startup = await measureStartup(buildDir, short ? 1 : config.rounds + 2);
  }

  // `--only startup` (npm run bench:startup) needs no articles, floor or load.
  try {
    if (!only || [...only].some((key) => key !== 'startup')) await measureLoad(report, buildDir);
  } finally {
    removeBuild(buildDir);
  }
  if (!short && !only) {
    log('D1 round trips: npx vitest run test/db/round-trips.test.ts');
    const vitest = join(projectRoot, 'node_modules', '.bin', 'vitest');
    const run = spawnSync(vitest, ['run', 'test/db/round-trips.test.ts'], {
      cwd: projectRoot,
      stdio: 'ignore',
    });
    report.roundTrips = run.status === 0;
  }
  report.totalSeconds = (Date.now() - began) / 1000;
  mkdirSync(join(projectRoot, '.bench'), { recursive: true });
  writeFileSync(reportFiles(report).json, JSON.stringify(report, null, 1));
  await finish(report);
}

async function measureLoad(report: BenchReport, buildDir: string) {
  log(
    `starting the floor worker and Gazette; seeding ${config.articles.toLocaleString('en-US')} articles`,
  );
  const primitives = await startPrimitives(config.articles);
  const floorPids = workerdPids();
  const gazette = await startWorker({
    buildDir,
    assets: false,
    vars: { API_EDGE_CACHE_SECONDS: '0', ...viewVars },
    onLog: (message) => {
      if (message.includes('view rejection tallies sent')) tallySends += 1;
    },
  });
  const client = new LoadClient();
  try {
    // Through the worker's own import route: the authoring commands, in workerd.
    const seedStarted = Date.now();
    await seedWorker(
      gazette,
      generateDemoArticles({ count: config.articles, newest: Date.now() - 3_600_000 }),
    );
    log(`seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);
    const db = await gazette.mf.getD1Database('DB');
    const { results } = await db
      .prepare(
        "SELECT id, slug FROM articles WHERE status = 'published' AND published_at <= ? ORDER BY id",
      )
      .bind(Date.now())
      .all<{ id: number; slug: string }>();
    const slugs = new Map(results.map((r) => [Number(r.id), String(r.slug)]));
    const ids = results.map((_, i) => Number(results[scattered(results.length, i) - 1]!.id));
    const all = sides(gazette, { origin: primitives.origin, pids: floorPids }, ids, slugs);
    const spans = new Map<string, number>();
    for (const phase of ['origin', 'deployed'] as const) {
      const wanted = Object.entries(all[phase]).filter(([key]) => !only || only.has(key));
      if (!wanted.length) continue;
      // The edge cache is off for the origin reads and as wrangler.toml ships it for the rest.
      if (phase === 'deployed') await gazette.restart(viewVars, { assets: false });
      for (const [key, [route, floor, dedupe]] of wanted) {
        const started = Date.now();
        report.pairs[key] = await runPair(client, key, route, floor, dedupe);
        spans.set(key, (Date.now() - started) / 1000);
      }
    }
    const beacons = (['beacon-hot', 'beacon-spread'] as const).filter((key) => spans.has(key));
    if (beacons.length) {
      // A slow machine may still be counting beacons of the run: wait till the hot one is quiet.
      let rows = '';
      while (rows !== (rows = [...counterRows(gazette.stateDir, ids[0]!)].join()))
        await sleep(2_000);
      // Objects flush within VIEW_FLUSH_SECONDS of their last view; count after that.
      log(`waiting ${report.flushSeconds + 5} s for the counters' flush alarms`);
      await sleep((report.flushSeconds + 5) * 1000);
    }
    for (const key of beacons) {
      const [route, articles] = [
        all.deployed[key]![0],
        key === 'beacon-hot' ? ids.slice(0, 1) : ids.slice(1, 1 + spread),
      ];
      report.costs[key] = await costInputs(gazette, route, articles, spans.get(key)!);
      if (key !== 'beacon-hot') continue;
      log('the hot article: its layout and counts, then floods of bots and duplicates');
      Object.assign(report, await hotArticle(gazette, articles[0]!, firstVisitors.get(route)!));
    }
  } finally {
    client.close();
    await gazette.dispose();
    await primitives.dispose();
  }
}

async function finish(report: BenchReport) {
  const results = evaluate(report);
  const file = reportFiles(report).md;
  const chart = file.replace(/\.md$/, '.svg');
  const limitsNote = readFileSync(join(projectRoot, 'scripts', 'bench', 'limits.md'), 'utf8');
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : null;
  // The soak (npm run soak) writes its own block; a benchmark run keeps it.
  const markdown = withSoakBlock(
    renderMarkdown(report, results, basename(chart), limitsNote),
    previous,
  );
  mkdirSync(dirname(file), { recursive: true });
  // Formatted as `npm run format:check` wants it, so a fresh report never fails npm test.
  writeFileSync(file, await format(markdown, { ...(await resolveConfig(file)), filepath: file }));
  writeFileSync(chart, renderChart(report));
  process.stdout.write(renderSummary(results));
  log(`wrote ${file} and ${basename(chart)}`);
  const missed = results.filter((r) => r.status !== 'pass' && r.status !== 'skipped');
  if (args.check && !report.short && missed.length) {
    log(`--check: ${missed.length} budget(s) missed: ${missed.map((r) => r.what).join('; ')}`);
    process.exitCode = 1;
  }
}

function machine(): string {
  const load = os.loadavg().map((l) => l.toFixed(2));
  return `${os.availableParallelism()} × ${os.cpus()[0]?.model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, load average ${load.join(' ')} at start`;
}

function git(...gitArgs: string[]): string {
  const run = spawnSync('git', gitArgs, { cwd: projectRoot, encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : 'unknown';
}

function versions(): Record<string, string> {
  const names = ['workerd', 'wrangler', 'miniflare', 'hono', 'drizzle-orm', 'autocannon'];
  const version = (name: string) => {
    const file = [`miniflare/node_modules/${name}`, name]
      .map((dir) => join(projectRoot, 'node_modules', dir, 'package.json'))
      .find(existsSync);
    return file ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : 'n/a';
  };
  return { node: process.version, ...Object.fromEntries(names.map((n) => [n, version(n)])) };
}

main().catch((err: unknown) => {
  log(`harness failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
