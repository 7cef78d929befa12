import type { Spec } from './options';

/**
 * Turning a page's placeholders into as few requests as possible: one per latest channel and
 * per popular window and channel (asking for the largest limit any placeholder there wants), one batch for all
 * article cards, one batch for all plain counters, and one beacon per counted article.
 */

export interface Call {
  method: 'GET' | 'POST';
  /** Path and query, relative to the API origin. */
  path: string;
}

export function callKey(call: Call): string {
  return `${call.method} ${call.path}`;
}

/** Batch sizes the API accepts in one `ids` parameter. */
export const articleIdsPerCall = 100;
export const viewIdsPerCall = 100;

/** Sorted ids make the same set of placeholders ask the same URL, which caches well. */
function batches(ids: Set<number>, size: number, prefix: string): Map<number, Call> {
  const byId = new Map<number, Call>();
  const sorted = [...ids].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i += size) {
    const part = sorted.slice(i, i + size);
    const call: Call = { method: 'GET', path: prefix + part.join(',') };
    for (const id of part) byId.set(id, call);
  }
  return byId;
}

const popularKey = (s: { window: string; channel: string | null }) =>
  `${s.window} ${s.channel ?? ''}`;

/** Channel slugs are checked against a slug pattern, so they need no escaping. */
const channelQuery = (channel: string | null) => (channel ? `channel=${channel}&` : '');

/** For each spec, the call whose response serves it (same index). Equal calls share a key. */
export function planCalls(specs: readonly Spec[]): Call[] {
  const latestLimit = new Map<string, number>();
  const popularLimit = new Map<string, number>();
  const articleIds = new Set<number>();
  const counted = new Set<number>();
  const viewIds = new Set<number>();
  for (const s of specs) {
    if (s.kind === 'latest') {
      const k = s.channel ?? '';
      latestLimit.set(k, Math.max(latestLimit.get(k) ?? 0, s.limit));
    } else if (s.kind === 'popular') {
      const k = popularKey(s);
      popularLimit.set(k, Math.max(popularLimit.get(k) ?? 0, s.limit));
    } else if (s.kind === 'article') {
      articleIds.add(s.id);
    } else if (s.count) {
      counted.add(s.id);
    } else {
      viewIds.add(s.id);
    }
  }
  // A counter next to a counted one reads the beacon's answer instead of asking again.
  for (const id of counted) viewIds.delete(id);

  const articleCall = batches(articleIds, articleIdsPerCall, '/api/v1/articles?ids=');
  const viewCall = batches(viewIds, viewIdsPerCall, '/api/v1/views?ids=');

  return specs.map((s): Call => {
    switch (s.kind) {
      case 'latest':
        return {
          method: 'GET',
          path: `/api/v1/articles?${channelQuery(s.channel)}limit=${latestLimit.get(s.channel ?? '')}`,
        };
      case 'popular':
        return {
          method: 'GET',
          path: `/api/v1/articles/popular?window=${s.window}&${channelQuery(s.channel)}limit=${popularLimit.get(popularKey(s))}`,
        };
      case 'article':
        return articleCall.get(s.id)!;
      case 'views':
        return counted.has(s.id)
          ? { method: 'POST', path: `/api/v1/articles/${s.id}/views` }
          : viewCall.get(s.id)!;
    }
  });
}

/** The fields of an article summary the widget shows. */
export interface ArticleData {
  id: number;
  title: unknown;
  summary?: unknown;
  source?: unknown;
  publishedAt?: unknown;
  views?: unknown;
  /** Views within a popular list's window, which is what ranks it. */
  windowViews?: unknown;
  url?: unknown;
}

function hasId(value: unknown): value is ArticleData {
  return (
    typeof value === 'object' && value !== null && typeof (value as ArticleData).id === 'number'
  );
}

function dataArray(body: unknown): unknown[] | undefined {
  const data = (body as { data?: unknown } | null)?.data;
  return Array.isArray(data) ? data : undefined;
}

export type Picked =
  | { kind: 'list'; items: ArticleData[] }
  | { kind: 'article'; article: ArticleData | null }
  | { kind: 'views'; views: number | null };

/**
 * What a response holds for one spec. Undefined means the response was not the shape the
 * widget expects (treated like an outage); null inside means the API does not know the id.
 */
export function pick(spec: Spec, call: Call, body: unknown): Picked | undefined {
  if (spec.kind === 'views' && call.method === 'POST') {
    const views = (body as { views?: unknown } | null)?.views;
    return typeof views === 'number' ? { kind: 'views', views } : undefined;
  }
  const data = dataArray(body);
  if (!data) return undefined;
  switch (spec.kind) {
    case 'latest':
    case 'popular':
      return { kind: 'list', items: data.filter(hasId).slice(0, spec.limit) };
    case 'article':
      return {
        kind: 'article',
        article: data.filter(hasId).find((a) => a.id === spec.id) ?? null,
      };
    case 'views': {
      const row = data.find((v) => hasId(v) && v.id === spec.id) as ArticleData | undefined;
      return { kind: 'views', views: typeof row?.views === 'number' ? row.views : null };
    }
  }
}
