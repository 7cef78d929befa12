/**
 * The soak's verdict and its block in BENCHMARKS.md (scripts/soak.ts runs the load). Apart from
 * the run so that the judging is tested (test/node/soak-report.test.ts).
 */
import type { IsolateHeap } from './inspector';

/**
 * Gazette's two isolates as workerd's inspector lists them (scripts/lib/run-worker.ts): the
 * readers' worker, with the view counters, which takes all public load, and the admin worker
 * behind its service binding. The control runs under the same two names.
 */
export const workerIsolate = 'core:user:gazette';
export const adminIsolate = 'core:user:gazette-admin';
const gazetteIsolates = [workerIsolate, adminIsolate];

export interface Rss {
  rss: number;
  anon: number;
  file: number;
}

export interface StreamResult {
  name: string;
  connections: number;
  /** Requests per second asked for; 0: as fast as answered. */
  rate: number;
  sent: number;
  ok: number;
  status4xx: number;
  status5xx: number;
  errors: number;
  rps: number;
  p99: number;
}

/** What one forced collection found: every isolate's heap right after it, and workerd's RSS. */
export interface Checkpoint {
  label: string;
  /** Seconds since the start of the load. */
  at: number;
  /** Just before the collection: what it gave back is garbage the isolates had not collected. */
  rssBefore?: Rss;
  rss: Rss;
  heaps: IsolateHeap[];
  /** Isolates that did not run the collection in time (their figures are not after one). */
  unanswered: string[];
}

export interface Phase {
  rounds: StreamResult[][];
  /** workerd's RSS once a second from the start of the load. */
  samples: Rss[];
  checkpoints: Checkpoint[];
}

export interface SoakRun {
  /** How the run was started, with the settings it overrode (`SOAK_ROUNDS=3 npm run soak`). */
  command: string;
  /** UTC, minutes. */
  date: string;
  seconds: number;
  warmupSeconds: number;
  idleSeconds: number;
  articleCount: number;
  gazette: Phase;
  control: Phase;
  beaconArticles: number;
  expectedViews: number;
  liveViews: number;
  mismatches: number;
}

/**
 * Bounds. The heap after a forced collection is live data only, so its growth past the warm-up
 * (once the bounded caches have filled) is what a leak in Gazette would show. RSS mixes in
 * Miniflare's simulators and the allocator; Gazette's share is its growth beyond the control's
 * (the same bindings, state and requests without Gazette's code), allowing for Gazette's
 * bigger bodies and caches.
 */
export const bounds = {
  heapGrowth: 0.1,
  heapSlackMiB: 2,
  rssFactor: 1.5,
  rssSlackMiB: 32,
};

export interface Check {
  what: string;
  measured: string;
  pass: boolean;
}

const workerHeap = (c: Checkpoint) => c.heaps.find((h) => h.name === workerIsolate);
const adminHeap = (c: Checkpoint) => c.heaps.find((h) => h.name === adminIsolate);
const mib = (x: number) => x.toFixed(1);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** RSS growth over the load: from the start to the end of the last round. */
export function rssGrowth(phase: Phase): number {
  const start = phase.checkpoints[0]!.rss.rss;
  const end = phase.checkpoints.filter((c) => c.label.startsWith('end of round')).at(-1)!.rss.rss;
  return end - start;
}

