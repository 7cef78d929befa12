import { describe, expect, it } from 'vitest';
import { encodeCursor, queryFingerprint } from '../../src/lib/cursor';
import { expectProblem, get, json, seedArticle, seedChannel, testDb } from '../helpers';
import { now as clockNow } from '../../src/lib/clock';

const minute = 60_000;

/** 23 public articles in a channel of their own (some sharing a publish time or view count), plus hidden ones. */
async function seedChannelOf23() {
  const db = testDb();
  const channel = await seedChannel(db);
  const child = await seedChannel(db, { parentSlug: channel.slug });
  const start = clockNow() - 10_000 * minute;
  const visible: number[] = [];
  for (let i = 0; i < 23; i++) {
    // Pairs share a publish instant and triples a view count, so ties must be broken by id.
    const a = await seedArticle(db, {
      channelSlug: i % 4 === 0 ? child.slug : channel.slug,
      publishedAt: new Date(start + Math.floor(i / 2) * minute),
      viewBase: Math.floor(i / 3) * 10,
    });
    visible.push(a.id);
  }
  await seedArticle(db, { channelSlug: channel.slug, status: 'draft', publishedAt: null });
  await seedArticle(db, { channelSlug: channel.slug, status: 'archived' });
  await seedArticle(db, { channelSlug: channel.slug, publishedAt: new Date(clockNow() + minute) });
  return { channel, visible };
}

/** Follows Link rel="next" until there is none, checking it against meta.nextCursor. */
async function walk(firstPath: string) {
  const pages: { id: number; views: number; publishedAt: string }[][] = [];
  let url: string | null = `http://gazette.test${firstPath}`;
  while (url) {
    const res = await get(url.replace('http://gazette.test', ''));
    expect(res.status).toBe(200);
    const body = await json(res);
    pages.push(body.data);
    const link = res.headers.get('Link');
    if (body.meta.nextCursor) {
      expect(link).toMatch(/^<http:\/\/gazette\.test\/api\/v1\/articles\?[^>]+>; rel="next"$/);
      const next = new URL(/^<([^>]+)>/.exec(link!)![1]!);
      expect(next.searchParams.get('cursor')).toBe(body.meta.nextCursor);
      url = next.href;
    } else {
      expect(link).toBeNull();
      url = null;
    }
    expect(pages.length).toBeLessThan(50);
  }
  return pages;
}

