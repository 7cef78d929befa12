/**
 * What a signed-in browser can and cannot do, beyond test/auth/sessions.test.ts (which proves
 * CSRF on POST /articles, the expiry rules and revocation on /whoami, and an editor refused
 * GET/POST /tokens, POST /channels, GET /users and GET /audit): here every kind of write, the
 * admin pages' own form, and the rest of the admin-only routes.
 */
import { exports } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { channels } from '../../src/db/schema';
import { fixedClock, now, useClock, type Clock } from '../../src/lib/clock';
import { browserApi, browserGet, origin, seedUser, signInAs, type Browser } from '../auth/browser';
import {
  admin,
  clientAddress,
  expectProblem,
  issueToken,
  json,
  seedChannel,
  testDb,
  uniqueSlug,
} from '../helpers';

let restore: Clock | undefined;
afterEach(() => {
  if (restore) useClock(restore);
  restore = undefined;
});

/** A request from a signed-in browser with full control over its CSRF evidence. */
function write(
  path: string,
  browser: Browser,
  init: { method: string; body?: BodyInit; type?: string; csrf?: string; site?: string },
): Promise<Response> {
  const headers: Record<string, string> = {
    'CF-Connecting-IP': clientAddress(),
    Cookie: `__Host-gazette_session=${browser.cookie}`,
  };
  if (init.site !== undefined) headers['Sec-Fetch-Site'] = init.site;
  if (init.csrf !== undefined) headers['X-CSRF-Token'] = init.csrf;
  if (init.type) headers['Content-Type'] = init.type;
  return exports.default.fetch(
    new Request(`${origin}${path}`, { method: init.method, headers, body: init.body }),
  );
}

async function draftOf(token: string, channel: string) {
  const res = await admin('/articles', {
    token,
    json: { title: '防伪造请求测试稿', body: '<p>正文</p>', channel },
  });
  expect(res.status).toBe(201);
  return { id: (await json(res)).data.id as number, etag: res.headers.get('ETag')! };
}

describe('writes from a signed-in browser', () => {
  it('are refused on every method and route when the cookie comes without the CSRF token or from another site, and change nothing', async () => {
    const token = await issueToken('admin');
    const channel = await seedChannel(testDb());
    const { id, etag } = await draftOf(token, channel.slug);
    const user = await seedUser('editor');
    const b = await signInAs(user.username);
    const jsonType = 'application/json';
    const form = new FormData();
    form.append('file', new File(['%PDF-1.4\n'], '通知.pdf', { type: 'application/pdf' }));
    const writes: { method: string; path: string; body?: () => BodyInit; type?: string }[] = [
      {
        method: 'POST',
        path: '/api/v1/admin/articles',
        body: () => JSON.stringify({ title: 'x', body: '<p>x</p>', channel: channel.slug }),
        type: jsonType,
      },
      {
        method: 'PATCH',
        path: `/api/v1/admin/articles/${id}`,
        body: () => JSON.stringify({ title: '被篡改的标题' }),
        type: jsonType,
      },
      {
        method: 'POST',
        path: `/api/v1/admin/articles/${id}/publish`,
        body: () => '{}',
        type: jsonType,
      },
      {
        method: 'POST',
        path: `/api/v1/admin/articles/${id}/preview-link`,
        body: () => '{}',
        type: jsonType,
      },
      { method: 'DELETE', path: `/api/v1/admin/articles/${id}` },
      {
        method: 'POST',
        path: '/api/v1/admin/tags',
        body: () => JSON.stringify({ slug: uniqueSlug('tag'), name: '伪造标签' }),
        type: jsonType,
      },
      {
        method: 'POST',
        path: '/api/v1/admin/me/password',
        body: () =>
          JSON.stringify({ currentPassword: user.password, newPassword: '被换掉的密码-2026' }),
        type: jsonType,
      },
      { method: 'POST', path: '/api/v1/admin/media', body: () => form },
    ];
    for (const w of writes) {
      const init = { method: w.method, body: w.body?.(), type: w.type };
      const label = `${w.method} ${w.path}`;
      // The cookie alone, from our own pages: no token, no write.
      const bare = await write(w.path, b, { ...init, site: 'same-origin' });
      expect(bare.status, label).toBe(403);
      expect((await json(bare)).code, label).toBe('csrf_failed');
      // The right token cannot come from another site, nor from a sibling subdomain.
      for (const site of ['cross-site', 'same-site']) {
        const res = await write(w.path, b, { ...init, body: w.body?.(), csrf: b.csrf, site });
        expect(res.status, `${label} ${site}`).toBe(403);
        expect((await json(res)).code, `${label} ${site}`).toBe('csrf_failed');
      }
    }
    // Nothing happened: same version, still a draft, the password still the old one.
    const after = await admin(`/articles/${id}`, { token });
    expect(after.headers.get('ETag')).toBe(etag);
    expect((await json(after)).data).toMatchObject({ status: 'draft', title: '防伪造请求测试稿' });
    expect((await browserApi('/whoami', b)).status).toBe(200);
    await expect(signInAs(user.username, user.password)).resolves.toBeTruthy();
  });

  it('from another origin without Fetch Metadata are refused by their Origin', async () => {
    const channel = await seedChannel(testDb());
    const b = await signInAs((await seedUser('editor')).username);
    const res = await exports.default.fetch(
      new Request(`${origin}/api/v1/admin/articles`, {
        method: 'POST',
        headers: {
          'CF-Connecting-IP': clientAddress(),
          Cookie: `__Host-gazette_session=${b.cookie}`,
          'X-CSRF-Token': b.csrf,
          Origin: 'https://gazette.test.evil.example',
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ title: 'x', body: '<p>x</p>', channel: channel.slug }),
      }),
    );
    await expectProblem(res, 403, 'csrf_failed');
  });

  it("through the admin pages' sign-out form need its CSRF field and our own origin", async () => {
    const b = await signInAs((await seedUser('editor')).username);
    const post = (csrf: string, site: string) =>
      exports.default.fetch(
        new Request(`${origin}/admin/sign-out`, {
          method: 'POST',
          headers: {
            'CF-Connecting-IP': clientAddress(),
            Cookie: `__Host-gazette_session=${b.cookie}`,
            'Sec-Fetch-Site': site,
            'Content-Type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ csrf }).toString(),
          redirect: 'manual',
        }),
      );
    await expectProblem(await post(b.csrf, 'cross-site'), 403, 'csrf_failed');
    await expectProblem(await post('', 'same-origin'), 403, 'csrf_failed');
    expect((await browserGet('/admin', b)).status).toBe(200);
    expect((await post(b.csrf, 'same-origin')).status).toBe(303);
    expect((await browserGet('/admin', b)).status).toBe(303);
  });
});

