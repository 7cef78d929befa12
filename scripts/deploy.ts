/**
 * Deploys both workers of one environment: `npm run deploy` (production) or `npm run
 * deploy:staging`, after the assets build and the remote D1 migrations.
 *
 *   tsx scripts/deploy.ts production|staging [--first]
 *
 * The readers' worker (wrangler.toml) goes first: the admin worker binds its ViewCounter class
 * and its CachePurge entrypoint, and Cloudflare refuses a binding to a script that does not
 * exist. The reader binds the admin worker in turn (ADMIN), so on an empty account nothing can
 * go first: `--first` deploys the reader once without its ADMIN binding (its writers' paths
 * answer 503 admin_unavailable for the seconds that takes), then the admin worker, then the
 * reader as configured. Later deploys need no `--first`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from './lib/run-worker';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { first: { type: 'boolean', default: false } },
});
const environment = positionals[0];
if (environment !== 'production' && environment !== 'staging') {
  process.stderr.write('usage: tsx scripts/deploy.ts production|staging [--first]\n');
  process.exit(2);
}

const wrangler = (...args: string[]) =>
  execFileSync(join(projectRoot, 'node_modules', '.bin', 'wrangler'), args, {
    cwd: projectRoot,
    stdio: 'inherit',
  });

/** wrangler.toml without the environment's ADMIN service binding (`--first` only). */
function withoutAdminBinding(toml: string, env: string): string {
  const block = new RegExp(
    `\\n\\[\\[env\\.${env}\\.services\\]\\]\\nbinding = "ADMIN"\\nservice = "[^"\\n]+"\\n`,
  );
  if (!block.test(toml)) throw new Error(`wrangler.toml: no ADMIN service binding in env.${env}`);
  return toml.replace(block, '\n');
}

wrangler('d1', 'migrations', 'apply', 'DB', '--remote', '--env', environment);
if (values.first) {
  // Beside wrangler.toml, so its relative paths (main, assets, migrations, aliases) still hold.
  const bootstrap = join(projectRoot, `wrangler.bootstrap-${process.pid}.toml`);
  writeFileSync(
    bootstrap,
    withoutAdminBinding(readFileSync(join(projectRoot, 'wrangler.toml'), 'utf8'), environment),
  );
  try {
    wrangler('deploy', '-c', bootstrap, '--env', environment);
  } finally {
    rmSync(bootstrap, { force: true });
  }
  wrangler('deploy', '-c', 'wrangler.admin.toml', '--env', environment);
  wrangler('deploy', '-c', 'wrangler.toml', '--env', environment);
} else {
  // The reader first: a new admin worker may call a new CachePurge; an old admin worker serves
  // the new reader's forwarded requests as before.
  wrangler('deploy', '-c', 'wrangler.toml', '--env', environment);
  wrangler('deploy', '-c', 'wrangler.admin.toml', '--env', environment);
}
