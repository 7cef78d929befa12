/**
 * Sizes and startup. Startup is judged as CPU (schedstat) per isolate, in alternating rounds
 * against a one-route Hono worker with Gazette's compatibility date, flags, minify and keep_names.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { convertV4MiniflareOptions, Miniflare, type V4MiniflareOptions } from 'miniflare';
import { projectRoot, readerScript } from '../lib/run-worker';
import { cpuNs, workerdPids } from './load';

const run = promisify(execFile);
const wrangler = join(projectRoot, 'node_modules', '.bin', 'wrangler');
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
const compatibilityDate = /^compatibility_date = "(.+)"/m.exec(
  readFileSync(join(projectRoot, 'wrangler.toml'), 'utf8'),
)![1];

/** Gzipped bytes of every module wrangler would upload (source maps and its README are not): for
 * buildWorker's folder, the readers' worker (the admin worker's bundle is beside it). */
export function bundleGzip(buildDir: string): number {
  return readdirSync(buildDir, { recursive: true, encoding: 'utf8' })
    .filter((name) => !name.endsWith('.map') && name !== 'README.md')
    .filter((name) => statSync(join(buildDir, name)).isFile())
    .reduce((sum, name) => sum + gzipSync(readFileSync(join(buildDir, name))).length, 0);
}

/** embed.js as the asset build wrote it (the build runs it as wrangler's [build] command). */
export function embedGzip(): number | null {
  try {
    return gzipSync(readFileSync(join(projectRoot, 'public', 'embed.js'))).length;
  } catch {
    return null;
  }
}

/** On-CPU time (schedstat) of a workerd that starts `isolates` workers all running `bundle`. */
async function workerdStartupNs(bundle: string, isolates: number): Promise<number> {
  const before = new Set(workerdPids());
  const workers = Array.from({ length: isolates }, (_, i) => ({
    name: `w${i}`,
    compatibilityDate,
    compatibilityFlags: ['nodejs_compat'],
    // Each copy distinct, so no cache can share one isolate's compile with another.
    modules: [{ type: 'ESModule', path: 'index.js', contents: `${bundle}\n// copy ${i}\n` }],
  }));
  const mf = new Miniflare(convertV4MiniflareOptions({ workers } as V4MiniflareOptions));
  try {
    await mf.ready;
    return cpuNs(workerdPids().filter((p) => !before.has(p)));
  } finally {
    await mf.dispose();
  }
}

/**
 * What one more isolate running the bundle costs at startup (isolate, compile, top-level
 * evaluation), in ms of CPU: workerd started with 11 copies, less workerd with one, over 10.
 * CPU time, because profile samples (`wrangler check startup`) are wall time, 10 ms apart here.
 */
async function startupMs(bundle: string): Promise<number> {
  return ((await workerdStartupNs(bundle, 11)) - (await workerdStartupNs(bundle, 1))) / 10 / 1e6;
}

/** Gazette's bundle and a one-route Hono worker's (same date, flags, minify), in turn. */
export async function measureStartup(
  buildDir: string,
  rounds: number,
): Promise<{ gazette: number; floor: number }[]> {
  // Inside the project, so the floor worker resolves hono from node_modules.
  const dir = join(projectRoot, '.bench', 'startup-floor');
  mkdirSync(join(dir, 'src'), { recursive: true });
  try {
    writeFileSync(
      join(dir, 'src', 'index.ts'),
      "import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/', (c) => c.text('ok'));\nexport default app;\n",
    );
    const toml = readFileSync(join(projectRoot, 'wrangler.toml'), 'utf8');
    const setting = (key: string) => new RegExp(`^${key} = .*$`, 'm').exec(toml)?.[0] ?? '';
    const settings = ['compatibility_date', 'compatibility_flags', 'minify', 'keep_names'].map(
      setting,
    );
    writeFileSync(
      join(dir, 'wrangler.toml'),
      ['name = "startup-floor"', 'main = "src/index.ts"', ...settings, ''].join('\n'),
    );
    await run(wrangler, ['deploy', '--dry-run', '--outdir', join(dir, 'out')], { cwd: dir, env });
    // The readers' worker: the startup readers pay (the admin worker starts for editors only).
    const gazette = readFileSync(readerScript(buildDir), 'utf8');
    const floor = readFileSync(join(dir, 'out', 'index.js'), 'utf8');
    const results = [];
    for (let i = 0; i < rounds; i++) {
      results.push({ gazette: await startupMs(gazette), floor: await startupMs(floor) });
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
