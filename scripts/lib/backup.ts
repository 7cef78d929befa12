/**
 * Backup and restore of Gazette's D1 database (table by table) and its R2 media bucket, for
 * `npm run backup` / `npm run restore` (scripts/backup.ts, scripts/restore.ts).
 *
 * Why not `wrangler d1 export`: it refuses databases with virtual tables (workers-sdk #6305),
 * and Gazette's search index is two FTS5 tables (migrations/0004_search.sql). So the backup
 * reads every ordinary table itself, in pages, and skips the virtual tables and their shadow
 * tables: they are derived from `articles`, and restore rebuilds them (rebuildSearchIndex).
 *
 * A backup directory:
 *   manifest.json        written last: tables (columns, row counts, file hashes), the schema
 *                        (migrations applied and a fingerprint of sqlite_master), AUTOINCREMENT
 *                        counters, R2 objects (key, size, SHA-256, HTTP metadata)
 *   d1/<table>.ndjson    one row per line, a JSON array in the manifest's column order
 *   r2/<sha256>          each object's bytes once (keys are content hashes already)
 *
 * Restore checks everything before it writes anything (manifest shape, every file's size and
 * hash, every line), refuses a database whose schema differs or that has content (unless
 * forced), and undoes its own writes if one fails midway.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';

/** What backup and restore need from D1 and R2: the bindings, local or remote (backup-store.ts). */
export interface BackupStore {
  /** Where the data lives, for messages: "local D1 (.wrangler/state)" or "remote D1 gazette". */
  label: string;
  db: D1Database;
  bucket: R2Bucket;
}

export class BackupError extends Error {
  override name = 'BackupError';
}

const formatName = 'gazette-backup';
const formatVersion = 1;
/** Rows per SELECT page: article bodies run to hundreds of KB, so keep pages small. */
const pageRows = 200;
/** D1 allows 100 bound parameters per statement (platform notes). */
const maxParams = 100;
/** Statements per batch and bound bytes per batch: one batch is one request and one transaction. */
const maxBatchStatements = 50;
const maxBatchBytes = 4 * 1024 * 1024;
/** Upload scratch (src/media/store.ts); the bucket's lifecycle rule deletes it. */
const scratchPrefix = 'tmp/';
/** Tables that are not content: SQLite's own, D1's own, wrangler's migration ledger. */
const systemTable = (name: string) =>
  name.startsWith('sqlite_') || name.startsWith('_cf_') || name === 'd1_migrations';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const manifestSchema = z.object({
  format: z.literal(formatName),
  version: z.literal(formatVersion),
  createdAt: z.string(),
  source: z.string(),
  schema: z.object({
    migrations: z.array(z.string()).nullable(),
    fingerprint: sha256Hex,
  }),
  skipped: z.array(z.string()),
  tables: z.array(
    z.object({
      name: z.string().min(1),
      columns: z.array(z.string().min(1)).min(1),
      rows: z.number().int().nonnegative(),
      file: z.string().regex(/^d1\/[^/]+\.ndjson$/),
      bytes: z.number().int().nonnegative(),
      sha256: sha256Hex,
    }),
  ),
  sequences: z.array(z.object({ name: z.string(), seq: z.number().int() })),
  objects: z.array(
    z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative(),
      sha256: sha256Hex,
      file: z.string().regex(/^r2\/[0-9a-f]{64}$/),
      httpMetadata: z.record(z.string(), z.string()).optional(),
      customMetadata: z.record(z.string(), z.string()).optional(),
    }),
  ),
});
export type Manifest = z.infer<typeof manifestSchema>;
type TableEntry = Manifest['tables'][number];

type Scalar = string | number | null;

// --- reading the database's shape -----------------------------------------------------------

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function all<T>(db: D1Database, sql: string, ...params: unknown[]): Promise<T[]> {
  const { results } = await db
    .prepare(sql)
    .bind(...params)
    .all<T>();
  return results;
}

interface DatabaseShape {
  /** Content tables in an order that satisfies their foreign keys (parents first). */
  tables: string[];
  /** Virtual tables and their shadow tables: derived, never copied. */
  skipped: string[];
  fingerprint: string;
  migrations: string[] | null;
}