export function judge(run: SoakRun): Check[] {
  const all = run.gazette.rounds.flat();
  const total5xx = sum(all.map((r) => r.status5xx + r.errors));
  const cps = run.gazette.checkpoints;
  const warm = cps[1]!;
  const later = cps.slice(2);
  const used = (c: Checkpoint) => workerHeap(c)?.usedMiB ?? Number.NaN;
  const limit = used(warm) * (1 + bounds.heapGrowth) + bounds.heapSlackMiB;
  const highest = Math.max(...later.map(used));
  const collectedEverywhere = cps.every((c) => !c.unanswered.includes(workerIsolate));
  const gazetteRss = rssGrowth(run.gazette);
  const controlRss = rssGrowth(run.control);
  const rssLimit = Math.max(0, controlRss) * bounds.rssFactor + bounds.rssSlackMiB;
  return [
    {
      what: 'zero 5xx (and no connection errors or time-outs)',
      measured: String(total5xx),
      pass: total5xx === 0,
    },
    {
      what: 'exact view counts (live count = beacons answered counted: true)',
      measured: `${run.liveViews.toLocaleString('en-US')} live / ${run.expectedViews.toLocaleString('en-US')} counted over ${run.beaconArticles} articles`,
      pass: run.mismatches === 0 && run.expectedViews > 0,
    },
    {
      what: `the readers' worker's isolate heap flat: heap used after a forced collection, at the end of each round and after the idle time, ≤ ${100 + bounds.heapGrowth * 100} % of the end of the warm-up + ${bounds.heapSlackMiB} MiB`,
      measured: `${mib(used(warm))} → ${later.map((c) => mib(used(c))).join(' → ')} MiB (limit ${mib(limit)})`,
      pass: collectedEverywhere && Number.isFinite(highest) && highest <= limit,
    },
    {
      what: `workerd RSS growth over the load, after a forced collection, ≤ ${bounds.rssFactor} × the control worker's + ${bounds.rssSlackMiB} MiB`,
      measured: `Gazette +${mib(gazetteRss)} MiB, control +${mib(controlRss)} MiB (limit ${mib(rssLimit)})`,
      pass: gazetteRss <= rssLimit,
    },
  ];
}

function streamRows(label: string, phase: Phase): string[] {
  return phase.rounds.flatMap((round, i) =>
    round.map(
      (r) =>
        `| ${label} ${i + 1} | ${r.name} | ${r.connections} | ${r.rate ? `${r.rate}/s` : 'open'} | ${r.sent} | ${r.ok} | ${r.status4xx} | ${r.status5xx} | ${r.errors} | ${r.rps.toFixed(1)} | ${r.p99} |`,
    ),
  );
}

/** The simulators' isolates: every one but the two workers'. */
const simulatorHeaps = (c: Checkpoint) =>
  sum(
    c.heaps.filter((h) => !gazetteIsolates.includes(h.name) && h.usedMiB > 0).map((h) => h.usedMiB),
  );

const heapCell = (h: IsolateHeap | undefined) =>
  h ? `${mib(h.usedMiB)} / ${mib(h.totalMiB)} + ${mib(h.backingMiB)}` : '';

function adminRows(label: string, phase: Phase): string[] {
  return phase.checkpoints.map((c) => {
    const missed = c.unanswered.includes(adminIsolate) ? ' (no collection)' : '';
    return `| ${label} | ${c.label}${missed} | ${c.at} | ${heapCell(adminHeap(c))} |`;
  });
}

function memoryRows(label: string, phase: Phase): string[] {
  return phase.checkpoints.map((c) => {
    const heap = heapCell(workerHeap(c));
    const missed = c.unanswered.length ? ` (no collection in ${c.unanswered.join(', ')})` : '';
    const before = c.rssBefore ? mib(c.rssBefore.rss) : '';
    return `| ${label} | ${c.label}${missed} | ${c.at} | ${before} | ${mib(c.rss.rss)} (${mib(c.rss.anon)} + ${mib(c.rss.file)}) | ${heap} | ${mib(simulatorHeaps(c))} |`;
  });
}

