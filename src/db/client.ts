import { drizzle } from 'drizzle-orm/d1';
import * as schema from './schema';

export type Database = ReturnType<typeof createDb>;

/**
 * drizzle only needs prepare() and batch(), which a D1 session has too; routing every read
 * through a session lets D1 serve it from a nearby replica once read replication is on.
 */
export function createDb(d1: D1Database | D1DatabaseSession) {
  return drizzle(d1 as D1Database, { schema });
}

/** Public reads tolerate replica lag; a bookmark upgrades them to read-your-writes. */
export function openReadSession(d1: D1Database, bookmark?: string | null): D1DatabaseSession {
  return d1.withSession(bookmark || 'first-unconstrained');
}
