import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fixture from '../../../shared/fixtures/article-zh-municipal-news.json';
import { createArticle, createChannel, setArticleStatus } from '../../src/articles/commands';
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
