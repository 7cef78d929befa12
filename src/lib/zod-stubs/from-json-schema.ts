// Bundled in place of zod's `z.fromJSONSchema` module (see [alias] in wrangler.toml): Gazette
// never turns JSON Schema into zod, and the module cost ~12 KB minified of a size-budgeted bundle.
export function fromJSONSchema(): never {
  throw new Error('z.fromJSONSchema is not bundled in this worker');
}
