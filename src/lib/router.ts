import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createDb, openReadSession, type Database } from '../db/client';
import type { AppEnv } from '../env';
import { validationError, type ParameterLocation } from './errors';

const locations: Record<string, ParameterLocation> = {
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
  json: 'body',
  form: 'body',
};

/** Every feature router shares one validation hook, so a bad parameter always reads the same way. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        // zValidator hands the hook the raw input too; the types leave it out.
        const input = (result as { data?: unknown }).data;
        throw validationError(result.error, locations[result.target] ?? 'query', input);
      }
    },
  });
}

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
