import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { expectProblem, get, seedArticleInNewChannel } from '../helpers';

/** Every bad value must come back as a 400 problem naming the parameter, never a 5xx. */
async function expectInvalid(path: string, name: string, location = 'query') {
  const res = await get(path);
  const problem = await expectProblem(res, 400, 'invalid_parameter');
  expect(problem.invalidParams).toEqual(
    expect.arrayContaining([expect.objectContaining({ name, in: location })]),
  );
  expect(problem.detail).toContain(name);
  // The problem never reflects markup or control characters back.
  const texts: string[] = [
    problem.detail,
    problem.instance,
    ...problem.invalidParams.flatMap((p: Record<string, string>) => [p.name, p.reason]),
  ];
  for (const text of texts) {
    expect(text).not.toMatch(/<script|<img|\u202e|\ud800/);
    expect([...text].some((ch) => ch.charCodeAt(0) < 0x20)).toBe(false);
  }
  return problem;
}

const oddUnicode: [string, string][] = [
  ['a NUL byte', 'a%00b'],
  ['a bell', 'a%07b'],
  ['an escape', '%1B%5B31m'],
  ['a newline', 'a%0Ab'],
  ['a lone surrogate', '%ED%A0%80'],
  ['a truncated UTF-8 sequence', '%E4%B8'],
  ['invalid percent-encoding', '%ZZ'],
  ['an RTL override', 'abc%E2%80%AEfed'],
  ['a zero-width space', 'a%E2%80%8Bb'],
  ['a BOM', '%EF%BB%BFnews'],
  ['fullwidth letters', '%EF%BD%8E%EF%BD%85%EF%BD%97%EF%BD%93'],
  ['Chinese text', '%E8%A6%81%E9%97%BB'],
  ['an emoji', '%F0%9F%98%80'],
];

