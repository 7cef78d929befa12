/** Calendar and clock arithmetic in the site's time zone, with nothing but Intl (workerd has full ICU). */

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    partsFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClockFromIntl(instant: Date, timeZone: string): WallClock {
  const out: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') out[part.type] = Number(part.value);
  }
  return {
    year: out.year!,
    month: out.month!,
    day: out.day!,
    hour: out.hour!,
    minute: out.minute!,
    second: out.second!,
  };
}

/** The zone's offset (ms, possibly with seconds in old local mean times) at a whole second. */
function offsetFromIntl(secondMs: number, timeZone: string): number {
  const w = wallClockFromIntl(new Date(secondMs), timeZone);
  const wall = new Date(Date.UTC(2000, w.month - 1, w.day, w.hour, w.minute, w.second));
  wall.setUTCFullYear(w.year); // Date.UTC would read years 0-99 as 1900-1999
  return wall.getTime() - secondMs;
}

const hourMs = 3_600_000;
/** The last instant a Date can hold; hours next to it are left to Intl. */
const maxDateMs = 8.64e15;
const offsetsByHour = new Map<string, Map<number, number | null>>();

/**
 * formatToParts costs several microseconds and every date a page or feed prints needs it, so the
 * offset is remembered per zone and UTC hour. An hour is only trusted when the offset at its
 * start equals the one at the next hour's start (no transition inside); hours with a
 * transition (null) fall back to Intl for each instant.
 */
function cachedOffset(instantMs: number, timeZone: string): number {
  const hour = Math.floor(instantMs / hourMs);
  let zone = offsetsByHour.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsetsByHour.set(timeZone, zone);
  }
  let offset = zone.get(hour);
  if (offset === undefined) {
    const atStart = offsetFromIntl(hour * hourMs, timeZone);
    const atEnd = offsetFromIntl((hour + 1) * hourMs, timeZone);
    offset = atStart === atEnd ? atStart : null;
    if (zone.size >= 10_000) zone.clear();
    zone.set(hour, offset);
  }
  return offset ?? offsetFromIntl(Math.floor(instantMs / 1000) * 1000, timeZone);
}

/** The zone's offset at the instant in ms, or null where only Intl can say (near Date's limits). */
function offsetAt(ms: number, timeZone: string): number | null {
  if (!Number.isFinite(ms) || Math.abs(ms) > maxDateMs - 2 * 86_400_000) return null;
  return cachedOffset(ms, timeZone);
}

function wallClock(instant: Date, timeZone: string): WallClock {
  const ms = instant.getTime();
  const offset = offsetAt(ms, timeZone);
  if (offset === null) return wallClockFromIntl(instant, timeZone);
  const local = new Date(Math.floor(ms / 1000) * 1000 + offset);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}

/** Offset of the zone from UTC at that instant, in minutes (Asia/Shanghai: +480). */
export function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  const ms = instant.getTime();
  const offset = offsetAt(ms, timeZone) ?? offsetFromIntl(Math.floor(ms / 1000) * 1000, timeZone);
  return Math.round(offset / 60000);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** RFC 3339 in the site's zone, e.g. 2021-09-30T10:00:00+08:00: still one exact instant, but readable locally. */
export function toZonedIso(instant: Date, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  const offset = zoneOffsetMinutes(instant, timeZone);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The calendar day (YYYY-MM-DD) that the instant falls on in the zone. */
export function zonedDay(instant: Date, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** Human form used on pages: 2021-09-30 10:00. */
export function zonedDateTime(instant: Date, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}`;
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses YYYY-MM-DD strictly: 2021-02-30 is rejected rather than rolled over into March. */
export function parseCalendarDate(
  value: string,
): { year: number; month: number; day: number } | null {
  const m = datePattern.exec(value);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (
    year < 1900 ||
    year > 9999 ||
    probe.getUTCFullYear() !== year ||
    probe.getUTCMonth() !== month - 1 ||
    probe.getUTCDate() !== day
  ) {
    return null;
  }
  return { year, month, day };
}

/** The instant at which the given local calendar day starts in the zone. */
export function startOfZonedDay(date: string, timeZone: string): Date | null {
  const parsed = parseCalendarDate(date);
  if (!parsed) return null;
  const guess = Date.UTC(parsed.year, parsed.month - 1, parsed.day);
  // Two passes settle the offset even when the day starts next to a DST change.
  let instant = guess - zoneOffsetMinutes(new Date(guess), timeZone) * 60000;
  instant = guess - zoneOffsetMinutes(new Date(instant), timeZone) * 60000;
  return new Date(instant);
}

export function addDays(date: string, days: number): string {
  const parsed = parseCalendarDate(date);
  if (!parsed) throw new RangeError(`not a calendar date: ${date}`);
  const d = new Date(Date.UTC(parsed.year, parsed.month - 1, parsed.day + days));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}
