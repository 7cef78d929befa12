import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { webhookType, type ArticleEvent } from '../../src/authoring/effects';
import type { AdminArticle } from '../../src/authoring/queries';
import { now as clockNow } from '../../src/lib/clock';
import { verifySignature } from '../../src/webhooks/signing';
import type { ReceivedRequest } from '../webhooks/receiver';
import { admin, issueToken, json, seedChannel, testDb, uniqueSlug } from '../helpers';

const state = (status: AdminArticle['status']) => ({ status }) as AdminArticle;
const event = (
  type: ArticleEvent['type'],
  status: AdminArticle['status'],
  previous?: AdminArticle['status'],
): ArticleEvent => ({
  type,
  article: state(status),
  previous: previous ? state(previous) : null,
});

describe('webhookType', () => {
  it('speaks only of the public lifecycle', () => {
    expect(webhookType(event('article.created', 'draft'))).toBeNull();
    expect(webhookType(event('article.created', 'published'))).toBe('article.published');
    expect(webhookType(event('article.updated', 'draft', 'draft'))).toBeNull();
    expect(webhookType(event('article.scheduled', 'scheduled', 'draft'))).toBeNull();
    expect(webhookType(event('article.published', 'published', 'scheduled'))).toBe(
      'article.published',
    );
    expect(webhookType(event('article.published', 'published', 'published'))).toBe(
      'article.updated',
    );
    expect(webhookType(event('article.updated', 'published', 'published'))).toBe('article.updated');
    expect(webhookType(event('article.unpublished', 'draft', 'published'))).toBe(
      'article.unpublished',
    );
    expect(webhookType(event('article.archived', 'archived', 'published'))).toBe(
      'article.unpublished',
    );
    expect(webhookType(event('article.archived', 'archived', 'draft'))).toBeNull();
    expect(webhookType(event('article.deleted', 'deleted', 'published'))).toBe('article.deleted');
  });
});

async function received(path: string): Promise<ReceivedRequest[]> {
  return (await env.WEBHOOK_OUTBOUND!.fetch(`http://receiver.control/log${path}`)).json();
}

async function waitFor(path: string, count: number): Promise<ReceivedRequest[]> {
  // The first attempt is due at once and the platform runs it by itself: wait, don't race.
  for (let i = 0; i < 200; i++) {
    const got = await received(path);
    if (got.length >= count) return got;
    await scheduler.wait(25);
  }
  throw new Error(`expected ${count} deliveries to ${path}`);
}

describe('article writes through the admin API', () => {
  it('deliver signed article.published and article.unpublished webhooks to subscribers', async () => {
    const token = await issueToken('admin');
    const path = `/hooks/${uniqueSlug('fx')}`;
    const created = await admin('/webhooks', {
      token,
      json: {
        url: `https://receiver.example${path}`,
        events: ['article.published', 'article.unpublished'],
      },
    });
    expect(created.status).toBe(201);
    const { data: hook } = await json(created);

    const channel = await seedChannel(testDb());
    const draft = await admin('/articles', {
      token,
      json: { title: '盘锦市召开全市经济工作会议', body: '<p>正文。</p>', channel: channel.slug },
    });
    expect(draft.status).toBe(201);
    const { data: article } = await json(draft);
    const published = await admin(`/articles/${article.id}/publish`, { token, json: {} });
    expect(published.status).toBe(200);
    const unpublished = await admin(`/articles/${article.id}/unpublish`, { token, json: {} });
    expect(unpublished.status).toBe(200);

    const deliveries = await waitFor(path, 2);
    const bodies = deliveries.map((d) => JSON.parse(d.body));
    expect(bodies.map((b) => b.type).sort()).toEqual(['article.published', 'article.unpublished']);
    for (const [i, d] of deliveries.entries()) {
      expect(bodies[i].data.article).toMatchObject({ id: article.id, slug: article.slug });
      expect(bodies[i].data.article.url).toMatch(
        new RegExp(`/articles/${article.id}/${article.slug}$`),
      );
      expect(
        (
          await verifySignature(hook.secret, d.headers['gazette-signature'] ?? null, d.body, {
            nowSeconds: Math.floor(clockNow() / 1000),
          })
        ).ok,
      ).toBe(true);
    }
  });
});
