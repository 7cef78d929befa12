import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, queryFingerprint } from '../../src/lib/cursor';
import { AppError } from '../../src/lib/errors';

describe('cursor', () => {
  const fp = queryFingerprint({ channel: 'news', sort: 'latest' });

  it('round-trips a position', () => {
    const cursor = encodeCursor([1632960000000, 42], fp);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[a-z0-9]+$/);
    expect(decodeCursor(cursor, fp, ['instant', 'number'])).toEqual([1632960000000, 42]);
  });

  it('fingerprints the query, not the key order of undefined fields', () => {
    expect(queryFingerprint({ a: 1, b: undefined })).toBe(queryFingerprint({ a: 1 }));
    expect(queryFingerprint({ a: 1 })).not.toBe(queryFingerprint({ a: 2 }));
  });

  it.each([
    ['another query', () => encodeCursor([1, 2], queryFingerprint({ channel: 'other' }))],
    [
      'a flipped checksum',
      () => encodeCursor([1, 2], fp).replace(/\.(.)/, (_m, c) => `.${c === 'a' ? 'b' : 'a'}`),
    ],
    ['no checksum', () => encodeCursor([1, 2], fp).split('.')[0]!],
    ['a string where a number belongs', () => encodeCursor(['1', 2], fp)],
    ['an instant beyond what a Date holds', () => encodeCursor([8.64e15 + 1, 2], fp)],
    ['a fraction', () => encodeCursor([1, 2.5], fp)],
    ['too few fields', () => encodeCursor([1], fp)],
  ])('refuses %s with a 400 naming cursor', (_label, make) => {
    try {
      decodeCursor(make(), fp, ['instant', 'number']);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(400);
      expect((err as AppError).invalidParams?.[0]?.name).toBe('cursor');
    }
  });
});
