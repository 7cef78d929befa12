/**
 * `npm run bench:issue-method`: the platform primitives that the benchmark issue based its ratio
 * budgets on, measured again by the issue's own method: a bare worker in workerd with a direct
 * socket, `wrk -t2 -c32 -d8s` from loopback, the median of 5 runs, each route's median divided
 * by the constant route's. The issue found one D1 read at 0.134 of the constant route and one
 * Durable Object increment at 0.153, and set the budgets of the routes built on them at 0.12
 * (10 % below the read, 22 % below the increment). This script shows what those primitives
 * measure on this machine today. It needs wrk (Debian: apt-get install -y wrk).
 *
 *   options: --runs N (5) --duration S (8) --rows N (10000)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startPrimitives } from './primitives';
import { median as medianOf } from './stats';

export interface IssuePrimitive {
  path: string;
  label: string;
  /** The ratio the issue measured, where it measured this primitive. */
  issueRatio: number | null;
}

/** The routes, for a D1 table of `rows` rows: the row read must exist, or a miss is measured. */
export function issuePrimitives(rows: number): IssuePrimitive[] {
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`rows must be ≥ 1, got ${rows}`);
  const id = Math.min(4242, rows);
  return [
    { path: '/constant', label: 'constant response', issueRatio: 1 },
    { path: `/d1?id=${id}`, label: 'one D1 read', issueRatio: 0.134 },
    {
      path: `/d1-session?id=${id}`,
      label: 'one D1 read in a fresh Sessions API session',
      issueRatio: null,
    },
    { path: '/do', label: 'one DO increment', issueRatio: 0.153 },
  ];
}

/** The ratio budget the issue set on the routes built on these primitives (article JSON, the beacon). */
export const issueRatioBudget = 0.12;

/** Requests per second from wrk's report; a run with failed responses or socket errors is refused. */
export function parseWrkRequestsPerSecond(output: string): number {
  const match = /^Requests\/sec:\s+([\d.]+)\s*$/m.exec(output);
  if (!match) throw new Error(`no "Requests/sec" line in wrk's output:\n${output}`);
  const failed = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  if (failed) throw new Error(`wrk saw ${failed[1]} failed responses:\n${output}`);
  const socket = /Socket errors:\s*connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    output,
  );
  if (socket && socket.slice(1).some((n) => Number(n) > 0)) {
    throw new Error(`wrk saw socket errors:\n${output}`);
  }
  return Number(match[1]);
}

/** The bench's median, except that no runs at all is an error here: a ratio needs both sides. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of nothing');
  return medianOf(values);
}

export interface IssuePrimitiveRow extends IssuePrimitive {
  /** Requests per second, one per round, in round order. */
  runs: number[];
  median: number;
  /** This route's median over the constant route's median: the issue's own figure. */
  ratio: number;
  /**
   * The median over rounds of this route's rate over the constant route's in the same round:
   * steadier when the whole machine speeds up or slows down between rounds.
   */
  pairedRatio: number;
}

/** `runs` holds each route's rate per round, every route measured once in each round. */
export function summarize(
  primitives: readonly IssuePrimitive[],
  runs: ReadonlyMap<string, readonly number[]>,
): IssuePrimitiveRow[] {
  const constantRuns = runs.get('/constant') ?? [];
  const constant = median(constantRuns);
  return primitives.map((p) => {
    const measured = [...(runs.get(p.path) ?? [])];
    if (measured.length !== constantRuns.length) {
      throw new RangeError(`${p.path}: ${measured.length} rounds against ${constantRuns.length}`);
    }
    const m = median(measured);
    return {
      ...p,
      runs: measured,
      median: m,
      ratio: m / constant,
      pairedRatio: median(measured.map((rps, round) => rps / constantRuns[round]!)),
    };
  });
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

export function renderTable(rows: readonly IssuePrimitiveRow[]): string {
  const lines = [
    `| primitive | req/s, each round | median | ratio of the medians (the issue's figure) | median of the per-round ratios | the issue measured | at or above ${issueRatioBudget} |`,
    '|---|---|---:|---:|---:|---:|---|',
  ];
  for (const row of rows) {
    const reached = Math.max(row.ratio, row.pairedRatio) >= issueRatioBudget;
    lines.push(
      `| ${row.label} | ${row.runs.map(count).join(', ')} | ${count(row.median)} | ` +
        `${row.ratio.toFixed(3)} | ${row.pairedRatio.toFixed(3)} | ${row.issueRatio?.toFixed(3) ?? '—'} | ` +
        `${row.path === '/constant' ? '—' : reached ? 'yes' : '**no**'} |`,
    );
  }
  return lines.join('\n');
}

export interface IssueMethodResult {
  command: string;
  rounds: number;
  rows: IssuePrimitiveRow[];
}

export function wrkInstalled(): boolean {
  return !spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error;
}

/** Runs the issue's method on a fresh bare worker; `rows` is the D1 table's size. */
export async function measureIssueMethod(options: {
  rounds: number;
  durationSec: number;
  rows: number;
  log?: (msg: string) => void;
}): Promise<IssueMethodResult> {
  const primitiveRoutes = issuePrimitives(options.rows);
  const primitives = await startPrimitives(options.rows);
  const runs = new Map<string, number[]>();
  try {
    // Rounds, every route once in each: each route's rate can be set against the constant
    // route's in the same round (pairedRatio), as well as median against median.
    for (let round = 1; round <= options.rounds; round++) {
      for (const p of primitiveRoutes) {
        const output = execFileSync(
          'wrk',
          ['-t2', '-c32', `-d${options.durationSec}s`, `${primitives.origin}${p.path}`],
          { encoding: 'utf8' },
        );
        const rps = parseWrkRequestsPerSecond(output);
        runs.set(p.path, [...(runs.get(p.path) ?? []), rps]);
        options.log?.(`[round ${round}/${options.rounds}] ${p.label}: ${Math.round(rps)} req/s`);
      }
    }
  } finally {
    await primitives.dispose();
  }
  return {
    command: `wrk -t2 -c32 -d${options.durationSec}s`,
    rounds: options.rounds,
    rows: summarize(primitiveRoutes, runs),
  };
}

export function positiveInteger(name: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new RangeError(`--${name} wants a whole number ≥ 1`);
  return n;
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      duration: { type: 'string', default: '8' },
      rows: { type: 'string', default: '10000' },
    },
  });
  const rounds = positiveInteger('runs', args.runs);
  const durationSec = positiveInteger('duration', args.duration);
  const rows = positiveInteger('rows', args.rows);
  if (!wrkInstalled()) {
    console.error('wrk is not installed; on Debian: apt-get install -y wrk');
    process.exit(2);
  }
  const result = await measureIssueMethod({
    rounds,
    durationSec,
    rows,
    log: (msg) => console.error(msg),
  });
  console.log(`${result.command}, ${rounds} round(s), ${rows} rows, ${new Date().toISOString()}\n`);
  console.log(renderTable(result.rows));
}

const invokedDirectly =
  process.argv[1] !== undefined &&
  realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invokedDirectly) {
  await main().catch((err: unknown) => {
    // A bad option is the caller's mistake: say which, without a stack trace.
    console.error(err instanceof RangeError ? err.message : err);
    process.exit(2);
  });
}
