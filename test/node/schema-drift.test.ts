import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterAll, describe, expect, it } from 'vitest';
import * as schema from '../../src/db/schema';
import { searchTables } from '../../src/search/tables';
import { projectRoot } from '../../scripts/lib/run-worker';

/**
 * The committed migrations must be exactly what drizzle-kit would generate from src/db, in the
 * flat NNNN_name.sql layout that `wrangler d1 migrations apply` reads.
 */
const migrationsDir = join(projectRoot, 'migrations');
const drizzleKit = join(projectRoot, 'node_modules', '.bin', 'drizzle-kit');
const scratch: string[] = [];

interface Journal {
  dialect: string;
  entries: { idx: number; tag: string }[];
}

function readJournal(dir: string): Journal {
  return JSON.parse(readFileSync(join(dir, 'meta', '_journal.json'), 'utf8')) as Journal;
}

function sqlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
}

/** Copies migrations/ (optionally editing the copy) and runs drizzle-kit generate against it. */
function generateAgainstCopy(edit?: (dir: string) => void) {
  const root = mkdtempSync(join(tmpdir(), 'gazette-drift-'));
  scratch.push(root);
  const dir = join(root, 'migrations');
  cpSync(migrationsDir, dir, { recursive: true });
  edit?.(dir);
  const before = sqlFiles(dir);
  // Flags rather than drizzle.config.ts, so the output goes to the copy; same prefix rule as the config.
  const output = execFileSync(
    drizzleKit,
    [
      'generate',
      '--dialect',
      'sqlite',
      '--schema',
      join(projectRoot, 'src', 'db', 'schema.ts'),
      '--out',
      'migrations',
      '--prefix',
      'index',
      '--name',
      'drift_check',
    ],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
  );
  const added = sqlFiles(dir).filter((f) => !before.includes(f));
  return { output, added, dir };
}

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('schema drift', () => {
  it('drizzle-kit generates nothing new from src/db/schema.ts against the committed migrations', () => {
    const { output, added, dir } = generateAgainstCopy();
    expect(added, `schema and migrations disagree; run npm run db:generate\n${output}`).toEqual([]);
    expect(output).toMatch(/No schema changes/);
    expect(readJournal(dir)).toEqual(readJournal(migrationsDir));
  });

  it('would notice drift: without the newest schema migration, drizzle-kit writes one', () => {
    const journal = readJournal(migrationsDir);
    // drizzle-kit writes keys in no fixed order, so compare with sorted keys.
    const sorted = (_key: string, value: unknown) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
        : value;
    const tablesAt = (i: number) => {
      const file = join(migrationsDir, 'meta', `${String(i).padStart(4, '0')}_snapshot.json`);
      return JSON.stringify(
        (JSON.parse(readFileSync(file, 'utf8')) as { tables: unknown }).tables,
        sorted,
      );
    };
    // Custom SQL migrations (FTS5 tables) leave drizzle's snapshot as it was; skip past them.
    let newest = journal.entries.length - 1;
    while (newest > 0 && tablesAt(newest) === tablesAt(newest - 1)) newest--;
    const dropped = journal.entries.slice(newest);
    const { added, output } = generateAgainstCopy((dir) => {
      for (const entry of dropped) {
        rmSync(join(dir, `${entry.tag}.sql`));
        rmSync(join(dir, 'meta', `${entry.tag.slice(0, 4)}_snapshot.json`));
      }
      const trimmed = { ...journal, entries: journal.entries.slice(0, newest) };
      writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify(trimmed, null, 2));
    });
    expect(added, output).toHaveLength(1);
    expect(added[0]).toMatch(/^\d{4}_drift_check\.sql$/);
  });
});

describe('migrations layout', () => {
  it('is flat NNNN_name.sql files plus drizzle-kit meta, nothing nested', () => {
    for (const entry of readdirSync(migrationsDir, { withFileTypes: true })) {
      if (entry.isDirectory()) expect(entry.name).toBe('meta');
      else expect(entry.name).toMatch(/^\d{4}_[a-z0-9_-]+\.sql$/);
    }
  });

  it('numbers migrations from 0000 without gaps, matching the journal and its snapshots', () => {
    const journal = readJournal(migrationsDir);
    expect(journal.dialect).toBe('sqlite');
    const files = sqlFiles(migrationsDir);
    expect(files.length).toBeGreaterThan(0);
    expect(files).toEqual(journal.entries.map((e) => `${e.tag}.sql`));
    files.forEach((file, i) => expect(file.slice(0, 4)).toBe(String(i).padStart(4, '0')));
    const snapshots = readdirSync(join(migrationsDir, 'meta')).filter((f) =>
      f.endsWith('_snapshot.json'),
    );
    expect(snapshots.sort()).toEqual(files.map((f) => `${f.slice(0, 4)}_snapshot.json`));
  });

  it('is the directory wrangler.toml points D1 at', () => {
    const toml = readFileSync(join(projectRoot, 'wrangler.toml'), 'utf8');
    const d1 = toml.slice(toml.indexOf('[[d1_databases]]'));
    expect(d1).toMatch(/\nmigrations_dir\s*=\s*"migrations"/);
    expect(toml).not.toMatch(/migrations_pattern/);
  });

  it('applies in order to an empty SQLite database and yields exactly the tables and indexes of src/db', () => {
    const db = new DatabaseSync(':memory:');
    for (const file of sqlFiles(migrationsDir)) {
      // wrangler runs each file whole; so does exec().
      db.exec(readFileSync(join(migrationsDir, file), 'utf8'));
    }
    const all = db
      .prepare(
        "select type, name, tbl_name, sql from sqlite_master where type in ('table', 'index') and name not like 'sqlite_%'",
      )
      .all() as { type: string; name: string; tbl_name: string; sql: string | null }[];
    // FTS5 tables come from a custom migration, not drizzle; they and their shadow tables
    // must be exactly the search index's.
    const virtual = all
      .filter((r) => /^CREATE VIRTUAL TABLE/i.test(r.sql ?? ''))
      .map((r) => r.name);
    expect(virtual.sort()).toEqual(searchTables.map((t) => getTableConfig(t).name).sort());
    const shadow = new RegExp(`^(?:${virtual.join('|')})_(?:config|data|docsize|idx|content)$`);
    const rows = all.filter((r) => !virtual.includes(r.name) && !shadow.test(r.name));
    const actualTables = rows
      .filter((r) => r.type === 'table')
      .map((r) => r.name)
      .sort();
    const actualIndexes = rows
      .filter((r) => r.type === 'index')
      .map((r) => `${r.tbl_name}.${r.name}`)
      .sort();

    const tables = (Object.values(schema) as unknown[]).filter(
      (v): v is SQLiteTable => v instanceof SQLiteTable,
    );
    const configs = tables.map((t) => getTableConfig(t));
    expect(actualTables).toEqual(configs.map((c) => c.name).sort());
    expect(actualIndexes).toEqual(
      configs.flatMap((c) => c.indexes.map((i) => `${c.name}.${i.config.name}`)).sort(),
    );
    for (const config of configs) {
      const columns = (db.prepare(`pragma table_info(${config.name})`).all() as { name: string }[])
        .map((c) => c.name)
        .sort();
      expect([config.name, columns]).toEqual([
        config.name,
        config.columns.map((c) => c.name).sort(),
      ]);
    }
    db.close();
  });
});
