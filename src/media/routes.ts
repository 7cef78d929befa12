import type { Context } from 'hono';
import { requireRole } from '../auth/middleware';
import { bookmarkHeader, primaryDb } from '../auth/session';
import { auditRequest } from '../authoring/audit';
import { createDb } from '../db/client';
import type { AppEnv } from '../env';
import { d1DeadlineMs, guardD1 } from '../lib/d1-guard';
import { AppError } from '../lib/errors';
import { createRoute } from '@hono/zod-openapi';
import { createApi, jsonContent, problemResponses, publicAccess } from '../lib/openapi';
import { noQueryParams } from '../lib/params';
import { requestOrigin } from '../lib/request';
import { checkFileName } from './file-name';
import { ifNoneMatchHits } from '../lib/http';
import { contentDisposition, ifRangeHolds, parseRange } from './http';
import { formDataBoundary, MultipartError, MultipartReader } from './multipart';
import {
  deleteUnusedMedia,
  findMediaById,
  findMediaByPath,
  hashInUse,
  mediaPath,
  mediaUsage,
  recordMedia,
  type Media,
} from './queries';
import { mediaFileParams, mediaFileQuery, mediaIdParams, mediaResponse } from './schemas';
import { imageTypes } from './sniff';
import { mediaKey, receiveFile } from './store';

export const defaultMaxBytes = 50 * 1024 * 1024;
/** Room for the multipart framing around the file when judging a declared Content-Length. */
const framingAllowance = 64 * 1024;

export function mediaMaxBytes(env: { MEDIA_MAX_BYTES?: string }): number {
  const value = Number(env.MEDIA_MAX_BYTES);
  return Number.isSafeInteger(value) && value > 0 ? value : defaultMaxBytes;
}

function presentMedia(m: Media, origin: string) {
  return {
    id: m.id,
    url: origin + mediaPath(m),
    name: m.name,
    size: m.size,
    type: m.type,
    hash: m.hash,
  };
}

const noStore = async (c: Context<AppEnv>, next: () => Promise<void>) => {
  await next();
  c.res.headers.set('Cache-Control', 'no-store');
};

function tooLarge(maxBytes: number): AppError {
  return new AppError('media_too_large', {
    detail: `Files may be at most ${maxBytes} bytes (MEDIA_MAX_BYTES)`,
  });
}

async function upload(c: Context<AppEnv>) {
  const maxBytes = mediaMaxBytes(c.env);
  const boundary = formDataBoundary(c.req.header('Content-Type'));
  if (!boundary) {
    throw new AppError('unsupported_media_type', {
      detail: 'Send multipart/form-data (with a boundary) holding one part named "file"',
    });
  }
  const declared = c.req.header('Content-Length');
  if (declared !== undefined && !/^\d{1,16}$/.test(declared)) {
    throw AppError.invalidParameter('Content-Length', 'header', 'must be a whole number of bytes');
  }
  // Refused before a byte is read; the limit is still enforced while streaming, since a body
  // may be sent without a Content-Length (chunked).
  if (declared !== undefined && Number(declared) > maxBytes + framingAllowance)
    throw tooLarge(maxBytes);
  const body = c.req.raw.body;
  if (!body) throw new AppError('media_file_missing', { detail: 'The request has no body' });

  const reader = new MultipartReader(
    body,
    boundary,
    declared === undefined ? null : Number(declared),
  );
  const db = primaryDb(c);
  const bucket = c.env.MEDIA;
  try {
    const part = await reader.nextPart();
    if (!part || part.name !== 'file' || part.filename === null) {
      throw new AppError('media_file_missing', {
        detail:
          'The first part must be the file: Content-Disposition: form-data; name="file"; filename="…"',
      });
    }
    const checked = checkFileName(part.filename);
    if (!checked.ok) {
      throw new AppError('media_bad_name', {
        detail: `The file name is not acceptable: ${checked.reason}`,
        invalidParams: [{ name: 'file', in: 'body', reason: checked.reason }],
      });
    }
    const stored = await receiveFile(bucket, reader.content(), {
      name: checked.name,
      maxBytes,
      // The body must end right after the file: a second part or a cut-off body stores nothing.
      beforeCommit: async () => {
        if (await reader.nextPart()) {
          throw new AppError('media_extra_part', {
            detail: 'Send one file per request, as the only part, named "file"',
          });
        }
        await reader.end();
      },
    });
    let recorded: Awaited<ReturnType<typeof recordMedia>>;
    try {
      recorded = await recordMedia(db, {
        hash: stored.hash,
        size: stored.size,
        type: stored.type,
        name: checked.name,
        createdBy: c.var.principal?.name ?? null,
      });
    } catch (err) {
      if (stored.created && !(await hashInUse(db, stored.hash).catch(() => true))) {
        await bucket.delete(mediaKey(stored.hash)).catch(() => undefined);
      }
      throw err;
    }
    if (recorded.created) {
      await auditRequest(c, db, 'media.upload', 'media', recorded.media.id);
    }
    const data = presentMedia(recorded.media, requestOrigin(c));
    return c.json({ data }, recorded.created ? 201 : 200, { Location: data.url });
  } catch (err) {
    if (err instanceof MultipartError) {
      if (err.kind === 'length')
        throw new AppError('media_length_mismatch', { detail: err.message });
      throw err.kind === 'truncated'
        ? new AppError('media_truncated', {
            detail: `${err.message}. Was the upload cut off, or does Content-Length not match the body?`,
          })
        : new AppError('invalid_body', {
            detail: `The multipart body is malformed: ${err.message}`,
          });
    }
    if (err instanceof AppError && err.code === 'media_too_large') throw tooLarge(maxBytes);
    throw err;
  } finally {
    await reader.cancel();
  }
}

