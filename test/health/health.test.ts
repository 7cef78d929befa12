import { describe, expect, it } from 'vitest';
import { expectProblem, get } from '../helpers';

describe('GET /healthz', () => {
  it('answers 200 with a constant plain-text body that is never cached', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/plain; charset=UTF-8');
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(await res.text()).toBe('ok');
  });

  it('skips the global middleware, so the benchmark baseline stays the platform floor', async () => {
    const res = await get('/healthz');
    expect(res.headers.get('ETag')).toBeNull();
    expect(res.headers.get('Content-Security-Policy')).toBeNull();
  });

  it('still carries a fresh request id, like every response', async () => {
    const a = await get('/healthz');
    const b = await get('/healthz');
    expect(a.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.headers.get('X-Request-Id')).not.toBe(b.headers.get('X-Request-Id'));
  });

  it('answers HEAD without a body', async () => {
    const res = await get('/healthz', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('returns a 405 problem for POST', async () => {
    const res = await get('/healthz', { method: 'POST' });
    const body = await expectProblem(res, 405, 'method_not_allowed');
    expect(res.headers.get('Allow')).toContain('GET');
    expect(body.detail).toContain('POST');
  });
});
