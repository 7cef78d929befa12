import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeCursor, encodeCursor, queryFingerprint } from '../../src/lib/cursor';
import { AppError } from '../../src/lib/errors';
import { createLogger } from '../../src/lib/logger';
import { dateBoundParam, idListParam, idOrSlugParam, limitParam } from '../../src/lib/params';
import { htmlToText, sanitizeArticleHtml } from '../../src/lib/sanitize';
import { siteConfig } from '../../src/lib/site';
import { isValidSlug, slugify } from '../../src/lib/slug';
import {
  addDays,
  parseCalendarDate,
  startOfZonedDay,
  toZonedIso,
  zonedDateTime,
  zonedDay,
} from '../../src/lib/time';

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

describe('time in the site zone', () => {
  const instant = new Date('2021-09-29T16:30:00Z');

  it('formats Asia/Shanghai wall time with its offset', () => {
    expect(toZonedIso(instant, 'Asia/Shanghai')).toBe('2021-09-30T00:30:00+08:00');
    expect(zonedDay(instant, 'Asia/Shanghai')).toBe('2021-09-30');
    expect(zonedDateTime(instant, 'Asia/Shanghai')).toBe('2021-09-30 00:30');
    expect(toZonedIso(instant, 'UTC')).toBe('2021-09-29T16:30:00+00:00');
    expect(toZonedIso(instant, 'America/St_Johns')).toBe('2021-09-29T14:00:00-02:30');
  });

  it('agrees with Intl minute by minute across offset changes', () => {
    const reference = (instant: Date, timeZone: string) => {
      const parts = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      }).formatToParts(instant);
      const get = (type: string) => parts.find((p) => p.type === type)!.value;
      return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
    };
    const cases: [string, string][] = [
      ['America/New_York', '2021-03-14T07:00:00Z'], // spring forward
      ['America/New_York', '2021-11-07T06:00:00Z'], // fall back
      ['Australia/Lord_Howe', '2021-04-04T15:00:00Z'], // a 30-minute change at a half hour
      ['Asia/Kathmandu', '1985-12-31T18:30:00Z'], // +05:30 to +05:45
      ['Asia/Shanghai', '1900-12-31T15:54:17Z'], // local mean time, +08:05:43
    ];
    let compared = 0;
    // Twice: the second pass reads the remembered offsets.
    for (let pass = 0; pass < 2; pass++) {
      for (const [zone, around] of cases) {
        const centre = Date.parse(around);
        for (let m = -150; m <= 150; m++) {
          const instant = new Date(centre + m * 60_000 + 17_000);
          expect(zonedDateTime(instant, zone), `${zone} ${instant.toISOString()}`).toBe(
            reference(instant, zone),
          );
          compared++;
        }
      }
    }
    expect(compared).toBe(2 * 5 * 301);
  });

  it('prints years before 100 and days next to the year 10000 with their real offsets', () => {
    const early = new Date('0050-06-01T00:00:00Z');
    early.setUTCFullYear(50);
    expect(toZonedIso(early, 'UTC')).toBe('0050-06-01T00:00:00+00:00');
    // Local mean time in Shanghai was +08:05:43; the printed offset is that, rounded.
    expect(toZonedIso(early, 'Asia/Shanghai')).toBe('0050-06-01T08:05:43+08:06');
    expect(toZonedIso(new Date('9999-12-31T20:00:00Z'), 'Asia/Shanghai')).toBe(
      '10000-01-01T04:00:00+08:00',
    );
  });

  it('finds the start of a local day, across DST changes too', () => {
    expect(startOfZonedDay('2021-09-30', 'Asia/Shanghai')!.toISOString()).toBe(
      '2021-09-29T16:00:00.000Z',
    );
    expect(startOfZonedDay('2021-03-14', 'America/New_York')!.toISOString()).toBe(
      '2021-03-14T05:00:00.000Z',
    );
    expect(startOfZonedDay('2021-03-15', 'America/New_York')!.toISOString()).toBe(
      '2021-03-15T04:00:00.000Z',
    );
    expect(startOfZonedDay('2021-02-30', 'Asia/Shanghai')).toBeNull();
  });

  it('parses calendar dates strictly and adds days across months and leap years', () => {
    expect(parseCalendarDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseCalendarDate('2100-02-29')).toBeNull();
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2021-12-31', 1)).toBe('2022-01-01');
    expect(addDays('9999-12-31', 1)).toBe('10000-01-01');
    expect(startOfZonedDay('10000-01-01', 'UTC')).toBeNull();
  });
});

