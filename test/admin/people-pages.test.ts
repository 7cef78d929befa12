import { exports } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { findUserByUsername, totpCode } from '../../src/auth/users';
import { fixedClock, now, useClock, type Clock } from '../../src/lib/clock';
import {
  browserGet,
  browserPost,
  goodPassword,
  origin,
  postSignIn,
  seedUser,
  signInAs,
  type Browser,
} from '../auth/browser';
import { testDb, uniqueSlug } from '../helpers';

let restore: Clock | undefined;
afterEach(() => {
  if (restore) useClock(restore);
  restore = undefined;
});

const newPassword = '换一个新密码-Panjin-2027';

async function page(path: string, b: Browser, status = 200): Promise<string> {
  const res = await browserGet(path, b);
  expect(res.status).toBe(status);
  expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
  return res.text();
}

/** A refused form: the page again, at the problem's status, with the problem inline. */
async function expectInline(res: Response, status: number, code: string): Promise<string> {
  expect(res.status).toBe(status);
  expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
  const html = await res.text();
  expect(html).toContain(`data-problem="${code}"`);
  return html;
}

function expectRedirect(res: Response, location: string) {
  expect(res.status).toBe(303);
  expect(res.headers.get('Location')).toBe(location);
}

/** The table row of one account on /admin/users. */
function rowOf(html: string, username: string): string {
  return new RegExp(`<tr data-username="${username}">([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '';
}

/** An admin and an editor, both signed in (`b` the admin's browser, `eb` the editor's). */
async function adminAndEditor() {
  const admin = await seedUser('admin');
  const editor = await seedUser('editor');
  const eb = await signInAs(editor.username);
  const b = await signInAs(admin.username);
  return { admin, editor, eb, b };
}

async function idOf(username: string): Promise<number> {
  return (await findUserByUsername(testDb(), username))!.id;
}

function bearer(token: string) {
  return exports.default.fetch(
    new Request(`${origin}/api/v1/admin/whoami`, {
      headers: { Authorization: `Bearer ${token}` },
    }),
  );
}

describe('GET /admin/users', () => {
  it('lists people with their role, state, last sign-in and second factor, and shows admins the admin nav', async () => {
    const admin = await seedUser('admin');
    const editor = await seedUser('editor');
    await signInAs(editor.username);
    const b = await signInAs(admin.username);
    const html = await page('/admin/users', b);
    expect(html).toContain('<title>用户管理');
    const row = rowOf(html, editor.username);
    expect(row).toContain(editor.displayName);
    expect(row).toContain('<td>编辑</td>');
    expect(row).toContain('正常');
    expect(row).toContain('<time datetime=');
    expect(row).toContain('<td>未开启</td>');
    expect(html).not.toContain('password_hash');
    expect(html).toContain('href="/admin/users"');
    expect(html).toContain('href="/admin/tokens"');
  });

  it('answers an editor 403 with a page, on people and on tokens, and hides those nav entries', async () => {
    const editor = await seedUser('editor');
    const b = await signInAs(editor.username);
    for (const path of ['/admin/users', '/admin/tokens']) {
      const html = await page(path, b, 403);
      expect(html).toContain('此页面仅限管理员使用');
      expect(html).not.toContain('href="/admin/users"');
      expect(html).not.toContain('href="/admin/tokens"');
      expect(html).toContain('href="/admin/sessions"');
    }
    const post = await browserPost('/admin/users', b, {
      username: uniqueSlug('x').slice(0, 30),
      displayName: '越权',
      role: 'admin',
      password: goodPassword,
    });
    expect(post.status).toBe(403);
  });

  it('speaks English after the language switch', async () => {
    const admin = await seedUser('admin');
    const b = await signInAs(admin.username);
    const res = await exports.default.fetch(
      new Request(`${origin}/admin/users`, {
        headers: {
          Cookie: `__Host-gazette_session=${b.cookie}; gazette_admin_lang=en`,
          'Sec-Fetch-Site': 'same-origin',
        },
      }),
    );
    const html = await res.text();
    expect(html).toContain('<title>People');
    expect(html).toContain('Reset password');
  });
});

describe('POST /admin/users', () => {
  it('creates a person who must change the initial password at first sign-in', async () => {
    const admin = await seedUser('admin');
    const b = await signInAs(admin.username);
    const username = uniqueSlug('new').replace(/[^a-z0-9-]/g, '');
    const res = await browserPost('/admin/users', b, {
      username,
      displayName: '王编辑',
      role: 'editor',
      password: 'Initial-Pass-2026',
    });
    expectRedirect(res, '/admin/users?done=created');
    const html = await page('/admin/users?done=created', b);
    expect(html).toContain('用户已创建');
    expect(rowOf(html, username)).toContain('待改密码');

    const signIn = await postSignIn({ username, password: 'Initial-Pass-2026' });
    expectRedirect(signIn, '/admin/password');
  });

  it('refuses a taken username, a short password and a bad role inline, creating nothing', async () => {
    const admin = await seedUser('admin');
    const other = await seedUser('editor');
    const b = await signInAs(admin.username);
    const taken = await browserPost('/admin/users', b, {
      username: other.username,
      displayName: '重名',
      role: 'editor',
      password: 'Initial-Pass-2026',
    });
    const html = await expectInline(taken, 409, 'conflict');
    expect(html).toContain('与当前状态冲突');
    expect(html).toContain('<form method="post" action="/admin/users"');

    const username = uniqueSlug('short').replace(/[^a-z0-9-]/g, '');
    await expectInline(
      await browserPost('/admin/users', b, {
        username,
        displayName: '短密码',
        role: 'editor',
        password: 'short',
      }),
      422,
      'unprocessable',
    );
    await expectInline(
      await browserPost('/admin/users', b, {
        username,
        displayName: '怪角色',
        role: 'owner',
        password: 'Initial-Pass-2026',
      }),
      400,
      'invalid_body',
    );
    expect(await findUserByUsername(testDb(), username)).toBeNull();
  });

  it('refuses a post without the CSRF token, or with another session’s', async () => {
    const admin = await seedUser('admin');
    const b = await signInAs(admin.username);
    const other = await signInAs(admin.username);
    const username = uniqueSlug('csrf').replace(/[^a-z0-9-]/g, '');
    const fields = {
      username,
      displayName: '跨站',
      role: 'admin',
      password: 'Initial-Pass-2026',
    };
    await expectInline(
      await browserPost('/admin/users', b, fields, { csrf: null }),
      403,
      'csrf_failed',
    );
    await expectInline(
      await browserPost('/admin/users', b, fields, { csrf: other.csrf }),
      403,
      'csrf_failed',
    );
    expect(await findUserByUsername(testDb(), username)).toBeNull();
  });
});

describe('POST /admin/users/:id', () => {
  it('changes a role, which signs the person out', async () => {
    const { editor, eb, b } = await adminAndEditor();
    const id = await idOf(editor.username);
    expectRedirect(
      await browserPost(`/admin/users/${id}`, b, { action: 'role', role: 'reader-preview' }),
      '/admin/users?done=role',
    );
    expect((await findUserByUsername(testDb(), editor.username))!.role).toBe('reader-preview');
    expect((await browserGet('/admin', eb)).headers.get('Location')).toMatch(/ended=1/);
    await expectInline(
      await browserPost(`/admin/users/${id}`, b, { action: 'role', role: 'owner' }),
      400,
      'invalid_body',
    );
  });

  it('disables an account (ending its sessions; it cannot sign in) and enables it again', async () => {
    const { editor, eb, b } = await adminAndEditor();
    const id = await idOf(editor.username);
    expectRedirect(
      await browserPost(`/admin/users/${id}`, b, { action: 'disable' }),
      '/admin/users?done=disabled',
    );
    expect(rowOf(await page('/admin/users', b), editor.username)).toContain('已停用');
    const next = await browserGet('/admin', eb);
    expect(next.status).toBe(303);
    expect(next.headers.get('Location')).toMatch(/^\/admin\/sign-in\?.*ended=1/);
    const refused = await postSignIn({ username: editor.username, password: goodPassword });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('用户名或密码不正确');

    expectRedirect(
      await browserPost(`/admin/users/${id}`, b, { action: 'enable' }),
      '/admin/users?done=enabled',
    );
    expect((await postSignIn({ username: editor.username, password: goodPassword })).status).toBe(
      303,
    );
  });

  it('resets a password, which must then be changed again; refuses a weak one inline', async () => {
    const admin = await seedUser('admin');
    const editor = await seedUser('editor');
    const b = await signInAs(admin.username);
    const id = await idOf(editor.username);
    await expectInline(
      await browserPost(`/admin/users/${id}`, b, { action: 'reset', password: 'aaaaaaaaaaaa' }),
      422,
      'unprocessable',
    );
    expectRedirect(
      await browserPost(`/admin/users/${id}`, b, { action: 'reset', password: 'Reset-Pass-2026' }),
      '/admin/users?done=reset',
    );
    expect((await postSignIn({ username: editor.username, password: goodPassword })).status).toBe(
      401,
    );
    expectRedirect(
      await postSignIn({ username: editor.username, password: 'Reset-Pass-2026' }),
      '/admin/password',
    );
  });

  it('refuses an admin disabling themself, an unknown action and an unknown account', async () => {
    const admin = await seedUser('admin');
    const b = await signInAs(admin.username);
    const id = await idOf(admin.username);
    await expectInline(
      await browserPost(`/admin/users/${id}`, b, { action: 'disable' }),
      409,
      'conflict',
    );
    await expectInline(
      await browserPost(`/admin/users/${id}`, b, { action: 'constructor' }),
      400,
      'invalid_body',
    );
    await expectInline(
      await browserPost('/admin/users/999999999', b, { action: 'enable' }),
      404,
      'not_found',
    );
    expect((await findUserByUsername(testDb(), admin.username))!.disabledAt).toBeNull();
  });
});

describe('/admin/tokens', () => {
  it('creates a token whose secret is shown once and works, lists it without it, and revokes it', async () => {
    const admin = await seedUser('admin');
    const b = await signInAs(admin.username);
    const name = uniqueSlug('script');
    const created = await browserPost('/admin/tokens', b, {
      name,
      role: 'editor',
      expiryDays: '30',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('Cache-Control')).toBe('no-store');
    const html = await created.text();
    const secret = /<code id="new-token" class="secret">(gz_[A-Za-z0-9_-]{43})<\/code>/.exec(
      html,
    )?.[1];
    expect(secret).toBeDefined();
    expect(html).toContain('data-copy="#new-token"');
    expect((await bearer(secret!)).status).toBe(200);

    const list = await page('/admin/tokens', b);
    expect(list).toContain(`<tr data-token="${name}">`);
    expect(list).not.toContain(secret!);
    const row = new RegExp(`<tr data-token="${name}">([\\s\\S]*?)</tr>`).exec(list)![1]!;
    const revokeAction = /action="(\/admin\/tokens\/\d+\/revoke)"/.exec(row)![1]!;
    expectRedirect(await browserPost(revokeAction, b), '/admin/tokens?done=token-revoked');
    expect((await bearer(secret!)).status).toBe(401);
    expect(await page('/admin/tokens', b)).toContain('已吊销');
    await expectInline(await browserPost(revokeAction, b), 404, 'not_found');
  });

  it('refuses a token without a name or with an unknown role inline', async () => {
    const admin = await seedUser('admin');
    const b = await signInAs(admin.username);
    const html = await expectInline(
      await browserPost('/admin/tokens', b, { name: '  ', role: 'editor' }),
      400,
      'invalid_body',
    );
    expect(html).not.toContain('id="new-token"');
    await expectInline(
      await browserPost('/admin/tokens', b, { name: 'x', role: 'root' }),
      400,
      'invalid_body',
    );
  });
});

describe('/admin/sessions', () => {
  it('shows a person only their own sessions, the current one marked, and lets them end one, which signs that browser out', async () => {
    const editor = await seedUser('editor');
    const other = await seedUser('editor');
    const otherBrowser = await signInAs(other.username);
    const phone = await signInAs(editor.username);
    const b = await signInAs(editor.username);
    const html = await page('/admin/sessions', b);
    const rows = [...html.matchAll(/<tr data-session="(\d+)" data-username="([^"]+)">/g)];
    expect(rows.map((r) => r[2])).toEqual([editor.username, editor.username]);
    expect(html.match(/当前会话/g)).toHaveLength(1);

    const otherId = Number(
      /<tr data-session="(\d+)"/.exec(await page('/admin/sessions', otherBrowser))![1],
    );
    await expectInline(await browserPost(`/admin/sessions/${otherId}/revoke`, b), 404, 'not_found');
    expect((await browserGet('/admin', otherBrowser)).status).toBe(200);

    // The phone's session is the one not marked current.
    const phoneRow = html
      .split('</tr>')
      .find((r) => r.includes('data-session=') && !r.includes('当前会话'))!;
    const phoneId = Number(/data-session="(\d+)"/.exec(phoneRow)![1]);
    expectRedirect(
      await browserPost(`/admin/sessions/${phoneId}/revoke`, b),
      '/admin/sessions?done=session-revoked',
    );
    const next = await browserGet('/admin', phone);
    expect(next.status).toBe(303);
    expect(next.headers.get('Location')).toMatch(/^\/admin\/sign-in\?.*ended=1/);
    expect((await browserGet('/admin', b)).status).toBe(200);
  });

  it("shows an admin everyone's sessions and ends another person's", async () => {
    const { editor, eb, b } = await adminAndEditor();
    const html = await page('/admin/sessions', b);
    const id = new RegExp(`<tr data-session="(\\d+)" data-username="${editor.username}">`).exec(
      html,
    )![1]!;
    expectRedirect(
      await browserPost(`/admin/sessions/${id}/revoke`, b),
      '/admin/sessions?done=session-revoked',
    );
    expect((await browserGet('/admin', eb)).headers.get('Location')).toMatch(/ended=1/);
    await expectInline(await browserPost(`/admin/sessions/${id}/revoke`, b), 404, 'not_found');
  });

  it('signs out when someone ends their current session', async () => {
    const editor = await seedUser('editor');
    const b = await signInAs(editor.username);
    const id = /<tr data-session="(\d+)"/.exec(await page('/admin/sessions', b))![1]!;
    const res = await browserPost(`/admin/sessions/${id}/revoke`, b);
    expectRedirect(res, '/admin/sign-in');
    expect(res.headers.get('Set-Cookie')).toMatch(/__Host-gazette_session=;/);
    expect((await browserGet('/admin', b)).status).toBe(303);
  });
});

describe('/admin/account', () => {
  it('changes the password (ending other sessions) and refuses a wrong current one or a mismatch inline', async () => {
    const editor = await seedUser('editor');
    const laptop = await signInAs(editor.username);
    const b = await signInAs(editor.username);
    const html = await page('/admin/account', b);
    expect(html).toContain('action="/admin/account/password"');
    expect(html).toContain('action="/admin/account/totp/setup"');

    await expectInline(
      await browserPost('/admin/account/password', b, {
        currentPassword: 'not-my-password',
        newPassword,
        repeatPassword: newPassword,
      }),
      422,
      'unprocessable',
    );
    await expectInline(
      await browserPost('/admin/account/password', b, {
        currentPassword: goodPassword,
        newPassword,
        repeatPassword: `${newPassword}x`,
      }),
      422,
      'unprocessable',
    );
    expectRedirect(
      await browserPost('/admin/account/password', b, {
        currentPassword: goodPassword,
        newPassword,
        repeatPassword: newPassword,
      }),
      '/admin/account?done=password',
    );
    expect(await page('/admin/account?done=password', b)).toContain('密码已修改');
    expect((await browserGet('/admin', laptop)).status).toBe(303);
    expect((await postSignIn({ username: editor.username, password: newPassword })).status).toBe(
      303,
    );
  });

  it('takes a person with an initial password from /admin/password to the article list', async () => {
    const editor = await seedUser('editor', { mustChangePassword: true });
    const b = await signInAs(editor.username);
    expect((await browserGet('/admin/sessions', b)).headers.get('Location')).toBe(
      '/admin/password',
    );
    const html = await page('/admin/password', b);
    expect(html).toContain('首次登录请先设置自己的密码');
    // Nothing else is written before the password is changed.
    await expectInline(
      await browserPost('/admin/account/totp/setup', b),
      403,
      'password_change_required',
    );
    expectRedirect(
      await browserPost('/admin/account/password', b, {
        currentPassword: goodPassword,
        newPassword,
        repeatPassword: newPassword,
      }),
      '/admin',
    );
    expect((await browserGet('/admin', b)).status).toBe(200);
  });

  it('sets up TOTP with a QR code and a confirming code, then needs it at sign-in, and turns it off with password and code', async () => {
    const t0 = now();
    const clock = fixedClock(t0);
    restore = useClock(clock);
    const editor = await seedUser('editor');
    const b = await signInAs(editor.username);

    const setup = await browserPost('/admin/account/totp/setup', b);
    expect(setup.status).toBe(200);
    const html = await setup.text();
    const uri = /data-qr="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
    expect(uri).toMatch(/^otpauth:\/\/totp\/Gazette:/);
    const secret = /<code class="secret">([A-Z2-7]{32})<\/code>/.exec(html)![1]!;
    expect(uri).toContain(`secret=${secret}`);

    const wrongCode = totpCode(secret, new Date(t0)) === '000000' ? '111111' : '000000';
    const wrong = await expectInline(
      await browserPost('/admin/account/totp/enable', b, { secret, code: wrongCode }),
      422,
      'unprocessable',
    );
    expect(wrong).toContain(`<code class="secret">${secret}</code>`);
    expectRedirect(
      await browserPost('/admin/account/totp/enable', b, {
        secret,
        code: totpCode(secret, new Date(t0)),
      }),
      '/admin/account?done=totp-on',
    );
    expect(await page('/admin/account', b)).toContain('双因素验证已开启：');

    clock.set(t0 + 60_000);
    const noCode = await postSignIn({ username: editor.username, password: goodPassword });
    expect(noCode.status).toBe(401);
    expect(await noCode.text()).toContain('请输入身份验证器中的动态验证码');
    expect(
      (
        await postSignIn({
          username: editor.username,
          password: goodPassword,
          totp: totpCode(secret, new Date(t0 + 60_000)),
        })
      ).status,
    ).toBe(303);

    clock.set(t0 + 120_000);
    const code = totpCode(secret, new Date(t0 + 120_000));
    await expectInline(
      await browserPost('/admin/account/totp/disable', b, { password: 'wrong-password', code }),
      422,
      'unprocessable',
    );
    expectRedirect(
      await browserPost('/admin/account/totp/disable', b, { password: goodPassword, code }),
      '/admin/account?done=totp-off',
    );
    expect((await postSignIn({ username: editor.username, password: goodPassword })).status).toBe(
      303,
    );
    await expectInline(
      await browserPost('/admin/account/totp/disable', b, { password: goodPassword, code }),
      409,
      'conflict',
    );
  });
});
