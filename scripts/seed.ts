/**
 * Replaces the local D1 content with the demo portal, through the authoring commands (the
 * same write path as the admin API: sanitizer, slug rules, revisions), and prints a ready
 * local admin token. Deterministic and safe to run again. Usage: npm run db:seed
 *
 * Seeding production with demo content is deliberately not offered; content gets there
 * through the admin API (README, "Authoring").
 */
import { getPlatformProxy } from 'wrangler';
import { revokeTokenStatement, createToken } from '../src/auth/tokens';
import { hashPassword } from '../src/auth/passwords';
import {
  createUser,
  findUserByUsername,
  revokeUserSessionsStatement,
  setPasswordStatement,
} from '../src/auth/users';
import { initialPassword } from './lib/passwords';
import { createDb } from '../src/db/client';
import { generateDemoArticles } from './demo-content';
import { seedDemo } from './demo-seed';

if (process.argv.includes('--remote')) {
  console.error('db:seed writes the local D1 only; use the admin API for remote content.');
  process.exit(2);
}

// Anchor the newest article to the start of today (UTC) so reruns on one day produce the same rows.
const today = new Date();
today.setUTCHours(0, 0, 0, 0);
const articles = generateDemoArticles({ count: 40, newest: today.getTime(), includeHidden: true });

const started = Date.now();
// The same local state `wrangler dev` uses (.wrangler/state).
const proxy = await getPlatformProxy<Env>({ persist: true });
try {
  const db = createDb(proxy.env.DB);
  const created = await seedDemo(db, articles, { timeZone: proxy.env.SITE_TIME_ZONE });
  console.log(
    `Seeded ${created.length} articles into local D1 in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );
  await revokeTokenStatement(db, { name: 'local-dev' }, new Date());
  const { token } = await createToken(db, { name: 'local-dev', role: 'admin', at: new Date() });
  console.log('Local admin token (name "local-dev"; a new seed replaces it):');
  console.log(token);

  // A ready local admin account for /admin (no password change asked: it is a dev machine).
  const password = initialPassword();
  const at = new Date();
  const existing = await findUserByUsername(db, 'admin');
  if (existing) {
    await db.batch([
      setPasswordStatement(db, existing.id, await hashPassword(password), {
        mustChange: false,
        at,
      }),
      revokeUserSessionsStatement(db, existing.id, at),
    ]);
  } else {
    await createUser(db, {
      username: 'admin',
      displayName: '本地管理员',
      role: 'admin',
      password,
      mustChangePassword: false,
      at,
    });
  }
  console.log(
    'Local admin account for http://localhost:8787/admin (a new seed replaces the password):',
  );
  console.log(`  username: admin    password: ${password}`);
} finally {
  await proxy.dispose();
}