const editors = requireRole('editor', 'admin');
const security = [{ bearerAuth: [] }];

const uploadMedia = createRoute({
  method: 'post',
  path: '/admin/media',
  operationId: 'adminUploadMedia',
  tags: ['Media'],
  security,
  summary: 'Upload one file (multipart/form-data, one part named "file")',
  description:
    "Streamed to R2 and stored under its SHA-256, so the same bytes are kept once. The type is sniffed from the content and must agree with the name's extension. 201 for a new file, 200 when the same bytes under the same name exist already.",
  // No body schema on purpose: a declared multipart body would be parsed (buffered) by the
  // validator before the handler streams it.
  request: { query: noQueryParams },
  responses: {
    201: jsonContent(mediaResponse, 'Stored'),
    200: jsonContent(mediaResponse, 'The same file under the same name was stored before'),
    ...problemResponses(400, 401, 403, 413, 415, 429),
  },
});

const deleteMedia = createRoute({
  method: 'delete',
  path: '/admin/media/{id}',
  operationId: 'adminDeleteMedia',
  tags: ['Media'],
  security,
  summary: 'Delete an uploaded file that no article uses',
  request: { params: mediaIdParams, query: noQueryParams },
  responses: {
    204: { description: 'Deleted' },
    ...problemResponses(400, 401, 403, 404, 409, 429),
  },
});

const adminApi = createApi();
adminApi.use('/admin/media', editors, noStore, bookmarkHeader);
adminApi.use('/admin/media/*', editors, noStore, bookmarkHeader);

export const mediaAdminRoutes = adminApi
  .openapi(uploadMedia, (c) => upload(c))
  .openapi(deleteMedia, async (c) => {
    const { id } = c.req.valid('param');
    const db = primaryDb(c);
    const existing = await findMediaById(db, id);
    if (!existing) throw new AppError('not_found', { detail: `No media with id ${id}` });
    const deleted = await deleteUnusedMedia(db, id);
    if (!deleted) {
      const usage = await mediaUsage(db, existing);
      const ids = [...new Set([...usage.attachedTo, ...usage.linkedFrom])];
      if (ids.length) {
        throw new AppError('media_in_use', {
          detail: `Articles ${ids.join(', ')} still use this file (${
            usage.attachedTo.length ? 'as an attachment' : 'in the body or cover image'
          }); remove it there first`,
        });
      }
      throw new AppError('not_found', { detail: `No media with id ${id}` });
    }
    await auditRequest(c, db, 'media.delete', 'media', id);
    // Other names for the same bytes keep the object.
    if (!(await hashInUse(db, deleted.hash))) await c.env.MEDIA.delete(mediaKey(deleted.hash));
    return c.body(null, 204);
  });