const metacharacters: [string, string][] = [
  ['a quote-based injection', "x'%20OR%20'1'='1"],
  ['a stacked query', 'x%22%3B%20DROP%20TABLE%20articles%3B--'],
  ['a comment', 'news--'],
  ['LIKE wildcards', 'news%25'],
  ['an underscore', 'news_x'],
  ['a script tag', '%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
  ['an attribute breakout', '%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E'],
  ['a path traversal', '..%2F..%2Fetc%2Fpasswd'],
  ['upper case', 'News'],
  ['a space', 'news%20x'],
  ['a plus (a space once decoded)', 'news+x'],
];

describe('bad query parameters on GET /api/v1/articles', () => {
  it.each([
    ['0', '0'],
    ['abc', 'abc'],
    ['101', '101'],
    ['-1', '-1'],
    ['1.5', '1.5'],
    ['1e2', '1e2'],
    ['an empty value', ''],
    ['a huge number', '99999999999999999999'],
    ['a leading space', '%205'],
    ['a plus sign', '%2B5'],
    ['hex', '0x10'],
    ['fullwidth digits', '%EF%BC%91%EF%BC%90'],
    ['Arabic-Indic digits', '%D9%A1%D9%A0'],
    ['SQL', '10%3B%20DROP%20TABLE%20articles'],
  ])('rejects limit=%s', async (_label, value) => {
    await expectInvalid(`/api/v1/articles?limit=${value}`, 'limit');
  });

  it('rejects a repeated parameter, saying it must be given once', async () => {
    for (const name of ['limit', 'channel', 'tag', 'from', 'to', 'sort', 'cursor']) {
      const value = {
        limit: '5',
        channel: 'news',
        tag: 'x',
        from: '2021-01-01',
        to: '2021-01-02',
        sort: 'latest',
        cursor: 'abc',
      }[name];
      const problem = await expectInvalid(
        `/api/v1/articles?${name}=${value}&${name}=${value}`,
        name,
      );
      expect(problem.invalidParams).toContainEqual({
        name,
        in: 'query',
        reason: 'must be given only once',
      });
    }
  });

  it('rejects unknown parameters, naming each one', async () => {
    const problem = await expectInvalid('/api/v1/articles?page=2&q=x', 'page');
    expect(problem.invalidParams).toEqual([
      { name: 'page', in: 'query', reason: 'unknown parameter' },
      { name: 'q', in: 'query', reason: 'unknown parameter' },
    ]);
  });

  it.each([
    ['markup', '%3Cscript%3E', '\ufffdscript\ufffd'],
    ['a NUL byte', 'a%00b', 'a\ufffdb'],
    ['an RTL override', 'x%E2%80%AEy', 'x\ufffdy'],
    ['a lone surrogate', '%ED%A0%80', '\ufffdED\ufffdA0\ufffd80'],
    ['a space', 'a%20b', 'a\ufffdb'],
    ['Chinese', '%E9%A1%B5', '页'],
  ])('names an unknown parameter with %s safely', async (_label, raw, shown) => {
    const problem = await expectInvalid(`/api/v1/articles?${raw}=1`, shown);
    expect(problem.invalidParams).toEqual([
      { name: shown, in: 'query', reason: 'unknown parameter' },
    ]);
  });

  it('shortens a very long unknown parameter name', async () => {
    const problem = await expectInvalid(
      `/api/v1/articles?${'x'.repeat(500)}=1`,
      `${'x'.repeat(64)}…`,
    );
    expect(problem.invalidParams[0].name).toHaveLength(65);
  });

  it('rejects a parameter name that is only case-different from a real one', async () => {
    await expectInvalid('/api/v1/articles?Limit=5', 'Limit');
  });

  it('reports every bad parameter at once', async () => {
    const problem = await expectInvalid(
      '/api/v1/articles?limit=0&sort=best&channel=%3Cb%3E',
      'limit',
    );
    expect(problem.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual([
      'channel',
      'limit',
      'sort',
    ]);
  });

  it.each(['POPULAR', 'oldest', '', 'latest%00', 'popular,latest'])(
    'rejects sort=%s',
    async (value) => {
      await expectInvalid(`/api/v1/articles?sort=${value}`, 'sort');
    },
  );

  describe.each(['from', 'to'])('%s', (name) => {
    it.each([
      ['an impossible day', '2021-02-30'],
      ['29 February of a common year', '2021-02-29'],
      ['month 13', '2021-13-01'],
      ['month 0', '2021-00-10'],
      ['day 0', '2021-09-00'],
      ['day 32', '2021-01-32'],
      ['no zero padding', '2021-9-30'],
      ['no separators', '20210930'],
      ['slashes', '2021%2F09%2F30'],
      ['a Chinese date', '2021%E5%B9%B49%E6%9C%8830%E6%97%A5'],
      ['a year before 1900', '1899-12-31'],
      ['a five-digit year', '10000-01-01'],
      ['a time without offset', '2021-09-30T10:00:00'],
      ['hour 24', '2021-09-30T24:00:00Z'],
      ['minute 60', '2021-09-30T10:60:00Z'],
      ['a leap second', '2021-12-31T23:59:60Z'],
      ['an offset of 24 hours', '2021-09-30T10:00:00%2B24:00'],
      ['an impossible day with a time', '2021-02-30T10:00:00Z'],
      ['four fractional digits', '2021-09-30T10:00:00.1234Z'],
      ['a Unix timestamp', '1632960000'],
      ['a word', 'yesterday'],
      ['an empty value', ''],
      ['an overlong value', `2021-09-30${'0'.repeat(40)}`],
      ['an RTL override', '2021-09-30%E2%80%AE'],
      ['a NUL byte', '2021-09-30%00'],
      ['SQL', "2021-09-30'%20OR%201=1--"],
    ])(`rejects ${name} with %s`, async (_label, value) => {
      await expectInvalid(`/api/v1/articles?${name}=${value}`, name);
    });
  });

  describe.each(['channel', 'tag'])('%s', (name) => {
    it.each([...oddUnicode, ...metacharacters])(
      `rejects ${name} with %s`,
      async (_label, value) => {
        await expectInvalid(`/api/v1/articles?${name}=${value}`, name);
      },
    );

    it(`rejects an empty ${name} and one over 80 characters`, async () => {
      await expectInvalid(`/api/v1/articles?${name}=`, name);
      await expectInvalid(`/api/v1/articles?${name}=${'a'.repeat(81)}`, name);
    });

    it(`accepts an 80-character ${name}`, async () => {
      const res = await get(`/api/v1/articles?${name}=${'a'.repeat(80)}`);
      expect([200, 404]).toContain(res.status);
    });
  });

  it.each([...oddUnicode, ...metacharacters])('rejects cursor with %s', async (_label, value) => {
    await expectInvalid(`/api/v1/articles?cursor=${value}`, 'cursor');
  });

  it.each([...oddUnicode.slice(0, 8), ...metacharacters.slice(0, 4)])(
    'rejects ids with %s',
    async (_label, value) => {
      await expectInvalid(`/api/v1/articles?ids=${value}`, 'ids');
    },
  );

  it('rejects a very long query string without a 5xx', async () => {
    await expectInvalid(`/api/v1/articles?channel=${'a'.repeat(8000)}`, 'channel');
    await expectInvalid(`/api/v1/articles?ids=${'1,'.repeat(3000)}1`, 'ids');
  });
});

describe('bad path parameters', () => {
  it.each([...oddUnicode.filter(([l]) => l !== 'invalid percent-encoding'), ...metacharacters])(
    'GET /api/v1/channels/:slug rejects %s',
    async (_label, value) => {
      await expectInvalid(`/api/v1/channels/${value.replaceAll('/', '%2F')}`, 'slug', 'path');
    },
  );

  it('GET /api/v1/channels/:slug rejects an 81-character slug', async () => {
    await expectInvalid(`/api/v1/channels/${'a'.repeat(81)}`, 'slug', 'path');
  });

  it('GET /api/v1/articles/:idOrSlug rejects invalid percent-encoding without a 5xx', async () => {
    const res = await get('/api/v1/articles/%ZZ');
    expect(res.status).toBe(400);
  });
});

describe('nothing is lost or broken by bad input', () => {
  it('keeps every article readable after the barrage', async () => {
    const { channel, ...article } = await seedArticleInNewChannel();
    const before = await env.DB.prepare('select count(*) as n from articles').first<{
      n: number;
    }>();
    const attacks = [
      `/api/v1/articles?channel=${channel.slug}'%3B%20DELETE%20FROM%20articles%3B--`,
      `/api/v1/articles?tag=x%22%29%3B%20DROP%20TABLE%20channels%3B--`,
      `/api/v1/articles/1%3B%20DELETE%20FROM%20articles`,
      `/api/v1/articles?ids=1)%3B%20DELETE%20FROM%20articles%3B--`,
    ];
    for (const path of attacks) expect((await get(path)).status).toBe(400);
    const after = await env.DB.prepare('select count(*) as n from articles').first<{ n: number }>();
    expect(after!.n).toBe(before!.n);
    expect((await get(`/api/v1/articles/${article.id}`)).status).toBe(200);
    expect((await get(`/api/v1/channels/${channel.slug}`)).status).toBe(200);
  });

  it('never answers 5xx to a grab bag of hostile requests', async () => {
    const values = [...oddUnicode, ...metacharacters].map(([, v]) => v);
    const paths = [
      '/api/v1/articles/',
      '/api/v1/channels/',
      '/api/v1/articles?channel=',
      '/api/v1/articles?from=',
      '/api/v1/articles?cursor=',
      '/problems/',
    ];
    for (const base of paths) {
      for (const value of values) {
        const res = await get(`${base}${value}`);
        expect([base + value, res.status < 500]).toEqual([base + value, true]);
      }
    }
  });
});
