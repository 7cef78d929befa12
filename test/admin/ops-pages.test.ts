import { env, exports } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditStatement } from '../../src/authoring/audit';
import { auditLog, webhooks } from '../../src/db/schema';
import { now } from '../../src/lib/clock';
import { enqueueWebhookEvent } from '../../src/webhooks/client';
import { browserApi, browserGet, origin, seedUser, signInAs, type Browser } from '../auth/browser';
import { clientAddress, seedChannel, testDb, uniqueSlug } from '../helpers';

/** A form post from the admin pages, with the session's CSRF token unless told otherwise. */
function browserPost(
  path: string,
  browser: Browser,
  fields: Record<string, string | string[]>,
  options: { csrf?: string | null } = {},
): Promise<Response> {
  const body = new URLSearchParams();
  const csrf = options.csrf === undefined ? browser.csrf : options.csrf;
  if (csrf !== null) body.append('csrf', csrf);
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  }
  return exports.default.fetch(
    new Request(`${origin}${path}`, {
      method: 'POST',
      headers: {
        'CF-Connecting-IP': clientAddress(),
        'Content-Type': 'application/x-www-form-urlencoded',
        'Sec-Fetch-Site': 'same-origin',
        Cookie: `__Host-gazette_session=${browser.cookie}`,
      },
      body: body.toString(),
      redirect: 'manual',
    }),
  );
}

async function adminBrowser() {
  const user = await seedUser('admin');
  return { user, browser: await signInAs(user.username) };
}

/** The audit ids of the page's rows, in order. */
function auditIds(html: string): number[] {
  return [...html.matchAll(/<tr data-audit-id="(\d+)">/g)].map((m) => Number(m[1]));
}

function unescape(html: string): string {
  return html
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}

async function seedAudit(entry: {
  actor: string;
  role?: string;
  action: string;
  at: string;
  targetType?: string;
  targetId?: string;
}): Promise<number> {
  const [row] = await auditStatement(testDb(), {
    actor: { name: entry.actor, role: entry.role ?? 'admin' },
    action: entry.action,
    targetType: entry.targetType ?? 'article',
    targetId: entry.targetId ?? '1',
    at: new Date(entry.at),
    outcome: 'ok',
  }).returning({ id: auditLog.id });
  return row!.id;
}

