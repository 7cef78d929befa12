/**
 * `npm run bench:issue-method`: the platform primitives that the benchmark issue based its ratio
 * budgets on, measured again by the issue's own method: a bare worker in workerd with a direct
 * socket, `wrk -t2 -c32 -d8s` from loopback, the median of 5 runs, each route's median divided
 * by the constant route's. The issue found one D1 read at 0.134 of the constant route and one
 * Durable Object increment at 0.153, and set Gazette's budgets at 0.12 of it, about 10 % below
 * both. This script shows whether those primitives still reach 0.12 on this machine before any
 * Gazette code runs. It needs wrk (Debian: apt-get install -y wrk).
 *
 *   options: --runs N (5) --duration S (8) --rows N (10000)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startPrimitives } from './primitives';

export interface IssuePrimitive {
  path: string;
  label: string;
  /** The ratio the issue measured, where it measured this primitive. */
  issueRatio: number | null;
}

export const issuePrimitives: IssuePrimitive[] = [
  { path: '/constant', label: 'constant response', issueRatio: 1 },
  { path: '/d1?id=4242', label: 'one D1 read', issueRatio: 0.134 },
  {
    path: '/d1-session?id=4242',
    label: 'one D1 read in a fresh Sessions API session',
    issueRatio: null,
  },
  { path: '/do', label: 'one DO increment', issueRatio: 0.153 },
];

/** The ratio budget the issue set on top of these primitives (article JSON and the beacon). */
export const issueRatioBudget = 0.12;

export function parseWrkRequestsPerSecond(output: string): number {
  const match = /^Requests\/sec:\s+([\d.]+)\s*$/m.exec(output);
  if (!match) throw new Error(`no "Requests/sec" line in wrk's output:\n${output}`);
  const failed = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  if (failed) throw new Error(`wrk saw ${failed[1]} failed responses:\n${output}`);
  return Number(match[1]);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface IssuePrimitiveRow extends IssuePrimitive {
  runs: number[];
  median: number;
  ratio: number;
}

/** Each route's median over its runs, as a ratio to the constant route's median. */
export function summarize(
  primitives: readonly IssuePrimitive[],
  runs: ReadonlyMap<string, readonly number[]>,
): IssuePrimitiveRow[] {
  const constant = median(runs.get('/constant') ?? []);
  return primitives.map((p) => {
    const measured = [...(runs.get(p.path) ?? [])];
    const m = median(measured);
    return { ...p, runs: measured, median: m, ratio: m / constant };
  });
}

export function renderTable(rows: readonly IssuePrimitiveRow[]): string {
  const lines = [
    `| primitive | req/s, each run | median | ratio to constant | the issue measured | reaches the ${issueRatioBudget} budget |`,
    '|---|---|---:|---:|---:|---|',
  ];
  for (const row of rows) {
    const budget =
      row.path === '/constant' ? '—' : row.ratio >= issueRatioBudget ? 'yes' : '**no**';
    lines.push(
      `| ${row.label} | ${row.runs.map((r) => Math.round(r).toLocaleString('en-US')).join(', ')} | ${Math.round(row.median).toLocaleString('en-US')} | ${row.ratio.toFixed(3)} | ${row.issueRatio?.toFixed(3) ?? '—'} | ${budget} |`,
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
  const primitives = await startPrimitives(options.rows);
  const runs = new Map<string, number[]>();
  try {
    // Rounds, not one route after another: drift on a shared machine then lands on every route.
    for (let round = 1; round <= options.rounds; round++) {
      for (const p of issuePrimitives) {
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
    rows: summarize(issuePrimitives, runs),
  };
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      duration: { type: 'string', default: '8' },
      rows: { type: 'string', default: '10000' },
    },
  });
  if (!wrkInstalled()) {
    console.error('wrk is not installed; on Debian: apt-get install -y wrk');
    process.exit(2);
  }
  const result = await measureIssueMethod({
    rounds: Number(args.runs),
    durationSec: Number(args.duration),
    rows: Number(args.rows),
    log: (msg) => console.error(msg),
  });
  console.log(
    `${result.command}, median of ${result.rounds}, ${args.rows} rows, ${new Date().toISOString()}\n`,
  );
  console.log(renderTable(result.rows));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
