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
}

const cache = new WeakMap<object, ViewSettings>();

function seconds(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) && n >= 0 ? n : fallback;
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
  };
  cache.set(env, settings);
  return settings;
}
