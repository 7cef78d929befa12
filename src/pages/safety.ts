import { sanitizePolicy, videoFrameSources } from '../lib/video-hosts';

/**
 * Reader pages run no inline code: scripts and styles come from our own origin only, so an
 * injected tag in stored content could not run even if it got past the sanitizer. Frames are
 * limited to the video players the sanitizer lets into bodies (VIDEO_EMBED_HOSTS), so a
 * player dropped from that list stops loading in old articles too.
 */
const basePageCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: http: data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

const cspCache = new WeakMap<object, string>();

export function pageCsp(env: { VIDEO_EMBED_HOSTS?: string }): string {
  let csp = cspCache.get(env);
  if (csp === undefined) {
    const frames = videoFrameSources(sanitizePolicy(env));
    csp = [...basePageCsp, ...(frames ? [`frame-src ${frames}`] : [])].join('; ');
    cspCache.set(env, csp);
  }
  return csp;
}

/**
 * Stored URLs (attachments, cover images) are only linked when they are web or site-relative
 * addresses, so a javascript: or data: value becomes plain text instead of a live link.
 */
export function safeHref(url: string | null | undefined, origin?: string): string | null {
  if (!url) return null;
  const value = url.trim();
  if (value.startsWith('/') && !value.startsWith('//')) return origin ? origin + value : value;
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

const scriptEscapes: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * JSON for a <script type="application/ld+json"> block: the characters that could close the
 * element or start markup are written as JSON escapes, which parse back to the same text.
 *
 * One pass, not five: five replace() calls were 2.1 % of the article page's CPU samples in a
 * profile under load (2026-12-01).
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => scriptEscapes[ch]!);
}