const immutable = 'public, max-age=31536000, immutable';

const getMediaFile = createRoute({
  method: 'get',
  path: '/media/{hash}/{name}',
  operationId: 'getMediaFile',
  tags: ['Media'],
  summary: 'An uploaded file, under its original name',
  description:
    'Images are shown inline, everything else downloads (Content-Disposition with the original name per RFC 6266). Strong ETag, Range (206, 416) and If-Range, cached for a year.',
  ...publicAccess,
  request: { params: mediaFileParams, query: mediaFileQuery },
  responses: {
    200: { description: 'The file' },
    206: { description: 'The requested byte range' },
    304: { description: 'Not modified' },
    ...problemResponses(400, 404, 416),
  },
});

export const mediaRoutes = createApi().openapi(getMediaFile, async (c) => {
  const { hash, name } = c.req.valid('param');
  const { w } = c.req.valid('query');
  const m = await findMediaByPath(
    createDb(guardD1(c.env.DB, d1DeadlineMs(c.env))),
    hash,
    name.normalize('NFC'),
  );
  if (!m) throw new AppError('not_found', { detail: 'No such file' });
  const isImage = imageTypes.has(m.type);
  if (w !== undefined && !isImage) {
    throw AppError.invalidParameter('w', 'query', 'only images can be resized');
  }
  const images = (c.env as { IMAGES?: ImagesBinding }).IMAGES;
  const resize = w !== undefined && images && m.type !== 'image/gif';
  const etag = resize ? `"${m.hash}-w${w}"` : `"${m.hash}"`;
  const headers = new Headers({
    'Content-Type': m.type,
    'Content-Disposition': contentDisposition(isImage ? 'inline' : 'attachment', m.name),
    'X-Content-Type-Options': 'nosniff',
    ETag: etag,
    'Last-Modified': m.createdAt.toUTCString(),
    'Cache-Control': immutable,
    // A file is never a document that may run script or be framed, even if a browser renders it.
    'Content-Security-Policy': "default-src 'none'; sandbox; frame-ancestors 'none'",
    // Widgets on other sites show these images.
    'Cross-Origin-Resource-Policy': 'cross-origin',
  });
  if (!resize) headers.set('Accept-Ranges', 'bytes');
  if (ifNoneMatchHits(c.req.header('If-None-Match'), etag)) {
    return new Response(null, { status: 304, headers });
  }
  const key = mediaKey(m.hash);

  if (resize) {
    const object = await c.env.MEDIA.get(key);
    if (!object) throw new AppError('not_found', { detail: 'The file is missing from storage' });
    const result = await images
      .input(object.body)
      .transform({ width: w, fit: 'scale-down' })
      .output({ format: m.type as 'image/jpeg' });
    headers.set('Content-Type', result.contentType());
    return new Response(c.req.method === 'HEAD' ? null : result.image(), { headers });
  }

  const range = ifRangeHolds(c.req.header('If-Range'), etag, m.createdAt)
    ? parseRange(c.req.header('Range'), m.size)
    : ({ kind: 'none' } as const);
  if (range.kind === 'unsatisfiable') {
    throw new AppError('range_not_satisfiable', {
      detail: `The file has ${m.size} bytes`,
      headers: { 'Content-Range': `bytes */${m.size}`, 'Accept-Ranges': 'bytes' },
    });
  }
  const status = range.kind === 'range' ? 206 : 200;
  const length = range.kind === 'range' ? range.length : m.size;
  if (range.kind === 'range') {
    headers.set(
      'Content-Range',
      `bytes ${range.offset}-${range.offset + range.length - 1}/${m.size}`,
    );
  }
  headers.set('Content-Length', String(length));
  if (c.req.method === 'HEAD') return new Response(null, { status, headers });
  const object = await c.env.MEDIA.get(
    key,
    range.kind === 'range' ? { range: { offset: range.offset, length: range.length } } : {},
  );
  if (!object) throw new AppError('not_found', { detail: 'The file is missing from storage' });
  return new Response(object.body, { status, headers });
});
