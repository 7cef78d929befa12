// Bundled in place of zod's `z.compile` module (see [alias] in wrangler.toml). It builds parsers
// with `new Function`, which Workers refuse, so it could never run here; shipping it cost
// ~32 KB minified of a bundle that has a size budget. zod's own parsing never imports it; only
// its public re-exports name these, so they stay, and say why they do nothing.
const unavailable = 'z.compile generates code with new Function, which Workers do not allow';

export const INVALID = Symbol.for('zod.compile.invalid');

export class ZodCompileAsyncError extends Error {}

export class ZodCompileUnsupportedError extends Error {}

export function compile(): never {
  throw new ZodCompileUnsupportedError(unavailable);
}

export function withParser(): never {
  throw new ZodCompileUnsupportedError(unavailable);
}

export function compileFn(): never {
  throw new ZodCompileUnsupportedError(unavailable);
}
