import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { DurableObject } from 'cloudflare:workers';
import { createDb } from '../db/client';
import { clockTime, now as clockNow, platformTime } from '../lib/clock';
import { createLogger, describeError } from '../lib/logger';
import { siteConfig } from '../lib/site';
import { addDays, startOfZonedDay, zonedDay } from '../lib/time';
import { writeShardTotals } from './queries';

export type RejectionReason = 'duplicate' | 'bot' | 'rate_limited';

export interface HitInput {
  articleId: number;
  shard: number;
  /** Used only in memory, as input to a keyed hash; never stored. */
  ip: string;
  /** Used only in memory, as input to a keyed hash; never stored. */
  userAgent: string;
  /** Set when the worker already refused the hit; the object only records why. */
  rejection?: Exclude<RejectionReason, 'duplicate'>;
  now: number;
}

export interface ShardTotals {
  views: number;
  visitors: number;
}

export interface HitResult extends ShardTotals {
  counted: boolean;
  reason?: RejectionReason;
}

export interface FlushReport {
  flushed: boolean;
  days: number;
  rejections: number;
  error?: string;
}

const dayTablePattern = /^v_(\d{8})$/;
const tableForDay = (day: string) => `v_${day.replaceAll('-', '')}`;
const dayOfTable = (table: string) => {
  const m = dayTablePattern.exec(table)!;
  return `${m[1]!.slice(0, 4)}-${m[1]!.slice(4, 6)}-${m[1]!.slice(6, 8)}`;
};

const utf8 = new TextEncoder();
const retryDelayMs = 10_000;
const maxRowsPerFlush = 200;

/**
 * Counts the views of one article, or of one shard of a hot article.
 *
 * Privacy: a visitor is a keyed hash of (IP, User-Agent, article) under a random salt that
 * belongs to this object and to one day. Salts are deleted when the day after their own
 * ends, so after at most 48 hours no stored hash can be linked back to anybody.
 *
 * Cost: a counted view writes exactly one row, the visitor's row in that day's table.
 * Day totals live in memory and are rebuilt from those rows when the object wakes; a day
 * table is folded into one summary row and dropped once its salt is gone.
 *
 * Durability: a hit is one synchronous SQLite transaction (dedupe check, upsert, totals),
 * so it is either fully counted or not at all. An alarm writes absolute per-day totals to
 * D1 within the flush interval; rewriting them is harmless, so retries cannot double count.
 */