export function renderSoakBlock(run: SoakRun, checks: Check[]): string {
  const rounds = run.gazette.rounds.length;
  const peak = (p: Phase) => Math.max(...p.samples.map((s) => s.rss));
  /** A table of both runs: its header, the divider (two text columns, then numbers), the rows. */
  const bothRuns = (header: string, rows: (label: string, phase: Phase) => string[]) => {
    const columns = header.split('|').length - 2;
    const divider = `| --- | --- |${' --: |'.repeat(columns - 2)}`;
    return [header, divider, ...rows('Gazette', run.gazette), ...rows('control', run.control)];
  };
  return [
    '## Soak',
    '',
    `\`${run.command}\` (scripts/soak.ts), ${run.date} UTC: ${rounds} rounds of ${run.seconds} s of four autocannon streams at once against the two built workers (one Miniflare, the readers' worker's direct socket on loopback, ${run.articleCount} demo articles, edge cache as shipped), then ${run.idleSeconds} s without load. Beacons come from a new visitor each (distinct User-Agent and address), a fixed number of them (rate × duration) so that every one is answered before the counts are compared; admin writes create published articles through the admin API, which the readers' worker hands to the admin worker.`,
    '',
    `**How memory is measured.** Through workerd's inspector, a full collection is forced in every isolate the load reaches (\`HeapProfiler.collectGarbage\`; workerd runs it when the isolate next handles a request, so the soak keeps sending a few until each has answered) at the start of the load, the end of a ${run.warmupSeconds} s warm-up, the end of each round and after the idle time; workerd's RSS is read just before it, and right after it RSS again and each isolate's heap (\`Runtime.getHeapUsage\`: used / size + ArrayBuffer backing stores). Gazette runs as two workers in that workerd, as deployed: the readers' worker, which takes all public load and holds the view counters, and the admin worker behind its service binding (the admin writes cross it, and so does an admin read among the requests sent during a collection), so both isolates are collected and reported; the heap check is on the readers' worker's. Heap used after a collection is live data only, so Gazette leaking shows there; what RSS gives back at a collection is garbage V8 had not yet collected. workerd's resident set size (VmRSS = RssAnon + RssFile from \`/proc/<pid>/status\`, summed over the workerd processes Miniflare started) is read once a second; it also holds Miniflare's local Cache API, D1, Durable Object SQLite and rate-limiter simulators, which do not run in the worker's memory on Cloudflare, and what the allocator keeps. So the same rounds are run again, on a fresh workerd with the same bindings and seeded state, against a **control worker** with no Gazette code (scripts/lib/soak-control-worker.ts), run as both workers under their bindings, the writes crossing the same service binding, making the same kinds of calls per request (Cache API look-up and put, one D1 read, FTS5 search, rate limits and a counter object's SQLite, D1 batch writes and cache deletes through the reader's purge entrypoint), each of its streams sending as many requests per round as Gazette's did; Gazette's RSS growth (after a forced collection, from the start of the load to the end of the last round) is judged against the control's. The per-second samples between collections also show garbage that V8 has not yet collected.`,
    '',
    ...bothRuns(
      '| run, round | stream | connections | target rate | sent | 2xx | 4xx | 5xx | errors | 2xx/s | p99 ms |',
      streamRows,
    ),
    '',
    '| check | measured | result |',
    '| --- | --- | --- |',
    ...checks.map((c) => `| ${c.what} | ${c.measured} | ${c.pass ? 'pass' : '**fail**'} |`),
    '',
    ...bothRuns(
      "| run | forced collection at | s | workerd RSS MiB before it | workerd RSS MiB after it (anonymous + file) | readers' worker's isolate MiB: heap used / size + backing stores | simulators' isolates, heap used MiB |",
      memoryRows,
    ),
    '',
    ...bothRuns(
      "| run | forced collection at | s | admin worker's isolate MiB: heap used / size + backing stores |",
      adminRows,
    ),
    '',
    `workerd RSS samples, Gazette (MiB, one per second from the start of load, peak ${mib(peak(run.gazette))}): ${run.gazette.samples.map((s) => s.rss.toFixed(0)).join(' ')}`,
    '',
    `workerd RSS samples, control (peak ${mib(peak(run.control))}): ${run.control.samples.map((s) => s.rss.toFixed(0)).join(' ')}`,
  ].join('\n');
}

const [soakStart, soakEnd] = ['<!-- soak:start -->', '<!-- soak:end -->'];

/**
 * `markdown` with the soak's block (`npm run soak`, scripts/soak.ts) between its markers: the
 * given `block`, or else the one `previous` (the file being replaced) carried, so a benchmark
 * run that rewrites BENCHMARKS.md keeps the soak's figures. Replaced in place when `markdown`
 * has the markers already, appended otherwise.
 */
export function withSoakBlock(markdown: string, previous: string | null, block?: string): string {
  const span = (text: string) => [text.indexOf(soakStart), text.indexOf(soakEnd)] as const;
  const inner = (text: string | null) => {
    const [from, to] = text ? span(text) : [-1, -1];
    return from >= 0 && to > from ? text!.slice(from + soakStart.length, to).trim() : null;
  };
  const content = block ?? inner(previous);
  if (!content) return markdown;
  const wrapped = `${soakStart}\n\n${content}\n\n${soakEnd}`;
  const [from, to] = span(markdown);
  if (from >= 0 && to > from) {
    return markdown.slice(0, from) + wrapped + markdown.slice(to + soakEnd.length);
  }
  return `${markdown.trimEnd()}\n\n${wrapped}\n`;
}