describe('GET /api/v1/articles pagination', () => {
  it.each([
    ['latest', 5],
    ['latest', 1],
    ['popular', 4],
    ['latest', 23],
  ] as const)('walks every public article once with sort=%s and limit=%i', async (sort, limit) => {
    const { channel, visible } = await seedChannelOf23();
    const pages = await walk(
      `/api/v1/articles?channel=${channel.slug}&sort=${sort}&limit=${limit}`,
    );
    const seen = pages.flat().map((a) => a.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort((a, b) => a - b)).toEqual([...visible].sort((a, b) => a - b));
    expect(pages).toHaveLength(Math.ceil(23 / limit));
    pages.slice(0, -1).forEach((page) => expect(page).toHaveLength(limit));

    // Order holds across page boundaries: by (key, id) descending.
    const all = pages.flat();
    const key = (a: (typeof all)[number]) =>
      sort === 'popular' ? a.views : new Date(a.publishedAt).getTime();
    for (let i = 1; i < all.length; i++) {
      const [prev, cur] = [all[i - 1]!, all[i]!];
      expect(key(prev) > key(cur) || (key(prev) === key(cur) && prev.id > cur.id)).toBe(true);
    }
  });

  it('keeps the other parameters in the next link and allows a new limit mid-walk', async () => {
    const { channel } = await seedChannelOf23();
    const res = await get(`/api/v1/articles?channel=${channel.slug}&limit=10&from=2000-01-01`);
    const link = res.headers.get('Link')!;
    const next = new URL(/^<([^>]+)>/.exec(link)![1]!);
    expect(next.searchParams.get('channel')).toBe(channel.slug);
    expect(next.searchParams.get('limit')).toBe('10');
    expect(next.searchParams.get('from')).toBe('2000-01-01');
    const cursor = next.searchParams.get('cursor')!;
    const bigger = await get(
      `/api/v1/articles?channel=${channel.slug}&limit=50&from=2000-01-01&cursor=${cursor}`,
    );
    expect(bigger.status).toBe(200);
    expect((await json(bigger)).data).toHaveLength(13);
  });

  it('is stable when a newer article is published mid-walk', async () => {
    const { channel, visible } = await seedChannelOf23();
    const first = await json(await get(`/api/v1/articles?channel=${channel.slug}&limit=10`));
    await seedArticle(testDb(), { channelSlug: channel.slug });
    const rest = await walk(
      `/api/v1/articles?channel=${channel.slug}&limit=10&cursor=${first.meta.nextCursor}`,
    );
    const seen = [...first.data, ...rest.flat()].map((a: { id: number }) => a.id);
    expect([...seen].sort((a, b) => a - b)).toEqual([...visible].sort((a, b) => a - b));
  });

  describe('bad cursors', () => {
    async function realCursor() {
      const { channel } = await seedChannelOf23();
      const body = await json(await get(`/api/v1/articles?channel=${channel.slug}&limit=2`));
      return { channel, cursor: body.meta.nextCursor as string };
    }

    async function expectCursorProblem(path: string) {
      const problem = await expectProblem(await get(path), 400, 'invalid_parameter');
      expect(problem.invalidParams).toEqual([
        expect.objectContaining({ name: 'cursor', in: 'query' }),
      ]);
      return problem;
    }

    it('rejects a cursor with one character changed', async () => {
      const { channel, cursor } = await realCursor();
      const i = 5;
      const flipped = cursor.slice(0, i) + (cursor[i] === 'A' ? 'B' : 'A') + cursor.slice(i + 1);
      await expectCursorProblem(
        `/api/v1/articles?channel=${channel.slug}&limit=2&cursor=${flipped}`,
      );
    });

    it('rejects a cursor with its checksum cut off or changed', async () => {
      const { channel, cursor } = await realCursor();
      const [body, sum] = cursor.split('.');
      await expectCursorProblem(`/api/v1/articles?channel=${channel.slug}&cursor=${body}`);
      await expectCursorProblem(`/api/v1/articles?channel=${channel.slug}&cursor=${body}.${sum}x`);
      await expectCursorProblem(`/api/v1/articles?channel=${channel.slug}&cursor=${body}.${sum}.x`);
      await expectCursorProblem(
        `/api/v1/articles?channel=${channel.slug}&cursor=${body!.slice(0, -2)}.${sum}`,
      );
    });

    it.each([
      'abc',
      'a.b',
      '.',
      '....',
      '%00',
      '%F0%9F%98%80',
      '%ED%A0%80.abc',
      "'%20or%201=1--",
      '%3Cscript%3E',
      'x'.repeat(513),
    ])('rejects the malformed cursor %s', async (cursor) => {
      await expectCursorProblem(`/api/v1/articles?cursor=${cursor}`);
    });

    it('rejects an empty cursor', async () => {
      await expectCursorProblem('/api/v1/articles?cursor=');
    });

    it('rejects a cursor from another channel, sort, tag or date range', async () => {
      const { channel, cursor } = await realCursor();
      const other = await seedChannel(testDb());
      const problem = await expectCursorProblem(
        `/api/v1/articles?channel=${other.slug}&cursor=${cursor}`,
      );
      expect(problem.invalidParams[0].reason).toMatch(/different query/);
      await expectCursorProblem(`/api/v1/articles?cursor=${cursor}`);
      await expectCursorProblem(
        `/api/v1/articles?channel=${channel.slug}&sort=popular&cursor=${cursor}`,
      );
      await expectCursorProblem(`/api/v1/articles?channel=${channel.slug}&tag=x&cursor=${cursor}`);
      await expectCursorProblem(
        `/api/v1/articles?channel=${channel.slug}&from=2020-01-01&cursor=${cursor}`,
      );
    });

    it('rejects a well-signed cursor whose position is not a real instant or id', async () => {
      const fingerprint = queryFingerprint({ sort: 'latest' });
      const forged = [
        encodeCursor([8.7e15, 1], fingerprint),
        encodeCursor([1.5, 1], fingerprint),
        encodeCursor(['x', 1], fingerprint),
        encodeCursor([1], fingerprint),
        encodeCursor([1, 2, 3], fingerprint),
      ];
      for (const cursor of forged) await expectCursorProblem(`/api/v1/articles?cursor=${cursor}`);
      // The same envelope with a sane position is accepted, so the checks above are the position's.
      const fine = await get(
        `/api/v1/articles?cursor=${encodeCursor([clockNow(), 1], fingerprint)}`,
      );
      expect(fine.status).toBe(200);
    });

    it('rejects a cursor given twice', async () => {
      const { channel, cursor } = await realCursor();
      await expectCursorProblem(
        `/api/v1/articles?channel=${channel.slug}&cursor=${cursor}&cursor=${cursor}`,
      );
    });
  });
});
