import { describe, expect, it } from 'vitest';
import { expectProblem, get } from '../helpers';
import { expectStrictCsp, getWithEnv, select, selectOne } from './html';

describe('unknown paths', () => {
  it('answers a reader with an HTML 404 page in the site language', async () => {
    const res = await get('/no/such/page');
    expect(res.status).toBe(404);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html; charset=utf-8$/i);
    expectStrictCsp(res, expect);
    const html = await res.text();
    expect((await selectOne(html, 'html')).attrs.lang).toBe('zh-CN');
    expect((await selectOne(html, 'h1')).text).toBe('页面不存在');
    expect((await selectOne(html, '.error-code')).text).toBe('404');
    expect((await selectOne(html, 'a.skip-link')).attrs.href).toBe('#main');
    expect(await select(html, 'main#main')).toHaveLength(1);
  });

  it('does not echo the requested path into the page', async () => {
    const res = await get('/%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).not.toContain('alert(1)');
  });

  it('keeps problem+json for unknown API paths', async () => {
    const res = await get('/api/v1/no-such-thing');
    const body = await expectProblem(res, 404, 'route_not_found');
    expect(body.detail).toBe('No route for GET /api/v1/no-such-thing');
  });

  it('answers in English when SITE_LANG=en', async () => {
    const res = await getWithEnv('/missing', { SITE_LANG: 'en' });
    expect(res.status).toBe(404);
    const html = await res.text();
    expect((await selectOne(html, 'html')).attrs.lang).toBe('en');
    expect((await selectOne(html, 'h1')).text).toBe('Page not found');
    expect((await selectOne(html, 'a.button-link')).text).toBe('Back to the home page');
  });
});

describe('GET /favicon.svg', () => {
  it('serves the site icon that pages link to', async () => {
    const res = await get('/favicon.svg');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('image/svg+xml');
    expect(await res.text()).toMatch(/^<svg /);
    const ico = await get('/favicon.ico', { redirect: 'manual' });
    expect(ico.status).toBe(301);
    expect(ico.headers.get('Location')).toBe('/favicon.svg');
  });
});
