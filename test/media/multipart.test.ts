import { describe, expect, it } from 'vitest';
import { formDataBoundary, MultipartError, MultipartReader } from '../../src/media/multipart';
import { boundary, fillerBytes, formBody } from './helpers';

function streamOf(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const points = [0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length];
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i >= points.length - 1) return controller.close();
      controller.enqueue(bytes.slice(points[i], points[i + 1]));
      i += 1;
    },
  });
}

async function readAll(reader: MultipartReader) {
  const parts: { name: string | null; filename: string | null; body: Uint8Array }[] = [];
  for (let part = await reader.nextPart(); part; part = await reader.nextPart()) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of reader.content()) chunks.push(chunk.slice());
    const body = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      body.set(c, at);
      at += c.length;
    }
    parts.push({ name: part.name, filename: part.filename, body });
  }
  return parts;
}

describe('MultipartReader', () => {
  // Content that holds the delimiter's prefix and CRLFs, to trip a careless scanner.
  const tricky = new TextEncoder().encode(`a\r\n--${boundary.slice(0, 10)}\r\n\r\n-- b`);
  const message = formBody([
    { name: 'file', filename: '预算.pdf', body: tricky },
    { name: 'note', body: '' },
  ]);

  it('yields the same parts wherever the stream is cut', async () => {
    for (let cut = 1; cut < message.length; cut++) {
      const parts = await readAll(new MultipartReader(streamOf(message, [cut, cut + 3]), boundary));
      expect(parts.map((p) => [p.name, p.filename])).toEqual([
        ['file', '预算.pdf'],
        ['note', null],
      ]);
      expect(parts[0]!.body).toEqual(tricky);
      expect(parts[1]!.body.length).toBe(0);
    }
  });

  it('streams a large part in pieces no bigger than what arrived', async () => {
    const big = fillerBytes(3 * 1024 * 1024);
    const body = formBody([{ name: 'file', filename: 'a.bin', body: big }]);
    const cuts = Array.from({ length: 48 }, (_, i) => (i + 1) * 65536);
    const reader = new MultipartReader(streamOf(body, cuts), boundary);
    await reader.nextPart();
    let total = 0;
    let largest = 0;
    for await (const chunk of reader.content()) {
      total += chunk.length;
      largest = Math.max(largest, chunk.length);
    }
    expect(total).toBe(big.length);
    expect(largest).toBeLessThanOrEqual(65536 + boundary.length + 4);
    expect(await reader.nextPart()).toBeNull();
  });

  it('skips a preamble and takes filename* over filename', async () => {
    const body = new TextEncoder().encode(
      `preamble\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="fallback.pdf"; filename*=UTF-8''%E9%A2%84%E7%AE%97.pdf\r\n\r\nx\r\n--${boundary}--`,
    );
    const parts = await readAll(new MultipartReader(streamOf(body, []), boundary));
    expect(parts.map((p) => p.filename)).toEqual(['预算.pdf']);
  });

  it('says truncated when the body ends inside a part', async () => {
    const cut = message.subarray(0, message.length - 20);
    const reader = new MultipartReader(streamOf(cut, []), boundary);
    await expect(readAll(reader)).rejects.toMatchObject({ kind: 'truncated' });
  });

  it('says malformed when a part has no Content-Disposition', async () => {
    const body = new TextEncoder().encode(
      `--${boundary}\r\nX-Other: 1\r\n\r\nx\r\n--${boundary}--`,
    );
    const reader = new MultipartReader(streamOf(body, []), boundary);
    await expect(reader.nextPart()).rejects.toBeInstanceOf(MultipartError);
  });
});

describe('formDataBoundary', () => {
  it('reads plain and quoted boundaries and refuses other types', () => {
    expect(formDataBoundary('multipart/form-data; boundary=abc')).toBe('abc');
    expect(formDataBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b"')).toBe('a b');
    expect(formDataBoundary('multipart/form-data')).toBeNull();
    expect(formDataBoundary('application/json')).toBeNull();
    expect(formDataBoundary(undefined)).toBeNull();
  });
});
