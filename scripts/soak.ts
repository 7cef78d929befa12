/**
 * `npm run soak`: a bounded soak of the built worker on loopback (issue 18). For SOAK_SECONDS
 * (default 60) four autocannon streams run at once: mixed public reads, searches, view beacons
 * from distinct visitors, and admin writes (create and publish articles). It then checks
 *   - zero 5xx answers in every stream,
 *   - exact view counts: each article's live count equals the beacons the worker answered
 *     `counted: true` for it (read from each beacon's own answer),
 *   - workerd's memory flat: resident set size (VmRSS in /proc/<pid>/status, summed over the
 *     workerd processes Miniflare started) sampled every second; the median of the last ten
 *     seconds may exceed the median of seconds 10-20 (after warm-up) by at most 20 %,
 * and writes the figures into BENCHMARKS.md between the soak markers (scripts/bench/report.ts
 * keeps that block when the benchmark rewrites the file). Exits 1 when a check fails.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { format, resolveConfig } from 'prettier';
import { createHash, randomBytes } from 'node:crypto';
import { withSoakBlock } from './bench/report';
import { visitorHeaders, workerdPids } from './bench/load';
import { demoSql, generateDemoArticles } from './demo-content';
import { projectRoot, startWorker } from './lib/run-worker';

const seconds = Number(process.env.SOAK_SECONDS ?? 60);
const articleCount = 500;
const beaconArticles = 20;
const rssGrowthLimit = 0.2;

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

/** VmRSS of the given processes, in MiB. */
function rssMiB(pids: number[]): number {
  let kib = 0;
  for (const pid of pids) {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    kib += m ? Number(m[1]) : 0;
  }
  return kib / 1024;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : Number.NaN;
};

async function main() {
  const started = Date.now();
  log('building and starting the worker (edge cache as wrangler.toml ships it)');
  // SOAK_VARS='{"NAME":"value"}' overrides [vars] (e.g. to compare a setting's memory).
  const worker = await startWorker({
    assets: false,
    vars: JSON.parse(process.env.SOAK_VARS ?? '{}') as Record<string, string>,
  });
  const origin = worker.url.origin;
  try {
    const newest = Date.now() - 3_600_000;
    await worker.execSql(demoSql(generateDemoArticles({ count: articleCount, newest })));
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
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rssMiB(pids)), 1000);
    log(`running ${streams.length} streams for ${seconds} s against ${origin}`);
    const results = await Promise.all(streams.map((s) => runStream(origin, s)));
    clearInterval(sampler);

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

    const warm = samples.slice(10, 20);
    const last = samples.slice(-10);
    const rssWarm = median(warm);
    const rssLast = median(last);
    const growth = (rssLast - rssWarm) / rssWarm;
    const total5xx = results.reduce((s, r) => s + r.status5xx, 0);
    const checks = [
      { what: 'zero 5xx', pass: total5xx === 0, measured: String(total5xx) },
      {
        what: 'exact view counts (live count = beacons answered counted: true)',
        pass: mismatches.length === 0 && expectedViews > 0,
        measured: `${liveViews.toLocaleString('en-US')} live / ${expectedViews.toLocaleString('en-US')} counted over ${beaconTargets.length} articles`,
      },
      {
        what: `workerd RSS flat (last-10 s median ≤ ${100 + rssGrowthLimit * 100} % of seconds 10–20)`,
        pass: Number.isFinite(growth) && growth <= rssGrowthLimit,
        measured: `${rssWarm.toFixed(1)} → ${rssLast.toFixed(1)} MiB (${(growth * 100).toFixed(1)} %), peak ${Math.max(...samples).toFixed(1)} MiB`,
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
    const block = [
      '## Soak',
      '',
      `\`npm run soak\` (scripts/soak.ts), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${seconds} s of four autocannon streams at once against the built worker (Miniflare, direct socket on loopback, ${articleCount} demo articles, edge cache as shipped). Beacons come from a new visitor each (distinct User-Agent and address), a fixed number of them (rate × duration) so that every one is answered before the counts are compared; admin writes create published articles through the admin API. Memory is workerd's resident set size, VmRSS from \`/proc/<pid>/status\` summed over the workerd processes Miniflare started, sampled every second (${samples.length} samples).`,
      '',
      ...table,
      '',
      '| check | measured | result |',
      '| --- | --- | --- |',
      ...checks.map((c) => `| ${c.what} | ${c.measured} | ${c.pass ? 'pass' : '**fail**'} |`),
      '',
      `RSS samples (MiB, one per second): ${samples.map((s) => s.toFixed(0)).join(' ')}`,
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
