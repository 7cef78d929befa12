import { env } from 'cloudflare:workers';
import { desc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { revokeTokenStatement } from '../../src/auth/tokens';
import { apiTokens, auditLog } from '../../src/db/schema';
import { fixedClock, now, useClock, type Clock } from '../../src/lib/clock';
import { admin, expectProblem, issueToken, json, testDb } from '../helpers';

let restore: Clock | undefined;
afterEach(() => {
  if (restore) useClock(restore);
  restore = undefined;
});

describe('requireRole (admin API authentication)', () => {
  it('lets a valid token through and names its principal', async () => {
    const token = await issueToken('editor', { name: 'desk-editor-1' });
    const res = await admin('/whoami', { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
    expect((await json(res)).data).toMatchObject({ name: 'desk-editor-1', role: 'editor' });
  });

  it('answers 401 with WWW-Authenticate: Bearer when no token is sent', async () => {
    const res = await admin('/whoami');
    expect(res.headers.get('WWW-Authenticate')).toBe('Bearer realm="gazette"');
    await expectProblem(res, 401, 'unauthorized');
  });

  it('answers 401 for a malformed token or another scheme', async () => {
    for (const header of ['Bearer nope', 'Basic dXNlcjpwYXNz', 'Bearer gz_short', 'gz_x']) {
      const res = await admin('/whoami', { headers: { Authorization: header } });
      expect(res.headers.get('WWW-Authenticate')).toMatch(
        /^Bearer realm="gazette", error="invalid_request"/,
      );
      await expectProblem(res, 401, 'unauthorized');
    }
  });

  it('answers 401 for an unknown, a revoked and an expired token', async () => {
    const unknown = `gz_${'A'.repeat(43)}`;
    const res = await admin('/whoami', { token: unknown });
    expect(res.headers.get('WWW-Authenticate')).toMatch(/error="invalid_token"/);
    await expectProblem(res, 401, 'unauthorized');

    const revoked = await issueToken('admin', { name: 'to-revoke' });
    expect((await admin('/whoami', { token: revoked })).status).toBe(200);
    await revokeTokenStatement(testDb(), { name: 'to-revoke' }, new Date(now()));
    const body = await expectProblem(
      await admin('/whoami', { token: revoked }),
      401,
      'unauthorized',
    );
    expect(body.detail).toMatch(/revoked/);

    const t0 = now();
    const expiring = await issueToken('admin', { expiresAt: new Date(t0 + 60_000) });
    restore = useClock(fixedClock(t0 + 59_000));
    expect((await admin('/whoami', { token: expiring })).status).toBe(200);
    useClock(fixedClock(t0 + 60_000));
    const expired = await expectProblem(
      await admin('/whoami', { token: expiring }),
      401,
      'unauthorized',
    );
    expect(expired.detail).toMatch(/expired/);
  });

  it('answers 403 for the wrong role and records the refused write in the audit log', async () => {
    const token = await issueToken('reader-preview', { name: 'reviewer-403' });
    await expectProblem(await admin('/tokens', { token }), 403, 'forbidden');
    const res = await admin('/tokens', { token, json: { name: 'x', role: 'admin' } });
    await expectProblem(res, 403, 'forbidden');
    const [row] = await testDb()
      .select()
      .from(auditLog)
      .where(eq(auditLog.actorName, 'reviewer-403'))
      .orderBy(desc(auditLog.id));
    expect(row).toMatchObject({
      actorRole: 'reader-preview',
      action: 'POST /api/v1/admin/tokens',
      outcome: 'forbidden',
      requestId: res.headers.get('X-Request-Id'),
    });
    // Nothing was created by the refused request.
    const names = (await testDb().select({ name: apiTokens.name }).from(apiTokens)).map(
      (r) => r.name,
    );
    expect(names).not.toContain('x');
  });

  it('rate-limits failed attempts per client with 429 and Retry-After', async () => {
    const headers = {
      'CF-Connecting-IP': '203.0.113.77',
      Authorization: `Bearer gz_${'B'.repeat(43)}`,
    };
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 12; i++) {
      last = await admin('/whoami', { headers });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.at(-1)).toBe(429);
    expect(last!.headers.get('Retry-After')).toBe('60');
    await expectProblem(last!, 429, 'rate_limited');
    // Another client is not affected.
    const other = await admin('/whoami', { headers: { Authorization: headers.Authorization } });
    expect(other.status).toBe(401);
  });

  it('records when a token was last used', async () => {
    const token = await issueToken('editor', { name: 'last-used-check' });
    await admin('/whoami', { token });
    const [row] = await testDb()
      .select({ lastUsedAt: apiTokens.lastUsedAt })
      .from(apiTokens)
      .where(eq(apiTokens.name, 'last-used-check'));
    expect(row!.lastUsedAt).toBeInstanceOf(Date);
  });

  it('reads on the D1 primary and answers the session bookmark', async () => {
    const token = await issueToken('editor');
    const res = await admin('/whoami', { token });
    expect(res.headers.get('X-D1-Bookmark')).toBeTruthy();
    expect(env.DB).toBeDefined();
  });
});

describe('/api/v1/admin/tokens', () => {
  it('creates a token for an admin (shown once), lists it without its secret and revokes it', async () => {
    const adminToken = await issueToken('admin', { name: 'root-admin' });
    const created = await admin('/tokens', {
      token: adminToken,
      json: { name: 'newsroom-bot', role: 'editor' },
    });
    expect(created.status).toBe(201);
    const { data } = await json(created);
    expect(data).toMatchObject({ name: 'newsroom-bot', role: 'editor', revokedAt: null });
    expect(data.token).toMatch(/^gz_[A-Za-z0-9_-]{43}$/);
    expect((await admin('/whoami', { token: data.token })).status).toBe(200);

    const listed = await json(await admin('/tokens', { token: adminToken }));
    const entry = listed.data.find((t: { id: number }) => t.id === data.id);
    expect(entry).toMatchObject({ name: 'newsroom-bot' });
    expect(JSON.stringify(listed)).not.toContain(data.token);

    const revoked = await admin(`/tokens/${data.id}`, { token: adminToken, method: 'DELETE' });
    expect(revoked.status).toBe(204);
    await expectProblem(await admin('/whoami', { token: data.token }), 401, 'unauthorized');
    await expectProblem(
      await admin(`/tokens/${data.id}`, { token: adminToken, method: 'DELETE' }),
      404,
      'not_found',
    );

    const audit = await json(await admin('/audit?targetType=token', { token: adminToken }));
    const actions = audit.data
      .filter((e: any) => e.target.id === String(data.id))
      .map((e: any) => e.action);
    expect(actions).toEqual(['token.revoke', 'token.create']);
  });

  it('refuses a token body with unknown fields, a bad role and wrong content type', async () => {
    const adminToken = await issueToken('admin');
    const bad = await expectProblem(
      await admin('/tokens', { token: adminToken, json: { name: '', role: 'god', extra: 1 } }),
      422,
      'unprocessable',
    );
    expect(bad.invalidParams.map((p: any) => p.name).sort()).toEqual(['extra', 'name', 'role']);
    await expectProblem(
      await admin('/tokens', {
        token: adminToken,
        body: 'name=x',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'unsupported_media_type',
    );
    await expectProblem(
      await admin('/tokens', {
        token: adminToken,
        body: '{"name":',
        headers: { 'Content-Type': 'application/json' },
      }),
      400,
      'invalid_body',
    );
  });
});
