/** Judges a run and writes BENCHMARKS.md, its chart and the console summary. */
import {
  againstDedupe,
  dedupeFloor,
  judgeAtMost,
  judgeRatio,
  judgeStartup,
  limits,
  median,
  pairFigures,
  prices,
  ratioBudgets,
  splitCopy,
  spreadTraffic,
  viewCost,
  type Pair,
  type Result,
  type Traffic,
  type ViewCostInputs,
} from './budgets';

export type PairOutcome = Pair | { skipped: string } | { failed: string };

export interface BenchReport {
  generatedAt: string;
  commit: string;
  short: boolean;
  /** The budgets `--only` chose (a partial run, never written to BENCHMARKS.md), or null. */
  only?: string[] | null;
  config: Record<'articles' | 'rounds' | 'durationSec' | 'warmupSec' | 'connections', number>;
  machine: string;
  versions: Record<string, string>;
  pairs: Record<string, PairOutcome>;
  startup: { gazette: number; floor: number }[] | null;
  bundleGzip: number;
  embedGzip: number | null;
  /** test/db/round-trips.test.ts, run by the bench: null when not run (short mode). */
  roundTrips: boolean | null;
  costs: Record<'beacon-hot' | 'beacon-spread', ViewCostInputs | { missing: string }>;
  /** The hot beacon's article afterwards: the layout it reached by itself, and its counts. */
  hot?: Record<'shards' | 'splitAt' | 'objects' | 'views' | 'd1' | 'live', number>;
  floods?: Flood[];
  flushSeconds: number;
  totalSeconds: number;
}

/** Hits on the hot article that must not count; rows and tally sends are what they cost. */
type FloodCounts = 'hits' | 'counted' | 'rowsWritten' | 'copiedRows' | 'tallySends';
export type Flood = { kind: 'bot' | 'duplicate' } & Record<FloodCounts, number>;

const floodRequests = (f: Flood) => (f.kind === 'bot' ? 0 : f.hits) + f.tallySends;

const cost = (key: keyof BenchReport['costs'], where: string, max: number, traffic?: Traffic) => ({
  ...{ key, what: `Cost per million counted views, ${where}`, max, traffic },
});
const costScenarios = [
  cost('beacon-hot', 'hot article', limits.hotDollars),
  cost('beacon-spread', 'over 1,000 articles', limits.spreadDollars, spreadTraffic),
];

export function evaluate(report: BenchReport): Result[] {
  const results = ratioBudgets.map((b) => judgeRatio(b, report.pairs[b.key]));
  const [kib, trips] = [
    (bytes: number | null) => (bytes === null ? null : bytes / 1024),
    report.roundTrips,
  ];
  const roundTrips: Result = {
    ...{
      what: 'D1 round trips per public read (test/db/round-trips.test.ts)',
      budget: 'exactly 1',
    },
    ...(trips === null
      ? { measured: '—', status: 'skipped', note: 'full runs only' }
      : { measured: trips ? '1' : 'more', status: trips ? 'pass' : 'fail' }),
  };
  results.push(
    judgeStartup(report.startup),
    judgeAtMost("Readers' worker bundle, gzipped", kib(report.bundleGzip), limits.bundleKiB, 'KiB'),
    judgeAtMost('embed.js, gzipped', kib(report.embedGzip), limits.embedKiB, 'KiB'),
    roundTrips,
  );
  for (const c of costScenarios) {
    const inputs = report.costs[c.key];
    const dollars = 'missing' in inputs ? null : viewCost(inputs, c.traffic).dollarsPerMillion;
    const result = judgeAtMost(c.what, dollars, c.max, '$');
    results.push('missing' in inputs ? { ...result, note: inputs.missing } : result);
  }
  const [h, again] = [report.hot, report.floods?.find((f) => f.kind === 'duplicate')];
  if (h && again) {
    const exact = h.views === h.d1 && h.views === h.live && !again.counted;
    results.push({
      what: `Hot article past ${h.splitAt} hits/s per object: spread by itself, counted exactly`,
      budget: '> 1 shard; objects = live = D1; its first visitors, sent again, not counted',
      measured: `${h.shards} shards; ${n0(h.views)} = ${n0(h.live)} = ${n0(h.d1)}; ${again.counted} of ${again.hits}`,
      status: exact && h.shards > 1 ? 'pass' : 'fail',
    });
  }
  for (const f of report.floods ?? []) {
    const what = `${f.kind === 'bot' ? 'Bot' : 'Duplicate'} flood on the hot article, per hit:`;
    results.push(judgeAtMost(`${what} storage rows written`, f.rowsWritten / f.hits, 0.01, ''));
    if (f.kind === 'bot')
      results.push(judgeAtMost(`${what} DO requests`, floodRequests(f) / f.hits, 0.01, ''));
  }
  return results;
}

