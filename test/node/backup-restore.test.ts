/**
 * npm run backup / npm run restore (scripts/lib/backup.ts): a site seeded through the admin API
 * (channels, articles, a media upload to R2, counted views) is backed up, restored into a fresh
 * database with only the migrations applied, and must give the same rows, the same R2 objects
 * and the same search results; broken backups and occupied databases are refused with nothing
 * written. The restored state is then read again through the CLI's own local adapter.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client';
import { rebuildSearchIndex } from '../../src/search/rebuild';
import {
  backup,
  BackupError,
  restore,
  verifyBackup,
  type BackupStore,
  type Manifest,
} from '../../scripts/lib/backup';
import { markBindingsRemote, openStore } from '../../scripts/lib/backup-store';
import {
  buildWorker,
  projectRoot,
  removeBuild,
  type RunningWorker,
} from '../../scripts/lib/run-worker';
import { startTestWorker } from '../e2e/harness';
import { adminFetch, adminToken } from '../e2e/admin-token';

const fixture = JSON.parse(
  readFileSync(
    join(projectRoot, '..', 'shared', 'fixtures', 'article-zh-municipal-news.json'),
    'utf8',
  ),
) as { title: string; paragraphs: string[]; source: string; viewsShownOnOriginalPage: number };

const browser = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36';
const pdfName = '2024年盘锦市财政预算表（草案）.pdf';
const pdfBytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(30_000)]);
const searches = ['盘锦精神', '振兴', '预算', '通知', '年度工作报告'];
/** Far above D1's 100 KB statement limit: values must be bound, never inlined. */
const longBody = `<p>${'这是一篇很长的年度工作报告。'.repeat(15_000)}</p>`;
/** Enough rows for several SELECT pages and several insert batches. */
const auditRows = 700;

async function storeOf(worker: RunningWorker, label: string): Promise<BackupStore> {
  return {
    label,
    db: await worker.mf.getD1Database('DB'),
    // Miniflare types R2 with undici's Headers, workers-types with its own: the same object.
    bucket: (await worker.mf.getR2Bucket('MEDIA')) as unknown as R2Bucket,
  };
}

const rebuild = async (db: D1Database) => {
  const { indexed } = await rebuildSearchIndex(createDb(db));
  return `indexed ${indexed}`;
};

/** Every content table's rows in rowid order, by name. */
async function dumpTables(store: BackupStore, tables: string[]) {
  const out: Record<string, unknown[]> = {};
  for (const t of tables)
    out[t] = (await store.db.prepare(`select * from "${t}" order by rowid`).all()).results;
  return out;
}

async function dumpObjects(store: BackupStore) {
  const listed = await store.bucket.list({ include: ['httpMetadata'] });
  return Promise.all(
    listed.objects.map(async (o) => {
      const got = (await store.bucket.get(o.key))!;
      return {
        key: o.key,
        type: got.httpMetadata?.contentType,
        bytes: Buffer.from(await got.arrayBuffer()).toString('base64'),
      };
    }),
  );
}

async function totalRows(store: BackupStore, tables: string[]): Promise<number> {
  let n = 0;
  for (const t of tables)
    n += (await store.db.prepare(`select count(*) as n from "${t}"`).first<{ n: number }>())!.n;
  return n;
}

async function searchResults(worker: RunningWorker) {
  return Promise.all(
    searches.map(async (q) => {
      const res = await fetch(new URL(`/api/v1/search?q=${encodeURIComponent(q)}`, worker.url));
      expect(res.status).toBe(200);
      const { data } = (await res.json()) as { data: { id: number; title: string }[] };
      return { q, hits: data.map((d) => [d.id, d.title]) };
    }),
  );
}

