import { drizzle } from 'drizzle-orm/d1';

export type Database = ReturnType<typeof createDb>;

/**
 * drizzle only needs prepare() and batch(), which a D1 session has too; routing every read
 * through a session lets D1 serve it from a nearby replica once read replication is on.
 */
export function createDb(d1: D1Database | D1DatabaseSession) {
  // No `schema`: Gazette uses the query builder, not relational queries, and passing the schema
  // makes drizzle rebuild its relational config on every call, which is once per request.
  return drizzle(d1 as D1Database);
}

/** Public reads tolerate replica lag; a bookmark upgrades them to read-your-writes. */
export function openReadSession(d1: D1Database, bookmark?: string | null): D1DatabaseSession {
  return d1.withSession(bookmark || 'first-unconstrained');
}
