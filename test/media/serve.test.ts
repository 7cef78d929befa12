import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { contentDisposition, parseRange } from '../../src/media/http';
import { expectProblem, get, json } from '../helpers';
import { fetchWithEnv, pdfBytes, pngBytes, upload } from './helpers';

async function stored(bytes: Uint8Array, name: string) {
  const res = await upload(bytes, name);
  expect([200, 201]).toContain(res.status);
  const { data } = await json(res);
  return { ...data, path: new URL(data.url).pathname as string };
}

describe('GET /media/{hash}/{name}', () => {
  it('serves an attachment under its Chinese name with type, nosniff, strong ETag and a year of caching', async () => {
    const bytes = pdfBytes(4096, 31);
    const file = await stored(bytes, '2024年预算表 (定稿).pdf');
    const res = await get(file.path);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/pdf');
    expect(res.headers.get('Content-Disposition')).toBe(
      `attachment; filename="2024_ (_).pdf"; filename*=UTF-8''2024%E5%B9%B4%E9%A2%84%E7%AE%97%E8%A1%A8%20%28%E5%AE%9A%E7%A8%BF%29.pdf`,
    );
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('ETag')).toBe(`"${file.hash}"`);
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('Accept-Ranges')).toBe('bytes');
    expect(res.headers.get('Content-Length')).toBe(String(bytes.length));
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
  });

  it('shows images inline', async () => {
    const file = await stored(pngBytes(800, 32), '现场照片.png');
    const res = await get(file.path);
    expect(res.headers.get('Content-Type')).toBe('image/png');
    expect(res.headers.get('Content-Disposition')).toMatch(
      /^inline; filename="file.png"; filename\*=UTF-8''/,
    );
  });

  it('answers 304 for a matching If-None-Match', async () => {
    const file = await stored(pdfBytes(500, 33), 'a.pdf');
    const res = await get(file.path, { headers: { 'If-None-Match': `W/"x", "${file.hash}"` } });
    expect(res.status).toBe(304);
    expect(res.headers.get('ETag')).toBe(`"${file.hash}"`);
    expect(await res.text()).toBe('');
  });

  it('answers a byte range with 206 and Content-Range', async () => {
    const bytes = pdfBytes(1000, 34);
    const file = await stored(bytes, 'range.pdf');
    const res = await get(file.path, { headers: { Range: 'bytes=100-199' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('Content-Range')).toBe(`bytes 100-199/${bytes.length}`);
    expect(res.headers.get('Content-Length')).toBe('100');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes.subarray(100, 200));
    const open = await get(file.path, { headers: { Range: 'bytes=1000-' } });
    expect(open.status).toBe(206);
    expect(new Uint8Array(await open.arrayBuffer())).toEqual(bytes.subarray(1000));
  });

  it('answers 416 for a range past the end', async () => {
    const bytes = pdfBytes(100, 35);
    const file = await stored(bytes, 'short.pdf');
    const res = await get(file.path, { headers: { Range: `bytes=${bytes.length}-` } });
    await expectProblem(res, 416, 'range_not_satisfiable');
    expect(res.headers.get('Content-Range')).toBe(`bytes */${bytes.length}`);
  });

  it('serves the whole file when If-Range names another version', async () => {
    const bytes = pdfBytes(300, 36);
    const file = await stored(bytes, 'if-range.pdf');
    const stale = await get(file.path, { headers: { Range: 'bytes=0-9', 'If-Range': '"other"' } });
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(bytes.length);
    const fresh = await get(file.path, {
      headers: { Range: 'bytes=0-9', 'If-Range': `"${file.hash}"` },
    });
    expect(fresh.status).toBe(206);
    expect((await fresh.arrayBuffer()).byteLength).toBe(10);
  });

  it('ignores a multi-range or malformed Range and serves everything', async () => {
    const file = await stored(pdfBytes(300, 37), 'multi.pdf');
    for (const range of ['bytes=0-1,5-6', 'items=0-1', 'bytes=abc']) {
      const res = await get(file.path, { headers: { Range: range } });
      expect(res.status).toBe(200);
    }
  });

  it('answers HEAD with the headers and no body', async () => {
    const bytes = pdfBytes(700, 38);
    const file = await stored(bytes, 'head.pdf');
    const res = await get(file.path, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Length')).toBe(String(bytes.length));
    expect(res.headers.get('ETag')).toBe(`"${file.hash}"`);
    expect(await res.text()).toBe('');
  });

  it('answers 404 for a name the file was not uploaded under, and 400 for a bad hash', async () => {
    const file = await stored(pdfBytes(200, 39), 'real.pdf');
    await expectProblem(await get(`/media/${file.hash}/evil.html`), 404, 'not_found');
    await expectProblem(await get('/media/not-a-hash/a.pdf'), 400, 'invalid_parameter');
  });

  it('serves the original image for ?w= without the Images binding, and refuses other widths', async () => {
    const bytes = pngBytes(900, 40);
    const file = await stored(bytes, 'w.png');
    const res = await get(`${file.path}?w=640`);
    expect(res.status).toBe(200);
    expect(res.headers.get('ETag')).toBe(`"${file.hash}"`);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    await expectProblem(await get(`${file.path}?w=641`), 400, 'invalid_parameter');
    const pdf = await stored(pdfBytes(100, 41), 'w.pdf');
    await expectProblem(await get(`${pdf.path}?w=640`), 400, 'invalid_parameter');
  });

  it('resizes through the Images binding where it exists, with its own ETag', async () => {
    const file = await stored(pngBytes(900, 42), 'resize.png');
    const widths: number[] = [];
    // The binding's contract, recorded: the route must ask for the width and keep the format.
    const images = {
      input(stream: ReadableStream) {
        return {
          transform(t: { width: number }) {
            widths.push(t.width);
            return this;
          },
          async output(o: { format: string }) {
            const bytes = new Uint8Array(await new Response(stream).arrayBuffer()).subarray(0, 10);
            return {
              contentType: () => o.format,
              image: () => new Response(bytes).body!,
              response: () => new Response(bytes),
            };
          },
        };
      },
    };
    const res = await fetchWithEnv(new Request(`http://gazette.test${file.path}?w=320`), {
      IMAGES: images as never,
    });
    expect(res.status).toBe(200);
    expect(widths).toEqual([320]);
    expect(res.headers.get('Content-Type')).toBe('image/png');
    expect(res.headers.get('ETag')).toBe(`"${file.hash}-w320"`);
    expect((await res.arrayBuffer()).byteLength).toBe(10);
  });

  it('keeps serving the bytes under a second name when the first row is deleted', async () => {
    const bytes = pdfBytes(400, 43);
    const a = await stored(bytes, 'first.pdf');
    const b = await stored(bytes, 'second.pdf');
    await env.DB.prepare('delete from media where id = ?').bind(a.id).run();
    expect((await get(b.path)).status).toBe(200);
  });
});

