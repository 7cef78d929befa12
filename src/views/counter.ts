import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { DurableObject } from 'cloudflare:workers';
import { clockTime, now as clockNow, platformTime } from '../lib/clock';
import { createLogger, describeError } from '../lib/logger';
import { siteConfig } from '../lib/site';
import { addDays, startOfZonedDay, zonedDay } from '../lib/time';
import { viewCounter } from './counter-client';
import { classMask, inClass, layoutFor, maxLayout, parentOf, stableBits } from './layout';
import { viewSettings } from './settings';
import { ipBucket } from './visitor';

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
  /** The IP's shard bucket (VisitorSignals.bucket); derived from `ip` when absent. */
  bucket?: number;
  /** The article's legacy count (kept by shard 0 to answer while D1 is down). */
  viewBase?: number;
  /** The layout the caller routed by; the object keeps the largest it has heard of. */
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

export interface ShardRead extends ShardTotals {
  /** Present when the object knows a larger layout than the caller said it routes by. */
  shards?: number;
}

export interface HitResult extends ShardRead {
  counted: boolean;
  reason?: RejectionReason;
  /** The visitor's bucket belongs to another shard now: route by `shards` and ask again. */
  moved?: true;
}

/** What a parent gives a new shard: its salts, the days it holds rows for, and its layout. */
export interface Handover {
  salts: { day: string; salt: ArrayBuffer }[];
  days: string[];
  shards: number;
}

/** A page of the parent's visitor rows of one day that now belong to a child shard. */
export interface HandoverRow {
  ip: ArrayBuffer;
  visitor: ArrayBuffer;
  b: number | null;
  first_at: number;
  last_at: number;
}

export interface FlushReport {
  flushed: boolean;
  days: number;
  rejections: number;
  error?: string;
}

const dayTablePattern = /^v_(\d{8})$/;
const baseTables = ['meta', 'salts', 'days', 'rejections', 'children'];
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
/** Hot detection: hits a shard answered for its own buckets, per fixed window of this length. */
const loadWindowMs = 10_000;
const handoverPage = 2_000;
/** Hits in one flush interval from which the alarm bets on the next one (see alarm()). */
const busyHits = 2;
const emptyBlob = new Uint8Array(0).buffer;

/** A day's salt and an HMAC-SHA256 already keyed with it, cloned for each hash. */
interface Keyer {
  salt: Uint8Array;
  mac: ReturnType<typeof hmac.create>;
}

/**
 * drizzle over D1, loaded on a counter's first flush or split rather than with this module:
 * index.ts exports the Durable Objects, so their imports load at every isolate's start, and
 * D1's query code (drizzle, the schema, the article queries) was ~7 ms of its CPU
 * (`npm run bench:startup`: 58.8 ms, 51.5 ms with the objects' modules deferred; hits never
 * touch D1). src/views/article-cache.ts loads its query likewise, on its first miss.
 */