export class ViewCounter extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private articleId: number | null = null;
  private shard = 0;
  /** Per-day totals of this shard: folded days plus the live day tables. */
  private readonly days = new Map<string, ShardTotals>();
  private readonly rejections = new Map<string, number>();
  /** What D1 last acknowledged, so a flush sends only what changed. */
  private readonly flushedDays = new Map<string, string>();
  private readonly flushedRejections = new Map<string, number>();
  private readonly saltKeys = new Map<string, Uint8Array>();
  private totals: ShardTotals = { views: 0, visitors: 0 };
  private readonly liveTables = new Set<string>();
  private alarmAt: number | null = null;
  /** The oldest salt still stored, so scheduling the next wake needs no query per hit. */
  private oldestSaltDay: string | null = null;
  /** rollover() has nothing left to do until the day moves past this one. */
  private rolledOverThrough: string | null = null;
  private readonly dayStarts = new Map<string, number>();
  /**
   * The bill since this object woke, measured: storage rows written (setAlarm included), alarm
   * invocations (each billed as a request) and the rows D1 reported for this object's flushes.
   */
  private readonly usage = {
    rowsWritten: 0,
    counted: 0,
    rejected: 0,
    alarms: 0,
    flushes: 0,
    d1RowsWritten: 0,
  };
  /** Tests swap this for a D1 that fails, to prove flushes recover. */
  d1: D1Database;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.d1 = env.DB;
    void ctx.blockConcurrencyWhile(async () => {
      this.migrate();
      this.load();
      this.oldestSaltDay = this.queryOldestSaltDay();
      const alarm = await ctx.storage.getAlarm();
      this.alarmAt = alarm === null ? null : clockTime(alarm);
    });
  }

  /** Runs a statement to completion and books the rows it wrote. */
  private run<T extends Record<string, SqlStorageValue>>(query: string, ...params: unknown[]): T[] {
    const cursor = this.sql.exec<T>(query, ...params);
    const rows = cursor.toArray();
    this.usage.rowsWritten += cursor.rowsWritten;
    return rows;
  }

  private migrate() {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS salts (day TEXT PRIMARY KEY, salt BLOB NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS days (
        day TEXT PRIMARY KEY, views INTEGER NOT NULL, visitors INTEGER NOT NULL,
        flushed INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS rejections (
        day TEXT NOT NULL, reason TEXT NOT NULL, count INTEGER NOT NULL,
        flushed_count INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (day, reason)
      ) WITHOUT ROWID;
    `);
  }

  private load() {
    for (const row of this.sql.exec<{ key: string; value: number }>(
      'SELECT key, value FROM meta',
    )) {
      if (row.key === 'article_id') this.articleId = row.value;
      if (row.key === 'shard') this.shard = row.value;
    }
    for (const row of this.sql.exec<{
      day: string;
      views: number;
      visitors: number;
      flushed: number;
    }>('SELECT day, views, visitors, flushed FROM days')) {
      this.days.set(row.day, { views: row.views, visitors: row.visitors });
      // Folded days D1 already has need not be sent again after every wake-up.
      if (row.flushed) this.flushedDays.set(row.day, `${row.views}/${row.visitors}`);
    }
    for (const table of this.dayTables()) {
      this.liveTables.add(table);
      const row = this.sql
        .exec<{ views: number; visitors: number }>(
          `SELECT coalesce(sum(views), 0) AS views, count(*) AS visitors FROM ${table}`,
        )
        .one();
      this.days.set(dayOfTable(table), { views: row.views, visitors: row.visitors });
    }
    for (const row of this.sql.exec<{
      day: string;
      reason: string;
      count: number;
      flushed_count: number;
    }>('SELECT day, reason, count, flushed_count FROM rejections')) {
      this.rejections.set(`${row.day}|${row.reason}`, row.count);
      this.flushedRejections.set(`${row.day}|${row.reason}`, row.flushed_count);
    }
    this.totals = { views: 0, visitors: 0 };
    for (const t of this.days.values()) {
      this.totals.views += t.views;
      this.totals.visitors += t.visitors;
    }
  }

  private dayTables(): string[] {
    return this.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'v_*'",
      )
      .toArray()
      .map((r) => r.name)
      .filter((name) => dayTablePattern.test(name))
      .sort();
  }

  private queryOldestSaltDay(): string | null {
    const row = this.sql
      .exec<{ day: string }>('SELECT day FROM salts ORDER BY day LIMIT 1')
      .toArray()[0];
    return row?.day ?? null;
  }

  /** When a local day starts, remembered: each hit near midnight and each wake asks. */
  private dayStart(day: string): number {
    let start = this.dayStarts.get(day);
    if (start === undefined) {
      start = startOfZonedDay(day, this.timeZone)!.getTime();
      if (this.dayStarts.size >= 16) this.dayStarts.clear();
      this.dayStarts.set(day, start);
    }
    return start;
  }

  private get timeZone(): string {
    return siteConfig(this.env).timeZone;
  }

  private get dedupeMs(): number {
    const seconds = Number(this.env.VIEW_DEDUPE_SECONDS);
    return (Number.isFinite(seconds) && seconds >= 0 ? seconds : 1800) * 1000;
  }

  private get flushMs(): number {
    const seconds = Number(this.env.VIEW_FLUSH_SECONDS);
    return (Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 60) : 60) * 1000;
  }

  private remember(articleId: number, shard: number) {
    if (this.articleId === articleId && this.shard === shard) return;
    this.articleId = articleId;
    this.shard = shard;
    this.run(
      "INSERT OR REPLACE INTO meta (key, value) VALUES ('article_id', ?), ('shard', ?)",
      articleId,
      shard,
    );
  }

  private saltFor(day: string, create: boolean): Uint8Array | null {
    const cached = this.saltKeys.get(day);
    if (cached) return cached;
    const row = this.sql
      .exec<{ salt: ArrayBuffer }>('SELECT salt FROM salts WHERE day = ?', day)
      .toArray()[0];
    let salt: Uint8Array | null = row ? new Uint8Array(row.salt) : null;
    if (!salt && create) {
      salt = crypto.getRandomValues(new Uint8Array(32));
      this.run('INSERT INTO salts (day, salt) VALUES (?, ?)', day, salt.buffer);
      if (this.oldestSaltDay === null || day < this.oldestSaltDay) this.oldestSaltDay = day;
      // A salt for a day long past (a hit stamped with an old clock) must still be forgotten.
      this.rolledOverThrough = null;
    }
    if (salt) this.saltKeys.set(day, salt);
    return salt;
  }

  // Synchronous on purpose (WebCrypto's HMAC is async): count() must not await between the
  // dedupe read and the upsert.
  private visitorHash(salt: Uint8Array, ip: string, userAgent: string): ArrayBuffer {
    const digest = hmac(sha256, salt, utf8.encode(`${this.articleId}\n${ip}\n${userAgent}`));
    return digest.buffer.slice(digest.byteOffset, digest.byteOffset + 16);
  }

  private ensureDayTable(day: string) {
    const table = tableForDay(day);
    if (this.liveTables.has(table)) return;
    this.run(
      `CREATE TABLE IF NOT EXISTS ${table} (
        visitor BLOB PRIMARY KEY, first_at INTEGER NOT NULL, last_at INTEGER NOT NULL, views INTEGER NOT NULL
      ) WITHOUT ROWID`,
    );
    this.liveTables.add(table);
  }

  private lastSeen(day: string, ip: string, userAgent: string): number | null {
    const salt = this.saltFor(day, false);
    if (!salt || !this.liveTables.has(tableForDay(day))) return null;
    const row = this.sql
      .exec<{ last_at: number }>(
        `SELECT last_at FROM ${tableForDay(day)} WHERE visitor = ?`,
        this.visitorHash(salt, ip, userAgent),
      )
      .toArray()[0];
    return row ? row.last_at : null;
  }

  private reject(day: string, reason: RejectionReason): HitResult {
    const key = `${day}|${reason}`;
    const count = (this.rejections.get(key) ?? 0) + 1;
    this.rejections.set(key, count);
    this.usage.rejected += 1;
    this.run(
      `INSERT INTO rejections (day, reason, count) VALUES (?, ?, 1)
       ON CONFLICT (day, reason) DO UPDATE SET count = count + 1`,
      day,
      reason,
    );
    return { counted: false, reason, ...this.totals };
  }

  async hit(input: HitInput): Promise<HitResult> {
    this.remember(input.articleId, input.shard);
    const day = zonedDay(new Date(input.now), this.timeZone);
    this.rollover(day);
    let result: HitResult;
    if (input.rejection) {
      result = this.reject(day, input.rejection);
    } else {
      result = this.count(day, input);
    }
    await this.scheduleAlarm(input.now);
    return result;
  }

  /** Dedupe and count synchronously: no await may split the read from the write. */
  private count(day: string, input: HitInput): HitResult {
    const salt = this.saltFor(day, true)!;
    const visitor = this.visitorHash(salt, input.ip, input.userAgent);
    const table = tableForDay(day);
    this.ensureDayTable(day);
    // Just after midnight the same reader carries yesterday's hash; the window spans both days.
    // (A row today is always later than yesterday's, so yesterday only matters when it is recent.)
    if (input.now - this.dedupeMs < this.dayStart(day)) {
      const yesterday = this.lastSeen(addDays(day, -1), input.ip, input.userAgent);
      if (yesterday !== null && input.now - yesterday < this.dedupeMs) {
        return this.reject(day, 'duplicate');
      }
    }
    // One statement both dedupes and counts: a visitor seen within the window matches the
    // conflict but not its WHERE, so nothing is written and nothing returned.
    const [row] = this.run<{ views: number }>(
      `INSERT INTO ${table} (visitor, first_at, last_at, views) VALUES (?, ?, ?, 1)
       ON CONFLICT (visitor) DO UPDATE SET last_at = excluded.last_at, views = views + 1
         WHERE excluded.last_at - last_at >= ?
       RETURNING views`,
      visitor,
      input.now,
      input.now,
      this.dedupeMs,
    );
    if (!row) return this.reject(day, 'duplicate');
    const newVisitor = row.views === 1;
    const totals = this.days.get(day) ?? { views: 0, visitors: 0 };
    this.days.set(day, {
      views: totals.views + 1,
      visitors: totals.visitors + (newVisitor ? 1 : 0),
    });
    this.totals = {
      views: this.totals.views + 1,
      visitors: this.totals.visitors + (newVisitor ? 1 : 0),
    };
    this.usage.counted += 1;
    return { counted: true, ...this.totals };
  }

  /**
   * Days before yesterday no longer need their visitor hashes: fold each into one summary
   * row, drop its table and delete its salt. Runs on the first hit of a day and on every
   * alarm, so an idle object still forgets its salts on time (the alarm is scheduled for that).
   */
  private rollover(today: string) {
    if (this.rolledOverThrough !== null && today <= this.rolledOverThrough) return;
    const keepFrom = addDays(today, -1);
    for (const table of [...this.liveTables]) {
      const day = dayOfTable(table);
      if (day >= keepFrom) continue;
      const totals = this.days.get(day) ?? { views: 0, visitors: 0 };
      const flushed = this.flushedDays.get(day) === `${totals.views}/${totals.visitors}` ? 1 : 0;
      this.ctx.storage.transactionSync(() => {
        this.run(
          `INSERT INTO days (day, views, visitors, flushed) VALUES (?, ?, ?, ?)
           ON CONFLICT (day) DO UPDATE SET views = excluded.views, visitors = excluded.visitors,
             flushed = excluded.flushed`,
          day,
          totals.views,
          totals.visitors,
          flushed,
        );
        this.run(`DROP TABLE ${table}`);
      });
      this.liveTables.delete(table);
    }
    const expired = this.sql
      .exec<{ day: string }>('SELECT day FROM salts WHERE day < ?', keepFrom)
      .toArray();
    if (expired.length) {
      this.run('DELETE FROM salts WHERE day < ?', keepFrom);
      for (const { day } of expired) this.saltKeys.delete(day);
      this.oldestSaltDay = this.queryOldestSaltDay();
    }
    this.rolledOverThrough = today;
  }

  private dirty(): boolean {
    for (const [day, t] of this.days) {
      if (this.flushedDays.get(day) !== `${t.views}/${t.visitors}`) return true;
    }
    for (const [key, count] of this.rejections) {
      if (this.flushedRejections.get(key) !== count) return true;
    }
    return false;
  }

  /**
   * The next moment this object must wake: a pending flush, or a salt that must be forgotten.
   * After a hit the totals are dirty by construction, so the caller may say so.
   */
  private nextWake(now: number, knownDirty = false): number | null {
    const candidates: number[] = [];
    if (knownDirty || this.dirty()) candidates.push(now + this.flushMs);
    if (this.oldestSaltDay !== null) {
      candidates.push(this.dayStart(addDays(this.oldestSaltDay, 2)));
    }
    return candidates.length ? Math.min(...candidates) : null;
  }

  private async setAlarm(at: number) {
    this.alarmAt = at;
    this.usage.rowsWritten += 1;
    // The platform fires alarms by its own wall clock; `at` is on Gazette's clock.
    await this.ctx.storage.setAlarm(platformTime(at));
  }

  private async scheduleAlarm(now: number) {
    const wanted = this.nextWake(now, true);
    // Only move the alarm earlier: every setAlarm is a billed row write.
    if (wanted !== null && (this.alarmAt === null || this.alarmAt > wanted)) {
      await this.setAlarm(wanted);
    }
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    this.usage.alarms += 1;
    const now = clockNow();
    this.rollover(zonedDay(new Date(now), this.timeZone));
    const report = await this.flush();
    const next = report.error ? now + retryDelayMs : this.nextWake(now);
    if (next !== null) await this.setAlarm(next);
  }

  /**
   * Sends absolute totals for every day and rejection reason that changed since D1 last
   * acknowledged them. Hits that arrive while D1 is busy stay dirty for the next flush.
   */
  async flush(): Promise<FlushReport> {
    if (this.articleId === null) return { flushed: false, days: 0, rejections: 0 };
    // Bounded so one flush stays well inside D1's per-invocation query limit; the rest stays
    // dirty and goes with the next alarm.
    const days = [...this.days]
      .filter(([day, t]) => this.flushedDays.get(day) !== `${t.views}/${t.visitors}`)
      .map(([day, t]) => ({ day, views: t.views, visitors: t.visitors }))
      .slice(0, maxRowsPerFlush);
    const rejections = [...this.rejections]
      .filter(([key, count]) => this.flushedRejections.get(key) !== count)
      .map(([key, count]) => {
        const [day, reason] = key.split('|') as [string, string];
        return { day, reason, count };
      })
      .slice(0, maxRowsPerFlush);
    if (!days.length && !rejections.length) return { flushed: false, days: 0, rejections: 0 };
    try {
      const written = await writeShardTotals(createDb(this.d1), {
        articleId: this.articleId,
        shard: this.shard,
        days,
        rejections,
      });
      this.usage.flushes += 1;
      this.usage.d1RowsWritten += written.rowsWritten;
    } catch (err) {
      createLogger(this.env.LOG_LEVEL).warn('view flush failed; will retry', {
        articleId: this.articleId,
        shard: this.shard,
        ...describeError(err),
      });
      return {
        flushed: false,
        days: days.length,
        rejections: rejections.length,
        error: String(err),
      };
    }
    this.ctx.storage.transactionSync(() => {
      for (const d of days) {
        this.flushedDays.set(d.day, `${d.views}/${d.visitors}`);
        if (!this.liveTables.has(tableForDay(d.day))) {
          this.run('UPDATE days SET flushed = 1 WHERE day = ? AND views = ?', d.day, d.views);
        }
      }
      for (const r of rejections) {
        this.flushedRejections.set(`${r.day}|${r.reason}`, r.count);
        this.run(
          'UPDATE rejections SET flushed_count = ? WHERE day = ? AND reason = ?',
          r.count,
          r.day,
          r.reason,
        );
      }
    });
    return { flushed: true, days: days.length, rejections: rejections.length };
  }

  read(): ShardTotals {
    return { ...this.totals };
  }

  /** Measured cost since the object woke: what the benchmark and the cost estimate read. */
  usageReport() {
    return { ...this.usage, alarmAt: this.alarmAt };
  }
}
