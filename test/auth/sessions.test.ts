import { desc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { checkTotp, totpCode } from '../../src/auth/users';
import { auditLog } from '../../src/db/schema';
import { fixedClock, now, useClock, type Clock } from '../../src/lib/clock';
import { expectProblem, get, issueToken, json, seedChannel, testDb, uniqueSlug } from '../helpers';
import {
  browserApi,
  browserGet,
  goodPassword,
  postSignIn,
  seedUser,
  signInAs,
  type Browser,
} from './browser';

let restore: Clock | undefined;
afterEach(() => {
  if (restore) useClock(restore);
  restore = undefined;
});

async function lastAudit(action: string) {
  const [row] = await testDb()
    .select()
    .from(auditLog)
    .where(eq(auditLog.action, action))
    .orderBy(desc(auditLog.id))
    .limit(1);
  return row;
}

describe('POST /admin/sign-in', () => {
  it('opens a session with an HttpOnly, Secure, SameSite=Strict cookie that expires', async () => {
    const user = await seedUser('editor');
    const res = await postSignIn({ username: user.username, password: goodPassword });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/admin');
    const cookie = res.headers.get('Set-Cookie')!;
    expect(cookie).toMatch(/^__Host-gazette_session=gs_[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Max-Age=43200/);
    expect(await lastAudit('session.sign-in')).toMatchObject({
      actorName: user.username,
      outcome: 'ok',
    });
  });

  it('gives one answer for a wrong password and an unknown or disabled account', async () => {
    const user = await seedUser('editor');
    const wrong = await postSignIn({ username: user.username, password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('Set-Cookie')).toBeNull();
    const unknown = await postSignIn({ username: 'nobody-here', password: 'not-the-password' });
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toContain('用户名或密码不正确');
    expect(await wrong.text()).toContain('用户名或密码不正确');
    expect(await lastAudit('session.sign-in')).toMatchObject({
      actorName: user.username,
      outcome: 'failed',
    });
  });

  it('stops guessing at one account after 5 attempts a minute, from any client', async () => {
    const user = await seedUser('editor');
    for (let i = 0; i < 5; i += 1) {
      expect(
        (await postSignIn({ username: user.username, password: `guess-${i}-xxxx` })).status,
      ).toBe(401);
    }
    // The right password does not get through either while the account is throttled.
    const res = await postSignIn({ username: user.username, password: goodPassword });
    expect(res.status).toBe(429);
    expect(res.headers.get('Retry-After')).toBe('60');
    expect(res.headers.get('Set-Cookie')).toBeNull();
  });

  it('stops one client trying many accounts after 20 attempts a minute', async () => {
    const ip = '203.0.113.77';
    const statuses: number[] = [];
    for (let i = 0; i < 21; i += 1) {
      const res = await postSignIn(
        { username: `spray-${uniqueSlug('x')}`, password: 'guess-guess' },
        { 'CF-Connecting-IP': ip },
      );
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it('refuses a sign-in form posted from another site (login CSRF)', async () => {
    const user = await seedUser('editor');
    const res = await postSignIn(
      { username: user.username, password: goodPassword },
      { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' },
    );
    expect(res.status).toBe(403);
    expect(res.headers.get('Set-Cookie')).toBeNull();
  });
});

describe('admin pages without a session', () => {
  it('redirect to sign-in, and the admin API answers 401', async () => {
    const res = await browserGet('/admin?status=draft', null);
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/admin/sign-in?next=%2Fadmin%3Fstatus%3Ddraft');
    const api = await get('/api/v1/admin/articles');
    await expectProblem(api, 401, 'unauthorized');
  });

  it('serve the sign-in page with a strict CSP, no-store and noindex', async () => {
    const res = await browserGet('/admin/sign-in', null);
    expect(res.status).toBe(200);
    const csp = res.headers.get('Content-Security-Policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(res.headers.get('X-Robots-Tag')).toBe('noindex, nofollow');
    const html = await res.text();
    expect(html).toContain('<meta name="robots" content="noindex, nofollow"/>');
    expect(html).toContain('登录编辑后台');
    expect(html).toMatch(/\/assets\/admin\.[0-9a-f]{10}\.js/);
    expect(html).not.toMatch(/<script>|style="/);
  });

  it('are never linked from reader pages', async () => {
    const html = await (await get('/')).text();
    expect(html).not.toContain('admin.');
  });
});

describe('a signed-in session on the admin API', () => {
  it('reads with the cookie alone and names the person in the audit log on writes', async () => {
    const user = await seedUser('editor');
    const b = await signInAs(user.username);
    const whoami = await browserApi('/whoami', b);
    expect(whoami.status).toBe(200);
    expect((await json(whoami)).data).toMatchObject({ name: user.username, role: 'editor' });

    const channel = await seedChannel(testDb());
    const created = await browserApi('/articles', b, {
      json: { title: '会话创建的草稿', body: '<p>正文</p>', channel: channel.slug },
    });
    expect(created.status).toBe(201);
    const row = await lastAudit('article.create');
    expect(row).toMatchObject({ actorName: user.username, actorRole: 'editor', outcome: 'ok' });
  });

  it('refuses a write without the CSRF token, with a wrong one, or from another site', async () => {
    const user = await seedUser('editor');
    const b = await signInAs(user.username);
    const channel = await seedChannel(testDb());
    const body = { title: 'CSRF', body: '<p>x</p>', channel: channel.slug };
    await expectProblem(
      await browserApi('/articles', b, { json: body, csrf: null }),
      403,
      'csrf_failed',
    );
    await expectProblem(
      await browserApi('/articles', b, { json: body, csrf: 'forged-token-value' }),
      403,
      'csrf_failed',
    );
    // Another session's token does not fit this session either.
    const other = await signInAs((await seedUser('editor')).username);
    await expectProblem(
      await browserApi('/articles', b, { json: body, csrf: other.csrf }),
      403,
      'csrf_failed',
    );
    await expectProblem(
      await browserApi('/articles', b, { json: body, headers: { 'Sec-Fetch-Site': 'cross-site' } }),
      403,
      'csrf_failed',
    );
    await expectProblem(
      await browserApi('/articles', b, {
        json: body,
        headers: { 'Sec-Fetch-Site': '', Origin: 'https://evil.example' },
      }),
      403,
      'csrf_failed',
    );
    const ok = await browserApi('/articles', b, { json: body });
    expect(ok.status).toBe(201);
  });

  it('keeps an editor out of channels, tokens and accounts', async () => {
    const b = await signInAs((await seedUser('editor')).username);
    await expectProblem(await browserApi('/tokens', b), 403, 'forbidden');
    await expectProblem(
      await browserApi('/tokens', b, { json: { name: 'x', role: 'admin' } }),
      403,
      'forbidden',
    );
    await expectProblem(
      await browserApi('/channels', b, { json: { slug: uniqueSlug('c'), name: '栏目' } }),
      403,
      'forbidden',
    );
    await expectProblem(await browserApi('/users', b), 403, 'forbidden');
    await expectProblem(await browserApi('/audit', b), 403, 'forbidden');
  });

  it('ends at its absolute expiry and after two idle hours', async () => {
    const t0 = now();
    restore = useClock(fixedClock(t0));
    const user = await seedUser('editor');
    const b = await signInAs(user.username);
    // Used every 90 minutes, the session lives until its 12-hour expiry.
    for (let h = 1.5; h < 12; h += 1.5) {
      useClock(fixedClock(t0 + h * 3_600_000));
      expect((await browserApi('/whoami', b)).status).toBe(200);
    }
    useClock(fixedClock(t0 + 12 * 3_600_000));
    const expired = await expectProblem(await browserApi('/whoami', b), 401, 'unauthorized');
    expect(expired.detail).toMatch(/expired/);
    const page = await browserGet('/admin', b);
    expect(page.status).toBe(303);
    expect(page.headers.get('Location')).toMatch(/^\/admin\/sign-in\?next=%2Fadmin&ended=1$/);

    useClock(fixedClock(t0 + 13 * 3_600_000));
    const idle = await signInAs(user.username);
    useClock(fixedClock(t0 + 15 * 3_600_000 + 1000));
    await expectProblem(await browserApi('/whoami', idle), 401, 'unauthorized');
  });

  it('ends when signed out, revoked by an admin, or the account is disabled', async () => {
    const user = await seedUser('editor');
    const adminUser = await seedUser('admin');
    const a = await signInAs(adminUser.username);

    const b1 = await signInAs(user.username);
    const out = await browserGet('/admin', b1);
    expect(out.status).toBe(200);
    const signOut = await fetchForm('/admin/sign-out', b1, { csrf: b1.csrf });
    expect(signOut.status).toBe(303);
    expect(signOut.headers.get('Set-Cookie')).toMatch(/__Host-gazette_session=;/);
    await expectProblem(await browserApi('/whoami', b1), 401, 'unauthorized');

    const b2 = await signInAs(user.username);
    const sessions = (await json(await browserApi(`/sessions?user=${user.id}`, a))).data as {
      id: number;
    }[];
    expect(sessions).toHaveLength(1);
    expect((await browserApi(`/sessions/${sessions[0]!.id}`, a, { method: 'DELETE' })).status).toBe(
      204,
    );
    await expectProblem(await browserApi('/whoami', b2), 401, 'unauthorized');
    expect(await lastAudit('session.revoke')).toMatchObject({ actorName: adminUser.username });

    const b3 = await signInAs(user.username);
    const disabled = await browserApi(`/users/${user.id}`, a, {
      method: 'PATCH',
      json: { disabled: true },
    });
    expect(disabled.status).toBe(200);
    expect((await json(disabled)).data.disabled).toBe(true);
    await expectProblem(await browserApi('/whoami', b3), 401, 'unauthorized');
    expect((await postSignIn({ username: user.username, password: goodPassword })).status).toBe(
      401,
    );
  });

  it('refuses sign-out without the session CSRF token', async () => {
    const b = await signInAs((await seedUser('editor')).username);
    await expectProblem(
      await fetchForm('/admin/sign-out', b, { csrf: 'nope' }),
      403,
      'csrf_failed',
    );
    expect((await browserApi('/whoami', b)).status).toBe(200);
  });
});

describe('initial passwords', () => {
  it('must be changed before anything else, through POST /me/password', async () => {
    const adminBrowser = await signInAs((await seedUser('admin')).username);
    const username = `new-${uniqueSlug('p')}`.slice(0, 40);
    const created = await browserApi('/users', adminBrowser, {
      json: { username, displayName: '王编辑', role: 'editor', password: '初始密码-abc-123' },
    });
    expect(created.status).toBe(201);
    expect((await json(created)).data).toMatchObject({ mustChangePassword: true, role: 'editor' });

    const res = await postSignIn({ username, password: '初始密码-abc-123' });
    expect(res.headers.get('Location')).toBe('/admin/password');
    const b = await signInAs(username, '初始密码-abc-123');
    expect((await browserGet('/admin', b)).headers.get('Location')).toBe('/admin/password');
    await expectProblem(await browserApi('/articles', b), 403, 'password_change_required');

    await expectProblem(
      await browserApi('/me/password', b, {
        json: { currentPassword: '初始密码-abc-123', newPassword: 'short' },
      }),
      422,
      'unprocessable',
    );
    const changed = await browserApi('/me/password', b, {
      json: { currentPassword: '初始密码-abc-123', newPassword: '我自己的新密码-2026' },
    });
    expect(changed.status).toBe(204);
    expect((await browserApi('/articles', b)).status).toBe(200);
    expect((await browserGet('/admin', b)).status).toBe(200);
  });

  it('cannot be created short or duplicated', async () => {
    const token = await issueToken('admin');
    const { admin } = await import('../helpers');
    const username = `dup-${uniqueSlug('d')}`.slice(0, 40);
    const body = { username, displayName: '重复', role: 'editor', password: '足够长的初始密码-1' };
    expect((await admin('/users', { token, json: body })).status).toBe(201);
    await expectProblem(await admin('/users', { token, json: body }), 409, 'conflict');
    await expectProblem(
      await admin('/users', {
        token,
        json: { ...body, username: `${username}x`, password: 'short' },
      }),
      422,
      'unprocessable',
    );
  });
});

describe('TOTP second factor', () => {
  it('computes the RFC 6238 SHA-1 test vectors (6-digit truncation)', () => {
    // RFC 6238 appendix B, secret "12345678901234567890" in base32.
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(totpCode(secret, new Date(59_000))).toBe('287082');
    expect(totpCode(secret, new Date(1_111_111_109_000))).toBe('081804');
    expect(totpCode(secret, new Date(1_234_567_890_000))).toBe('005924');
    expect(totpCode(secret, new Date(2_000_000_000_000))).toBe('279037');
    expect(checkTotp(secret, '287082', new Date(59_000), null)).toBe(1);
    // A code works once: not again in its own step.
    expect(checkTotp(secret, '287082', new Date(59_000), 1)).toBeNull();
  });

  it('is turned on with a current code and then needed at sign-in, once per code', async () => {
    const t0 = now();
    restore = useClock(fixedClock(t0));
    const user = await seedUser('editor');
    const b = await signInAs(user.username);
    const setup = (await json(await browserApi('/me/totp/setup', b, { method: 'POST' }))).data;
    expect(setup.uri).toMatch(/^otpauth:\/\/totp\/Gazette:/);
    await expectProblem(
      await browserApi('/me/totp', b, {
        method: 'PUT',
        json: {
          secret: setup.secret,
          code: '000000' === totpCode(setup.secret, new Date(t0)) ? '111111' : '000000',
        },
      }),
      422,
      'unprocessable',
    );
    const on = await browserApi('/me/totp', b, {
      method: 'PUT',
      json: { secret: setup.secret, code: totpCode(setup.secret, new Date(t0)) },
    });
    expect(on.status).toBe(204);

    useClock(fixedClock(t0 + 60_000));
    const noCode = await postSignIn({ username: user.username, password: goodPassword });
    expect(noCode.status).toBe(401);
    expect(await noCode.text()).toContain('动态验证码');
    const code = totpCode(setup.secret, new Date(t0 + 60_000));
    const ok = await postSignIn({ username: user.username, password: goodPassword, totp: code });
    expect(ok.status).toBe(303);
    const replay = await postSignIn({
      username: user.username,
      password: goodPassword,
      totp: code,
    });
    expect(replay.status).toBe(401);
  });

  it('is turned off only with the password and a current, unused code (POST /me/totp/disable)', async () => {
    const t0 = now();
    const clock = fixedClock(t0);
    restore = useClock(clock);
    const user = await seedUser('editor');
    const b = await signInAs(user.username);
    const setup = (await json(await browserApi('/me/totp/setup', b, { method: 'POST' }))).data;
    const enabled = totpCode(setup.secret, new Date(t0));
    const on = await browserApi('/me/totp', b, {
      method: 'PUT',
      json: { secret: setup.secret, code: enabled },
    });
    expect(on.status).toBe(204);
    const off = (body: unknown) => browserApi('/me/totp/disable', b, { json: body });
    // The code that turned it on cannot turn it off: each works once.
    await expectProblem(await off({ password: goodPassword, code: enabled }), 422, 'unprocessable');
    clock.set(t0 + 60_000);
    const code = totpCode(setup.secret, new Date(t0 + 60_000));
    await expectProblem(await off({ password: 'not-the-password', code }), 422, 'unprocessable');
    await expectProblem(await off({ password: goodPassword }), 422, 'unprocessable');
    expect((await off({ password: goodPassword, code })).status).toBe(204);
    await expectProblem(await off({ password: goodPassword, code }), 409, 'conflict');
    const [row] = await testDb()
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'user.totp-off'))
      .orderBy(desc(auditLog.id))
      .limit(1);
    expect(row).toMatchObject({ actorName: user.username, outcome: 'ok' });
    expect((await postSignIn({ username: user.username, password: goodPassword })).status).toBe(
      303,
    );
  });
});

function fetchForm(path: string, b: Browser, fields: Record<string, string>) {
  return import('cloudflare:workers').then(({ exports }) =>
    exports.default.fetch(
      new Request(`http://gazette.test${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Cookie: `__Host-gazette_session=${b.cookie}`,
          'Sec-Fetch-Site': 'same-origin',
        },
        body: new URLSearchParams(fields).toString(),
        redirect: 'manual',
      }),
    ),
  );
}
