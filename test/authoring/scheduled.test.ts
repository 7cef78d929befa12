import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { fixedClock, now, useClock, type Clock } from '../../src/lib/clock';
import { admin, get, issueToken, json, seedChannel, testDb } from '../helpers';

let restore: Clock | undefined;
afterEach(() => {
  if (restore) useClock(restore);
  restore = undefined;
});

async function runCron(at: number) {
  const controller = createScheduledController({ scheduledTime: new Date(at), cron: '* * * * *' });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, env, ctx);
  await waitOnExecutionContext(ctx);
}

describe('scheduled() publishes what is due', () => {
  it('publishes a scheduled article once its time has come, with a revision and an audit row', async () => {
    // In the past, so that public reads (which may still take the wall clock) agree with ours.
    const t0 = Math.floor(now() / 60_000) * 60_000 - 30 * 60_000;
    const clock = fixedClock(t0);
    restore = useClock(clock);
    const channel = await seedChannel(testDb());
    const token = await issueToken('editor');
    const created = await json(
      await admin('/articles', {
        token,
        json: { title: '定时稿件', body: '<p>x</p>', channel: channel.slug },
      }),
    );
    const id = created.data.id;
    const at = new Date(t0 + 5 * 60_000).toISOString();
    const scheduled = await json(
      await admin(`/articles/${id}/publish`, { token, json: { publishedAt: at } }),
    );
    expect(scheduled.data.status).toBe('scheduled');

    clock.set(t0 + 4 * 60_000);
    await runCron(t0 + 4 * 60_000);
    expect((await json(await admin(`/articles/${id}`, { token }))).data.status).toBe('scheduled');
    expect((await get(`/api/v1/articles/${id}`)).status).toBe(404);

    clock.set(t0 + 5 * 60_000);
    await runCron(t0 + 5 * 60_000);
    const after = await json(await admin(`/articles/${id}`, { token }));
    expect(after.data.status).toBe('published');
    expect(new Date(after.data.publishedAt).toISOString()).toBe(at);
    expect((await get(`/api/v1/articles/${id}`)).status).toBe(200);

    const revisions = await json(await admin(`/articles/${id}/revisions`, { token }));
    expect(revisions.data[0]).toMatchObject({
      reason: 'publish',
      actor: 'scheduler',
      published: true,
    });
    const root = await issueToken('admin');
    const audit = await json(
      await admin(`/audit?targetType=article&targetId=${id}`, { token: root }),
    );
    expect(audit.data[0]).toMatchObject({
      action: 'article.publish',
      actor: { name: 'scheduler', role: 'system' },
      outcome: 'ok',
    });

    // Running again changes nothing.
    await runCron(t0 + 6 * 60_000);
    const again = await json(await admin(`/articles/${id}/revisions`, { token }));
    expect(again.data).toHaveLength(revisions.data.length);
  });

  it('leaves an article an editor took back to draft alone', async () => {
    const t0 = now();
    const clock = fixedClock(t0);
    restore = useClock(clock);
    const channel = await seedChannel(testDb());
    const token = await issueToken('editor');
    const id = (
      await json(
        await admin('/articles', {
          token,
          json: { title: '撤回', body: '<p>x</p>', channel: channel.slug },
        }),
      )
    ).data.id;
    await admin(`/articles/${id}/publish`, {
      token,
      json: { publishedAt: new Date(t0 + 60_000).toISOString() },
    });
    await admin(`/articles/${id}/unpublish`, { token, method: 'POST' });
    clock.set(t0 + 120_000);
    await runCron(t0 + 120_000);
    expect((await json(await admin(`/articles/${id}`, { token }))).data.status).toBe('draft');
  });
});
