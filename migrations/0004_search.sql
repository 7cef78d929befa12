-- Site search (src/search/index-writer.ts). Two contentless FTS5 tables over the same folded
-- text, keyed by article id: trigram for terms of three characters or more (detail=full, which
-- phrase queries need), unicode61 over text with every Han character spaced apart for one- and
-- two-character terms. Contentless: the text lives in articles; contentless_delete lets a
-- write remove an article's rows by id alone. Columns: title, subtitle, summary, body, meta
-- (source, author, 索引号, 文号, 发布机构). Virtual tables break `wrangler d1 export`
-- (workers-sdk #6305): `npm run search:rebuild` recreates the rows from articles.
CREATE VIRTUAL TABLE `search_trigram` USING fts5(title, subtitle, summary, body, meta, tokenize = 'trigram', detail = full, content = '', contentless_delete = 1);
--> statement-breakpoint
CREATE VIRTUAL TABLE `search_unigram` USING fts5(title, subtitle, summary, body, meta, tokenize = 'unicode61 remove_diacritics 2', detail = full, content = '', contentless_delete = 1);