async function d1(env: Env) {
  const { createDb } = await import('../db/client');
  return createDb(env.DB);
}

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
 * Hot articles shard themselves (no operator needed), without moving a visitor who was seen:
 * - A visitor's bucket is a number from its IP alone; its visitor rows keep the bucket's low 6
 *   bits (`b`, one of 64 values, links to nobody). Layouts are powers of two up to 64 and a
 *   bucket's shard is its low bits (src/views/layout.ts), so when the layout doubles from L to
 *   2L a visitor either stays on shard s or moves to s + L. Every IP's visitors share a shard.
 * - Each shard counts the hits it answers for its own buckets in a 10 s window; one that
 *   sustains VIEW_SPLIT_HITS_PER_SECOND raises `articles.view_layout` in D1 to twice its
 *   layout (up to VIEW_MAX_SHARDS, never down; `view_layout_at` says when) and answers the new
 *   layout at once, so the isolates that route to it switch on their next beacon; the others
 *   read it from D1 with the article (cached 30 s per isolate). An operator's `view_shards`
 *   is a floor, rounded up to a power of two, and changes the layout the same way.
 * - A new shard takes nothing until its parent (itself without its highest bit) hands its
 *   buckets over: on its first hit it calls the parent's `handOver`, which in one synchronous
 *   step records the child and from then on answers `moved` for those buckets (the worker asks
 *   the shard of the larger layout instead); the child then copies the parent's salts and,
 *   page by page, every visitor row of those buckets (today's and yesterday's, so the dedupe
 *   window and the per-IP cap straddle the change), marked `imported`: they dedupe and cap
 *   but add no view or visitor here, since the parent already counted them. Hits wait for the
 *   copy, and no bucket is ever owned by two shards at once, whatever any isolate believes:
 *   the cut-over is one step in the parent, not a moment on anybody's clock. A parent that is
 *   new itself is first handed its own buckets (recursively, toward shard 0).
 * - Rows written before rows kept bits (b NULL) go to every child, which only costs rows.
 * - Reads fan out to every shard of the layout in parallel; a shard that knows a larger layout
 *   says so, and the reader asks the new shards too (src/views/counter-client.ts). Each shard
 *   flushes its own (article, day, shard) rows as absolute totals, so D1's sum stays exact.
 *
 * In-memory state, each for what it saves:
 * - `days` and `totals`: every hit answers the live totals; without them each hit would sum
 *   the day tables (one read per visitor row). Rebuilt from the tables on wake.
 * - `flushedDays` / `flushedRejections`: what D1 acknowledged, so a flush writes only the
 *   days and reasons that changed instead of every day the object has ever seen.
 * - `rejections`: the tallies themselves, so a rejection costs no storage write.
 * - `liveTables`: saves a catalogue query per hit and a CREATE TABLE per day's first hit.
 * - `legacyTables`: the day tables that still hold pre-cap rows; every other table's dedupe
 *   check is one lookup instead of a second one under the legacy IP hash.
 * - `rolledOverThrough`: the day rollover last finished, so later hits of that day skip its
 *   walk over the day tables.
 * - `hitsSinceAlarm`: whether the last interval was busy, so the alarm re-arms one interval
 *   ahead and the next interval's hits set no alarm (one setAlarm row per flush, not two).
 * - `alarmAt`: every setAlarm is a billed row write; knowing the pending alarm lets a hit
 *   skip it in steady state.
 * - `dayStarts`: the zoned start of a day (Intl formatting) is needed on each hit near
 *   midnight and on each wake.
 * - `layout`, `active`, `moved`: which buckets this shard answers for, checked on every hit
 *   (persisted in `meta` and `children`, written only when they change).
 * - `windowStart` / `windowHits`: hot detection, lost harmlessly on eviction.
 */
