/**
 * The budgets (issue 20) and how a run is judged against them. Pure functions of the figures,
 * so the node tests can check the judging without running any load.
 */
import type { Round } from './load';

/** Each side's rounds, in the order they ran: route, floor, route, floor… */
export interface Pair {
  key: string;
  route: Round[];
  floor: Round[];
  /** Beacons: a second floor that also deduplicates privately (primitives.ts countOnce). */
  dedupe?: Round[];
}

/** The route against the deduplicating floor, as a pair of its own (shown, not judged). */
export const againstDedupe = (p: Pair): Pair | null =>
  p.dedupe?.length ? { key: p.key, route: p.route, floor: p.dedupe } : null;

const oneRow = 'one D1 read of one row in a fresh Sessions API session';
const twentyRows = 'one D1 query of 20 rows in a fresh session';
const limiterDo = 'a rate-limiter call, then a DO increment';
/** The beacons' second floor (shown beside the first, not judged). */
export const dedupeFloor =
  'a rate-limiter call, then a DO that inserts-or-ignores an HMAC of the visitor and counts it if new';
const b = (key: string, route: string, floor: string, min: number) => ({ key, route, floor, min });
export type RatioBudget = ReturnType<typeof b>;

/** Gazette's route against the bare-worker floor it cannot beat, judged on CPU per request. */
export const ratioBudgets: RatioBudget[] = [
  b('article-json', 'Article JSON, D1 read (edge cache off)', oneRow, 0.8),
  b('article-page', 'Article page HTML, D1 read', oneRow, 0.6),
  b('channel-json', 'Channel list JSON (20 items)', twentyRows, 0.7),
  b('rss', 'RSS feed', twentyRows, 0.5),
  b('edge-hit', 'Article JSON, edge-cache hit', 'one Cache API hit', 0.9),
  b('beacon-hot', 'View beacon, one article, new visitors', limiterDo, 0.9),
  b('beacon-spread', 'View beacon over 1,000 articles', `${limiterDo}, 1,000 objects`, 0.8),
  // Issue 16: each query shape on its own, since a mix could hide one slow shape.
  b('search-short', 'Search, two characters (盘锦)', 'the article JSON read', 0.5),
  b('search-word', 'Search, four characters (全面振兴)', 'the article JSON read', 0.5),
  b('search-terms', 'Search, three terms (2024年 盘锦 振兴)', 'the article JSON read', 0.5),
];

export const limits = {
  startupRatio: 2.5,
  bundleKiB: 250,
  embedKiB: 6,
  hotDollars: 1.5,
  spreadDollars: 2,
};

/** Cloudflare's prices per million, as shared/platform-notes.md records them (USD). */
export const prices = { workersRequest: 0.3, doRequest: 0.15, rowWritten: 1 };

export type Status = 'pass' | 'fail' | 'skipped' | 'unmeasured';

export type Result = {
  what: string;
  budget: string;
  measured: string;
  status: Status;
  note?: string;
};

export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const sum = (rounds: Round[], pick: (r: Round) => number) =>
  rounds.reduce((s, r) => s + pick(r), 0);
const failedShare = (rounds: Round[]) =>
  sum(rounds, (r) => r.failed) / (sum(rounds, (r) => r.sent) || 1);

/**
 * `ratio` is judged: the median over rounds of the floor's workerd CPU per request over the
 * route's (req/s swings 2× on this shared machine while CPU per request holds). Throughput is
 * printed beside it: the median of the per-round ratios, and the ratio of the medians.
 */
export function pairFigures(pair: Pair) {
  const n = Math.min(pair.route.length, pair.floor.length);
  const perRound = (pick: (r: Round) => number) =>
    median(Array.from({ length: n }, (_, i) => pick(pair.route[i]!) / pick(pair.floor[i]!)));
  const med = (rounds: Round[], pick: (r: Round) => number) => median(rounds.map(pick));
  return {
    ratio: perRound((r) => 1 / r.cpuUs),
    rpsRatio: perRound((r) => r.rps),
    ratioOfMedians: med(pair.route, (r) => r.rps) / med(pair.floor, (r) => r.rps),
    routeRps: med(pair.route, (r) => r.rps),
    floorRps: med(pair.floor, (r) => r.rps),
    routeCpuUs: med(pair.route, (r) => r.cpuUs),
    floorCpuUs: med(pair.floor, (r) => r.cpuUs),
    routeFailed: failedShare(pair.route),
    floorFailed: failedShare(pair.floor),
  };
}

/** A budget is judged only on clean rounds: over 1 % failed requests on either side is a miss. */
export function judgeRatio(
  budget: RatioBudget,
  pair: Pair | { skipped: string } | { failed: string } | undefined,
): Result {
  const base = { what: `${budget.route} ÷ ${budget.floor}`, budget: `≥ ${budget.min}` };
  if (!pair) return { ...base, measured: '—', status: 'skipped', note: 'not selected' };
  if ('skipped' in pair) return { ...base, measured: '—', status: 'skipped', note: pair.skipped };
  if ('failed' in pair) return { ...base, measured: '—', status: 'unmeasured', note: pair.failed };
  const f = pairFigures(pair);
  const measured = f.ratio.toFixed(3);
  if (f.routeFailed > 0.01) {
    const note = `${(f.routeFailed * 100).toFixed(1)} % of the route's requests failed`;
    return { ...base, measured, status: 'fail', note };
  }
  if (f.floorFailed > 0.01 || !Number.isFinite(f.ratio)) {
    const note = `the floor did not measure cleanly (${(f.floorFailed * 100).toFixed(1)} % failed)`;
    return { ...base, measured, status: 'unmeasured', note };
  }
  const d = againstDedupe(pair);
  const note = d
    ? { note: `÷ the dedupe floor: ${pairFigures(d).ratio.toFixed(3)}, not judged` }
    : {};
  return { ...base, measured, status: f.ratio >= budget.min ? 'pass' : 'fail', ...note };
}

