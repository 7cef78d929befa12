import {
  createExecutionContext,
  listDurableObjectIds,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock, now as clockNow, useClock, type Clock } from '../../src/lib/clock';
import { createApp } from '../../src/app';
import { viewCounter } from '../../src/views/counter-client';
import { setViewShards } from '../../src/views/queries';
import { ipBucket } from '../../src/views/visitor';
import { get, json, seedArticleInNewChannel, testDb } from '../helpers';

const chrome = (n: number | string) =>
  `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.${n}.0 Safari/537.36`;
const minute = 60_000;

let ipSeq = 0;
/** A fresh IP whose bucket's low bits are `bits` under `mask` (so its shard is known). */
function ipWith(mask = 0, bits = 0) {
  for (;;) {
    ipSeq += 1;
    const ip = `100.80.${(ipSeq >> 8) & 255}.${ipSeq & 255}`;
    if ((ipBucket(ip) & mask) === bits) return ip;
  }
}

interface Reader {
  ip: string;
  ua: string;
}
const reader = (mask = 0, bits = 0): Reader => ({ ip: ipWith(mask, bits), ua: chrome(ipSeq) });

async function beacon(id: number, r: Reader) {
  const res = await get(`/api/v1/articles/${id}/views`, {
    method: 'POST',
    headers: { 'User-Agent': r.ua, 'CF-Connecting-IP': r.ip },
  });
  return { status: res.status, ...(res.status === 200 ? await json(res) : {}) };
}

/** The split threshold of these objects, lowered so a test can drive an article hot. */
async function lowerThreshold(id: number, shards: number[], hitsPerSecond = 2, max = 4) {
  for (const s of shards) {
    await runInDurableObject(viewCounter(env, id, s), (instance) => {
      const holder = instance as unknown as { env: Env };
      holder.env = {
        ...holder.env,
        VIEW_SPLIT_HITS_PER_SECOND: String(hitsPerSecond),
        VIEW_MAX_SHARDS: String(max),
      };
    });
  }
}

async function layoutInD1(id: number) {
  return env.DB.prepare('SELECT view_layout, view_layout_at FROM articles WHERE id = ?')
    .bind(id)
    .first<{ view_layout: number; view_layout_at: number | null }>();
}

async function shardViews(id: number, shards: number) {
  return Promise.all(
    Array.from({ length: shards }, (_, s) =>
      viewCounter(env, id, s)
        .read()
        .then((t) => t.views),
    ),
  );
}

async function flushAll() {
  for (const doId of await listDurableObjectIds(env.VIEW_COUNTER)) {
    await runDurableObjectAlarm(env.VIEW_COUNTER.get(doId));
  }
}

/** Beacons from new readers until the article's layout in D1 reaches `shards`. */
async function driveHot(id: number, shards: number, limit = 400) {
  let counted = 0;
  for (let i = 0; i < limit && (await layoutInD1(id))!.view_layout < shards; i++) {
    const answer = await beacon(id, reader());
    expect(answer).toMatchObject({ status: 200, counted: true });
    counted += 1;
  }
  expect((await layoutInD1(id))!.view_layout).toBe(shards);
  return counted;
}

let clock: ReturnType<typeof fixedClock>;
let restore: Clock;
beforeEach(() => {
  clock = fixedClock(clockNow());
  restore = useClock(clock);
});
afterEach(() => {
  useClock(restore);
});

