import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { requestOrigin } from '../../src/lib/request';

const app = new Hono().get('*', (c) => c.text(requestOrigin(c)));

describe('requestOrigin', () => {
  it.each([
    'http://example.com/articles/1',
    'HTTP://Example.COM:80/articles/1?x=1',
    'https://example.com:443/',
    'https://news.example.gov.cn:8443/a/b?c=d#e',
    'http://127.0.0.1:8787/api/v1/articles/1',
    'http://[::1]:8787/x',
    'http://user:secret@example.com/x',
    'https://example.com?q=1',
  ])('gives what URL.origin gives for %s', async (url) => {
    const res = await app.request(new Request(url));
    expect(await res.text()).toBe(new URL(url).origin);
  });
});
