import { env, exports } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import app from '../../src/index';
import { clientAddress, issueToken } from '../helpers';

export const boundary = '----GazetteTestBoundary7MA4YWxkTrZu0gW';
const encoder = new TextEncoder();

export interface FormPart {
  name: string;
  filename?: string;
  /** Raw Content-Disposition, for tests of odd headers. */
  disposition?: string;
  contentType?: string;
  body: Uint8Array | string;
}

function partHead(part: FormPart): string {
  const disposition =
    part.disposition ??
    `form-data; name="${part.name}"${part.filename === undefined ? '' : `; filename="${part.filename}"`}`;
  return (
    `--${boundary}\r\nContent-Disposition: ${disposition}\r\n` +
    (part.contentType ? `Content-Type: ${part.contentType}\r\n` : '') +
    '\r\n'
  );
}

/** A complete multipart/form-data body. */
export function formBody(parts: FormPart[], options: { close?: boolean } = {}): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    chunks.push(encoder.encode(partHead(part)));
    chunks.push(typeof part.body === 'string' ? encoder.encode(part.body) : part.body);
    chunks.push(encoder.encode('\r\n'));
  }
  if (options.close !== false) chunks.push(encoder.encode(`--${boundary}--\r\n`));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export const formContentType = `multipart/form-data; boundary=${boundary}`;

/** Deterministic bytes that look like nothing in particular, after a given header. */
export function fillerBytes(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export function withHeader(header: Uint8Array | number[], rest: Uint8Array): Uint8Array {
  const h = header instanceof Uint8Array ? header : new Uint8Array(header);
  const out = new Uint8Array(h.length + rest.length);
  out.set(h, 0);
  out.set(rest, h.length);
  return out;
}

export const pdfBytes = (n = 2000, seed = 1) =>
  withHeader(encoder.encode('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'), fillerBytes(n, seed));
export const pngBytes = (n = 500, seed = 1) =>
  withHeader([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], fillerBytes(n, seed));

let editorToken: Promise<string> | undefined;

/** An editor's bearer token (one per test file) and a client address of its own. */
export async function adminHeaders(): Promise<Record<string, string>> {
  editorToken ??= issueToken('editor');
  return { Authorization: `Bearer ${await editorToken}`, 'CF-Connecting-IP': clientAddress() };
}

export async function uploadRequest(
  body: BodyInit,
  headers: Record<string, string> = {},
): Promise<Request> {
  return new Request('http://gazette.test/api/v1/admin/media', {
    method: 'POST',
    headers: { 'Content-Type': formContentType, ...(await adminHeaders()), ...headers },
    body,
  });
}

export async function upload(
  bytes: Uint8Array,
  filename: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return exports.default.fetch(
    await uploadRequest(formBody([{ name: 'file', filename, body: bytes }]), headers),
  );
}

/** Calls the worker with some vars changed (e.g. MEDIA_MAX_BYTES). */
export async function fetchWithEnv(
  request: Request,
  vars: Record<string, string>,
): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(request, { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Every object key in the bucket under a prefix. */
export async function bucketKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.MEDIA.list({ prefix, cursor });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return keys;
}

/**
 * A multipart body of `size` file bytes (a PDF header, then filler) made on demand in 1 MiB
 * chunks, so a test can send more than a Worker could hold. `truncateAt` stops the stream
 * early; `close: false` leaves out the closing delimiter.
 */
export function streamedUpload(
  size: number,
  options: { filename?: string; truncateAt?: number; close?: boolean; seed?: number } = {},
): { stream: ReadableStream<Uint8Array>; expectedHash: Promise<string> } {
  const head = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${options.filename ?? '大文件.pdf'}"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const tail = encoder.encode(options.close === false ? '' : `\r\n--${boundary}--\r\n`);
  const chunk = fillerBytes(1024 * 1024, options.seed ?? 3);
  const pdf = encoder.encode('%PDF-1.7\n');
  const digest = new crypto.DigestStream('SHA-256');
  const hasher = digest.getWriter();
  let sent = 0;
  let started = false;
  const limit = options.truncateAt ?? Infinity;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(head);
        return;
      }
      if (sent >= size || sent >= limit) {
        if (sent >= size && limit === Infinity) controller.enqueue(tail);
        await hasher.close();
        controller.close();
        return;
      }
      const n = Math.min(chunk.length, size - sent);
      const piece = chunk.slice(0, n);
      if (sent === 0) piece.set(pdf, 0);
      sent += n;
      await hasher.write(piece);
      controller.enqueue(piece);
    },
  });
  const expectedHash = digest.digest.then((d) =>
    [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join(''),
  );
  return { stream, expectedHash };
}
