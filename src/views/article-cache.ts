import type { Database } from '../db/client';
import { TtlCache } from '../lib/ttl-cache';
import type { CountableArticle } from './queries';

/**
 * Which ids may be counted, remembered per isolate for a short while: the beacon is the
 * hottest write path and must not pay a D1 read per view. A publish or unpublish reaches
 * counting within `positiveTtlMs`; a legacy count change likewise.
 */
const positiveTtlMs = 30_000;
const negativeTtlMs = 5_000;
const maxEntries = 20_000;
/**
 * A miss also refreshes up to this many other entries that expire within `refreshAheadMs`, in
 * the same D1 read (at most `refreshAhead` ids in all, within D1's 100 bound parameters;
 * the batch read's 100 ids add none): over 1,000 articles each entry
 * expired before its article's next beacon, so a third of the beacons paid a D1 read of one
 * row; now one read in many renews the entries about to lapse. Freshness is never worse: an
 * entry is renewed early, never kept past its TTL. With the counter's salts read on wake
 * (counter.ts load), beacons over 1,000 articles in back-to-back bench runs (7 rounds of 4 s):
 * 8,349 against 6,278 µs/req of workerd CPU (0.75 ×); 5 rounds of 5 s: 7,420 against 5,768.
 */
const refreshAhead = 64;
const refreshAheadMs = 15_000;

const cache = new TtlCache<number, CountableArticle | null>(maxEntries);
const renewing = new Set<number>();

export async function countableArticles(
  db: Database,
  ids: number[],
  now: Date,
): Promise<Map<number, CountableArticle>> {
  const found = new Map<number, CountableArticle>();
  const misses: number[] = [];
  const t = now.getTime();
  for (const id of ids) {
    const entry = cache.get(id, t);
    if (entry) {
      if (entry.value) found.set(id, entry.value);
    } else {
      misses.push(id);
    }
  }
  if (misses.length) {
    // Loaded on the first miss, not with the module: src/views/counter.ts says why.
    const { findCountableArticles } = await import('./queries');
    const asked = new Set(misses);
    const room = Math.max(0, refreshAhead - misses.length);
    // Not the entries another beacon's read is renewing already (concurrent misses).
    const ahead = cache.expiringBefore(t + refreshAheadMs, room + renewing.size);
    for (const id of ahead.filter((id) => !renewing.has(id)).slice(0, room)) asked.add(id);
    const extra = [...asked].filter((id) => !misses.includes(id));
    for (const id of extra) renewing.add(id);
    try {
      const fresh = await findCountableArticles(db, [...asked], now);
      for (const id of asked) {
        const article = fresh.get(id) ?? null;
        cache.set(id, article, article ? positiveTtlMs : negativeTtlMs, t);
        if (article && misses.includes(id)) found.set(id, article);
      }
    } finally {
      for (const id of extra) renewing.delete(id);
    }
  }
  return found;
}

export type ArticleLookup =
  { ok: true; article: CountableArticle | null } | { ok: false; error: unknown };

/** One id, telling "not countable" apart from "D1 could not be asked". */
export async function lookupCountable(
  db: () => Database,
  id: number,
  now: Date,
): Promise<ArticleLookup> {
  try {
    return { ok: true, article: (await countableArticles(db(), [id], now)).get(id) ?? null };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * A counter answered a larger layout than the article row said (it just split): the article
 * object is the one this isolate's cache holds, so raising it here routes every later beacon
 * and read of this isolate by the new layout without waiting for the cache to expire.
 */
export function raiseLayout(article: { viewLayout?: number }, layout: number): void {
  if ((article.viewLayout ?? 1) < layout) article.viewLayout = layout;
}
