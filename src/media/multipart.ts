/**
 * A streaming reader for multipart/form-data (RFC 7578) bodies.
 *
 * Hand-written on purpose: the maintained parsers that run in workerd (@remix-run/multipart-parser,
 * @apeleghq/multipart-parser) hand each part over as one buffered Uint8Array, and an upload may
 * be 50 MB or more while a Worker has 128 MB. This reader yields a part's content chunk by chunk
 * as it arrives and keeps at most one delimiter's length of it back, so memory stays flat.
 * Boundary search finds the delimiter's first byte with the native Uint8Array indexOf and then
 * compares the rest (node:buffer would do it natively too, but loading it costs startup time).
 */

export class MultipartError extends Error {
  constructor(
    message: string,
    readonly kind: 'truncated' | 'malformed' | 'length',
  ) {
    super(message);
    this.name = 'MultipartError';
  }
}

export interface PartHeaders {
  /** The form field name of Content-Disposition. */
  name: string | null;
  /** The file name, decoded (filename* per RFC 5987 wins over filename). */
  filename: string | null;
  contentType: string | null;
}

const maxHeaderBytes = 16 * 1024;
const encoder = new TextEncoder();
const crlfcrlf = encoder.encode('\r\n\r\n');
const empty = new Uint8Array(0);

/** The first index at or after `from` where `needle` starts in `haystack`, or -1. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0]!;
  const last = haystack.length - needle.length;
  for (
    let at = haystack.indexOf(first, from);
    at !== -1 && at <= last;
    at = haystack.indexOf(first, at + 1)
  ) {
    let i = 1;
    while (i < needle.length && haystack[at + i] === needle[i]) i += 1;
    if (i === needle.length) return at;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** The boundary of a multipart/form-data Content-Type, or null when it is not one. */
export function formDataBoundary(contentType: string | undefined | null): string | null {
  if (!contentType) return null;
  const [essence, ...params] = contentType.split(';');
  if (essence?.trim().toLowerCase() !== 'multipart/form-data') return null;
  for (const param of params) {
    const m = /^\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s";]{1,70}))\s*$/i.exec(param);
    if (m) return m[1] ?? m[2] ?? null;
  }
  return null;
}

/**
 * The value of one parameter of a part's Content-Disposition. Browsers do not backslash-escape
 * in it (the HTML standard percent-encodes `"`, CR and LF instead), so a backslash stays one:
 * a Windows path in a file name must reach the name check as the path it is.
 */
function dispositionParam(header: string, key: string): string | null {
  const re = new RegExp(`(?:^|;)\\s*${key}\\s*=\\s*(?:"([^"]*)"|([^;]*))`, 'i');
  const m = re.exec(header);
  if (!m) return null;
  return m[1] !== undefined ? m[1] : (m[2] ?? '').trim();
}

function parseHeaders(raw: string): PartHeaders {
  const headers = new Map<string, string>();
  for (const line of raw.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError('A part header line has no name', 'malformed');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get('content-disposition') ?? '';
  if (!/^form-data\b/i.test(disposition)) {
    throw new MultipartError('A part has no Content-Disposition: form-data header', 'malformed');
  }
  let filename: string | null = null;
  const extended = dispositionParam(disposition, 'filename\\*');
  const m = extended ? /^utf-8'[^']*'(.*)$/i.exec(extended) : null;
  if (m) {
    try {
      filename = decodeURIComponent(m[1]!);
    } catch {
      throw new MultipartError('The part has a badly encoded filename*', 'malformed');
    }
  } else {
    filename = dispositionParam(disposition, 'filename');
  }
  return {
    name: dispositionParam(disposition, 'name'),
    filename,
    contentType: headers.get('content-type') ?? null,
  };
}

