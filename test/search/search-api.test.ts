import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fixture from '../../../shared/fixtures/article-zh-municipal-news.json';
import { createArticle, createChannel, setArticleStatus } from '../../src/authoring/commands';
import { fixedClock, useClock, type Clock } from '../../src/lib/clock';
import { startOfZonedDay } from '../../src/lib/time';
import {
  expectProblem,
  get,
  json,
  seedArticle,
  seedChannel,
  testDb,
  timeZone,
  uniqueSlug,
} from '../helpers';

const publishedAt = new Date(
  startOfZonedDay(fixture.publishedAt, timeZone)!.getTime() + 12 * 3_600_000,
);
const fixtureBody = fixture.paragraphs.map((p) => `<p>${p}</p>`).join('\n');

// Pinned after the fixture's day, whatever clock the suite runs under.
const base = Date.UTC(2025, 5, 1, 4);
const clock = fixedClock(base);
let previous: Clock;
beforeAll(() => {
  previous = useClock(clock);
});
afterEach(() => {
  clock.set(base);
});
afterAll(() => {
  useClock(previous);
});

async function loadFixture(status: 'published' | 'draft' = 'published') {
  const db = testDb();
  const parent = await createChannel(db, {
    slug: uniqueSlug('yaowen'),
    name: fixture.channelPath[1]!,
  });
  const created = await createArticle(
    db,
    {
      channelSlug: parent.slug,
      title: fixture.title,
      body: fixtureBody,
      source: fixture.source,
      lang: fixture.language,
      status,
      publishedAt: status === 'published' ? publishedAt : null,
    },
    { timeZone },
  );
  return { db, created, channel: parent };
}

async function search(params: Record<string, string>) {
  const res = await get(`/api/v1/search?${new URLSearchParams(params)}`);
  return res;
}

async function hitIds(params: Record<string, string>): Promise<number[]> {
  const res = await search(params);
  expect(res.status).toBe(200);
  const body = await json(res);
  return body.data.map((d: { id: number }) => d.id);
}

describe('GET /api/v1/search with the shared fixture', () => {
  let fixtureId = 0;
  let channelSlug = '';
  beforeAll(async () => {
    const { created, channel } = await loadFixture();
    fixtureId = created.id;
    channelSlug = channel.slug;
  });

  it.each([
    ['先行区'],
    ['盘锦精神'],
    ['辽宁全面振兴'],
    ['盘锦'],
    ['"圆满完成各项议程"'],
    ['盤錦精神'],
    ['先行區'],
  ])('finds it by %s', async (q) => {
    expect(await hitIds({ q, channel: channelSlug })).toEqual([fixtureId]);
  });

  it('answers hits with the fields a result list needs and a highlighted snippet', async () => {
    const res = await search({ q: '盘锦精神', channel: channelSlug });
    expect(res.status).toBe(200);
    expect(res.headers.get('ETag')).toBeTruthy();
    expect(res.headers.get('Cache-Control')).toMatch(/max-age=\d+/);
    const body = await json(res);
    expect(body.meta).toMatchObject({ total: 1, totalExact: true, nextCursor: null, limit: 20 });
    const [hit] = body.data;
    expect(hit).toMatchObject({
      id: fixtureId,
      title: fixture.title,
      source: '盘锦日报',
      channel: { slug: channelSlug, name: fixture.channelPath[1] },
      publishedAt: '2021-09-30T12:00:00+08:00',
    });
    expect(hit.url).toMatch(new RegExp(`/articles/${fixtureId}/`));
    expect(hit.highlight.title).toContain('<mark>盘锦精神</mark>');
  });

  it('marks a traditional-character query at the simplified text it matched', async () => {
    const res = await search({ q: '盤錦', channel: channelSlug });
    const [hit] = (await json(res)).data;
    expect(hit.highlight.snippet).toContain('<mark>盘锦</mark>');
    expect(hit.highlight.snippet).not.toMatch(/<(?!\/?mark>)/);
  });

  it('requires every word of a mixed query and honours an excluded one', async () => {
    expect(await hitIds({ q: '盘锦 先行区 大会', channel: channelSlug })).toEqual([fixtureId]);
    expect(await hitIds({ q: '盘锦 先行区 招聘', channel: channelSlug })).toEqual([]);
    expect(await hitIds({ q: '盘锦 -先行区', channel: channelSlug })).toEqual([]);
    expect(await hitIds({ q: '盘锦 -招聘', channel: channelSlug })).toEqual([fixtureId]);
    expect(await hitIds({ q: '盘锦 -锦州', channel: channelSlug })).toEqual([fixtureId]);
  });

  it('matches a quoted phrase exactly, not its words apart', async () => {
    expect(await hitIds({ q: '"盘锦 精神"', channel: channelSlug })).toEqual([]);
    expect(await hitIds({ q: '盘锦 精神', channel: channelSlug })).toEqual([fixtureId]);
  });
});

