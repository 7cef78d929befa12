/**
 * The one place Gazette reads the time. Product code calls `now()` / `nowDate()`; a lint rule
 * forbids `Date.now()` and argument-less `new Date()` everywhere else in `src/`, so a test that
 * pins this clock pins every path the code under test takes (requests, counter hits, alarms,
 * rollover, flushes, scheduled publishing).
 *
 * The platform itself keeps real time: Durable Object alarms fire by the wall clock. Code that
 * schedules one converts from this clock's timeline with `platformTime()`, so an alarm set
 * "60 s from now" under a pinned clock still fires 60 real seconds later (or when a test drives
 * it), not at once because the pinned instant lies in the real past.
 */

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

let current: Clock = systemClock;

export function now(): number {
  return current.now();
}

export function nowDate(): Date {
  return new Date(current.now());
}

/** A clock that reads `at` and then moves with real time, e.g. a test suite pinned to 2019. */
export function clockFrom(at: number): Clock {
  const offset = at - Date.now();
  return { now: () => Date.now() + offset };
}

/** A clock that stands still at `at` until it is set again. */
export function fixedClock(
  at: number,
): Clock & { set(at: number): void; advance(ms: number): void } {
  let value = at;
  return {
    now: () => value,
    set: (next) => {
      value = next;
    },
    advance: (ms) => {
      value += ms;
    },
  };
}

/**
 * Installs a clock for the whole isolate (worker requests and Durable Objects alike) and
 * returns the one it replaced. Tests and scripts call this; production never does.
 */
export function useClock(clock: Clock): Clock {
  const previous = current;
  current = clock;
  return previous;
}

/** This clock's instant `at`, on the platform's real timeline (for `setAlarm`). */
export function platformTime(at: number): number {
  return Date.now() + (at - current.now());
}

/** The platform's instant `at` (from `getAlarm`), on this clock's timeline. */
export function clockTime(platformAt: number): number {
  return platformAt - Date.now() + current.now();
}
