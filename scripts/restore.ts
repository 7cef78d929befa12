/**
 * Restores a backup made by `npm run backup` into D1 and R2, then rebuilds the search index
 * (the FTS5 tables are derived and not in the backup). The backup is checked in full first
 * (manifest, sizes, hashes, every row); a database with content is refused unless --force.
 *
 *   npm run restore -- --from DIR [--force] [--remote [--env staging|production]] [--persist-to STATE]
 *   npm run restore -- --from DIR --check      only verifies the backup (no database is opened)
 *
 * Into an empty database: apply the migrations first (npm run db:migrate, or
 * `wrangler d1 migrations apply DB --remote --env ...`), at the backup's level.
 */
import { parseArgs } from 'node:util';
import { BackupError, restore, verifyBackup } from './lib/backup';

const { values } = parseArgs({
  options: {
    from: { type: 'string' },
    force: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    remote: { type: 'boolean', default: false },
    env: { type: 'string' },
    'persist-to': { type: 'string' },
  },
});

if (!values.from) {
  console.error(
    'usage: npm run restore -- --from DIR [--force] [--remote [--env NAME]] [--persist-to STATE]',
  );
  process.exit(2);
}

const started = performance.now();
// A broken backup is refused before wrangler starts or anything is opened.
try {
  const manifest = await verifyBackup(values.from);
  if (values.check) {
    const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
    console.log(
      `${values.from} is a complete backup from ${manifest.source} of ${manifest.createdAt} (schema ${manifest.schema.migrations?.at(-1) ?? manifest.schema.fingerprint.slice(0, 12)}): ${rows} rows in ${manifest.tables.length} tables and ${manifest.objects.length} R2 objects, every file matching its SHA-256.`,
    );
    process.exit(0);
  }
} catch (err) {
  console.error(err instanceof BackupError ? err.message : err);
  process.exit(1);
}

// Loaded only now: wrangler and the search code take seconds to import.
const { openStore } = await import('./lib/backup-store');
const { createDb } = await import('../src/db/client');
const { rebuildSearchIndex } = await import('../src/search/rebuild');

let exitCode = 0;
const open = await openStore({
  remote: values.remote ?? false,
  environment: values.env,
  persistTo: values['persist-to'],
});
try {
  const result = await restore(open.store, values.from, {
    force: values.force,
    onProgress: (message) => console.log(message),
    rebuild: async (db) => {
      const { indexed, removed } = await rebuildSearchIndex(createDb(db));
      return `Search index rebuilt: ${indexed} published articles indexed, ${removed} stale entries removed.`;
    },
  });
  console.log(
    `Restored ${result.rows} rows and ${result.objectsWritten} R2 objects (${result.objectsPresent} were already there) into ${open.store.label} in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  );
} catch (err) {
  console.error(err instanceof BackupError ? err.message : err);
  exitCode = 1;
} finally {
  await open.dispose();
}
process.exit(exitCode);
