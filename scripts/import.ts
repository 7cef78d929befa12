/**
 * Imports an NDJSON file (README, "Import and export") through POST /api/v1/admin/import,
 * with a progress bar, and prints the report.
 *
 *   npm run import -- FILE                     into the local site (npm start's D1, R2 and objects)
 *   npm run import -- FILE --url URL           into a running worker (e.g. http://localhost:8787)
 *   npm run import -- FILE --remote            into the production worker (its PUBLIC_ORIGIN)
 *   options: --token gz_… (or GAZETTE_TOKEN; needed with --url and --remote)
 *            --from municipal   FILE is JSON in the shared fixture's shape (one object or an
 *                               array), mapped by src/transfer/municipal.ts
 *
 * Locally it starts the built worker in Miniflare on `.wrangler/state/v3` (the state
 * `wrangler dev` uses) with a token made for the run and revoked after it. The exit code is 1
 * when any line was rejected (the good ones are in).
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { createToken, revokeTokenStatement } from '../src/auth/tokens';
import { createDb } from '../src/db/client';
import { municipalNdjson, type MunicipalArticle } from '../src/transfer/municipal';
import { projectRoot, startWorker, type RunningWorker } from './lib/run-worker';
import { importNdjson, type Report } from './lib/seed-worker';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    remote: { type: 'boolean', default: false },
    url: { type: 'string' },
    token: { type: 'string' },
    from: { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const file = positionals[0];
if (!file)
  fail('usage: npm run import -- FILE [--remote | --url URL] [--token gz_…] [--from municipal]');
const path = resolve(process.cwd(), file);
let size: number;
try {
  size = statSync(path).size;
} catch {
  fail(`cannot read ${path}`);
}

/** The body: the file streamed as it is, or the fixture-shaped JSON mapped to NDJSON. */
function body(onBytes: (sent: number) => void): BodyInit {
  if (values.from === 'municipal') {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as MunicipalArticle | MunicipalArticle[];
    const text = municipalNdjson(parsed);
    onBytes(size);
    return text;
  }
  if (values.from) fail(`--from knows only "municipal"`);
  let sent = 0;
  const stream = createReadStream(path);
  stream.on('data', (chunk) => {
    sent += chunk.length;
    onBytes(sent);
  });
  return Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>;
}

const bar = (fraction: number, label: string) => {
  const width = 30;
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${label}   `,
  );
};

function productionOrigin(): string | undefined {
  const toml = readFileSync(join(projectRoot, 'wrangler.toml'), 'utf8');
  const block = toml.split('[env.production.vars]')[1]?.split(/\n\[/)[0] ?? '';
  return /^PUBLIC_ORIGIN = "([^"]+)"/m.exec(block)?.[1];
}

async function run(origin: URL | string, token: string): Promise<Report> {
  const started = Date.now();
  const report = await importNdjson(
    origin,
    token,
    body((sent) =>
      bar(sent / size, `uploaded ${(sent / 1e6).toFixed(1)} of ${(size / 1e6).toFixed(1)} MB`),
    ),
    (done, total) =>
      bar(
        total ? done / total : 0,
        `${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} lines`,
      ),
  );
  bar(1, `done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.stderr.write('\n');
  return report;
}

function print(report: Report) {
  const { rejections, ...counts } = report;
  console.log(
    `lines ${counts.lines}: ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.rejected} rejected`,
  );
  for (const r of rejections) {
    console.log(`  line ${r.line}${r.externalId ? ` (${r.externalId})` : ''}: ${r.reason}`);
  }
  if (counts.rejected) process.exitCode = 1;
}

if (values.url || values.remote) {
  const origin = values.url ?? process.env.GAZETTE_URL ?? productionOrigin();
  const token = values.token ?? process.env.GAZETTE_TOKEN;
  if (!origin) fail('give --url (or GAZETTE_URL): where the worker answers');
  if (!token)
    fail('give --token or GAZETTE_TOKEN: an admin token (npm run token -- create --role admin)');
  print(await run(origin, token));
} else {
  // The local D1 must have every migration, as npm start applies them.
  execFileSync(
    join(projectRoot, 'node_modules', '.bin', 'wrangler'),
    ['d1', 'migrations', 'apply', 'DB', '--local'],
    {
      cwd: projectRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
    },
  );
  let worker: RunningWorker | undefined;
  try {
    process.stderr.write('starting the worker on the local state (.wrangler/state)…\n');
    worker = await startWorker({
      assets: false,
      stateDir: join(projectRoot, '.wrangler', 'state', 'v3'),
      migrate: false,
    });
    const db = createDb((await worker.mf.getD1Database('DB')) as unknown as D1Database);
    const name = `import-cli-${Date.now().toString(36)}`;
    const { token } = await createToken(db, { name, role: 'admin', at: new Date() });
    try {
      print(await run(worker.url, token));
    } finally {
      await revokeTokenStatement(db, { name }, new Date());
    }
  } finally {
    await worker?.dispose();
  }
}
