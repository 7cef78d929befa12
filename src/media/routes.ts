import { createRoute } from '@hono/zod-openapi';
import { createDb } from '../db/client';
import { d1DeadlineMs, guardD1 } from '../lib/d1-guard';
import { AppError } from '../lib/errors';
import { createApi, problemResponses, publicAccess } from '../lib/openapi';
import { ifNoneMatchHits, notModified } from '../lib/http';
import { contentDisposition, ifRangeHolds, parseRange } from './http';
import { findMediaByPath } from './queries';
import { mediaFileParams, mediaFileQuery } from './schemas';
import { imageTypes } from './sniff';
import { mediaKey } from './store';

/** Readers' downloads of uploaded files; the editors' uploads are in ./admin-routes. */
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
    return notModified(new Response(null, { headers }));
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
