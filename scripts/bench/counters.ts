/**
 * What the run's counted views cost, from what the product left behind: each counter object's
 * own SQLite file (read-only, from Miniflare's state folder) and D1's `meta.rows_written`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Miniflare } from 'miniflare';

/** One article's counter objects, summed. */
export interface CounterBooks {
  objects: number;
  /** Views the objects hold (sum of their visitor rows' views). */
  views: number;
  /** Hits the objects booked as refused (duplicates, bots, rate limit); they write no row. */
  rejections: number;
  /** Storage rows the views wrote: one visitor row each. */
  viewRows: number;
  /** Visitor rows new shards copied from their parents when the article split (`imported`). */
  copiedRows: number;
  /** New shards (not shard 0), and the DO requests their copies took (handOver + its pages). */
  newShards: number;
  copyRequests: number;
  /** Rows an object writes once (meta, the day's salt, the day table itself, folded days). */
  fixedRows: number;
}

/** Opens every ViewCounter object's file read-only, with the article id its meta table names. */
function eachCounter(
  stateDir: string,
  visit: (db: DatabaseSync, articleId: number, file: string) => void,
) {
  const doDir = join(stateDir, 'do');
  if (!existsSync(doDir)) return;
  for (const dir of readdirSync(doDir).filter((d) => d.endsWith('-ViewCounter'))) {
    for (const file of readdirSync(join(doDir, dir))) {
      if (!file.endsWith('.sqlite') || file === 'metadata.sqlite') continue;
      const db = new DatabaseSync(join(doDir, dir, file), { readOnly: true, timeout: 10_000 });
      try {
        const row = db.prepare("SELECT value FROM meta WHERE key = 'article_id'").get();
        if (row) visit(db, Number(row.value), file);
      } finally {
        db.close();
      }
    }
  }
}

const catalogue = "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'v_*'";
const dayTables = (db: DatabaseSync) =>
  db
    .prepare(catalogue)
    .all()
    .map((r) => String(r.name));

/**
 * Every row of one article's counter objects that a hit could write, as text: the rows a flood
 * wrote are those a later snapshot holds and an earlier one does not (inserted or changed).
 * Left out: what the flush writes once per interval (a tally row per reason, folded days).
 */
export function counterRows(stateDir: string, articleId: number): Set<string> {
  const rows = new Set<string>();
  eachCounter(stateDir, (db, id, file) => {
    if (id !== articleId) return;
    const tables = ['meta', 'salts', 'children', ...dayTables(db)];
    for (const t of tables) {
      for (const r of db.prepare(`SELECT * FROM ${t}`).all()) {
        rows.add(`${file}|${t}|${JSON.stringify(Object.values(r).map(String))}`);
      }
    }
  });
  return rows;
}

/** The latest visitor row's last_at (ms) across one article's objects, 0 if none. */
export function lastWrite(stateDir: string, articleId: number): number {
  let last = 0;
  eachCounter(stateDir, (db, id) => {
    for (const t of id === articleId ? dayTables(db) : []) {
      last = Math.max(last, Number(db.prepare(`SELECT max(last_at) AS n FROM ${t}`).get()?.n ?? 0));
    }
  });
  return last;
}

const none: CounterBooks = {
  ...{ objects: 0, views: 0, rejections: 0, viewRows: 0, fixedRows: 0 },
  ...{ copiedRows: 0, newShards: 0, copyRequests: 0 },
};
/** Rows per handOverRows page (src/views/counter.ts handoverPage). */
const handoverPage = 2_000;

/** Reads every ViewCounter object's file; keyed by the article id its meta table names. */
export function readCounterBooks(stateDir: string): Map<number, CounterBooks> {
  const books = new Map<number, CounterBooks>();
  eachCounter(stateDir, (db, articleId) => {
    const one = (sql: string) => Number(Object.values(db.prepare(sql).get() ?? { n: 0 })[0]);
    const tables = dayTables(db);
    const b = books.get(articleId) ?? { ...none };
    b.objects += 1;
    const newShard = one("SELECT coalesce(max(value), 0) FROM meta WHERE key = 'shard'") > 0;
    if (newShard) [b.newShards, b.copyRequests] = [b.newShards + 1, b.copyRequests + 1];
    for (const t of tables) {
      const copied = one(`SELECT coalesce(sum(imported), 0) FROM ${t}`);
      b.views += one(`SELECT coalesce(sum(views), 0) FROM ${t}`);
      b.viewRows += one(`SELECT count(*) FROM ${t}`) - copied;
      b.copiedRows += copied;
      if (newShard && copied) b.copyRequests += Math.floor(copied / handoverPage) + 1;
    }
    b.rejections += one('SELECT coalesce(sum(count), 0) FROM rejections');
    const once = ['rejections', 'meta', 'salts', 'days', 'children'];
    b.fixedRows += tables.length + once.reduce((n, t) => n + one(`SELECT count(*) FROM ${t}`), 0);
    books.set(articleId, b);
  });
  return books;
}

/**
 * The D1 rows one flush writes, as D1 counts them (indexes included): rewriting, for a sample of
 * flushed articles, the rows a flush upserts (one per shard and day) and the article's totals.
 */
export async function d1RowsPerFlush(mf: Miniflare, articleIds: number[]): Promise<number> {
  const db = await mf.getD1Database('DB');
  let rows = 0;
  let flushed = 0;
  for (const id of articleIds.slice(0, 20)) {
    // One shard's rows: a flush is one object's, however many shards the article has.
    const [daily, article] = await db.batch(
      [
        'UPDATE article_views_daily SET views = views, visitors = visitors WHERE article_id = ?1 AND shard = 0',
        'UPDATE articles SET view_count = view_count, visitor_count = visitor_count WHERE id = ?1',
      ].map((sql) => db.prepare(sql).bind(id)),
    );
    if (!daily!.meta.changes) continue;
    flushed += 1;
    rows += daily!.meta.rows_written + article!.meta.rows_written;
  }
  return flushed ? rows / flushed : NaN;
}
