/**
 * `npm run bench`: measures Gazette as deployed and writes BENCHMARKS.md.
 *
 *   npm run bench                 full run (10,000 articles, median of 3 paired runs) -> BENCHMARKS.md
 *   npm run bench -- --check      same, and exit 1 when a budget is missed
 *   npm run bench -- --short      smoke run for CI (1,000 articles, 2 s runs, never fails a budget)
 *   options: --runs N --duration S --warmup S --connections N --articles N --only a,b
 *            --out FILE --var KEY=VALUE (override a [vars] entry) --skip-startup --quiet-wait S
 *            --profile (with --only: CPU-profile one measurement per scenario, print where time went)
 *            --issue-method-rounds N (full runs measure the issue's primitives with wrk, 5 rounds)
 *            --render .bench/report.json (rewrite the report from the last run's figures, e.g. after
 *            editing scripts/bench/analysis.md; --check still applies)
 *
 * The worker is the `wrangler deploy --dry-run` bundle in workerd behind a direct socket; the
 * load comes from a second process (scripts/bench/load-client.ts, autocannon). Every figure is
 * paired with a measurement of the constant route taken right before it, and the ratio of the
 * two is what the budgets judge, so a busy machine shifts both sides alike.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { demoChannels, demoSql, generateDemoArticles } from './demo-content';
import { buildWorker, projectRoot, startWorker, type RunningWorker } from './lib/run-worker';
import { machineLoad } from './bench/cpu';
import { runLoad, type Measurement } from './bench/load';
import { describeProfile, Profiler } from './bench/profiler';
import { measureIssueMethod, positiveInteger, wrkInstalled } from './bench/issue-method';
import { visitorHeaders, type LoadResult } from './bench/load-spec';
import { machineInfo, versions } from './bench/machine';
import {
  evaluateBudgets,
  renderMarkdown,
  renderSummary,
  type BenchReport,
  type ScenarioOutcome,
} from './bench/report';
import { startPrimitives, type Primitives } from './bench/primitives';
import {
  constantScenario,
  primitiveConstant,
  scenarios,
  type Dataset,
  type Phase,
  type Scenario,
} from './bench/scenarios';
import { measureAsset, measureBundle, measureStartup, measureStartupFloor } from './bench/sizes';
import { counterUsage } from './bench/views';

const { values: args } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    runs: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    articles: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string' },
    var: { type: 'string', multiple: true, default: [] },
    'skip-startup': { type: 'boolean', default: false },
    'quiet-wait': { type: 'string' },
    profile: { type: 'boolean', default: false },
    render: { type: 'string' },
    'issue-method-rounds': { type: 'string' },
  },
});

const short = args.short;
const config = {
  short,
  articles: Number(args.articles ?? (short ? 1_000 : 10_000)),
  runs: Number(args.runs ?? (short ? 1 : 3)),
  durationSec: Number(args.duration ?? (short ? 2 : 5)),
  /** Before every measurement: connections open, JIT warm. */
  warmupSec: Number(args.warmup ?? (short ? 0.5 : 1)),
  /** Before a scenario's first measurement: caches and counter objects primed. */
  firstWarmupSec: short ? 1 : 3,
  connections: Number(args.connections ?? 32),
  /**
   * Pair every measurement with a constant-route measurement just before it. The short mode
   * skips that (ratios then use the phase's one constant measurement): it only proves the
   * harness runs.
   */
  paired: !short,
  startupRuns: args['skip-startup'] || args.profile ? 0 : short ? 1 : 3,
  /**
   * Rounds of the issue's own primitive measurement (wrk on a bare worker), in full runs, or
   * with --only issue-method; it needs wrk.
   */
  issueMethodRounds:
    short || args.profile || (args.only && !args.only.split(',').includes('issue-method'))
      ? 0
      : positiveInteger('issue-method-rounds', args['issue-method-rounds'] ?? '5'),
  /** Record a CPU profile of one measurement per scenario instead of writing a report. */
  profile: args.profile,
  /** Wait up to this long for other jobs on the machine to settle before each pair. */
  quietWaitSec: Number(args['quiet-wait'] ?? (short ? 0 : 30)),
  vars: Object.fromEntries(
    (args.var ?? []).map((kv) => {
      const at = kv.indexOf('=');
      if (at < 1) throw new Error(`--var wants KEY=VALUE, got '${kv}'`);
      return [kv.slice(0, at), kv.slice(at + 1)];
    }),
  ),
  only: args.only ? new Set(args.only.split(',')) : null,
  out: args.out ?? (short ? join('.bench', 'BENCHMARKS.short.md') : 'BENCHMARKS.md'),
};