async function readShape(db: D1Database): Promise<DatabaseShape> {
  const master = await all<{ type: string; name: string; tbl_name: string; sql: string | null }>(
    db,
    "select type, name, tbl_name, sql from sqlite_master where type in ('table', 'index', 'trigger', 'view') order by type, name",
  );
  const virtual = master
    .filter((m) => m.type === 'table' && /^create\s+virtual\s+table/i.test(m.sql ?? ''))
    .map((m) => m.name);
  const derived = (name: string) =>
    virtual.includes(name) || virtual.some((v) => name.startsWith(`${v}_`));
  const schemaRows = master.filter((m) => !systemTable(m.name) && !systemTable(m.tbl_name));
  // Whitespace aside, the same migrations give the same text here and on remote D1.
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify(
        schemaRows.map((m) => [m.type, m.name, m.tbl_name, (m.sql ?? '').replace(/\s+/g, ' ')]),
      ),
    )
    .digest('hex');
  const content = schemaRows
    .filter((m) => m.type === 'table' && !derived(m.name))
    .map((m) => m.name);
  for (const m of master) {
    if (content.includes(m.name) && /without\s+rowid/i.test(m.sql ?? ''))
      throw new BackupError(`Table ${m.name} is WITHOUT ROWID, which the backup cannot page.`);
  }
  const migrations = master.some((m) => m.name === 'd1_migrations')
    ? (await all<{ name: string }>(db, 'select name from d1_migrations order by id')).map(
        (r) => r.name,
      )
    : null;
  return {
    tables: await dependencyOrder(db, content),
    skipped: schemaRows.filter((m) => m.type === 'table' && derived(m.name)).map((m) => m.name),
    fingerprint,
    migrations,
  };
}

interface ForeignKey {
  table: string;
  from: string;
}

async function foreignKeys(db: D1Database, table: string): Promise<ForeignKey[]> {
  return all<ForeignKey>(db, `pragma foreign_key_list(${quote(table)})`);
}

/** Parents before children, so every insert finds the rows its foreign keys point at. */
async function dependencyOrder(db: D1Database, tables: string[]): Promise<string[]> {
  const parents = new Map<string, Set<string>>();
  for (const table of tables) {
    const refs = (await foreignKeys(db, table)).map((k) => k.table);
    parents.set(table, new Set(refs.filter((t) => t !== table && tables.includes(t))));
  }
  const ordered: string[] = [];
  while (ordered.length < tables.length) {
    const ready = tables.filter(
      (t) => !ordered.includes(t) && [...parents.get(t)!].every((p) => ordered.includes(p)),
    );
    if (!ready.length) {
      const left = tables.filter((t) => !ordered.includes(t)).join(', ');
      throw new BackupError(`Foreign keys form a cycle among ${left}; cannot order the restore.`);
    }
    ordered.push(...ready);
  }
  return ordered;
}

interface Column {
  name: string;
  notnull: number;
  pk: number;
}

async function columnsOf(db: D1Database, table: string): Promise<Column[]> {
  return all<Column>(db, `pragma table_info(${quote(table)})`);
}

async function rowCount(db: D1Database, table: string): Promise<number> {
  const [row] = await all<{ n: number }>(db, `select count(*) as n from ${quote(table)}`);
  return row?.n ?? 0;
}

async function readSequences(db: D1Database): Promise<Manifest['sequences']> {
  try {
    return await all<{ name: string; seq: number }>(
      db,
      'select name, seq from sqlite_sequence order by name',
    );
  } catch {
    // No AUTOINCREMENT table yet, or a platform that hides sqlite_sequence.
    return [];
  }
}

// --- backup ---------------------------------------------------------------------------------

export interface BackupResult {
  manifest: Manifest;
  dir: string;
}

function scalar(table: string, column: string, value: unknown): Scalar {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value;
  // Gazette's schema has no BLOB columns; refusing beats writing a backup that restores wrong.
  throw new BackupError(
    `${table}.${column} holds a ${typeof value} value, which the backup format does not carry.`,
  );
}

async function writeLine(out: WriteStream, line: string): Promise<void> {
  if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}

async function closeStream(out: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(resolve);
  });
}

