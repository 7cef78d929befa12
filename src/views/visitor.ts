import { sha256 } from '@noble/hashes/sha2.js';
import { encodeBase64Url } from 'hono/utils/encode';
import { isbot } from 'isbot';

/**
 * What isbot (crawlers, link previewers, HTTP libraries) does not know, checked against
 * isbot 5.2.3: automation that drives a real engine and keeps its User-Agent browser-shaped,
 * and a few link previewers. Each entry has a test naming it (test/views/visitor.test.ts).
 */
const missedByIsbot = /puppeteer|webdriver|jsdom|lighthouse|kakaotalk-scrap|nuzzel/i;

/**
 * A browser says Mozilla/5.0, a platform in parentheses and a rendering engine with its
 * version (Blink and WebKit: AppleWebKit/537.36, Gecko: Gecko/20100101 or rv:, Trident).
 * `Mozilla/5.0` alone, or a library that only borrows the prefix, is not a reader.
 */
const browserShape =
  /^Mozilla\/5\.0 \([^)]{3,}\).*(?:AppleWebKit\/\d{3}|Gecko\/\d{6,8}|Gecko\/\d+\.\d|Trident\/\d)/;

interface BotManagement {
  score?: number;
  verifiedBot?: boolean;
}

export function isBot(userAgent: string, cf?: { botManagement?: BotManagement } | null): boolean {
  const bm = cf?.botManagement;
  if (bm?.verifiedBot) return true;
  if (typeof bm?.score === 'number' && bm.score > 0 && bm.score < 30) return true;
  if (!browserShape.test(userAgent)) return true;
  return isbot(userAgent) || missedByIsbot.test(userAgent);
}

/**
 * Fetch Metadata that no browser sends with a view beacon (fetch or sendBeacon: destination
 * `empty`, never a navigation) or with a badge `<img>` (destination `image`). Headers that are
 * absent say nothing: older browsers do not send them and still count.
 */
export function contradictsFetchMetadata(headers: Headers, expected: 'beacon' | 'image'): boolean {
  const dest = headers.get('Sec-Fetch-Dest');
  const mode = headers.get('Sec-Fetch-Mode');
  const site = headers.get('Sec-Fetch-Site');
  if (dest !== null && dest !== (expected === 'beacon' ? 'empty' : 'image')) return true;
  if (mode === 'navigate' || mode === 'websocket') return true;
  if (headers.get('Sec-Fetch-User') === '?1') return true;
  // `none` is a request the user started (address bar, bookmark), never one a page made.
  return site === 'none';
}

/**
 * The origins allowed to count views besides Gazette's own (VIEW_COUNT_ORIGINS, comma
 * separated); empty allows any site.
 */
export function countOrigins(value: string | undefined): Set<string> {
  const origins = new Set<string>();
  for (const part of (value ?? '').split(',')) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    try {
      origins.add(new URL(trimmed).origin);
    } catch {
      // A malformed entry allows nothing rather than everything.
    }
  }
  return origins;
}

function originOf(value: string | null): string | null {
  if (!value) return null;
  try {
    const origin = new URL(value).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/**
 * Whether a page on another site made this request while the allow-list excludes it. The
 * page's origin comes from `Origin` (always sent with a cross-origin POST), else `Referer`;
 * a request that names no page but says it is cross-site is foreign too. A request that
 * says nothing at all (an old browser, a stripped Referer on an image) is not refused.
 */
export function isForeignOrigin(
  headers: Headers,
  ownOrigin: string,
  allowed: Set<string>,
): boolean {
  if (!allowed.size) return false;
  const page = originOf(headers.get('Origin')) ?? originOf(headers.get('Referer'));
  if (page !== null) return page !== ownOrigin && !allowed.has(page);
  const site = headers.get('Sec-Fetch-Site');
  return site === 'cross-site' || site === 'same-site';
}

export interface VisitorSignals {
  ip: string;
  userAgent: string;
  /** Short, unlinkable key of (IP, User-Agent) for the per-visitor rate limit. Never stored. */
  key: string;
  /** Short, unlinkable key of the IP alone for the per-IP rate limit. Never stored. */
  ipKey: string;
  /**
   * Stable number from the IP alone, for picking a shard: every visitor behind one IP meets
   * on one shard, which is what lets that shard enforce the per-IP visitor cap exactly.
   */
  bucket: number;
}

const utf8 = new TextEncoder();

/** The IP's shard bucket (see VisitorSignals.bucket); the counter derives it the same way. */
export function ipBucket(ip: string): number {
  const ipDigest = sha256(utf8.encode(`ip\n${ip}`));
  return new DataView(ipDigest.buffer, ipDigest.byteOffset).getUint32(12);
}

export function visitorSignals(headers: Headers): VisitorSignals {
  // On Cloudflare CF-Connecting-IP is set by the edge and cannot be forged by the client.
  const ip = headers.get('CF-Connecting-IP') ?? '';
  const userAgent = (headers.get('User-Agent') ?? '').slice(0, 512);
  const digest = sha256(utf8.encode(`${ip}\n${userAgent}`));
  const ipDigest = sha256(utf8.encode(`ip\n${ip}`));
  return {
    ip,
    userAgent,
    key: encodeBase64Url(digest.slice(0, 12).buffer),
    ipKey: encodeBase64Url(ipDigest.slice(0, 12).buffer),
    bucket: new DataView(ipDigest.buffer, ipDigest.byteOffset).getUint32(12),
  };
}
