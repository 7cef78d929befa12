/**
 * What the run's counted views cost, read from what the product left behind rather than from
 * books it keeps for the bench: each counter object's own SQLite file (opened read-only from
 * Miniflare's state folder) and D1's `meta.rows_written`.
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
  /** Hits the objects refused (duplicates, bots, rate limit), each a row write too. */
  rejections: number;
  /** Storage rows the views wrote: one visitor row each, plus every rejection booked. */
  viewRows: number;
  /** Rows an object writes once (meta, the day's salt, the day table itself, folded days). */
  fixedRows: number;
}

/** Reads every ViewCounter object's file; keyed by the article id its meta table names. */
export function readCounterBooks(stateDir: string): Map<number, CounterBooks> {
  const books = new Map<number, CounterBooks>();
  const doDir = join(stateDir, 'do');
  if (!existsSync(doDir)) return books;
  for (const dir of readdirSync(doDir).filter((d) => d.endsWith('-ViewCounter'))) {
    for (const file of readdirSync(join(doDir, dir))) {
      if (!file.endsWith('.sqlite') || file === 'metadata.sqlite') continue;
      const db = new DatabaseSync(join(doDir, dir, file), { readOnly: true });
      try {
        const one = (sql: string) => Number(Object.values(db.prepare(sql).get() ?? { n: 0 })[0]);
        const articleId = one("SELECT value FROM meta WHERE key = 'article_id'");
        const tables = db
          .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'v_*'")
          .all()
          .map((r) => String(r.name));
        const b = books.get(articleId) ?? {
          objects: 0,
          views: 0,
          rejections: 0,
          viewRows: 0,
          fixedRows: 0,
        };
        b.objects += 1;
        for (const t of tables) {
          b.views += one(`SELECT coalesce(sum(views), 0) FROM ${t}`);
          b.viewRows += one(`SELECT count(*) FROM ${t}`);
        }
        const rejected = one('SELECT coalesce(sum(count), 0) FROM rejections');
        b.rejections += rejected;
        b.viewRows += rejected;
        b.fixedRows +=
          one('SELECT count(*) FROM meta') +
          one('SELECT count(*) FROM salts') +
          one('SELECT count(*) FROM days') +
          tables.length;
        books.set(articleId, b);
      } finally {
        db.close();
      }
    }
  }
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
    const [daily, article] = await db.batch([
      db
        .prepare(
          'UPDATE article_views_daily SET views = views, visitors = visitors WHERE article_id = ?',
        )
        .bind(id),
      db
        .prepare(
          'UPDATE articles SET view_count = view_count, visitor_count = visitor_count WHERE id = ?',
        )
        .bind(id),
    ]);
    if (!daily!.meta.changes) continue;
    flushed += 1;
    rows += daily!.meta.rows_written + article!.meta.rows_written;
  }
  return flushed ? rows / flushed : NaN;
}