describe('a session that has ended', () => {
  it('cannot write even with its CSRF token, and the admin pages send it to sign in', async () => {
    const t0 = now();
    restore = useClock(fixedClock(t0));
    const channel = await seedChannel(testDb());
    const b = await signInAs((await seedUser('editor')).username);
    useClock(fixedClock(t0 + 12 * 3_600_000));
    await expectProblem(
      await browserApi('/articles', b, {
        json: { title: '过期会话', body: '<p>x</p>', channel: channel.slug },
      }),
      401,
      'unauthorized',
    );
    const page = await browserGet(`/admin/articles/new`, b);
    expect(page.status).toBe(303);
    expect(page.headers.get('Location')).toBe(
      '/admin/sign-in?next=%2Fadmin%2Farticles%2Fnew&ended=1',
    );
    expect(page.headers.get('Set-Cookie')).toMatch(/__Host-gazette_session=;/);
  });

  it('revoked by an admin, is out of the admin pages at once, and an editor cannot end anyone else’s', async () => {
    const editor = await seedUser('editor');
    const other = await seedUser('editor');
    const a = await signInAs((await seedUser('admin')).username);
    const b = await signInAs(editor.username);
    const o = await signInAs(other.username);
    const sessionsOf = async (id: number) =>
      (await json(await browserApi(`/sessions?user=${id}`, a))).data as { id: number }[];
    const [othersSession] = await sessionsOf(other.id);
    // An editor neither lists nor ends another person's session.
    await expectProblem(await browserApi(`/sessions?user=${other.id}`, b), 403, 'forbidden');
    await expectProblem(
      await browserApi(`/sessions/${othersSession!.id}`, b, { method: 'DELETE' }),
      404,
      'not_found',
    );
    expect((await browserApi('/whoami', o)).status).toBe(200);

    const [editorsSession] = await sessionsOf(editor.id);
    expect((await browserGet('/admin', b)).status).toBe(200);
    expect(
      (await browserApi(`/sessions/${editorsSession!.id}`, a, { method: 'DELETE' })).status,
    ).toBe(204);
    const page = await browserGet('/admin', b);
    expect(page.status).toBe(303);
    expect(page.headers.get('Location')).toMatch(/&ended=1$/);
  });
});

describe('an editor', () => {
  it('is refused every other channel, token, account, webhook and transfer route, which stay as they were', async () => {
    const db = testDb();
    const channel = await seedChannel(db, { name: '要闻动态' });
    const adminToken = await issueToken('admin');
    const tokens = (await json(await admin('/tokens', { token: adminToken }))).data as {
      id: number;
    }[];
    const someToken = tokens[0]!.id;
    const someone = await seedUser('editor');
    const b = await signInAs((await seedUser('editor')).username);
    const refused: [string, string, unknown?][] = [
      ['PATCH', `/channels/${channel.slug}`, { name: '被改名的栏目' }],
      ['DELETE', `/channels/${channel.slug}`],
      ['DELETE', `/tokens/${someToken}`],
      [
        'POST',
        '/users',
        {
          username: uniqueSlug('u'),
          displayName: 'x',
          role: 'admin',
          password: '一个足够长的初始密码-2026',
        },
      ],
      ['PATCH', `/users/${someone.id}`, { role: 'admin' }],
      ['GET', '/webhooks'],
      ['POST', '/webhooks', { url: 'https://hooks.example/x', events: ['article.published'] }],
      ['GET', '/export'],
      ['POST', '/import', {}],
    ];
    for (const [method, path, body] of refused) {
      const res = await browserApi(path, b, { method, json: body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await json(res)).code, `${method} ${path}`).toBe('forbidden');
    }
    const [kept] = await db.select().from(channels).where(eq(channels.slug, channel.slug));
    expect(kept?.name).toBe('要闻动态');
    const stillThere = (await json(await admin('/tokens', { token: adminToken }))).data as {
      id: number;
    }[];
    expect(stillThere.some((t) => t.id === someToken)).toBe(true);
    const users = (await json(await admin('/users', { token: adminToken }))).data as {
      id: number;
      role: string;
    }[];
    expect(users.find((u) => u.id === someone.id)?.role).toBe('editor');
    // Each refused write is in the audit log, under the person's name.
    const audit = (await json(await admin('/audit?outcome=forbidden', { token: adminToken })))
      .data as { action: string; outcome: string }[];
    expect(audit.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        'PATCH /api/v1/admin/channels/:slug',
        'DELETE /api/v1/admin/tokens/:id',
      ]),
    );
  });
});