describe('GET /api/v1/search follows every write', () => {
  it('does not find a draft with the same words', async () => {
    const { created, channel } = await loadFixture('draft');
    expect(await hitIds({ q: '盘锦精神', channel: channel.slug })).not.toContain(created.id);
    expect(await hitIds({ q: '盘锦', channel: channel.slug })).not.toContain(created.id);
  });

  it('finds an article once published and loses it at once when unpublished', async () => {
    const { db, created, channel } = await loadFixture('draft');
    expect(await setArticleStatus(db, created.id, 'published', publishedAt)).toBe(true);
    expect(await hitIds({ q: '先行区', channel: channel.slug })).toEqual([created.id]);
    expect(await hitIds({ q: '盘锦', channel: channel.slug })).toEqual([created.id]);
    expect(await setArticleStatus(db, created.id, 'archived')).toBe(true);
    expect(await hitIds({ q: '先行区', channel: channel.slug })).toEqual([]);
    expect(await hitIds({ q: '盘锦', channel: channel.slug })).toEqual([]);
  });

  it('hides a scheduled article until its time', async () => {
    const db = testDb();
    const channel = await seedChannel(db);
    const at = base + 3_600_000;
    const word = `定时${uniqueSlug('w').slice(-4)}`;
    const { id } = await seedArticle(db, {
      channelSlug: channel.slug,
      title: `${word}发布的文章`,
      publishedAt: new Date(at + 3_600_000),
    });
    expect(await hitIds({ q: word, channel: channel.slug })).toEqual([]);
    clock.set(at + 2 * 3_600_000);
    expect(await hitIds({ q: word, channel: channel.slug })).toEqual([id]);
  });
});

describe('GET /api/v1/search rejects what it cannot search', () => {
  it('answers 400 naming q for a missing or empty query', async () => {
    for (const path of ['/api/v1/search', '/api/v1/search?q=', '/api/v1/search?q=%20%20']) {
      const body = await expectProblem(await get(path), 400, 'invalid_parameter');
      expect(body.invalidParams[0].name).toBe('q');
    }
  });

  it('answers 400 naming q for a query over the length cap', async () => {
    const body = await expectProblem(
      await search({ q: '盘'.repeat(10_000) }),
      400,
      'invalid_parameter',
    );
    expect(body.invalidParams).toEqual([
      { name: 'q', in: 'query', reason: expect.stringMatching(/at most 100/) },
    ]);
    const longer = await expectProblem(
      await search({ q: '盘'.repeat(101) }),
      400,
      'invalid_parameter',
    );
    expect(longer.invalidParams[0].name).toBe('q');
  });

  it('answers 404 for an unknown channel and 400 for unknown parameters', async () => {
    await expectProblem(await search({ q: '盘锦', channel: 'no-such-channel' }), 404, 'not_found');
    await expectProblem(await search({ q: '盘锦', page: '2' }), 400, 'invalid_parameter');
  });
});

