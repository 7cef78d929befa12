/**
 * Static budgets: the deployed bundle's gzipped size, the worker's startup CPU and the embed
 * script's gzipped size. Startup comes from `wrangler check startup`, which profiles the
 * bundle in a local workerd and needs no network.
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { median } from './stats';
import { projectRoot } from '../lib/run-worker';

const run = promisify(execFile);

export interface BundleSize {
  files: { name: string; bytes: number; gzip: number }[];
  bytes: number;
  gzip: number;
  /** Raw bytes of index.js by bundled package or source folder, largest first. */
  composition: { module: string; bytes: number }[];
}

/** Every module wrangler would upload (source maps and its README are not uploaded). */
export function measureBundle(buildDir: string): BundleSize {
  const files = readdirSync(buildDir, { recursive: true, encoding: 'utf8' })
    .filter((name) => !name.endsWith('.map') && name !== 'README.md')
    .filter((name) => statSync(join(buildDir, name)).isFile())
    .map((name) => {
      const data = readFileSync(join(buildDir, name));
      return { name, bytes: data.length, gzip: gzipSync(data).length };
    });
  const main = join(buildDir, 'index.js');
  const metafile = `${buildDir}.meta.json`;
  return {
    files,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    gzip: files.reduce((sum, f) => sum + f.gzip, 0),
    composition: existsSync(metafile)
      ? compositionFromMetafile(readFileSync(metafile, 'utf8'))
      : existsSync(main)
        ? composition(readFileSync(main, 'utf8'))
        : [],
  };
}

/** esbuild's own account of each input's bytes in the (minified) output. */
function compositionFromMetafile(json: string): { module: string; bytes: number }[] {
  const meta = JSON.parse(json) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const sizes = new Map<string, number>();
  for (const [name, output] of Object.entries(meta.outputs)) {
    if (name.endsWith('.map')) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const module = moduleMark(`// ${input}`) ?? input;
      sizes.set(module, (sizes.get(module) ?? 0) + bytesInOutput);
    }
  }
  return [...sizes].map(([module, bytes]) => ({ module, bytes })).sort((a, b) => b.bytes - a.bytes);
}

function composition(source: string): { module: string; bytes: number }[] {
  const sizes = new Map<string, number>();
  let current = '(bundle prelude)';
  for (const line of source.split('\n')) {
    current = moduleMark(line) ?? current;
    sizes.set(current, (sizes.get(current) ?? 0) + Buffer.byteLength(line) + 1);
  }
  return [...sizes].map(([module, bytes]) => ({ module, bytes })).sort((a, b) => b.bytes - a.bytes);
}

export interface StartupRun {
  activeMs: number;
  gcMs: number;
  wranglerGzipKiB: number | null;
}

export interface StartupProfile {
  runs: StartupRun[];
  medianActiveMs: number;
  /** A one-route Hono worker's startup on this machine, measured the same way (the floor). */
  floorMs?: number;
  /** Where the CPU went, by bundled module (from the last run's profile). */
  topModules: { module: string; ms: number }[];
  topFunctions: { name: string; module: string; ms: number }[];
  method: string;
}

export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  samples: number[];
  timeDeltas: number[];
}

function parseMs(text: string, label: string): number | null {
  const m = new RegExp(`${label}:\\s*([\\d.]+)\\s*(ms|μs|us|s)\\b`).exec(text);
  if (!m) return null;
  const value = Number(m[1]);
  return m[2] === 's' ? value * 1000 : m[2] === 'ms' ? value : value / 1000;
}

/**
 * Unminified esbuild output starts each bundled module with a `// path` comment; mapping
 * a profile line to the last such comment above it names the package that ran.
 */
function moduleMark(text: string): string | null {
  const m = /^\/\/ (\S+\.(?:[cm]?js|tsx?|json))$/.exec(text);
  if (!m) return null;
  const path = m[1]!;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1]!;
  // Our own code, by feature folder (src/articles, src/lib, ...).
  const own = /(?:^|\/)(src\/[^/]+)/.exec(path);
  return own ? own[1]! : path;
}

function moduleIndex(bundleSource: string): { line: number; module: string }[] {
  const marks: { line: number; module: string }[] = [];
  bundleSource.split('\n').forEach((text, line) => {
    const module = moduleMark(text);
    if (module) marks.push({ line, module });
  });
  return marks;
}

