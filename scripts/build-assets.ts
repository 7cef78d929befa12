/**
 * Builds the browser scripts and stylesheets (src/client/, src/embed/) into public/,
 * which wrangler serves as static assets. Content-hashed copies get a year-long cache; the
 * stable names get a short one, and public/_headers tells the asset server which is which.
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { permissionsPolicy } from '../src/lib/permissions-policy';
import { packTable } from '../src/search/ts-table';
import traditionalToSimplified from 'opencc-js/dict/TSCharacters';

interface Entry {
  /** Source file, relative to the project root. */
  source: string;
  /** Serve the file as it is (a library's own prebuilt bundle) instead of bundling it. */
  prebuilt?: boolean;
  /** Stable public path, e.g. /assets/article.js or /embed.js. */
  publicPath: string;
  /** Cache lifetime of the stable path, in seconds. */
  stableMaxAge: number;
}

export const entries: Entry[] = [
  // Sites paste the stable URL once and never touch it again, so it must pick up fixes soon.
  { source: 'src/embed/widget/dom/main.ts', publicPath: '/embed.js', stableMaxAge: 300 },
  // Reader pages link the hashed copies; the stable names are only a fallback.
  { source: 'src/client/article.ts', publicPath: '/assets/article.js', stableMaxAge: 300 },
  { source: 'src/client/site.css', publicPath: '/assets/site.css', stableMaxAge: 300 },
  // The API reference on /docs: Swagger UI's own prebuilt bundle and stylesheet from the pinned
  // npm package, so the page needs no CDN (public CDNs are slow or blocked for many readers).
  {
    source: 'node_modules/swagger-ui-dist/swagger-ui-bundle.js',
    publicPath: '/assets/docs/swagger-ui.js',
    stableMaxAge: 300,
    prebuilt: true,
  },
  {
    source: 'node_modules/swagger-ui-dist/swagger-ui.css',
    publicPath: '/assets/docs/swagger-ui.css',
    stableMaxAge: 300,
    prebuilt: true,
  },
  { source: 'src/client/docs.ts', publicPath: '/assets/docs.js', stableMaxAge: 300 },
  // The web admin (/admin) only; reader pages never link these.
  { source: 'src/client/admin/main.ts', publicPath: '/assets/admin.js', stableMaxAge: 300 },
  { source: 'src/client/admin/admin.css', publicPath: '/assets/admin.css', stableMaxAge: 300 },
];

/**
 * Scripts the worker inlines into its own pages, allowed there by their CSP hash: small enough
 * that a second request would cost more than the bytes. Built like the rest (bundled, minified)
 * and handed to the worker as strings in the generated manifest, never written out as files.
 */
export const inlineEntries = {
  /** The embed frames' height reports (src/embed/frame-pages.tsx). */
  frameResize: 'src/client/frame-resize.ts',
  /** The copy buttons of the owner's embed page (src/embed/owner-page.tsx). */
  ownerCopy: 'src/client/owner-copy.ts',
} as const;

const root = new URL('..', import.meta.url).pathname;
const outDir = join(root, 'public');

export interface BuiltAsset {
  publicPath: string;
  hashedPath: string;
  bytes: number;
}

async function bundle(source: string, isCss: boolean): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [join(root, source)],
    bundle: true,
    minify: true,
    ...(isCss ? {} : { format: 'iife' as const }),
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    write: false,
    legalComments: 'none',
  });
  return result.outputFiles[0]!.contents;
}

export async function buildAssets(): Promise<BuiltAsset[]> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const headers: string[] = [];
  const built: BuiltAsset[] = [];
  const manifest: Record<string, string> = {};
  for (const entry of entries) {
    if (!existsSync(join(root, entry.source)))
      throw new Error(`missing asset source ${entry.source}`);
    const isCss = entry.publicPath.endsWith('.css');
    const code = entry.prebuilt
      ? new Uint8Array(readFileSync(join(root, entry.source)))
      : await bundle(entry.source, isCss);
    const hash = createHash('sha256').update(code).digest('hex').slice(0, 10);
    const hashedPath = entry.publicPath.replace(/\.(js|css)$/, `.${hash}.$1`);
    for (const path of [entry.publicPath, hashedPath]) {
      const file = join(outDir, path);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, code);
    }
    // The asset server never runs the worker's middleware: the same baseline, written out here.
    const shared = [
      '  Access-Control-Allow-Origin: *',
      '  X-Content-Type-Options: nosniff',
      "  Content-Security-Policy: default-src 'none'; frame-ancestors 'none'",
      '  X-Frame-Options: DENY',
      '  Referrer-Policy: strict-origin-when-cross-origin',
      `  Permissions-Policy: ${permissionsPolicy}`,
      // embed.js and the stylesheets are loaded by other sites' pages and by the frames.
      '  Cross-Origin-Resource-Policy: cross-origin',
    ];
    headers.push(
      entry.publicPath,
      `  Cache-Control: public, max-age=${entry.stableMaxAge}, stale-while-revalidate=86400`,
      ...shared,
      hashedPath,
      '  Cache-Control: public, max-age=31536000, immutable',
      ...shared,
    );
    manifest[entry.publicPath] = hashedPath;
    built.push({ publicPath: entry.publicPath, hashedPath, bytes: code.byteLength });
  }
  writeFileSync(join(outDir, '_headers'), headers.join('\n') + '\n');
  const inline: Record<string, string> = {};
  for (const [name, source] of Object.entries(inlineEntries)) {
    // No trailing newline: the page's CSP hash covers exactly the text between the tags.
    inline[name] = new TextDecoder().decode(await bundle(source, false)).trim();
  }
  // The worker imports the manifest so pages can link the immutable, hashed URLs.
  writeFileSync(
    join(root, 'src', 'asset-manifest.gen.ts'),
    [
      '// Generated by scripts/build-assets.ts; do not edit.',
      `export const assetManifest: Record<string, string> = ${JSON.stringify(manifest, null, 2)};`,
      `export const inlineScripts: Record<${Object.keys(inlineEntries)
        .map((name) => `'${name}'`)
        .join(' | ')}, string> = ${JSON.stringify(inline, null, 2)};`,
      '',
    ].join('\n'),
  );
  // Search's traditional-to-simplified table, packed small for the worker bundle.
  writeFileSync(
    join(root, 'src', 'search', 'ts-characters.gen.ts'),
    [
      '// Generated by scripts/build-assets.ts from opencc-js/dict/TSCharacters; do not edit.',
      `export const packedTsCharacters = ${JSON.stringify(packTable(traditionalToSimplified))};`,
      '',
    ].join('\n'),
  );
  return built;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const built = await buildAssets();
  for (const asset of built) {
    console.log(`${asset.publicPath} -> ${asset.hashedPath} (${asset.bytes} bytes)`);
  }
  if (!built.length) console.log('no browser assets to build');
}
