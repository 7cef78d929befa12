/**
 * Runs the two workers exactly as `wrangler deploy` would upload them, inside workerd through
 * one Miniflare: the readers' worker (wrangler.toml) first, with a direct socket (no dev proxy,
 * no entry worker in front), and the admin worker (wrangler.admin.toml) behind its ADMIN
 * service binding, sharing D1, R2 and Durable Object state as in production. Used by the
 * benchmark and the real-browser tests, which both need the deployed bundles, not the sources.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { convertV4MiniflareOptions, Miniflare, type V4MiniflareOptions } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

export const projectRoot = new URL('../..', import.meta.url).pathname;

/** The readers' worker's name (wrangler.toml) and the admin worker's (wrangler.admin.toml). */
export const readerName = 'gazette';
export const adminName = 'gazette-admin';

/** Where buildWorker(dir) puts the admin worker's bundle (the reader's is `dir` itself). */
export const adminBuildDir = (buildDir: string) => `${buildDir}.admin`;

/** The reader's module in a build folder (wrangler names it after src/reader.ts). */
export function readerScript(buildDir: string): string {
  const reader = join(buildDir, 'reader.js');
  // Another bundle run under the reader's name (the soak's control worker) is an index.js.
  return existsSync(reader) ? reader : join(buildDir, 'index.js');
}

