import { AppError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { TtlCache } from '../lib/ttl-cache';
import { raiseLayout } from './article-cache';
import type {
  CounterArticle,
  HitInput,
  HitResult,
  RejectionTally,
  ShardRead,
  ShardTotals,
  ViewCounter,
  WorkerRejection,
} from './counter';
import { articleLayout, range, shardOf } from './layout';
import { viewSettings } from './settings';

/**
 * The one way to reach a counter object. A hot article is split into a layout of shards
 * (src/views/layout.ts); a visitor's bucket is owned by one shard at a time, so dedupe and
 * unique visitors stay exact.
 */
export function viewCounter(
  env: Env,
  articleId: number,
  shard: number,
): DurableObjectStub<ViewCounter> {
  return env.VIEW_COUNTER.get(env.VIEW_COUNTER.idFromName(`article:${articleId}:${shard}`));
}

const retryAfterSeconds = '30';

/** What every caller answers when its own counter cannot be reached. */
function countingUnavailable(err: unknown, detail: string): AppError {
  return new AppError('counting_unavailable', {
    detail,
    headers: { 'Retry-After': retryAfterSeconds },
    cause: err,
  });
}

export interface ArticleCounts {
  views: number;
  visitors: number;
}

export interface LiveCounts extends ArticleCounts {
  /** false when the counters were unreachable and the last flushed totals answered. */
  live: boolean;
}

export interface CountedArticle {
  id: number;
  viewBase: number;
  viewShards: number;
  viewLayout?: number;
  viewCount: number;
  visitorCount: number;
}

function sumShards(base: number, shards: ShardTotals[]): ArticleCounts {
  return shards.reduce(
    (acc, s) => ({ views: acc.views + s.views, visitors: acc.visitors + s.visitors }),
    { views: base, visitors: 0 },
  );
}

/**
 * Every shard's totals, in parallel: one round trip. A shard that knows a larger layout than
 * this isolate (an article that just split) says so, and only then are the new shards asked.
 */
async function readShards(
  env: Env,
  article: { id: number; viewShards: number; viewLayout?: number },
  skip?: { shard: number; totals: ShardTotals },
): Promise<ShardTotals[]> {
  const layout = articleLayout(article);
  const ask = (shards: number[]) =>
    Promise.all(
      shards.map((s) =>
        s === skip?.shard ? skip.totals : viewCounter(env, article.id, s).read(layout),
      ),
    );
  const first: ShardRead[] = await ask(range(0, layout));
  const known = Math.max(layout, ...first.map((s) => s.shards ?? 0));
  if (known === layout) return first;
  raiseLayout(article, known);
  return [...first, ...(await ask(range(layout, known)))];
}

/**
 * Live totals across every shard, plus the count carried over from an older site; the last
 * flushed totals when a counter cannot answer.
 */
export async function readCounts(env: Env, article: CountedArticle): Promise<LiveCounts> {
  try {
    return { ...sumShards(article.viewBase, await readShards(env, article)), live: true };
  } catch {
    return { views: article.viewCount, visitors: article.visitorCount, live: false };
  }
}

/**
 * Live totals when D1 cannot say what the article is: shard 0 remembers the article's legacy
 * count and shard count. An article no counter has seen cannot be answered for.
 */
export async function readCountsFromCounters(env: Env, id: number): Promise<LiveCounts> {
  let article: CounterArticle | null;
  let own: ShardTotals;
  try {
    const first = viewCounter(env, id, 0);
    [article, own] = await Promise.all([first.article(), first.read()]);
  } catch (err) {
    throw countingUnavailable(err, 'Neither the database nor the view counters can answer.');
  }
  if (!article) {
    throw countingUnavailable(
      null,
      'The database cannot be read, and no counter knows this article.',
    );
  }
  try {
    const all = await readShards(env, article, { shard: 0, totals: own });
    return { ...sumShards(article.viewBase, all), live: true };
  } catch (err) {
    throw countingUnavailable(err, 'Some view counters of this article cannot be reached.');
  }
}

export interface RecordedHit extends ArticleCounts {
  counted: boolean;
  reason?: HitResult['reason'];
}

/**
 * Other shards' totals, remembered briefly per isolate: a beacon on a hot article then costs
 * one object request, not one per shard, and the answer is exact for the visitor's own shard.
 */
const siblingTotals = new TtlCache<string, ShardTotals>(10_000);
const siblingTtlMs = 5_000;

async function readSibling(env: Env, articleId: number, shard: number, now: number) {
  const key = `${articleId}:${shard}`;
  const cached = siblingTotals.get(key, now);
  if (cached) return cached.value;
  try {
    const totals = await viewCounter(env, articleId, shard).read();
    siblingTotals.set(key, totals, siblingTtlMs, now);
    return totals;
  } catch {
    // The visitor's own shard already decided; a sibling that cannot answer must not turn a
    // counted view into an error. Its last known totals stand in (none: it adds nothing).
    return siblingTotals.stale(key)?.value ?? null;
  }
}

/**
 * Records one hit on the visitor's shard and answers with the article's live totals. Throws
 * `counting_unavailable` (503, Retry-After) only when the visitor's own shard cannot count.
 */
export async function recordHit(
  env: Env,
  article: CountedArticle,
  hit: Omit<HitInput, 'articleId' | 'shard' | 'viewBase' | 'viewShards'> & { bucket: number },
): Promise<RecordedHit> {
  const firstLayout = articleLayout(article);
  const firstShard = shardOf(hit.bucket, firstLayout);
  const asked = new Set(range(0, firstLayout));
  const siblings = range(0, firstLayout)
    .filter((s) => s !== firstShard)
    .map((s) => readSibling(env, article.id, s, hit.now));
  let own: HitResult;
  let layout = firstLayout;
  let shard = firstShard;
  try {
    // A shard that handed this visitor's bucket to a newer shard says `moved` and its layout;
    // each answer is one more level of the split, so a few tries always end somewhere.
    for (let attempt = 0; ; attempt++) {
      own = await viewCounter(env, article.id, shard).hit({
        ...hit,
        articleId: article.id,
        shard,
        viewBase: article.viewBase,
        viewShards: layout,
      });
      if (own.shards && own.shards > layout) {
        layout = own.shards;
        raiseLayout(article, layout);
      }
      if (!own.moved) break;
      if (attempt > 6 || shardOf(hit.bucket, layout) === shard) {
        throw new Error(`shard ${shard} answered moved without a larger layout`);
      }
      shard = shardOf(hit.bucket, layout);
    }
  } catch (err) {
    await Promise.allSettled(siblings);
    throw countingUnavailable(
      err,
      'The view counters cannot be reached; nothing was counted. Try again shortly.',
    );
  }
  // After a split the shards this isolate did not know of are asked too (rarely: the isolate
  // learns the layout from this very answer).
  const late = range(0, layout)
    .filter((s) => s !== shard && (!asked.has(s) || s === firstShard))
    .map((s) => readSibling(env, article.id, s, hit.now));
  const others = [...(await Promise.all(siblings)), ...(await Promise.all(late))];
  const known = others.filter((s) => s !== null);
  const totals = sumShards(article.viewBase, [own, ...known]);
  // With a sibling missing, the flushed total is a floor the live sum must not fall below.
  const views =
    known.length < others.length ? Math.max(totals.views, article.viewCount) : totals.views;
  return { views, visitors: totals.visitors, counted: own.counted, reason: own.reason };
}

/**
 * Rejections the worker decides alone (bot, suspicious, foreign origin, rate limit), tallied
 * per isolate and sent to the article's shard 0 at most once per flush interval, so a flood of
 * junk costs no object request and no storage write per hit. An isolate that ends before its
 * next send loses at most one interval of tallies; the views themselves are never affected.
 */
const pendingTallies = new Map<string, number>();
let lastTallySent = Number.NEGATIVE_INFINITY;

export function tallyRejection(
  env: Env,
  waitUntil: (promise: Promise<unknown>) => void,
  logger: Logger,
  rejection: { articleId: number; day: string; reason: WorkerRejection; now: number },
): void {
  const key = `${rejection.articleId}|${rejection.day}|${rejection.reason}`;
  pendingTallies.set(key, (pendingTallies.get(key) ?? 0) + 1);
  if (rejection.now - lastTallySent < viewSettings(env).flushMs) return;
  lastTallySent = rejection.now;
  const byArticle = new Map<number, RejectionTally>();
  for (const [k, count] of pendingTallies) {
    const [id, day, reason] = k.split('|') as [string, string, WorkerRejection];
    const articleId = Number(id);
    const tally = byArticle.get(articleId) ?? { articleId, entries: [] };
    tally.entries.push({ day, reason, count });
    byArticle.set(articleId, tally);
  }
  pendingTallies.clear();
  for (const tally of byArticle.values()) {
    // One line per object request, so what rejections cost in requests can be read off the logs.
    logger.info('view rejection tallies sent', {
      articleId: tally.articleId,
      hits: tally.entries.reduce((n, e) => n + e.count, 0),
    });
    waitUntil(
      viewCounter(env, tally.articleId, 0)
        .tally(tally)
        .catch((err: unknown) => {
          // Put them back for the next send rather than lose them.
          for (const e of tally.entries) {
            const k = `${tally.articleId}|${e.day}|${e.reason}`;
            pendingTallies.set(k, (pendingTallies.get(k) ?? 0) + e.count);
          }
          logger.warn('view rejection tally not delivered; kept for the next send', {
            articleId: tally.articleId,
            error: String(err),
          });
        }),
    );
  }
}
