/**
 * FNV-1a (32-bit) over the text's code points: tiny, synchronous and deterministic, for
 * checksums and short ids that need no secrecy. Hand-written because crypto.subtle is async
 * and a well-kept library for six lines would cost more bytes than it saves.
 */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const ch of text) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
