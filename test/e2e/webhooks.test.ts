/**
 * Webhooks against the built worker and a real HTTP receiver on 127.0.0.1: a hook registered
 * through the admin API gets the event from its delivery object's alarm (real time, real
 * fetch), signed so that the receiver verifies it with the secret the API returned once; a
 * receiver that drops the connection is logged as an attempt without a status, to be retried.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorker } from '../../scripts/lib/run-worker';
import { enqueueWebhookEvent } from '../../src/webhooks/client';
import { verifySignature } from '../../src/webhooks/signing';
import { adminFetch, adminToken } from './admin-token';
import { startTestWorker } from './harness';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let worker: RunningWorker;
let server: Server;
let port = 0;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      if (req.url === '/drop') req.socket.destroy();
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  worker = await startTestWorker();
});

afterAll(async () => {
  await worker?.dispose();
  await new Promise((resolve) => server?.close(resolve));
});

/** The data of a JSON answer (Workers' types make json() unknown). */
async function dataOf(res: Response | Promise<Response>): Promise<any> {
  return ((await (await res).json()) as { data: unknown }).data;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting');
}

describe('webhook deliveries from the built worker', () => {
  it('delivers a signed event to a local receiver and logs each attempt', async () => {
    const token = await adminToken(worker);
    const created = await adminFetch(worker, token, '/webhooks', {
      json: { url: `http://127.0.0.1:${port}/ok`, events: ['article.published'] },
    });
    expect(created.status).toBe(201);
    const hook = await dataOf(created);
    const dropping = await dataOf(
      adminFetch(worker, token, '/webhooks', {
        json: { url: `http://127.0.0.1:${port}/drop`, events: ['article.published'] },
      }),
    );

    // What the write side calls after a publish (the lead wires it into the write effects).
    const env = {
      DB: await worker.mf.getD1Database('DB'),
      WEBHOOK_DELIVERY: await worker.mf.getDurableObjectNamespace('WEBHOOK_DELIVERY', worker.admin),
    } as unknown as Env;
    const occurredAt = new Date();
    const result = await enqueueWebhookEvent(env, {
      type: 'article.published',
      article: {
        id: 1,
        slug: 'panjin-news',
        title: '盘锦市召开全市经济工作会议',
        url: `${worker.url.origin}/articles/1/panjin-news`,
        status: 'published',
        publishedAt: occurredAt,
      },
      occurredAt,
    });
    expect(result).toEqual({ hooks: 2, queued: 2 });

    const [req] = await until(
      async () => received.filter((r) => r.path === '/ok'),
      (list) => list.length > 0,
    );
    expect(req!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(req!.headers['gazette-event']).toBe('article.published');
    const check = await verifySignature(
      hook.secret,
      String(req!.headers['gazette-signature']),
      req!.body,
      { nowSeconds: Math.floor(Date.now() / 1000) },
    );
    expect(check.ok).toBe(true);
    expect(JSON.parse(req!.body).data.article.title).toBe('盘锦市召开全市经济工作会议');

    const delivered = await until(
      () => dataOf(adminFetch(worker, token, `/webhooks/${hook.id}/deliveries`)),
      (data: any[]) => data[0]?.status === 'delivered',
    );
    expect(delivered[0].attempts).toEqual([
      { n: 1, at: expect.any(String), durationMs: expect.any(Number), status: 204, error: null },
    ]);

    const failed = await until(
      () => dataOf(adminFetch(worker, token, `/webhooks/${dropping.id}/deliveries`)),
      (data: any[]) => data[0]?.attempts.length > 0,
    );
    expect(failed[0].status).toBe('pending');
    expect(failed[0].attempts[0]).toMatchObject({ n: 1, status: null });
    expect(failed[0].attempts[0].error).toEqual(expect.any(String));
    expect(Date.parse(failed[0].nextAttemptAt) - Date.parse(failed[0].attempts[0].at)).toBe(30_000);
  });
});
