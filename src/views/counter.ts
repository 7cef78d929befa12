import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { DurableObject } from 'cloudflare:workers';
import { createDb } from '../db/client';
import { clockTime, now as clockNow, platformTime } from '../lib/clock';
import { createLogger, describeError } from '../lib/logger';
import { siteConfig } from '../lib/site';
import { addDays, startOfZonedDay, zonedDay } from '../lib/time';
import { writeShardTotals } from './queries';
import { viewSettings } from './settings';

/** Why a hit was answered but not counted. The object decides the first two itself. */
export const rejectionReasons = [
  'duplicate',
  'ip_cap',
  'bot',
  'suspicious',
  'foreign_origin',
  'rate_limited',
] as const;
export type RejectionReason = (typeof rejectionReasons)[number];
/** The reasons the worker decides alone, without asking a counter. */
export type WorkerRejection = Exclude<RejectionReason, 'duplicate' | 'ip_cap'>;

export interface HitInput {
  articleId: number;
  shard: number;
  /** Used only in memory, as input to a keyed hash; never stored. */
  ip: string;
  /** Used only in memory, as input to a keyed hash; never stored. */
  userAgent: string;
  now: number;
  /** The article's legacy count and shard count, kept by shard 0 to answer while D1 is down. */
  viewBase?: number;
  viewShards?: number;
}

/** Rejections the worker tallied by itself, sent in one batch. */
export interface RejectionTally {
  articleId: number;
  entries: { day: string; reason: WorkerRejection; count: number }[];
}