async function backupTable(db: D1Database, dir: string, table: string): Promise<TableEntry> {
  const columns = (await columnsOf(db, table)).map((c) => c.name);
  const file = `d1/${encodeURIComponent(table)}.ndjson`;
  const out = createWriteStream(join(dir, file));
  const hash = createHash('sha256');
  let rows = 0;
  let bytes = 0;
  let after: number | null = null;
  const select = `select rowid as "__backup_rowid", ${columns.map(quote).join(', ')} from ${quote(table)}`;
  try {
    for (;;) {
      // Keyset paging by rowid: every page is one indexed read, however deep into the table.
      const page: Record<string, unknown>[] =
        after === null
          ? await all(db, `${select} order by rowid limit ?`, pageRows)
          : await all(db, `${select} where rowid > ? order by rowid limit ?`, after, pageRows);
      for (const row of page) {
        const line = `${JSON.stringify(columns.map((c) => scalar(table, c, row[c])))}\n`;
        hash.update(line);
        bytes += Buffer.byteLength(line);
        await writeLine(out, line);
      }
      rows += page.length;
      if (page.length < pageRows) break;
      after = page.at(-1)!.__backup_rowid as number;
    }
  } finally {
    await closeStream(out);
  }
  return { name: table, columns, rows, file, bytes, sha256: hash.digest('hex') };
}

async function backupObjects(
  bucket: R2Bucket,
  dir: string,
  onProgress: (message: string) => void,
): Promise<Manifest['objects']> {
  const objects: Manifest['objects'] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ cursor, include: ['httpMetadata', 'customMetadata'] });
    for (const listed of page.objects) {
      if (listed.key.startsWith(scratchPrefix)) continue;
      const object = await bucket.get(listed.key);
      if (!object) continue; // deleted since it was listed
      const bytes = new Uint8Array(await object.arrayBuffer());
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const file = `r2/${sha256}`;
      await writeFile(join(dir, file), bytes);
      const httpMetadata = Object.fromEntries(
        Object.entries(object.httpMetadata ?? {}).filter(
          (e): e is [string, string] => typeof e[1] === 'string',
        ),
      );
      objects.push({
        key: listed.key,
        size: bytes.byteLength,
        sha256,
        file,
        ...(Object.keys(httpMetadata).length ? { httpMetadata } : {}),
        ...(Object.keys(object.customMetadata ?? {}).length
          ? { customMetadata: object.customMetadata }
          : {}),
      });
      if (objects.length % 100 === 0) onProgress(`… ${objects.length} objects`);
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return objects;
}

/**
 * Writes a backup of the store into `dir`, which must be new or empty. The manifest is written
 * last, under a temporary name renamed into place, so an interrupted backup has none and
 * restore refuses it.
 */
export async function backup(
  store: BackupStore,
  dir: string,
  options: { onProgress?: (message: string) => void; at?: Date } = {},
): Promise<BackupResult> {
  const progress = options.onProgress ?? (() => {});
  const existing = await readdir(dir).catch(() => null);
  if (existing?.length) throw new BackupError(`${dir} is not empty; give backup a new directory.`);
  await mkdir(join(dir, 'd1'), { recursive: true });
  await mkdir(join(dir, 'r2'), { recursive: true });

  const shape = await readShape(store.db);
  if (!shape.tables.length)
    throw new BackupError(
      `${store.label} has no tables: wrong database, or its migrations were never applied. Nothing to back up.`,
    );
  const tables: TableEntry[] = [];
  for (const table of shape.tables) {
    const entry = await backupTable(store.db, dir, table);
    tables.push(entry);
    progress(`${table}: ${entry.rows} rows`);
  }
  const sequences = (await readSequences(store.db)).filter((s) => shape.tables.includes(s.name));
  const objects = await backupObjects(store.bucket, dir, progress);
  progress(`R2: ${objects.length} objects`);

  const manifest: Manifest = {
    format: formatName,
    version: formatVersion,
    createdAt: (options.at ?? new Date()).toISOString(),
    source: store.label,
    schema: { migrations: shape.migrations, fingerprint: shape.fingerprint },
    skipped: shape.skipped,
    tables,
    sequences,
    objects,
  };
  await writeFile(join(dir, 'manifest.json.partial'), `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(join(dir, 'manifest.json.partial'), join(dir, 'manifest.json'));
  return { manifest, dir };
}

// --- verifying a backup directory -----------------------------------------------------------

/** Reads and checks the manifest, then every file it names: nothing is written anywhere. */
export async function verifyBackup(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, 'manifest.json'), 'utf8');
  } catch {
    throw new BackupError(
      `${join(dir, 'manifest.json')} is missing: ${dir} is not a backup, or the backup did not finish.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BackupError(`${join(dir, 'manifest.json')} is not valid JSON (truncated?).`);
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new BackupError(
      `${join(dir, 'manifest.json')} is not a Gazette backup manifest (${issue.path.join('.') || 'root'}: ${issue.message}).`,
    );
  }
  const manifest = result.data;
  for (const table of manifest.tables) await verifyTableFile(dir, table);
  for (const object of manifest.objects) {
    const path = join(dir, object.file);
    const bytes = await readFile(path).catch(() => null);
    if (!bytes) throw new BackupError(`${path} (R2 object ${object.key}) is missing.`);
    if (bytes.byteLength !== object.size)
      throw new BackupError(
        `${path} (R2 object ${object.key}) has ${bytes.byteLength} bytes, the manifest says ${object.size}: truncated or replaced.`,
      );
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (hash !== object.sha256)
      throw new BackupError(`${path} (R2 object ${object.key}) does not match its SHA-256.`);
  }
  return manifest;
}

