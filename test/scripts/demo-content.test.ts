import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { demoChannels, demoSql, generateDemoArticles } from '../../scripts/demo-content';
import { now as clockNow } from '../../src/lib/clock';

/** Runs the seed script the way `wrangler d1 execute --file` does: every statement, one batch. */
async function runScript(script: string) {
  const statements = script
    .split(/;\s*\n/)
    .map((s) => s.trim().replace(/;$/, ''))
    .filter((s) => s.length > 0 && !s.startsWith('--'));
  await env.DB.batch(statements.map((s) => env.DB.prepare(s)));
}

describe('demo content (npm run db:seed)', () => {
  it('replaces what is there when run again, nested channels included', async () => {
    const articles = generateDemoArticles({ count: 6, newest: clockNow() });
    expect(demoChannels.some((c) => c.parentSlug)).toBe(true);
    await runScript(demoSql(articles));
    await runScript(demoSql(articles));
    const counts = await env.DB.prepare(
      'SELECT (SELECT count(*) FROM articles) AS articles, (SELECT count(*) FROM channels) AS channels',
    ).first<{ articles: number; channels: number }>();
    expect(counts).toEqual({ articles: 6, channels: demoChannels.length });
  });
});
