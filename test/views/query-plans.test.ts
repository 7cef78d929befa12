import { describe, expect, it } from 'vitest';
import {
  countableArticlesQuery,
  popularArticlesQuery,
  siteStatsStatements,
} from '../../src/views/queries';
import { plan, tableScans, testDb } from '../helpers';
import { nowDate } from '../../src/lib/clock';

const db = testDb();
const now = nowDate();

describe('EXPLAIN QUERY PLAN of the view queries', () => {
  it('checks countable articles by primary key', async () => {
    const lines = await plan(countableArticlesQuery(db, [1, 2, 3], now));
    expect(lines[0]).toMatch(/^SEARCH articles USING INTEGER PRIMARY KEY/);
    expect(tableScans(lines)).toEqual([]);
  });

  it.each([
    ['site-wide', undefined],
    ['in a channel subtree', 'news'],
  ])('ranks popular articles %s from the day index', async (_label, channelSlug) => {
    const lines = await plan(
      popularArticlesQuery(db, { now, fromDay: '2026-11-22', channelSlug, limit: 10 }),
    );
    expect(lines.join('\n')).toMatch(
      /SEARCH article_views_daily USING INDEX article_views_daily_day_idx \(day>\?\)/,
    );
    expect(tableScans(lines), lines.join('\n')).toEqual([]);
  });

  it('computes stats over a window of days through indexes', async () => {
    for (const statement of siteStatsStatements(db, {
      fromDay: '2026-11-01',
      toDay: '2026-11-28',
    })) {
      const lines = await plan(statement);
      expect(tableScans(lines), lines.join('\n')).toEqual([]);
    }
  });
});