export class MultipartReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #delimiter: Uint8Array;
  /** Bytes read from the body and not yet handed out. */
  #buffer: Uint8Array;
  #state: 'preamble' | 'body' | 'delimiter' | 'done' = 'preamble';
  #eof = false;
  #received = 0;
  readonly #declaredLength: number | null;

  /**
   * `declaredLength` is the request's Content-Length: the platform normally holds a body to it,
   * but the reader checks too, so a body that is longer or shorter is refused, never stored.
   */
  constructor(
    body: ReadableStream<Uint8Array>,
    boundary: string,
    declaredLength: number | null = null,
  ) {
    this.#reader = body.getReader();
    this.#declaredLength = declaredLength;
    this.#delimiter = encoder.encode(`\r\n--${boundary}`);
    // The first delimiter has no CRLF before it; pretend it has, so one search finds them all.
    this.#buffer = encoder.encode('\r\n');
  }

  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await this.#reader.read();
    } catch (cause) {
      this.#eof = true;
      throw new MultipartError(`The request body could not be read: ${String(cause)}`, 'truncated');
    }
    if (chunk.done) {
      this.#eof = true;
      if (this.#declaredLength !== null && this.#received < this.#declaredLength) {
        throw new MultipartError(
          `The body has ${this.#received} bytes, fewer than its Content-Length of ${this.#declaredLength}`,
          'length',
        );
      }
      return false;
    }
    this.#received += chunk.value.byteLength;
    if (this.#declaredLength !== null && this.#received > this.#declaredLength) {
      throw new MultipartError(
        `The body is longer than its Content-Length of ${this.#declaredLength}`,
        'length',
      );
    }
    const bytes = chunk.value;
    this.#buffer = this.#buffer.length ? concat(this.#buffer, bytes) : bytes;
    return true;
  }

  /** After a delimiter: `--` ends the body, CRLF starts the next part's headers. */
  async #afterDelimiter(): Promise<boolean> {
    while (this.#buffer.length < 2) {
      if (!(await this.#fill()))
        throw new MultipartError('The body ends after a boundary', 'truncated');
    }
    if (this.#buffer[0] === 0x2d && this.#buffer[1] === 0x2d) {
      this.#state = 'done';
      this.#buffer = empty;
      return false;
    }
    // RFC 2046 allows transport padding (spaces, tabs) before the CRLF.
    let at = 0;
    for (;;) {
      while (at + 2 > this.#buffer.length) {
        if (!(await this.#fill()))
          throw new MultipartError('The body ends after a boundary', 'truncated');
      }
      const b = this.#buffer[at];
      if (b === 0x20 || b === 0x09) {
        at += 1;
        continue;
      }
      if (b === 0x0d && this.#buffer[at + 1] === 0x0a) break;
      throw new MultipartError(
        'A boundary is followed by something other than a line break',
        'malformed',
      );
    }
    this.#buffer = this.#buffer.subarray(at + 2);
    return true;
  }

  /**
   * Moves to the next part and returns its headers, or null after the closing delimiter.
   * The current part's unread content is skipped.
   */
  async nextPart(): Promise<PartHeaders | null> {
    if (this.#state === 'done') return null;
    if (this.#state === 'preamble' || this.#state === 'body') {
      for await (const _ of this.#content()) {
        // discarded: a preamble, or content the caller did not read
      }
    }
    if (!(await this.#afterDelimiter())) return null;
    for (;;) {
      if (this.#buffer.length >= 2 && this.#buffer[0] === 0x0d && this.#buffer[1] === 0x0a) {
        // A part with no headers at all.
        throw new MultipartError('A part has no headers', 'malformed');
      }
      const end = indexOfBytes(this.#buffer, crlfcrlf);
      if (end >= 0) {
        const raw = new TextDecoder().decode(this.#buffer.subarray(0, end));
        this.#buffer = this.#buffer.subarray(end + 4);
        this.#state = 'body';
        return parseHeaders(raw);
      }
      if (this.#buffer.length > maxHeaderBytes) {
        throw new MultipartError('A part has more than 16 KB of headers', 'malformed');
      }
      if (!(await this.#fill()))
        throw new MultipartError('The body ends inside part headers', 'truncated');
    }
  }

  /** The current part's content, chunk by chunk, up to (not including) the next delimiter. */
  content(): AsyncGenerator<Uint8Array> {
    if (this.#state !== 'body') throw new Error('content() is only valid after nextPart()');
    return this.#content();
  }

  async *#content(): AsyncGenerator<Uint8Array> {
    const delimiterLength = this.#delimiter.length;
    for (;;) {
      const at = indexOfBytes(this.#buffer, this.#delimiter);
      if (at >= 0) {
        if (at > 0) yield this.#buffer.subarray(0, at);
        this.#buffer = this.#buffer.subarray(at + delimiterLength);
        this.#state = 'delimiter';
        return;
      }
      // Everything but a possible delimiter prefix at the end is content for certain.
      const safe = this.#buffer.length - (delimiterLength - 1);
      if (safe > 0) {
        const out = this.#buffer.subarray(0, safe);
        this.#buffer = this.#buffer.subarray(safe);
        yield out;
      }
      if (!(await this.#fill())) {
        throw new MultipartError(
          'The body ends before the part is closed by a boundary',
          'truncated',
        );
      }
    }
  }

  /**
   * After the closing delimiter: reads the epilogue (up to 1 KB; clients send a CRLF at most)
   * to the end of the body, so a Content-Length that promised more is noticed.
   */
  async end(): Promise<void> {
    if (this.#state !== 'done') throw new Error('end() is only valid after the last part');
    let epilogue = 0;
    for (;;) {
      const before = this.#buffer.length;
      if (!(await this.#fill())) return;
      epilogue += this.#buffer.length - before;
      this.#buffer = empty;
      if (epilogue > 1024) {
        throw new MultipartError('More than 1 KB follows the closing boundary', 'malformed');
      }
    }
  }

  async cancel(): Promise<void> {
    this.#eof = true;
    await this.#reader.cancel().catch(() => undefined);
  }
}
