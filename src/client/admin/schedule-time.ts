import { parseCalendarDate, zoneOffsetMinutes } from '../../lib/time';

const localPattern = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/;

/**
 * The instant a `datetime-local` value (YYYY-MM-DDTHH:MM, seconds optional) names on the
 * zone's wall clock, or null when it is not one. Admin-only, so it lives in admin.js rather
 * than in src/lib/time.ts, whose code the worker bundle (with its size budget) carries.
 */
export function zonedLocalInstant(local: string, timeZone: string): Date | null {
  const m = localPattern.exec(local);
  const day = m ? parseCalendarDate(m[1]!) : null;
  if (!m || !day || Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4] ?? 0) > 59) return null;
  const wall = Date.UTC(day.year, day.month - 1, day.day, +m[2]!, +m[3]!, +(m[4] ?? 0));
  // Two passes settle the offset even next to a DST change.
  const first = wall - zoneOffsetMinutes(new Date(wall), timeZone) * 60000;
  return new Date(wall - zoneOffsetMinutes(new Date(first), timeZone) * 60000);
}