describe('GET /admin/audit', () => {
  it('names the person or token, filters by actor, action, article and days in the site zone', async () => {
    const { user, browser } = await adminBrowser();
    const p = uniqueSlug('ops').replace(/[^a-z0-9]/g, '');
    const token = `${p}-import-script`;
    const late = await seedAudit({
      actor: user.username,
      action: `${p}.publish`,
      at: '2024-03-01T23:30:00+08:00',
      targetId: '4242',
    });
    const early = await seedAudit({
      actor: token,
      role: 'editor',
      action: `${p}.create`,
      at: '2024-03-02T00:30:00+08:00',
      targetId: '4243',
    });
    const page = async (query: Record<string, string>) => {
      const res = await browserGet(`/admin/audit?${new URLSearchParams(query)}`, browser);
      return { status: res.status, html: await res.text() };
    };

    const all = await page({ action: `${p}.` });
    expect(all.status).toBe(200);
    expect(auditIds(all.html)).toEqual([early, late]);
    expect(all.html).toContain(`<strong>${user.displayName}</strong>`);
    expect(all.html).toMatch(new RegExp(`令牌: <strong>${token}</strong>`));
    expect(all.html).toContain('href="/admin/articles/4242"');

    expect(auditIds((await page({ action: `${p}.`, actor: user.username })).html)).toEqual([late]);
    expect(auditIds((await page({ action: `${p}.create` })).html)).toEqual([early]);
    expect(auditIds((await page({ action: `${p}.`, article: '4242' })).html)).toEqual([late]);
    // Days are the site's (Asia/Shanghai): 23:30 on 1 March there is still 1 March.
    expect(
      auditIds((await page({ action: `${p}.`, from: '2024-03-02', to: '2024-03-02' })).html),
    ).toEqual([early]);
    expect(
      auditIds((await page({ action: `${p}.`, from: '2024-03-01', to: '2024-03-01' })).html),
    ).toEqual([late]);

    const bad = await page({ from: '2024-02-30', article: 'x1' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('日期格式应为 YYYY-MM-DD。');
    expect(bad.html).toContain('文章编号应为正整数。');
    expect(auditIds(bad.html)).toEqual([]);
  });

  it("finds a new article's creation by its id (the id the batch gave it, not a placeholder)", async () => {
    const { browser } = await adminBrowser();
    const channel = await seedChannel(testDb(), { name: '审计栏目' });
    const res = await browserApi('/articles', browser, {
      json: { title: '审计日志里的新文章', body: '<p>正文</p>', channel: channel.slug },
    });
    expect(res.status).toBe(201);
    const { data } = (await res.json()) as { data: { id: number } };
    const html = await (await browserGet(`/admin/audit?article=${data.id}`, browser)).text();
    expect(html).toContain('<code>article.create</code>');
    expect(html).toContain(`href="/admin/articles/${data.id}"`);
    expect(html).not.toContain('[object Object]');
  });

  it('pages newest first with a cursor tied to its filters', async () => {
    const { browser } = await adminBrowser();
    const p = uniqueSlug('page').replace(/[^a-z0-9]/g, '');
    const ids: number[] = [];
    for (let i = 0; i < 53; i++) {
      ids.push(
        await seedAudit({
          actor: 'scheduler',
          role: 'system',
          action: `${p}.publish`,
          at: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
        }),
      );
    }
    const first = await (await browserGet(`/admin/audit?action=${p}.`, browser)).text();
    expect(auditIds(first)).toEqual(ids.slice(3).reverse());
    expect(first).toContain('系统: scheduler');
    const next = unescape(/<a href="([^"]+)" rel="next">/.exec(first)![1]!);
    const second = await (await browserGet(next, browser)).text();
    expect(auditIds(second)).toEqual(ids.slice(0, 3).reverse());
    expect(second).not.toContain('rel="next"');
    expect(second).toContain('回到最新');

    // The same cursor with other filters: the first page again, with a notice, not an error.
    const cursor = new URL(next, origin).searchParams.get('cursor')!;
    const other = await browserGet(`/admin/audit?action=${p}.publish&cursor=${cursor}`, browser);
    expect(other.status).toBe(200);
    const html = await other.text();
    expect(html).toContain('翻页位置无效');
    expect(auditIds(html)).toEqual(ids.slice(3).reverse());
  });
});

describe('/admin/webhooks', () => {
  it('creates a hook (its secret shown once), edits, disables and deletes it, each audited by name', async () => {
    const { user, browser } = await adminBrowser();
    const url = `https://receiver.example/hooks/${uniqueSlug('page')}`;
    const created = await browserPost('/admin/webhooks', browser, {
      url,
      events: ['article.published', 'article.updated'],
      description: '政务公开平台',
    });
    expect(created.status).toBe(200);
    const createdHtml = await created.text();
    const [row] = await testDb().select().from(webhooks).where(eq(webhooks.url, url));
    expect(row).toMatchObject({ description: '政务公开平台', active: true });
    expect(JSON.parse(row!.events)).toEqual(['article.published', 'article.updated']);
    expect(createdHtml).toContain(row!.secret);

    const list = await (await browserGet('/admin/webhooks', browser)).text();
    expect(list).toContain(`href="/admin/webhooks/${row!.id}"`);
    expect(list).not.toContain(row!.secret);
    const detail = await (await browserGet(`/admin/webhooks/${row!.id}`, browser)).text();
    expect(detail).not.toContain(row!.secret);
    expect(detail).toContain('还没有投递记录。');

    const moved = `${url}-v2`;
    const saved = await browserPost(`/admin/webhooks/${row!.id}`, browser, {
      url: moved,
      events: ['article.deleted'],
      description: '',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('Location')).toBe(`/admin/webhooks/${row!.id}?done=saved`);
    const after = await (await browserGet(`/admin/webhooks/${row!.id}?done=saved`, browser)).text();
    expect(after).toContain(`value="${moved}"`);
    expect(after).toContain('已保存。');

    // A bad URL and no events: both named inline, nothing changed.
    const refused = await browserPost(`/admin/webhooks/${row!.id}`, browser, {
      url: 'ftp://example.com/x',
      description: '',
    });
    expect(refused.status).toBe(422);
    const refusedHtml = await refused.text();
    expect(refusedHtml).toContain('接收地址: must be an https URL');
    expect(refusedHtml).toContain('订阅事件:');
    expect((await testDb().select().from(webhooks).where(eq(webhooks.id, row!.id)))[0]!.url).toBe(
      moved,
    );

    const disabled = await browserPost(`/admin/webhooks/${row!.id}/active`, browser, {
      active: '0',
    });
    expect(disabled.status).toBe(303);
    expect(
      (await testDb().select().from(webhooks).where(eq(webhooks.id, row!.id)))[0]!.active,
    ).toBe(false);
    expect(await (await browserGet(`/admin/webhooks/${row!.id}`, browser)).text()).toContain(
      '>启用</button>',
    );

    const deleted = await browserPost(`/admin/webhooks/${row!.id}/delete`, browser, {});
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('Location')).toBe('/admin/webhooks?done=deleted');
    expect(await testDb().select().from(webhooks).where(eq(webhooks.id, row!.id))).toEqual([]);
    const gone = await browserGet(`/admin/webhooks/${row!.id}`, browser);
    expect(gone.status).toBe(404);
    expect(gone.headers.get('Content-Type')).toMatch(/^text\/html/);

    const audit = await testDb()
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, String(row!.id)));
    const hookAudit = audit.filter((a) => a.targetType === 'webhook');
    const actions = hookAudit.map((a) => a.action);
    expect(actions).toEqual([
      'webhook.create',
      'webhook.update',
      'webhook.disable',
      'webhook.delete',
    ]);
    expect(new Set(hookAudit.map((a) => a.actorName))).toEqual(new Set([user.username]));
  });

  it('shows the delivery log with status, attempts and response code, and redelivers', async () => {
    const { browser } = await adminBrowser();
    const path = `/hooks/${uniqueSlug('log')}`;
    await browserPost('/admin/webhooks', browser, {
      url: `https://receiver.example${path}`,
      events: ['article.published'],
      description: '',
    });
    const [hook] = await testDb()
      .select()
      .from(webhooks)
      .where(eq(webhooks.url, `https://receiver.example${path}`));
    await env.WEBHOOK_OUTBOUND!.fetch(`http://receiver.control/script${path}`, {
      method: 'PUT',
      body: '[200, 503]',
    });
    await enqueueWebhookEvent(env, {
      type: 'article.published',
      article: {
        id: 992_001,
        slug: 'log-1',
        title: '投递记录',
        url: 'https://news.example/articles/992001',
        status: 'published',
        publishedAt: new Date(now()),
      },
      occurredAt: new Date(now()),
    });
    let html = '';
    for (let i = 0; i < 200; i++) {
      html = await (await browserGet(`/admin/webhooks/${hook!.id}`, browser)).text();
      if (html.includes('已送达')) break;
      await scheduler.wait(25);
    }
    const row = /<tr data-delivery="(dlv_[^"]+)">([\s\S]*?)<\/tr>/.exec(html);
    expect(row).not.toBeNull();
    expect(row![2]).toContain('已送达');
    expect(row![2]).toMatch(/<td class="num">1<\/td><td>200<\/td>/);
    expect(row![2]).toContain('重新投递');

    const again = await browserPost(
      `/admin/webhooks/${hook!.id}/deliveries/${row![1]}/redeliver`,
      browser,
      {},
    );
    expect(again.status).toBe(303);
    for (let i = 0; i < 200; i++) {
      html = await (await browserGet(`/admin/webhooks/${hook!.id}`, browser)).text();
      if (/<td class="num">2<\/td>/.test(html)) break;
      await scheduler.wait(25);
    }
    expect(html).toMatch(/<td class="num">2<\/td><td>503<\/td>/);
  });
});

