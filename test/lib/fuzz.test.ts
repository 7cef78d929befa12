import { exports } from 'cloudflare:workers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { problemCatalogue } from '../../src/lib/errors';
import { clientAddress, issueToken, seedArticleInNewChannel } from '../helpers';
import { boundary, formContentType } from '../media/helpers';

/**
 * Property-based fuzzing of every route. On a failure fast-check prints the counterexample and
 * `{ seed: N, path: "..." }`; to replay exactly that run, put both into `replay` below (or set
 * only the seed to rerun the whole sequence) and run this file again.
 */
const replay: { seed?: number; path?: string } = {};
const runs = { public: 250, admin: 200 };

/** Markup that must never come back raw: if it does, some input was reflected unescaped. */
const marker = '<fz-x onfz="1">';

const hostile = fc.constantFrom(
  marker,
  `"${marker}'`,
  '</script><script>alert(1)</script>',
  '../../../etc/passwd',
  '%00',
  '%E0%A4%A',
  '%',
  '\u202e\u0000\ufeff',
  '9'.repeat(40),
  '-1',
  '0',
  '1e309',
  'null',
  '{"a":',
  '盘锦要闻',
  '〔2024〕1号',
  ' ',
  '',
);

const text = fc.oneof(
  hostile,
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);
/** A path segment: plausible ids and slugs, hostile text, all percent-encoded as a client would. */
const segment = (known: () => string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...known()) },
    fc.integer({ min: -5, max: 2 ** 53 }).map(String),
    text.map((s) => encodeURIComponent(s)),
    text.map((s) => s.replace(/[/?#]/g, '')),
  );

const queryNames = fc.constantFrom(
  'channel',
  'tag',
  'sort',
  'limit',
  'cursor',
  'page',
  'q',
  'ids',
  'window',
  'from',
  'to',
  'url',
  'format',
  'maxwidth',
  'maxheight',
  'lang',
  'theme',
  'w',
  'kind',
  'fields',
);
const query = fc
  .array(fc.tuple(fc.oneof(queryNames, text), text), { maxLength: 4 })
  .map((pairs) => {
    const q = new URLSearchParams();
    for (const [k, v] of pairs) q.append(k, v);
    const s = q.toString();
    return s ? `?${s}` : '';
  });

/** Header values a client can send (Headers refuses control characters and non-Latin-1). */
const headerValue = fc.oneof(
  fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
  fc.constantFrom(
    '"abc"',
    'W/"x", "y"',
    '*',
    'bytes=0-10',
    'bytes=-5',
    'bytes=9999999-',
    'text/html',
    'application/json',
    'multipart/form-data; boundary=x',
    'zh-CN,zh;q=0.9',
    'Mozilla/5.0 (X11; Linux x86_64) Chrome/120',
    'https://evil.example',
  ),
);
const headerNames = fc.constantFrom(
  'If-None-Match',
  'If-Match',
  'If-Range',
  'Range',
  'Accept',
  'Accept-Language',
  'Content-Type',
  'Origin',
  'Referer',
  'User-Agent',
  'X-Request-Id',
  'Sec-Fetch-Site',
  'Sec-Fetch-Mode',
  'Sec-Purpose',
  'Cookie',
);
const headers = fc.dictionary(headerNames, headerValue, { maxKeys: 4 });

const jsonBody = fc.oneof(
  // Valid often enough that writes succeed and the code behind validation runs too.
  fc
    .record({
      slug: fc.stringMatching(/^[a-z][a-z0-9]{2,12}$/),
      name: fc.constantFrom('新栏目', 'News'),
    })
    .map((v) => JSON.stringify(v)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        title: text,
        body: text.map((s) => `<p>${s}</p>`),
        channel: text,
        slug: text,
        status: fc.constantFrom('draft', 'published', 'scheduled', 'archived', 'x'),
        publishedAt: fc.oneof(text, fc.constant('2024-05-01T08:00:00+08:00')),
        tags: fc.array(text, { maxLength: 3 }),
        name: text,
        url: fc.oneof(text, fc.constant('https://hooks.example/x')),
        events: fc.array(text, { maxLength: 2 }),
        role: fc.constantFrom('admin', 'editor', 'reader-preview', 'root'),
        into: text,
        parent: text,
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  text,
);

const known = { ids: ['1'], slugs: ['x'], channels: ['x'] };
let token = '';

beforeAll(async () => {
  const { channel, ...article } = await seedArticleInNewChannel(
    { title: '模糊测试文章' },
    { name: '要闻动态' },
  );
  known.ids = [String(article.id)];
  known.slugs = [article.slug];
  known.channels = [channel.slug];
  token = await issueToken('admin');
});

interface Attempt {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

const publicRoutes = (s: fc.Arbitrary<string>, ch: fc.Arbitrary<string>) =>
  fc.oneof(
    fc.constant('/api/v1/articles'),
    s.map((x) => `/api/v1/articles/${x}`),
    s.map((x) => `/api/v1/articles/${x}/views`),
    s.map((x) => `/api/v1/articles/${x}/views.svg`),
    fc.constant('/api/v1/articles/popular'),
    fc.constant('/api/v1/views'),
    fc.constant('/api/v1/stats'),
    fc.constant('/api/v1/channels'),
    ch.map((x) => `/api/v1/channels/${x}`),
    fc.constant('/api/v1/search'),
    fc.constant('/'),
    s.map((x) => `/articles/${x}`),
    fc.tuple(s, s).map(([a, b]) => `/articles/${a}/${b}`),
    ch.map((x) => `/channels/${x}`),
    fc
      .tuple(ch, fc.constantFrom('feed.xml', 'atom.xml', 'feed.json'))
      .map(([x, f]) => `/channels/${x}/${f}`),
    fc.constantFrom('/feed.xml', '/atom.xml', '/feed.json', '/sitemap.xml', '/sitemap-news.xml'),
    s.map((x) => `/sitemaps/${x}`),
    fc.constant('/robots.txt'),
    fc.constant('/search'),
    fc.constant('/embed'),
    s.map((x) => `/embed/articles/${x}`),
    ch.map((x) => `/embed/channels/${x}`),
    fc.constant('/oembed'),
    fc.tuple(s, s).map(([a, b]) => `/media/${a}/${b}`),
    s.map((x) => `/preview/articles/${x}`),
    fc.constantFrom('/docs', '/openapi.json'),
    s.map((x) => `/${x}`),
  );

const adminRoutes = (s: fc.Arbitrary<string>, ch: fc.Arbitrary<string>) =>
  fc.oneof(
    fc.constantFrom('/articles', '/channels', '/tags', '/tokens', '/audit', '/whoami', '/webhooks'),
    fc.constantFrom('/media'),
    s.map((x) => `/articles/${x}`),
    s.map((x) => `/articles/${x}/revisions`),
    s.map((x) => `/articles/${x}/revisions/diff`),
    fc.tuple(s, s).map(([a, n]) => `/articles/${a}/revisions/${n}`),
    fc.tuple(s, s).map(([a, n]) => `/articles/${a}/revisions/${n}/restore`),
    s.map((x) => `/articles/${x}/preview-link`),
    ch.map((x) => `/channels/${x}`),
    s.map((x) => `/tags/${x}`),
    s.map((x) => `/tags/${x}/merge`),
    s.map((x) => `/webhooks/${x}`),
    s.map((x) => `/webhooks/${x}/deliveries`),
    s.map((x) => `/media/${x}`),
  );

const method = fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE');
const writeMethod = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE');

const multipart = fc
  .tuple(text, fc.uint8Array({ maxLength: 64 }), fc.boolean())
  .map(([name, bytes, close]) => {
    const head = new TextEncoder().encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = new TextEncoder().encode(close ? `\r\n--${boundary}--\r\n` : '');
    const out = new Uint8Array(head.length + bytes.length + tail.length);
    out.set(head);
    out.set(bytes, head.length);
    out.set(tail, head.length + bytes.length);
    return out;
  });

async function send(a: Attempt): Promise<Response> {
  return exports.default.fetch(
    new Request(`http://gazette.test${a.path}`, {
      method: a.method,
      headers: a.headers,
      body: a.method === 'GET' || a.method === 'HEAD' ? undefined : a.body,
    }),
  );
}

const codes = new Set(Object.keys(problemCatalogue));

/** Statuses seen per property: a fuzzer that only ever meets 401 or 404 tests nothing. */
let seen = new Map<number, number>();

async function expectWellBehaved(a: Attempt) {
  const res = await send(a);
  seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
  const where = `${a.method} ${a.path}`;
  expect(res.status, where).toBeLessThan(500);
  const type = res.headers.get('Content-Type') ?? '';
  const body = await res.text();
  expect(body, where).not.toContain(marker);
  expect(body, where).not.toContain('<script>alert(1)');
  if (res.status < 400 || a.method === 'HEAD') return;
  if (type.startsWith('application/problem+json')) {
    const doc = JSON.parse(body) as { code: string; status: number };
    expect(codes.has(doc.code), where).toBe(true);
    expect(doc.status, where).toBe(res.status);
    expect(body, where).not.toMatch(/at .*\.(ts|js):\d+|SQLITE|D1_ERROR/);
  } else {
    // Reader pages and embed frames answer their errors as pages.
    expect(type, where).toMatch(/^text\/html/);
    expect(a.path, where).not.toMatch(/^\/api\//);
  }
}

async function check(property: fc.IAsyncProperty<[Attempt]>, numRuns: number) {
  seen = new Map();
  await fc.assert(property, { numRuns, ...replay, endOnFailure: true });
  const statuses = [...seen.keys()];
  expect(
    statuses.some((s) => s >= 200 && s < 300),
    JSON.stringify([...seen]),
  ).toBe(true);
  expect(statuses.filter((s) => s >= 400).length, JSON.stringify([...seen])).toBeGreaterThan(2);
  return seen;
}

describe('fuzzing every public route', () => {
  it('never answers 5xx, answers errors as problems or pages, reflects nothing raw', async () => {
    const s = segment(() => [...known.ids, ...known.slugs]);
    const ch = segment(() => known.channels);
    const attempt = fc
      .record({
        method,
        path: publicRoutes(s, ch),
        query,
        headers,
        body: fc.oneof(jsonBody, fc.constant(undefined)),
      })
      .map((r): Attempt => ({
        method: r.method,
        path: r.path + r.query,
        headers: { 'CF-Connecting-IP': clientAddress(), ...r.headers },
        body: r.body,
      }));
    await check(fc.asyncProperty(attempt, expectWellBehaved), runs.public);
  });
});

describe('fuzzing every admin route with a valid token', () => {
  it('never answers 5xx and answers every error as a problem document', async () => {
    const s = segment(() => [...known.ids, ...known.slugs, '1']);
    const ch = segment(() => known.channels);
    const attempt = fc
      .record({
        method: writeMethod,
        path: adminRoutes(s, ch),
        query: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: query }),
        headers,
        json: jsonBody,
        upload: multipart,
      })
      .map((r): Attempt => {
        const isUpload = r.path === '/media' && r.method === 'POST';
        return {
          method: r.method,
          path: `/api/v1/admin${r.path}${r.query}`,
          headers: {
            ...r.headers,
            'Content-Type': isUpload
              ? formContentType
              : (r.headers['Content-Type'] ?? 'application/json'),
            Authorization: `Bearer ${token}`,
            'CF-Connecting-IP': clientAddress(),
          },
          body: isUpload ? r.upload : r.json,
        };
      });
    const statuses = await check(fc.asyncProperty(attempt, expectWellBehaved), runs.admin);
    // The token stayed valid for most of the run: the routes themselves were reached.
    expect(statuses.get(401) ?? 0).toBeLessThan(runs.admin / 4);
  });
});
