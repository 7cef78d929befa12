/** The machine and the toolchain a report was measured on, so figures can be compared. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../lib/run-worker';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  loadAverage: number[];
}

export function machineInfo(): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    // lscpu names virtual CPUs better than /proc/cpuinfo's model name on some hosts.
    const line = execFileSync('lscpu', { encoding: 'utf8' })
      .split('\n')
      .find((l) => l.startsWith('Model name:'));
    if (line) cpuModel = line.slice('Model name:'.length).trim();
  } catch {
    // No lscpu: keep Node's answer.
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** The version `from` (a package) would load: nested copies win, as they do at run time. */
function packageVersion(name: string, from?: string): string {
  const candidates = [
    ...(from
      ? [join(projectRoot, 'node_modules', from, 'node_modules', name, 'package.json')]
      : []),
    join(projectRoot, 'node_modules', name, 'package.json'),
  ];
  try {
    // Packages whose exports map hides package.json (hono, drizzle-orm) need the plain path.
    candidates.push(createRequire(candidates[0]!).resolve(`${name}/package.json`));
  } catch {
    // Fine: the paths above cover the usual layouts.
  }
  for (const path of candidates) {
    try {
      return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
    } catch {
      // Try the next layout.
    }
  }
  return 'not installed';
}

export function versions(): Record<string, string> {
  return {
    node: process.version,
    workerd: packageVersion('workerd', 'miniflare'),
    wrangler: packageVersion('wrangler'),
    miniflare: packageVersion('miniflare'),
    hono: packageVersion('hono'),
    '@hono/zod-openapi': packageVersion('@hono/zod-openapi'),
    zod: packageVersion('zod'),
    'drizzle-orm': packageVersion('drizzle-orm'),
    autocannon: packageVersion('autocannon'),
  };
}
