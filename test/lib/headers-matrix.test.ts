import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import assetHeaders from '../../public/_headers?raw';
import { createApp } from '../../src/app';
import { permissionsPolicy } from '../../src/lib/permissions-policy';
import { admin, get, issueToken, json, seedArticleInNewChannel } from '../helpers';
import { pngBytes, upload } from '../media/helpers';

type Corp = 'same-origin' | 'cross-origin';

interface Case {
  kind: string;
  res: Response;
  frameable?: boolean;
  corp: Corp;
}

async function seedAll() {
  const { channel, ...article } = await seedArticleInNewChannel(
    { title: '头条新闻' },
    { name: '要闻动态' },
  );
  const media = await json(await upload(pngBytes(300, 77), 'matrix.png'));
  const token = await issueToken('admin');
  return { channel, article, mediaPath: new URL(media.data.url as string).pathname, token };
}

async function conditional(path: string) {
  const first = await get(path);
  expect(first.status, path).toBe(200);
  return get(path, { headers: { 'If-None-Match': first.headers.get('ETag')! } });
}

async function everyKind(): Promise<Case[]> {
  const { channel, article, mediaPath, token } = await seedAll();
  const page = `/articles/${article.id}/${article.slug}`;
  const cases: Case[] = [
    { kind: 'API read', res: await get(`/api/v1/articles/${article.id}`), corp: 'cross-origin' },
    { kind: 'API list', res: await get('/api/v1/articles'), corp: 'cross-origin' },
    { kind: 'API problem', res: await get('/api/v1/articles/987654321'), corp: 'cross-origin' },
    { kind: 'API 304', res: await conditional('/api/v1/channels'), corp: 'cross-origin' },
    { kind: 'API route_not_found', res: await get('/api/v1/nothing-here'), corp: 'cross-origin' },
    {
      kind: 'API method_not_allowed',
      res: await get('/api/v1/articles', { method: 'DELETE' }),
      corp: 'cross-origin',
    },
    {
      kind: 'view beacon',
      res: await get(`/api/v1/articles/${article.id}/views`, { method: 'POST' }),
      corp: 'cross-origin',
    },
    {
      kind: 'views badge',
      res: await get(`/api/v1/articles/${article.id}/views.svg`),
      corp: 'cross-origin',
    },
    { kind: 'home page', res: await get('/'), corp: 'same-origin' },
    { kind: 'article page', res: await get(page), corp: 'same-origin' },
    { kind: 'page 304', res: await conditional(page), corp: 'same-origin' },
    { kind: 'channel page', res: await get(`/channels/${channel.slug}`), corp: 'same-origin' },
    { kind: 'search page', res: await get('/search?q=头条新闻'), corp: 'same-origin' },
    { kind: 'page 404', res: await get('/no/such/page'), corp: 'same-origin' },
    { kind: 'page 400', res: await get('/channels/x?page=0'), corp: 'same-origin' },
    {
      kind: 'article frame',
      res: await get(`/embed/articles/${article.id}`),
      frameable: true,
      corp: 'cross-origin',
    },
    {
      kind: 'channel frame',
      res: await get(`/embed/channels/${channel.slug}`),
      frameable: true,
      corp: 'cross-origin',
    },
    {
      kind: 'frame 404',
      res: await get('/embed/articles/987654321'),
      frameable: true,
      corp: 'cross-origin',
    },
    {
      kind: 'frame 304',
      res: await conditional(`/embed/articles/${article.id}`),
      frameable: true,
      corp: 'cross-origin',
    },
    { kind: 'owner page', res: await get('/embed'), corp: 'same-origin' },
    {
      kind: 'oEmbed',
      res: await get(`/oembed?url=${encodeURIComponent(`http://gazette.test${page}`)}`),
      corp: 'cross-origin',
    },
    { kind: 'RSS feed', res: await get('/feed.xml'), corp: 'cross-origin' },
    { kind: 'JSON feed', res: await get('/feed.json'), corp: 'cross-origin' },
    { kind: 'sitemap', res: await get('/sitemap.xml'), corp: 'cross-origin' },
    { kind: 'media file', res: await get(mediaPath), corp: 'cross-origin' },
    { kind: 'media 304', res: await conditional(mediaPath), corp: 'cross-origin' },
    { kind: 'docs', res: await get('/docs'), corp: 'same-origin' },
    { kind: 'OpenAPI document', res: await get('/openapi.json'), corp: 'cross-origin' },
    { kind: 'admin API read', res: await admin('/articles', { token }), corp: 'same-origin' },
    { kind: 'admin API 401', res: await admin('/articles'), corp: 'same-origin' },
    {
      kind: 'admin API 400',
      res: await admin('/articles', { token, json: { title: '' } }),
      corp: 'same-origin',
    },
    { kind: 'admin webhooks', res: await admin('/webhooks', { token }), corp: 'same-origin' },
  ];
  return cases;
}

function expectSecure(c: Case, hsts: string | null) {
  const h = c.res.headers;
  const csp = h.get('Content-Security-Policy');
  expect(csp, c.kind).toBeTruthy();
  expect(csp, c.kind).not.toContain("'unsafe-inline'");
  expect(csp, c.kind).not.toContain("'unsafe-eval'");
  if (c.frameable) {
    expect(csp, c.kind).toContain('frame-ancestors *');
    expect(h.get('X-Frame-Options'), c.kind).toBeNull();
  } else {
    expect(csp, c.kind).toContain("frame-ancestors 'none'");
    expect(h.get('X-Frame-Options'), c.kind).toBe('DENY');
  }
  expect(h.get('X-Content-Type-Options'), c.kind).toBe('nosniff');
  expect(h.get('Referrer-Policy'), c.kind).toBe('strict-origin-when-cross-origin');
  expect(h.get('Permissions-Policy'), c.kind).toBe(permissionsPolicy);
  expect(h.get('Strict-Transport-Security'), c.kind).toBe(hsts);
  expect(h.get('Cross-Origin-Resource-Policy'), c.kind).toBe(c.corp);
}

describe('security headers on every kind of response', () => {
  it('sends the whole matrix: CSP, framing, nosniff, referrer, permissions, HSTS, CORP', async () => {
    const cases = await everyKind();
    const statuses = new Set(cases.map((c) => c.res.status));
    // The matrix covers successes, 304s and problems of each family.
    for (const s of [200, 304, 400, 401, 404, 405]) expect(statuses).toContain(s);
    for (const c of cases) expectSecure(c, 'max-age=31536000');
  });

  it('sends no Strict-Transport-Security when STRICT_TRANSPORT_SECURITY is empty', async () => {
    const ctx = createExecutionContext();
    const res = await createApp().fetch(
      new Request('http://gazette.test/api/v1/channels'),
      { ...env, STRICT_TRANSPORT_SECURITY: '' },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.headers.get('Strict-Transport-Security')).toBeNull();
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
  });

  it('gives every built asset the same baseline through the asset server (public/_headers)', () => {
    const rules = new Map<string, string[]>();
    let current: string[] = [];
    for (const line of assetHeaders.split('\n')) {
      if (!line.trim()) continue;
      if (!line.startsWith(' ')) rules.set(line.trim(), (current = []));
      else current.push(line.trim());
    }
    expect([...rules.keys()]).toEqual(
      expect.arrayContaining(['/embed.js', '/assets/site.css', '/assets/article.js']),
    );
    for (const [path, headers] of rules) {
      expect(headers, path).toEqual(
        expect.arrayContaining([
          'X-Content-Type-Options: nosniff',
          "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'",
          'X-Frame-Options: DENY',
          'Referrer-Policy: strict-origin-when-cross-origin',
          `Permissions-Policy: ${permissionsPolicy}`,
          'Cross-Origin-Resource-Policy: cross-origin',
        ]),
      );
    }
  });

  it('reaches the worker through its real entry point too', async () => {
    const res = await exports.default.fetch(new Request('http://gazette.test/'));
    expectSecure({ kind: 'entry', res, corp: 'same-origin' }, 'max-age=31536000');
  });
});
