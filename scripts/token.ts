/**
 * API tokens for the admin API, written straight into D1 (local by default).
 *
 *   npm run token -- create --role admin|editor|reader-preview --name NAME [--expires-days N] [--replace] [--remote] [--env production]
 *   npm run token -- list [--remote] [--env production]
 *   npm run token -- revoke (--id N | --name NAME) [--remote] [--env production]
 *
 * `create` prints the token once, alone on the last line; only its SHA-256 is stored.
 * `--env` picks the wrangler environment whose D1 it is (without it, the top-level one).
 * `--replace` first revokes live tokens of the same name (npm start uses it for its dev token).
 */
import { parseArgs } from 'node:util';
import { createDb } from '../src/db/client';
import { tokenRoles, type TokenRole } from '../src/db/schema';
import {
  generateToken,
  hashToken,
  insertTokenStatement,
  listTokensQuery,
  revokeTokenStatement,
} from '../src/auth/tokens';
import { d1Execute, renderSql } from './lib/d1-cli';

const [command, ...rest] = process.argv.slice(2);
const { values } = parseArgs({
  args: rest,
  options: {
    role: { type: 'string' },
    name: { type: 'string' },
    id: { type: 'string' },
    'expires-days': { type: 'string' },
    replace: { type: 'boolean', default: false },
    remote: { type: 'boolean', default: false },
    env: { type: 'string' },
  },
});
const remote = values.remote ?? false;
const wranglerEnv = values.env;
// Only renders statements; wrangler runs them.
const db = createDb({} as Parameters<typeof createDb>[0]);

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function iso(ms: unknown): string {
  return typeof ms === 'number' ? new Date(ms).toISOString() : '-';
}

async function create() {
  const role = values.role as TokenRole | undefined;
  if (!role || !tokenRoles.includes(role)) fail(`--role must be one of ${tokenRoles.join(', ')}`);
  const name = values.name?.trim();
  if (!name || name.length > 100) fail('--name is required (at most 100 characters)');
  let expiresAt: Date | null = null;
  if (values['expires-days'] !== undefined) {
    const days = Number(values['expires-days']);
    if (!Number.isInteger(days) || days < 1) fail('--expires-days must be a whole number >= 1');
    expiresAt = new Date(Date.now() + days * 86_400_000);
  }
  if (values.replace)
    d1Execute(
      renderSql(revokeTokenStatement(db, { name }, new Date()).toSQL()),
      remote,
      wranglerEnv,
    );
  const token = generateToken();
  const statement = insertTokenStatement(db, {
    name,
    role,
    tokenHash: await hashToken(token),
    expiresAt,
    at: new Date(),
  });
  const [row] = d1Execute<{ id: number }>(renderSql(statement.toSQL()), remote, wranglerEnv);
  if (!row) fail('The token was not stored.');
  console.log(
    `Created ${role} token #${row.id} "${name}" in ${remote ? 'remote' : 'local'} D1${
      expiresAt ? `, expires ${expiresAt.toISOString()}` : ''
    }. It is shown only now:`,
  );
  console.log(token);
}

function list() {
  const rows = d1Execute<Record<string, unknown>>(
    renderSql(listTokensQuery(db).toSQL()),
    remote,
    wranglerEnv,
  );
  if (!rows.length) console.log('No tokens.');
  for (const r of rows) {
    const state = r.revoked_at ? `revoked ${iso(r.revoked_at)}` : 'active';
    console.log(
      `#${String(r.id)}\t${String(r.role)}\t${String(r.name)}\tcreated ${iso(r.created_at)}\tlast used ${iso(
        r.last_used_at,
      )}\texpires ${iso(r.expires_at)}\t${state}`,
    );
  }
}

function revoke() {
  const by = values.id
    ? /^[1-9][0-9]*$/.test(values.id)
      ? { id: Number(values.id) }
      : fail('--id must be a positive whole number')
    : values.name
      ? { name: values.name }
      : fail('revoke needs --id or --name');
  const rows = d1Execute<{ id: number; name: string }>(
    renderSql(revokeTokenStatement(db, by, new Date()).toSQL()),
    remote,
    wranglerEnv,
  );
  if (!rows.length) fail('No active token matched.');
  for (const r of rows) console.log(`Revoked token #${r.id} "${r.name}".`);
}

if (command === 'create') await create();
else if (command === 'list') list();
else if (command === 'revoke') revoke();
else fail('usage: npm run token -- create|list|revoke [options]; see scripts/token.ts');