/** Removes what buildWorker(dir) wrote: both bundles and both metafiles. */
export function removeBuild(buildDir: string): void {
  for (const dir of [buildDir, adminBuildDir(buildDir)]) {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.meta.json`, { force: true });
  }
}

export interface StartOptions {
  /** Loopback port for the direct socket; 0 picks a free one. */
  port?: number;
  /** Reuse an existing build in this folder instead of building again. */
  buildDir?: string;
  /** Extra or overridden [vars]. */
  vars?: Record<string, string>;
  /** Print workerd's stdout/stderr (off by default: benchmarks and tests stay quiet). */
  verbose?: boolean;
  /** Open the DevTools inspector on this port (the benchmark's profiler attaches to it). */
  inspectorPort?: number;
  /**
   * Serve [assets] (default true). Locally the assets router sits in front of the worker and
   * costs several times a small route's own CPU; on Cloudflare that routing is not the
   * worker's. The benchmark turns it off to measure the worker's routes alone.
   */
  assets?: boolean;
  /** Each structured log message of the worker (the bench counts some of them). */
  onLog?: (message: string) => void;
  /**
   * Keep D1, R2 and Durable Object state in this folder (kept on dispose) instead of a fresh
   * temporary one; `${dir}/v3` is where wrangler's `--persist-to dir` and getPlatformProxy look.
   */
  stateDir?: string;
  /** Apply migrations/ at start (default true); off for state that already has them. */
  migrate?: boolean;
}

export interface RunningWorker {
  url: URL;
  mf: Miniflare;
  buildDir: string;
  /** Where D1, Durable Object and cache state live on disk (the bench reads counter objects here). */
  stateDir: string;
  /** The admin worker's name in `mf` (getWorker, getDurableObjectNamespace take it). */
  admin: string;
  /** Runs a SQL script (statements separated by ';\n' or drizzle breakpoints) against D1. */
  execSql(sql: string): Promise<void>;
  /**
   * Restarts workerd on the same port, with these [vars] over wrangler.toml's (in place of the
   * start options' vars). D1, Durable Object and cache state stay. `buildDir` runs other
   * bundles under the same two names and bindings, the reader's readerScript(buildDir) and the
   * admin's adminBuildDir(buildDir)/index.js: the soak's control worker.
   */
  restart(
    vars: Record<string, string>,
    options?: { assets?: boolean; buildDir?: string },
  ): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * Builds the reader into `outDir` and the admin worker into adminBuildDir(outDir), each with its
 * esbuild metafile beside it (`${dir}.meta.json`), not in the upload. `extraArgs` go to wrangler
 * (the bench's profiler builds with --no-minify to name functions).
 */
export function buildWorker(
  outDir = mkdtempSync(join(tmpdir(), 'gazette-build-')),
  extraArgs: string[] = [],
): string {
  for (const [config, dir] of [
    ['wrangler.toml', outDir],
    ['wrangler.admin.toml', adminBuildDir(outDir)],
  ] as const) {
    execFileSync(
      join(projectRoot, 'node_modules', '.bin', 'wrangler'),
      [
        'deploy',
        '--dry-run',
        '-c',
        config,
        '--outdir',
        dir,
        '--metafile',
        `${dir}.meta.json`,
      ].concat(extraArgs),
      {
        cwd: projectRoot,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
      },
    );
  }
  return outDir;
}

export function splitSql(script: string): string[] {
  return (
    script
      .split(/-->\s*statement-breakpoint|;\s*\n/)
      // Comment lines go, not the statement they head (a migration may open with a comment).
      .map((s) =>
        s
          .replace(/^\s*--.*$/gm, '')
          .trim()
          .replace(/;$/, ''),
      )
      .filter((s) => s.length > 0)
  );
}

export async function startWorker(options: StartOptions = {}): Promise<RunningWorker> {
  const buildDir = options.buildDir ?? buildWorker();
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'gazette-state-'));
  // The bundles are already built, so wrangler's module rules (which Miniflare 5 cannot take) are moot.
  const fromConfig = (file: string) => {
    const { workerOptions } = unstable_getMiniflareWorkerOptions(join(projectRoot, file));
    const { modulesRules: _rules, ...rest } = workerOptions as typeof workerOptions & {
      modulesRules?: unknown;
    };
    return rest;
  };
  const { assets: assetsOptions, ...readerOptions } = fromConfig('wrangler.toml');
  const adminOptions = fromConfig('wrangler.admin.toml');
  // Miniflare 5 takes a new options shape; wrangler still describes workers in the v4 one.
  const miniflareOptions = (
    vars: Record<string, string> | undefined,
    port: number,
    assets = options.assets ?? true,
    bundleDir = buildDir,
  ) =>
    convertV4MiniflareOptions({
      // The reader first: Miniflare's entry, and the one the direct socket serves. Service and
      // Durable Object bindings between the two go by worker name, as on Cloudflare.
      workers: [
        {
          ...readerOptions,
          ...(assets ? { assets: assetsOptions } : {}),
          name: readerName,
          modules: true,
          scriptPath: readerScript(bundleDir),
          modulesRoot: bundleDir,
          bindings: { ...(readerOptions.bindings ?? {}), ...vars },
          unsafeDirectSockets: [{ host: '127.0.0.1', port }],
        },
        {
          ...adminOptions,
          name: adminName,
          modules: true,
          scriptPath: join(adminBuildDir(bundleDir), 'index.js'),
          modulesRoot: adminBuildDir(bundleDir),
          bindings: { ...(adminOptions.bindings ?? {}), ...vars },
        },
      ],
      // Miniflare 5 reads this (not defaultPersistRoot); without it state lands in its own tmp.
      resourcePersistencePath: stateDir,
      inspectorPort: options.inspectorPort,
      verbose: options.verbose ?? false,
      handleRuntimeStdio: options.verbose
        ? undefined
        : (stdout: Readable, stderr: Readable) => {
            stdout.resume();
            stderr.resume();
          },
      // Miniflare 5 drops handleRuntimeStdio and prints workerd's log lines itself unless told.
      handleStructuredLogs: options.onLog
        ? (log: { message: string }) => options.onLog!(log.message)
        : options.verbose
          ? undefined
          : () => {},
    } as V4MiniflareOptions);
  const mf = new Miniflare(miniflareOptions(options.vars, options.port ?? 0));
  await mf.ready;
  const url = await mf.unsafeGetDirectURL();

  const execSql = async (script: string) => {
    const db = await mf.getD1Database('DB');
    const statements = splitSql(script);
    // D1 caps a batch's size; chunk so a 10,000-article seed goes through.
    for (let i = 0; i < statements.length; i += 200) {
      await db.batch(statements.slice(i, i + 200).map((s) => db.prepare(s)));
    }
  };

  const migrationsDir = join(projectRoot, 'migrations');
  for (const file of readdirSync(migrationsDir)
    .filter((f) => f.endsWith('.sql') && options.migrate !== false)
    .sort()) {
    await execSql(readFileSync(join(migrationsDir, file), 'utf8'));
  }

  return {
    url,
    mf,
    buildDir,
    stateDir,
    admin: adminName,
    execSql,
    async restart(vars, restartOptions = {}) {
      await mf.setOptions(
        miniflareOptions(vars, Number(url.port), restartOptions.assets, restartOptions.buildDir),
      );
    },
    async dispose() {
      await mf.dispose();
      if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
      if (!options.buildDir) removeBuild(buildDir);
    },
  };
}
