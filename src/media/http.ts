/** HTTP details of serving a stored file: download names (RFC 6266) and byte ranges (RFC 9110). */

/** RFC 5987 attr-chars that encodeURIComponent leaves alone but ext-value must not carry. */
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * An ASCII stand-in for clients that ignore filename*: letters, digits and a few safe marks
 * survive, every other run becomes one underscore, and the extension is kept.
 */
export function asciiFallbackName(name: string): string {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot + 1) : '';
  const clean = (s: string) => s.replace(/[^A-Za-z0-9._ ()-]+/g, '_').replace(/^[ .]+|[ .]+$/g, '');
  let asciiStem = clean(stem);
  if (!/[A-Za-z0-9]/.test(asciiStem)) asciiStem = 'file';
  const asciiExt = clean(ext);
  return asciiExt ? `${asciiStem}.${asciiExt}` : asciiStem;
}

/**
 * `attachment; filename="2024_.xlsx"; filename*=UTF-8''2024%E5%B9%B4...` (RFC 6266 section 4.3:
 * both, the extended one last, so old clients take the fallback and new ones the real name).
 */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const fallback = asciiFallbackName(name);
  const extended = fallback === name ? '' : `; filename*=UTF-8''${encodeExtValue(name)}`;
  return `${kind}; filename="${fallback}"${extended}`;
}

export type RangeRequest =
  { kind: 'none' } | { kind: 'range'; offset: number; length: number } | { kind: 'unsatisfiable' };

/**
 * One byte range of `bytes=a-b`, `bytes=a-` or `bytes=-n`. A header that is malformed, uses
 * another unit or asks for several ranges is ignored (RFC 9110 section 14.2 allows it): the
 * whole file is served.
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (!header) return { kind: 'none' };
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'none' };
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    const length = Math.min(suffix, size);
    return { kind: 'range', offset: size - length, length };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? Infinity : Number(m[2]);
  if (end < start) return { kind: 'none' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', offset: start, length: Math.min(end, size - 1) - start + 1 };
}

/**
 * If-Range: the range applies only while the representation is the one the client has. An
 * entity tag must match exactly (strong comparison); a date must not be earlier than the
 * file's Last-Modified (the bytes at a content hash never change after that).
 */
export function ifRangeHolds(
  ifRange: string | undefined,
  etag: string,
  lastModified: Date,
): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === etag;
  const date = Date.parse(value);
  return Number.isFinite(date) && date >= Math.floor(lastModified.getTime() / 1000) * 1000;
}