describe('slugs', () => {
  it('makes Latin titles into words and everything else into day plus hash', () => {
    expect(slugify('Hello, World!')).toBe('hello-world');
    expect(slugify('Ça va très bien')).toBe('ca-va-tres-bien');
    expect(slugify('盘锦市召开会议', '2021-09-30')).toMatch(/^20210930-[a-z0-9]{6}$/);
    expect(slugify('盘锦市召开会议', '2021-09-30')).toBe(slugify('盘锦市召开会议', '2021-09-30'));
    expect(slugify('盘锦市召开会议', '2021-09-30')).not.toBe(
      slugify('盘锦市召开大会', '2021-09-30'),
    );
    expect(slugify('12345')).toMatch(/^a-[a-z0-9]{6}$/);
    expect(slugify('GDP 5%', '2021-01-01')).toBe('gdp-5');
  });

  it('cuts long Latin titles at a word boundary', () => {
    const slug = slugify('word '.repeat(30));
    expect(slug.length).toBeLessThanOrEqual(60);
    expect(slug).toMatch(/^word(?:-word)*$/);
  });

  it('never produces a slug that could be read as an id', () => {
    for (const title of ['1', '2021', '３０', '一二三', '', '---']) {
      const slug = slugify(title, '2021-09-30');
      expect(isValidSlug(slug), `${title} -> ${slug}`).toBe(true);
      expect(slug).not.toMatch(/^[0-9]+$/);
    }
    expect(isValidSlug('123')).toBe(false);
    expect(isValidSlug('a'.repeat(81))).toBe(false);
  });
});

describe('HTML helpers', () => {
  it('sanitizeArticleHtml strips scripts and handlers', () => {
    expect(sanitizeArticleHtml('<p onclick="x()">a<script>b()</script></p>')).toBe('<p>a</p>');
  });

  it('htmlToText gives readable text with entities decoded', () => {
    expect(htmlToText('<p>第一段</p><p>A &amp; B &lt;tag&gt;&nbsp;end</p>')).toBe(
      '第一段 A & B <tag> end',
    );
  });
});

describe('siteConfig', () => {
  it('reads the vars and falls back on bad values', () => {
    expect(
      siteConfig({ SITE_NAME: '盘锦', SITE_LANG: 'en-GB', SITE_TIME_ZONE: 'Europe/London' }),
    ).toEqual({
      name: '盘锦',
      lang: 'en',
      timeZone: 'Europe/London',
    });
    expect(siteConfig({ SITE_TIME_ZONE: 'Mars/Olympus' })).toEqual({
      name: 'Gazette',
      lang: 'zh-CN',
      timeZone: 'Asia/Shanghai',
    });
  });
});

describe('logger', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes one JSON line per event with the base fields, honouring the level', () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((l: unknown) => void lines.push(String(l)));
    vi.spyOn(console, 'error').mockImplementation((l: unknown) => void lines.push(String(l)));
    const logger = createLogger('info', { requestId: 'req-1' });
    logger.debug('hidden');
    logger.info('shown', { status: 200 });
    logger.error('broke');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { level: 'info', msg: 'shown', requestId: 'req-1', status: 200 },
      { level: 'error', msg: 'broke', requestId: 'req-1' },
    ]);
    lines.length = 0;
    createLogger('silent').error('nothing');
    expect(lines).toEqual([]);
  });
});
