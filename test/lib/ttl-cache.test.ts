import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../src/lib/ttl-cache';

describe('TtlCache', () => {
  it('answers an entry until its lifetime ends, then misses', () => {
    const cache = new TtlCache<string, number>(10);
    cache.set('a', 1, 1000, 5000);
    expect(cache.get('a', 5999)).toEqual({ value: 1 });
    expect(cache.get('a', 6000)).toBeUndefined();
    expect(cache.get('b', 5000)).toBeUndefined();
  });

  it('tells a cached null from a miss', () => {
    const cache = new TtlCache<number, string | null>(10);
    cache.set(1, null, 1000, 0);
    expect(cache.get(1, 10)).toEqual({ value: null });
  });

  it('starts over when a new key would pass the bound, and lets updates in place', () => {
    const cache = new TtlCache<number, number>(2);
    cache.set(1, 1, 1000, 0);
    cache.set(2, 2, 1000, 0);
    cache.set(2, 3, 1000, 0);
    expect(cache.size).toBe(2);
    expect(cache.get(2, 0)).toEqual({ value: 3 });
    cache.set(3, 3, 1000, 0);
    expect(cache.size).toBe(1);
    expect(cache.get(1, 0)).toBeUndefined();
    expect(cache.get(3, 0)).toEqual({ value: 3 });
  });

  it('keeps an expired entry as a stale stand-in until it is replaced or cleared', () => {
    const cache = new TtlCache<string, number>(10);
    cache.set('a', 1, 1000, 0);
    expect(cache.get('a', 2000)).toBeUndefined();
    expect(cache.stale('a')).toEqual({ value: 1 });
    expect(cache.stale('b')).toBeUndefined();
  });

  it('names the entries that expire before a moment, least recently set first, up to a bound', () => {
    const cache = new TtlCache<string, number>(10);
    cache.set('a', 1, 1000, 0);
    cache.set('b', 2, 1000, 500);
    cache.set('c', 3, 5000, 0);
    // Set again: renewed, and moved behind the others.
    cache.set('a', 1, 1000, 900);
    expect(cache.expiringBefore(1600, 10)).toEqual(['b']);
    expect(cache.expiringBefore(2000, 10)).toEqual(['b', 'a']);
    expect(cache.expiringBefore(2000, 1)).toEqual(['b']);
    expect(cache.expiringBefore(100, 10)).toEqual([]);
  });
});