async function verifyTableFile(dir: string, table: TableEntry): Promise<void> {
  const path = join(dir, table.file);
  const info = await stat(path).catch(() => null);
  if (!info) throw new BackupError(`${path} (table ${table.name}) is missing.`);
  if (info.size !== table.bytes)
    throw new BackupError(
      `${path} (table ${table.name}) has ${info.size} bytes, the manifest says ${table.bytes}: truncated or changed.`,
    );
  const hash = createHash('sha256');
  let lines = 0;
  for await (const row of readRows(path, table)) {
    hash.update(`${JSON.stringify(row)}\n`);
    lines += 1;
  }
  if (lines !== table.rows)
    throw new BackupError(
      `${path} (table ${table.name}) has ${lines} rows, the manifest says ${table.rows}.`,
    );
  if (hash.digest('hex') !== table.sha256)
    throw new BackupError(`${path} (table ${table.name}) does not match its SHA-256.`);
}

async function* readRows(path: string, table: TableEntry): AsyncGenerator<Scalar[]> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number += 1;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new BackupError(`${path} line ${number} is not valid JSON (truncated or corrupt).`);
    }
    if (
      !Array.isArray(row) ||
      row.length !== table.columns.length ||
      !row.every((v) => v === null || typeof v === 'string' || typeof v === 'number')
    )
      throw new BackupError(
        `${path} line ${number} is not a row of ${table.columns.length} values for ${table.name}.`,
      );
    yield row as Scalar[];
  }
}

// --- restore --------------------------------------------------------------------------------

export interface RestoreOptions {
  /** Replace a database that has content (its content tables are emptied first). */
  force?: boolean;
  /** Rebuilds derived indexes once the rows are in (the search index); see scripts/restore.ts. */
  rebuild?: (db: D1Database) => Promise<string>;
  onProgress?: (message: string) => void;
}

export interface RestoreResult {
  rows: number;
  objectsWritten: number;
  objectsPresent: number;
  rebuilt: string | null;
}

interface Statement {
  sql: string;
  params: Scalar[];
}

const paramBytes = (s: Statement) =>
  s.params.reduce<number>((n, p) => n + (typeof p === 'string' ? p.length * 3 : 8), s.sql.length);

/** Runs statements in batches within D1's limits; each batch is one transaction. */
class Batcher {
  private pending: Statement[] = [];
  private bytes = 0;
  constructor(private readonly db: D1Database) {}

  async add(statement: Statement): Promise<void> {
    const size = paramBytes(statement);
    if (
      this.pending.length &&
      (this.pending.length >= maxBatchStatements || this.bytes + size > maxBatchBytes)
    )
      await this.flush();
    this.pending.push(statement);
    this.bytes += size;
  }

  async flush(): Promise<void> {
    if (!this.pending.length) return;
    const statements = this.pending;
    this.pending = [];
    this.bytes = 0;
    await this.db.batch(statements.map((s) => this.db.prepare(s.sql).bind(...s.params)));
  }
}

/**
 * Rows that point at other rows of the same table (channels.parent_id) are inserted with that
 * column empty and linked afterwards, so their order in the file does not matter.
 */
async function selfReferences(db: D1Database, table: string): Promise<string[]> {
  return (await foreignKeys(db, table)).filter((k) => k.table === table).map((k) => k.from);
}

