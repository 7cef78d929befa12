import { env } from 'cloudflare:workers';
import { clockFrom, useClock } from '../src/lib/clock';

/**
 * Every workerd test file runs on a pinned clock, never on today's date: `npm test` runs the
 * suite twice, under each of these, years apart, so a test that secretly depends on the real
 * date fails under one of them. Both sit on calendar edges: `past` is 2019-12-31 in UTC but
 * already 2020-01-01 in the site's Asia/Shanghai; `future` is the last day of a month, hours
 * after Europe's spring DST change.
 */
export const pinnedClocks = {
  past: Date.UTC(2019, 11, 31, 23, 0, 0),
  future: Date.UTC(2041, 2, 31, 3, 30, 0),
} as const;

const name = (env.TEST_CLOCK ?? 'past') as keyof typeof pinnedClocks;
if (!(name in pinnedClocks))
  throw new Error(`TEST_CLOCK must be one of ${Object.keys(pinnedClocks)}`);
useClock(clockFrom(pinnedClocks[name]));
