/**
 * Replaces the local D1 content with the demo portal. Deterministic and safe to run again.
 * Usage: npm run db:seed [-- --remote]   (remote only when you mean it)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoSql, generateDemoArticles } from './demo-content';

const root = new URL('..', import.meta.url).pathname;
const remote = process.argv.includes('--remote');

// Anchor the newest article to the start of today (UTC) so reruns on one day produce the same rows.
const today = new Date();
today.setUTCHours(0, 0, 0, 0);
const articles = generateDemoArticles({ count: 40, newest: today.getTime(), includeHidden: true });

const file = join(root, '.wrangler', 'seed.sql');
mkdirSync(join(root, '.wrangler'), { recursive: true });
writeFileSync(file, demoSql(articles));

execFileSync(
  join(root, 'node_modules', '.bin', 'wrangler'),
  ['d1', 'execute', 'DB', remote ? '--remote' : '--local', `--file=${file}`, '--yes'],
  { stdio: 'inherit', cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
);
console.log(`Seeded ${articles.length} articles into ${remote ? 'remote' : 'local'} D1.`);

// The seed writes rows as SQL, past the commands that keep the search index; rebuild it.
execFileSync(
  join(root, 'node_modules', '.bin', 'tsx'),
  [join(root, 'scripts', 'search-rebuild.ts'), ...(remote ? ['--remote'] : [])],
  {
    stdio: ['ignore', 'inherit', 'ignore'],
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  },
);
