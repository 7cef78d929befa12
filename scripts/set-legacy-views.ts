/**
 * Sets the view count an article carried over from an older site (e.g. 712), so its
 * 浏览次数 continues from there. An admin operation until the authoring API exists.
 *
 * Usage: npm run views:legacy -- --id 42 --views 712 [--remote]
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDb } from '../src/db/client';
import { legacyViewsStatement } from '../src/views/queries';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    id: { type: 'string' },
    views: { type: 'string' },
    remote: { type: 'boolean', default: false },
  },
});

function wholeNumber(name: string, value: string | undefined, min: number): number {
  if (
    !value ||
    !/^[0-9]+$/.test(value) ||
    Number(value) < min ||
    !Number.isSafeInteger(Number(value))
  ) {
    console.error(`--${name} must be a whole number >= ${min}`);
    process.exit(2);
  }
  return Number(value);
}

const id = wholeNumber('id', values.id, 1);
const views = wholeNumber('views', values.views, 0);

// The same statement the app uses; only rendered here, then run by wrangler against D1.
const query = legacyViewsStatement(
  createDb({} as Parameters<typeof createDb>[0]),
  id,
  views,
).toSQL();
let index = 0;
const sqlText = query.sql.replace(/\?/g, () => String(query.params[index++]));
if (index !== query.params.length || !query.params.every((p) => typeof p === 'number')) {
  throw new Error('unexpected statement shape');
}

const output = execFileSync(
  join(root, 'node_modules', '.bin', 'wrangler'),
  ['d1', 'execute', 'DB', values.remote ? '--remote' : '--local', '--json', `--command=${sqlText}`],
  { cwd: root, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
);
const results = JSON.parse(output) as { results: { id: number }[] }[];
if (!results[0]?.results.length) {
  console.error(`No article ${id}.`);
  process.exit(1);
}
console.log(
  `Article ${id} now starts from ${views} views (${values.remote ? 'remote' : 'local'} D1). Servers pick it up within 30 seconds.`,
);
