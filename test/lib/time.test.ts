import { describe, expect, it } from 'vitest';
import {
  addDays,
  parseCalendarDate,
  startOfZonedDay,
  toZonedIso,
  zonedDateTime,
  zonedDay,
} from '../../src/lib/time';

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
