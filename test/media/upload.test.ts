import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { clientAddress, expectProblem, get, issueToken, json } from '../helpers';
import {
  bucketKeys,
  fetchWithEnv,
  fillerBytes,
  formBody,
  formContentType,
  pdfBytes,
  pngBytes,
  sha256Hex,
  streamedUpload,
  upload,
  uploadRequest,
  withHeader,
} from './helpers';

const encoder = new TextEncoder();

async function rowsWithHash(hash: string): Promise<number> {
  const row = await env.DB.prepare('select count(*) as n from media where hash = ?')
    .bind(hash)
    .first<{ n: number }>();
  return row!.n;
}

/** Nothing of this content is in D1 or R2, and no temporary object was left behind. */
async function expectNothingStored(bytes: Uint8Array | string) {
  const hash = typeof bytes === 'string' ? bytes : await sha256Hex(bytes);
  expect(await rowsWithHash(hash)).toBe(0);
  expect(await bucketKeys(`media/${hash}`)).toEqual([]);
  expect(await bucketKeys('tmp/')).toEqual([]);
}

describe('POST /api/v1/admin/media', () => {
  it('answers 201 with the stored file, kept in R2 under its SHA-256', async () => {
    const bytes = pdfBytes(5000, 11);
    const res = await upload(bytes, '2024年预算说明.pdf');
    expect(res.status).toBe(201);
    const { data } = await json(res);
    const hash = await sha256Hex(bytes);
    expect(data).toEqual({
      id: expect.any(Number),
      url: `http://gazette.test/media/${hash}/${encodeURIComponent('2024年预算说明.pdf')}`,
      name: '2024年预算说明.pdf',
      size: bytes.length,
      type: 'application/pdf',
      hash,
    });
    expect(res.headers.get('Location')).toBe(data.url);
    const object = await env.MEDIA.get(`media/${hash}`);
    expect(new Uint8Array(await object!.arrayBuffer())).toEqual(bytes);
    expect(object!.httpMetadata?.contentType).toBe('application/pdf');
    expect(await rowsWithHash(hash)).toBe(1);
  });

  it('answers 401 without a token and 403 for a role that may not upload, storing nothing', async () => {
    const bytes = pdfBytes(600, 50);
    const body = () => formBody([{ name: 'file', filename: 'a.pdf', body: bytes }]);
    const anonymous = await exports.default.fetch(
      new Request('http://gazette.test/api/v1/admin/media', {
        method: 'POST',
        headers: { 'Content-Type': formContentType, 'CF-Connecting-IP': clientAddress() },
        body: body(),
      }),
    );
    await expectProblem(anonymous, 401, 'unauthorized');
    const reader = await issueToken('reader-preview');
    const forbidden = await exports.default.fetch(
      await uploadRequest(body(), { Authorization: `Bearer ${reader}` }),
    );
    expect(forbidden.status).toBe(403);
    await expectNothingStored(bytes);
  });

  it('records the uploader and an audit entry', async () => {
    const res = await upload(pdfBytes(650, 51), '审计.pdf');
    const { data } = await json(res);
    const row = await env.DB.prepare('select created_by from media where id = ?')
      .bind(data.id)
      .first<{ created_by: string }>();
    expect(row!.created_by).toMatch(/^editor-token/);
    const audit = await env.DB.prepare(
      "select action, outcome from audit_log where target_type = 'media' and target_id = ?",
    )
      .bind(String(data.id))
      .all();
    expect(audit.results).toEqual([{ action: 'media.upload', outcome: 'ok' }]);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
  });

  it('takes the type from the content, not from the client', async () => {
    const bytes = pngBytes(300, 12);
    const body = formBody([
      { name: 'file', filename: 'chart.png', contentType: 'application/pdf', body: bytes },
    ]);
    const res = await exports.default.fetch(await uploadRequest(body));
    expect(res.status).toBe(201);
    expect((await json(res)).data.type).toBe('image/png');
  });

  it('stores the same file once: the same name gets the same row back, another name a new row', async () => {
    const bytes = pdfBytes(3000, 13);
    const first = await json(await upload(bytes, '通知.pdf'));
    const again = await upload(bytes, '通知.pdf');
    expect(again.status).toBe(200);
    expect((await json(again)).data).toEqual(first.data);
    const renamed = await upload(bytes, '通知（定稿）.pdf');
    expect(renamed.status).toBe(201);
    const other = (await json(renamed)).data;
    expect(other.id).not.toBe(first.data.id);
    expect(other.hash).toBe(first.data.hash);
    expect(await bucketKeys(`media/${first.data.hash}`)).toHaveLength(1);
    expect(await rowsWithHash(first.data.hash)).toBe(2);
  });

  it('normalizes a decomposed (NFD) name to NFC', async () => {
    const res = await upload(pdfBytes(100, 14), 'Cafe\u0301.pdf');
    expect((await json(res)).data.name).toBe('Café.pdf');
  });

  it.each([
    [
      'an .exe named .pdf',
      withHeader(encoder.encode('MZ\x90\x00\x03'), fillerBytes(4000)),
      '报告.pdf',
      'media_type_unsupported',
    ],
    [
      'HTML pretending to be an image',
      encoder.encode('<html><script>alert(1)</script></html>'),
      'photo.png',
      'media_type_unsupported',
    ],
    [
      'an SVG image',
      encoder.encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
      'logo.svg',
      'media_type_unsupported',
    ],
    ['a PDF named .docx', pdfBytes(500, 15), '申请表.docx', 'media_type_mismatch'],
  ])('answers 415 for %s and stores nothing', async (_what, bytes, name, code) => {
    const res = await upload(bytes, name);
    const problem = await expectProblem(res, 415, code);
    expect(problem.detail).toMatch(/\w/);
    await expectNothingStored(bytes);
  });

  it('answers 400 media_empty for a zero-byte file', async () => {
    await expectProblem(await upload(new Uint8Array(0), 'empty.pdf'), 400, 'media_empty');
    expect(await bucketKeys('tmp/')).toEqual([]);
  });

  it.each([
    ['a path', '../../etc/通知.pdf', /path separator/],
    ['a Windows path', 'C:\\Users\\通知.pdf', /path separator/],
    ['a control character', '通知\u0007.pdf', /control/],
    ['a direction override', '通知\u202Efdp.exe', /direction/],
    ['300 characters', `${'长'.repeat(296)}.pdf`, /255/],
    ['only spaces', '   ', /empty/],
  ])(
    'answers 400 media_bad_name for a name with %s, storing nothing',
    async (_what, name, reason) => {
      const bytes = pdfBytes(700, 16);
      const problem = await expectProblem(await upload(bytes, name), 400, 'media_bad_name');
      expect(problem.detail).toMatch(reason);
      await expectNothingStored(bytes);
    },
  );

  it('answers 400 media_file_missing without a file part', async () => {
    const onlyField = formBody([{ name: 'title', body: '预算' }]);
    await expectProblem(
      await exports.default.fetch(await uploadRequest(onlyField)),
      400,
      'media_file_missing',
    );
    const noParts = formBody([]);
    await expectProblem(
      await exports.default.fetch(await uploadRequest(noParts)),
      400,
      'media_file_missing',
    );
    const noFilename = formBody([{ name: 'file', body: '%PDF-1.4' }]);
    await expectProblem(
      await exports.default.fetch(await uploadRequest(noFilename)),
      400,
      'media_file_missing',
    );
  });

  it('answers 400 media_extra_part for two file parts and stores neither', async () => {
    const a = pdfBytes(900, 17);
    const b = pdfBytes(900, 18);
    const body = formBody([
      { name: 'file', filename: 'a.pdf', body: a },
      { name: 'file', filename: 'b.pdf', body: b },
    ]);
    await expectProblem(
      await exports.default.fetch(await uploadRequest(body)),
      400,
      'media_extra_part',
    );
    await expectNothingStored(a);
    await expectNothingStored(b);
  });

  it('answers 400 media_truncated for a body cut off before the closing boundary', async () => {
    const bytes = pdfBytes(2000, 19);
    const body = formBody([{ name: 'file', filename: 'a.pdf', body: bytes }]);
    const cut = body.subarray(0, body.length - 30);
    await expectProblem(
      await exports.default.fetch(await uploadRequest(cut)),
      400,
      'media_truncated',
    );
    await expectNothingStored(bytes);
  });

  it('answers 400 media_truncated for a large upload cut off midway, leaving no temporary object', async () => {
    const { stream, expectedHash } = streamedUpload(20 * 1024 * 1024, {
      truncateAt: 18 * 1024 * 1024,
      seed: 20,
    });
    await expectProblem(
      await exports.default.fetch(await uploadRequest(stream)),
      400,
      'media_truncated',
    );
    await expectNothingStored(await expectedHash);
    const uploads = await env.MEDIA.list({ prefix: 'tmp/', include: [] });
    expect(uploads.objects).toEqual([]);
  });

  it.each([
    ['longer', 500],
    ['shorter', -500],
  ])(
    'answers 400 media_length_mismatch when Content-Length is %s than the body, storing nothing',
    async (_what, delta) => {
      const bytes = pdfBytes(4000, 25 + delta);
      const body = formBody([{ name: 'file', filename: 'a.pdf', body: bytes }]);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(body);
          controller.close();
        },
      });
      const res = await exports.default.fetch(
        await uploadRequest(stream, { 'Content-Length': String(body.length + delta) }),
      );
      const problem = await expectProblem(res, 400, 'media_length_mismatch');
      expect(problem.detail).toMatch(/Content-Length/);
      await expectNothingStored(bytes);
    },
  );

  it('answers 400 for a Content-Length that is not a number', async () => {
    const body = formBody([{ name: 'file', filename: 'a.pdf', body: pdfBytes(100, 26) }]);
    const res = await exports.default.fetch(
      await uploadRequest(body, { 'Content-Length': 'lots' }),
    );
    expect(res.status).toBe(400);
  });

  it('answers 415 for a body that is not multipart/form-data', async () => {
    const res = await exports.default.fetch(
      await uploadRequest('{}', { 'Content-Type': 'application/json' }),
    );
    await expectProblem(res, 415, 'unsupported_media_type');
  });

  it('answers 400 for a malformed multipart body', async () => {
    const res = await exports.default.fetch(await uploadRequest('this is not multipart at all'));
    const problem = await expectProblem(res, 400, 'media_truncated');
    expect(problem.detail).toMatch(/Content-Length/);
  });

  it('answers 413 at once when Content-Length already says too much', async () => {
    const { stream } = streamedUpload(1024, { seed: 21 });
    const res = await exports.default.fetch(
      await uploadRequest(stream, { 'Content-Length': String(200 * 1024 * 1024) }),
    );
    const problem = await expectProblem(res, 413, 'media_too_large');
    expect(problem.detail).toMatch(/52428800/);
  });

  it('answers 413 for a streamed body larger than a Worker could hold, and keeps serving', async () => {
    // 130 MB without a Content-Length: the limit is enforced on the bytes as they arrive.
    const { stream } = streamedUpload(130 * 1024 * 1024, { seed: 22 });
    await expectProblem(
      await exports.default.fetch(await uploadRequest(stream)),
      413,
      'media_too_large',
    );
    expect(await bucketKeys('tmp/')).toEqual([]);
    expect((await get('/healthz')).status).toBe(200);
    expect((await upload(pdfBytes(100, 23), 'after.pdf')).status).toBe(201);
  });

  it('takes a 60 MB file when MEDIA_MAX_BYTES allows it', async () => {
    const size = 60 * 1024 * 1024;
    const { stream, expectedHash } = streamedUpload(size, {
      filename: '全市航拍资料.pdf',
      seed: 24,
    });
    const res = await fetchWithEnv(await uploadRequest(stream), {
      MEDIA_MAX_BYTES: String(100 * 1024 * 1024),
    });
    expect(res.status).toBe(201);
    const { data } = await json(res);
    const hash = await expectedHash;
    expect(data).toMatchObject({ size, hash, type: 'application/pdf', name: '全市航拍资料.pdf' });
    const head = await env.MEDIA.head(`media/${hash}`);
    expect(head!.size).toBe(size);
    expect(await bucketKeys('tmp/')).toEqual([]);
    const tail = await get(new URL(data.url).pathname, { headers: { Range: 'bytes=-16' } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('Content-Range')).toBe(`bytes ${size - 16}-${size - 1}/${size}`);
    expect((await tail.arrayBuffer()).byteLength).toBe(16);
  });
});