/** Startup CPU, Gazette ÷ a one-route Hono worker, per round (ms each). */
export function judgeStartup(rounds: { gazette: number; floor: number }[] | null): Result {
  const what = 'Startup CPU ÷ a one-route Hono worker with the same flags';
  const base = { what, budget: `≤ ${limits.startupRatio} ×` };
  if (!rounds?.length) return { ...base, measured: '—', status: 'skipped', note: 'not measured' };
  const ratio = median(rounds.map((r) => r.gazette / r.floor));
  const ms = (pick: (r: { gazette: number; floor: number }) => number) =>
    median(rounds.map(pick)).toFixed(1);
  return {
    ...base,
    measured: `${ratio.toFixed(2)} × (${ms((r) => r.gazette)} ms ÷ ${ms((r) => r.floor)} ms)`,
    status: ratio <= limits.startupRatio ? 'pass' : 'fail',
  };
}

export function judgeAtMost(what: string, value: number | null, max: number, unit: string): Result {
  const budget = unit === '$' ? `≤ $${max.toFixed(2)}` : `≤ ${max} ${unit}`;
  if (value === null || !Number.isFinite(value)) {
    return { what, budget, measured: '—', status: 'unmeasured' };
  }
  const measured =
    unit === '$' ? `$${value.toFixed(2)}` : `${value.toFixed(value < 1 ? 3 : 1)} ${unit}`;
  return { what, budget, measured, status: value <= max ? 'pass' : 'fail' };
}

/** What one beacon scenario's counted views cost, from rows and requests the run measured. */
export interface ViewCostInputs {
  /** Beacons the worker answered (each a Workers request and a DO request). */
  beacons: number;
  /** Views the counter objects hold afterwards. */
  views: number;
  objects: number;
  /** Visitor rows the views wrote; rows a split copied are `copiedRows`, priced apart. */
  viewRows: number;
  fixedRows: number;
  /** The split's one-off copy: rows new shards took from their parents, and its DO requests. */
  copiedRows?: number;
  newShards?: number;
  copyRequests?: number;
  /** Flush alarms: one per object per flush interval it had views in. */
  flushes: number;
  d1RowsPerFlush: number;
}

/** Views each object collects per flush interval; its once-a-day rows spread over its day. */
export type Traffic = { viewsPerFlush: number; flushSeconds: number };

/** Over 1,000 articles the run's density follows the machine's speed, so it is stated here. */
export const spreadTraffic: Traffic = { viewsPerFlush: 10, flushSeconds: 60 };

/** setAlarm rows per flush: one after a busy interval (2 hits or more), else two (counter.ts alarm()). */
export const setAlarmRowsPerFlush = (viewsPerFlush: number) => (viewsPerFlush >= 2 ? 1 : 2);

/** Each flush is an alarm (DO request) and its setAlarm rows; without `traffic`, as run. */
export function viewCost(i: ViewCostInputs, traffic?: Traffic) {
  const per = (n: number) => n / i.views;
  const flushes = traffic ? i.views / traffic.viewsPerFlush : i.flushes;
  const objectDays = traffic
    ? i.views / ((traffic.viewsPerFlush * 86_400) / traffic.flushSeconds)
    : i.objects;
  const workerRequestsPerView = per(i.beacons);
  const doRequestsPerView = per(i.beacons + flushes);
  const alarmRows = setAlarmRowsPerFlush(i.views / flushes) * flushes;
  const doRowsPerView = per(i.viewRows + (i.fixedRows / i.objects) * objectDays + alarmRows);
  const d1RowsPerView = per(flushes * i.d1RowsPerFlush);
  // Left out on purpose: a split's copy (splitCopy) happens once per new shard, not per view.
  return {
    ...{ workerRequestsPerView, doRequestsPerView, doRowsPerView, d1RowsPerView },
    dollarsPerMillion:
      workerRequestsPerView * prices.workersRequest +
      doRequestsPerView * prices.doRequest +
      (doRowsPerView + d1RowsPerView) * prices.rowWritten,
  };
}

/**
 * A split's one-off copy, apart from the per-view figure: each new shard copies its buckets'
 * visitor rows of today and yesterday once (unique visitors stay exact across the split), not
 * once per 2-minute run. `asRunRowsPerView`: what it would add if priced in this run.
 */
export function splitCopy(i: ViewCostInputs) {
  const [rows, requests, shards] = [i.copiedRows ?? 0, i.copyRequests ?? 0, i.newShards ?? 0];
  const dollars = (rows * prices.rowWritten + requests * prices.doRequest) / 1e6;
  const perSplit = shards ? dollars / shards : 0;
  return { rows, requests, shards, dollars, perSplit, asRunRowsPerView: rows / i.views };
}
