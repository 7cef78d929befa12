import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HitInput, ViewCounter } from '../../src/views/counter';
import { viewCounter } from '../../src/views/counter-client';
import { seedArticleInNewChannel } from '../helpers';
import { clockTime, fixedClock, now as clockNow, useClock, type Clock } from '../../src/lib/clock';
import { zonedDay } from '../../src/lib/time';

const browserUa = (n: number | string) =>
  `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36 reader-${n}`;

// 2026-11-28 12:00 in Asia/Shanghai.
const noon = Date.UTC(2026, 10, 28, 4, 0, 0);
const minute = 60_000;
const day = 86_400_000;

function hit(articleId: number, overrides: Partial<HitInput> = {}): HitInput {
  return {
    articleId,
    shard: 0,
    ip: '203.0.113.7',
    userAgent: browserUa('a'),
    now: noon,
    ...overrides,
  };
}

/**
 * Runs `fn` inside the object with its SQL handle wrapped, and answers the storage rows the
 * statements wrote (cursor.rowsWritten) plus the alarms set, each a billed row write too.
 */
async function rowsWrittenBy(
  stub: DurableObjectStub<ViewCounter>,
  fn: (instance: ViewCounter) => Promise<unknown>,
): Promise<number> {
  const { rows, alarms } = await writesBy(stub, fn);
  return rows + alarms;
}

/** The rows the SQL statements wrote, and the setAlarm calls, apart. */
async function writesBy(
  stub: DurableObjectStub<ViewCounter>,
  fn: (instance: ViewCounter) => Promise<unknown>,
): Promise<{ rows: number; alarms: number }> {
  return runInDurableObject(stub, async (instance, state) => {
    const holder = instance as unknown as { sql: SqlStorage };
    const real = holder.sql;
    const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
    holder.sql = {
      exec: (query: string, ...params: unknown[]) => {
        const cursor = real.exec(query, ...params);
        cursors.push(cursor);
        return cursor;
      },
    } as SqlStorage;
    const storage = state.storage as unknown as { setAlarm: DurableObjectStorage['setAlarm'] };
    const realSetAlarm = storage.setAlarm.bind(state.storage);
    let alarms = 0;
    storage.setAlarm = (at, options) => {
      alarms += 1;
      return realSetAlarm(at, options);
    };
    try {
      await fn(instance);
    } finally {
      holder.sql = real;
      storage.setAlarm = realSetAlarm;
    }
    return { rows: cursors.reduce((sum, c) => sum + c.rowsWritten, 0), alarms };
  });
}