describe('automatic sharding of a hot article', () => {
  it('spreads an article driven past the threshold over more shards by itself, counting exactly', async () => {
    const { id } = await seedArticleInNewChannel();
    await lowerThreshold(id, [0, 1, 2, 3]);
    expect(await layoutInD1(id)).toEqual({ view_layout: 1, view_layout_at: null });
    const toTwo = await driveHot(id, 2);
    // 20 hits in one 10 s window (2 a second) is the threshold this test set.
    expect(toTwo).toBe(20);
    expect((await layoutInD1(id))!.view_layout_at).toBe(clock.now());
    clock.advance(11_000);
    const toFour = await driveHot(id, 4);
    clock.advance(11_000);
    // More readers: every shard of the new layout takes its share, none is asked to go past 4.
    for (let i = 0; i < 60; i++) {
      expect(await beacon(id, reader())).toMatchObject({ counted: true });
    }
    const total = toTwo + toFour + 60;
    const perShard = await shardViews(id, 4);
    expect(perShard.every((v) => v > 0)).toBe(true);
    expect(perShard.reduce((a, b) => a + b, 0)).toBe(total);
    expect((await layoutInD1(id))!.view_layout).toBe(4);
    expect(await json(await get(`/api/v1/articles/${id}/views`))).toEqual({
      views: total,
      visitors: total,
      live: true,
    });
    await flushAll();
    await flushAll();
    const row = await env.DB.prepare(
      'SELECT view_count, visitor_count, (SELECT count(DISTINCT shard) FROM article_views_daily WHERE article_id = ?1 AND views > 0) AS shards FROM articles WHERE id = ?1',
    )
      .bind(id)
      .first();
    expect(row).toEqual({ view_count: total, visitor_count: total, shards: 4 });
  });

  it('does not count a visitor twice when the dedupe window straddles the split', async () => {
    const { id } = await seedArticleInNewChannel();
    // 40 hits in a 10 s window: the 25 first views below stay under it.
    await lowerThreshold(id, [0, 1], 4, 2);
    // Readers whose bucket is odd: shard 0 counts them now, shard 1 owns them after the split.
    const movers = Array.from({ length: 5 }, () => reader(1, 1));
    const office = { ip: ipWith(1, 1), uas: Array.from({ length: 20 }, (_, i) => chrome(`o${i}`)) };
    for (const r of movers) expect(await beacon(id, r)).toMatchObject({ counted: true });
    for (const ua of office.uas) {
      expect(await beacon(id, { ip: office.ip, ua })).toMatchObject({ counted: true });
    }
    expect(await shardViews(id, 2)).toEqual([25, 0]);
    clock.advance(minute);
    const hot = await driveHot(id, 2);
    const before = await shardViews(id, 2);

    // 10 minutes after their first view, inside the 30-minute window, on the new shard.
    clock.advance(10 * minute);
    for (const r of movers) {
      expect(await beacon(id, r)).toMatchObject({ counted: false, reason: 'duplicate' });
    }
    // The office behind one IP is still at its cap of 20 visitors today.
    expect(await beacon(id, { ip: office.ip, ua: chrome('o20') })).toMatchObject({
      counted: false,
      reason: 'ip_cap',
    });
    expect(await shardViews(id, 2)).toEqual(before);
    const shardOne = await runInDurableObject(viewCounter(env, id, 1), (_i, state) =>
      state.storage.sql
        .exec<{ n: number }>("SELECT count(*) AS n FROM rejections WHERE reason = 'duplicate'")
        .one(),
    );
    expect(shardOne.n).toBe(0); // Tallies are in memory until the flush; nothing written per hit.

    // After the window they count again as views, not as new visitors of the day.
    clock.advance(21 * minute);
    for (const r of movers) expect(await beacon(id, r)).toMatchObject({ counted: true });
    const after = await shardViews(id, 2);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).toBe(before[1]! + 5);
    const total = 25 + hot + 5;
    expect(await json(await get(`/api/v1/articles/${id}/views`))).toEqual({
      views: total,
      visitors: 25 + hot,
      live: true,
    });
    await flushAll();
    const row = await env.DB.prepare('SELECT view_count, visitor_count FROM articles WHERE id = ?')
      .bind(id)
      .first();
    expect(row).toEqual({ view_count: total, visitor_count: 25 + hot });
  });

  it('counts 200 parallel beacons of one visitor once while its new shard takes over', async () => {
    const { id } = await seedArticleInNewChannel();
    await lowerThreshold(id, [0, 1], 2, 2);
    const visitor = reader(1, 1);
    expect(await beacon(id, visitor)).toMatchObject({ counted: true });
    // Readers of shard 0 only, so shard 1 has not taken its buckets over yet.
    let hot = 0;
    while ((await layoutInD1(id))!.view_layout < 2) {
      expect(await beacon(id, reader(1, 0))).toMatchObject({ counted: true });
      hot += 1;
    }
    clock.advance(31 * minute);
    const answers = await Promise.all(Array.from({ length: 200 }, () => beacon(id, visitor)));
    expect(answers.filter((a) => a.counted === true)).toHaveLength(1);
    for (const a of answers.filter((x) => x.counted !== true)) {
      expect(a.reason === 'duplicate' || a.status === 429).toBe(true);
    }
    expect(await shardViews(id, 2)).toEqual([1 + hot, 1]);
    expect(await json(await get(`/api/v1/articles/${id}/views`))).toEqual({
      views: hot + 2,
      visitors: hot + 1,
      live: true,
    });
  });
});

