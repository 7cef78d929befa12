import { Hono } from 'hono';
import type { AppEnv } from '../env';

/**
 * Liveness probe, and the constant-response baseline the benchmark divides every route by.
 * app.ts mounts it ahead of the global middleware so it stays the platform floor: no bindings,
 * no logging, no ETag hashing. Anything slower than this is cost Gazette added.
 */
export const healthRoutes = new Hono<AppEnv>().get('/healthz', (c) =>
  // Every response carries a request id, this one too; a UUID is the only work it does.
  c.text('ok', 200, { 'Cache-Control': 'no-store', 'X-Request-Id': crypto.randomUUID() }),
);
