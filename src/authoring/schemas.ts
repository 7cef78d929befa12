import { z } from '@hono/zod-openapi';
import { articleStatuses, revisionReasons } from '../db/schema';
import { maxSlugLength, slugPattern } from '../lib/slug';
import { adminListSorts } from './queries';

/** Request and response shapes of the admin API; field names are the public article's own. */

export const slug = () =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(maxSlugLength, `must be at most ${maxSlugLength} characters`)
    .regex(slugPattern, 'must be lowercase letters, digits and single hyphens');

export const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

/** Absolute http(s) URLs or site-relative paths; never javascript:, data: or protocol-relative. */
export const linkUrl = () =>
  z
    .string()
    .max(2000)
    .refine(
      (v) => /^https?:\/\/[^\s]+$/i.test(v) || /^\/(?!\/)[^\s]*$/.test(v),
      'must be an http(s) URL or a path starting with /',
    );

export const rfc3339 = () =>
  z.iso.datetime({ offset: true, message: 'must be an RFC 3339 date-time with a time zone' });

export const lang = () =>
  z.string().regex(/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as zh-CN');

export const tagName = () => z.string().trim().min(1, 'must not be empty').max(50);

const fileName = () => z.string().trim().min(1).max(200);

/** A link to a file elsewhere (the import also takes one without a name). */
export const linkAttachment = () =>
  z
    .object({
      name: fileName(),
      url: linkUrl(),
      size: z.number().int().nonnegative().nullable().optional(),
      contentType: text(100).nullable().optional(),
    })
    .strict();

/** An uploaded file by its media id; its name may be renamed. */
export const mediaAttachment = () =>
  z.object({ mediaId: z.number().int().positive(), name: fileName().optional() }).strict();

const attachmentInput = () => z.union([linkAttachment(), mediaAttachment()]);

export const documentInput = () =>
  z
    .object({
      indexNumber: text(100).nullable().optional(),
      documentNumber: text(100).nullable().optional(),
      dateWritten: text(40).nullable().optional(),
      issuingBody: text(200).nullable().optional(),
    })
    .strict();

/** A legacy view count (e.g. 712 from the old site). */
export const views = () => z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const maxBodyChars = 500_000;

/** The optional fields a new article may carry, with the same limits in the API and the import. */
export const optionalArticleFields = () => ({
  subtitle: text(300).optional(),
  summary: text(2000).optional(),
  source: text(200).optional(),
  author: text(200).optional(),
  lang: lang().optional(),
  coverImageUrl: linkUrl().nullable().optional(),
  tags: z.array(tagName()).max(30).optional(),
});

export const articleCreateBody = () =>
  z
    .object({
      title: z.string().trim().min(1, 'must not be empty').max(300),
      body: text(maxBodyChars),
      channel: slug(),
      slug: slug().optional(),
      ...optionalArticleFields(),
      publishedAt: rfc3339().optional(),
      document: documentInput().nullable().optional(),
      attachments: z.array(attachmentInput()).max(100).optional(),
      views: views().optional(),
    })
    .strict()
    .openapi('AdminArticleCreate');

/** JSON merge patch (RFC 7396): absent fields stay, null clears what may be cleared. */
export const articlePatchBody = () =>
  z
    .object({
      title: z.string().trim().min(1, 'must not be empty').max(300).optional(),
      body: text(maxBodyChars).optional(),
      channel: slug().optional(),
      slug: slug().optional(),
      subtitle: text(300).nullable().optional(),
      summary: text(2000).nullable().optional(),
      source: text(200).nullable().optional(),
      author: text(200).nullable().optional(),
      lang: lang().optional(),
      coverImageUrl: linkUrl().nullable().optional(),
      tags: z.array(tagName()).max(30).nullable().optional(),
      publishedAt: rfc3339().nullable().optional(),
      document: documentInput().nullable().optional(),
      attachments: z.array(attachmentInput()).max(100).nullable().optional(),
      views: views().optional(),
    })
    .strict()
    .openapi('AdminArticlePatch');

export const publishBody = () =>
  z.object({ publishedAt: rfc3339().optional() }).strict().openapi('AdminPublish');

/** The article's own words as the admin API answers them (the article and its revisions). */
export const articleTextShape = () => ({
  title: z.string(),
  subtitle: z.string(),
  summary: z.string(),
  body: z.string(),
  source: z.string(),
  author: z.string(),
  lang: z.string(),
  coverImageUrl: z.string().nullable(),
});

const channelRef = () => z.object({ id: z.number().int(), slug: z.string(), name: z.string() });

export const adminArticle = () =>
  z
    .object({
      id: z.number().int(),
      slug: z.string(),
      status: z.enum(articleStatuses),
      version: z.number().int(),
      ...articleTextShape(),
      channel: channelRef(),
      breadcrumb: z.array(channelRef()),
      tags: z.array(z.object({ slug: z.string(), name: z.string() })),
      attachments: z.array(
        z.object({
          name: z.string(),
          url: z.string(),
          size: z.number().nullable(),
          contentType: z.string().nullable(),
          mediaId: z.number().int().nullable(),
        }),
      ),
      document: z
        .object({
          indexNumber: z.string().nullable(),
          documentNumber: z.string().nullable(),
          dateWritten: z.string().nullable(),
          issuingBody: z.string().nullable(),
        })
        .nullable(),
      publishedAt: z.string().nullable(),
      createdAt: z.string(),
      updatedAt: z.string(),
      views: z.number().int(),
      visitors: z.number().int(),
      url: z.string().openapi({ description: 'The public page (answers only once published)' }),
    })
    .openapi('AdminArticle');

/** A page size of the admin lists: 1 to 100, written without leading zeros. */
export const adminPageLimit = () =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,2}$/, 'must be a whole number from 1 to 100')
    .transform(Number)
    .pipe(z.number().max(100, 'must be a whole number from 1 to 100'))
    .optional();