describe('the operations pages for anyone but an admin', () => {
  it('answers an editor with a 403 page, lists no links to them and writes nothing', async () => {
    const editor = await seedUser('editor');
    const browser = await signInAs(editor.username);
    for (const path of ['/admin/audit', '/admin/webhooks', '/admin/import', '/admin/webhooks/1']) {
      const res = await browserGet(path, browser);
      expect(res.status, path).toBe(403);
      expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
      expect(await res.text()).toContain('此页面仅限管理员访问。');
    }
    const url = `https://receiver.example/hooks/${uniqueSlug('editor')}`;
    const res = await browserPost('/admin/webhooks', browser, {
      url,
      events: ['article.published'],
      description: '',
    });
    expect(res.status).toBe(403);
    expect(await testDb().select().from(webhooks).where(eq(webhooks.url, url))).toEqual([]);
    const list = await (await browserGet('/admin', browser)).text();
    expect(list).not.toContain('href="/admin/audit"');
    expect(list).not.toContain('href="/admin/webhooks"');
  });

  it('sends someone signed out to sign in', async () => {
    const res = await browserGet('/admin/webhooks', null);
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toMatch(/^\/admin\/sign-in\?next=/);
  });

  it('refuses a form without the session CSRF token or from another site, writing nothing', async () => {
    const { browser } = await adminBrowser();
    const url = `https://receiver.example/hooks/${uniqueSlug('csrf')}`;
    const fields = { url, events: ['article.published'], description: '' };
    for (const csrf of [null, 'forged-token']) {
      const res = await browserPost('/admin/webhooks', browser, fields, { csrf });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('页面已过期，请刷新后重试。');
    }
    const crossSite = await exports.default.fetch(
      new Request(`${origin}/admin/webhooks`, {
        method: 'POST',
        headers: {
          'CF-Connecting-IP': clientAddress(),
          'Content-Type': 'application/x-www-form-urlencoded',
          'Sec-Fetch-Site': 'cross-site',
          Cookie: `__Host-gazette_session=${browser.cookie}`,
        },
        body: new URLSearchParams({ csrf: browser.csrf, ...fields, events: 'article.published' }),
        redirect: 'manual',
      }),
    );
    expect(crossSite.status).toBe(403);
    expect(await testDb().select().from(webhooks).where(eq(webhooks.url, url))).toEqual([]);
  });
});

