import { createHash, randomBytes } from 'node:crypto';
import type { RunningWorker } from '../../scripts/lib/run-worker';

/**
 * An API token written straight into the worker's D1, the way `npm run token -- create`
 * stores one: only its SHA-256 is kept.
 */
export async function adminToken(
  worker: RunningWorker,
  role: 'admin' | 'editor' = 'admin',
): Promise<string> {
  const token = `gz_${randomBytes(32).toString('base64url')}`;
  const hash = createHash('sha256').update(token).digest('hex');
  const name = `e2e-${role}-${randomBytes(4).toString('hex')}`;
  await worker.execSql(
    `INSERT INTO api_tokens (name, role, token_hash) VALUES ('${name}', '${role}', '${hash}');\n`,
  );
  return token;
}

/** A JSON request to the worker's admin API. */
export async function adminFetch(
  worker: RunningWorker,
  token: string,
  path: string,
  init: { method?: string; json?: unknown } = {},
): Promise<Response> {
  return fetch(new URL(`/api/v1/admin${path}`, worker.url), {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: {
      Authorization: `Bearer ${token}`,
      ...(init.json === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
}