export const adminListQuery = () =>
  z
    .object({
      status: z.enum(articleStatuses).optional(),
      channel: slug().optional(),
      author: text(200).optional(),
      updatedSince: rfc3339().optional(),
      q: z.string().trim().min(1).max(200).optional(),
      sort: z.enum(adminListSorts).optional(),
      cursor: z.string().max(500).optional(),
      limit: adminPageLimit(),
    })
    .strict();

export const idParams = () =>
  z.object({
    id: z
      .string()
      .regex(/^[1-9][0-9]{0,15}$/, 'must be a positive whole number')
      .transform(Number)
      .openapi({ param: { name: 'id', in: 'path' }, type: 'integer', example: 1 }),
  });

export const revisionParams = () =>
  idParams().extend({
    n: z
      .string()
      .regex(/^[1-9][0-9]{0,9}$/, 'must be a revision number')
      .transform(Number)
      .openapi({ param: { name: 'n', in: 'path' }, type: 'integer', example: 1 }),
  });

export const diffQuery = () =>
  z
    .object({
      from: z
        .string()
        .regex(/^[1-9][0-9]{0,9}$/, 'must be a revision number')
        .transform(Number),
      to: z
        .string()
        .regex(/^[1-9][0-9]{0,9}$/, 'must be a revision number')
        .transform(Number),
    })
    .strict();

export const revisionSummary = () =>
  z
    .object({
      number: z.number().int(),
      reason: z.enum(revisionReasons),
      actor: z.string(),
      createdAt: z.string(),
      published: z.boolean(),
      status: z.enum(articleStatuses),
      title: z.string(),
    })
    .openapi('AdminRevisionSummary');

export const slugParams = () =>
  z.object({ slug: slug().openapi({ param: { name: 'slug', in: 'path' }, example: 'news' }) });

export const channelCreateBody = () =>
  z
    .object({
      slug: slug(),
      name: z.string().trim().min(1).max(100),
      parent: slug().nullable().optional(),
      position: z.number().int().min(0).max(100_000).optional(),
      description: text(1000).optional(),
    })
    .strict()
    .openapi('AdminChannelCreate');

export const channelPatchBody = () =>
  z
    .object({
      name: z.string().trim().min(1).max(100).optional(),
      parent: slug().nullable().optional(),
      position: z.number().int().min(0).max(100_000).optional(),
      description: text(1000).optional(),
    })
    .strict()
    .openapi('AdminChannelPatch');

export const channelOrderBody = () =>
  z
    .object({
      parent: slug().nullable(),
      order: z.array(slug()).min(1).max(1000),
    })
    .strict()
    .openapi('AdminChannelOrder');

export const tagCreateBody = () =>
  z.object({ name: tagName(), slug: slug().optional() }).strict().openapi('AdminTagCreate');

export const tagPatchBody = () => z.object({ name: tagName() }).strict().openapi('AdminTagPatch');

export const tagMergeBody = () => z.object({ into: slug() }).strict().openapi('AdminTagMerge');

export const previewLinkBody = () =>
  z
    .object({
      expiresInSeconds: z
        .number()
        .int()
        .min(60)
        .max(30 * 86400)
        .optional(),
    })
    .strict()
    .openapi('AdminPreviewLinkRequest');
