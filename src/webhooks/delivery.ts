import { DurableObject } from 'cloudflare:workers';
import { now, platformTime } from '../lib/clock';
import { createLogger } from '../lib/logger';
import type { WebhookEventType } from './events';
import { signatureHeader, signatureHeaderName } from './signing';

interface OutboundBinding {
  /**
   * Optional: a service deliveries are sent through (an egress proxy with fixed addresses,
   * or the tests' receiver). Unbound, the delivery object fetches the hook's URL itself.
   */
  WEBHOOK_OUTBOUND?: Fetcher;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Env extends OutboundBinding {}
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Cloudflare {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Env extends OutboundBinding {}
  }
}

/** One delivery as the write side hands it over: the body is final, signed per attempt. */
export interface NewDelivery {
  id: string;
  eventId: string;
  type: WebhookEventType;
  hookId: number;
  url: string;
  secret: string;
  body: string;
  createdAt: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

export interface DeliveryAttempt {
  n: number;
  at: number;
  durationMs: number;
  /** The receiver's HTTP status; null when no answer came (network error, timeout). */
  status: number | null;
  error: string | null;
}

export interface DeliveryRecord {
  id: string;
  eventId: string;
  type: WebhookEventType;
  url: string;
  status: DeliveryStatus;
  createdAt: number;
  nextAttemptAt: number | null;
  completedAt: number | null;
  attempts: DeliveryAttempt[];
}

export interface DeliveryPage {
  data: DeliveryRecord[];
  /** Pass as `before` for the next (older) page: `<createdAt>~<id>`, so equal instants page right. */
  nextBefore: string | null;
}

/** Retries: 30 s, doubling to at most 2 h, for a day after the event; then the delivery fails. */
export const retryPolicy = {
  firstRetryMs: 30_000,
  maxRetryMs: 2 * 3_600_000,
  giveUpAfterMs: 24 * 3_600_000,
  timeoutMs: 10_000,
  /** Deliveries attempted side by side in one alarm. */
  batch: 10,
  /** Finished deliveries (and their attempts) are kept this long for the log. */
  keepMs: 30 * 24 * 3_600_000,
} as const;

export function retryDelayMs(attempt: number): number {
  return Math.min(retryPolicy.firstRetryMs * 2 ** (attempt - 1), retryPolicy.maxRetryMs);
}

const maxErrorLength = 300;

interface DeliveryRow extends Record<string, SqlStorageValue> {
  id: string;
  event_id: string;
  type: string;
  url: string;
  secret: string;
  body: string;
  status: string;
  attempts: number;
  created_at: number;
  next_attempt_at: number | null;
  completed_at: number | null;
}

/**
 * The outbound queue of one webhook: every delivery and every attempt, in this object's
 * SQLite, driven by its alarm. One object per hook, so a slow or dead receiver delays only
 * its own deliveries.
 *
 * Idempotent: a delivery's id is derived from the event, so enqueueing it again is a no-op;
 * an alarm that runs twice finds nothing due the second time; an attempt's outcome is written
 * in one synchronous transaction, and only while the delivery is still pending (a disable or
 * delete that arrived during the request wins). Receivers still dedupe on the event id: an
 * alarm that dies after the receiver answered but before the write repeats that attempt.
 */
export class WebhookDelivery extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => this.migrate());
  }

  private migrate() {
    this.sql.exec(`
        CREATE TABLE IF NOT EXISTS deliveries (
          id TEXT PRIMARY KEY, event_id TEXT NOT NULL, type TEXT NOT NULL, url TEXT NOT NULL,
          secret TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
          created_at INTEGER NOT NULL, next_attempt_at INTEGER, completed_at INTEGER
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_attempt_at);
        CREATE INDEX IF NOT EXISTS deliveries_created ON deliveries (created_at);
        CREATE TABLE IF NOT EXISTS attempts (
          delivery_id TEXT NOT NULL, n INTEGER NOT NULL, at INTEGER NOT NULL,
          duration_ms INTEGER NOT NULL, status INTEGER, error TEXT, PRIMARY KEY (delivery_id, n)
        ) WITHOUT ROWID;
      `);
  }

  /** Queues a delivery and wakes at once; a delivery already known is left as it is. */
  async enqueue(delivery: NewDelivery): Promise<{ queued: boolean }> {
    const inserted = this.sql.exec(
      `INSERT INTO deliveries (id, event_id, type, url, secret, body, status, attempts, created_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id`,
      delivery.id,
      delivery.eventId,
      delivery.type,
      delivery.url,
      delivery.secret,
      delivery.body,
      delivery.createdAt,
      now(),
    );
    const queued = inserted.toArray().length > 0;
    if (queued) await this.wakeAt(now());
    return { queued };
  }

  /** A disabled hook's pending deliveries stop; they stay in the log as cancelled. */
  async cancelPending(): Promise<{ cancelled: number }> {
    const cancelled = this.sql
      .exec(
        `UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, completed_at = ?
         WHERE status = 'pending' RETURNING id`,
        now(),
      )
      .toArray().length;
    await this.ctx.storage.deleteAlarm();
    return { cancelled };
  }

  /** A deleted hook leaves nothing behind. */
  async purge(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // The object may be asked again (a stale enqueue): it answers from empty tables.
    this.migrate();
  }

  /**
   * A finished delivery goes out again, to the hook's current URL with its current secret. Its
   * attempts go on counting, and it keeps its place (and its day of retries) in the log: an
   * event more than a day old gets one attempt.
   */
  async redeliver(
    id: string,
    hook: { url: string; secret: string },
  ): Promise<DeliveryRecord | 'not_found' | 'pending'> {
    const at = now();
    const [row] = this.sql
      .exec<DeliveryRow>(
        `UPDATE deliveries SET status = 'pending', url = ?, secret = ?, next_attempt_at = ?,
           completed_at = NULL
         WHERE id = ? AND status != 'pending' RETURNING *`,
        hook.url,
        hook.secret,
        at,
        id,
      )
      .toArray();
    if (!row) {
      const known = this.sql.exec('SELECT 1 FROM deliveries WHERE id = ?', id).toArray().length;
      return known ? 'pending' : 'not_found';
    }
    await this.wakeAt(at);
    return this.record(row);
  }

  /** The delivery log, newest first, each delivery with all of its attempts. */
  async deliveries(query: { limit: number; before?: string }): Promise<DeliveryPage> {
    const [at, id] = query.before ? query.before.split('~') : [];
    const rows = this.sql
      .exec<DeliveryRow>(
        `SELECT * FROM deliveries WHERE (created_at, id) < (?, ?)
         ORDER BY created_at DESC, id DESC LIMIT ?`,
        at ? Number(at) : Number.MAX_SAFE_INTEGER,
        id ?? '',
        query.limit + 1,
      )
      .toArray();
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      data: page.map((row) => this.record(row)),
      nextBefore: rows.length > query.limit && last ? `${last.created_at}~${last.id}` : null,
    };
  }

  private record(row: DeliveryRow): DeliveryRecord {
    const attempts = this.sql
      .exec<{
        n: number;
        at: number;
        duration_ms: number;
        status: number | null;
        error: string | null;
      }>(
        'SELECT n, at, duration_ms, status, error FROM attempts WHERE delivery_id = ? ORDER BY n',
        row.id,
      )
      .toArray()
      .map((a) => ({
        n: a.n,
        at: a.at,
        durationMs: a.duration_ms,
        status: a.status,
        error: a.error,
      }));
    return {
      id: row.id,
      eventId: row.event_id,
      type: row.type as WebhookEventType,
      url: row.url,
      status: row.status as DeliveryStatus,
      createdAt: row.created_at,
      nextAttemptAt: row.next_attempt_at,
      completedAt: row.completed_at,
      attempts,
    };
  }

  private async wakeAt(at: number) {
    const current = await this.ctx.storage.getAlarm();
    const wanted = platformTime(at);
    if (current === null || current > wanted) await this.ctx.storage.setAlarm(wanted);
  }

  override async alarm(): Promise<void> {
    const started = now();
    const due = this.sql
      .exec<DeliveryRow>(
        `SELECT * FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?
         ORDER BY next_attempt_at LIMIT ?`,
        started,
        retryPolicy.batch,
      )
      .toArray();
    await Promise.all(due.map((row) => this.attempt(row)));
    this.sql.exec(
      `DELETE FROM attempts WHERE delivery_id IN
         (SELECT id FROM deliveries WHERE status != 'pending' AND created_at < ?)`,
      started - retryPolicy.keepMs,
    );
    this.sql.exec(
      `DELETE FROM deliveries WHERE status != 'pending' AND created_at < ?`,
      started - retryPolicy.keepMs,
    );
    const next = this.sql
      .exec<{ at: number | null }>(
        `SELECT min(next_attempt_at) AS at FROM deliveries WHERE status = 'pending'`,
      )
      .one().at;
    if (next !== null) await this.ctx.storage.setAlarm(platformTime(Math.max(next, now())));
  }

  /** Deliveries go out through WEBHOOK_OUTBOUND when it is bound (an egress proxy), else directly. */
  private send(url: string, init: RequestInit): Promise<Response> {
    const outbound = this.env.WEBHOOK_OUTBOUND;
    return outbound ? outbound.fetch(url, init) : fetch(url, init);
  }

  private async attempt(row: DeliveryRow): Promise<void> {
    const at = now();
    const n = row.attempts + 1;
    const timestamp = Math.floor(at / 1000);
    const clock = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await this.send(row.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'User-Agent': 'Gazette-Webhooks/1.0',
          'Gazette-Event': row.type,
          'Gazette-Delivery': row.id,
          'Gazette-Attempt': String(n),
          [signatureHeaderName]: await signatureHeader(row.secret, timestamp, row.body),
        },
        body: row.body,
        // A receiver that redirects has moved; following could post the event somewhere unmeant.
        redirect: 'manual',
        signal: AbortSignal.timeout(retryPolicy.timeoutMs),
      });
      status = res.status;
      await res.body?.cancel();
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (err) {
      // The name says what kind (TimeoutError, TypeError for a refused connection); the message why.
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    const durationMs = Math.max(0, Math.round(performance.now() - clock));
    const ok = error === null;
    const retryAt = at + retryDelayMs(n);
    const giveUp = !ok && retryAt - row.created_at > retryPolicy.giveUpAfterMs;
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        `UPDATE deliveries SET attempts = ?, status = ?, next_attempt_at = ?, completed_at = ?
         WHERE id = ? AND status = 'pending' AND attempts = ?`,
        n,
        ok ? 'delivered' : giveUp ? 'failed' : 'pending',
        ok || giveUp ? null : retryAt,
        ok || giveUp ? now() : null,
        row.id,
        row.attempts,
      );
      // Logged even when a cancel won the race: the request did go out.
      this.sql.exec(
        `INSERT INTO attempts (delivery_id, n, at, duration_ms, status, error) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (delivery_id, n) DO NOTHING`,
        row.id,
        n,
        at,
        durationMs,
        status,
        error ? error.slice(0, maxErrorLength) : null,
      );
    });
    if (!ok) {
      createLogger(this.env.LOG_LEVEL).warn('webhook delivery failed', {
        delivery: row.id,
        attempt: n,
        status,
        error,
        giveUp,
      });
    }
  }
}