const mark = { pass: 'pass', fail: '**FAIL**', skipped: 'skipped', unmeasured: '**unmeasured**' };
/** NaN crosses JSON (the load client's messages, report.json) as null. */
const fixed = (n: number | null, digits: number) =>
  typeof n === 'number' && Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
const n0 = (n: number | null) =>
  typeof n === 'number' && Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
const warning = (r: BenchReport) =>
  r.short
    ? '> **Short mode**: proves the harness runs; too brief to judge by.'
    : '> **Partial run**: only the budgets named above; not for judging.';
const measuredPairs = (report: BenchReport) =>
  ratioBudgets.flatMap((b) => {
    const p = report.pairs[b.key];
    return p && 'route' in p ? [{ budget: b, pair: p, f: pairFigures(p) }] : [];
  });

/** Each route beside its floor in requests per workerd CPU-second, the budget ticked on the route. */
export function renderChart(report: BenchReport): string {
  const rows = measuredPairs(report);
  const [width, left, rowH, bar] = [760, 250, 46, 760 - 250 - 90];
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${rows.length * rowH + 40}" font-family="sans-serif" font-size="12">`,
    `<text x="8" y="18" font-weight="bold">Requests per workerd CPU-second: each route (red) beside its floor (grey); the tick is the budget</text>`,
  ];
  rows.forEach(({ budget, f }, i) => {
    const y = 32 + i * rowH;
    const [route, floor] = [1e6 / f.routeCpuUs, 1e6 / f.floorCpuUs];
    const w = (v: number) => Math.max(1, (v / Math.max(route, floor, 1)) * bar);
    const tick = (left + w(floor * budget.min)).toFixed(1);
    out.push(
      `<text x="8" y="${y + 12}">${budget.route}</text>`,
      `<text x="8" y="${y + 30}" fill="#666">ratio ${fixed(f.ratio, 2)}, budget ≥ ${budget.min}</text>`,
      `<rect x="${left}" y="${y}" width="${w(route).toFixed(1)}" height="16" fill="${f.ratio >= budget.min ? '#b31b1b' : '#e07a7a'}"/>`,
      `<text x="${left + w(route) + 4}" y="${y + 12}">${n0(route)}</text>`,
      `<rect x="${left}" y="${y + 18}" width="${w(floor).toFixed(1)}" height="16" fill="#999"/>`,
      `<text x="${left + w(floor) + 4}" y="${y + 30}">${n0(floor)}</text>`,
      `<line x1="${tick}" x2="${tick}" y1="${y - 2}" y2="${y + 18}" stroke="#000" stroke-width="2"/>`,
    );
  });
  return `${[...out, '</svg>'].join('\n')}\n`;
}

/** A table's header and alignment rows, from its column names (`>` right-aligns a column). */
const head = (columns: string) => {
  const names = columns.split('|');
  const align = names.map((n) => (n.startsWith('>') ? '---:' : '---'));
  return [`| ${names.map((n) => n.replace(/^>/, '')).join(' | ')} |`, `|${align.join('|')}|`];
};

