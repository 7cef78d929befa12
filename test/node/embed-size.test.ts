import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { entries } from '../../scripts/build-assets';
import { projectRoot } from '../../scripts/lib/run-worker';

/** The budget for embed.js, gzipped. */
const budget = 6 * 1024;

const entry = entries.find((e) => e.publicPath === '/embed.js');
let code = '';
let inputs: string[] = [];

beforeAll(async () => {
  if (!entry) throw new Error('scripts/build-assets.ts has no /embed.js entry');
  // The same options scripts/build-assets.ts uses for every script entry.
  const result = await build({
    entryPoints: [join(projectRoot, entry.source)],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    write: false,
    legalComments: 'none',
    metafile: true,
  });
  code = result.outputFiles[0]!.text;
  inputs = Object.keys(result.metafile.inputs);
});

/** A browser just big enough for embed.js to start: what it adds to the global scope is what a page gets. */
function fakeBrowser() {
  const scans: string[] = [];
  const globals: Record<string, unknown> = {
    console: { warn: () => undefined },
    fetch: () => new Promise(() => undefined),
    addEventListener: () => undefined,
    setTimeout,
    URL,
    MutationObserver: class {
      observe() {}
    },
    document: {
      currentScript: { src: 'https://news.example/embed.js' },
      readyState: 'complete',
      querySelector: () => null,
      querySelectorAll: (selector: string) => {
        if (selector === '[data-gazette]') scans.push(selector);
        return { forEach: () => undefined };
      },
      documentElement: {},
      addEventListener: () => undefined,
    },
  };
  globals.window = globals;
  return { globals, scans };
}

describe('embed.js bundle', () => {
  it('is built from TypeScript under src/embed into the stable /embed.js asset', () => {
    expect(entry!.source).toMatch(/^src\/embed\/.*\.ts$/);
    expect(entry!.stableMaxAge).toBeLessThanOrEqual(3600);
  });

  it(`stays within ${budget} bytes gzipped`, () => {
    const gzipped = gzipSync(code).byteLength;
    console.log(`embed.js: ${code.length} bytes minified, ${gzipped} bytes gzipped`);
    expect(gzipped).toBeLessThanOrEqual(budget);
  });

  it('has no runtime dependencies', () => {
    expect(inputs.length).toBeGreaterThan(0);
    for (const input of inputs) expect(input).toMatch(/^src\/embed\/widget\//);
  });

  it('never parses markup from strings', () => {
    for (const banned of [
      'innerHTML',
      'outerHTML',
      'insertAdjacentHTML',
      'document.write',
      'eval(',
      'Function(',
    ]) {
      expect(code, banned).not.toContain(banned);
    }
    const sources = inputs.map((i) => readFileSync(join(projectRoot, i), 'utf8')).join('\n');
    expect(sources).not.toMatch(/innerHTML|insertAdjacentHTML|outerHTML/);
  });

  it('adds one global, Gazette, and a second copy reuses it instead of starting again', () => {
    const { globals, scans } = fakeBrowser();
    const before = new Set(Object.keys(globals));
    runInNewContext(code, globals);
    const added = Object.keys(globals).filter((k) => !before.has(k));
    expect(added).toEqual(['Gazette']);
    const first = globals.Gazette as { version: string; scan: () => void };
    expect(typeof first.scan).toBe('function');
    expect(scans).toHaveLength(1);

    runInNewContext(code, globals);
    expect(globals.Gazette).toBe(first);
    expect(Object.keys(globals).filter((k) => !before.has(k))).toEqual(['Gazette']);
    // The second copy asked the first to look for placeholders, nothing more.
    expect(scans).toHaveLength(2);
  });
});
