import { layoutFor, maxLayout } from './layout';
import { countOrigins } from './visitor';

export interface ViewSettings {
  /** A reader's repeat views within this window count once (VIEW_DEDUPE_SECONDS, 1800). */
  dedupeMs: number;
  /** Counters write D1 at most this long after a change (VIEW_FLUSH_SECONDS, 60, at most 60). */
  flushMs: number;
  /** Distinct visitors one IP may add to one article per day (VIEW_IP_VISITOR_CAP, 20). */
  ipVisitorCap: number;
  /** Other sites whose pages may count (VIEW_COUNT_ORIGINS); empty allows any. */
  countOrigins: Set<string>;
  /**
   * Hits a second one shard must sustain over a 10 s window before the article's layout
   * doubles by itself (VIEW_SPLIT_HITS_PER_SECOND, 250; 0 turns automatic sharding off).
   */
  splitHitsPerSecond: number;
  /** The most shards automatic sharding reaches (VIEW_MAX_SHARDS, 16, a power of two ≤ 64). */
  maxShards: number;
}

const cache = new WeakMap<object, ViewSettings>();

function seconds(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** Layouts are powers of two: a cap of 20 shards is 16, one above 64 is 64, 0 is the default. */
function roundDownToLayout(cap: number): number {
  if (cap < 1) return 16;
  const up = layoutFor(cap);
  return up > cap ? up / 2 : Math.min(up, maxLayout);
}

/** The operator's knobs from wrangler.toml [vars]; a bad value falls back to the default. */
export function viewSettings(env: Partial<Env>): ViewSettings {
  const cached = cache.get(env);
  if (cached) return cached;
  const flush = seconds(env.VIEW_FLUSH_SECONDS, 60);
  const cap = Math.floor(seconds(env.VIEW_IP_VISITOR_CAP, 20));
  const settings: ViewSettings = {
    dedupeMs: seconds(env.VIEW_DEDUPE_SECONDS, 1800) * 1000,
    flushMs: (flush > 0 ? Math.min(flush, 60) : 60) * 1000,
    ipVisitorCap: cap > 0 ? cap : 20,
    countOrigins: countOrigins(env.VIEW_COUNT_ORIGINS),
    splitHitsPerSecond: seconds(env.VIEW_SPLIT_HITS_PER_SECOND, 250),
    maxShards: roundDownToLayout(Math.floor(seconds(env.VIEW_MAX_SHARDS, 16))),
  };
  cache.set(env, settings);
  return settings;
}
