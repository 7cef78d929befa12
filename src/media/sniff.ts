/**
 * What an upload really is, decided from its first bytes, never from the client's Content-Type;
 * the name's extension must then agree with it. Anything not listed here is refused, and so is
 * SVG: it is XML that can carry script, and Gazette never serves it at all (not even as an
 * attachment), since a browser opening it from our origin would run that script.
 */

export interface SniffedType {
  /** The Content-Type the file is served with. */
  type: string;
  /** Lower-case format name shown to readers (`xlsx`, `pdf`), the name's own extension. */
  format: string;
}

export type SniffResult =
  | ({ ok: true } & SniffedType)
  | { ok: false; code: 'media_type_unsupported' | 'media_type_mismatch'; detail: string };

/** Bytes of the file the sniffer wants to see (fewer when the file is smaller). */
export const sniffBytes = 64 * 1024;

const ooxmlTypes = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
} as const;

/** OLE compound files: the legacy Office formats and Kingsoft WPS's own. */
const oleTypes: Record<string, string> = {
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  wps: 'application/kswps',
  et: 'application/kset',
  dps: 'application/ksdps',
};

/** Which OOXML part folder each word-processing, spreadsheet or presentation extension needs. */
const ooxmlFamily: Record<string, 'word' | 'xl' | 'ppt'> = {
  docx: 'word',
  wps: 'word',
  xlsx: 'xl',
  et: 'xl',
  pptx: 'ppt',
  dps: 'ppt',
};

export const imageTypes = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
]);

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((b, i) => bytes[offset + i] === b);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, Math.min(end, bytes.length)));
}

/** The lower-case extension after the last dot, or '' when there is none. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/**
 * Names of the ZIP entries whose local headers lie within the bytes seen. Stops at an entry
 * written with a data descriptor (its size is unknown until after its data) or at the first
 * byte that is not a local header.
 */
function zipEntryNames(bytes: Uint8Array): string[] {
  const names: string[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + 30 <= bytes.length && view.getUint32(at, true) === 0x04034b50) {
    const flags = view.getUint16(at + 6, true);
    const compressed = view.getUint32(at + 18, true);
    const nameLength = view.getUint16(at + 26, true);
    const extraLength = view.getUint16(at + 28, true);
    if (at + 30 + nameLength > bytes.length) break;
    names.push(new TextDecoder().decode(bytes.subarray(at + 30, at + 30 + nameLength)));
    if (flags & 0x08) break;
    at += 30 + nameLength + extraLength + compressed;
  }
  return names;
}

type Container =
  | { kind: 'pdf' | 'ole' | 'rar' | '7z' | 'svg' | 'html' | 'unknown' }
  | { kind: 'zip'; names: string[] }
  | { kind: 'image'; type: string; exts: string[] }
  | { kind: 'mp4' }
  | { kind: 'text'; charset: string };

const mp4Brands = new Set([
  'isom',
  'iso2',
  'iso4',
  'iso5',
  'iso6',
  'mp41',
  'mp42',
  'avc1',
  'dash',
  'M4V ',
  'mmp4',
  'msnv',
]);

/** Control characters that never appear in text files (tab, LF, FF, CR and ESC may). */
function looksBinary(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (
      b === 0x7f ||
      (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d && b !== 0x1b)
    ) {
      return true;
    }
  }
  return false;
}

function decodes(bytes: Uint8Array, encoding: string, complete: boolean): string | null {
  try {
    // stream: a sniff window may end inside a multi-byte character.
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes, {
      stream: !complete,
    });
  } catch {
    return null;
  }
}

const markupStart = /^<(?:!doctype|html|head|body|script|iframe|object|embed|!--|\?xml|svg)\b/i;

