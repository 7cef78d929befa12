import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorker, projectRoot } from '../../scripts/lib/run-worker';

/** wrangler.toml's [alias] table: import specifier -> replacement module. */
function aliases(): Map<string, string> {
  const toml = readFileSync(join(projectRoot, 'wrangler.toml'), 'utf8');
  const table = /^\[alias\]\n((?:"[^"\n]+" = "[^"\n]+"\n)+)/m.exec(toml);
  if (!table) throw new Error('wrangler.toml has no [alias] table');
  return new Map(
    [...table[1]!.matchAll(/^"([^"]+)" = "([^"]+)"$/gm)].map((m) => [m[1]!, m[2]!.slice(2)]),
  );
}

interface Metafile {
  inputs: Record<string, { imports: { path: string; original?: string }[] }>;
}

let buildDir = '';
let meta: Metafile;

beforeAll(() => {
  buildDir = buildWorker();
  meta = JSON.parse(readFileSync(`${buildDir}.meta.json`, 'utf8')) as Metafile;
}, 120_000);

afterAll(() => {
  rmSync(buildDir, { recursive: true, force: true });
  rmSync(`${buildDir}.meta.json`, { force: true });
});

describe('the deployed worker bundle', () => {
  // A ceiling against growth, not issue 20's budget (250 KiB, judged by `npm run bench -- --check`,
  // and missed): 244.2 KiB on 2026-12-01 once keep_names went and OpenCC's table was packed
  // (src/search/ts-table.ts), then about 263 KiB with the admin's server-rendered people, operations,
  // channels and tags pages and their words in two languages (263.9 KiB in a clean clone).
  it('stays within 265 KiB gzipped', () => {
    const gzipped = gzipSync(readFileSync(join(buildDir, 'index.js'))).length;
    expect(gzipped).toBeLessThanOrEqual(265 * 1024);
  });

  // Each stub replaces one dependency's module, never another package's file of the same name.
  const stubbedFor: Record<string, RegExp> = {
    '../locales/index.js': /node_modules\/zod\/v4\//,
    './compile.js': /node_modules\/zod\/v4\//,
    './from-json-schema.js': /node_modules\/zod\/v4\//,
    '../core/json-schema-processors.js': /node_modules\/zod\/v4\//,
    './json-schema-processors.js': /node_modules\/zod\/v4\//,
    '../core/to-json-schema.js': /node_modules\/zod\/v4\//,
    './to-json-schema.js': /node_modules\/zod\/v4\//,
    './json-schema-generator.js': /node_modules\/zod\/v4\//,
    postcss: /node_modules\/sanitize-html\//,
    dayjs: /node_modules\/launder\//,
    '../pg-core/columns/enum.js': /node_modules\/drizzle-orm\/sql\/sql\.js$/,
    './pg-core/primary-keys.js': /node_modules\/drizzle-orm\/relations\.js$/,
  };

  it('swaps only the modules named in [alias] for their stubs, in their one importer', () => {
    const table = aliases();
    expect([...table.keys()].sort()).toEqual(Object.keys(stubbedFor).sort());
    const swapped = new Set<string>();
    for (const [importer, { imports }] of Object.entries(meta.inputs)) {
      for (const { path, original } of imports) {
        if (!original || !table.has(original)) continue;
        swapped.add(original);
        // A dependency that imports the same specifier for its own module would be stubbed too.
        expect(importer, `${importer} imports ${original}`).toMatch(stubbedFor[original]!);
        expect(path).toBe(table.get(original));
      }
    }
    expect([...swapped].sort()).toEqual([...table.keys()].sort());
  });

  it('ships no postcss nor dayjs: the sanitizer never parses styles nor formats dates', () => {
    const shipped = Object.keys(meta.inputs).filter((input) =>
      /node_modules\/(postcss|nanoid|picocolors|dayjs)\//.test(input),
    );
    expect(shipped).toEqual([]);
  });

  it("ships no zod JSON Schema emitter: the OpenAPI document is zod-to-openapi's", () => {
    const shipped = Object.keys(meta.inputs).filter((input) =>
      /node_modules\/zod\/v4\/core\/(to-json-schema|json-schema-generator)\.js$/.test(input),
    );
    expect(shipped).toEqual([]);
  });

  it("ships no drizzle Postgres dialect: Gazette's database is D1", () => {
    const shipped = Object.keys(meta.inputs).filter((input) =>
      /node_modules\/drizzle-orm\/pg-core\//.test(input),
    );
    expect(shipped).toEqual([]);
  });

  it('imports no node: built-in, whose loading costs startup time', () => {
    const builtins = Object.values(meta.inputs)
      .flatMap(({ imports }) => imports.map((i) => i.original ?? i.path))
      .filter((specifier) => specifier.startsWith('node:'));
    expect(builtins).toEqual([]);
  });
});