async function restoreTable(
  db: D1Database,
  dir: string,
  table: TableEntry,
  targetColumns: Column[],
): Promise<void> {
  const selfRefs = await selfReferences(db, table.name);
  const deferred = selfRefs.map((c) => table.columns.indexOf(c));
  const keyColumns = targetColumns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  if (deferred.length) {
    const required = targetColumns.find((c) => selfRefs.includes(c.name) && c.notnull);
    if (required || !keyColumns.length)
      throw new BackupError(
        `${table.name} refers to itself through ${required?.name ?? selfRefs.join(', ')}, which restore cannot link afterwards.`,
      );
  }
  const keyIndexes = keyColumns.map((c) => table.columns.indexOf(c.name));
  const perStatement = Math.max(1, Math.floor(maxParams / table.columns.length));
  const head = `insert into ${quote(table.name)} (${table.columns.map(quote).join(', ')}) values `;
  const tuple = `(${table.columns.map(() => '?').join(', ')})`;
  const batcher = new Batcher(db);
  const links: Scalar[][] = [];
  let rows: Scalar[][] = [];
  const insert = async () => {
    if (!rows.length) return;
    await batcher.add({
      sql: head + rows.map(() => tuple).join(', '),
      params: rows.flat(),
    });
    rows = [];
  };
  for await (const row of readRows(join(dir, table.file), table)) {
    if (deferred.some((i) => row[i] !== null)) {
      links.push([...row]);
      for (const i of deferred) row[i] = null;
    }
    rows.push(row);
    if (rows.length >= perStatement) await insert();
  }
  await insert();
  await batcher.flush();
  if (!links.length) return;
  // The links, now that every row of the table exists.
  const set = selfRefs.map((c) => `${quote(c)} = ?`).join(', ');
  const where = keyColumns.map((c) => `${quote(c.name)} = ?`).join(' and ');
  for (const row of links)
    await batcher.add({
      sql: `update ${quote(table.name)} set ${set} where ${where}`,
      params: [...deferred.map((i) => row[i]!), ...keyIndexes.map((i) => row[i]!)],
    });
  await batcher.flush();
}

async function emptyTables(db: D1Database, tables: string[]): Promise<void> {
  // Children first, so no foreign key restricts a delete.
  for (const table of [...tables].reverse()) await db.prepare(`delete from ${quote(table)}`).run();
}

/**
 * Restores a verified backup into the store. Refuses (BackupError, nothing written) when the
 * schema differs or, without `force`, when the database or bucket already has content. Objects
 * go first (content-addressed, so harmless on their own), then the tables in foreign-key order,
 * then the AUTOINCREMENT counters, then the derived indexes. If a write fails, the tables are
 * emptied again and the objects this restore added are deleted.
 */
