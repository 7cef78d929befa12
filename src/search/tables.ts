import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The FTS tables as drizzle sees them, for inserts and deletes that join a command's batch
 * (drizzle's raw statements cannot be batched with bound values). Kept out of src/db/schema.ts:
 * drizzle-kit cannot create virtual tables; the custom migration does.
 */
function ftsTable<N extends string>(name: N) {
  return sqliteTable(name, {
    rowid: integer('rowid').notNull(),
    title: text('title').notNull(),
    subtitle: text('subtitle').notNull(),
    summary: text('summary').notNull(),
    body: text('body').notNull(),
    meta: text('meta').notNull(),
  });
}

export const searchTrigram = ftsTable('search_trigram');
export const searchUnigram = ftsTable('search_unigram');
export const searchTables = [searchTrigram, searchUnigram] as const;
