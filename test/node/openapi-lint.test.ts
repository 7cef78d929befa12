import { createConfig, lintFromString } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../../scripts/lib/run-worker';

let worker: RunningWorker;

beforeAll(async () => {
  worker = await startWorker({ vars: { LOG_LEVEL: 'warn' }, assets: false });
}, 120_000);

afterAll(() => worker?.dispose());

describe('GET /openapi.json', () => {
  it("passes Redocly's recommended rules with no errors", async () => {
    const res = await fetch(new URL('/openapi.json', worker.url));
    expect(res.status).toBe(200);
    const problems = await lintFromString({
      source: await res.text(),
      absoluteRef: 'openapi.json',
      config: await createConfig({ extends: ['recommended'] }),
    });
    const errors = problems
      .filter((p) => p.severity === 'error')
      .map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ''}`);
    expect(errors).toEqual([]);
  });

  it('names every operation and declares its security', async () => {
    const doc = (await (await fetch(new URL('/openapi.json', worker.url))).json()) as {
      security?: unknown[];
      paths: Record<string, Record<string, { operationId?: string; security?: unknown[] }>>;
    };
    expect(doc.security).toEqual([]);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z0-9]+$/);
        // Public reads need nothing; the admin API (and media's admin routes) the bearer token.
        expect(op.security, `${method} ${path}`).toEqual(
          path.startsWith('/api/v1/admin/') ? [{ bearerAuth: [] }] : [],
        );
      }
    }
  });
});
