/**
 * Backs up D1 (table by table, without the derived FTS5 search tables) and the R2 media bucket
 * into a new directory with a manifest (scripts/lib/backup.ts). Restore with `npm run restore`.
 *
 *   npm run backup -- --out DIR [--remote [--env staging|production]] [--persist-to STATE]
 *
 * Not `wrangler d1 export`: it refuses databases with virtual tables (workers-sdk #6305).
 */
import { parseArgs } from 'node:util';
import { backup, BackupError } from './lib/backup';
import { openStore } from './lib/backup-store';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    remote: { type: 'boolean', default: false },
    env: { type: 'string' },
    'persist-to': { type: 'string' },
  },
});

if (!values.out) {
  console.error('usage: npm run backup -- --out DIR [--remote [--env NAME]] [--persist-to STATE]');
  process.exit(2);
}

const started = performance.now();
let exitCode = 0;
const open = await openStore({
  remote: values.remote ?? false,
  environment: values.env,
  persistTo: values['persist-to'],
});
try {
  const { manifest } = await backup(open.store, values.out, {
    onProgress: (message) => console.log(message),
  });
  const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
  const bytes = manifest.objects.reduce((n, o) => n + o.size, 0);
  console.log(
    `Backed up ${rows} rows in ${manifest.tables.length} tables and ${manifest.objects.length} R2 objects (${bytes} bytes) from ${open.store.label} into ${values.out} in ${((performance.now() - started) / 1000).toFixed(1)} s. Skipped the derived tables ${manifest.skipped.join(', ') || '(none)'}; restore rebuilds them.`,
  );
} catch (err) {
  console.error(err instanceof BackupError ? err.message : err);
  exitCode = 1;
} finally {
  await open.dispose();
}
process.exit(exitCode);
