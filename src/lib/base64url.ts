import { encodeBase64Url } from 'hono/utils/encode';

/** Unpadded base64url (RFC 4648 §5), the form tokens, secrets and signatures travel in. Hono's encoder pads. */
export function base64Url(bytes: ArrayBufferLike): string {
  return encodeBase64Url(bytes).replace(/=+$/, '');
}

/** `prefix` and 256 random bits: API tokens, session cookies, webhook secrets. */
export function randomSecret(prefix: string): string {
  return prefix + base64Url(crypto.getRandomValues(new Uint8Array(32)).buffer);
}