function runRestore(args: string[]) {
  return spawnSync(join(projectRoot, 'node_modules/.bin/tsx'), ['scripts/restore.ts', ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${join(projectRoot, 'node_modules/.bin')}:${process.env.PATH}` },
  });
}

/** A copy of the backup to break, so each case starts from a good one. */
function copyOf(dir: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'gazette-backup-bad-'));
  cpSync(dir, copy, { recursive: true });
  return copy;
}

describe('npm run backup and npm run restore', () => {
  let buildDir: string;
  let source: RunningWorker;
  let target: RunningWorker;
  let sourceStore: BackupStore;
  let targetStore: BackupStore;
  let token: string;
  let manifest: Manifest;
  let targetDisposed = false;
  const targetState = mkdtempSync(join(tmpdir(), 'gazette-restored-'));
  const backupDir = join(mkdtempSync(join(tmpdir(), 'gazette-backup-')), 'out');
  const scratch: string[] = [targetState, join(backupDir, '..')];

  beforeAll(async () => {
    buildDir = buildWorker();
    [source, target] = await Promise.all([
      startTestWorker({ buildDir, vars: { VIEW_FLUSH_SECONDS: '1' } }),
      startTestWorker({ buildDir, stateDir: join(targetState, 'v3') }),
    ]);
    sourceStore = await storeOf(source, 'source');
    targetStore = await storeOf(target, 'target');
    token = await adminToken(source);

    const ok = async (res: Promise<Response>, status = 201) => {
      const r = await res;
      expect(r.status, await r.clone().text()).toBe(status);
      return ((await r.json()) as { data: Record<string, unknown> }).data;
    };
    // A child created before its parent is moved under it: the self-reference points forward.
    await ok(adminFetch(source, token, '/channels', { json: { slug: 'pjyw', name: '盘锦要闻' } }));
    await ok(adminFetch(source, token, '/channels', { json: { slug: 'ywdt', name: '要闻动态' } }));
    await ok(
      adminFetch(source, token, '/channels/pjyw', { method: 'PATCH', json: { parent: 'ywdt' } }),
      200,
    );
    const form = new FormData();
    form.append('file', new Blob([pdfBytes]), pdfName);
    const media = await ok(
      fetch(new URL('/api/v1/admin/media', source.url), {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: form,
      }),
    );
    const articles = [
      {
        title: fixture.title,
        body: fixture.paragraphs.map((p) => `<p>${p}</p>`).join(''),
        channel: 'pjyw',
        source: fixture.source,
        tags: ['盘锦', '党代会'],
        views: fixture.viewsShownOnOriginalPage,
      },
      {
        title: '关于公开2024年财政预算的通知',
        body: '<p>现将预算表公开如下。</p>',
        channel: 'ywdt',
        tags: ['预算'],
        attachments: [{ mediaId: media.id as number }],
      },
      { title: '草稿：振兴计划', body: '<p>尚未发布。</p>', channel: 'ywdt' },
      { title: '2025年政府工作报告（全文）', body: longBody, channel: 'ywdt' },
    ];
    const ids: number[] = [];
    for (const [i, json] of articles.entries()) {
      const created = await ok(adminFetch(source, token, '/articles', { json }));
      ids.push(created.id as number);
      if (i !== 2)
        await ok(
          adminFetch(source, token, `/articles/${String(created.id)}/publish`, { method: 'POST' }),
          200,
        );
    }
    for (const ua of [browser, `${browser} Edg/130.0`]) {
      const res = await fetch(new URL(`/api/v1/articles/${ids[0]}/views`, source.url), {
        method: 'POST',
        headers: { 'User-Agent': ua },
      });
      expect(res.status).toBe(200);
    }
    // The counter object writes its totals to D1 within VIEW_FLUSH_SECONDS.
    for (let i = 0; i < 100; i += 1) {
      const row = await sourceStore.db
        .prepare('select sum(views) as n from article_views_daily')
        .first<{ n: number | null }>();
      if ((row?.n ?? 0) >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    await source.execSql(
      `insert into audit_log (at, actor_name, actor_role, action, target_type, target_id, changed_fields, outcome) with recursive n(i) as (select 1 union all select i + 1 from n where i < ${auditRows}) select 1700000000000 + i, '编辑' || i, 'editor', 'article.update', 'article', cast(i as text), '["title","body"]', 'ok' from n`,
    );

    manifest = (await backup(sourceStore, backupDir)).manifest;
  });

  afterAll(async () => {
    await Promise.all([source?.dispose(), targetDisposed ? null : target?.dispose()]);
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
    if (buildDir) removeBuild(buildDir);
  });

  it('writes every content table and the R2 object, and skips the FTS5 tables', () => {
    const rows = Object.fromEntries(manifest.tables.map((t) => [t.name, t.rows]));
    expect(rows).toMatchObject({ channels: 2, articles: 4, media: 1, attachments: 1, tags: 3 });
    expect(rows.audit_log).toBeGreaterThan(auditRows);
    expect(rows.article_views_daily).toBeGreaterThan(0);
    expect(manifest.skipped).toEqual(
      expect.arrayContaining(['search_trigram', 'search_trigram_data', 'search_unigram_idx']),
    );
    expect(manifest.tables.map((t) => t.name)).not.toContain('search_trigram');
    expect(manifest.tables.map((t) => t.name).indexOf('channels')).toBeLessThan(
      manifest.tables.map((t) => t.name).indexOf('articles'),
    );
    expect(manifest.objects).toEqual([
      expect.objectContaining({
        size: pdfBytes.byteLength,
        httpMetadata: { contentType: 'application/pdf' },
      }),
    ]);
    expect(manifest.objects[0]!.key).toBe(`media/${manifest.objects[0]!.sha256}`);
  });

  it('refuses a directory that is not empty', async () => {
    await expect(backup(sourceStore, backupDir)).rejects.toThrow(/not empty/);
  });

  describe('a broken backup is refused before anything is written', () => {
    const broken: [string, (dir: string) => void, RegExp][] = [
      ['a missing manifest', (d) => rmSync(join(d, 'manifest.json')), /manifest\.json is missing/],
      [
        'a truncated manifest',
        (d) => truncateSync(join(d, 'manifest.json'), 200),
        /not valid JSON/,
      ],
      [
        'a truncated table file',
        (d) => truncateSync(join(d, 'd1/articles.ndjson'), 100),
        /articles.*truncated/,
      ],
      [
        'a changed row of the same length',
        (d) => {
          const path = join(d, 'd1/channels.ndjson');
          writeFileSync(path, readFileSync(path, 'utf8').replace('盘锦要闻', '盘锦新闻'));
        },
        /channels.*SHA-256/,
      ],
      [
        'a corrupt R2 object',
        (d) => {
          const path = join(d, manifest.objects[0]!.file);
          const bytes = readFileSync(path);
          bytes[bytes.length - 1]! ^= 0xff;
          writeFileSync(path, bytes);
        },
        /R2 object media\/.*SHA-256/,
      ],
    ];
    for (const [what, breakIt, message] of broken) {
      it(`names ${what}`, async () => {
        const dir = copyOf(backupDir);
        scratch.push(dir);
        breakIt(dir);
        await expect(restore(targetStore, dir, { rebuild })).rejects.toThrow(message);
        expect(
          await totalRows(
            targetStore,
            manifest.tables.map((t) => t.name),
          ),
        ).toBe(0);
        expect((await targetStore.bucket.list()).objects).toEqual([]);
      });
    }

    it("names a schema other than the backup's", async () => {
      const dir = copyOf(backupDir);
      scratch.push(dir);
      const path = join(dir, 'manifest.json');
      const edited = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
      edited.schema = { migrations: ['0000_init.sql'], fingerprint: '0'.repeat(64) };
      writeFileSync(path, JSON.stringify(edited));
      await expect(restore(targetStore, dir, { rebuild })).rejects.toThrow(
        /The schema of target \(migration unknown\) differs from the backup's \(migration 0000_init\.sql\)/,
      );
      expect(
        await totalRows(
          targetStore,
          manifest.tables.map((t) => t.name),
        ),
      ).toBe(0);
    });

    it('exits non-zero from the command line with the reason (and 0 for --check of a good one)', () => {
      const dir = copyOf(backupDir);
      scratch.push(dir);
      truncateSync(join(dir, 'd1/articles.ndjson'), 100);
      expect(runRestore(['--from', backupDir, '--check'])).toMatchObject({
        status: 0,
        stdout: expect.stringMatching(/is a complete backup from source .* every file matching/),
      });
      const run = runRestore(['--from', dir, '--persist-to', targetState]);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/d1\/articles\.ndjson \(table articles\) has 100 bytes/);
    });
  });

  it('undoes its writes when one fails midway', async () => {
    // The articles go in after the R2 object, channels (and their links), tags and media:
    // the first batch that inserts articles fails, as a dropped connection would.
    let prepared: string[] = [];
    let failed = false;
    const failing: BackupStore = {
      ...targetStore,
      db: new Proxy(targetStore.db, {
        get(db, prop) {
          if (prop === 'prepare')
            return (sql: string) => {
              prepared.push(sql);
              return db.prepare(sql);
            };
          if (prop === 'batch')
            return (statements: D1PreparedStatement[]) => {
              const sqls = prepared;
              prepared = [];
              if (sqls.some((s) => s.startsWith('insert into "articles"'))) {
                failed = true;
                throw new Error('network went away');
              }
              return db.batch(statements);
            };
          const value = Reflect.get(db, prop) as unknown;
          return typeof value === 'function' ? (value as () => unknown).bind(db) : value;
        },
      }),
    };
    await expect(restore(failing, backupDir, { rebuild })).rejects.toThrow(
      /Restore failed \(network went away\); its writes were undone/,
    );
    expect(failed).toBe(true);
    expect(
      await totalRows(
        targetStore,
        manifest.tables.map((t) => t.name),
      ),
    ).toBe(0);
    expect((await targetStore.bucket.list()).objects).toEqual([]);
  });

  describe('into an empty database with the migrations applied', () => {
    beforeAll(async () => {
      await restore(targetStore, backupDir, { rebuild });
    });

    it('gives the same rows in every table', async () => {
      const tables = manifest.tables.map((t) => t.name);
      expect(await dumpTables(targetStore, tables)).toEqual(await dumpTables(sourceStore, tables));
      const seq = 'select name, seq from sqlite_sequence order by name';
      expect((await targetStore.db.prepare(seq).all()).results).toEqual(
        (await sourceStore.db.prepare(seq).all()).results,
      );
    });

    it('gives the same R2 objects, served again under their URLs', async () => {
      expect(await dumpObjects(targetStore)).toEqual(await dumpObjects(sourceStore));
      const [attachment] = (
        await sourceStore.db.prepare('select url from attachments').all<{ url: string }>()
      ).results;
      const res = await fetch(new URL(attachment!.url, target.url));
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(pdfBytes)).toBe(true);
    });

    it('rebuilds the search index: the same queries find the same articles', async () => {
      const before = await searchResults(source);
      expect(before.find((s) => s.q === '盘锦精神')!.hits).toHaveLength(1);
      expect(before.find((s) => s.q === '预算')!.hits).toHaveLength(1);
      expect(before.find((s) => s.q === '年度工作报告')!.hits).toHaveLength(1);
      expect(await searchResults(target)).toEqual(before);
    });

    it('keeps API tokens and view totals working', async () => {
      const res = await adminFetch(target, token, '/articles');
      expect(res.status).toBe(200);
      // The same answer but for the origin in its links.
      const article = async (worker: RunningWorker) => {
        const res = await fetch(new URL('/api/v1/articles/1', worker.url));
        const text = (await res.text()).replaceAll(worker.url.origin, 'ORIGIN');
        return (JSON.parse(text) as { data: { views: number } }).data;
      };
      expect((await article(target)).views).toBe(fixture.viewsShownOnOriginalPage + 2);
      expect(await article(target)).toEqual(await article(source));
    });

    it('refuses to restore over content without --force, writing nothing', async () => {
      const tables = manifest.tables.map((t) => t.name);
      const before = await dumpTables(targetStore, tables);
      const err = await restore(targetStore, backupDir, { rebuild }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackupError);
      expect((err as Error).message).toMatch(
        /target is not empty: .*articles \(4 rows\).*R2 bucket \(1 objects\)\. Nothing was restored/,
      );
      expect(await dumpTables(targetStore, tables)).toEqual(before);
    });

    it('replaces the content with --force', async () => {
      await targetStore.db.prepare("update articles set title = '被改动的标题' where id = 1").run();
      const result = await restore(targetStore, backupDir, { rebuild, force: true });
      expect(result.objectsPresent).toBe(1);
      const tables = manifest.tables.map((t) => t.name);
      expect(await dumpTables(targetStore, tables)).toEqual(await dumpTables(sourceStore, tables));
      expect(await searchResults(target)).toEqual(await searchResults(source));
    });

    it('reads back through the local adapter the CLI uses as the same backup', async () => {
      // One process at a time on the state files.
      await target.dispose();
      targetDisposed = true;
      const open = await openStore({ remote: false, persistTo: targetState });
      const again = join(mkdtempSync(join(tmpdir(), 'gazette-backup-again-')), 'out');
      scratch.push(join(again, '..'));
      try {
        const second = (await backup(open.store, again)).manifest;
        const strip = (m: Manifest) => ({ ...m, createdAt: '', source: '' });
        expect(strip(second)).toEqual(strip(manifest));
        await expect(verifyBackup(again)).resolves.toBeTruthy();
      } finally {
        await open.dispose();
      }
    });
  });
});

describe('markBindingsRemote', () => {
  it('marks DB and MEDIA remote at the top level and in every environment', () => {
    const toml = readFileSync(join(projectRoot, 'wrangler.toml'), 'utf8');
    const marked = markBindingsRemote(toml);
    expect(marked.match(/binding = "DB"\nremote = true/g)).toHaveLength(3);
    expect(marked.match(/binding = "MEDIA"\nremote = true/g)).toHaveLength(3);
    expect(marked.replaceAll('remote = true\n', '')).toBe(toml);
  });

  it('says so when the bindings are missing', () => {
    expect(() => markBindingsRemote('name = "x"\n')).toThrow(/no \[\[d1_databases\]\] "DB"/);
  });
});
