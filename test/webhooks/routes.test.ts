import { env } from 'cloudflare:workers';
import { desc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, webhooks } from '../../src/db/schema';
import { enqueueWebhookEvent, webhookDelivery } from '../../src/webhooks/client';
import { nowDate } from '../../src/lib/clock';
import { admin, expectProblem, get, issueToken, json, testDb, uniqueSlug } from '../helpers';

function receiverUrl() {
  return `https://receiver.example/hooks/${uniqueSlug('r')}`;
}

async function create(token: string, body: Record<string, unknown> = {}) {
  return admin('/webhooks', {
    token,
    json: { url: receiverUrl(), events: ['article.published'], ...body },
  });
}

async function auditFor(id: number) {
  return testDb()
    .select()
    .from(auditLog)
    .where(eq(auditLog.targetId, String(id)))
    .orderBy(desc(auditLog.id));
}

describe('POST /api/v1/admin/webhooks', () => {
  it('registers a hook, returns its secret once and audits the write', async () => {
    const token = await issueToken('admin', { name: 'hooks-admin' });
    const url = receiverUrl();
    const res = await admin('/webhooks', {
      token,
      json: {
        url,
        events: ['article.published', 'article.deleted'],
        description: '市政务公开平台同步',
      },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const { data } = await json(res);
    expect(data).toMatchObject({
      url,
      events: ['article.published', 'article.deleted'],
      description: '市政务公开平台同步',
      active: true,
    });
    expect(data.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(res.headers.get('Location')).toBe(`/api/v1/admin/webhooks/${data.id}`);

    const one = await json(await admin(`/webhooks/${data.id}`, { token }));
    expect(one.data).toEqual({ ...data, secret: undefined, id: data.id });
    expect(JSON.stringify(one)).not.toContain(data.secret);
    const list = await json(await admin('/webhooks', { token }));
    expect(list.data.map((h: { id: number }) => h.id)).toContain(data.id);
    expect(JSON.stringify(list)).not.toContain('whsec_');

    const [entry] = await auditFor(data.id);
    expect(entry).toMatchObject({
      actorName: 'hooks-admin',
      actorRole: 'admin',
      action: 'webhook.create',
      targetType: 'webhook',
      outcome: 'ok',
    });
  });

  it('answers 422 listing every field error, and writes nothing', async () => {
    const token = await issueToken('admin');
    const before = await testDb().select().from(webhooks);
    for (const [body, fields] of [
      [{ url: 'http://receiver.example/x', events: ['article.published'] }, ['url']],
      [{ url: 'https://u:p@receiver.example/x', events: ['article.published'] }, ['url']],
      [{ url: 'javascript:alert(1)', events: [] }, ['url', 'events']],
      [{ url: receiverUrl(), events: ['article.viewed'] }, ['events.0']],
      [{ url: receiverUrl(), events: ['article.updated', 'article.updated'] }, ['events']],
      [{ url: receiverUrl(), events: ['article.updated'], secret: 'mine' }, ['secret']],
      [{}, ['url', 'events']],
    ] as const) {
      const res = await admin('/webhooks', { token, json: body });
      const problem = await expectProblem(res, 422, 'unprocessable');
      expect(
        problem.invalidParams.map((p: { name: string }) => p.name).sort(),
        JSON.stringify(body),
      ).toEqual([...fields].sort());
    }
    expect(await testDb().select().from(webhooks)).toHaveLength(before.length);
  });

  it('allows plain http only to this machine', async () => {
    const token = await issueToken('admin');
    const res = await create(token, { url: 'http://127.0.0.1:8788/hook' });
    expect(res.status).toBe(201);
  });

  it('needs an admin token: 401 without one, 403 for an editor (audited)', async () => {
    const none = await admin('/webhooks', {
      json: { url: receiverUrl(), events: ['article.published'] },
    });
    expect(none.headers.get('WWW-Authenticate')).toBe('Bearer realm="gazette"');
    await expectProblem(none, 401, 'unauthorized');
    const editor = await issueToken('editor', { name: 'hooks-editor' });
    await expectProblem(await create(editor), 403, 'forbidden');
    await expectProblem(await admin('/webhooks', { token: editor }), 403, 'forbidden');
    const preview = await issueToken('reader-preview');
    await expectProblem(await admin('/webhooks', { token: preview }), 403, 'forbidden');
    const [entry] = await testDb()
      .select()
      .from(auditLog)
      .where(eq(auditLog.actorName, 'hooks-editor'));
    expect(entry).toMatchObject({ outcome: 'forbidden', targetId: '/api/v1/admin/webhooks' });
  });

  it('answers 415 for a body that is not JSON', async () => {
    const token = await issueToken('admin');
    const res = await admin('/webhooks', {
      token,
      body: 'url=https://x.example/',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    await expectProblem(res, 415, 'unsupported_media_type');
    expect(
      await testDb().select().from(webhooks).where(eq(webhooks.url, 'https://x.example/')),
    ).toEqual([]);
  });
});

describe('PATCH /api/v1/admin/webhooks/:id', () => {
  it('disables a hook: pending deliveries are cancelled and new events skip it', async () => {
    const token = await issueToken('admin');
    const url = receiverUrl();
    // The receiver fails, so the delivery is still pending (a retry due in 30 s) when disabled.
    await env.WEBHOOK_OUTBOUND!.fetch(`http://receiver.control/script${new URL(url).pathname}`, {
      method: 'PUT',
      body: '[500, 500]',
    });
    const { data } = await json(await create(token, { url }));
    const stub = webhookDelivery(env, data.id);
    await stub.enqueue({
      id: `dlv_${data.id}_${'1'.repeat(32)}`,
      eventId: `evt_${'1'.repeat(32)}`,
      type: 'article.published',
      hookId: data.id,
      url: data.url,
      secret: 's',
      body: '{}',
      createdAt: nowDate().getTime(),
    });
    const res = await admin(`/webhooks/${data.id}`, {
      token,
      method: 'PATCH',
      json: { active: false },
    });
    expect(res.status).toBe(200);
    expect((await json(res)).data).toMatchObject({ id: data.id, active: false });
    const log = await stub.deliveries({ limit: 10 });
    expect(log.data.map((d) => d.status)).toEqual(['cancelled']);
    const [entry] = await auditFor(data.id);
    expect(entry).toMatchObject({ action: 'webhook.disable', changedFields: '["active"]' });

    await enqueueWebhookEvent(env, {
      type: 'article.published',
      article: {
        id: 999_001,
        slug: 'x',
        title: 't',
        url: 'https://news.example/x',
        status: 'published',
        publishedAt: nowDate(),
      },
      occurredAt: nowDate(),
    });
    expect((await stub.deliveries({ limit: 10 })).data).toHaveLength(1);
  });

  it('answers 404 for an unknown hook and 422 for an empty or unknown patch', async () => {
    const token = await issueToken('admin');
    await expectProblem(
      await admin('/webhooks/987654', { token, method: 'PATCH', json: { active: false } }),
      404,
      'not_found',
    );
    const { data } = await json(await create(token));
    await expectProblem(
      await admin(`/webhooks/${data.id}`, { token, method: 'PATCH', json: {} }),
      422,
      'unprocessable',
    );
    await expectProblem(
      await admin(`/webhooks/${data.id}`, { token, method: 'PATCH', json: { secret: 'x' } }),
      422,
      'unprocessable',
    );
    await expectProblem(await admin('/webhooks/abc', { token }), 400, 'invalid_parameter');
  });
});

describe('DELETE /api/v1/admin/webhooks/:id', () => {
  it('deletes the hook and its log, audited; a second delete is 404', async () => {
    const token = await issueToken('admin');
    const { data } = await json(await create(token));
    const res = await admin(`/webhooks/${data.id}`, { token, method: 'DELETE' });
    expect(res.status).toBe(204);
    await expectProblem(await admin(`/webhooks/${data.id}`, { token }), 404, 'not_found');
    await expectProblem(
      await admin(`/webhooks/${data.id}`, { token, method: 'DELETE' }),
      404,
      'not_found',
    );
    expect((await webhookDelivery(env, data.id).deliveries({ limit: 10 })).data).toEqual([]);
    const [entry] = await auditFor(data.id);
    expect(entry).toMatchObject({ action: 'webhook.delete', outcome: 'ok' });
  });
});

describe('GET /api/v1/admin/webhooks/:id/deliveries', () => {
  it('shows each delivery with its attempts, newest first, paged', async () => {
    const token = await issueToken('admin');
    const { data: hook } = await json(await create(token));
    const at = nowDate();
    for (let i = 0; i < 3; i++) {
      await enqueueWebhookEvent(env, {
        type: 'article.published',
        article: {
          id: 990_000 + i,
          slug: `d-${i}`,
          title: `第${i}篇`,
          url: `https://news.example/articles/${i}`,
          status: 'published',
          publishedAt: at,
        },
        occurredAt: new Date(at.getTime() + i),
      });
    }
    // Wait for the first attempts, which the platform runs at once.
    let page: any;
    for (let i = 0; i < 200; i++) {
      page = await json(await admin(`/webhooks/${hook.id}/deliveries?limit=2`, { token }));
      if (page.data.length === 2 && page.data.every((d: any) => d.attempts.length)) break;
      await scheduler.wait(25);
    }
    expect(page.data).toHaveLength(2);
    expect(page.data[0]).toMatchObject({
      type: 'article.published',
      url: hook.url,
      status: 'delivered',
      createdAt: new Date(at.getTime() + 2).toISOString(),
      attempts: [{ n: 1, status: 200, error: null }],
    });
    expect(page.data[0].attempts[0].at).toMatch(/Z$/);
    expect(page.meta.nextBefore).toEqual(expect.any(String));
    const next = await json(
      await admin(`/webhooks/${hook.id}/deliveries?limit=2&before=${page.meta.nextBefore}`, {
        token,
      }),
    );
    expect(next.data).toHaveLength(1);
    expect(next.meta.nextBefore).toBeNull();
    await expectProblem(
      await admin(`/webhooks/${hook.id}/deliveries?before=yesterday`, { token }),
      400,
      'invalid_parameter',
    );
    await expectProblem(await admin('/webhooks/987655/deliveries', { token }), 404, 'not_found');
  });
});

describe('GET /openapi.json', () => {
  it('describes the webhook routes with the bearer scheme', async () => {
    const res = await get('/openapi.json');
    const doc = await json(res);
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/admin/webhooks',
        '/api/v1/admin/webhooks/{id}',
        '/api/v1/admin/webhooks/{id}/deliveries',
      ]),
    );
    expect(doc.paths['/api/v1/admin/webhooks'].post).toMatchObject({
      operationId: 'adminCreateWebhook',
      security: [{ bearerAuth: [] }],
    });
  });
});

describe('POST /api/v1/admin/webhooks/:id/deliveries/:delivery/redeliver', () => {
  async function deliveries(token: string, hookId: number, until: (d: any[]) => boolean) {
    let page: any;
    for (let i = 0; i < 200; i++) {
      page = await json(await admin(`/webhooks/${hookId}/deliveries`, { token }));
      if (until(page.data)) return page.data;
      await scheduler.wait(25);
    }
    return page.data;
  }

  const event = (id: number) => ({
    type: 'article.published' as const,
    article: {
      id,
      slug: `r-${id}`,
      title: '重新投递',
      url: `https://news.example/articles/${id}`,
      status: 'published' as const,
      publishedAt: nowDate(),
    },
    occurredAt: nowDate(),
  });

  const redeliver = (token: string, hookId: number | string, delivery: string) =>
    admin(`/webhooks/${hookId}/deliveries/${delivery}/redeliver`, { token, method: 'POST' });

  it("sends a finished delivery again to the hook's current URL, audited; 409 while pending", async () => {
    const token = await issueToken('admin');
    const path = `/hooks/${uniqueSlug('redeliver')}`;
    const { data: hook } = await json(
      await create(token, { url: `https://receiver.example${path}` }),
    );
    // The first attempt fails; the delivery stays pending, its retry half a minute away.
    await env.WEBHOOK_OUTBOUND!.fetch(`http://receiver.control/script${path}`, {
      method: 'PUT',
      body: '[500]',
    });
    await enqueueWebhookEvent(env, event(991_001));
    const [pending] = await deliveries(token, hook.id, (d) => d[0]?.attempts.length === 1);
    expect(pending).toMatchObject({ status: 'pending', attempts: [{ n: 1, status: 500 }] });
    await expectProblem(await redeliver(token, hook.id, pending.id), 409, 'conflict');

    // Disabled, the delivery is cancelled; redelivering then needs the hook enabled again.
    await admin(`/webhooks/${hook.id}`, { token, method: 'PATCH', json: { active: false } });
    await expectProblem(await redeliver(token, hook.id, pending.id), 409, 'conflict');
    const newPath = `${path}-moved`;
    await admin(`/webhooks/${hook.id}`, {
      token,
      method: 'PATCH',
      json: { active: true, url: `https://receiver.example${newPath}` },
    });
    const res = await redeliver(token, hook.id, pending.id);
    expect(res.status).toBe(202);
    expect((await json(res)).data).toMatchObject({ id: pending.id, status: 'pending' });
    const [again] = await deliveries(token, hook.id, (d) => d[0]?.status === 'delivered');
    expect(again).toMatchObject({
      id: pending.id,
      status: 'delivered',
      url: `https://receiver.example${newPath}`,
      attempts: [
        { n: 1, status: 500 },
        { n: 2, status: 200 },
      ],
    });
    const received = (await (
      await env.WEBHOOK_OUTBOUND!.fetch(`http://receiver.control/log${newPath}`)
    ).json()) as { headers: Record<string, string>; body: string }[];
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.body).id).toBe(pending.eventId);
    expect(received[0]!.headers['gazette-attempt']).toBe('2');
    const [entry] = await auditFor(hook.id);
    expect(entry).toMatchObject({ action: 'webhook.redeliver', targetType: 'webhook' });
  });

  it('answers 404 for an unknown delivery or hook and 400 for a malformed id', async () => {
    const token = await issueToken('admin');
    const { data: hook } = await json(await create(token));
    const unknown = `dlv_${hook.id}_${'0'.repeat(32)}`;
    await expectProblem(await redeliver(token, hook.id, unknown), 404, 'not_found');
    await expectProblem(await redeliver(token, 987656, unknown), 404, 'not_found');
    await expectProblem(await redeliver(token, hook.id, 'nope'), 400, 'invalid_parameter');
  });
});
