/**
 * The one load tool: autocannon as a library (each request its own path and visitor), in a child
 * process of its own. Around each round the harness reads, from /proc, the CPU time the target's
 * workerd spent, which is steadier than req/s on a shared machine.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export interface LoadSpec {
  origin: string;
  method: 'GET' | 'POST';
  /** Request n goes to paths[(offset + n) % paths.length]. */
  paths: string[];
  offset: number;
  /** Every request from a new browser-like visitor, numbered from visitorBase. */
  visitors: boolean;
  visitorBase: number;
  connections: number;
  durationSec: number;
}

export interface Round {
  rps: number;
  sent: number;
  ok: number;
  /** Non-2xx answers, socket errors and timeouts. */
  failed: number;
  p50: number;
  p99: number;
  /** workerd CPU per 2xx answer, µs (the target's processes only; NaN off Linux). */
  cpuUs: number;
}

/**
 * A browser-like reader: Chrome on Windows with a build number that encodes the visitor, and a
 * client IP from 198.18.0.0/15 (reserved for benchmarks, RFC 2544), standing in for the edge.
 */
export function visitorHeaders(n: number): Record<string, string> {
  const ip = n % 131_072;
  return {
    'user-agent': `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.${Math.floor(n / 1000)}.${n % 1000} Safari/537.36`,
    'cf-connecting-ip': `198.${18 + (ip >> 16)}.${(ip >> 8) & 255}.${ip & 255}`,
  };
}

export const benchHeaders = { 'user-agent': 'gazette-bench' };

/** Runs in the child: one autocannon run per message. */
async function drive(spec: LoadSpec): Promise<Omit<Round, 'cpuUs'>> {
  let next = 0;
  const result = await autocannon({
    url: spec.origin,
    connections: spec.connections,
    duration: spec.durationSec,
    timeout: 10,
    requests: [
      {
        method: spec.method,
        setupRequest: (req) => {
          const n = next++;
          const path = spec.paths[(spec.offset + n) % spec.paths.length]!;
          const headers = spec.visitors ? visitorHeaders(spec.visitorBase + n) : benchHeaders;
          return { ...req, path, headers };
        },
      },
    ],
  });
  const ok = result['2xx'];
  const failed = result.non2xx + result.errors + result.timeouts;
  const { p50, p99 } = result.latency;
  return { rps: ok / spec.durationSec, sent: next, ok, failed, p50, p99 };
}

if (process.argv[2] === '--child' && process.send) {
  process.on('message', (spec: LoadSpec) => {
    drive(spec).then(
      (round) => process.send!({ round }),
      (err: unknown) => process.send!({ error: String(err) }),
    );
  });
}

/** On-CPU time of the given processes, every thread, in ns (schedstat; ticks are only 10 ms). */
export const cpuNs = (pids: number[]) =>
  pids.reduce((sum, pid) => {
    try {
      const tasks = readdirSync(`/proc/${pid}/task`);
      const read = (t: string) =>
        Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
      return sum + tasks.reduce((s, t) => s + read(t), 0);
    } catch {
      return NaN;
    }
  }, 0);

/** workerd processes this harness started (Miniflare spawns them as its children). */
export function workerdPids(): number[] {
  const pids = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  return pids.map(Number).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return stat.includes('(workerd') && Number(ppid) === process.pid;
    } catch {
      return false;
    }
  });
}

export class LoadClient {
  private readonly child: ChildProcess;

  constructor() {
    // The harness runs under tsx; fork passes its loader on, so the child runs this file as is.
    this.child = fork(fileURLToPath(import.meta.url), ['--child'], { stdio: 'inherit' });
  }

  /** One round; `pids` are the target's workerd processes, whose CPU is read around it. */
  async run(spec: LoadSpec, pids: number[]): Promise<Round> {
    const before = cpuNs(pids);
    const answer = new Promise<{ round?: Omit<Round, 'cpuUs'>; error?: string }>((resolve) =>
      this.child.once('message', resolve),
    );
    this.child.send(spec);
    const { round, error } = await answer;
    if (!round) throw new Error(`load client failed: ${error}`);
    return { ...round, cpuUs: (cpuNs(pids) - before) / 1000 / Math.max(1, round.ok) };
  }

  close() {
    this.child.kill();
  }
}