/** A D1 whose batch() fails `failures` times (after landing part of the batch), then works. */
function flakyD1(real: D1Database, failures: number): D1Database {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'batch') {
        return async (statements: D1PreparedStatement[]) => {
          if (failures-- > 0) {
            // Half of the batch reaches D1 first; the transaction must roll it back.
            await target.batch(statements.slice(0, 1)).catch(() => undefined);
            throw new Error('D1_ERROR: simulated network failure');
          }
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function storageDump(stub: DurableObjectStub<ViewCounter>): Promise<string> {
  return runInDurableObject(stub, (_instance, state) => {
    const tables = state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'",
      )
      .toArray();
    const dump: Record<string, unknown[]> = {};
    for (const { name } of tables) {
      dump[name] = state.storage.sql
        .exec(`SELECT * FROM "${name}"`)
        .toArray()
        .map((row) =>
          Object.fromEntries(
            Object.entries(row).map(([k, v]) => [
              k,
              v instanceof ArrayBuffer ? new TextDecoder().decode(v) : v,
            ]),
          ),
        );
    }
    return JSON.stringify(dump);
  });
}

describe('ViewCounter', () => {
  // The hits below are stamped on one 2026 day; the object's clock must agree, or under the
  // suite's 2041 clock every alarm it sets would already be due and fire mid-test.
  let restoreClock: Clock;
  beforeEach(() => {
    restoreClock = useClock(fixedClock(noon));
  });
  afterEach(() => {
    useClock(restoreClock);
  });

  it('counts distinct visitors once each and dedupes repeats inside the window', async () => {
    const article = await seedArticleInNewChannel();
    const counter = viewCounter(env, article.id, 0);
    const first = await counter.hit(hit(article.id));
    expect(first).toEqual({ counted: true, views: 1, visitors: 1 });
    const repeat = await counter.hit(hit(article.id, { now: noon + 29 * minute }));
    expect(repeat).toEqual({ counted: false, reason: 'duplicate', views: 1, visitors: 1 });
    const other = await counter.hit(hit(article.id, { ip: '198.51.100.2' }));
    expect(other).toEqual({ counted: true, views: 2, visitors: 2 });
    // After the window the same reader counts again as a view, but not as a new visitor today.
    const later = await counter.hit(hit(article.id, { now: noon + 31 * minute }));
    expect(later).toEqual({ counted: true, views: 3, visitors: 2 });
    expect(await counter.read()).toEqual({ views: 3, visitors: 2 });
  });

  it('treats a different User-Agent behind the same IP as a different visitor', async () => {
    const article = await seedArticleInNewChannel();
    const counter = viewCounter(env, article.id, 0);
    await counter.hit(hit(article.id, { userAgent: browserUa('phone') }));
    const second = await counter.hit(hit(article.id, { userAgent: browserUa('laptop') }));
    expect(second).toEqual({ counted: true, views: 2, visitors: 2 });
  });

  it('counts a returning reader as a new daily visitor the next day', async () => {
    const article = await seedArticleInNewChannel();
    const counter = viewCounter(env, article.id, 0);
    await counter.hit(hit(article.id));
    const nextDay = await counter.hit(hit(article.id, { now: noon + day }));
    expect(nextDay).toEqual({ counted: true, views: 2, visitors: 2 });
  });

  it('keeps the dedupe window across midnight even though the daily salt changed', async () => {
    const article = await seedArticleInNewChannel();
    const counter = viewCounter(env, article.id, 0);
    const beforeMidnight = Date.UTC(2026, 10, 28, 15, 50); // 23:50 in Shanghai
    await counter.hit(hit(article.id, { now: beforeMidnight }));
    const afterMidnight = await counter.hit(hit(article.id, { now: beforeMidnight + 20 * minute }));
    expect(afterMidnight).toMatchObject({ counted: false, reason: 'duplicate', views: 1 });
    const later = await counter.hit(hit(article.id, { now: beforeMidnight + 40 * minute }));
    expect(later).toEqual({ counted: true, views: 2, visitors: 2 });
  });

  it('forgets a day salt once the following day is over and folds that day into one row', async () => {
    const article = await seedArticleInNewChannel();
    const counter = viewCounter(env, article.id, 0);
    await counter.hit(hit(article.id));
    await counter.hit(hit(article.id, { ip: '198.51.100.9' }));
    const saltsOnDayOne = await runInDurableObject(counter, (_i, state) =>
      state.storage.sql
        .exec<{ day: string; salt: ArrayBuffer }>('SELECT day, salt FROM salts')
        .toArray(),
    );
    expect(saltsOnDayOne.map((s) => s.day)).toEqual(['2026-11-28']);
    const oldSalt = new Uint8Array(saltsOnDayOne[0]!.salt).join(',');

    await counter.hit(hit(article.id, { now: noon + 2 * day }));
    const state = await runInDurableObject(counter, (_i, s) => ({
      salts: s.storage.sql
        .exec<{ day: string; salt: ArrayBuffer }>('SELECT day, salt FROM salts')
        .toArray(),
      tables: s.storage.sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'v_*'",
        )
        .toArray()
        .map((r) => r.name),
      days: s.storage.sql.exec('SELECT day, views, visitors FROM days').toArray(),
    }));
    expect(state.salts.map((s) => s.day)).toEqual(['2026-11-30']);
    expect(state.salts.map((s) => new Uint8Array(s.salt).join(','))).not.toContain(oldSalt);
    expect(state.tables).toEqual(['v_20261130']);
    expect(state.days).toEqual([{ day: '2026-11-28', views: 2, visitors: 2 }]);
    expect(await counter.read()).toEqual({ views: 3, visitors: 3 });
  });

  it('still forgets the salt of a hit stamped with a clock two days behind', async () => {
    const article = await seedArticleInNewChannel();
    const counter = viewCounter(env, article.id, 0);
    await counter.hit(hit(article.id, { now: noon + 2 * day }));
    await counter.hit(hit(article.id, { now: noon, ip: '198.51.100.20' }));
    await counter.hit(hit(article.id, { now: noon + 2 * day + minute, ip: '198.51.100.21' }));
    const salts = await runInDurableObject(counter, (_i, state) =>
      state.storage.sql.exec<{ day: string }>('SELECT day FROM salts ORDER BY day').toArray(),
    );
    expect(salts.map((s) => s.day)).toEqual(['2026-11-30']);
    expect(await counter.read()).toEqual({ views: 3, visitors: 3 });
  });

  it('writes one storage row per counted view once the day is set up', async () => {
    const article = await seedArticleInNewChannel();
    const counter = viewCounter(env, article.id, 0);
    await counter.hit(hit(article.id, { now: clockNow() }));
    const rows = await rowsWrittenBy(counter, async (instance) => {
      for (let i = 0; i < 20; i++) {
        const result = await instance.hit(
          hit(article.id, { now: clockNow(), ip: `198.51.100.${100 + i}` }),
        );
        expect(result.counted).toBe(true);
      }
    });
    expect(rows).toBe(20);
  });

  it('writes nothing for a duplicate or an IP over its cap, and tallies both', async () => {
    const article = await seedArticleInNewChannel();
    const counter = viewCounter(env, article.id, 0);
    const now = clockNow();
    for (let i = 0; i < 20; i++) {
      await counter.hit(hit(article.id, { now, userAgent: browserUa(`office-${i}`) }));
    }
    const rows = await rowsWrittenBy(counter, async (instance) => {
      expect(
        await instance.hit(hit(article.id, { now, userAgent: browserUa('office-0') })),
      ).toEqual({ counted: false, reason: 'duplicate', views: 20, visitors: 20 });
      expect(
        await instance.hit(hit(article.id, { now, userAgent: browserUa('office-20') })),
      ).toEqual({ counted: false, reason: 'ip_cap', views: 20, visitors: 20 });
    });
    expect(rows).toBe(0);
  });

  it('schedules an alarm that deletes the salts of an idle object on time', async () => {
    const article = await seedArticleInNewChannel();
    const counter = viewCounter(env, article.id, 0);
    await counter.hit(hit(article.id, { now: clockNow() }));
    // The flush alarm comes first; after it the next wake-up is the salt's expiry, <= 48 h away.
    await runDurableObjectAlarm(counter);
    const alarmAt = await runInDurableObject(counter, (_i, state) =>
      state.storage.getAlarm().then((at) => (at === null ? null : clockTime(at))),
    );
    expect(alarmAt).not.toBeNull();
    expect(alarmAt! - clockNow()).toBeGreaterThan(0);
    expect(alarmAt! - clockNow()).toBeLessThanOrEqual(2 * day);
  });

  it('sets one alarm per flush while traffic is steady, none on the hits after a busy interval', async () => {
    const article = await seedArticleInNewChannel();
    const counter = viewCounter(env, article.id, 0);
    const { alarms } = await writesBy(counter, async (instance) => {
      for (let interval = 0; interval < 5; interval++) {
        for (let i = 0; i < 10; i++) {
          const ip = `10.7.${interval}.${i}`;
          expect((await instance.hit(hit(article.id, { ip, now: clockNow() }))).counted).toBe(true);
        }
        await instance.alarm();
      }
    });
    // The first hit arms the first flush; each flush re-arms once, one interval ahead.
    expect(alarms).toBe(1 + 5);
    expect(await counter.read()).toEqual({ views: 50, visitors: 50 });
    const d1 = await env.DB.prepare('SELECT view_count FROM articles WHERE id = ?')
      .bind(article.id)
      .first<{ view_count: number }>();
    expect(d1?.view_count).toBe(50);
  });

  it('arms for the salts once a busy object goes quiet, and again per flush after a lone hit', async () => {
    const article = await seedArticleInNewChannel();
    const counter = viewCounter(env, article.id, 0);
    const alarmAt = () =>
      runInDurableObject(counter, (_i, state) =>
        state.storage.getAlarm().then((at) => (at === null ? null : clockTime(at))),
      );
    for (let i = 0; i < 3; i++)
      await counter.hit(hit(article.id, { ip: `10.8.0.${i}`, now: clockNow() }));
    await runDurableObjectAlarm(counter);
    // Busy: the next flush is armed already, within one interval.
    expect((await alarmAt())! - clockNow()).toBeLessThanOrEqual(60_000);
    // Nothing came: the empty alarm arms for the salts' expiry, still within 48 h.
    await runDurableObjectAlarm(counter);
    const quiet = (await alarmAt())! - clockNow();
    expect(quiet).toBeGreaterThan(60_000);
    expect(quiet).toBeLessThanOrEqual(2 * day);
    // A lone hit moves it earlier; its flush arms for the salts again, not a bet.
    const { alarms } = await writesBy(counter, async (instance) => {
      await instance.hit(hit(article.id, { ip: '10.8.1.1', now: clockNow() }));
      await instance.alarm();
    });
    expect(alarms).toBe(2);
    expect((await alarmAt())! - clockNow()).toBeGreaterThan(60_000);
  });

  it('stores no IP address or User-Agent anywhere', async () => {
    const article = await seedArticleInNewChannel();
    const counter = viewCounter(env, article.id, 0);
    const ip = '192.0.2.123';
    const ua = browserUa('private-marker-ua');
    await counter.hit(hit(article.id, { ip, userAgent: ua, now: clockNow() }));
    await counter.hit(hit(article.id, { ip, userAgent: ua, now: clockNow() }));
    await runDurableObjectAlarm(counter);
    const dump = await storageDump(counter);
    expect(dump).not.toContain(ip);
    expect(dump).not.toContain('private-marker-ua');
    const d1Tables = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'",
    ).all<{ name: string }>();
    for (const { name } of d1Tables.results) {
      const rows = JSON.stringify((await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results);
      expect(rows).not.toContain(ip);
      expect(rows).not.toContain('private-marker-ua');
    }
  });

  it('records rejected hits by reason without counting them, written with the flush', async () => {
    const article = await seedArticleInNewChannel();
    const counter = viewCounter(env, article.id, 0);
    const today = zonedDay(new Date(noon), 'Asia/Shanghai');
    await counter.tally({
      articleId: article.id,
      entries: [
        { day: today, reason: 'bot', count: 3 },
        { day: today, reason: 'rate_limited', count: 1 },
      ],
    });
    await counter.hit(hit(article.id));
    await counter.hit(hit(article.id));
    expect(await counter.read()).toEqual({ views: 1, visitors: 1 });
    const stored = () =>
      runInDurableObject(counter, (_i, state) =>
        state.storage.sql.exec('SELECT reason, count FROM rejections ORDER BY reason').toArray(),
      );
    expect(await stored()).toEqual([]);
    await runDurableObjectAlarm(counter);
    expect(await stored()).toEqual([
      { reason: 'bot', count: 3 },
      { reason: 'duplicate', count: 1 },
      { reason: 'rate_limited', count: 1 },
    ]);
    const d1 = await env.DB.prepare(
      'SELECT reason, count FROM view_rejections_daily WHERE article_id = ? ORDER BY reason',
    )
      .bind(article.id)
      .all();
    expect(d1.results).toEqual([
      { reason: 'bot', count: 3 },
      { reason: 'duplicate', count: 1 },
      { reason: 'rate_limited', count: 1 },
    ]);
  });

  it('writes at most two storage rows per counted view on average', async () => {
    const article = await seedArticleInNewChannel();
    const counter = viewCounter(env, article.id, 0);
    const start = clockNow();
    const rows = await rowsWrittenBy(counter, async (instance) => {
      for (let i = 0; i < 200; i++) {
        await instance.hit(hit(article.id, { ip: `10.0.${i >> 8}.${i & 255}`, now: start + i }));
      }
      // Some readers come back after the dedupe window.
      for (let i = 0; i < 50; i++) {
        await instance.hit(hit(article.id, { ip: `10.0.0.${i}`, now: start + 31 * minute + i }));
      }
      await instance.alarm();
    });
    // Measured on the SQL cursors themselves, not estimated: one row per counted view plus
    // the object's few fixed writes (meta, salt, table, alarms).
    expect(rows / 250).toBeLessThanOrEqual(2);
    expect(rows).toBeLessThan(250 + 10);
    expect(await counter.read()).toEqual({ views: 250, visitors: 200 });
  });
});

