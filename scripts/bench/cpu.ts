/**
 * Who used the CPU while a measurement ran. On a 2-core machine another job (a test run, a
 * build) steals from workerd and the client and quietly lowers every figure; the report
 * names that load instead of hiding it. Linux only; elsewhere the sample is empty.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: /proc counts CPU time in these ticks on every Linux the project runs on. */
const ticksPerSecond = 100;

export interface CpuSample {
  at: number;
  machineBusyTicks: number;
  workerdTicks: number;
  selfMicros: number;
}

export interface CpuShare {
  /** Cores kept busy on the whole machine, and by whom (averaged over the window). */
  machine: number;
  workerd: number;
  client: number;
  /** This process: mostly draining workerd's log lines. */
  harness: number;
  /** Everything else: other people's jobs and the kernel's share of them. */
  foreign: number;
}

function readProc(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function machineBusyTicks(): number {
  const line = readProc('/proc/stat')?.split('\n')[0];
  if (!line?.startsWith('cpu ')) return Number.NaN;
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return user! + nice! + system! + irq! + softirq! + (steal ?? 0);
}

/** utime + stime of a process; fields counted after the ')' that ends the command name. */
function processTicks(pid: number): number {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return 0;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** workerd processes started by this harness (Miniflare spawns them as our children). */
export function workerdPids(parent = process.pid): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    const stat = readProc(`/proc/${entry}/stat`);
    if (!stat) continue;
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === parent && comm.startsWith('workerd')) pids.push(Number(entry));
  }
  return pids;
}

export function sampleCpu(workerd: number[]): CpuSample {
  const self = process.cpuUsage();
  return {
    at: performance.now(),
    machineBusyTicks: machineBusyTicks(),
    workerdTicks: workerd.reduce((sum, pid) => sum + processTicks(pid), 0),
    selfMicros: self.user + self.system,
  };
}

export function cpuShare(before: CpuSample, after: CpuSample, clientCpuSec: number): CpuShare {
  const seconds = (after.at - before.at) / 1000;
  const machine = (after.machineBusyTicks - before.machineBusyTicks) / ticksPerSecond / seconds;
  const workerd = (after.workerdTicks - before.workerdTicks) / ticksPerSecond / seconds;
  const client = clientCpuSec / seconds;
  const harness = (after.selfMicros - before.selfMicros) / 1e6 / seconds;
  return {
    machine,
    workerd,
    client,
    harness,
    foreign: Math.max(0, machine - workerd - client - harness),
  };
}

/** Busy cores right now, over a short window: used to wait for a quieter machine. */
export async function machineLoad(windowMs = 1000): Promise<number> {
  const before = machineBusyTicks();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  return (machineBusyTicks() - before) / ticksPerSecond / (windowMs / 1000);
}
