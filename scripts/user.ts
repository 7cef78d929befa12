/**
 * Web admin accounts, written straight into D1 (local by default), e.g. the first admin of a
 * new deployment:
 *
 *   npm run user -- create --role admin|editor|reader-preview --name USERNAME [--display-name 张三] [--remote] [--env production]
 *   npm run user -- reset-password --name USERNAME [--remote] [--env production]
 *   npm run user -- list [--remote] [--env production]
 *
 * `--env` picks the wrangler environment whose D1 it is (production and staging each have their
 * own database; without it, the top-level one).
 *
 * `create` and `reset-password` print a random initial password once; the person must replace
 * it at first sign-in. Only its PBKDF2 hash is stored. Later accounts are made in the admin.
 */
import { parseArgs } from 'node:util';
import { asc, eq } from 'drizzle-orm';
import { createDb } from '../src/db/client';
import { tokenRoles, users, type TokenRole } from '../src/db/schema';
import { hashPassword } from '../src/auth/passwords';
import {
  insertUserStatement,
  revokeUserSessionsStatement,
  setPasswordStatement,
  usernamePattern,
} from '../src/auth/users';
import { d1Execute, renderSql } from './lib/d1-cli';
import { initialPassword } from './lib/passwords';

const [command, ...rest] = process.argv.slice(2);
const { values } = parseArgs({
  args: rest,
  options: {
    role: { type: 'string' },
    name: { type: 'string' },
    'display-name': { type: 'string' },
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

function username(): string {
  const name = values.name?.trim().toLowerCase();
  if (!name || !usernamePattern.test(name)) {
    fail('--name must be 2-40 lowercase letters, digits, . _ or - (the username)');
  }
  return name;
}

async function create() {
  const role = values.role as TokenRole | undefined;
  if (!role || !tokenRoles.includes(role)) fail(`--role must be one of ${tokenRoles.join(', ')}`);
  const name = username();
  const password = initialPassword();
  const statement = insertUserStatement(
    db,
    {
      username: name,
      displayName: values['display-name']?.trim() || name,
      role,
      mustChangePassword: true,
      at: new Date(),
    },
    await hashPassword(password),
  );
  const [row] = d1Execute<{ id: number }>(renderSql(statement.toSQL()), remote, wranglerEnv);
  if (!row) fail(`The username ${name} is taken (reset its password with reset-password).`);
  console.log(
    `Created ${role} account #${row.id} "${name}" in ${remote ? 'remote' : 'local'} D1${wranglerEnv ? ` (${wranglerEnv})` : ''}. Sign in at /admin/sign-in with this initial password (shown only now; it must be changed at first sign-in):`,
  );
  console.log(password);
}

async function resetPassword() {
  const name = username();
  const [user] = d1Execute<{ id: number }>(
    renderSql(db.select({ id: users.id }).from(users).where(eq(users.username, name)).toSQL()),
    remote,
    wranglerEnv,
  );
  if (!user) fail(`No account ${name}.`);
  const password = initialPassword();
  const at = new Date();
  d1Execute(
    renderSql(
      setPasswordStatement(db, user.id, await hashPassword(password), {
        mustChange: true,
        at,
      }).toSQL(),
    ),
    remote,
    wranglerEnv,
  );
  d1Execute(renderSql(revokeUserSessionsStatement(db, user.id, at).toSQL()), remote, wranglerEnv);
  console.log(`New initial password for "${name}" (its sessions were ended):`);
  console.log(password);
}

function list() {
  const rows = d1Execute<Record<string, unknown>>(
    renderSql(
      db
        .select({
          id: users.id,
          username: users.username,
          role: users.role,
          displayName: users.displayName,
          disabledAt: users.disabledAt,
        })
        .from(users)
        .orderBy(asc(users.username))
        .toSQL(),
    ),
    remote,
    wranglerEnv,
  );
  if (!rows.length) console.log('No accounts.');
  for (const r of rows) {
    console.log(
      `#${String(r.id)}\t${String(r.role)}\t${String(r.username)}\t${String(r.display_name ?? r.displayName)}\t${r.disabled_at ? 'disabled' : 'active'}`,
    );
  }
}

if (command === 'create') await create();
else if (command === 'reset-password') await resetPassword();
else if (command === 'list') list();
else fail('usage: npm run user -- create|reset-password|list [options]; see scripts/user.ts');
