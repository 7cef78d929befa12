import { describe, expect, it } from 'vitest';
import { dateBoundParam, idListParam, idOrSlugParam, limitParam } from '../../src/lib/params';

describe('parameter validators', () => {
  it('limitParam defaults, bounds and parses', () => {
    const limit = limitParam(100, 20);
    expect(limit.parse(undefined)).toBe(20);
    expect(limit.parse('1')).toBe(1);
    expect(limit.parse('100')).toBe(100);
    expect(limit.parse('007')).toBe(7);
    for (const bad of ['0', '101', '-1', 'abc', '', '1.0', '10000']) {
      expect(limit.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('idListParam sorts, deduplicates and caps', () => {
    const ids = idListParam(3);
    expect(ids.parse('3,1,3')).toEqual([1, 3]);
    expect(ids.parse('30,2,10')).toEqual([2, 10, 30]);
    expect(ids.safeParse('1,2,3,4').success).toBe(false);
    expect(ids.safeParse('1,1,1,1').success).toBe(false);
    expect(ids.safeParse('9007199254740993').success).toBe(false);
  });

  it('idOrSlugParam tells ids from slugs', () => {
    expect(idOrSlugParam().parse('42')).toEqual({ id: 42 });
    expect(idOrSlugParam().parse('20210930-k3f9x2')).toEqual({ slug: '20210930-k3f9x2' });
    expect(idOrSlugParam().parse('hello-world')).toEqual({ slug: 'hello-world' });
    expect(idOrSlugParam().safeParse('0').success).toBe(false);
    expect(idOrSlugParam().safeParse('-').success).toBe(false);
  });

  it('dateBoundParam takes real days and RFC 3339 instants only', () => {
    expect(dateBoundParam().parse('2024-02-29')).toEqual({ kind: 'date', date: '2024-02-29' });
    expect(dateBoundParam().parse('2021-09-30T10:00:00+08:00')).toEqual({
      kind: 'instant',
      instant: new Date('2021-09-30T02:00:00Z'),
    });
    expect(dateBoundParam().parse('2021-09-30t02:00:00.5z')).toEqual({
      kind: 'instant',
      instant: new Date('2021-09-30T02:00:00.500Z'),
    });
    expect(dateBoundParam().parse('2021-09-30T10:00 08:00')).toEqual({
      kind: 'instant',
      instant: new Date('2021-09-30T02:00:00Z'),
    });
    for (const bad of [
      '2023-02-29',
      '2021-04-31',
      '2021-09-30T10:00:00',
      '2021-09-30 10:00:00Z',
      '30/09/2021',
    ]) {
      expect(dateBoundParam().safeParse(bad).success, bad).toBe(false);
    }
  });
});
