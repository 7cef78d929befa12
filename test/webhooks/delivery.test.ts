import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock, useClock, type Clock } from '../../src/lib/clock';
import { enqueueWebhookEvent, webhookDelivery } from '../../src/webhooks/client';
import { retryDelayMs, retryPolicy, type WebhookDelivery } from '../../src/webhooks/delivery';
import type { WebhookEvent } from '../../src/webhooks/events';
import { insertWebhookStatement } from '../../src/webhooks/queries';
import { signatureHeader, verifySignature } from '../../src/webhooks/signing';
import { testDb, uniqueSlug } from '../helpers';
import type { ReceivedRequest } from './receiver';

const start = Date.parse('2031-05-04T08:00:00Z');
let restore: Clock | undefined;
afterEach(() => {
  if (restore) useClock(restore);
  restore = undefined;
});

function pin(at = start) {
  const clock = fixedClock(at);
  restore ??= useClock(clock);
  return clock;
}

let nextHookId = 1_000;
/** A hook stored directly (the admin routes have their own tests), receiving on its own path. */
async function hook(events: WebhookEvent['type'][] = ['article.published'], active = true) {
  const id = nextHookId++;
  const path = `/hooks/${uniqueSlug('h')}`;
  const secret = `whsec_test_${id}`;
  await insertWebhookStatement(testDb(), {
    id,
    url: `https://receiver.example${path}`,
    description: '',
    events,
    secret,
    at: new Date(start),
  });
  if (!active) await env.DB.prepare('UPDATE webhooks SET active = 0 WHERE id = ?').bind(id).run();
  return { id, path, secret };
}

async function script(path: string, statuses: number[]) {
  await env.WEBHOOK_OUTBOUND!.fetch(`http://receiver.control/script${path}`, {
    method: 'PUT',
    body: JSON.stringify(statuses),
  });
}

async function received(path: string): Promise<ReceivedRequest[]> {
  return (await env.WEBHOOK_OUTBOUND!.fetch(`http://receiver.control/log${path}`)).json();
}

/**
 * The first attempt is due at once, so the platform runs that alarm by itself within
 * moments; wait for it rather than race it. Retries are due in 30 s or more of real time,
 * so the tests drive those with runDurableObjectAlarm after moving the pinned clock.
 */
async function firstAttempt(stub: DurableObjectStub<WebhookDelivery>, count = 1) {
  for (let i = 0; i < 200; i++) {
    const { data } = await stub.deliveries({ limit: 100 });
    if (data.length >= count && data.every((d) => d.attempts.length > 0)) return data;
    await scheduler.wait(25);
  }
  throw new Error('the first attempt never ran');
}

let articleId = 1;
function event(overrides: Partial<WebhookEvent> = {}): WebhookEvent {
  const id = articleId++;
  return {
    type: 'article.published',
    article: {
      id,
      slug: `wh-${id}`,
      title: '盘锦市召开全市经济工作会议',
      url: `https://news.example.cn/articles/${id}/wh-${id}`,
      status: 'published',
      publishedAt: new Date(start - 60_000),
    },
    occurredAt: new Date(start),
    ...overrides,
  };
}

