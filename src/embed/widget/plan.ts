import type { Spec } from './options';

/**
 * Turning a page's placeholders into as few requests as possible: one per latest channel and
 * popular window (asking for the largest limit any placeholder there wants), one batch for all
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

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

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
      popularLimit.set(s.window, Math.max(popularLimit.get(s.window) ?? 0, s.limit));
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

  const articleCall = new Map<number, Call>();
  for (const ids of chunk(
    [...articleIds].sort((a, b) => a - b),
    articleIdsPerCall,
  )) {
    const call: Call = { method: 'GET', path: `/api/v1/articles?ids=${ids.join(',')}` };
    for (const id of ids) articleCall.set(id, call);
  }
  const viewCall = new Map<number, Call>();
  for (const ids of chunk(
    [...viewIds].sort((a, b) => a - b),
    viewIdsPerCall,
  )) {
    const call: Call = { method: 'GET', path: `/api/v1/views?ids=${ids.join(',')}` };
    for (const id of ids) viewCall.set(id, call);
  }

  return specs.map((s): Call => {
    switch (s.kind) {
      case 'latest': {
        const q = new URLSearchParams();
        if (s.channel) q.set('channel', s.channel);
        q.set('limit', String(latestLimit.get(s.channel ?? '')));
        return { method: 'GET', path: `/api/v1/articles?${q}` };
      }
      case 'popular':
        return {
          method: 'GET',
          path: `/api/v1/articles/popular?window=${s.window}&limit=${popularLimit.get(s.window)}`,
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
  url?: unknown;
}

function isArticle(value: unknown): value is ArticleData {
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
      return { kind: 'list', items: data.filter(isArticle).slice(0, spec.limit) };
    case 'article':
      return {
        kind: 'article',
        article: data.filter(isArticle).find((a) => a.id === spec.id) ?? null,
      };
    case 'views': {
      const row = data.find((v) => isArticle(v) && v.id === spec.id) as ArticleData | undefined;
      return { kind: 'views', views: typeof row?.views === 'number' ? row.views : null };
    }
  }
}
