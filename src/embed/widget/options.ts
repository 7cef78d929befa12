/**
 * What a placeholder asks for, read from its data-* attributes. Pure functions, no DOM, so the
 * rules are unit-tested in workerd and the browser bundle stays a thin layer around them.
 */

// The site's one Lang type; a type-only import, so none of the site's labels reach embed.js.
import type { Lang } from '../../lib/labels';

export type { Lang };
export type PopularWindow = '1d' | '7d' | '30d';
export type Theme = 'light' | 'dark' | null;

export type Spec =
  | { kind: 'latest'; channel: string | null; limit: number }
  | { kind: 'popular'; window: PopularWindow; channel: string | null; limit: number }
  | { kind: 'article'; id: number }
  | { kind: 'views'; id: number; count: boolean };

/** The subset of DOMStringMap the widget reads; a plain object in tests. */
export type Dataset = Record<string, string | undefined>;

export const maxLimit = 20;
export const defaultLimit = 5;

const slug = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const id = /^[1-9][0-9]{0,15}$/;

/** A missing or unreadable limit falls back to the default; an out-of-range one is clamped. */
export function parseLimit(value: string | undefined): number {
  const n = Number(value?.trim());
  if (!value || !Number.isInteger(n)) return defaultLimit;
  return Math.min(maxLimit, Math.max(1, n));
}

function parseId(value: string | undefined): number | null {
  const v = value?.trim() ?? '';
  return id.test(v) && Number(v) <= Number.MAX_SAFE_INTEGER ? Number(v) : null;
}

/**
 * Null means the placeholder cannot be served (unknown kind, missing or malformed id or
 * channel); the caller leaves it alone and warns once.
 */
export function parseSpec(data: Dataset): Spec | null {
  switch (data.gazette?.trim()) {
    case 'latest':
    case 'popular': {
      const channel = data.channel?.trim() || null;
      if (channel !== null && (channel.length > 80 || !slug.test(channel))) return null;
      const limit = parseLimit(data.limit);
      if (data.gazette.trim() === 'latest') return { kind: 'latest', channel, limit };
      const w = data.window?.trim();
      const window: PopularWindow = w === '1d' || w === '30d' ? w : '7d';
      return { kind: 'popular', window, channel, limit };
    }
    case 'article': {
      const n = parseId(data.id);
      return n === null ? null : { kind: 'article', id: n };
    }
    case 'views': {
      const n = parseId(data.id);
      // A bare data-count attribute reads as "" and means yes, as boolean HTML attributes do.
      const count = data.count !== undefined && /^(|true|1|yes)$/i.test(data.count.trim());
      return n === null ? null : { kind: 'views', id: n, count };
    }
    default:
      return null;
  }
}

/**
 * data-lang on the placeholder wins; otherwise the nearest lang attribute of the page.
 * Chinese of any region gets Chinese labels, any other stated language gets English, and a
 * page that states nothing gets the site's own language, Chinese.
 */
export function pickLang(dataLang: string | undefined, pageLang: string | undefined): Lang {
  for (const value of [dataLang, pageLang]) {
    const v = value?.trim().toLowerCase();
    if (!v) continue;
    return v === 'zh' || v.startsWith('zh-') ? 'zh-CN' : 'en';
  }
  return 'zh-CN';
}

export function pickTheme(value: string | undefined): Theme {
  const v = value?.trim().toLowerCase();
  return v === 'light' || v === 'dark' ? v : null;
}