const phases: Record<Phase, { vars: Record<string, string>; assets: boolean; about: string }> = {
  primitives: { vars: {}, assets: false, about: 'a bare worker: the platform floor' },
  origin: {
    vars: { API_EDGE_CACHE_SECONDS: '0' },
    assets: false,
    about: 'API_EDGE_CACHE_SECONDS=0: every read does its origin work',
  },
  assets: { vars: {}, assets: true, about: '[assets] on: static files through the assets router' },
  deployed: { vars: {}, assets: false, about: "wrangler.toml's vars" },
};

const began = Date.now();
const log = (msg: string) =>
  process.stderr.write(
    `[bench ${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`,
  );
/** JSON turns NaN (no 2xx answer at all) into null; print both as n/a. */
const num = (value: number | null, digits = 0) =>
  typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : 'n/a';

/** Fisher–Yates with a fixed seed: the same order every run, not the table's order. */
function shuffled<T>(items: T[], seed = 7): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Search routes the API documents, so the scenario finds search wherever it lands. */
async function documentedSearchRoutes(origin: string): Promise<Dataset['searchRoutes']> {
  try {
    const doc = (await (await fetch(new URL('/openapi.json', origin))).json()) as {
      paths?: Record<string, { get?: { parameters?: { name: string; in: string }[] } }>;
    };
    return Object.entries(doc.paths ?? {})
      .filter(([path, item]) => /search/i.test(path) && item.get && !path.includes('{'))
      .map(([path, item]) => {
        const names = (item.get!.parameters ?? [])
          .filter((p) => p.in === 'query')
          .map((p) => p.name);
        const param = names.find((n) => /^(q|query|keyword|keywords|text|term)$/i.test(n));
        return { path, param: param ?? names[0] ?? 'q' };
      });
  } catch {
    return [];
  }
}

async function loadDataset(worker: RunningWorker): Promise<Dataset> {
  const db = await worker.mf.getD1Database('DB');
  const { results } = await db
    .prepare(
      "SELECT id, slug FROM articles WHERE status = 'published' AND published_at <= ? ORDER BY id",
    )
    .bind(Date.now())
    .all<{ id: number; slug: string }>();
  const rows = JSON.parse(JSON.stringify(results)) as { id: number; slug: string }[];
  const leafChannels = demoChannels
    .filter((c) => !demoChannels.some((d) => d.parentSlug === c.slug))
    .map((c) => c.slug);
  return {
    articleIds: shuffled(rows.map((r) => r.id)),
    articlePaths: new Map(rows.map((r) => [r.id, `/articles/${r.id}/${r.slug}`])),
    leafChannels,
    searchTerm: '老旧小区改造',
    searchRoutes: await documentedSearchRoutes(worker.url.origin),
    spread: config.short ? 100 : 1_000,
    primitiveRows: config.articles,
  };
}

let visitorRange = 0;
/** Each measurement gets its own block of visitor numbers, so no visitor ever repeats. */
const nextVisitorBase = () => ++visitorRange * 10_000_000;

async function measure(
  origin: string,
  scenario: Pick<Scenario, 'method' | 'visitors'>,
  paths: string[],
  warmupSec: number,
  pathOffset = 0,
  onStart?: () => Promise<void>,
): Promise<Measurement> {
  return runLoad(
    {
      origin,
      method: scenario.method,
      paths,
      pathOffset,
      headers: scenario.visitors ? {} : { 'user-agent': 'gazette-bench' },
      visitors: scenario.visitors ?? false,
      visitorBase: nextVisitorBase(),
      connections: config.connections,
      warmupSec,
      durationSec: config.durationSec,
    },
    onStart,
  );
}

async function waitForQuiet() {
  if (config.quietWaitSec <= 0) return;
  const deadline = Date.now() + config.quietWaitSec * 1000;
  while (Date.now() < deadline) {
    if ((await machineLoad(1000)) < 0.3) return;
  }
}

