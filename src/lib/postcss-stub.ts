// Bundled in place of postcss (see [alias] in wrangler.toml and vitest.config.ts). sanitize-html
// requires it only to parse `style` attributes, and Gazette's allow-list never keeps a `style`
// attribute (src/lib/sanitize.ts sets parseStyleAttributes: false and allows no `style`), so the
// parser is never called. Shipping it (with nanoid and picocolors) cost 57 KiB minified,
// 18.5 KiB gzipped, of a worker with a 250 KiB gzip budget (265.7 KiB before, 247.2 after).
// Should sanitize-html ever call it, the throw is caught there and the attribute dropped.
export function parse(): never {
  throw new Error('postcss is not bundled: Gazette never keeps style attributes');
}
