import type { Context } from 'hono';
import { createDb, openReadSession, type Database } from '../db/client';
import type { AppEnv } from '../env';
import { d1DeadlineMs, guardD1 } from './d1-guard';

/** The request's read session, opened on first use so routes that never touch D1 pay nothing. */
export function readDb(c: Context<AppEnv>): Database {
  let db = c.get('db');
  if (!db) {
    // Bounded: a hanging read answers 503 (or a stale copy, src/lib/http.ts) within the deadline.
    db = createDb(guardD1(openReadSession(c.env.DB), d1DeadlineMs(c.env)));
    c.set('db', db);
  }
  return db;
}

export function requestOrigin(c: Context): string {
  return new URL(c.req.url).origin;
}
