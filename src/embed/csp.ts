import { encodeBase64 } from 'hono/utils/encode';

/**
 * Embed pages carry their small style and script inline, allowed by hash rather than by
 * 'unsafe-inline', so content that slipped past the sanitizer still could not run or restyle.
 */
const hashes = new Map<string, Promise<string>>();

export function cspHash(text: string): Promise<string> {
  let hash = hashes.get(text);
  if (!hash) {
    hash = crypto.subtle
      .digest('SHA-256', new TextEncoder().encode(text))
      .then((digest) => `'sha256-${encodeBase64(digest)}'`);
    hashes.set(text, hash);
  }
  return hash;
}

export function cspHeader(directives: Record<string, string>): string {
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}