describe('/admin/import', () => {
  it('offers the upload form and the export link, and shows a job with its report', async () => {
    const { browser } = await adminBrowser();
    const form = await browserGet('/admin/import', browser);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('data-form="import"');
    expect(html).toContain('href="/api/v1/admin/export"');

    const p = uniqueSlug('imp');
    const body =
      [
        {
          externalId: `${p}-1`,
          title: '导入页面测试',
          body: '<p>正文</p>',
          channelPath: '导入页面',
        },
        '{"externalId": broken',
      ]
        .map((l) => (typeof l === 'string' ? l : JSON.stringify(l)))
        .join('\n') + '\n';
    const upload = await exports.default.fetch(
      new Request(`${origin}/api/v1/admin/import`, {
        method: 'POST',
        headers: {
          'CF-Connecting-IP': clientAddress(),
          Cookie: `__Host-gazette_session=${browser.cookie}`,
          'Sec-Fetch-Site': 'same-origin',
          'X-CSRF-Token': browser.csrf,
          'Content-Type': 'application/x-ndjson',
          Prefer: 'respond-async',
        },
        body,
      }),
    );
    expect(upload.status).toBe(202);
    const { data } = (await upload.json()) as { data: { id: string } };
    const stub = env.IMPORT_JOB.get(env.IMPORT_JOB.idFromString(data.id));
    for (let i = 0; i < 200; i++) {
      if ((await stub.status())?.status === 'done') break;
      await scheduler.wait(25);
    }
    const job = await (await browserGet(`/admin/import/${data.id}`, browser)).text();
    expect(job).toContain('data-status="done"');
    expect(job).toMatch(/<dd data-count="created">1<\/dd>/);
    expect(job).toMatch(/<dd data-count="rejected">1<\/dd>/);
    expect(job).toMatch(/<td class="num">2<\/td><td><\/td><td>[^<]*not valid JSON/);
    expect((await browserGet(`/admin/import/${'0'.repeat(64)}`, browser)).status).toBe(404);
  });
});