describe('GET /api/v1/search ranking, filters and paging', () => {
  it('ranks a title match above a summary match above a body match', async () => {
    const db = testDb();
    const channel = await seedChannel(db);
    const word = `排序${uniqueSlug('w').slice(-5)}`;
    const inBody = await seedArticle(db, {
      channelSlug: channel.slug,
      title: '第一篇',
      summary: '摘要',
      body: `<p>正文提到${word}。</p>`,
      publishedAt: new Date(base - 1_000),
    });
    const inSummary = await seedArticle(db, {
      channelSlug: channel.slug,
      title: '第二篇',
      summary: `摘要提到${word}`,
      publishedAt: new Date(base - 2_000),
    });
    const inTitle = await seedArticle(db, {
      channelSlug: channel.slug,
      title: `标题有${word}`,
      summary: '摘要',
      publishedAt: new Date(base - 3_000),
    });
    expect(await hitIds({ q: word })).toEqual([inTitle.id, inSummary.id, inBody.id]);
    expect(await hitIds({ q: word, sort: 'latest' })).toEqual([
      inBody.id,
      inSummary.id,
      inTitle.id,
    ]);
    // The same order for one- and two-character terms, answered by the other index.
    const two = [...word].slice(0, 2).join('');
    const ranked = await hitIds({ q: two, channel: channel.slug });
    expect(ranked).toEqual([inTitle.id, inSummary.id, inBody.id]);
  });

  it('filters by publish date and pages with a cursor bound to the query', async () => {
    const db = testDb();
    const channel = await seedChannel(db);
    const word = `日期${uniqueSlug('w').slice(-5)}`;
    const made: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { id } = await seedArticle(db, {
        channelSlug: channel.slug,
        title: `${word}${i}`,
        publishedAt: new Date(Date.UTC(2024, 0, 10 + i, 4)),
      });
      made.push(id);
    }
    expect(await hitIds({ q: word, from: '2024-01-11', to: '2024-01-13', sort: 'latest' })).toEqual(
      [made[3], made[2], made[1]],
    );

    const first = await json(await search({ q: word, sort: 'latest', limit: '2' }));
    expect(first.data.map((d: { id: number }) => d.id)).toEqual([made[4], made[3]]);
    expect(first.meta).toMatchObject({ total: 5, totalExact: true });
    const second = await json(
      await search({ q: word, sort: 'latest', limit: '2', cursor: first.meta.nextCursor }),
    );
    expect(second.data.map((d: { id: number }) => d.id)).toEqual([made[2], made[1]]);
    const third = await json(
      await search({ q: word, sort: 'latest', limit: '2', cursor: second.meta.nextCursor }),
    );
    expect(third.data.map((d: { id: number }) => d.id)).toEqual([made[0]]);
    expect(third.meta.nextCursor).toBeNull();

    // The same search typed differently keeps its cursor; another search does not take it.
    const folded = await search({
      q: `  ${word}  `,
      sort: 'latest',
      limit: '2',
      cursor: first.meta.nextCursor,
    });
    expect(folded.status).toBe(200);
    const other = await search({
      q: `${word} 盘锦`,
      sort: 'latest',
      limit: '2',
      cursor: first.meta.nextCursor,
    });
    const problem = await expectProblem(other, 400, 'invalid_parameter');
    expect(problem.invalidParams[0].name).toBe('cursor');
    await expectProblem(
      await search({ q: word, from: '2024-01-13', to: '2024-01-11' }),
      400,
      'invalid_parameter',
    );
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const res = await search({ q: '先行区' });
    const again = await get(`/api/v1/search?q=${encodeURIComponent('先行区')}`, {
      headers: { 'If-None-Match': res.headers.get('ETag')! },
    });
    expect(again.status).toBe(304);
  });
});

describe('GET /openapi.json describes the search', () => {
  it('documents GET /api/v1/search with its operationId, parameters and problems', async () => {
    const doc = await json(await get('/openapi.json'));
    const op = doc.paths['/api/v1/search'].get;
    expect(op.operationId).toBe('searchArticles');
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual(
      ['channel', 'cursor', 'from', 'limit', 'q', 'sort', 'to', 'type'].sort(),
    );
    expect(op.parameters.find((p: { name: string }) => p.name === 'q').required).toBe(true);
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '404']);
    expect(op.responses['400'].content['application/problem+json']).toBeTruthy();
  });
});
