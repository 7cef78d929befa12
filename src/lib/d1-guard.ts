import { AppError } from './errors';

/** How long a request waits for one D1 call before it gives up with a 503. */
export const defaultD1DeadlineMs = 3000;
/** What a client is told to wait before it tries again after a storage failure. */
export const storageRetryAfterSeconds = 10;

export function d1DeadlineMs(env: { D1_DEADLINE_MS?: string } | undefined): number {
  const ms = Number(env?.D1_DEADLINE_MS ?? defaultD1DeadlineMs);
  return Number.isFinite(ms) && ms > 0 ? Math.floor(ms) : defaultD1DeadlineMs;
}

export class StorageUnavailableError extends AppError {
  constructor(detail: string, cause?: unknown) {
    super('storage_unavailable', {
      detail,
      cause,
      headers: { 'Retry-After': String(storageRetryAfterSeconds) },
    });
  }
}

/** A constraint violation is the caller's conflict, which the write commands turn into a 409. */
const constraintFailure = /constraint failed|SQLITE_CONSTRAINT/i;

function guarded<T>(call: () => Promise<T>, deadlineMs: number | null): Promise<T> {
  const work = call().catch((err: unknown) => {
    if (constraintFailure.test(String(err))) throw err;
    throw new StorageUnavailableError('The database did not answer; try again shortly.', err);
  });
  if (deadlineMs === null) return work;
  // scheduler.wait, not setTimeout and clearTimeout: nodejs_compat's timers (a Timeout object
  // made and cleared per D1 call) were about 4 % of the article JSON route's CPU samples under
  // load, and A/B over 11 rounds put the read at 0.965 × the CPU per request without them
  // (2026-12-01). The wait is left to run out: its rejection lands on a settled race.
  const deadline = scheduler.wait(deadlineMs).then(() => {
    throw new StorageUnavailableError(
      `The database did not answer within ${deadlineMs} ms; try again shortly.`,
    );
  });
  return Promise.race([work, deadline]);
}

type Statement = D1PreparedStatement;

/**
 * A D1 session (or binding) whose every call ends within `deadlineMs` and fails as one
 * catalogued problem: storage_unavailable (503, Retry-After), which the public cache layer
 * answers from a stale copy when it has one. Constraint violations pass through untouched.
 * Hand-written because no library wraps D1: the statement objects are the platform's, so
 * batch() gets the originals back (the binding reads their internals).
 *
 * `deadlineMs: null` maps failures but sets no deadline: a write that timed out here might
 * still commit, so the write path is not cut short.
 */
export function guardD1<T extends D1Database | D1DatabaseSession>(
  d1: T,
  deadlineMs: number | null,
): T {
  const originals = new WeakMap<object, Statement>();
  const wrap = (stmt: Statement): Statement => {
    const wrapped: Statement = {
      bind: (...values: unknown[]) => wrap(stmt.bind(...values)),
      first: ((column?: string) =>
        guarded(
          () => (column === undefined ? stmt.first() : stmt.first(column)),
          deadlineMs,
        )) as Statement['first'],
      all: (() => guarded(() => stmt.all(), deadlineMs)) as Statement['all'],
      raw: ((options?: { columnNames?: boolean }) =>
        guarded(() => stmt.raw(options as { columnNames: true }), deadlineMs)) as Statement['raw'],
      run: (() => guarded(() => stmt.run(), deadlineMs)) as Statement['run'],
    } as Statement;
    originals.set(wrapped, stmt);
    return wrapped;
  };
  const session = {
    prepare: (query: string) => wrap(d1.prepare(query)),
    batch: (statements: Statement[]) =>
      guarded(() => d1.batch(statements.map((s) => originals.get(s) ?? s)), deadlineMs),
    exec: (query: string) => guarded(() => (d1 as D1Database).exec(query), deadlineMs),
    getBookmark: () => (d1 as D1DatabaseSession).getBookmark?.() ?? null,
    withSession: (constraint?: string) =>
      guardD1((d1 as D1Database).withSession(constraint), deadlineMs),
  };
  return session as unknown as T;
}
