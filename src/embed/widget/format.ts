import type { Lang } from './options';

/**
 * The API writes instants in the site's time zone (2021-09-30T10:00:00+08:00), so the
 * calendar day is its first ten characters: the reader sees the date the newsroom published
 * on, whatever the host page's or the reader's own time zone.
 */
export function formatDate(iso: unknown): string {
  return typeof iso === 'string' && /^\d{4}-\d{2}-\d{2}/.test(iso) ? iso.slice(0, 10) : '';
}

export function formatCount(n: unknown, lang: Lang): string {
  const value = typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0;
  return value.toLocaleString(lang === 'zh-CN' ? 'zh-CN' : 'en-US');
}

/** Only absolute http(s) links reach an href, whatever the response says. */
export function safeHref(url: unknown): string | null {
  return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : null;
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
