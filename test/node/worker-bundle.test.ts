import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminBuildDir,
  buildWorker,
  projectRoot,
  readerScript,
  removeBuild,
} from '../../scripts/lib/run-worker';

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
/** The readers' worker's metafile, and the admin worker's (the whole app). */
let reader: Metafile;
let meta: Metafile;

const readMeta = (dir: string) => JSON.parse(readFileSync(`${dir}.meta.json`, 'utf8')) as Metafile;

beforeAll(() => {
  buildDir = buildWorker();
  reader = readMeta(buildDir);
  meta = readMeta(adminBuildDir(buildDir));
}, 240_000);

afterAll(() => {
  removeBuild(buildDir);
});

/**
 * What only writers use: none of it may be in the readers' worker (src/reader-app.ts forwards
 * their paths to the admin worker). authoring/queries.ts stays: the article pages follow a
 * former slug's redirect with it.
 */
const writerOnly: RegExp[] = [
  /^src\/admin\//,
  /^src\/authoring\/(?!queries\.ts$)/,
  /^src\/auth\//,
  /^src\/transfer\//,
  /^src\/webhooks\//,
  /^src\/client\/admin\//,
  /^src\/media\/(admin-routes|multipart)\.ts$/,
  /^src\/docs\/openapi-document\.ts$/,
  /^src\/lib\/sanitize\.ts$/,
  /^src\/app\.ts$/,
  /^src\/index\.ts$/,
  /node_modules\/(sanitize-html|htmlparser2|entities|domhandler|domutils|dom-serializer|parse-srcset|launder|otpauth|uqr)\//,
];

describe("the readers' worker bundle", () => {
  // Issue 20's budget: what only writers use is off the readers' startup (155.3 KiB on
  // 2026-12-01, once the writers' paths went to the admin worker).
  it('stays within 250 KiB gzipped', () => {
    const gzipped = gzipSync(readFileSync(readerScript(buildDir))).length;
    expect(gzipped).toBeLessThanOrEqual(250 * 1024);
  });

  it("contains none of the writers' code: admin pages and words, authoring, sanitizer, import, webhooks", () => {
    const inputs = Object.keys(reader.inputs);
    // The metafile is the one of this bundle: it has the reader's own modules.
    expect(inputs).toContain('src/reader-app.ts');
    expect(inputs).toContain('src/pages/routes.tsx');
    expect(inputs.filter((input) => writerOnly.some((re) => re.test(input)))).toEqual([]);
  });

  it('imports no node: built-in, whose loading costs startup time', () => {
    const builtins = Object.values(reader.inputs)
      .flatMap(({ imports }) => imports.map((i) => i.original ?? i.path))
      .filter((specifier) => specifier.startsWith('node:'));
    expect(builtins).toEqual([]);
  });
});

describe("the admin worker's bundle (the whole app)", () => {
  // A ceiling against growth: 244.2 KiB on 2026-12-01 once keep_names went and OpenCC's table was
  // packed (src/search/ts-table.ts), then about 263 KiB with the admin's server-rendered people,
  // operations, channels and tags pages and their words in two languages (263.9 KiB in a clean
  // clone), 265.0 with the cache purge entrypoint. Editors start it, readers never do: its
  // ceiling is not issue 20's budget.
  it('stays within 270 KiB gzipped', () => {
    const gzipped = gzipSync(readFileSync(join(adminBuildDir(buildDir), 'index.js'))).length;
    expect(gzipped).toBeLessThanOrEqual(270 * 1024);
  });

  it("holds the writers' code the reader leaves out", () => {
    const inputs = Object.keys(meta.inputs);
    // (Browser code and the entries aside: those are never in a worker bundle, or are its own.)
    for (const re of writerOnly.filter((r) => !/app|index|client/.test(r.source))) {
      expect(
        inputs.some((input) => re.test(input)),
        re.source,
      ).toBe(true);
    }
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