/** What shard 0 knows of its article, for answering while D1 cannot be read. */
export interface CounterArticle {
  id: number;
  viewBase: number;
  viewShards: number;
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
const rejectionKey = (day: string, reason: string) => `${day}|${reason}`;
/** The IP hash of visitor rows stored before the per-IP cap existed (one byte, never a hash). */
const legacyIp = new Uint8Array([0]).buffer;
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
 * belongs to this object and to one day, stored beside a keyed hash of (IP, article) under the
 * same salt so the per-IP visitor cap can be enforced. Salts are deleted when the day after
 * their own ends, so after at most 48 hours no stored hash can be linked back to anybody.
 *
 * Cost: a counted view writes exactly one row, the visitor's row in that day's table. The
 * table's key is (IP hash, visitor hash), so counting an IP's visitors for the cap is a range
 * read of that key, not a second index to write. A rejected hit writes nothing: rejections are
 * tallied in memory and written with the flush, at most once per flush interval.
 *
 * Durability: a hit is one synchronous SQLite transaction (dedupe check, cap check, upsert,
 * totals), so it is either fully counted or not at all. An alarm writes absolute per-day
 * totals to D1 within the flush interval; rewriting them is harmless, so retries cannot
 * double count. Rejection tallies not yet flushed live in memory for up to one flush
 * interval; an object evicted in that time loses them (never a counted view).
 *
 * In-memory state, each for what it saves:
 * - `days` and `totals`: every hit answers the live totals; without them each hit would sum
 *   the day tables (one read per visitor row). Rebuilt from the tables on wake.
 * - `flushedDays` / `flushedRejections`: what D1 acknowledged, so a flush writes only the
 *   days and reasons that changed instead of every day the object has ever seen.
 * - `rejections`: the tallies themselves, so a rejection costs no storage write.
 * - `liveTables`: saves a catalogue query per hit and a CREATE TABLE per day's first hit.
 * - `alarmAt`: every setAlarm is a billed row write; knowing the pending alarm lets a hit
 *   skip it in steady state.
 * - `dayStarts`: the zoned start of a day (Intl formatting) is needed on each hit near
 *   midnight and on each wake.
 */
export class ViewCounter extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private articleId: number | null = null;
  private shard = 0;
  private viewBase = 0;
  private viewShards = 1;
  private readonly days = new Map<string, ShardTotals>();
  private readonly rejections = new Map<string, number>();
  private readonly flushedDays = new Map<string, string>();
  private readonly flushedRejections = new Map<string, number>();
  private totals: ShardTotals = { views: 0, visitors: 0 };
  private readonly liveTables = new Set<string>();
  /** Day tables that still hold rows from before the per-IP cap (only on the deploy's days). */
  private readonly legacyTables = new Set<string>();
  private alarmAt: number | null = null;
  /** rollover() has nothing left to do until the day moves past this one. */
  private rolledOverThrough: string | null = null;
  private readonly dayStarts = new Map<string, number>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      this.migrate();
      this.load();
      const alarm = await ctx.storage.getAlarm();
      this.alarmAt = alarm === null ? null : clockTime(alarm);
    });
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
    // Day tables written before the per-IP cap have no IP hash: their rows move under one
    // marker IP, still found by their visitor hash, so nobody already counted counts again.
    for (const table of this.dayTables()) {
      const columns = this.sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray();
      if (columns.some((c) => c.name === 'ip')) continue;
      this.ctx.storage.transactionSync(() => {
        this.sql.exec(`ALTER TABLE ${table} RENAME TO old_${table}`);
        this.createDayTable(table);
        this.sql.exec(
          `INSERT INTO ${table} (ip, visitor, first_at, last_at, views)
           SELECT ?, visitor, first_at, last_at, views FROM old_${table}`,
          legacyIp,
        );
        this.sql.exec(`DROP TABLE old_${table}`);
      });
    }
  }

  private createDayTable(table: string) {
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS ${table} (
        ip BLOB NOT NULL, visitor BLOB NOT NULL, first_at INTEGER NOT NULL,
        last_at INTEGER NOT NULL, views INTEGER NOT NULL, PRIMARY KEY (ip, visitor)
      ) WITHOUT ROWID`,
    );
  }

  private load() {
    for (const row of this.sql.exec<{ key: string; value: number }>(
      'SELECT key, value FROM meta',
    )) {
      if (row.key === 'article_id') this.articleId = row.value;
      if (row.key === 'shard') this.shard = row.value;
      if (row.key === 'view_base') this.viewBase = row.value;
      if (row.key === 'view_shards') this.viewShards = row.value;
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
      if (this.sql.exec(`SELECT 1 FROM ${table} WHERE ip = ? LIMIT 1`, legacyIp).toArray().length) {
        this.legacyTables.add(table);
      }
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
      this.rejections.set(rejectionKey(row.day, row.reason), row.count);
      this.flushedRejections.set(rejectionKey(row.day, row.reason), row.flushed_count);
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

  private oldestSaltDay(): string | null {
    const row = this.sql
      .exec<{ day: string }>('SELECT day FROM salts ORDER BY day LIMIT 1')
      .toArray()[0];
    return row?.day ?? null;
  }

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
    return viewSettings(this.env).dedupeMs;
  }

  private get flushMs(): number {
    return viewSettings(this.env).flushMs;
  }

  /** Remembers which article this is; a write only when something changed (rarely). */
  private remember(articleId: number, shard: number, viewBase?: number, viewShards?: number) {
    const base = shard === 0 && viewBase !== undefined ? viewBase : this.viewBase;
    const shards = shard === 0 && viewShards !== undefined ? viewShards : this.viewShards;
    if (
      this.articleId === articleId &&
      this.shard === shard &&
      this.viewBase === base &&
      this.viewShards === shards
    ) {
      return;
    }
    this.articleId = articleId;
    this.shard = shard;
    this.viewBase = base;
    this.viewShards = shards;
    this.sql.exec(
      `INSERT OR REPLACE INTO meta (key, value) VALUES
         ('article_id', ?), ('shard', ?), ('view_base', ?), ('view_shards', ?)`,
      articleId,
      shard,
      base,
      shards,
    );
  }

  private saltFor(day: string, create: boolean): Uint8Array | null {
    const row = this.sql
      .exec<{ salt: ArrayBuffer }>('SELECT salt FROM salts WHERE day = ?', day)
      .toArray()[0];
    if (row) return new Uint8Array(row.salt);
    if (!create) return null;
    const salt = crypto.getRandomValues(new Uint8Array(32));
    this.sql.exec('INSERT INTO salts (day, salt) VALUES (?, ?)', day, salt.buffer);
    // A salt for a day long past (a hit stamped with an old clock) must still be forgotten.
    this.rolledOverThrough = null;
    return salt;
  }

  // Synchronous on purpose (WebCrypto's HMAC is async): count() must not await between the
  // dedupe read and the upsert.
  private keyedHash(salt: Uint8Array, text: string): ArrayBuffer {
    const digest = hmac(sha256, salt, utf8.encode(text));
    return digest.buffer.slice(digest.byteOffset, digest.byteOffset + 16);
  }

  private visitorKeys(salt: Uint8Array, ip: string, userAgent: string) {
    return {
      ip: this.keyedHash(salt, `ip\n${this.articleId}\n${ip}`),
      visitor: this.keyedHash(salt, `${this.articleId}\n${ip}\n${userAgent}`),
    };
  }

  private ensureDayTable(day: string) {
    const table = tableForDay(day);
    if (this.liveTables.has(table)) return;
    this.createDayTable(table);
    this.liveTables.add(table);
  }

  private lastSeen(day: string, ip: string, userAgent: string): number | null {
    const salt = this.saltFor(day, false);
    if (!salt || !this.liveTables.has(tableForDay(day))) return null;
    return this.findRow(tableForDay(day), this.visitorKeys(salt, ip, userAgent))?.last_at ?? null;
  }

  /** The visitor's row today, under its IP hash or, for rows from before the cap, the marker. */
  private findRow(table: string, keys: { ip: ArrayBuffer; visitor: ArrayBuffer }) {
    const find = (ip: ArrayBuffer) =>
      this.sql
        .exec<{ last_at: number }>(
          `SELECT last_at FROM ${table} WHERE ip = ? AND visitor = ?`,
          ip,
          keys.visitor,
        )
        .toArray()[0];
    const row = find(keys.ip);
    if (row) return { last_at: row.last_at, ip: keys.ip };
    if (!this.legacyTables.has(table)) return null;
    const legacy = find(legacyIp);
    return legacy ? { last_at: legacy.last_at, ip: legacyIp } : null;
  }

  /** Tallies in memory only: the flush writes the tallies, so a rejection writes nothing. */
  private addRejections(day: string, reason: string, count: number) {
    const key = rejectionKey(day, reason);
    this.rejections.set(key, (this.rejections.get(key) ?? 0) + count);
  }

  private reject(day: string, reason: 'duplicate' | 'ip_cap'): HitResult {
    this.addRejections(day, reason, 1);
    return { counted: false, reason, ...this.totals };
  }

  async hit(input: HitInput): Promise<HitResult> {
    this.remember(input.articleId, input.shard, input.viewBase, input.viewShards);
    const day = zonedDay(new Date(input.now), this.timeZone);
    this.rollover(day);
    const result = this.ctx.storage.transactionSync(() => this.count(day, input));
    await this.scheduleAlarm(input.now);
    return result;
  }

  /** Rejections the worker decided alone, batched by it; kept until the next flush. */
  async tally(batch: RejectionTally): Promise<void> {
    this.remember(batch.articleId, 0);
    for (const e of batch.entries) this.addRejections(e.day, e.reason, e.count);
    await this.scheduleAlarm(clockNow());
  }

  /** Dedupe, cap and count synchronously: no await may split the reads from the write. */
  private count(day: string, input: HitInput): HitResult {
    const salt = this.saltFor(day, true)!;
    const keys = this.visitorKeys(salt, input.ip, input.userAgent);
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
    const seen = this.findRow(table, keys);
    if (seen && input.now - seen.last_at < this.dedupeMs) return this.reject(day, 'duplicate');
    if (!seen) {
      // Every visitor of one IP lands on this shard (the shard is picked from the IP alone),
      // so this count is the IP's whole day for this article.
      const { n } = this.sql
        .exec<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE ip = ?`, keys.ip)
        .one();
      if (n >= viewSettings(this.env).ipVisitorCap) return this.reject(day, 'ip_cap');
    }
    this.sql.exec(
      `INSERT INTO ${table} (ip, visitor, first_at, last_at, views) VALUES (?, ?, ?, ?, 1)
       ON CONFLICT (ip, visitor) DO UPDATE SET last_at = excluded.last_at, views = views + 1`,
      seen?.ip ?? keys.ip,
      keys.visitor,
      input.now,
      input.now,
    );
    const newVisitor = !seen;
    const totals = this.days.get(day) ?? { views: 0, visitors: 0 };
    this.days.set(day, {
      views: totals.views + 1,
      visitors: totals.visitors + (newVisitor ? 1 : 0),
    });
    this.totals = {
      views: this.totals.views + 1,
      visitors: this.totals.visitors + (newVisitor ? 1 : 0),
    };
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
        this.sql.exec(
          `INSERT INTO days (day, views, visitors, flushed) VALUES (?, ?, ?, ?)
           ON CONFLICT (day) DO UPDATE SET views = excluded.views, visitors = excluded.visitors,
             flushed = excluded.flushed`,
          day,
          totals.views,
          totals.visitors,
          flushed,
        );
        this.sql.exec(`DROP TABLE ${table}`);
      });
      this.liveTables.delete(table);
      this.legacyTables.delete(table);
    }
    this.sql.exec('DELETE FROM salts WHERE day < ?', keepFrom);
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

  /** The next moment this object must wake: a pending flush, or a salt that must be forgotten. */
  private nextWake(now: number): number | null {
    const candidates: number[] = [];
    if (this.dirty()) candidates.push(now + this.flushMs);
    const oldestSalt = this.oldestSaltDay();
    if (oldestSalt !== null) candidates.push(this.dayStart(addDays(oldestSalt, 2)));
    return candidates.length ? Math.min(...candidates) : null;
  }

  private async setAlarm(at: number) {
    this.alarmAt = at;
    // The platform fires alarms by its own wall clock; `at` is on Gazette's clock.
    await this.ctx.storage.setAlarm(platformTime(at));
  }

  private async scheduleAlarm(now: number) {
    // A pending alarm no later than one flush interval away already covers this change:
    // checking it first keeps the dirty scan and every write off the steady-state path.
    if (this.alarmAt !== null && this.alarmAt <= now + this.flushMs) return;
    const wanted = this.nextWake(now);
    // Only move the alarm earlier: every setAlarm is a billed row write.
    if (wanted !== null && (this.alarmAt === null || this.alarmAt > wanted)) {
      await this.setAlarm(wanted);
    }
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = clockNow();
    this.rollover(zonedDay(new Date(now), this.timeZone));
    const report = await this.flush();
    const next = report.error ? now + retryDelayMs : this.nextWake(now);
    if (next !== null) await this.setAlarm(next);
  }

  /** Writes the tallies that changed since the last flush: one row per (day, reason). */
  private persistRejections() {
    const stored = new Map(
      this.sql
        .exec<{ day: string; reason: string; count: number }>(
          'SELECT day, reason, count FROM rejections',
        )
        .toArray()
        .map((r) => [rejectionKey(r.day, r.reason), r.count]),
    );
    for (const [key, count] of this.rejections) {
      if (stored.get(key) === count) continue;
      const [day, reason] = key.split('|') as [string, string];
      this.sql.exec(
        `INSERT INTO rejections (day, reason, count) VALUES (?, ?, ?)
         ON CONFLICT (day, reason) DO UPDATE SET count = excluded.count`,
        day,
        reason,
        count,
      );
    }
  }

  /**
   * Sends absolute totals for every day and rejection reason that changed since D1 last
   * acknowledged them. Hits that arrive while D1 is busy stay dirty for the next flush.
   */
  async flush(): Promise<FlushReport> {
    if (this.articleId === null) return { flushed: false, days: 0, rejections: 0 };
    // Rejections are absolute totals in D1 too, so they must be durable here first: an object
    // that woke without them would otherwise send smaller totals over larger ones.
    this.ctx.storage.transactionSync(() => this.persistRejections());
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
      await writeShardTotals(createDb(this.env.DB), {
        articleId: this.articleId,
        shard: this.shard,
        days,
        rejections,
      });
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
          this.sql.exec('UPDATE days SET flushed = 1 WHERE day = ? AND views = ?', d.day, d.views);
        }
      }
      for (const r of rejections) {
        this.flushedRejections.set(rejectionKey(r.day, r.reason), r.count);
        this.sql.exec(
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

  /** Shard 0's knowledge of its article, for reads while D1 is down; null if it never counted. */
  article(): CounterArticle | null {
    if (this.articleId === null || this.shard !== 0) return null;
    return { id: this.articleId, viewBase: this.viewBase, viewShards: this.viewShards };
  }
}
