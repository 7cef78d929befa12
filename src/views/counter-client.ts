import type { HitInput, HitResult, ShardTotals, ViewCounter } from './counter';

/**
 * The one way to reach a counter object. A hot article is split into `shards` objects;
 * a visitor always lands on the same shard, so dedupe and unique visitors stay exact.
 */
export function viewCounter(
  env: Env,
  articleId: number,
  shard: number,
): DurableObjectStub<ViewCounter> {
  return env.VIEW_COUNTER.get(env.VIEW_COUNTER.idFromName(`article:${articleId}:${shard}`));
}

export function shardFor(bucket: number, shards: number): number {
  return bucket % Math.max(1, shards);
}

export class CountingUnavailableError extends Error {
  constructor(cause: unknown) {
    super('view counters unreachable', { cause });
    this.name = 'CountingUnavailableError';
  }
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new CountingUnavailableError(err);
  }
}

export interface ArticleCounts {
  views: number;
  visitors: number;
}

/** Live totals across every shard, plus the count carried over from an older site. */
export async function readCounts(
  env: Env,
  article: { id: number; viewBase: number; viewShards: number },
): Promise<ArticleCounts> {
  const shards = await call(() =>
    Promise.all(
      Array.from({ length: article.viewShards }, (_, shard) =>
        viewCounter(env, article.id, shard).read(),
      ),
    ),
  );
  return sumShards(article.viewBase, shards);
}

function sumShards(base: number, shards: ShardTotals[]): ArticleCounts {
  return shards.reduce(
    (acc, s) => ({ views: acc.views + s.views, visitors: acc.visitors + s.visitors }),
    { views: base, visitors: 0 },
  );
}

export interface RecordedHit extends ArticleCounts {
  counted: boolean;
  reason?: HitResult['reason'];
}

/**
 * Other shards' totals, remembered briefly per isolate: a beacon on a hot article then costs
 * one object request, not one per shard, and the answer is exact for the visitor's own shard.
 */
const siblingTotals = new Map<string, { at: number; totals: ShardTotals }>();
const siblingTtlMs = 5_000;

async function readSibling(env: Env, articleId: number, shard: number, now: number) {
  const key = `${articleId}:${shard}`;
  const cached = siblingTotals.get(key);
  if (cached && now - cached.at < siblingTtlMs) return cached.totals;
  const totals = await viewCounter(env, articleId, shard).read();
  if (siblingTotals.size > 10_000) siblingTotals.clear();
  siblingTotals.set(key, { at: now, totals });
  return totals;
}

/** Records one hit on the visitor's shard and answers with the article's live totals. */
export async function recordHit(
  env: Env,
  article: { id: number; viewBase: number; viewShards: number },
  hit: Omit<HitInput, 'articleId' | 'shard'> & { bucket: number },
): Promise<RecordedHit> {
  const shard = shardFor(hit.bucket, article.viewShards);
  const { bucket: _bucket, ...input } = hit;
  const [own, ...others] = await call(() =>
    Promise.all([
      viewCounter(env, article.id, shard).hit({ ...input, articleId: article.id, shard }),
      ...Array.from({ length: article.viewShards }, (_, s) => s)
        .filter((s) => s !== shard)
        .map((s) => readSibling(env, article.id, s, hit.now)),
    ]),
  );
  const totals = sumShards(article.viewBase, [own, ...others]);
  return { ...totals, counted: own.counted, reason: own.reason };
}
