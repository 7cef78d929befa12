import { randomBytes } from 'node:crypto';

/**
 * 16 random characters from an alphabet of 56 without look-alikes (no 0/O, 1/l/I): about 93
 * bits. 256 is a multiple of neither 56 nor anything close, so bytes past the last whole
 * multiple (224) are skipped rather than folded in, keeping every character equally likely.
 */
export function initialPassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let out = '';
  while (out.length < 16) {
    for (const b of randomBytes(32)) {
      if (b < 224 && out.length < 16) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}
