/** Runs the load client as a second process and collects its result and the CPU picture. */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { projectRoot } from '../lib/run-worker';
import { cpuShare, sampleCpu, workerdPids, type CpuSample, type CpuShare } from './cpu';
import type { LoadResult, LoadSpec } from './load-spec';

export interface Measurement extends LoadResult {
  /** The warm-up before it (its beacons count views too, so the view accounting needs it). */
  warmup: LoadResult | null;
  cpu: CpuShare | null;
}

let clientPath: Promise<string> | null = null;

/**
 * The client is bundled once into .bench/ (beside node_modules, so autocannon resolves), so
 * each measurement starts a plain Node process instead of paying for a TypeScript loader.
 */
function preparedClient(): Promise<string> {
  clientPath ??= (async () => {
    const outDir = join(projectRoot, '.bench');
    mkdirSync(outDir, { recursive: true });
    const outfile = join(outDir, 'load-client.mjs');
    await build({
      entryPoints: [join(projectRoot, 'scripts', 'bench', 'load-client.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'error',
    });
    return outfile;
  })();
  return clientPath;
}

/** `onStart` runs when the warm-up is over and the measured window opens. */
export async function runLoad(spec: LoadSpec, onStart?: () => Promise<void>): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), 'gazette-load-'));
  const specPath = join(dir, 'spec.json');
  writeFileSync(specPath, JSON.stringify(spec));
  const workerd = workerdPids();
  try {
    // The same Node that runs the harness (npm puts Node 24 first on PATH).
    const child = spawn(process.execPath, [await preparedClient(), specPath], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    let before: CpuSample | null = null;
    let after: CpuSample | null = null;
    let result: LoadResult | null = null;
    let warmup: LoadResult | null = null;
    for await (const line of createInterface({ input: child.stdout })) {
      let message: { phase: string; result?: LoadResult };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        continue;
      }
      if (message.phase === 'warmup') warmup = message.result!;
      if (message.phase === 'start') {
        await onStart?.();
        before = sampleCpu(workerd);
      }
      if (message.phase === 'done') {
        after = sampleCpu(workerd);
        result = message.result!;
      }
    }
    const code = await exited;
    if (!result || code !== 0) {
      throw new Error(`load client failed (exit ${code}): ${stderr.trim().slice(-2000)}`);
    }
    const cpu =
      before && after && Number.isFinite(before.machineBusyTicks)
        ? cpuShare(before, after, result.clientCpuSec)
        : null;
    return { ...result, warmup, cpu };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
