/**
 * Sizes and startup. Startup CPU comes from `wrangler check startup` (a local workerd profile,
 * no network), in alternating rounds against a one-route Hono worker with Gazette's
 * compatibility date, flags and minify setting, judged on the median of the per-round ratios.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { projectRoot } from '../lib/run-worker';

const run = promisify(execFile);
const wrangler = join(projectRoot, 'node_modules', '.bin', 'wrangler');
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };

/** Gzipped bytes of every module wrangler would upload (source maps and its README are not). */
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

async function startupMs(bundle: string, cwd: string): Promise<number> {
  const profile = join(cwd, 'startup.cpuprofile');
  const { stdout, stderr } = await run(
    wrangler,
    ['check', 'startup', '--worker', bundle, '--outfile', profile],
    { cwd, env },
  );
  const m = /Active:\s*([\d.]+)\s*(ms|μs|us|s)\b/.exec(`${stdout}\n${stderr}`);
  if (!m) throw new Error(`no "Active" time in wrangler's output:\n${stdout}${stderr}`);
  const value = Number(m[1]);
  return m[2] === 's' ? value * 1000 : m[2] === 'ms' ? value : value / 1000;
}

export async function measureStartup(
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
    writeFileSync(
      join(dir, 'wrangler.toml'),
      [
        'name = "startup-floor"',
        'main = "src/index.ts"',
        ...['compatibility_date', 'compatibility_flags', 'minify'].map(setting),
        '',
      ].join('\n'),
    );
    const gazette = join(dir, 'gazette.bundle');
    const floor = join(dir, 'floor.bundle');
    await run(wrangler, ['deploy', '--dry-run', '--outfile', gazette], { cwd: projectRoot, env });
    await run(wrangler, ['deploy', '--dry-run', '--outfile', floor], { cwd: dir, env });
    const results = [];
    for (let i = 0; i < rounds; i++) {
      results.push({ gazette: await startupMs(gazette, dir), floor: await startupMs(floor, dir) });
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
