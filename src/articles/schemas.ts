import { z } from '@hono/zod-openapi';
import {
  cursorParam,
  dateBoundParam,
  idListParam,
  idOrSlugParam,
  optionalLimitParam,
  slugParam,
} from '../lib/params';

export const maxListedIds = 100;
export const defaultPageSize = 20;

export const listArticlesQuery = z
  .object({
    channel: slugParam().optional().openapi({
      description: 'Only articles in this channel or any channel below it.',
      example: 'news',
    }),
    tag: slugParam().optional().openapi({ description: 'Only articles with this tag.' }),
    from: dateBoundParam().optional().openapi({ description: 'Published on or after.' }),
    to: dateBoundParam().optional().openapi({
      description: 'Published on or before (a day includes all of it).',
    }),
    sort: z
      .enum(['latest', 'popular'])
      .optional()
      .transform((v) => v ?? 'latest')
      .openapi({ type: 'string', enum: ['latest', 'popular'], default: 'latest' }),
    ids: idListParam(maxListedIds)
      .optional()
      .openapi({
        description: `Only these article ids (up to ${maxListedIds}, comma-separated); ids that are not published are left out. Combines with the other filters.`,
      }),
    limit: optionalLimitParam(100).openapi({
      description: `Page size; defaults to ${defaultPageSize}, or to the number of ids when ids is given.`,
    }),
    cursor: cursorParam().optional(),
  })
  .strict();

export const articleKeyParams = z.object({
  idOrSlug: idOrSlugParam().openapi({
    param: { name: 'idOrSlug', in: 'path' },
    type: 'string',
    description: 'Numeric id or slug',
    example: '1',
  }),
});

export const channelRefSchema = z
  .object({ id: z.number().int(), slug: z.string(), name: z.string() })
  .openapi('ChannelRef');

export const tagSchema = z.object({ slug: z.string(), name: z.string() }).openapi('Tag');

const isoInstant = z.string().openapi({
  description: 'RFC 3339 instant, written in the site time zone',
  example: '2021-09-30T10:00:00+08:00',
});

export const articleSummary = z
  .object({
    id: z.number().int(),
    slug: z.string(),
    title: z.string(),
    subtitle: z.string(),
    summary: z.string(),
    source: z.string().openapi({ description: '信息来源' }),
    author: z.string(),
    coverImageUrl: z.string().nullable(),
    lang: z.string(),
    channel: channelRefSchema,
    tags: z.array(tagSchema),
    publishedAt: isoInstant,
    updatedAt: isoInstant,
    views: z.number().int().openapi({ description: '浏览次数 as of the last counter flush' }),
    url: z.string().openapi({ description: 'Canonical reader page' }),
  })
  .openapi('ArticleSummary');

const breadcrumbItemSchema = z
  .object({ name: z.string(), slug: z.string().nullable(), url: z.string() })
  .openapi('BreadcrumbItem');

export const neighbourSchema = z
  .object({
    id: z.number().int(),
    slug: z.string(),
    title: z.string(),
    publishedAt: isoInstant,
    url: z.string(),
  })
  .nullable()
  .openapi('ArticleNeighbour');

export const attachmentSchema = z.object({
  name: z.string(),
  url: z.string(),
  size: z.number().int().nullable().openapi({ description: 'Bytes' }),
  contentType: z.string().nullable(),
  mediaId: z.number().int().nullable().openapi({
    description: 'The uploaded file (POST /api/v1/admin/media); null for a link',
  }),
});

/** An attachment as the API gives it: with the format and size a reader sees beside the link. */
export const attachmentResponse = attachmentSchema.extend({
  format: z.string().nullable().openapi({ example: 'XLSX' }),
  sizeText: z.string().nullable().openapi({ description: 'Human size', example: '38 KB' }),
});

export const policyDocumentSchema = z.object({
  indexNumber: z.string().nullable().openapi({ description: '索引号' }),
  documentNumber: z.string().nullable().openapi({ description: '文号' }),
  dateWritten: z.string().nullable().openapi({ description: '成文日期' }),
  issuingBody: z.string().nullable().openapi({ description: '发布机构' }),
});

export const articleDetail = articleSummary
  .extend({
    body: z.string().openapi({ description: 'Sanitized HTML' }),
    visitors: z.number().int(),
    breadcrumb: z.array(breadcrumbItemSchema),
    attachments: z.array(attachmentResponse),
    document: policyDocumentSchema.nullable(),
    prev: neighbourSchema.openapi({
      description: '上一篇: the article published just before, in the same channel',
    }),
    next: neighbourSchema.openapi({
      description: '下一篇: the article published just after, in the same channel',
    }),
  })
  .openapi('Article');

export const articleListResponse = z
  .object({
    data: z.array(articleSummary),
    meta: z.object({ nextCursor: z.string().nullable(), limit: z.number().int() }),
  })
  .openapi('ArticleList');

export const articleResponse = z.object({ data: articleDetail }).openapi('ArticleResponse');