describe('resharding by an operator (view_shards)', () => {
  it('moves no visitor that was seen, up or down', async () => {
    const { id } = await seedArticleInNewChannel();
    const readers = Array.from({ length: 24 }, () => reader());
    for (const r of readers) expect(await beacon(id, r)).toMatchObject({ counted: true });
    expect(await setViewShards(testDb(), id, 3)).toBe(true);
    // Rounded up to a power of two, recorded with when; isolates see it within their cache TTL.
    expect(await layoutInD1(id)).toEqual({ view_layout: 4, view_layout_at: clock.now() });
    clock.advance(31_000);
    for (const r of readers) {
      expect(await beacon(id, r)).toMatchObject({ counted: false, reason: 'duplicate' });
    }
    const newcomers = Array.from({ length: 24 }, () => reader());
    for (const r of newcomers) expect(await beacon(id, r)).toMatchObject({ counted: true });
    const perShard = await shardViews(id, 4);
    expect(perShard[0]).toBe(24 + countOnZero(newcomers));
    expect(perShard.reduce((a, b) => a + b, 0)).toBe(48);

    // Lowering the floor keeps the layout: merging shards would move visitors.
    expect(await setViewShards(testDb(), id, 1)).toBe(true);
    expect((await layoutInD1(id))!.view_layout).toBe(4);
    clock.advance(31_000);
    for (const r of [...readers, ...newcomers]) {
      expect(await beacon(id, r)).toMatchObject({ counted: false, reason: 'duplicate' });
    }
    expect(await json(await get(`/api/v1/articles/${id}/views`))).toEqual({
      views: 48,
      visitors: 48,
      live: true,
    });
    await flushAll();
    const row = await env.DB.prepare('SELECT view_count FROM articles WHERE id = ?')
      .bind(id)
      .first();
    expect(row).toEqual({ view_count: 48 });
  });
});

describe('when a shard the isolate just learned of cannot answer', () => {
  it('still says the view was counted', async () => {
    const { id } = await seedArticleInNewChannel();
    // The isolate caches the article at layout 1; then the layout grows behind its back.
    expect(await beacon(id, reader(1, 0))).toMatchObject({ counted: true });
    expect(await setViewShards(testDb(), id, 2)).toBe(true);
    await viewCounter(env, id, 0).hit({
      articleId: id,
      shard: 0,
      ip: ipWith(1, 0),
      userAgent: chrome('teach'),
      now: clock.now(),
      viewShards: 2,
    });
    const names = new Map<string, string>();
    const counters = {
      idFromName: (name: string) => {
        const realId = env.VIEW_COUNTER.idFromName(name);
        names.set(realId.toString(), name);
        return realId;
      },
      get: (doId: DurableObjectId) =>
        names.get(doId.toString())?.endsWith(':1')
          ? new Proxy({}, { get: () => () => Promise.reject(new Error('object overloaded')) })
          : env.VIEW_COUNTER.get(doId),
    };
    const ctx = createExecutionContext();
    const r = reader(1, 0);
    const res = await createApp().fetch(
      new Request(`http://gazette.test/api/v1/articles/${id}/views`, {
        method: 'POST',
        headers: { 'User-Agent': r.ua, 'CF-Connecting-IP': r.ip },
      }),
      { ...env, VIEW_COUNTER: counters as unknown as Env['VIEW_COUNTER'] },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    // Shard 0 counted it and said the layout is 2; shard 1 failed, so it adds nothing.
    expect(await json(res)).toEqual({ views: 3, visitors: 3, counted: true });
    expect((await viewCounter(env, id, 0).read()).views).toBe(3);
  });
});

const countOnZero = (readers: Reader[]) => readers.filter((r) => (ipBucket(r.ip) & 3) === 0).length;
