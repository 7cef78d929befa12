/**
 * An uploaded attachment downloaded by a real Chromium from the article page: the browser must
 * save it under the original Chinese name (Content-Disposition filename*), with the same bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorker } from '../../scripts/lib/run-worker';
import { importNdjson, workerAdminToken } from '../../scripts/lib/seed-worker';
import { launchBrowser, startTestWorker } from './harness';

const token = `gz_${randomBytes(32).toString('base64url')}`;
const fileName = '2024年盘锦市财政预算表（草案）.pdf';
const fileBytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(40_000)]);

describe('downloading an attachment in Chromium', () => {
  let worker: RunningWorker;
  let browser: Browser;
  let articleUrl: string;
  let fileUrl: string;

  beforeAll(async () => {
    worker = await startTestWorker();
    const tokenHash = createHash('sha256').update(token).digest('hex');
    await worker.execSql(
      `insert into api_tokens (name, role, token_hash) values ('e2e-editor', 'editor', '${tokenHash}')`,
    );
    const form = new FormData();
    form.append('file', new Blob([fileBytes], { type: 'application/octet-stream' }), fileName);
    const res = await fetch(new URL('/api/v1/admin/media', worker.url), {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: form,
    });
    expect(res.status).toBe(201);
    const { data } = (await res.json()) as {
      data: { id: number; url: string; size: number; type: string };
    };
    fileUrl = data.url;
    const published = Date.now() - 3_600_000;
    // Through the worker's import route (the authoring commands), the upload by its media id.
    const report = await importNdjson(
      worker.url,
      await workerAdminToken(worker),
      [
        { type: 'channel', slug: 'notices', name: '通知公告' },
        {
          externalId: 'budget-notice',
          slug: 'budget-notice',
          channel: 'notices',
          title: '关于公开2024年财政预算的通知',
          body: '<p>现将预算表公开如下。</p>',
          status: 'published',
          publishedAt: new Date(published).toISOString(),
          attachments: [{ mediaId: data.id }],
        },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
    expect(report).toMatchObject({ created: 1, rejected: 0 });
    const id = (await (
      await fetch(new URL('/api/v1/articles/budget-notice', worker.url))
    ).json()) as {
      data: { url: string };
    };
    articleUrl = id.data.url;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.dispose();
  });

  it('saves the file under its original Chinese name with the uploaded bytes', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(articleUrl);
    const item = page.locator('.attachments li');
    await expect(item.textContent()).resolves.toBe(`${fileName}（40 KB）`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('.attachments a').click(),
    ]);
    expect(download.url()).toBe(fileUrl);
    expect(download.suggestedFilename()).toBe(fileName);
    const saved = await download.path();
    expect(readFileSync(saved)).toEqual(fileBytes);
    await context.close();
  });
});
