/** Judges a run and writes BENCHMARKS.md, its chart and the console summary. */
import {
  judgeAtMost,
  judgeRatio,
  judgeStartup,
  limits,
  median,
  pairFigures,
  prices,
  ratioBudgets,
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
export type Flood = { kind: 'bot' | 'duplicate' } & Record<
  'hits' | 'counted' | 'rowsWritten' | 'tallySends',
  number
>;

const floodRequests = (f: Flood) => (f.kind === 'bot' ? 0 : f.hits) + f.tallySends;

type CostScenario = { key: keyof BenchReport['costs']; what: string; max: number };
const costScenarios: (CostScenario & { traffic?: Traffic })[] = [
  {
    key: 'beacon-hot',
    what: 'Cost per million counted views, hot article',
    max: limits.hotDollars,
  },
  {
    key: 'beacon-spread',
    what: 'Cost per million counted views, over 1,000 articles',
    max: limits.spreadDollars,
    traffic: spreadTraffic,
  },
];

export function evaluate(report: BenchReport): Result[] {
  const results = ratioBudgets.map((b) => judgeRatio(b, report.pairs[b.key]));
  results.push(judgeStartup(report.startup));
  results.push(
    judgeAtMost('Worker bundle, gzipped', report.bundleGzip / 1024, limits.bundleKiB, 'KiB'),
  );
  const embedKiB = report.embedGzip === null ? null : report.embedGzip / 1024;
  results.push(judgeAtMost('embed.js, gzipped', embedKiB, limits.embedKiB, 'KiB'));
  results.push({
    what: 'D1 round trips per public read (test/db/round-trips.test.ts)',
    budget: 'exactly 1',
    measured: report.roundTrips === null ? '—' : report.roundTrips ? '1' : 'more',
    status: report.roundTrips === null ? 'skipped' : report.roundTrips ? 'pass' : 'fail',
    ...(report.roundTrips === null ? { note: 'full runs only' } : {}),
  });
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
const measuredPairs = (report: BenchReport) =>
  ratioBudgets.flatMap((b) => {
    const p = report.pairs[b.key];
    return p && 'route' in p ? [{ budget: b, pair: p, f: pairFigures(p) }] : [];
  });

/** Each route beside its floor in requests per workerd CPU-second, the budget ticked on the route. */
export function renderChart(report: BenchReport): string {
  const rows = measuredPairs(report);
  const width = 760;
  const left = 250;
  const bar = width - left - 90;
  const rowH = 46;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${rows.length * rowH + 40}" font-family="sans-serif" font-size="12">`,
    `<text x="8" y="18" font-weight="bold">Requests per workerd CPU-second: each route (red) beside its floor (grey); the tick is the budget</text>`,
  ];
  rows.forEach(({ budget, f }, i) => {
    const y = 32 + i * rowH;
    const [route, floor] = [1e6 / f.routeCpuUs, 1e6 / f.floorCpuUs];
    const w = (v: number) => Math.max(1, (v / Math.max(route, floor, 1)) * bar);
    const tick = left + w(floor * budget.min);
    out.push(
      `<text x="8" y="${y + 12}">${budget.route}</text>`,
      `<text x="8" y="${y + 30}" fill="#666">ratio ${fixed(f.ratio, 2)}, budget ≥ ${budget.min}</text>`,
      `<rect x="${left}" y="${y}" width="${w(route).toFixed(1)}" height="16" fill="${f.ratio >= budget.min ? '#b31b1b' : '#e07a7a'}"/>`,
      `<text x="${left + w(route) + 4}" y="${y + 12}">${n0(route)}</text>`,
      `<rect x="${left}" y="${y + 18}" width="${w(floor).toFixed(1)}" height="16" fill="#999"/>`,
      `<text x="${left + w(floor) + 4}" y="${y + 30}">${n0(floor)}</text>`,
      `<line x1="${tick.toFixed(1)}" x2="${tick.toFixed(1)}" y1="${y - 2}" y2="${y + 18}" stroke="#000" stroke-width="2"/>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export function renderMarkdown(
  report: BenchReport,
  results: Result[],
  chartFile: string,
  limitsNote: string,
): string {
  const c = report.config;
  const out = [
    '# Gazette benchmarks',
    '',
    `Written by \`npm run bench${report.short ? ' -- --short' : ''}\` on ${report.generatedAt} at commit ${report.commit}, in ${report.totalSeconds.toFixed(0)} s; regenerate it, do not edit it.`,
    '',
  ];
  if (report.short) {
    out.push(
      '> **Short mode**: proves the harness runs. Its rounds are too brief to judge by.',
      '',
    );
  }
  out.push(
    '## Machine and method',
    '',
    `${report.machine}. ${Object.entries(report.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    `- The deployed bundle (\`wrangler deploy --dry-run\`) in workerd through Miniflare, direct socket on loopback, ${n0(c.articles)} generated articles; ` +
      'beside it, in its own workerd, a bare worker (scripts/bench/primitives.ts) doing only the floor: the least the route must do on this platform, on a D1 table of as many rows of the same size.',
    `- Each budget alternates ${c.rounds} rounds of ${c.durationSec} s (route, floor, route, floor…) after ${c.warmupSec} s of warm-up on each side; autocannon, ${c.connections} connections, in a child process. ` +
      "Each round's ratio is the floor's workerd CPU per request over the route's (from /proc, each side's own workerd): the share of the floor's throughput the route reaches when both are CPU-bound. " +
      'A budget is judged on the **median of the per-round ratios**; throughput ratios (median per round, and of the medians) are printed beside it.',
    '- Other engineers share this 2-core machine: req/s moved 2–3× between rounds of one run while CPU per request moved far less, so judged on throughput the same code passed and failed on noise.',
    '',
    '## Budgets',
    '',
    '| budget | limit | measured | status |',
    '|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.what} | ${r.budget} | ${r.measured} | ${mark[r.status]}${r.note ? ` (${r.note})` : ''} |`,
    ),
    '',
    '`npm run bench -- --check` exits 1 when a row is neither pass nor skipped.',
    '',
    '## Routes beside their floors',
    '',
    '| route | CPU ratio per round | median (judged) | req/s ratio, median per round | req/s, ratio of medians | route req/s | floor req/s | route CPU µs/req | floor CPU µs/req | route p50 / p99 ms |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const { budget, pair, f } of measuredPairs(report)) {
    const ratios = pair.route.map((r, i) => fixed(pair.floor[i]!.cpuUs / r.cpuUs, 2)).join(', ');
    const p = (pick: (r: Pair['route'][number]) => number) =>
      fixed(median(pair.route.map(pick).map((v) => v ?? NaN)), 1);
    out.push(
      `| ${budget.route} | ${ratios} | ${fixed(f.ratio, 3)} | ${fixed(f.rpsRatio, 3)} | ${fixed(f.ratioOfMedians, 3)} | ${n0(f.routeRps)} | ${n0(f.floorRps)} | ${n0(f.routeCpuUs)} | ${n0(f.floorCpuUs)} | ${p((r) => r.p50)} / ${p((r) => r.p99)} |`,
    );
  }
  for (const b of ratioBudgets) {
    const p = report.pairs[b.key];
    if (p && !('route' in p))
      out.push(`| ${b.route} | ${'skipped' in p ? p.skipped : p.failed} | | | | | | | |`);
  }
  if (report.startup?.length) {
    out.push(
      '',
      `Startup, the CPU one more isolate running the bundle costs (workerd started with 11 copies less one with 1, over 10), per round, Gazette ÷ Hono: ${report.startup.map((r) => `${r.gazette.toFixed(1)} ÷ ${r.floor.toFixed(1)} ms`).join('; ')}.`,
    );
  }
  out.push(
    '',
    `![Each route beside its floor](${chartFile})`,
    '',
    '## Cost per million counted views',
    '',
  );
  out.push(
    '| scenario | traffic | counted views (objects) | Worker requests / view | DO requests / view | DO rows / view | D1 rows / view | $ per million views |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const s of costScenarios) {
    const inputs = report.costs[s.key];
    if ('missing' in inputs) {
      out.push(`| ${s.what} | not measured: ${inputs.missing} | | | | | | |`);
      continue;
    }
    const perFlush = inputs.views / inputs.flushes;
    const rows: [string, Traffic | undefined][] = [
      [`as run (${fixed(perFlush, 1)} views per object per flush)`, undefined],
    ];
    if (s.traffic)
      rows.push([`${s.traffic.viewsPerFlush} views per object per flush (judged)`, s.traffic]);
    for (const [traffic, model] of rows) {
      const v = viewCost(inputs, model);
      out.push(
        `| ${s.what} | ${traffic} | ${n0(inputs.views)} (${n0(inputs.objects)}) | ${v.workerRequestsPerView.toFixed(3)} | ${v.doRequestsPerView.toFixed(3)} | ${v.doRowsPerView.toFixed(3)} | ${v.d1RowsPerView.toFixed(3)} | $${v.dollarsPerMillion.toFixed(2)} |`,
      );
    }
  }
  if (report.floods?.length) {
    out.push(
      '',
      '| flood on the hot article, steady state | hits | counted | storage rows written / hit (besides the flush) | DO requests / hit |',
      '|---|---:|---:|---:|---:|',
      ...report.floods.map(
        (f) =>
          `| ${f.kind === 'bot' ? 'bots (refused by the worker; tallies sent once per interval)' : 'duplicates (visitors of the run again; only the object can tell)'} | ${n0(f.hits)} | ${n0(f.counted)} | ${fixed(f.rowsWritten / f.hits, 3)} | ${fixed(floodRequests(f) / f.hits, 3)} |`,
      ),
    );
  }
  out.push(
    '',
    `Prices from shared/platform-notes.md: Workers request $${prices.workersRequest}/M, DO request $${prices.doRequest}/M, row written $${prices.rowWritten}/M (DO SQLite and D1 alike; each setAlarm is a row). ` +
      "Measured, not booked by the product: views and rows come from each counter object's own SQLite file after the run " +
      '(one visitor row per counted view or copied to a new shard, and the rows an object writes once: meta, salt, day table, tallies); ' +
      `requests are the beacons the worker answered; flushes are one alarm per object per ${report.flushSeconds} s interval in which it had views ` +
      "(src/views/counter.ts only ever moves an alarm earlier, to that long after a view), each one DO request and two setAlarm rows; D1 rows per flush are D1's own `meta.rows_written` " +
      "(indexes included) for rewriting, after the alarms ran, the rows a flush writes (the shard-day row and the article's totals). " +
      'Over 1,000 articles the density the run reaches depends on how fast the shared machine was, so that budget is judged at a stated one, with the per-view, per-flush and once-a-day rows measured in the run (once-a-day rows spread over a day at that density).',
    '',
    '## What limits each route',
    '',
    limitsNote.trim(),
    '',
  );
  return `${out.join('\n')}\n`;
}

export function renderSummary(report: BenchReport, results: Result[]): string {
  const lines = measuredPairs(report).map(
    ({ budget, f }) =>
      `  ${budget.key.padEnd(14)} CPU ratio ${fixed(f.ratio, 3)} (req/s ${fixed(f.rpsRatio, 3)}, of medians ${fixed(f.ratioOfMedians, 3)}) ` +
      `route ${n0(f.routeRps)} req/s ${n0(f.routeCpuUs)} µs/req, floor ${n0(f.floorRps)} req/s ${n0(f.floorCpuUs)} µs/req`,
  );
  lines.push(
    '',
    ...results.map(
      (r) =>
        `  ${r.status.toUpperCase().padEnd(10)} ${r.what}: ${r.measured} (${r.budget})${r.note ? ` — ${r.note}` : ''}`,
    ),
  );
  return `${lines.join('\n')}\n`;
}

const soakStart = '<!-- soak:start -->';
const soakEnd = '<!-- soak:end -->';

/**
 * `markdown` with the soak's block (`npm run soak`, scripts/soak.ts) between its markers: the
 * given `block`, or else the one `previous` (the file being replaced) carried, so a benchmark
 * run that rewrites BENCHMARKS.md keeps the soak's figures. Replaced in place when `markdown`
 * has the markers already, appended otherwise.
 */
export function withSoakBlock(markdown: string, previous: string | null, block?: string): string {
  const inner = (text: string | null) => {
    if (!text) return null;
    const from = text.indexOf(soakStart);
    const to = text.indexOf(soakEnd);
    return from >= 0 && to > from ? text.slice(from + soakStart.length, to).trim() : null;
  };
  const content = block ?? inner(previous);
  if (!content) return markdown;
  const wrapped = `${soakStart}\n\n${content}\n\n${soakEnd}`;
  const from = markdown.indexOf(soakStart);
  const to = markdown.indexOf(soakEnd);
  if (from >= 0 && to > from) {
    return markdown.slice(0, from) + wrapped + markdown.slice(to + soakEnd.length);
  }
  return `${markdown.trimEnd()}\n\n${wrapped}\n`;
}