export function renderMarkdown(
  report: BenchReport,
  results: Result[],
  chartFile: string,
  limitsNote: string,
): string {
  const c = report.config;
  const mode = report.short ? ' -- --short' : report.only ? ` -- --only ${report.only.join()}` : '';
  const versions = Object.entries(report.versions).map(([k, v]) => `${k} ${v}`);
  const out = [
    '# Gazette benchmarks',
    '',
    `Written by \`npm run bench${mode}\` on ${report.generatedAt} at commit ${report.commit}, in ${report.totalSeconds.toFixed(0)} s; regenerate it, do not edit it.`,
    '',
    ...(report.short || report.only ? [warning(report), ''] : []),
    '## Machine and method',
    '',
    `${report.machine}. ${versions.join(', ')}.`,
    '',
    `The deployed bundles (\`wrangler deploy --dry-run\`, the readers' worker in front of the admin worker) run in workerd through Miniflare (direct socket, loopback) on ${n0(c.articles)} generated articles. ` +
      'Beside it, in its own workerd, a bare worker (scripts/bench/primitives.ts) does only the floor, the least the route must do on this platform, on a D1 table of as many rows of the same size. ' +
      `Each budget alternates ${c.rounds} rounds of ${c.durationSec} s (route, floor, route…) after ${c.warmupSec} s of warm-up per side; autocannon, ${c.connections} connections, in a child process. ` +
      `It is judged on the **median of the per-round ratios of the floor's workerd CPU per request to the route's** (each side's own workerd, from /proc): other engineers share this 2-core machine, and req/s moves 2–3× between rounds while CPU per request holds. The beacons have a second floor in the same rounds (route, floor, that floor…), shown beside the first and not judged: ${dedupeFloor} under a day's random salt, in one transaction (the least an exact, private counter does; the issue's floor does no dedupe).`,
    '',
    '## Budgets',
    '',
    ...head('budget|limit|measured|status'),
    ...results.map(
      (r) =>
        `| ${r.what} | ${r.budget} | ${r.measured} | ${mark[r.status]}${r.note ? ` (${r.note})` : ''} |`,
    ),
    '',
    '`npm run bench -- --check` exits 1 when a row is neither pass nor skipped.',
    '',
    '## Routes beside their floors',
    '',
    ...head(
      'route|CPU ratio per round|>median (judged)|>req/s ratio, per round / of medians|>CPU µs/req, route / floor|>req/s, route / floor|>route p50 / p99 ms',
    ),
  ];
  const withDedupe = measuredPairs(report).flatMap((m) => {
    const d = againstDedupe(m.pair);
    if (!d) return [m];
    const budget = { ...m.budget, route: `${m.budget.route} ÷ ${dedupeFloor} (not judged)` };
    return [m, { budget, pair: d, f: pairFigures(d) }];
  });
  for (const { budget, pair, f } of withDedupe) {
    const ratios = pair.route.map((r, i) => fixed(pair.floor[i]!.cpuUs / r.cpuUs, 2)).join(', ');
    const p = (pick: (r: Pair['route'][number]) => number) =>
      fixed(median(pair.route.map(pick).map((v) => v ?? NaN)), 1);
    out.push(
      `| ${budget.route} | ${ratios} | ${fixed(f.ratio, 3)} | ${fixed(f.rpsRatio, 3)} / ${fixed(f.ratioOfMedians, 3)} | ${n0(f.routeCpuUs)} / ${n0(f.floorCpuUs)} | ${n0(f.routeRps)} / ${n0(f.floorRps)} | ${p((r) => r.p50)} / ${p((r) => r.p99)} |`,
    );
  }
  const rounds = report.startup?.map((r) => `${r.gazette.toFixed(1)} ÷ ${r.floor.toFixed(1)} ms`);
  out.push(
    ...(rounds?.length
      ? [
          '',
          `Startup, the CPU one more isolate running the bundle costs (workerd with 11 copies less one with 1, over 10), per round, Gazette ÷ Hono: ${rounds.join('; ')}.`,
        ]
      : []),
    '',
    `![Each route beside its floor](${chartFile})`,
    '',
    '## Cost per million counted views',
    '',
    ...head(
      'scenario|traffic|>counted views (objects)|>Worker requests / view|>DO requests / view|>DO rows / view|>D1 rows / view|>$ per million views',
    ),
  );
  for (const s of costScenarios) {
    const inputs = report.costs[s.key];
    if ('missing' in inputs) {
      out.push(`| ${s.what} | not measured: ${inputs.missing} |`);
      continue;
    }
    const density = `${fixed(inputs.views / inputs.flushes, 1)} views per object per flush`;
    const asRun = s.traffic ? `as run (${density})` : `steady state as run (${density}; judged)`;
    const models: [string, Traffic | undefined][] = [[asRun, undefined]];
    if (s.traffic)
      models.push([`${s.traffic.viewsPerFlush} views per object per flush (judged)`, s.traffic]);
    for (const [traffic, model] of models) {
      const { dollarsPerMillion, ...v } = viewCost(inputs, model);
      const perView = Object.values(v);
      out.push(
        `| ${s.what} | ${traffic} | ${n0(inputs.views)} (${n0(inputs.objects)}) | ${perView.map((x) => x.toFixed(3)).join(' | ')} | $${dollarsPerMillion.toFixed(2)} |`,
      );
    }
    const copy = splitCopy(inputs);
    if (copy.shards)
      out.push(
        `| The split's one-off copy (not in the judged figure) | ${n0(copy.shards)} new shard(s): ${n0(copy.rows)} visitor rows copied once, ${n0(copy.requests)} DO requests | | | | (+${fixed(copy.asRunRowsPerView, 3)} if priced in this run) | | $${fixed(copy.dollars, 4)} once, $${fixed(copy.perSplit, 4)} per split |`,
      );
  }
  if (report.floods?.length) {
    const who = { bot: 'bots (refused by the worker)', duplicate: 'the run’s visitors again' };
    out.push(
      '',
      ...head(
        "flood on the hot article|>hits|>counted|>storage rows written / hit|>DO requests / hit|>split's copy, rows (not counted)",
      ),
      ...report.floods.map(
        (f) =>
          `| ${who[f.kind]} | ${n0(f.hits)} | ${n0(f.counted)} | ${fixed(f.rowsWritten / f.hits, 3)} | ${fixed(floodRequests(f) / f.hits, 3)} | ${n0(f.copiedRows ?? 0)} |`,
      ),
    );
  }
  out.push(
    '',
    `At Workers request $${prices.workersRequest}/M, DO request $${prices.doRequest}/M, row written $${prices.rowWritten}/M (platform notes). ` +
      "Views and rows are read after the run from each counter object's own SQLite file, D1 rows per flush from D1's `meta.rows_written`; " +
      `a flush is one alarm per object per ${report.flushSeconds} s with views (one DO request; one setAlarm row at 2 views or more per flush, else two). ` +
      "Over 1,000 articles the run's density follows the machine's speed, so that budget is judged at the stated density. " +
      "The hot article's judged figure is its steady state: when it splits, each new shard copies its buckets' visitor rows of today and yesterday from its parent once (so unique visitors stay exact across the split), a one-off whatever traffic follows; those rows and the copy's DO requests are left out of the judged figure and shown on their own line, once and per split, so that whether a 2-minute run reaches the split does not set the per-view figure.",
    '',
    '## What limits each route',
    '',
    limitsNote.trim(),
    '',
  );
  return `${out.join('\n')}\n`;
}

/** The console's verdicts (each round's figures were logged as it ran). */
export const renderSummary = (results: Result[]) =>
  results
    .map(
      (r) =>
        `  ${r.status.toUpperCase().padEnd(10)} ${r.what}: ${r.measured} (${r.budget})${r.note ? ` — ${r.note}` : ''}\n`,
    )
    .join('');
