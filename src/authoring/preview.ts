import { AppError } from '../lib/errors';
import { base64Url } from '../lib/base64url';

/**
 * Signed preview links: /preview/articles/{id}?exp={unix seconds}&sig={HMAC-SHA256}. Anyone
 * with the link sees the draft until it expires; no token travels in the URL, and changing the
 * id or the expiry breaks the signature.
 */

export const defaultPreviewSeconds = 24 * 3600;
/** Only for local development; production must set the PREVIEW_SECRET secret. */
const devSecret = 'gazette-local-preview-secret';

function isLocal(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname.endsWith('.test');
}

export function previewSecret(env: { PREVIEW_SECRET?: string }, url: string): string {
  if (env.PREVIEW_SECRET) return env.PREVIEW_SECRET;
  if (isLocal(new URL(url).hostname)) return devSecret;
  throw new AppError('internal_error', {
    detail: 'Preview links need the PREVIEW_SECRET secret (wrangler secret put PREVIEW_SECRET)',
  });
}

async function hmac(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return base64Url(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(message)));
}

export async function signPreview(secret: string, id: number, expires: number): Promise<string> {
  return hmac(secret, `preview:article:${id}:${expires}`);
}

export async function previewPath(secret: string, id: number, expires: number): Promise<string> {
  return `/preview/articles/${id}?exp=${expires}&sig=${await signPreview(secret, id, expires)}`;
}

/** True when `sig` signs this id and expiry and the expiry is still ahead of `nowSeconds`. */
export async function verifyPreview(
  secret: string,
  id: number,
  expires: number,
  sig: string,
  nowSeconds: number,
): Promise<boolean> {
  if (!Number.isSafeInteger(expires) || expires <= nowSeconds) return false;
  const expected = await signPreview(secret, id, expires);
  const a = new TextEncoder().encode(expected);
  const b = new TextEncoder().encode(sig);
  // Equal-length signatures compared in constant time; a wrong length is simply wrong.
  return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}
