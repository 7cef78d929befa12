import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  articleLayout,
  inClass,
  layoutFor,
  maxLayout,
  parentOf,
  shardOf,
} from '../../src/views/layout';
import { viewSettings } from '../../src/views/settings';

const layouts = fc.constantFrom(1, 2, 4, 8, 16, 32);
const buckets = fc.integer({ min: 0, max: 2 ** 32 - 1 });

describe('counter layouts', () => {
  it('keeps a bucket on its shard or moves it to shard + L when the layout doubles', () => {
    fc.assert(
      fc.property(buckets, layouts, (b, l) => {
        const before = shardOf(b, l);
        expect([before, before + l]).toContain(shardOf(b, l * 2));
      }),
    );
  });

  it('puts every bucket in the class of its shard, and each class inside its parent', () => {
    fc.assert(
      fc.property(buckets, fc.constantFrom(1, 2, 4, 8, 16, 32, 64), (b, l) => {
        const shard = shardOf(b, l);
        expect(inClass(b, shard)).toBe(true);
        expect(inClass(b, parentOf(shard))).toBe(true);
        expect(parentOf(shard)).toBeLessThan(Math.max(1, shard));
      }),
    );
  });

  it('names the parent of a shard as itself without its highest bit', () => {
    expect([1, 2, 3, 5, 6, 12, 63].map(parentOf)).toEqual([0, 0, 1, 1, 2, 4, 31]);
    expect(parentOf(0)).toBe(0);
  });

  it('rounds an operator floor up to a power of two and never goes below the own layout', () => {
    expect([1, 2, 3, 4, 5, 16, 100].map(layoutFor)).toEqual([1, 2, 4, 4, 8, 16, maxLayout]);
    expect(articleLayout({ viewShards: 3 })).toBe(4);
    expect(articleLayout({ viewShards: 1, viewLayout: 8 })).toBe(8);
    expect(articleLayout({ viewShards: 16, viewLayout: 2 })).toBe(16);
  });

  it('reads the split threshold and the cap from the environment, with defaults', () => {
    expect(viewSettings({})).toMatchObject({ splitHitsPerSecond: 250, maxShards: 16 });
    expect(viewSettings({ VIEW_SPLIT_HITS_PER_SECOND: '0', VIEW_MAX_SHARDS: '20' })).toMatchObject({
      splitHitsPerSecond: 0,
      maxShards: 16,
    });
    expect(viewSettings({ VIEW_MAX_SHARDS: '500' }).maxShards).toBe(64);
    expect(viewSettings({ VIEW_MAX_SHARDS: 'x' }).maxShards).toBe(16);
  });
});