/** One request, as the load will send it: the route must answer 2xx and pass the check. */
async function verify(
  origin: string,
  scenario: Scenario,
  path: string,
): Promise<{ ok: true } | { ok: false; missing: boolean; reason: string }> {
  const url = new URL(path.replace('{n}', 'verify'), origin);
  const init = (): RequestInit => ({
    method: scenario.method,
    redirect: 'manual',
    headers: scenario.visitors ? visitorHeaders(999_999_999) : { 'user-agent': 'gazette-bench' },
  });
  let res: Response;
  try {
    res = await fetch(url, init());
  } catch (err) {
    return { ok: false, missing: false, reason: `request failed: ${String(err)}` };
  }
  const body = await res.text();
  if (res.status < 200 || res.status > 299) {
    let code = '';
    try {
      code = (JSON.parse(body) as { code?: string }).code ?? '';
    } catch {
      // Not a problem document; the status says enough.
    }
    // A 4xx on a well-formed request means the route is not there (yet); a 5xx is a failure.
    const missing = res.status >= 400 && res.status < 500;
    return {
      ok: false,
      missing,
      reason: `${scenario.method} ${url.pathname}${url.search} answered ${res.status}${code ? ` (${code})` : ''}`,
    };
  }
  const problem = scenario.verify
    ? await scenario.verify(res, body, () => fetch(url, init()))
    : null;
  return problem ? { ok: false, missing: true, reason: problem } : { ok: true };
}

/** The first candidate path list whose first request verifies, or why none does. */
async function resolvePaths(
  origin: string,
  scenario: Scenario,
  data: Dataset,
): Promise<{ paths: string[] } | { status: 'missing' | 'failed'; reason: string }> {
  const reasons: string[] = [];
  let allMissing = true;
  for (const candidate of scenario.candidates(data)) {
    const result = await verify(origin, scenario, candidate[0]!);
    if (result.ok) return { paths: candidate };
    reasons.push(result.reason);
    allMissing &&= result.missing;
  }
  return { status: allMissing ? 'missing' : 'failed', reason: reasons.join('; ') };
}

async function profileScenario(
  profiler: Profiler,
  origin: string,
  scenario: Scenario,
  data: Dataset,
  bundleSource: string,
) {
  const resolved = await resolvePaths(origin, scenario, data);
  if ('reason' in resolved) {
    log(`${scenario.key}: ${resolved.status}: ${resolved.reason}`);
    return;
  }
  const m = await measure(origin, scenario, resolved.paths, config.firstWarmupSec, 1, () =>
    profiler.start(),
  );
  const profile = await profiler.stop();
  log(`${scenario.key}: ${num(m.rps)} req/s while profiling`);
  process.stdout.write(
    `${describeProfile(scenario.key, profile, bundleSource, join(projectRoot, '.bench'))}\n\n`,
  );
}

