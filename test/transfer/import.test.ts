import { env } from 'cloudflare:workers';
import { evictDurableObject, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import fixture from '../../../shared/fixtures/article-zh-municipal-news.json';
import { municipalLine } from '../../src/transfer/municipal';
import { admin, clockAt, expectProblem, get, issueToken, json } from '../helpers';

// The fixture is from 2021; the imported articles must be in the past.
clockAt('2024-06-01T12:00:00+08:00');

const ndjson = (lines: unknown[]) =>
  lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';

function postImport(token: string, body: string, headers: Record<string, string> = {}) {
  return admin('/import', {
    token,
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/x-ndjson', ...headers },
  });
}

/** Runs the job's alarms until it is done (the platform may also have run one meanwhile). */
async function finishJob(id: string) {
  const stub = env.IMPORT_JOB.get(env.IMPORT_JOB.idFromString(id));
  for (let i = 0; i < 100_000; i++) {
    const view = await stub.status();
    if (view?.status === 'done' || view?.status === 'failed') return;
    if (!(await runDurableObjectAlarm(stub))) await new Promise((r) => setTimeout(r, 20));
  }
}

async function count(sqlText: string, ...params: unknown[]): Promise<number> {
  const row = await env.DB.prepare(sqlText)
    .bind(...params)
    .first<{ n: number }>();
  return row!.n;
}

describe('POST /api/v1/admin/import', () => {
  it('imports the shared fixture through its documented mapping and the page shows it', async () => {
    const token = await issueToken('admin');
    const line = municipalLine(fixture, 'fixture-1');
    const res = await postImport(token, ndjson([line]));
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const { data } = await json(res);
    expect(data).toMatchObject({ lines: 1, created: 1, rejected: 0, channelsCreated: 2 });

    const row = await env.DB.prepare('SELECT id, slug FROM articles WHERE external_id = ?')
      .bind('fixture-1')
      .first<{ id: number; slug: string }>();
    const api = await json(await get(`/api/v1/articles/${row!.id}`));
    expect(api.data.title).toBe(fixture.title);
    expect(api.data.source).toBe('盘锦日报');
    expect(api.data.views).toBe(712);
    expect(api.data.breadcrumb.map((c: { name: string }) => c.name)).toEqual(fixture.channelPath);
    const paragraphs = [...api.data.body.matchAll(/<p>([\s\S]*?)<\/p>/g)].map((m) => m[1]);
    expect(paragraphs).toEqual(fixture.paragraphs);

    const page = await get(`/articles/${row!.id}/${row!.slug}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(fixture.title);
    expect(html).toContain('盘锦日报');
    expect(html).toContain('712');
    for (const p of fixture.paragraphs) expect(html).toContain(p);

    const revisions = await json(await admin(`/articles/${row!.id}/revisions`, { token }));
    expect(revisions.data.map((r: { reason: string }) => r.reason)).toEqual(['import']);

    // The same line again changes nothing: no new version, no revision.
    const again = await json(await postImport(token, ndjson([line])));
    expect(again.data).toMatchObject({ created: 0, updated: 0, unchanged: 1, channelsCreated: 0 });
    expect(
      await count('SELECT count(*) AS n FROM article_revisions WHERE article_id = ?', row!.id),
    ).toBe(1);

    // A changed line updates the same article, with a revision saying why.
    const changed = await json(
      await postImport(token, ndjson([{ ...line, title: `${fixture.title}（修订）`, views: 800 }])),
    );
    expect(changed.data).toMatchObject({ created: 0, updated: 1 });
    const after = await json(await get(`/api/v1/articles/${row!.id}`));
    expect(after.data.title).toBe(`${fixture.title}（修订）`);
    expect(after.data.views).toBe(800);
  });

  it('names every bad line with its number and reason, and the good lines land', async () => {
    const token = await issueToken('admin');
    const good = (n: number) => ({
      externalId: `bad-mix-${n}`,
      title: `导入测试 ${n}`,
      body: `<p>第 ${n} 篇。</p><script>alert(1)</script>`,
      channelPath: '导入测试/混合',
      publishedAt: '2024-05-01T08:00:00+08:00',
      tags: ['导入'],
    });
    const res = await postImport(
      token,
      ndjson([
        good(1),
        '{"externalId": "bad-mix-x", "title": ',
        good(2),
        { ...good(1), title: 'again' },
        { ...good(3), channelPath: '导入测试/混合/导入测试' },
        { ...good(4), channelPath: '导入测试//空' },
        { ...good(5), channel: 'no-such-channel', channelPath: undefined },
        { ...good(6), title: '' },
        '[1, 2]',
        { ...good(7), body: 'x'.repeat(2 * 1024 * 1024) },
        good(8),
      ]),
    );
    expect(res.status).toBe(200);
    const { data } = await json(res);
    expect(data).toMatchObject({ lines: 11, created: 3, rejected: 8 });
    const reasons = Object.fromEntries(
      data.rejections.map((r: { line: number; reason: string }) => [r.line, r.reason]),
    );
    expect(Object.keys(reasons).map(Number)).toEqual([2, 4, 5, 6, 7, 8, 9, 10]);
    expect(reasons[2]).toMatch(/not valid JSON/);
    expect(reasons[4]).toMatch(/appears again \(first on line 1\)/);
    expect(reasons[5]).toMatch(/names 导入测试 twice/);
    expect(reasons[6]).toMatch(/segment must not be empty/);
    expect(reasons[7]).toMatch(/unknown channel: no-such-channel/);
    expect(reasons[8]).toMatch(/^title:/);
    expect(reasons[9]).toMatch(/not a JSON object/);
    expect(reasons[10]).toMatch(/a line may be at most 1048576 bytes/);
    expect(
      await count("SELECT count(*) AS n FROM articles WHERE external_id LIKE 'bad-mix-%'"),
    ).toBe(3);
    expect(
      await count(
        "SELECT count(*) AS n FROM articles WHERE external_id LIKE 'bad-mix-%' AND body LIKE '%<script%'",
      ),
    ).toBe(0);
  });

  it("leaves no channel behind for a line whose write fails: channels go in the chunk's own batch", async () => {
    const token = await issueToken('admin');
    const owner = {
      externalId: 'rollback-owner',
      title: '占用网址的文章',
      body: '<p>正文。</p>',
      channelPath: '回滚测试',
      slug: 'rollback-taken-slug',
      publishedAt: '2024-05-01T08:00:00+08:00',
    };
    expect((await json(await postImport(token, ndjson([owner])))).data).toMatchObject({
      created: 1,
      channelsCreated: 1,
    });
    const res = await postImport(
      token,
      ndjson([
        // Fails inside the chunk's batch (the slug is taken), after its path was resolved.
        {
          ...owner,
          externalId: 'rollback-a',
          title: '失败的文章',
          channelPath: '回滚测试/甲栏目/子栏目',
        },
        {
          ...owner,
          externalId: 'rollback-b',
          title: '成功的文章',
          slug: undefined,
          channelPath: '回滚测试/乙栏目',
        },
      ]),
    );
    expect(res.status).toBe(200);
    const { data } = await json(res);
    expect(data).toMatchObject({ created: 1, rejected: 1, channelsCreated: 1 });
    expect(data.rejections).toEqual([
      { line: 1, externalId: 'rollback-a', reason: 'the slug is already taken' },
    ]);
    const names = await env.DB.prepare(
      "SELECT name FROM channels WHERE name IN ('回滚测试', '甲栏目', '子栏目', '乙栏目') ORDER BY name",
    ).all<{ name: string }>();
    expect(names.results.map((r) => r.name).sort()).toEqual(['乙栏目', '回滚测试'].sort());
    const channelAudits = await count(
      "SELECT count(*) AS n FROM audit_log WHERE action = 'channel.create' AND target_id IN (SELECT slug FROM channels WHERE name IN ('回滚测试', '乙栏目'))",
    );
    expect(channelAudits).toBe(2);
    expect(
      await count(
        "SELECT count(*) AS n FROM audit_log WHERE action = 'channel.create' AND target_id NOT IN (SELECT slug FROM channels)",
      ),
    ).toBe(0);
  });

  it('answers 415 for a body that is not NDJSON and 401/403 without an admin token', async () => {
    const token = await issueToken('admin');
    await expectProblem(
      await admin('/import', { token, json: { title: 'x' } }),
      415,
      'unsupported_media_type',
    );
    const editor = await issueToken('editor');
    await expectProblem(await postImport(editor, ndjson([{}])), 403, 'forbidden');
    await expectProblem(await postImport('', ndjson([{}])), 401, 'unauthorized');
  });

  it('imports 5,000 generated articles in the background: each good one once, each bad one named, and a second run changes nothing', async () => {
    const token = await issueToken('admin');
    const lines: unknown[] = [];
    const bad = new Map<number, RegExp>();
    for (let i = 1; i <= 5000; i++) {
      lines.push({
        externalId: `gen-${i}`,
        title: `生成文章 ${i}`,
        slug: `gen-article-${i}`,
        paragraphs: [`第 ${i} 篇生成的文章。`, '第二段。'],
        channelPath: i % 2 ? '生成/单数' : '生成/双数',
        publishedAt: new Date(Date.UTC(2023, 0, 1) + i * 60_000).toISOString(),
        tags: [`标签${i % 7}`],
        views: i,
      });
      if (i % 1000 === 500) {
        lines.push('not json at all');
        bad.set(lines.length, /not valid JSON/);
        lines.push({ externalId: `gen-${i}`, title: 'dup', body: '<p>x</p>', channel: 'x' });
        bad.set(lines.length, new RegExp(`first on line ${lines.length - 2}\\)`));
      }
    }
    const body = ndjson(lines);
    const first = await postImport(token, body);
    expect(first.status).toBe(202);
    const job = (await json(first)).data;
    expect(first.headers.get('Location')).toBe(`/api/v1/admin/import/${job.id}`);
    expect(job.status).toBe('running');
    await finishJob(job.id);
    const done = (await json(await admin(`/import/${job.id}`, { token }))).data;
    expect(done.status).toBe('done');
    expect(done.report).toMatchObject({
      lines: 5010,
      processed: 5010,
      created: 5000,
      rejected: 10,
    });
    for (const r of done.report.rejections) expect(r.reason).toMatch(bad.get(r.line)!);
    expect(done.report.rejections.map((r: { line: number }) => r.line)).toEqual([...bad.keys()]);
    expect(await count("SELECT count(*) AS n FROM articles WHERE external_id LIKE 'gen-%'")).toBe(
      5000,
    );
    expect(
      await count(
        "SELECT count(DISTINCT external_id) AS n FROM articles WHERE external_id LIKE 'gen-%'",
      ),
    ).toBe(5000);
    const revisionsBefore = await count('SELECT count(*) AS n FROM article_revisions');
    const versionsBefore = await count('SELECT sum(version) AS n FROM articles');

    const second = await postImport(token, body);
    const again = (await json(second)).data;
    await finishJob(again.id);
    const report = (await json(await admin(`/import/${again.id}`, { token }))).data.report;
    expect(report).toMatchObject({ created: 0, updated: 0, unchanged: 5000, rejected: 10 });
    expect(await count('SELECT count(*) AS n FROM article_revisions')).toBe(revisionsBefore);
    expect(await count('SELECT sum(version) AS n FROM articles')).toBe(versionsBefore);
  }, 300_000);

  it('resumes a background import after its object restarts midway, writing each article once', async () => {
    const token = await issueToken('admin');
    const lines = Array.from({ length: 240 }, (_, i) => ({
      externalId: `restart-${i}`,
      title: `重启测试 ${i}`,
      slug: `restart-article-${i}`,
      body: `<p>${i}</p>`,
      channelPath: '重启测试',
      publishedAt: '2024-05-01T08:00:00+08:00',
    }));
    const res = await postImport(token, ndjson(lines), { Prefer: 'respond-async' });
    expect(res.status).toBe(202);
    const { id } = (await json(res)).data;
    const stub = env.IMPORT_JOB.get(env.IMPORT_JOB.idFromString(id));
    // Restarted with every line still pending, then again after a first chunk or more.
    await evictDurableObject(stub);
    await runDurableObjectAlarm(stub);
    expect((await stub.status())!.status).not.toBe('failed');
    await evictDurableObject(stub);
    await finishJob(id);
    const done = (await json(await admin(`/import/${id}`, { token }))).data;
    expect(done).toMatchObject({ status: 'done', report: { processed: 240, rejected: 0 } });
    expect(done.report.created + done.report.unchanged).toBe(240);
    expect(
      await count("SELECT count(*) AS n FROM articles WHERE external_id LIKE 'restart-%'"),
    ).toBe(240);
  });

  it('answers 404 for an unknown job', async () => {
    const token = await issueToken('admin');
    await expectProblem(await admin(`/import/${'0'.repeat(64)}`, { token }), 404, 'not_found');
  });
});