function identify(head: Uint8Array, complete: boolean): Container {
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return { kind: 'pdf' };
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return { kind: 'ole' };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) {
    return { kind: 'zip', names: zipEntryNames(head) };
  }
  if (startsWith(head, [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07])) return { kind: 'rar' };
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return { kind: '7z' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) {
    return { kind: 'image', type: 'image/jpeg', exts: ['jpg', 'jpeg'] };
  }
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return { kind: 'image', type: 'image/png', exts: ['png'] };
  }
  if (/^GIF8[79]a/.test(ascii(head, 0, 6)))
    return { kind: 'image', type: 'image/gif', exts: ['gif'] };
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') {
    return { kind: 'image', type: 'image/webp', exts: ['webp'] };
  }
  if (ascii(head, 4, 8) === 'ftyp') {
    const brand = ascii(head, 8, 12);
    if (brand === 'avif' || brand === 'avis') {
      return { kind: 'image', type: 'image/avif', exts: ['avif'] };
    }
    return mp4Brands.has(brand) ? { kind: 'mp4' } : { kind: 'unknown' };
  }
  if (looksBinary(head)) return { kind: 'unknown' };
  let text = decodes(head, 'utf-8', complete);
  let charset = 'utf-8';
  if (text === null) {
    // Chinese government offices still write GB 18030 text and CSV.
    text = decodes(head, 'gb18030', complete);
    charset = 'gb18030';
  }
  if (text === null) return { kind: 'unknown' };
  const start = text.replace(/^\ufeff/, '').trimStart();
  if (
    /^<\?xml[^>]*>\s*(?:<!--[\s\S]*?-->\s*)*(?:<!doctype svg|<svg)/i.test(start) ||
    /^<svg\b/i.test(start)
  ) {
    return { kind: 'svg' };
  }
  if (markupStart.test(start)) return { kind: 'html' };
  return { kind: 'text', charset };
}

function ok(type: string, format: string): SniffResult {
  return { ok: true, type, format };
}

function mismatch(ext: string, what: string): SniffResult {
  return {
    ok: false,
    code: 'media_type_mismatch',
    detail: ext
      ? `The name ends in .${ext} but the content is ${what}`
      : `The name has no extension; the content is ${what}`,
  };
}

/**
 * Decides the type of a file from its first bytes (`head`, up to `sniffBytes`; `complete` when
 * that is the whole file) and checks that `name`'s extension agrees.
 */
export function sniff(head: Uint8Array, name: string, complete: boolean): SniffResult {
  const ext = extensionOf(name);
  const found = identify(head, complete);
  switch (found.kind) {
    case 'pdf':
      return ext === 'pdf' ? ok('application/pdf', ext) : mismatch(ext, 'a PDF document');
    case 'ole':
      return oleTypes[ext]
        ? ok(oleTypes[ext], ext)
        : mismatch(ext, 'a legacy Office (OLE) document');
    case 'zip': {
      const names = found.names;
      const isOfd = names.some((n) => n === 'OFD.xml');
      const isOoxml = names.some(
        (n) => n === '[Content_Types].xml' || /^(?:_rels|docProps)\//.test(n),
      );
      const families = new Set(
        names.map((n) => /^(word|xl|ppt)\//.exec(n)?.[1]).filter((f): f is string => Boolean(f)),
      );
      if (ext === 'zip') return ok('application/zip', ext);
      if (ext === 'ofd')
        return isOfd ? ok('application/ofd', ext) : mismatch(ext, 'a ZIP archive that is not OFD');
      const family = ooxmlFamily[ext];
      if (family && (isOoxml || families.size > 0)) {
        const other = [...families].find((f) => f !== family);
        if (other) return mismatch(ext, `an Office document of another kind (${other}/)`);
        const type =
          ext in ooxmlTypes ? ooxmlTypes[ext as keyof typeof ooxmlTypes] : oleTypes[ext]!;
        return ok(type, ext);
      }
      return mismatch(
        ext,
        isOfd ? 'an OFD document' : isOoxml ? 'an Office document' : 'a ZIP archive',
      );
    }
    case 'rar':
      return ext === 'rar' ? ok('application/vnd.rar', ext) : mismatch(ext, 'a RAR archive');
    case '7z':
      return ext === '7z' ? ok('application/x-7z-compressed', ext) : mismatch(ext, 'a 7z archive');
    case 'image':
      return found.exts.includes(ext)
        ? ok(found.type, ext)
        : mismatch(ext, `an image (${found.type})`);
    case 'mp4':
      return ext === 'mp4' ? ok('video/mp4', ext) : mismatch(ext, 'an MP4 video');
    case 'text':
      if (ext === 'txt') return ok(`text/plain; charset=${found.charset}`, ext);
      if (ext === 'csv') return ok(`text/csv; charset=${found.charset}`, ext);
      return mismatch(ext, 'plain text');
    case 'svg':
      return {
        ok: false,
        code: 'media_type_unsupported',
        detail:
          'SVG images are not accepted: they can carry script. Upload a PNG, JPEG or WebP instead.',
      };
    case 'html':
      return {
        ok: false,
        code: 'media_type_unsupported',
        detail: 'HTML and XML files are not accepted',
      };
    case 'unknown':
      return {
        ok: false,
        code: 'media_type_unsupported',
        detail:
          'Accepted: pdf, ofd, doc, xls, ppt, docx, xlsx, pptx, wps, et, dps, zip, rar, 7z, txt, csv, jpg, png, gif, webp, avif, mp4',
      };
  }
}
