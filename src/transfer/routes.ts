import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requireRole } from '../auth/middleware';
import { bookmarkHeader, primaryDb } from '../auth/session';
import { writeContext } from '../authoring/article-routes';
import { auditContext, auditRequest } from '../authoring/audit';
import { effectContext } from '../authoring/effects';
import { noStore, validationHook } from '../authoring/http';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { jsonContent, problemResponses } from '../lib/openapi';
import { exportStream } from './export';
import { importEntries, maxLineBytes, parseLine, reject, type Entry } from './import';
import { emptyReport } from './report';
import { readLines } from './ndjson';
import { importJob, importReport, jobParams, type Rejection } from './schemas';

/**
 * Site import and export (issue 15), admin only. Mounted ahead of the admin API's JSON body
 * limit (src/authoring/routes.ts): an import file streams in, line by line.
 */

/** Up to this many lines, the request imports them itself and answers with the report. */
export const syncLineLimit = 50;
/** Entries handed to the job object per call (an RPC argument stays a few MB at most). */
const appendBatch = 200;

const security = [{ bearerAuth: [] }];
const admins = requireRole('admin');
const middleware = [admins, noStore, bookmarkHeader];

const ndjsonTypes = /^application\/(x-ndjson|ndjson|jsonl|x-jsonlines)\s*(;|$)/i;

const jobView = z.object({ data: importJob });

const importRoute = createRoute({
  method: 'post',
  path: '/import',
  operationId: 'adminImport',
  tags: ['Admin: import and export'],
  summary: 'Import articles (and channels, tags, media metadata) from NDJSON',
  description: [
    'The body is NDJSON (`Content-Type: application/x-ndjson`), one JSON object per line: an article',
    '(the default `type`) or a `channel`, `tag` or `media` line as `GET /api/v1/admin/export` writes them.',
    'An article line needs `externalId`, `title`, `body` (HTML) or `paragraphs` (plain text), and `channel`',
    '(a slug) or `channelPath` (`要闻动态/盘锦要闻`: channel names from the top, created when missing).',
    'Optional: `slug`, `subtitle`, `summary`, `source`, `author`, `lang`, `coverImageUrl`, `tags` (names),',
    '`status` (default `published` with a `publishedAt`, else `draft`), `publishedAt` (RFC 3339), `document`,',
    '`attachments` (`{ url, name?, size?, contentType? }` or `{ mediaId, name? }`), `views` (the total the',
    'article shows, e.g. 712 from the old site), `createdAt`, `updatedAt`, `revisions` (history, on create).',
    '',
    'Idempotent by `externalId`: a line whose article exists updates it, and a line that says what the',
    'article already says changes nothing (no new version, no revision). Every write goes through the',
    'authoring commands (sanitizer, slugs, a revision with reason `import`, search index, audit), in',
    'chunks of 20 articles, each chunk one transaction. Bad lines (malformed JSON, a line over',
    `${maxLineBytes} bytes, an unknown channel, a path naming a channel twice, a repeated externalId, a`,
    'field error) are named in the report with their line number; every other line still lands.',
    '',
    `Up to ${syncLineLimit} lines are imported during the request: 200 with the report. Longer files (or`,
    'any file sent with `Prefer: respond-async`) become a background job: 202 with the job, `Location`',
    'pointing at `GET /api/v1/admin/import/{job}`, which shows progress and, when done, the report.',
    'Imports purge the colo cache of the lists and channels they touch; they send no webhooks.',
  ].join('\n'),
  security,
  middleware,
  // Described, not validated: OpenAPIHono validates only JSON and form bodies, so the handler
  // streams this one line by line.
  request: {
    body: {
      required: true,
      content: {
        'application/x-ndjson': {
          schema: z.string().openapi({ description: 'One JSON object per line' }),
        },
      },
    },
    headers: z.object({
      prefer: z
        .string()
        .optional()
        .openapi({ description: '`respond-async` always runs the import as a job' }),
    }),
  },
  responses: {
    200: jsonContent(z.object({ data: importReport }), 'Imported during the request'),
    202: {
      ...jsonContent(jobView, 'Accepted as a background job'),
      headers: { Location: { schema: { type: 'string' } } },
    },
    ...problemResponses(400, 401, 403, 415, 429),
  },
});

