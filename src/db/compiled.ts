import { fillPlaceholders, type Query } from 'drizzle-orm';
import type { Database } from './client';

/**
 * drizzle rebuilds a statement's SQL text on every call, which was about 40 % of an article
 * read's CPU (BENCHMARKS.md). A statement whose shape never changes is built once per isolate,
 * with `sql.placeholder`s for its values, and each request only binds them.
 */
export function compileOnce<Values extends Record<string, unknown>>(
  build: (db: Database) => { toSQL(): Query },
) {
  let compiled: Query | undefined;
  return (db: Database, values: Values): D1PreparedStatement => {
    compiled ??= build(db).toSQL();
    return db.$client.prepare(compiled.sql).bind(...fillPlaceholders(compiled.params, values));
  };
}
