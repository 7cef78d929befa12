import { describe, expect, it } from 'vitest';
import { parseQuery, type ParsedQuery } from '../../src/search/query';
import { searchStatements, type SearchOptions } from '../../src/search/queries';
import { plan, tableScans, testDb } from '../helpers';

function parsed(raw: string): ParsedQuery {
  const result = parseQuery(raw);
  if (!result.ok) throw new Error(result.reason);
  return result.query;
}

const db = testDb();

async function plans(options: Partial<SearchOptions> & { query: ParsedQuery }) {
  const { page, count } = searchStatements(db, {
    now: new Date(0),
    sort: 'relevance',
    offset: 0,
    limit: 20,
    ...options,
  });
  return Promise.all([page, count].map((q) => plan({ toSQL: () => q })));
}

describe('search statements', () => {
  it.each([
    // FTS scans, each run once: the match, the second index's match (materialized, never
    // probed row by row), and one per index that holds excluded terms (a list).
    ['one-character index', '盘锦', 1],
    ['trigram index', '先行区', 1],
    ['both indexes', '2024年 盘锦', 2],
    ['with exclusions', '盘锦 -先行区 -医', 3],
  ])('start from the FTS match and read articles by primary key (%s)', async (_label, q, scans) => {
    for (const lines of await plans({ query: parsed(q), channelSlug: 'news', policyOnly: true })) {
      // The first table read is the index.
      expect(lines.find((l) => /^(?:SCAN|SEARCH) /.test(l))).toMatch(
        /^SCAN search_(?:trigram|unigram) VIRTUAL TABLE/,
      );
      expect(lines.filter((l) => /^SCAN search_\w+ VIRTUAL TABLE INDEX 0:M/.test(l))).toHaveLength(
        scans,
      );
      expect(lines.some((l) => /SEARCH articles USING INTEGER PRIMARY KEY/.test(l))).toBe(true);
      expect(tableScans(lines)).toEqual([]);
    }
  });
});
