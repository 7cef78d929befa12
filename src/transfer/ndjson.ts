/**
 * NDJSON lines from a byte stream, without holding more than one line in memory: a line longer
 * than `maxLineBytes` is skipped up to its newline and reported, never buffered whole. Hand-
 * written because the line limit must hold while streaming (a 2 MB line is refused without
 * reading it into one string), which TextDecoderStream-plus-split helpers do not offer.
 */

export type RawLine =
  | { n: number; text: string }
  | { n: number; error: 'too_long'; bytes: number }
  | { n: number; error: 'not_utf8' };

const newline = 0x0a;

export async function* readLines(
  body: ReadableStream<Uint8Array>,
  maxLineBytes: number,
): AsyncGenerator<RawLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  const reader = body.getReader();
  let parts: Uint8Array[] = [];
  let length = 0;
  let overflow = false;
  let n = 0;
  const finish = (): RawLine | null => {
    n += 1;
    if (overflow) {
      const bytes = length;
      parts = [];
      length = 0;
      overflow = false;
      return { n, error: 'too_long', bytes };
    }
    const line = new Uint8Array(length);
    let offset = 0;
    for (const p of parts) {
      line.set(p, offset);
      offset += p.length;
    }
    parts = [];
    length = 0;
    let text: string;
    try {
      text = decoder.decode(line);
    } catch {
      return { n, error: 'not_utf8' };
    }
    return { n, text: text.replace(/\r$/, '') };
  };
  const take = (bytes: Uint8Array) => {
    length += bytes.length;
    if (overflow) return;
    if (length > maxLineBytes) {
      overflow = true;
      parts = [];
      return;
    }
    parts.push(bytes);
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    let start = 0;
    for (let i = value.indexOf(newline); i !== -1; i = value.indexOf(newline, start)) {
      take(value.subarray(start, i));
      const line = finish();
      if (line) yield line;
      start = i + 1;
    }
    // Copied: the stream may reuse its chunk's buffer.
    if (start < value.length) take(value.slice(start));
  }
  if (length > 0 || overflow) {
    const line = finish();
    if (line) yield line;
  }
}