export class ViewCounter extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private articleId: number | null = null;
  private shard = 0;
  private viewBase = 0;
  /** The largest layout this object has heard of (from hits, handovers or its own split). */
  private layout = 1;
  /** Whether this shard holds its buckets (shard 0 always; others once handed over). */
  private active = false;
  private activation: Promise<void> | null = null;
  private readonly children = new Set<number>();
  /** Per bucket's stable bits: handed over to a child, answered with `moved`. */
  private readonly moved = new Uint8Array(maxLayout);
  private windowStart = Number.NEGATIVE_INFINITY;
  private windowHits = 0;
  private splitting = false;
  private readonly days = new Map<string, ShardTotals>();
  private readonly rejections = new Map<string, number>();
  private readonly flushedDays = new Map<string, string>();
  private readonly flushedRejections = new Map<string, number>();
  private totals: ShardTotals = { views: 0, visitors: 0 };
  private readonly liveTables = new Set<string>();
  /** Day tables that still hold rows from before the per-IP cap (only on the deploy's days). */
  private readonly legacyTables = new Set<string>();
  private alarmAt: number | null = null;
  /** Hits answered since the last alarm: whether traffic is steady enough to re-arm early. */
  private hitsSinceAlarm = 0;
  /** rollover() has nothing left to do until the day moves past this one. */
  private rolledOverThrough: string | null = null;
  private readonly dayStarts = new Map<string, number>();
  /** Salts in use, each with its HMAC keyed once (see keyerFor). */
  private readonly keyers = new Map<string, Keyer>();
  /** Every stored salt by day, read with the small tables on wake (see load). */
  private readonly salts = new Map<string, Uint8Array>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      this.load(this.migrate());
      const alarm = await ctx.storage.getAlarm();
      this.alarmAt = alarm === null ? null : clockTime(alarm);
    });
  }

  /**
   * Brings the schema up to date from one catalogue read. An object of an article read now and
   * then wakes on most hits (over 1,000 articles nearly every beacon met a fresh object: the
   * constructor was a fifth of the isolate's samples), and a wake ran five CREATE TABLE IF NOT
   * EXISTS, a PRAGMA and a legacy probe per day table and a second catalogue read; a current
   * object now runs none of them. With load()'s single statement and rollover()'s read-first:
   * beacons over 1,000 articles, this build beside f1947e8's in 7 alternating rounds of 4 s,
   * 0.877 × the CPU per request (median per-round ratio; medians 4,153 against 5,237 µs/req).
   * Answers the day tables, sorted.
   */
  private migrate(): string[] {
    const catalogue = this.sql
      .exec<{ name: string; sql: string }>(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table'",
      )
      .toArray();
    const names = new Set(catalogue.map((t) => t.name));
    const dayTables = catalogue.filter((t) => dayTablePattern.test(t.name));
    dayTables.sort((a, b) => (a.name < b.name ? -1 : 1));
    if (!baseTables.every((t) => names.has(t))) this.createBaseTables();
    // Day tables written before the per-IP cap have no IP hash: their rows move under one
    // marker IP, still found by their visitor hash, so nobody already counted counts again.
    // A table created by createDayTable (or altered since) names every column in its SQL.
    for (const { name: table } of dayTables.filter((t) => !/\bimported\b/.test(t.sql))) {
      const columns = this.sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray();
      if (columns.some((c) => c.name === 'b')) continue;
      if (columns.some((c) => c.name === 'ip')) {
        // Rows from before sharding kept bits: b stays NULL (handed to every child).
        this.ctx.storage.transactionSync(() => {
          this.sql.exec(`ALTER TABLE ${table} ADD COLUMN b INTEGER`);
          this.sql.exec(`ALTER TABLE ${table} ADD COLUMN imported INTEGER NOT NULL DEFAULT 0`);
        });
        continue;
      }
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
    return dayTables.map((t) => t.name);
  }

  private createBaseTables() {
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
      CREATE TABLE IF NOT EXISTS children (shard INTEGER PRIMARY KEY) WITHOUT ROWID;
    `);
  }

  private createDayTable(table: string) {
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS ${table} (
        ip BLOB NOT NULL, visitor BLOB NOT NULL, first_at INTEGER NOT NULL,
        last_at INTEGER NOT NULL, views INTEGER NOT NULL, b INTEGER,
        imported INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (ip, visitor)
      ) WITHOUT ROWID`,
    );
  }

  private load(dayTables: string[]) {
    // The five small tables in one statement: a wake is most beacons' cost over 1,000
    // articles (see migrate), and each statement on a freshly opened object was about 2 % of
    // the isolate's samples there. The salts came along later: the first hit after a wake
    // read its day's salt and rollover() probed for stale ones, two statements per wake (with
    // src/views/article-cache.ts's refresh-ahead, 0.75 × the CPU per beacon over 1,000 articles).
    const rows = this.sql
      .exec<{
        kind: 'meta' | 'child' | 'day' | 'rejection' | 'salt';
        name: string | null;
        reason: string | null;
        x: number;
        y: number | null;
        z: number | null;
        salt: ArrayBuffer | null;
      }>(
        `SELECT 'meta' AS kind, key AS name, NULL AS reason, value AS x, NULL AS y, NULL AS z, NULL AS salt FROM meta
         UNION ALL SELECT 'child', NULL, NULL, shard, NULL, NULL, NULL FROM children
         UNION ALL SELECT 'day', day, NULL, views, visitors, flushed, NULL FROM days
         UNION ALL SELECT 'rejection', day, reason, count, flushed_count, NULL, NULL FROM rejections
         UNION ALL SELECT 'salt', day, NULL, 0, NULL, NULL, salt FROM salts`,
      )
      .toArray();
    for (const row of rows) {
      if (row.kind === 'salt') {
        this.salts.set(row.name!, new Uint8Array(row.salt!));
      } else if (row.kind === 'meta') {
        if (row.name === 'article_id') this.articleId = row.x;
        if (row.name === 'shard') this.shard = row.x;
        if (row.name === 'view_base') this.viewBase = row.x;
        if (row.name === 'view_shards') this.layout = layoutFor(row.x);
        if (row.name === 'active') this.active = row.x === 1;
      } else if (row.kind === 'child') {
        this.children.add(row.x);
      } else if (row.kind === 'day') {
        this.days.set(row.name!, { views: row.x, visitors: row.y! });
        // Folded days D1 already has need not be sent again after every wake-up.
        if (row.z) this.flushedDays.set(row.name!, `${row.x}/${row.y}`);
      } else {
        this.rejections.set(rejectionKey(row.name!, row.reason!), row.x);
        this.flushedRejections.set(rejectionKey(row.name!, row.reason!), row.y!);
      }
    }
    // Shard 0 holds every bucket from the start (an object that never counted learns its shard
    // from its first call, in remember()).
    if (this.articleId !== null && this.shard === 0) this.active = true;
    this.markMoved();
    for (const table of dayTables) {
      this.liveTables.add(table);
      // Imported rows (handed over by a parent shard) were counted there, not here. The same
      // scan says whether any row is from before the cap (one statement per table, not two).
      const row = this.sql
        .exec<{ views: number; visitors: number; legacy: number }>(
          `SELECT coalesce(sum(views), 0) AS views, count(*) - coalesce(sum(imported), 0) AS visitors,
             coalesce(max(ip = ?), 0) AS legacy
           FROM ${table}`,
          legacyIp,
        )
        .one();
      if (row.legacy) this.legacyTables.add(table);
      if (row.views || row.visitors) {
        this.days.set(dayOfTable(table), { views: row.views, visitors: row.visitors });
      }
    }
    this.totals = { views: 0, visitors: 0 };
    for (const t of this.days.values()) {
      this.totals.views += t.views;
      this.totals.visitors += t.visitors;
    }
  }

  private oldestSaltDay(): string | null {
    let oldest: string | null = null;
    for (const day of this.salts.keys()) if (oldest === null || day < oldest) oldest = day;
    return oldest;
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

  /**
   * Remembers which article and shard this is, its legacy count (shard 0) and the largest
   * layout heard of; a write only when something changed (rarely).
   */
  private remember(articleId: number, shard: number, viewBase?: number, viewShards?: number) {
    const base = shard === 0 && viewBase !== undefined ? viewBase : this.viewBase;
    const layout = Math.max(this.layout, layoutFor(viewShards ?? 1));
    if (
      this.articleId === articleId &&
      this.shard === shard &&
      this.viewBase === base &&
      this.layout === layout
    ) {
      return;
    }
    if (layout !== this.layout) {
      // A new layout: the load this shard sees from now on is what counts toward a split.
      this.windowStart = Number.NEGATIVE_INFINITY;
    }
    this.articleId = articleId;
    this.shard = shard;
    this.viewBase = base;
    this.layout = layout;
    if (shard === 0) this.active = true;
    this.sql.exec(
      `INSERT OR REPLACE INTO meta (key, value) VALUES
         ('article_id', ?), ('shard', ?), ('view_base', ?), ('view_shards', ?)`,
      articleId,
      shard,
      base,
      layout,
    );
  }

  /** Answers `shards` only when the caller routes by a smaller layout than this object knows. */
  private news(callerLayout: number | undefined): { shards?: number } {
    return this.layout > layoutFor(callerLayout ?? 1) ? { shards: this.layout } : {};
  }

  private markMoved() {
    this.moved.fill(0);
    for (const child of this.children) {
      const mask = classMask(child);
      for (let b = 0; b < maxLayout; b++) if ((b & mask) === child) this.moved[b] = 1;
    }
  }

  /** Whether this shard answers for a bucket now: born in its class and not handed over. */
  private owns(bits: number): boolean {
    return inClass(bits, this.shard) && !this.moved[bits];
  }

  private saltFor(day: string, create: boolean): Uint8Array | null {
    const known = this.salts.get(day);
    if (known) return known;
    if (!create) return null;
    const salt = crypto.getRandomValues(new Uint8Array(32));
    this.sql.exec('INSERT INTO salts (day, salt) VALUES (?, ?)', day, salt.buffer);
    this.salts.set(day, salt);
    // A salt for a day long past (a hit stamped with an old clock) must still be forgotten.
    this.rolledOverThrough = null;
    return salt;
  }

  /**
   * The day's salt with its keyed HMAC, from memory after the first hit of the day. The salt
   * read was one SQLite statement per hit: 4.2 % of Gazette's isolate samples under new-visitor
   * beacons on one article, 0.2 % after (CPU profiles of c13a22a against f1947e8, 410 and 580
   * beacons; 1 % of samples is about 26 µs of the route's 2,612 µs/req). Keying an HMAC hashes
   * two padded key blocks: cloning a keyed one took the two hashes of a hit from 57 to 27 µs in
   * a workerd micro-benchmark (5,000 rounds, best of 3). Whole-process CPU per beacon on one
   * article did not move beyond noise (this build beside f1947e8's, 7 alternating rounds:
   * median ratio 0.996, 3,496 against 3,508 µs/req). Forgotten with the salts themselves
   * (rollover) and on eviction.
   */
  private keyerFor(day: string, create: boolean): Keyer | null {
    const known = this.keyers.get(day);
    if (known) return known;
    const salt = this.saltFor(day, create);
    if (!salt) return null;
    if (this.keyers.size >= 4) this.keyers.clear();
    const keyer = { salt, mac: hmac.create(sha256, salt) };
    this.keyers.set(day, keyer);
    return keyer;
  }

  // Synchronous on purpose (WebCrypto's HMAC is async): count() must not await between the
  // dedupe read and the upsert.
  private keyedHash(keyer: Keyer, text: string): ArrayBuffer {
    const digest = keyer.mac.clone().update(utf8.encode(text)).digest();
    return digest.buffer.slice(digest.byteOffset, digest.byteOffset + 16);
  }

  private visitorKeys(keyer: Keyer, ip: string, userAgent: string) {
    return {
      ip: this.keyedHash(keyer, `ip\n${this.articleId}\n${ip}`),
      visitor: this.keyedHash(keyer, `${this.articleId}\n${ip}\n${userAgent}`),
    };
  }

  private ensureDayTable(day: string) {
    const table = tableForDay(day);
    if (this.liveTables.has(table)) return;
    this.createDayTable(table);
    this.liveTables.add(table);
  }

  private lastSeen(day: string, ip: string, userAgent: string): number | null {
    if (!this.liveTables.has(tableForDay(day))) return null;
    const keyer = this.keyerFor(day, false);
    if (!keyer) return null;
    return this.findRow(tableForDay(day), this.visitorKeys(keyer, ip, userAgent))?.last_at ?? null;
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
    if (!this.active) await this.activate();
    // From here to the end of the transaction nothing awaits: ownership, dedupe, cap and
    // upsert are one synchronous step, so a handover cannot slip in between.
    const bits = stableBits(input.bucket ?? ipBucket(input.ip));
    if (!this.owns(bits)) {
      return { counted: false, moved: true, shards: this.layout, ...this.totals };
    }
    const day = zonedDay(new Date(input.now), this.timeZone);
    this.rollover(day);
    const result = this.ctx.storage.transactionSync(() => this.count(day, input, bits));
    if (this.runsHot(input.now)) await this.split(input.now);
    this.hitsSinceAlarm += 1;
    await this.scheduleAlarm(input.now);
    return { ...result, ...this.news(input.viewShards) };
  }

  /** Counts this shard's own hits per window; true once it should ask for a larger layout. */
  private runsHot(now: number): boolean {
    const { splitHitsPerSecond, maxShards } = viewSettings(this.env);
    if (!splitHitsPerSecond || this.layout >= maxShards || this.splitting) return false;
    if (now < this.windowStart || now - this.windowStart >= loadWindowMs) {
      this.windowStart = now;
      this.windowHits = 0;
    }
    this.windowHits += 1;
    return this.windowHits >= (splitHitsPerSecond * loadWindowMs) / 1000;
  }

  /**
   * Doubles the article's layout in D1 (the record every isolate reads), then answers it from
   * here on. The triggering hit waits for that one write; hits meanwhile go on counting.
   */
  private async split(now: number) {
    this.splitting = true;
    const wanted = Math.min(viewSettings(this.env).maxShards, this.layout * 2);
    try {
      const { raiseViewLayout } = await import('./queries');
      const stored = await raiseViewLayout(await d1(this.env), this.articleId!, wanted, now);
      this.remember(this.articleId!, this.shard, undefined, stored ?? wanted);
      createLogger(this.env.LOG_LEVEL).info('hot article: view counter layout raised', {
        articleId: this.articleId,
        shard: this.shard,
        shards: this.layout,
      });
    } catch (err) {
      // Still hot in the next window: it asks again then.
      createLogger(this.env.LOG_LEVEL).warn('view counter layout not raised', {
        articleId: this.articleId,
        ...describeError(err),
      });
    } finally {
      this.splitting = false;
      this.windowStart = Number.NEGATIVE_INFINITY;
    }
  }

  /** One activation at a time; hits that arrive meanwhile wait for the same one. */
  private activate(): Promise<void> {
    this.activation ??= this.takeOver().finally(() => {
      this.activation = null;
    });
    return this.activation;
  }

  /**
   * Takes this shard's buckets over from its parent: the parent stops answering for them in
   * one step, then its salts and their visitor rows come here, page by page. Repeatable: a
   * copy cut short by an eviction starts again (rows are inserted once), and until it ends no
   * hit is answered here.
   */
  private async takeOver() {
    const articleId = this.articleId!;
    const parent = viewCounter(this.env, articleId, parentOf(this.shard));
    const grant = await parent.handOver({ articleId, child: this.shard, shards: this.layout });
    const days = new Set(grant.days);
    this.ctx.storage.transactionSync(() => {
      for (const { day, salt } of grant.salts) {
        const own = this.saltFor(day, false);
        if (!own) {
          this.sql.exec('INSERT INTO salts (day, salt) VALUES (?, ?)', day, salt);
          this.salts.set(day, new Uint8Array(salt));
          this.rolledOverThrough = null;
        } else if (own.join() !== new Uint8Array(salt).join()) {
          // Hashes under another salt would never match here (a shard from before layouts).
          days.delete(day);
        }
      }
    });
    for (const day of days) {
      let after: [ArrayBuffer, ArrayBuffer] = [emptyBlob, emptyBlob];
      for (;;) {
        const rows = await parent.handOverRows({ child: this.shard, day, after });
        if (!rows.length) break;
        this.ctx.storage.transactionSync(() => this.importRows(day, rows));
        const last = rows.at(-1)!;
        after = [last.ip, last.visitor];
        if (rows.length < handoverPage) break;
      }
    }
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('active', 1)");
    this.active = true;
    this.remember(articleId, this.shard, undefined, grant.shards);
    // Copied salts are forgotten on the same schedule as the parent's, hit or no hit here.
    await this.scheduleAlarm(clockNow());
  }

  private importRows(day: string, rows: HandoverRow[]) {
    const table = tableForDay(day);
    this.ensureDayTable(day);
    for (const r of rows) {
      if (new Uint8Array(r.ip).length === 1) this.legacyTables.add(table);
      this.sql.exec(
        `INSERT OR IGNORE INTO ${table} (ip, visitor, first_at, last_at, views, b, imported)
         VALUES (?, ?, ?, ?, 0, ?, 1)`,
        r.ip,
        r.visitor,
        r.first_at,
        r.last_at,
        r.b,
      );
    }
  }

  /**
   * Called by a new child shard: from this moment this shard answers `moved` for the child's
   * buckets (one synchronous step), and answers what the child needs to take them over.
   */
  async handOver(request: { articleId: number; child: number; shards: number }): Promise<Handover> {
    this.remember(request.articleId, parentOf(request.child), undefined, request.shards);
    // A parent that is new itself first takes its own buckets over from its parent.
    if (!this.active) await this.activate();
    if (!this.children.has(request.child)) {
      this.sql.exec('INSERT OR IGNORE INTO children (shard) VALUES (?)', request.child);
      this.children.add(request.child);
      this.markMoved();
    }
    const salts = this.sql
      .exec<{ day: string; salt: ArrayBuffer }>('SELECT day, salt FROM salts')
      .toArray();
    const days = salts.map((s) => s.day).filter((d) => this.liveTables.has(tableForDay(d)));
    return { salts, days, shards: this.layout };
  }

  /** The next page of a day's rows in a handed-over child's buckets (and rows without bits). */
  handOverRows(request: {
    child: number;
    day: string;
    after: [ArrayBuffer, ArrayBuffer];
  }): HandoverRow[] {
    // Only rows nobody writes any more: the buckets must be handed over already.
    if (!this.children.has(request.child)) throw new Error('shard not handed over');
    const table = tableForDay(request.day);
    if (!this.liveTables.has(table)) return [];
    return this.sql
      .exec<{
        ip: ArrayBuffer;
        visitor: ArrayBuffer;
        b: number | null;
        first_at: number;
        last_at: number;
      }>(
        `SELECT ip, visitor, b, first_at, last_at FROM ${table}
         WHERE (ip, visitor) > (?, ?) AND (b IS NULL OR (b & ?) = ?)
         ORDER BY ip, visitor LIMIT ?`,
        request.after[0],
        request.after[1],
        classMask(request.child),
        request.child,
        handoverPage,
      )
      .toArray();
  }

  /** Rejections the worker decided alone, batched by it; kept until the next flush. */
  async tally(batch: RejectionTally): Promise<void> {
    this.remember(batch.articleId, 0);
    for (const e of batch.entries) this.addRejections(e.day, e.reason, e.count);
    await this.scheduleAlarm(clockNow());
  }

  /** Dedupe, cap and count synchronously: no await may split the reads from the write. */
  private count(day: string, input: HitInput, bits: number): HitResult {
    const keys = this.visitorKeys(this.keyerFor(day, true)!, input.ip, input.userAgent);
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
    // One range read of the IP's rows (at most the cap's worth) answers both the visitor's own
    // row and, for a new visitor, how many the IP has already: one statement where a point
    // lookup and a count were two (findRow was 2.4 % of the isolate's samples, same profiles
    // as keyerFor; count() went from 16.3 % to 13.6 % with both). Every visitor of one IP lands
    // on this shard (the shard is picked from the IP alone), so the count is the IP's whole day.
    const mine = this.sql
      .exec<{ n: number; last_at: number | null }>(
        `SELECT count(*) AS n, max(CASE WHEN visitor = ? THEN last_at END) AS last_at
         FROM ${table} WHERE ip = ?`,
        keys.visitor,
        keys.ip,
      )
      .one();
    const seen =
      mine.last_at !== null
        ? { last_at: mine.last_at, ip: keys.ip }
        : this.legacyTables.has(table)
          ? this.findRow(table, { ip: legacyIp, visitor: keys.visitor })
          : null;
    if (seen && input.now - seen.last_at < this.dedupeMs) return this.reject(day, 'duplicate');
    if (!seen && mine.n >= viewSettings(this.env).ipVisitorCap) {
      return this.reject(day, 'ip_cap');
    }
    this.sql.exec(
      `INSERT INTO ${table} (ip, visitor, first_at, last_at, views, b) VALUES (?, ?, ?, ?, 1, ?)
       ON CONFLICT (ip, visitor) DO UPDATE SET last_at = excluded.last_at, views = views + 1`,
      seen?.ip ?? keys.ip,
      keys.visitor,
      input.now,
      input.now,
      bits,
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
    // Only when one is stale (once a day): the DELETE is a write transaction even when it
    // finds nothing, and it ran on every wake (4.7 % of the isolate's samples over 1,000
    // articles, where most beacons wake their counter).
    const stale = [...this.salts.keys()].filter((day) => day < keepFrom);
    if (stale.length) {
      this.sql.exec('DELETE FROM salts WHERE day < ?', keepFrom);
      for (const day of stale) this.salts.delete(day);
    }
    for (const day of this.keyers.keys()) if (day < keepFrom) this.keyers.delete(day);
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

  /**
   * Flushes, then arms the next wake-up. After an interval of steady traffic it re-arms one
   * interval ahead at once rather than for the salts' expiry: the next interval's first hit
   * then finds an alarm covering it and writes nothing, so a busy object pays one setAlarm row
   * per flush instead of two (this one, then the hit moving it earlier). Over 1,000 articles at
   * 10 views per flush that is 0.1 row per view, $0.10 of $2.07 per million views
   * (scripts/bench/budgets.ts, test/views/counter.test.ts). The bet loses one alarm (a DO
   * request) and one row when the next interval stays empty; with `busyHits` hits in the last
   * one that is unlikely (under Poisson traffic of rate λ it pays when e^-λ < 1 / 2.15, λ > 0.77),
   * while a lone hit (a quiet article) keeps the old schedule.
   */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const busy = this.hitsSinceAlarm >= busyHits;
    this.hitsSinceAlarm = 0;
    const now = clockNow();
    this.rollover(zonedDay(new Date(now), this.timeZone));
    const report = await this.flush();
    let next = report.error ? now + retryDelayMs : this.nextWake(now);
    if (busy && !report.error && (next === null || next > now + this.flushMs)) {
      next = now + this.flushMs;
    }
    // A hit during the flush may have armed one already; only ever move it earlier.
    if (next !== null && (this.alarmAt === null || this.alarmAt > next)) await this.setAlarm(next);
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
      const { writeShardTotals } = await import('./queries');
      await writeShardTotals(await d1(this.env), {
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

  /** This shard's totals, and the layout it knows when larger than the caller's. */
  read(callerLayout?: number): ShardRead {
    return { ...this.totals, ...this.news(callerLayout) };
  }

  /** Shard 0's knowledge of its article, for reads while D1 is down; null if it never counted. */
  article(): CounterArticle | null {
    if (this.articleId === null || this.shard !== 0) return null;
    return { id: this.articleId, viewBase: this.viewBase, viewShards: this.layout };
  }
}
