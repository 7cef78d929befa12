/**
 * Runs drizzle-built statements through `wrangler d1 execute` against the local or remote D1,
 * so scripts use the app's own statements without credentials of their own.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const root = new URL('../..', import.meta.url).pathname;

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value instanceof Date) return String(value.getTime());
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  throw new Error(`cannot render parameter ${String(value)}`);
}

/** The statement with its parameters inlined as SQL literals (strings quoted, quotes doubled). */
export function renderSql(query: { sql: string; params: unknown[] }): string {
  let index = 0;
  const text = query.sql.replace(/\?/g, () => literal(query.params[index++]));
  if (index !== query.params.length) throw new Error('unexpected statement shape');
  return text;
}

/** `env` names a wrangler environment (`production`, `staging`): each has its own database. */
export function d1Execute<Row = Record<string, unknown>>(
  sqlText: string,
  remote: boolean,
  env?: string,
): Row[] {
  const output = execFileSync(
    join(root, 'node_modules', '.bin', 'wrangler'),
    [
      'd1',
      'execute',
      'DB',
      remote ? '--remote' : '--local',
      ...(env ? [`--env=${env}`] : []),
      '--json',
      `--command=${sqlText}`,
    ],
    {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
    },
  );
  const results = JSON.parse(output) as { results: Row[] }[];
  return results[0]?.results ?? [];
}