export async function restore(
  store: BackupStore,
  dir: string,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const progress = options.onProgress ?? (() => {});
  const manifest = await verifyBackup(dir);
  const { db, bucket } = store;
  const shape = await readShape(db);

  if (!shape.tables.length)
    throw new BackupError(
      `${store.label} has no tables: apply the migrations first (npm run db:migrate, or wrangler d1 migrations apply DB --remote), up to the backup's ${manifest.schema.migrations?.at(-1) ?? 'level'}.`,
    );
  if (shape.fingerprint !== manifest.schema.fingerprint) {
    const level = (m: string[] | null) => (m ? (m.at(-1) ?? 'none') : 'unknown');
    throw new BackupError(
      `The schema of ${store.label} (migration ${level(shape.migrations)}) differs from the backup's (migration ${level(manifest.schema.migrations)}). Restore into a database migrated to the backup's level, then apply newer migrations.`,
    );
  }
  const missing = manifest.tables.filter((t) => !shape.tables.includes(t.name));
  if (missing.length)
    throw new BackupError(`${store.label} has no table ${missing.map((t) => t.name).join(', ')}.`);
  const targetColumns = new Map<string, Column[]>();
  for (const table of manifest.tables) {
    const columns = await columnsOf(db, table.name);
    const names = columns.map((c) => c.name);
    const unknown = table.columns.filter((c) => !names.includes(c));
    if (unknown.length)
      throw new BackupError(
        `${store.label} table ${table.name} has no column ${unknown.join(', ')}.`,
      );
    targetColumns.set(table.name, columns);
  }

  const occupied: string[] = [];
  for (const table of shape.tables) {
    const n = await rowCount(db, table);
    if (n) occupied.push(`${table} (${n} rows)`);
  }
  const present = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ cursor });
    for (const o of page.objects) if (!o.key.startsWith(scratchPrefix)) present.add(o.key);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  if ((occupied.length || present.size) && !options.force) {
    const what = [
      ...occupied,
      ...(present.size ? [`R2 bucket (${present.size} objects)`] : []),
    ].join(', ');
    throw new BackupError(
      `${store.label} is not empty: ${what}. Nothing was restored. Restore into an empty database (migrations applied), or pass --force to replace its content.`,
    );
  }

  // Content-addressed keys: an object already there with the same hash needs no upload.
  const added: string[] = [];
  let objectsPresent = 0;
  let restoredTables: string[] = [];
  try {
    if (options.force && occupied.length) {
      progress(`Emptying ${occupied.length} tables of ${store.label}`);
      await emptyTables(db, shape.tables);
    }
    for (const object of manifest.objects) {
      if (present.has(object.key) && (await sameObject(bucket, object))) {
        objectsPresent += 1;
        continue;
      }
      const bytes = await readFile(join(dir, object.file));
      await bucket.put(object.key, bytes, {
        httpMetadata: object.httpMetadata,
        customMetadata: object.customMetadata,
        // R2 checks the bytes it received against this.
        sha256: object.sha256,
      });
      if (!present.has(object.key)) added.push(object.key);
    }
    progress(`R2: ${added.length} objects written, ${objectsPresent} already there`);

    restoredTables = manifest.tables.map((t) => t.name);
    for (const table of manifest.tables) {
      await restoreTable(db, dir, table, targetColumns.get(table.name)!);
      progress(`${table.name}: ${table.rows} rows`);
    }
  } catch (err) {
    const cause = err instanceof Error ? err.message : String(err);
    try {
      await emptyTables(db, restoredTables);
      for (const key of added) await bucket.delete(key);
    } catch (cleanup) {
      throw new BackupError(
        `Restore failed (${cause}) and undoing it failed too (${cleanup instanceof Error ? cleanup.message : String(cleanup)}): ${store.label} is partly restored. Empty it and restore again, or use D1 Time Travel.`,
      );
    }
    throw new BackupError(
      `Restore failed (${cause}); its writes were undone${options.force && occupied.length ? ' (the content it replaced was already removed: restore again, or use D1 Time Travel)' : ''}.`,
    );
  }

  await restoreSequences(db, manifest.sequences, progress);
  let rebuilt: string | null = null;
  try {
    rebuilt = options.rebuild ? await options.rebuild(db) : null;
  } catch (err) {
    // The rows are right; only the derived index is behind, and rebuilding is safe to repeat.
    throw new BackupError(
      `The rows and objects were restored, but rebuilding the search index failed (${err instanceof Error ? err.message : String(err)}): run npm run search:rebuild for this database, or this restore again with --force.`,
    );
  }
  if (rebuilt) progress(rebuilt);
  return {
    rows: manifest.tables.reduce((n, t) => n + t.rows, 0),
    objectsWritten: manifest.objects.length - objectsPresent,
    objectsPresent,
    rebuilt,
  };
}

/**
 * AUTOINCREMENT counters, so ids of rows deleted before the backup are not handed out again
 * (an old article URL must not start pointing at a new article).
 */
async function restoreSequences(
  db: D1Database,
  sequences: Manifest['sequences'],
  progress: (message: string) => void,
): Promise<void> {
  if (!sequences.length) return;
  try {
    await db.batch(
      sequences.flatMap((s) => [
        db
          .prepare('update sqlite_sequence set seq = max(seq, ?) where name = ?')
          .bind(s.seq, s.name),
        db
          .prepare(
            'insert into sqlite_sequence (name, seq) select ?, ? where not exists (select 1 from sqlite_sequence where name = ?)',
          )
          .bind(s.name, s.seq, s.name),
      ]),
    );
  } catch (err) {
    progress(
      `Warning: AUTOINCREMENT counters were not restored (${err instanceof Error ? err.message : String(err)}); ids of rows deleted before the backup may be reused.`,
    );
  }
}

/** Whether the bucket already holds these bytes under this key (by R2's checksum or the bytes). */
async function sameObject(bucket: R2Bucket, object: Manifest['objects'][number]): Promise<boolean> {
  const found = await bucket.get(object.key);
  if (!found || found.size !== object.size) {
    await found?.body.cancel();
    return false;
  }
  const recorded = found.checksums.sha256;
  if (recorded) {
    await found.body.cancel();
    return Buffer.from(recorded).toString('hex') === object.sha256;
  }
  const bytes = new Uint8Array(await found.arrayBuffer());
  return createHash('sha256').update(bytes).digest('hex') === object.sha256;
}
