import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import app from '../../src/index';
import { json, seedArticle, seedChannel, testDb } from '../helpers';
import { countingD1 } from './counting-d1';
import { now as clockNow } from '../../src/lib/clock';

/** Runs one request through the app with env.DB replaced by a counting proxy. */
async function countRoundTrips(path: string) {
  const { db, counter } = countingD1(env.DB);
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://gazette.test${path}`), { ...env, DB: db }, ctx);
  await waitOnExecutionContext(ctx);
  return { res, counter };
}

async function seedTree() {
  const db = testDb();
  const root = await seedChannel(db, { name: '要闻动态' });
  const leaf = await seedChannel(db, { name: '盘锦要闻', parentSlug: root.slug });
  const tag = { slug: `tag-${leaf.slug}`, name: '标签' };
  const day = 86_400_000;
  const ids = [];
  for (let i = 0; i < 3; i++) {
    ids.push(
      await seedArticle(db, {
        channelSlug: leaf.slug,
        publishedAt: new Date(clockNow() - (i + 1) * day),
        tags: [tag],
        attachments: [
          {
            name: `附件${i}.pdf`,
            url: 'https://example.com/a.pdf',
            size: 10,
            contentType: 'application/pdf',
          },
        ],
      }),
    );
  }
  return { root, leaf, tag, ids };
}

describe('the counting D1 proxy', () => {
  it('counts statement calls, batches and session reads as round trips', async () => {
    const { db, counter } = countingD1(env.DB);
    await db.prepare('select 1').all();
    await db.prepare('select ?').bind(1).first();
    await db.batch([db.prepare('select 1'), db.prepare('select 2')]);
    const session = db.withSession('first-unconstrained');
    await session.prepare('select 1').raw();
    await session.batch([session.prepare('select 1')]);
    expect(counter.roundTrips).toBe(5);
    expect(counter.calls).toEqual(['all', 'first', 'batch', 'withSession', 'raw', 'batch']);
  });
});

describe('D1 round trips per public read', () => {
  it('reads an article by id in exactly one round trip, one statement through a session', async () => {
    const { ids } = await seedTree();
    const { res, counter } = await countRoundTrips(`/api/v1/articles/${ids[1]!.id}`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.data.prev).not.toBeNull();
    expect(body.data.next).not.toBeNull();
    expect(counter.roundTrips).toBe(1);
    expect(counter.calls).toEqual(['withSession', 'first']);
  });

  it('reads an article by slug in exactly one round trip', async () => {
    const { ids } = await seedTree();
    const { res, counter } = await countRoundTrips(`/api/v1/articles/${ids[0]!.slug}`);
    expect(res.status).toBe(200);
    expect(counter.roundTrips).toBe(1);
  });

  it('answers a missing article after one round trip', async () => {
    const { res, counter } = await countRoundTrips('/api/v1/articles/987654321');
    expect(res.status).toBe(404);
    expect(counter.roundTrips).toBe(1);
  });

  it.each([
    ['the plain list', () => '/api/v1/articles'],
    [
      'a channel list',
      (s: Awaited<ReturnType<typeof seedTree>>) => `/api/v1/articles?channel=${s.root.slug}`,
    ],
    [
      'a tag list',
      (s: Awaited<ReturnType<typeof seedTree>>) => `/api/v1/articles?tag=${s.tag.slug}`,
    ],
    ['a popular list', () => '/api/v1/articles?sort=popular&limit=2'],
    [
      'an ids list',
      (s: Awaited<ReturnType<typeof seedTree>>) =>
        `/api/v1/articles?ids=${s.ids.map((a) => a.id).join(',')}`,
    ],
  ])('reads %s in exactly one round trip', async (_label, path) => {
    const seeded = await seedTree();
    const { res, counter } = await countRoundTrips(path(seeded));
    expect(res.status).toBe(200);
    expect((await json(res)).data.length).toBeGreaterThan(0);
    expect(counter.roundTrips).toBe(1);
  });

  it('reads the next page in exactly one round trip', async () => {
    const { leaf } = await seedTree();
    const first = await countRoundTrips(`/api/v1/articles?channel=${leaf.slug}&limit=1`);
    const cursor = (await json(first.res)).meta.nextCursor;
    const { res, counter } = await countRoundTrips(
      `/api/v1/articles?channel=${leaf.slug}&limit=1&cursor=${cursor}`,
    );
    expect(res.status).toBe(200);
    expect(counter.roundTrips).toBe(1);
  });

  it('tells an unknown channel from an empty one in the same single round trip', async () => {
    const empty = await seedChannel(testDb());
    const emptyRead = await countRoundTrips(`/api/v1/articles?channel=${empty.slug}`);
    expect(emptyRead.res.status).toBe(200);
    expect(emptyRead.counter.roundTrips).toBe(1);
    const unknown = await countRoundTrips('/api/v1/articles?channel=no-such-channel-here');
    expect(unknown.res.status).toBe(404);
    expect(unknown.counter.roundTrips).toBe(1);
  });

  it('reads the channel tree and one channel in one round trip each', async () => {
    const { leaf } = await seedTree();
    const tree = await countRoundTrips('/api/v1/channels');
    expect(tree.res.status).toBe(200);
    expect(tree.counter.roundTrips).toBe(1);
    const one = await countRoundTrips(`/api/v1/channels/${leaf.slug}`);
    expect(one.res.status).toBe(200);
    expect(one.counter.roundTrips).toBe(1);
  });

  it('does not touch D1 for a request it rejects', async () => {
    const { res, counter } = await countRoundTrips('/api/v1/articles?limit=0');
    expect(res.status).toBe(400);
    expect(counter.roundTrips).toBe(0);
    expect(counter.calls).toEqual([]);
  });
});
