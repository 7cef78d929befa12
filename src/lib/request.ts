import type { Context } from 'hono';
import { createDb, openReadSession, type Database } from '../db/client';
import type { AppEnv } from '../env';

/** The request's read session, opened on first use so routes that never touch D1 pay nothing. */
export function readDb(c: Context<AppEnv>): Database {
  let db = c.get('db');
  if (!db) {
    db = createDb(openReadSession(c.env.DB));
    c.set('db', db);
  }
  return db;
}

export function requestOrigin(c: Context): string {
  return new URL(c.req.url).origin;
}