describe('ViewCounter flush to D1', () => {
  async function d1Totals(articleId: number) {
    const article = await env.DB.prepare(
      'SELECT view_count, visitor_count FROM articles WHERE id = ?',
    )
      .bind(articleId)
      .first<{ view_count: number; visitor_count: number }>();
    const days = await env.DB.prepare(
      'SELECT day, shard, views, visitors FROM article_views_daily WHERE article_id = ? ORDER BY day, shard',
    )
      .bind(articleId)
      .all();
    return { article, days: days.results };
  }

  it('writes absolute totals, so a second flush changes nothing', async () => {
    const article = await seedArticleInNewChannel({ viewBase: 712 });
    const counter = viewCounter(env, article.id, 0);
    const now = clockNow();
    for (let i = 0; i < 5; i++) await counter.hit(hit(article.id, { ip: `10.1.0.${i}`, now }));
    expect(await runDurableObjectAlarm(counter)).toBe(true);
    const first = await d1Totals(article.id);
    expect(first.article).toEqual({ view_count: 717, visitor_count: 5 });
    expect(first.days).toHaveLength(1);
    expect(first.days[0]).toMatchObject({ shard: 0, views: 5, visitors: 5 });

    const again = await counter.flush();
    expect(again.flushed).toBe(false);
    await runInDurableObject(counter, async (instance: ViewCounter) => {
      // Force a resend of everything, as after a lost acknowledgement.
      (instance as unknown as { flushedDays: Map<string, string> }).flushedDays.clear();
      expect((await instance.flush()).flushed).toBe(true);
    });
    expect(await d1Totals(article.id)).toEqual(first);
  });

  it('retries after D1 fails mid-flush and ends exact, nothing lost or doubled', async () => {
    const article = await seedArticleInNewChannel();
    const counter = viewCounter(env, article.id, 0);
    const now = clockNow();
    for (let i = 0; i < 3; i++) await counter.hit(hit(article.id, { ip: `10.2.0.${i}`, now }));

    // The object reads D1 from its environment; swap in one that fails once.
    await runInDurableObject(counter, (instance: ViewCounter) => {
      const holder = instance as unknown as { env: Env };
      holder.env = { ...holder.env, DB: flakyD1(holder.env.DB, 1) };
    });
    expect(await runDurableObjectAlarm(counter)).toBe(true);
    // The failed flush left the counts dirty and asked for a retry soon.
    const retryAt = await runInDurableObject(counter, (_i, state) =>
      state.storage.getAlarm().then((at) => (at === null ? null : clockTime(at))),
    );
    expect(retryAt).not.toBeNull();
    expect(retryAt! - clockNow()).toBeLessThanOrEqual(15_000);

    await counter.hit(hit(article.id, { ip: '10.2.0.99', now }));
    expect(await runDurableObjectAlarm(counter)).toBe(true);
    const totals = await d1Totals(article.id);
    expect(totals.article).toEqual({ view_count: 4, visitor_count: 4 });
    expect(totals.days).toEqual([expect.objectContaining({ views: 4, visitors: 4 })]);
  });

  it('flushes correctly after the object was evicted from memory', async () => {
    const article = await seedArticleInNewChannel();
    const counter = viewCounter(env, article.id, 0);
    const now = clockNow();
    for (let i = 0; i < 4; i++) await counter.hit(hit(article.id, { ip: `10.3.0.${i}`, now }));
    await evictDurableObject(counter);
    expect(await runDurableObjectAlarm(counter)).toBe(true);
    expect((await d1Totals(article.id)).article).toEqual({ view_count: 4, visitor_count: 4 });
    // State rebuilt from storage: the next view continues from 4, it does not restart.
    const next = await counter.hit(hit(article.id, { ip: '10.3.0.50', now }));
    expect(next).toEqual({ counted: true, views: 5, visitors: 5 });
  });
});
