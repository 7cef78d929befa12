/**
 * /docs in a real browser: the API reference renders from Gazette's own assets under a CSP
 * without 'unsafe-inline', and nothing is fetched from another origin.
 */
import { describe, expect, it } from 'vitest';
import { screenshotPath, useWorkerAndBrowser } from './harness';

const e2e = useWorkerAndBrowser();

describe('GET /docs in Chromium', () => {
  it('renders the reference from own assets, with no CSP violation and no third-party request', async () => {
    const page = await e2e.browser.newPage();
    const origins = new Set<string>();
    const problems: string[] = [];
    page.on('request', (req) => origins.add(new URL(req.url()).origin));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Refused/.test(msg.text())) {
        problems.push(msg.text());
      }
    });
    page.on('pageerror', (err) => problems.push(err.message));

    const res = await page.goto(new URL('/docs', e2e.worker.url).href);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).not.toMatch(/unsafe-inline|https?:/);
    // The operations of the document show up once the reference has loaded it.
    await page
      .getByText('List published articles, newest first')
      .first()
      .waitFor({ timeout: 30_000 });
    await page.screenshot({ path: screenshotPath('docs.png') });

    expect(problems).toEqual([]);
    expect([...origins].filter((o) => o !== e2e.worker.url.origin && o !== 'null')).toEqual([]);
    await page.close();
  });
});