function moduleAt(marks: { line: number; module: string }[], line: number): string {
  let lo = 0;
  let hi = marks.length - 1;
  let found = '(bundle prelude)';
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (marks[mid]!.line <= line) {
      found = marks[mid]!.module;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * Self time by bundled module and by function; idle samples are left out. `delta` weighs a
 * sample by the time since the previous one (wrangler's way, right for a busy startup);
 * `count` gives every sample the median interval, because under load the isolate waits on
 * I/O between requests and a time delta would bill the whole wait to the next sample.
 */
export function attributeProfile(
  profile: CpuProfile,
  bundleSource: string | null,
  top = 8,
  weighting: 'delta' | 'count' = 'delta',
) {
  const interval = median(profile.timeDeltas) / 1000;
  const marks = bundleSource ? moduleIndex(bundleSource) : [];
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const modules = new Map<string, number>();
  const functions = new Map<string, { name: string; module: string; ms: number }>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const ms = weighting === 'count' ? interval : (profile.timeDeltas[i] ?? 0) / 1000;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') return;
    totalMs += ms;
    // Only the bundle's own lines map to its modules; workerd's built-ins keep their names.
    const inBundle = url === 'index.js' || url.endsWith('/index.js');
    const module =
      inBundle && marks.length ? moduleAt(marks, lineNumber) : url || functionName || '(anonymous)';
    modules.set(module, (modules.get(module) ?? 0) + ms);
    const key = `${functionName}@${module}`;
    const entry = functions.get(key) ?? { name: functionName || '(anonymous)', module, ms: 0 };
    entry.ms += ms;
    functions.set(key, entry);
  });
  const largest = <T extends { ms: number }>(items: T[]) =>
    items.sort((a, b) => b.ms - a.ms).slice(0, top);
  return {
    totalMs,
    topModules: largest([...modules].map(([module, ms]) => ({ module, ms }))),
    topFunctions: largest([...functions.values()]),
  };
}

/**
 * Builds the upload bundle once, then profiles its startup `runs` times and takes the median
 * of wrangler's "Active" time (samples that were not idle, garbage collection included).
 */
export async function measureStartup(runs: number): Promise<StartupProfile> {
  const wrangler = join(projectRoot, 'node_modules', '.bin', 'wrangler');
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
  const dir = mkdtempSync(join(tmpdir(), 'gazette-startup-'));
  try {
    const bundle = join(dir, 'worker.bundle');
    await run(wrangler, ['deploy', '--dry-run', '--outfile', bundle], { cwd: projectRoot, env });
    const results: StartupRun[] = [];
    let lastProfile: CpuProfile | null = null;
    for (let i = 0; i < runs; i++) {
      const outfile = join(dir, `startup-${i}.cpuprofile`);
      const { stdout, stderr } = await run(
        wrangler,
        ['check', 'startup', '--worker', bundle, '--outfile', outfile],
        { cwd: projectRoot, env },
      );
      const text = `${stdout}\n${stderr}`;
      const activeMs = parseMs(text, 'Active');
      if (activeMs === null) throw new Error(`could not read startup time from:\n${text}`);
      const gzip = /gzip:\s*([\d.]+)\s*KiB/.exec(text);
      results.push({
        activeMs,
        gcMs: parseMs(text.replace(/\(including/, 'including:'), 'including') ?? Number.NaN,
        wranglerGzipKiB: gzip ? Number(gzip[1]) : null,
      });
      lastProfile = JSON.parse(readFileSync(outfile, 'utf8')) as CpuProfile;
    }
    // A minified bundle has no module marks to attribute samples by, so one more profile of
    // the same code built unminified says where the time goes (its own total is not reported).
    const named = join(dir, 'named');
    const namedBundle = join(dir, 'named.bundle');
    const namedProfile = join(dir, 'named.cpuprofile');
    for (const out of [
      ['--outdir', named],
      ['--outfile', namedBundle],
    ]) {
      await run(wrangler, ['deploy', '--dry-run', '--no-minify', ...out], {
        cwd: projectRoot,
        env,
      });
    }
    await run(wrangler, ['check', 'startup', '--worker', namedBundle, '--outfile', namedProfile], {
      cwd: projectRoot,
      env,
    }).catch(() => null);
    const source = readFileSync(join(named, 'index.js'), 'utf8');
    const profile = existsSync(namedProfile)
      ? (JSON.parse(readFileSync(namedProfile, 'utf8')) as CpuProfile)
      : lastProfile!;
    const lines = source.split('\n').length;
    const fits = profile.nodes.every((n) => n.callFrame.lineNumber < lines);
    return {
      runs: results,
      medianActiveMs: median(results.map((r) => r.activeMs)),
      ...attributeProfile(profile, fits ? source : null),
      method: `wrangler check startup --worker <bundle>, ${runs} run(s), median of "Active" (non-idle samples, GC included)`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The startup floor on this machine: a one-route Hono worker with Gazette's compatibility date
 * and flags (nodejs_compat included), built and profiled exactly like Gazette. Median of `runs`.
 */
export async function measureStartupFloor(runs: number): Promise<number> {
  const wrangler = join(projectRoot, 'node_modules', '.bin', 'wrangler');
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
  // Inside the project, so the worker resolves hono from its node_modules.
  const dir = join(projectRoot, '.bench', 'startup-floor');
  mkdirSync(join(dir, 'src'), { recursive: true });
  try {
    writeFileSync(
      join(dir, 'src', 'index.ts'),
      "import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/', (c) => c.text('ok'));\nexport default app;\n",
    );
    const gazetteToml = readFileSync(join(projectRoot, 'wrangler.toml'), 'utf8');
    const setting = (key: string) => new RegExp(`^${key} = .*$`, 'm').exec(gazetteToml)?.[0] ?? '';
    writeFileSync(
      join(dir, 'wrangler.toml'),
      [
        'name = "startup-floor"',
        'main = "src/index.ts"',
        setting('compatibility_date'),
        setting('compatibility_flags'),
        setting('minify'),
        '',
      ].join('\n'),
    );
    const bundle = join(dir, 'worker.bundle');
    await run(wrangler, ['deploy', '--dry-run', '--outfile', bundle], { cwd: dir, env });
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const { stdout, stderr } = await run(
        wrangler,
        ['check', 'startup', '--worker', bundle, '--outfile', join(dir, 'startup.cpuprofile')],
        { cwd: dir, env },
      );
      const activeMs = parseMs(`${stdout}\n${stderr}`, 'Active');
      if (activeMs === null)
        throw new Error(`could not read startup time from:\n${stdout}${stderr}`);
      times.push(activeMs);
    }
    return median(times);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface AssetSize {
  path: string;
  bytes: number;
  gzip: number;
}

export async function measureAsset(origin: string, path: string): Promise<AssetSize | string> {
  const res = await fetch(new URL(path, origin));
  const body = Buffer.from(await res.arrayBuffer());
  if (!res.ok) return `GET ${path} answered ${res.status}`;
  return { path, bytes: body.length, gzip: gzipSync(body).length };
}
