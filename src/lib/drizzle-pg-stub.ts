// Bundled in place of two drizzle-orm modules from its Postgres dialect (see [alias] in
// wrangler.toml): drizzle's shared code (sql.js, relations.js) tests every chunk and config entry
// against a Postgres enum and primary-key builder, and importing those two dragged in all of
// pg-core's column types. Gazette is SQLite-only. Both answers stay exactly drizzle's: the enum
// test is its own (one Symbol.for mark), and `is()` matches a builder by its entity kind, which
// this class carries. It cost 6.5 KiB minified, 1.3 KiB gzipped of the 250 KiB budget
// (265.7 KiB before, 264.4 after).
import { entityKind } from 'drizzle-orm';

const isPgEnumSym = Symbol.for('drizzle:isPgEnum');

export function isPgEnum(obj: unknown): boolean {
  return (
    !!obj &&
    typeof obj === 'function' &&
    isPgEnumSym in obj &&
    (obj as unknown as Record<symbol, unknown>)[isPgEnumSym] === true
  );
}

export class PrimaryKeyBuilder {
  static readonly [entityKind] = 'PgPrimaryKeyBuilder';
}