const jobRoute = createRoute({
  method: 'get',
  path: '/import/{job}',
  operationId: 'adminGetImportJob',
  tags: ['Admin: import and export'],
  summary: "A background import's progress and report",
  security,
  middleware,
  request: { params: jobParams },
  responses: {
    200: jsonContent(jobView, 'The job'),
    ...problemResponses(400, 401, 403, 404, 429),
  },
});

const exportRoute = createRoute({
  method: 'get',
  path: '/export',
  operationId: 'adminExport',
  tags: ['Admin: import and export'],
  summary: 'The whole site as NDJSON (imports back as it is)',
  description:
    'Streams a meta line, every channel (parents first), tag and media row (metadata; the bytes stay in R2), then every article with its revisions, attachments and view total. `POST /api/v1/admin/import` takes the file back: into an empty database, a second export gives the same bytes.',
  security,
  middleware,
  responses: {
    200: { description: 'NDJSON (application/x-ndjson), one object per line' },
    ...problemResponses(401, 403, 429),
  },
});

function jobStub(c: Context<AppEnv>, id: DurableObjectId) {
  return c.env.IMPORT_JOB.get(id);
}

async function runImport(c: Context<AppEnv>) {
  const type = c.req.header('Content-Type') ?? '';
  if (!ndjsonTypes.test(type)) {
    throw new AppError('unsupported_media_type', {
      detail: 'Send the import as NDJSON: Content-Type: application/x-ndjson, one object per line',
    });
  }
  const body = c.req.raw.body;
  if (!body) throw new AppError('invalid_body', { detail: 'The import file is empty' });
  const forceAsync = /\brespond-async\b/i.test(c.req.header('Prefer') ?? '');
  const db = primaryDb(c);
  const { actor, requestId } = auditContext(c);
  const seen = new Map<string, number>();
  const entries: Entry[] = [];
  const rejections: Rejection[] = [];
  let lines = 0;
  let job: ReturnType<typeof jobStub> | null = null;
  let jobId: DurableObjectId | null = null;

  const handOver = async () => {
    if (!job) {
      jobId = c.env.IMPORT_JOB.newUniqueId();
      job = jobStub(c, jobId);
      await job.open({ actor, requestId });
    }
    while (entries.length || rejections.length) {
      const part = entries.splice(0, appendBatch);
      const refused = rejections.splice(0, appendBatch);
      await job.append({ entries: part, rejections: refused, lines });
    }
  };

  for await (const raw of readLines(body, maxLineBytes)) {
    const parsed = parseLine(raw, seen);
    if (parsed === null) continue;
    lines = raw.n;
    if ('kind' in parsed) entries.push(parsed);
    else rejections.push(parsed);
    // Rejections count too: a file of garbage must not pile up in the request's memory.
    const held = entries.length + rejections.length;
    if (job ? held >= appendBatch : forceAsync || held > syncLineLimit) {
      await handOver();
    }
  }
  if (!lines && !job)
    throw new AppError('invalid_body', { detail: 'The import file has no lines' });

  if (job && jobId) {
    await handOver();
    const view = await (job as ReturnType<typeof jobStub>).start();
    await auditRequest(c, db, 'import.start', 'import', view.id);
    c.header('Location', `/api/v1/admin/import/${view.id}`);
    return c.json({ data: view }, 202);
  }

  const report = emptyReport();
  report.lines = lines;
  for (const r of rejections) {
    reject(report, r);
    report.processed += 1;
  }
  await importEntries(
    db,
    entries,
    { ...writeContext(c), media: c.env.MEDIA, effects: effectContext(c) },
    report,
  );
  report.rejections.sort((a, b) => a.line - b.line);
  return c.json({ data: report }, 200);
}

export function transferRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(importRoute, runImport);
  app.openapi(jobRoute, async (c) => {
    const { job } = c.req.valid('param');
    let id: DurableObjectId;
    try {
      id = c.env.IMPORT_JOB.idFromString(job);
    } catch {
      throw new AppError('not_found', { detail: `No import job ${job}` });
    }
    const view = await jobStub(c, id).status();
    if (!view) throw new AppError('not_found', { detail: `No import job ${job}` });
    return c.json({ data: view }, 200);
  });
  app.openapi(exportRoute, async (c) => {
    const db = primaryDb(c);
    await auditRequest(c, db, 'site.export', 'site');
    return new Response(exportStream(db), {
      headers: {
        'Content-Type': 'application/x-ndjson; charset=utf-8',
        'Content-Disposition': 'attachment; filename="gazette-export.ndjson"',
      },
    });
  });
  return app;
}