/** One request to every path, a few at a time, so the measured runs start from a warm state. */
async function prime(origin: string, scenario: Scenario, paths: string[]) {
  let next = 0;
  let ok = 0;
  const base = nextVisitorBase();
  const worker = async () => {
    while (next < paths.length) {
      const i = next++;
      const res = await fetch(new URL(paths[i]!, origin), {
        method: scenario.method,
        headers: scenario.visitors ? visitorHeaders(base + i) : { 'user-agent': 'gazette-bench' },
      });
      await res.arrayBuffer();
      if (res.ok) ok++;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return { ok, sent: paths.length };
}

async function runScenario(
  worker: RunningWorker,
  origin: string,
  scenario: Scenario,
  data: Dataset,
  constant: Scenario,
): Promise<ScenarioOutcome> {
  const outcome: ScenarioOutcome = {
    key: scenario.key,
    title: scenario.title,
    phase: scenario.phase,
    note: scenario.note,
    status: 'measured',
    runs: [],
  };
  const resolved = await resolvePaths(origin, scenario, data);
  if ('reason' in resolved) {
    outcome.status = resolved.status;
    outcome.reason = resolved.reason;
    log(`${scenario.key}: ${outcome.status}: ${outcome.reason}`);
    return outcome;
  }
  const paths = resolved.paths;
  outcome.path = paths[0]!.replace('{n}', 'N');
  outcome.distinctPaths = paths.length;

  const counted = scenario.countedArticles?.(data);
  let primed = { ok: 0, sent: 0 };
  if (scenario.prime && !config.short) {
    const began = Date.now();
    primed = await prime(origin, scenario, paths);
    outcome.primeSeconds = (Date.now() - began) / 1000;
    log(`${scenario.key}: primed ${paths.length} paths in ${outcome.primeSeconds.toFixed(1)} s`);
  }
  const isConstant = scenario.key === constant.key;
  const constantPaths = constant.candidates(data)[0]!;
  // The verification request used the first path.
  let offset = scenario.fresh ? 1 : 0;
  for (let run = 0; run < config.runs; run++) {
    await waitForQuiet();
    const first = run === 0;
    const base =
      isConstant || !config.paired
        ? null
        : await measure(origin, constant, constantPaths, config.warmupSec);
    const m = await measure(
      origin,
      scenario,
      paths,
      first ? config.firstWarmupSec : config.warmupSec,
      offset,
    );
    offset += m.sent + (m.warmup?.sent ?? 0);
    outcome.runs.push({ measured: m, constant: base });
    const failed = Object.entries(m.statuses).filter(([status]) => !status.startsWith('2'));
    log(
      `${scenario.key} run ${run + 1}/${config.runs}: ${num(m.rps)} req/s` +
        (base ? ` (constant ${num(base.rps)}, ratio ${num(m.rps / base.rps, 3)})` : '') +
        ` p50 ${num(m.p50, 2)} ms p99 ${num(m.p99, 2)} ms` +
        (m.cpu ? `, other load ${num(m.cpu.foreign, 2)} cores` : '') +
        (failed.length || m.errors
          ? `, failures ${JSON.stringify(failed)} errors ${m.errors}`
          : ''),
    );
  }
  if (scenario.fresh && offset > paths.length) {
    outcome.reusedShare = (offset - paths.length) / offset;
  }
  if (counted) {
    const usage = await counterUsage(worker.mf, counted);
    const sum = (pick: (m: LoadResult) => number) =>
      outcome.runs.reduce(
        (acc, r) => acc + pick(r.measured) + (r.measured.warmup ? pick(r.measured.warmup) : 0),
        0,
      );
    // The verification request counted one view too.
    outcome.views = {
      articles: counted.length,
      beaconsOk: sum((m) => m.ok) + primed.ok + 1,
      beaconsSent: sum((m) => m.sent) + primed.sent + 1,
      usage,
    };
  }
  return outcome;
}

function gitDescribe(): string {
  try {
    const git = (...gitArgs: string[]) =>
      execFileSync('git', gitArgs, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    const sha = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no');
    return dirty ? `${sha} with uncommitted changes` : sha;
  } catch {
    return 'unknown commit';
  }
}

async function main() {
  const started = Date.now();
  const selected = scenarios.filter(
    (s) => s.key !== 'constant' && (!config.only || config.only.has(s.key)),
  );

  log(`building the worker as deployed (wrangler deploy --dry-run)`);
  const buildDir = mkdtempSync(join(tmpdir(), 'gazette-bench-build-'));
  buildWorker(buildDir);
  const bundle = measureBundle(buildDir);
  log(`bundle: ${(bundle.gzip / 1024).toFixed(1)} KiB gzipped`);

  let startup: BenchReport['startup'] = null;
  if (config.startupRuns > 0) {
    log(`profiling startup (wrangler check startup x${config.startupRuns})`);
    try {
      startup = await measureStartup(config.startupRuns);
      startup.floorMs = await measureStartupFloor(config.startupRuns);
      log(
        `startup: ${startup.medianActiveMs.toFixed(1)} ms (one-route Hono worker: ${startup.floorMs.toFixed(1)} ms)`,
      );
    } catch (err) {
      startup = { error: String(err) };
      log(`startup profile failed: ${String(err)}`);
    }
  }

  let issueMethod: BenchReport['issueMethod'] = null;
  if (config.issueMethodRounds > 0) {
    if (wrkInstalled()) {
      log(`the issue's primitives by the issue's method (wrk, ${config.issueMethodRounds} rounds)`);
      try {
        issueMethod = await measureIssueMethod({
          rounds: config.issueMethodRounds,
          durationSec: 8,
          rows: config.articles,
          log,
        });
      } catch (err) {
        // The rest of the run still measures; the report says why this part is missing.
        issueMethod = { error: String(err instanceof Error ? err.message : err).split('\n')[0]! };
        log(`the issue's primitives failed: ${issueMethod.error}`);
      }
    } else {
      issueMethod = { error: 'wrk is not installed (Debian: apt-get install -y wrk)' };
      log(`skipping the issue's primitives: ${issueMethod.error}`);
    }
  }

  log(`starting workerd; seeding ${config.articles.toLocaleString('en-US')} articles`);
  const inspectorPort = config.profile ? await freePort() : undefined;
  const worker = await startWorker({ buildDir, vars: config.vars, inspectorPort, assets: false });
  const report: BenchReport = {
    generatedAt: new Date().toISOString(),
    commit: gitDescribe(),
    config: { ...config, only: config.only ? [...config.only] : null },
    machine: machineInfo(),
    versions: versions(),
    bundle,
    startup,
    embed: null,
    seedSeconds: 0,
    scenarios: [],
    issueMethod,
    totalSeconds: 0,
  };
  const stop = async () => {
    await worker.dispose();
    rmSync(buildDir, { recursive: true, force: true });
    rmSync(`${buildDir}.meta.json`, { force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    const seedStart = Date.now();
    const articles = generateDemoArticles({
      count: config.articles,
      newest: Date.now() - 3_600_000,
    });
    await worker.execSql(demoSql(articles));
    report.seedSeconds = (Date.now() - seedStart) / 1000;
    const data = await loadDataset(worker);
    log(
      `seeded ${data.articleIds.length} published articles in ${report.seedSeconds.toFixed(0)} s`,
    );
    const origin = worker.url.origin;

    // Gazette's origin work before the beacons: those leave a thousand counter objects whose
    // flush alarms fire a minute later, and that must not land in another scenario's figures.
    for (const phase of ['primitives', 'origin', 'assets', 'deployed'] as Phase[]) {
      const wanted = selected.filter((s) => s.phase === phase);
      const asked = !config.only || config.only.has('constant') || wanted.length > 0;
      if (!asked || (config.profile && phase === 'primitives')) continue;
      const setup = phases[phase];
      const constant = phase === 'primitives' ? primitiveConstant : constantScenario;
      let target = origin;
      let primitives: Primitives | null = null;
      if (phase === 'primitives') {
        primitives = await startPrimitives(config.articles);
        target = primitives.origin;
      } else {
        await worker.restart({ ...config.vars, ...setup.vars }, { assets: setup.assets });
      }
      log(`phase '${phase}' (${setup.about})`);
      try {
        if (phase === 'assets') {
          const embed = await measureAsset(origin, '/embed.js');
          report.embed = typeof embed === 'string' ? { error: embed } : embed;
        }
        if (inspectorPort) {
          const profiler = new Profiler(inspectorPort);
          await profiler.connect();
          const source = readFileSync(join(buildDir, 'index.js'), 'utf8');
          const profiled = config.only?.has('constant') ? [constant, ...wanted] : wanted;
          for (const scenario of profiled) {
            await profileScenario(profiler, target, scenario, data, source);
          }
          profiler.close();
          continue;
        }
        for (const scenario of [constant, ...wanted]) {
          const outcome = await runScenario(worker, target, scenario, data, constant);
          outcome.phase = phase;
          if (scenario === constant && outcome.status !== 'measured') {
            throw new Error(`the constant route must answer for any ratio: ${outcome.reason}`);
          }
          report.scenarios.push(outcome);
        }
      } finally {
        await primitives?.dispose();
      }
    }
  } finally {
    await stop();
  }
  report.totalSeconds = (Date.now() - started) / 1000;
  if (config.profile) return;

  // The raw figures too, so the report can be re-rendered (--render) without measuring again.
  mkdirSync(join(projectRoot, '.bench'), { recursive: true });
  writeFileSync(join(projectRoot, '.bench', 'report.json'), JSON.stringify(report, null, 1));
  await finish(report);
}

async function finish(report: BenchReport) {
  const budgets = evaluateBudgets(report);
  const out = resolve(projectRoot, report.config.out);
  // Formatted as `npm run format:check` expects, so a fresh BENCHMARKS.md never fails npm test.
  const markdown = await format(renderMarkdown(report, budgets, readAnalysis()), {
    ...(await resolveConfig(out)),
    filepath: out,
  });
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, markdown);
  process.stdout.write(renderSummary(report, budgets));
  log(`wrote ${report.config.out} (measured in ${report.totalSeconds.toFixed(0)} s)`);

  const missed = budgets.filter((b) => b.status !== 'pass' && b.status !== 'skipped');
  if (args.check && !report.config.short && missed.length) {
    log(`--check: ${missed.length} budget(s) missed: ${missed.map((b) => b.what).join(', ')}`);
    process.exitCode = 1;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function readAnalysis(): string | null {
  const path = join(projectRoot, 'scripts', 'bench', 'analysis.md');
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

const run = args.render
  ? async () => finish(JSON.parse(readFileSync(args.render!, 'utf8')) as BenchReport)
  : main;

run().catch((err: unknown) => {
  log(`harness failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
