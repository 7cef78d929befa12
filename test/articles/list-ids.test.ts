import { describe, expect, it } from 'vitest';
import { expectProblem, get, json, seedArticle, seedChannel, testDb } from '../helpers';
import { now as clockNow } from '../../src/lib/clock';

const day = 86_400_000;

async function seedSet() {
  const db = testDb();
  const channel = await seedChannel(db);
  const base = clockNow() - 30 * day;
  const at = (n: number) => new Date(base + n * day);
  const oldest = await seedArticle(db, { channelSlug: channel.slug, publishedAt: at(1) });
  const middle = await seedArticle(db, { channelSlug: channel.slug, publishedAt: at(2) });
  const newest = await seedArticle(db, { channelSlug: channel.slug, publishedAt: at(3) });
  const draft = await seedArticle(db, {
    channelSlug: channel.slug,
    status: 'draft',
    publishedAt: null,
  });
  const archived = await seedArticle(db, {
    channelSlug: channel.slug,
    status: 'archived',
    publishedAt: at(4),
  });
  const future = await seedArticle(db, {
    channelSlug: channel.slug,
    publishedAt: new Date(clockNow() + day),
  });
  return { channel, oldest, middle, newest, draft, archived, future };
}

describe('GET /api/v1/articles?ids=', () => {
  it('returns the published ones among the ids as summaries, newest first', async () => {
    const s = await seedSet();
    const ids = [s.oldest, s.draft, s.newest, s.archived, s.future, s.middle].map((a) => a.id);
    const res = await get(`/api/v1/articles?ids=${ids.join(',')}`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.data.map((a: { id: number }) => a.id)).toEqual([
      s.newest.id,
      s.middle.id,
      s.oldest.id,
    ]);
    expect(body.data[0]).not.toHaveProperty('body');
    expect(body.meta).toEqual({ nextCursor: null, limit: 6 });
    expect(res.headers.get('Link')).toBeNull();
  });

  it('ignores unknown ids and collapses duplicates', async () => {
    const s = await seedSet();
    const res = await get(`/api/v1/articles?ids=${s.middle.id},999999999,${s.middle.id}`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.data.map((a: { id: number }) => a.id)).toEqual([s.middle.id]);
  });

  it('returns an empty list when none of the ids is published', async () => {
    const s = await seedSet();
    const res = await get(`/api/v1/articles?ids=${s.draft.id},${s.future.id}`);
    expect(res.status).toBe(200);
    expect((await json(res)).data).toEqual([]);
  });

  it('accepts 100 ids in one statement (more than D1 allows as bound parameters)', async () => {
    const s = await seedSet();
    const ids = Array.from({ length: 97 }, (_, i) => 5_000_000 + i);
    ids.push(s.oldest.id, s.middle.id, s.newest.id);
    const res = await get(`/api/v1/articles?ids=${ids.join(',')}`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.data.map((a: { id: number }) => a.id)).toEqual([
      s.newest.id,
      s.middle.id,
      s.oldest.id,
    ]);
    expect(body.meta.limit).toBe(100);
  });

  it('combines with other filters and paginates with a cursor tied to the same ids', async () => {
    const s = await seedSet();
    const ids = `${s.oldest.id},${s.middle.id},${s.newest.id}`;
    const first = await get(`/api/v1/articles?ids=${ids}&channel=${s.channel.slug}&limit=2`);
    expect(first.status).toBe(200);
    const page1 = await json(first);
    expect(page1.data.map((a: { id: number }) => a.id)).toEqual([s.newest.id, s.middle.id]);
    expect(page1.meta.nextCursor).toEqual(expect.any(String));
    expect(first.headers.get('Link')).toContain('rel="next"');

    const second = await get(
      `/api/v1/articles?ids=${ids}&channel=${s.channel.slug}&limit=2&cursor=${page1.meta.nextCursor}`,
    );
    const page2 = await json(second);
    expect(page2.data.map((a: { id: number }) => a.id)).toEqual([s.oldest.id]);
    expect(page2.meta.nextCursor).toBeNull();

    // The same ids in another order are the same set, so the cursor still fits.
    const reordered = await get(
      `/api/v1/articles?ids=${s.newest.id},${s.oldest.id},${s.middle.id}&channel=${s.channel.slug}&limit=2&cursor=${page1.meta.nextCursor}`,
    );
    expect(reordered.status).toBe(200);

    const otherIds = await get(
      `/api/v1/articles?ids=${s.oldest.id},${s.middle.id}&channel=${s.channel.slug}&limit=2&cursor=${page1.meta.nextCursor}`,
    );
    const problem = await expectProblem(otherIds, 400, 'invalid_parameter');
    expect(problem.invalidParams[0].name).toBe('cursor');
  });

  it.each([
    ['empty', ''],
    ['a zero', '0'],
    ['a negative id', '-1'],
    ['a trailing comma', '1,2,'],
    ['a leading comma', ',1'],
    ['two commas', '1,,2'],
    ['spaces', '1,%202'],
    ['a fraction', '1.5'],
    ['a word', 'abc'],
    ['a leading zero', '01'],
    ['an id beyond the safe integer range', '99999999999999999'],
    ['SQL', "1)%20or%20('1'='1"],
    ['101 ids', Array.from({ length: 101 }, (_, i) => i + 1).join(',')],
    ['101 entries even with duplicates', Array.from({ length: 101 }, () => 1).join(',')],
  ])('rejects %s with a 400 naming ids', async (_label, value) => {
    const res = await get(`/api/v1/articles?ids=${value}`);
    const problem = await expectProblem(res, 400, 'invalid_parameter');
    expect(problem.invalidParams).toEqual([
      expect.objectContaining({ name: 'ids', in: 'query', reason: expect.any(String) }),
    ]);
  });

  it('rejects ids given twice', async () => {
    const res = await get('/api/v1/articles?ids=1&ids=2');
    const problem = await expectProblem(res, 400, 'invalid_parameter');
    expect(problem.invalidParams[0].name).toBe('ids');
  });

  it('still honours an explicit limit', async () => {
    const s = await seedSet();
    const res = await get(
      `/api/v1/articles?ids=${s.oldest.id},${s.middle.id},${s.newest.id}&limit=1`,
    );
    const body = await json(res);
    expect(body.data.map((a: { id: number }) => a.id)).toEqual([s.newest.id]);
    expect(body.meta.limit).toBe(1);
    expect(body.meta.nextCursor).toEqual(expect.any(String));
  });
});
