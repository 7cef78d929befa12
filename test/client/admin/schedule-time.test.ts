import { describe, expect, it } from 'vitest';
import { zonedLocalInstant } from '../../../src/client/admin/schedule-time';

describe('zonedLocalInstant (the schedule picker)', () => {
  it("reads the picker's value as the site zone's wall clock, to the second", () => {
    const at = (local: string, zone: string) => zonedLocalInstant(local, zone)?.toISOString();
    expect(at('2026-12-02T03:20', 'Asia/Shanghai')).toBe('2026-12-01T19:20:00.000Z');
    expect(at('2026-12-02T03:20:05', 'Asia/Shanghai')).toBe('2026-12-01T19:20:05.000Z');
    // Either side of New York's spring-forward hour (02:00 EST becomes 03:00 EDT).
    expect(at('2021-03-14T01:30', 'America/New_York')).toBe('2021-03-14T06:30:00.000Z');
    expect(at('2021-03-14T03:30', 'America/New_York')).toBe('2021-03-14T07:30:00.000Z');
  });

  it('answers null for what is not a date-time', () => {
    expect(zonedLocalInstant('2021-02-30T10:00', 'Asia/Shanghai')).toBeNull();
    expect(zonedLocalInstant('2021-09-30T24:00', 'Asia/Shanghai')).toBeNull();
    expect(zonedLocalInstant('2021-09-30', 'Asia/Shanghai')).toBeNull();
  });
});