describe('contentDisposition', () => {
  it('leaves out filename* for a plain ASCII name', () => {
    expect(contentDisposition('attachment', 'report-2024.pdf')).toBe(
      'attachment; filename="report-2024.pdf"',
    );
  });

  it("percent-encodes the characters RFC 5987 does not allow, including ' ( ) *", () => {
    expect(contentDisposition('attachment', "它's (1)*.txt")).toBe(
      `attachment; filename="_s (1)_.txt"; filename*=UTF-8''%E5%AE%83%27s%20%281%29%2A.txt`,
    );
  });
});

describe('parseRange', () => {
  it('reads the three single-range forms and says when none fits', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ kind: 'range', offset: 0, length: 10 });
    expect(parseRange('bytes=90-', 100)).toEqual({ kind: 'range', offset: 90, length: 10 });
    expect(parseRange('bytes=-10', 100)).toEqual({ kind: 'range', offset: 90, length: 10 });
    expect(parseRange('bytes=-500', 100)).toEqual({ kind: 'range', offset: 0, length: 100 });
    expect(parseRange('bytes=50-5000', 100)).toEqual({ kind: 'range', offset: 50, length: 50 });
    expect(parseRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=9-1', 100)).toEqual({ kind: 'none' });
    expect(parseRange(undefined, 100)).toEqual({ kind: 'none' });
  });
});
