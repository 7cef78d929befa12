/**
 * Plain text of a stored article body. Bodies are sanitized on write (src/lib/sanitize.ts), so
 * tags are well formed and text is entity-escaped; all search needs is the words between the
 * tags. Hand-written rather than sanitize-html's htmlToText: that parser is write-side only and
 * the public worker must not carry it to cut a snippet.
 */

const blockEnd =
  /<\/(?:p|div|h[1-6]|li|dt|dd|blockquote|pre|tr|td|th|caption|figcaption)\s*>|<br\s*\/?>|<hr\s*\/?>/gi;

const named: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

function decodeEntity(entity: string, body: string): string {
  if (body[0] === '#') {
    const code =
      body[1] === 'x' || body[1] === 'X'
        ? parseInt(body.slice(2), 16)
        : parseInt(body.slice(1), 10);
    return Number.isInteger(code) &&
      code > 0 &&
      code <= 0x10ffff &&
      (code < 0xd800 || code > 0xdfff)
      ? String.fromCodePoint(code)
      : entity;
  }
  return named[body.toLowerCase()] ?? entity;
}

export function htmlText(html: string): string {
  return html
    .replace(blockEnd, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, decodeEntity)
    .replace(/\s+/g, ' ')
    .trim();
}
