import { AppError } from '../lib/errors';
import { sniff, sniffBytes, type SniffedType } from './sniff';

/**
 * The R2 side of media: objects are keyed by the SHA-256 of their bytes (`media/<hash>`), so
 * the same file uploaded twice is stored once.
 *
 * The hash is only known once the last byte has arrived, and R2 has no rename, so:
 * - A file that fits in one part (`partBytes`) is held until it ends, hashed, and put straight
 *   under its final key (skipped when that key exists). Memory per upload is bounded by one
 *   part, whatever the file's size.
 * - A larger file is streamed as an R2 multipart upload under a temporary key (`tmp/<uuid>`),
 *   one fixed-size part at a time, hashed as it goes. Once complete, it is copied to its final
 *   key by streaming the temporary object into a put (R2 verifies the bytes against the hash),
 *   unless that key already holds the same content, and the temporary object is deleted.
 *   Any failure aborts the multipart upload or deletes the temporary object; a crash between
 *   steps leaves at most a `tmp/` object, which the bucket's lifecycle rule removes (README).
 */

export const partBytes = 8 * 1024 * 1024;

export function mediaKey(hash: string): string {
  return `media/${hash}`;
}

export interface StoredFile extends SniffedType {
  hash: string;
  size: number;
  /** True when this upload wrote the object (it did not exist before). */
  created: boolean;
}

function toHex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Collects chunks into parts of exactly `size` bytes (R2 wants equal parts but the last). */
class PartBuffer {
  #part: Uint8Array;
  #filled = 0;

  constructor(readonly size: number) {
    this.#part = new Uint8Array(size);
  }

  get filled(): number {
    return this.#filled;
  }

  /** Copies as much of `chunk` as fits; returns what did not fit. */
  add(chunk: Uint8Array): Uint8Array {
    const n = Math.min(chunk.length, this.size - this.#filled);
    this.#part.set(chunk.subarray(0, n), this.#filled);
    this.#filled += n;
    return chunk.subarray(n);
  }

  /** The bytes collected so far, left in place. */
  peek(): Uint8Array {
    return this.#part.subarray(0, this.#filled);
  }

  get full(): boolean {
    return this.#filled === this.size;
  }

  /** The collected bytes; the buffer starts a new part. */
  take(): Uint8Array {
    const out = this.#part.subarray(0, this.#filled);
    this.#part = new Uint8Array(this.size);
    this.#filled = 0;
    return out;
  }
}

export interface ReceiveOptions {
  name: string;
  maxBytes: number;
  /** Runs once the file's bytes have all arrived, before anything is stored for good. */
  beforeCommit?: () => Promise<void>;
}

/**
 * Streams one file's bytes into R2 and answers what was stored. Throws AppError for a file
 * that is empty, too large or of a refused type, after removing anything it wrote.
 */
export async function receiveFile(
  bucket: R2Bucket,
  source: AsyncIterable<Uint8Array>,
  options: ReceiveOptions,
): Promise<StoredFile> {
  const digest = new crypto.DigestStream('SHA-256');
  const hasher = digest.getWriter();
  // Aborting the writer on failure rejects the digest; that rejection is expected, not unhandled.
  digest.digest.catch(() => undefined);
  const parts = new PartBuffer(partBytes);
  let size = 0;
  let sniffed: SniffedType | null = null;
  let upload: R2MultipartUpload | null = null;
  const uploaded: R2UploadedPart[] = [];
  const tempKey = `tmp/${crypto.randomUUID()}`;

  const check = (head: Uint8Array, complete: boolean) => {
    const result = sniff(head, options.name, complete);
    if (!result.ok) throw new AppError(result.code, { detail: result.detail });
    sniffed = { type: result.type, format: result.format };
  };

  const flushPart = async () => {
    upload ??= await bucket.createMultipartUpload(tempKey, {
      httpMetadata: { contentType: sniffed!.type },
    });
    uploaded.push(await upload.uploadPart(uploaded.length + 1, parts.take()));
  };

  try {
    for await (let chunk of source) {
      size += chunk.length;
      if (size > options.maxBytes) {
        throw new AppError('media_too_large', {
          detail: `The file is larger than ${options.maxBytes} bytes`,
        });
      }
      await hasher.write(chunk);
      while (chunk.length) {
        chunk = parts.add(chunk);
        // The sniff window lies within the first part (partSize is far above sniffBytes).
        if (!sniffed && (parts.filled >= sniffBytes || parts.full)) check(parts.peek(), false);
        if (parts.full) await flushPart();
      }
    }
    if (size === 0) throw new AppError('media_empty', { detail: 'The file part has no content' });
    if (!sniffed) check(parts.peek(), true);
    const type = (sniffed as SniffedType | null)!;
    await options.beforeCommit?.();
    await hasher.close();
    const hash = toHex(await digest.digest);
    const key = mediaKey(hash);
    const meta = { httpMetadata: { contentType: type.type }, sha256: hash };

    if (!upload) {
      const exists = await bucket.head(key);
      if (!exists) await bucket.put(key, parts.take(), meta);
      return { ...type, hash, size, created: !exists };
    }

    if (parts.filled) await flushPart();
    const pending = upload as R2MultipartUpload;
    upload = null;
    await pending.complete(uploaded);
    try {
      const exists = await bucket.head(key);
      if (!exists) {
        const temp = await bucket.get(tempKey);
        if (!temp) throw new Error(`temporary object ${tempKey} vanished`);
        await bucket.put(key, temp.body, meta);
      }
      return { ...type, hash, size, created: !exists };
    } finally {
      await bucket.delete(tempKey);
    }
  } catch (err) {
    await hasher.abort().catch(() => undefined);
    if (upload) await (upload as R2MultipartUpload).abort().catch(() => undefined);
    throw err;
  }
}
