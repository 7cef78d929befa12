import { decodeBase64, encodeBase64 } from 'hono/utils/encode';

/**
 * Password hashing for admin accounts: PBKDF2-SHA256 through WebCrypto (Workers have no
 * argon2 or scrypt in the runtime, and a WASM one would cost far more CPU per sign-in).
 *
 * Cloudflare Workers refuse PBKDF2 above 100,000 iterations ("Pbkdf2 failed: iteration counts
 * above 100000 are not supported", cloudflare/workerd#1346, still open in 2026): BoringSSL
 * cannot be interrupted by the CPU limiter. The local workerd leaves the cap unset (it ran
 * 100,000,000 iterations here), so tests cannot show the production refusal; the count is that
 * cap. Each hash stores its own count, so a later, higher cap can re-hash on the next sign-in.
 */
export const passwordIterations = 100_000;
/** A stored count above this is refused before any work: a crafted row cannot burn CPU. */
export const maxPasswordIterations = passwordIterations;
const saltBytes = 16;
const hashBits = 256;

export const minPasswordLength = 10;
export const maxPasswordLength = 200;

export async function derivePassword(
  password: string,
  salt: Uint8Array,
  iterations: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(password.normalize('NFC')),
    'PBKDF2',
    false,
    ['deriveBits'],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    key,
    hashBits,
  );
  return new Uint8Array(bits);
}

export interface PasswordHash {
  passwordHash: string;
  passwordSalt: string;
  passwordIterations: number;
}

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = crypto.getRandomValues(new Uint8Array(saltBytes));
  const hash = await derivePassword(password, salt, passwordIterations);
  return {
    passwordHash: encodeBase64(hash.buffer),
    passwordSalt: encodeBase64(salt.buffer),
    passwordIterations,
  };
}

export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  if (
    !Number.isInteger(stored.passwordIterations) ||
    stored.passwordIterations < 1 ||
    stored.passwordIterations > maxPasswordIterations
  ) {
    return false;
  }
  const expected = decodeBase64(stored.passwordHash);
  const actual = await derivePassword(
    password,
    decodeBase64(stored.passwordSalt),
    stored.passwordIterations,
  );
  // Both are derivations of the same length; timingSafeEqual compares them in constant time.
  return (
    actual.byteLength === expected.byteLength && crypto.subtle.timingSafeEqual(actual, expected)
  );
}

/**
 * A derivation to spend the same time on when the username is unknown or disabled, so the
 * answer's timing does not tell which usernames exist.
 */
export async function burnPasswordTime(password: string): Promise<void> {
  await derivePassword(password, new Uint8Array(saltBytes), passwordIterations);
}

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < minPasswordLength) {
    return `must be at least ${minPasswordLength} characters`;
  }
  if (password.length > maxPasswordLength) {
    return `must be at most ${maxPasswordLength} characters`;
  }
  if (password.toLowerCase().includes(username.toLowerCase())) {
    return 'must not contain the username';
  }
  if (new Set(password).size < 4) return 'must not be one character repeated';
  return null;
}
