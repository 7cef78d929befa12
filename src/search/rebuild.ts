import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Database } from '../db/client';
import { articles } from '../db/schema';
import { searchIndexStatements } from './index-writer';
import { searchTables } from './tables';

/** Articles per batch: four statements each, so a batch stays around a hundred statements. */
const pageSize = 25;

export interface RebuildResult {
  indexed: number;
  removed: number;
}

/**
 * Rebuilds the search index from the articles table, e.g. after a restore (backups skip the
 * FTS tables: `wrangler d1 export` cannot read virtual tables, workers-sdk #6305). Each
 * article's rows are replaced in place and stale rows are swept at the end, so search keeps
 * answering while it runs. Safe to run again; it changes nothing on an index that is right.
 */
export async function rebuildSearchIndex(
  db: Database,
  options: { onProgress?: (indexed: number) => void } = {},
): Promise<RebuildResult> {
  let after = 0;
  let indexed = 0;
  for (;;) {
    const rows = await db
      .select({
        id: articles.id,
        status: articles.status,
        title: articles.title,
        subtitle: articles.subtitle,
        summary: articles.summary,
        body: articles.body,
        source: articles.source,
        author: articles.author,
        indexNumber: articles.indexNumber,
        documentNumber: articles.documentNumber,
        issuingBody: articles.issuingBody,
      })
      .from(articles)
      .where(and(eq(articles.status, 'published'), gt(articles.id, after)))
      .orderBy(asc(articles.id))
      .limit(pageSize);
    if (!rows.length) break;
    const statements = rows.flatMap((row) => searchIndexStatements(db, row));
    await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
    indexed += rows.length;
    after = rows.at(-1)!.id;
    options.onProgress?.(indexed);
  }
  // Rows of articles that were deleted or are no longer published. (D1's change count for an
  // FTS delete includes the index's own shadow tables, so the stale ids are counted first.)
  const published = sql`(select id from articles where status = 'published')`;
  const [stale] = await db.batch([
    db
      .select({ n: sql<number>`count(*)` })
      .from(
        sql`(select rowid as id from search_trigram union select rowid from search_unigram) as indexed`,
      )
      .where(sql`indexed.id not in ${published}`),
    ...searchTables.map((table) => db.delete(table).where(sql`${table.rowid} not in ${published}`)),
  ]);
  const removed = stale[0]?.n ?? 0;
  return { indexed, removed };
}
