/**
 * A per-isolate map whose entries expire, bounded by clearing it whole when it would grow past
 * `maxEntries` (cheap, and a cold start costs the same). Times are the caller's epoch ms, read
 * through src/lib/clock.ts. Hand-written: lru-cache and the like weigh more than the twenty
 * lines here, and recency ordering buys nothing for caches of a few seconds.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { expires: number; value: V }>();

  constructor(private readonly maxEntries: number) {}

  /** The entry still fresh at `now`, wrapped so that a cached null or undefined is a hit. */
  get(key: K, now: number): { value: V } | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expires > now ? { value: entry.value } : undefined;
  }

  /** The entry however old: a last known value to stand in when a fresh one cannot be had. */
  stale(key: K): { value: V } | undefined {
    const entry = this.entries.get(key);
    return entry && { value: entry.value };
  }

  set(key: K, value: V, ttlMs: number, now: number): void {
    if (!this.entries.delete(key) && this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { expires: now + ttlMs, value });
  }

  /**
   * Up to `max` keys whose entries expire before `by` (expired ones included), from the least
   * recently set; a bounded look at the front of the map (set() moves a key to the back).
   */
  expiringBefore(by: number, max: number): K[] {
    const keys: K[] = [];
    let looked = 0;
    for (const [key, entry] of this.entries) {
      if (keys.length >= max || ++looked > max * 4) break;
      if (entry.expires < by) keys.push(key);
    }
    return keys;
  }

  get size(): number {
    return this.entries.size;
  }
}