describe('signing', () => {
  it('signs t.body with HMAC-SHA256 so that a receiver can verify it', async () => {
    const body = '{"id":"evt_1"}';
    const header = await signatureHeader('whsec_abc', 1_900_000_000, body);
    // Recomputed independently: HMAC-SHA256(secret, "1900000000." + body), hex.
    const key = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode('whsec_abc'),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const mac = await crypto.subtle.sign(
      'HMAC',
      key,
      new TextEncoder().encode(`1900000000.${body}`),
    );
    const hex = [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('');
    expect(header).toBe(`t=1900000000,v1=${hex}`);
    await expect(
      verifySignature('whsec_abc', header, body, { nowSeconds: 1_900_000_100 }),
    ).resolves.toEqual({ ok: true, timestamp: 1_900_000_000 });
  });

  it('refuses a changed body, another secret, a stale timestamp and a malformed header', async () => {
    const header = await signatureHeader('whsec_abc', 1_900_000_000, 'body');
    const at = { nowSeconds: 1_900_000_000 };
    expect(await verifySignature('whsec_abc', header, 'body!', at)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(await verifySignature('whsec_xyz', header, 'body', at)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(
      await verifySignature('whsec_abc', header, 'body', { nowSeconds: 1_900_000_301 }),
    ).toEqual({ ok: false, reason: 'stale' });
    for (const bad of [null, '', 't=1', 'v1=00', 't=x,v1=zz']) {
      expect(await verifySignature('whsec_abc', bad, 'body', at)).toEqual({
        ok: false,
        reason: 'malformed',
      });
    }
  });
});

describe('enqueueWebhookEvent', () => {
  it('sends a signed JSON delivery to each active hook subscribed to the event, from the alarm', async () => {
    pin();
    const a = await hook(['article.published', 'article.updated']);
    const b = await hook(['article.published']);
    const other = await hook(['article.deleted']);
    const off = await hook(['article.published'], false);
    const e = event();
    const result = await enqueueWebhookEvent(env, e);
    expect(result.queued).toBeGreaterThanOrEqual(2);
    for (const h of [a, b]) await firstAttempt(webhookDelivery(env, h.id));
    for (const h of [other, off]) {
      expect((await webhookDelivery(env, h.id).deliveries({ limit: 1 })).data).toEqual([]);
    }

    for (const h of [a, b]) {
      const [req, ...more] = await received(h.path);
      expect(more).toEqual([]);
      expect(req!.method).toBe('POST');
      expect(req!.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(req!.headers['gazette-event']).toBe('article.published');
      expect(req!.headers['gazette-delivery']).toMatch(new RegExp(`^dlv_${h.id}_[0-9a-f]{32}$`));
      const payload = JSON.parse(req!.body);
      expect(payload).toEqual({
        id: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
        type: 'article.published',
        createdAt: '2031-05-04T08:00:00.000Z',
        data: {
          article: {
            id: e.article.id,
            slug: e.article.slug,
            title: '盘锦市召开全市经济工作会议',
            url: e.article.url,
            status: 'published',
            publishedAt: '2031-05-04T07:59:00.000Z',
          },
        },
      });
      const check = await verifySignature(h.secret, req!.headers['gazette-signature']!, req!.body, {
        nowSeconds: start / 1000,
      });
      expect(check).toEqual({ ok: true, timestamp: start / 1000 });
    }
    expect(await received(other.path)).toEqual([]);
    expect(await received(off.path)).toEqual([]);
  });

  it('queues one delivery per hook however often the same event is reported', async () => {
    pin();
    const h = await hook();
    const e = event();
    await enqueueWebhookEvent(env, e);
    await enqueueWebhookEvent(env, { ...e, article: { ...e.article } });
    const stub = webhookDelivery(env, h.id);
    await firstAttempt(stub);
    // Running the alarm again finds nothing due.
    await runDurableObjectAlarm(stub);
    expect(await received(h.path)).toHaveLength(1);
    const log = await stub.deliveries({ limit: 10 });
    expect(log.data).toHaveLength(1);
    expect(log.data[0]).toMatchObject({ status: 'delivered', attempts: [{ n: 1, status: 200 }] });
  });

  it('reports no hooks when nobody subscribed', async () => {
    pin();
    expect(await enqueueWebhookEvent(env, event({ type: 'article.unpublished' }))).toEqual({
      hooks: 0,
      queued: 0,
    });
  });
});

describe('WebhookDelivery retries', () => {
  it('retries a failing receiver with exponential backoff and logs every attempt', async () => {
    const clock = pin();
    const h = await hook();
    await script(h.path, [500, 503, 429]);
    await enqueueWebhookEvent(env, event());
    const stub = webhookDelivery(env, h.id);

    let [d] = await firstAttempt(stub);
    expect(d).toMatchObject({ status: 'pending', nextAttemptAt: start + 30_000 });
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).not.toBeNull();

    // Not due yet: an early alarm sends nothing.
    clock.set(start + 29_000);
    await runDurableObjectAlarm(stub);
    expect(await received(h.path)).toHaveLength(1);

    let at = start;
    for (const n of [1, 2, 3]) {
      at += retryDelayMs(n);
      clock.set(at);
      await runDurableObjectAlarm(stub);
    }
    [d] = (await stub.deliveries({ limit: 1 })).data;
    expect(d!.status).toBe('delivered');
    expect(d!.attempts.map((a) => [a.n, a.at - start, a.status, a.error])).toEqual([
      [1, 0, 500, 'HTTP 500'],
      [2, 30_000, 503, 'HTTP 503'],
      [3, 90_000, 429, 'HTTP 429'],
      [4, 210_000, 200, null],
    ]);
    for (const a of d!.attempts) expect(a.durationMs).toBeGreaterThanOrEqual(0);
    const requests = await received(h.path);
    expect(requests.map((r) => r.headers['gazette-attempt'])).toEqual(['1', '2', '3', '4']);
    // Each attempt is signed with its own timestamp; the delivery id stays the same.
    expect(new Set(requests.map((r) => r.headers['gazette-delivery'])).size).toBe(1);
    expect(requests[3]!.headers['gazette-signature']).toMatch(
      new RegExp(`^t=${(start + 210_000) / 1000},v1=`),
    );
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBeNull();
  });

  it('doubles the delay up to two hours', () => {
    expect([1, 2, 3, 4, 8, 9, 10, 20].map(retryDelayMs)).toEqual([
      30_000, 60_000, 120_000, 240_000, 3_840_000, 7_200_000, 7_200_000, 7_200_000,
    ]);
  });

  it('gives up a day after the event and stops waking', async () => {
    const clock = pin();
    const h = await hook();
    await script(h.path, Array(100).fill(500));
    await enqueueWebhookEvent(env, event());
    const stub = webhookDelivery(env, h.id);
    await firstAttempt(stub);
    let runs = 0;
    for (;;) {
      const [d] = (await stub.deliveries({ limit: 1 })).data;
      if (d!.status !== 'pending') break;
      clock.set(d!.nextAttemptAt!);
      await runDurableObjectAlarm(stub);
      if (++runs > 100) throw new Error('never gave up');
    }
    const [d] = (await stub.deliveries({ limit: 1 })).data;
    expect(d!.status).toBe('failed');
    expect(d!.nextAttemptAt).toBeNull();
    const last = d!.attempts.at(-1)!;
    expect(last.at - start).toBeLessThanOrEqual(retryPolicy.giveUpAfterMs);
    expect(last.at + retryDelayMs(last.n) - start).toBeGreaterThan(retryPolicy.giveUpAfterMs);
    expect(d!.attempts.length).toBe((await received(h.path)).length);
    expect(d!.attempts.length).toBeGreaterThan(15);
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(false);
  });

  it('cancels pending deliveries and forgets everything on purge', async () => {
    pin();
    const h = await hook();
    await script(h.path, [500]);
    await enqueueWebhookEvent(env, event());
    const stub = webhookDelivery(env, h.id);
    await firstAttempt(stub);
    expect(await stub.cancelPending()).toEqual({ cancelled: 1 });
    const [d] = (await stub.deliveries({ limit: 1 })).data;
    expect(d).toMatchObject({ status: 'cancelled', nextAttemptAt: null });
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    await stub.purge();
    expect((await stub.deliveries({ limit: 10 })).data).toEqual([]);
  });

  it('pages the log newest first, also across deliveries created at the same instant', async () => {
    pin();
    const h = await hook();
    for (let i = 0; i < 5; i++) await enqueueWebhookEvent(env, event());
    const stub = webhookDelivery(env, h.id);
    await firstAttempt(stub, 5);
    const first = await stub.deliveries({ limit: 2 });
    const second = await stub.deliveries({ limit: 2, before: first.nextBefore! });
    const third = await stub.deliveries({ limit: 2, before: second.nextBefore! });
    const ids = [...first.data, ...second.data, ...third.data].map((d) => d.id);
    expect(new Set(ids).size).toBe(5);
    expect(third.nextBefore).toBeNull();
  });
});
