import { z } from '@hono/zod-openapi';
import {
  documentInput,
  linkAttachment,
  mediaAttachment,
  maxBodyChars,
  optionalArticleFields,
  rfc3339,
  slug,
  tagName,
  text,
  views,
} from '../authoring/schemas';
import { articleStatuses, revisionReasons } from '../db/schema';

/**
 * One NDJSON line of an import, and of an export (which imports back as it is). A line is an
 * article unless its `type` says otherwise; the field names are the admin API's own.
 */

/** C0 controls and DEL, which no name or id may hold. */
// eslint-disable-next-line no-control-regex
const controls = /[\u0000-\u001f\u007f]/;

/** One segment of a channel path: a channel's name. */
const segment = () =>
  z
    .string()
    .trim()
    .min(1, 'a path segment must not be empty')
    .max(100, 'a path segment must be at most 100 characters')
    .refine(
      (s) => !controls.test(s) && !/[/\\]/.test(s),
      'a path segment must not hold / or control characters',
    );

/** `要闻动态/盘锦要闻` or `["要闻动态", "盘锦要闻"]`: channel names from the top, below the home page. */
export const channelPath = () =>
  z
    .union([
      z
        .string()
        .max(1000)
        .transform((s) => s.split('/')),
      z.array(z.string()).max(8),
    ])
    .pipe(z.array(segment()).min(1, 'must name at least one channel').max(8, 'at most 8 levels'));

/** A revision as exported; imported only with a new article (its history, as it was). */
const revision = () =>
  z
    .object({
      number: z.number().int().positive(),
      reason: z.enum(revisionReasons),
      actor: z.string().max(200),
      published: z.boolean(),
      createdAt: rfc3339(),
      snapshot: z.record(z.string(), z.unknown()),
    })
    .strict();

export const externalId = () =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .refine((s) => !controls.test(s), 'must not hold control characters');

export const articleLine = () =>
  z
    .object({
      type: z.literal('article').optional(),
      externalId: externalId(),
      title: z.string().trim().min(1, 'must not be empty').max(300),
      /** HTML (sanitized on write), or `paragraphs` of plain text. */
      body: text(maxBodyChars).optional(),
      paragraphs: z.array(text(100_000)).max(2000).optional(),
      /** A channel slug, or `channelPath` by names (created when missing). */
      channel: slug().optional(),
      channelPath: channelPath().optional(),
      slug: slug().optional(),
      ...optionalArticleFields(),
      status: z.enum(articleStatuses).optional(),
      publishedAt: rfc3339().nullable().optional(),
      document: documentInput().nullable().optional(),
      attachments: z
        .array(z.union([linkAttachment().partial({ name: true }), mediaAttachment()]))
        .max(100)
        .optional(),
      /** The view total the article shows (a legacy count: 712 stays 712 and counts on). */
      views: views().optional(),
      createdAt: rfc3339().optional(),
      updatedAt: rfc3339().optional(),
      revisions: z.array(revision()).max(1000).optional(),
    })
    .strict()
    .refine((a) => a.body !== undefined || a.paragraphs !== undefined, {
      message: 'needs body or paragraphs',
      path: ['body'],
    })
    .refine((a) => !(a.body !== undefined && a.paragraphs !== undefined), {
      message: 'give body or paragraphs, not both',
      path: ['paragraphs'],
    })
    .refine((a) => (a.channel === undefined) !== (a.channelPath === undefined), {
      message: 'needs exactly one of channel (a slug) or channelPath',
      path: ['channel'],
    });

export const channelLine = () =>
  z
    .object({
      type: z.literal('channel'),
      slug: slug(),
      name: z.string().trim().min(1).max(100),
      parent: slug().nullable().optional(),
      position: z.number().int().min(0).max(100_000).optional(),
      description: text(1000).optional(),
    })
    .strict();

export const tagLine = () =>
  z.object({ type: z.literal('tag'), slug: slug(), name: tagName() }).strict();

export const mediaLine = () =>
  z
    .object({
      type: z.literal('media'),
      hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex'),
      name: z.string().min(1).max(255),
      size: z.number().int().positive(),
      contentType: text(100),
      createdAt: rfc3339().optional(),
    })
    .strict();

/** The export's first line; ignored by an import. */
export const metaLine = () =>
  z.object({ type: z.literal('meta'), format: z.literal('gazette-ndjson'), version: z.literal(1) });

export type ArticleLine = z.infer<ReturnType<typeof articleLine>>;
export type ChannelLine = z.infer<ReturnType<typeof channelLine>>;
export type TagLine = z.infer<ReturnType<typeof tagLine>>;
export type MediaLine = z.infer<ReturnType<typeof mediaLine>>;

export const rejection = z
  .object({
    line: z.number().int().openapi({ description: 'Line number in the file, from 1' }),
    externalId: z.string().nullable(),
    reason: z.string(),
  })
  .openapi('ImportRejection');

export const importReport = z
  .object({
    lines: z.number().int().openapi({ description: 'Lines read (blank lines not counted)' }),
    processed: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    channelsCreated: z.number().int(),
    tagsCreated: z.number().int(),
    rejected: z.number().int(),
    rejections: z.array(rejection),
  })
  .openapi('ImportReport');

export type ImportReport = z.infer<typeof importReport>;
export type Rejection = z.infer<typeof rejection>;

export const importJob = z
  .object({
    id: z.string(),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    createdAt: z.string(),
    updatedAt: z.string(),
    error: z.string().nullable(),
    report: importReport,
  })
  .openapi('ImportJob');

export type ImportJobView = z.infer<typeof importJob>;

export const jobParams = z.object({
  job: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be an import job id')
    .openapi({ param: { name: 'job', in: 'path' }, example: 'a'.repeat(64) }),
});
