import { randomSecret } from '../lib/base64url';

/**
 * Delivery signatures, in Stripe's scheme: `Gazette-Signature: t=<unix seconds>,v1=<hex>`,
 * where v1 is HMAC-SHA256 under the hook's secret over `<t>.<raw body>`. Signing the
 * timestamp with the body lets a receiver refuse replays older than its tolerance.
 * WebCrypto rather than a library: it is built into workerd, Node and browsers alike.
 */
const utf8 = new TextEncoder();

export const signatureHeaderName = 'Gazette-Signature';

function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    'raw',
    utf8.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    [usage],
  );
}

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function signPayload(
  secret: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const key = await hmacKey(secret, 'sign');
  return hex(await crypto.subtle.sign('HMAC', key, utf8.encode(`${timestamp}.${body}`)));
}

/** The header value for one attempt; `timestamp` in seconds since the epoch. */
export async function signatureHeader(
  secret: string,
  timestamp: number,
  body: string,
): Promise<string> {
  return `t=${timestamp},v1=${await signPayload(secret, timestamp, body)}`;
}

export type SignatureCheck =
  { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'stale' | 'mismatch' };

/**
 * What a receiver does: parse the header, refuse a timestamp outside the tolerance, then
 * compare in constant time (crypto.subtle.verify) against every v1 given (there may be two
 * while a secret is rotated).
 */
export async function verifySignature(
  secret: string,
  header: string | null,
  body: string,
  options: { nowSeconds: number; toleranceSeconds?: number },
): Promise<SignatureCheck> {
  if (!header) return { ok: false, reason: 'malformed' };
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (name === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === null || !signatures.length) return { ok: false, reason: 'malformed' };
  if (Math.abs(options.nowSeconds - timestamp) > (options.toleranceSeconds ?? 300)) {
    return { ok: false, reason: 'stale' };
  }
  const key = await hmacKey(secret, 'verify');
  const data = utf8.encode(`${timestamp}.${body}`);
  for (const signature of signatures) {
    const bytes = new Uint8Array(signature.match(/../g)!.map((h) => parseInt(h, 16)));
    if (await crypto.subtle.verify('HMAC', key, bytes, data)) return { ok: true, timestamp };
  }
  return { ok: false, reason: 'mismatch' };
}

/** A new signing secret: `whsec_` and 256 random bits, as Stripe's look. */
export function generateWebhookSecret(): string {
  return randomSecret('whsec_');
}
