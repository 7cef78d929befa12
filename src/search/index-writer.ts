import { eq, sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Database } from '../db/client';
import type { ArticleStatus } from '../db/schema';
import { fold, spaceIdeographs } from './normalize';
import { searchTables, searchTrigram, searchUnigram } from './tables';
import { htmlText } from './text';

/**
 * The search index follows every write in the write's own D1 batch (one transaction): a
 * command appends these statements to its batch, so a published article is findable the
 * moment the batch commits and an unpublished one is gone at the same moment.
 *
 * Two contentless FTS5 tables (migrations/0004_search.sql) hold the same folded text:
 * - search_trigram (trigram tokenizer, detail=full) answers terms of three characters or more;
 * - search_unigram (unicode61 over text with every Han character spaced apart) answers one-
 *   and two-character terms, as one- and two-token phrases.
 * Both are keyed by the article id (rowid) and hold published articles only; what is public
 * right now (published_at <= now), the channel and the dates are read from `articles` at
 * query time, so rescheduling or moving an article needs no index write.
 */

/** An article's fields as stored (body is the sanitized HTML). */
export interface SearchableArticle {
  /**
   * The article id, or an SQL expression that yields it inside the same batch, e.g.
   * sql`(select id from articles where slug = ${slug})` for an article the batch inserts.
   */
  id: number | SQL;
  status: ArticleStatus;
  title: string;
  subtitle?: string | null;
  summary?: string | null;
  body: string;
  source?: string | null;
  author?: string | null;
  /** 索引号, 文号, 发布机构: searchable like the rest, weighted like the summary. */
  indexNumber?: string | null;
  documentNumber?: string | null;
  issuingBody?: string | null;
}

/** The folded column values: title, subtitle, summary, body, meta (the tables' column order). */
export function searchDocument(article: SearchableArticle): string[] {
  const meta = [
    article.source,
    article.author,
    article.indexNumber,
    article.documentNumber,
    article.issuingBody,
  ]
    .filter((v): v is string => Boolean(v))
    .join(' ');
  return [
    article.title,
    article.subtitle ?? '',
    article.summary ?? '',
    htmlText(article.body),
    meta,
  ].map(fold);
}

function idValue(id: number | SQL): number | SQL<number> {
  return typeof id === 'number' ? id : sql<number>`(${id})`;
}

/** Statements that remove the article from the index (a no-op when it is not there). */
export function searchRemovalStatements(
  db: Database,
  articleId: number | SQL,
): BatchItem<'sqlite'>[] {
  return searchTables.map((table) => db.delete(table).where(eq(table.rowid, idValue(articleId))));
}

/**
 * Statements that make the index agree with the article as stored: its rows replaced when it
 * is published (scheduled ones too; queries hide them until their time), removed otherwise.
 */
export function searchIndexStatements(
  db: Database,
  article: SearchableArticle,
): BatchItem<'sqlite'>[] {
  const removal = searchRemovalStatements(db, article.id);
  if (article.status !== 'published') return removal;
  const rowid = idValue(article.id);
  const [title, subtitle, summary, body, meta] = searchDocument(article) as [
    string,
    string,
    string,
    string,
    string,
  ];
  return [
    ...removal,
    db.insert(searchTrigram).values({ rowid, title, subtitle, summary, body, meta }),
    db.insert(searchUnigram).values({
      rowid,
      title: spaceIdeographs(title),
      subtitle: spaceIdeographs(subtitle),
      summary: spaceIdeographs(summary),
      body: spaceIdeographs(body),
      meta: spaceIdeographs(meta),
    }),
  ];
}
