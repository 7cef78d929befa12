import { z } from '@hono/zod-openapi';
import { cursorParam, dateBoundParam, optionalLimitParam, slugParam } from '../lib/params';
import { maxQueryLength, parseQuery, type ParsedQuery } from './query';

export const defaultSearchPageSize = 20;
export const maxSearchPageSize = 50;

/** The raw text and its parse; a query that cannot be searched is a 400 naming q. */
export interface SearchQueryText {
  raw: string;
  parsed: ParsedQuery;
}

export const searchTextParam = z
  .string()
  // A cheap bound before any work: no query of maxQueryLength characters is longer than this.
  .max(maxQueryLength * 2, `must be at most ${maxQueryLength} characters`)
  .transform((raw, ctx): SearchQueryText => {
    if (!raw.trim()) {
      ctx.addIssue({ code: 'custom', message: 'must not be empty' });
      return z.NEVER;
    }
    const result = parseQuery(raw);
    if (!result.ok) {
      ctx.addIssue({ code: 'custom', message: result.reason });
      return z.NEVER;
    }
    return { raw, parsed: result.query };
  })
  .openapi({
    type: 'string',
    minLength: 1,
    maxLength: maxQueryLength,
    description:
      'Words to find, all required: 2024年 盘锦 GDP. "A quoted phrase" matches exactly; a leading - excludes a word or phrase. Full-width and half-width forms, letter case, traditional and simplified characters and bracket styles (〔2024〕 = [2024] = (2024)) match each other. Any length works, one character included.',
    example: '盘锦 先行区',
  });

export const searchQuery = z
  .object({
    q: searchTextParam,
    channel: slugParam().optional().openapi({
      description: 'Only articles in this channel or any channel below it.',
      example: 'news',
    }),
    from: dateBoundParam().optional().openapi({ description: 'Published on or after.' }),
    to: dateBoundParam().optional().openapi({
      description: 'Published on or before (a day includes all of it).',
    }),
    type: z
      .enum(['all', 'policy'])
      .optional()
      .transform((v) => v ?? 'all')
      .openapi({
        type: 'string',
        enum: ['all', 'policy'],
        default: 'all',
        description: 'policy: only policy documents (with a 索引号, 文号 or 发布机构).',
      }),
    sort: z
      .enum(['relevance', 'latest'])
      .optional()
      .transform((v) => v ?? 'relevance')
      .openapi({ type: 'string', enum: ['relevance', 'latest'], default: 'relevance' }),
    limit: optionalLimitParam(maxSearchPageSize)
      .transform((v) => v ?? defaultSearchPageSize)
      .openapi({ default: defaultSearchPageSize }),
    cursor: cursorParam().optional(),
  })
  .strict();

const searchHitSchema = z
  .object({
    id: z.number().int(),
    slug: z.string(),
    title: z.string(),
    subtitle: z.string(),
    source: z.string().openapi({ description: '信息来源' }),
    lang: z.string(),
    channel: z.object({ id: z.number().int(), slug: z.string(), name: z.string() }),
    publishedAt: z.string().openapi({
      description: 'RFC 3339 instant, written in the site time zone',
      example: '2021-09-30T12:00:00+08:00',
    }),
    url: z.string().openapi({ description: 'Canonical reader page' }),
    document: z
      .object({
        indexNumber: z.string().nullable().openapi({ description: '索引号' }),
        documentNumber: z.string().nullable().openapi({ description: '文号' }),
        issuingBody: z.string().nullable().openapi({ description: '发布机构' }),
      })
      .nullable(),
    highlight: z.object({
      title: z.string().openapi({
        description: 'The title as HTML: escaped, with the matched words in <mark>.',
      }),
      snippet: z.string().openapi({
        description:
          'About 120 characters of the body (or summary) around the first match, as HTML: escaped, with the matched words in <mark>.',
      }),
    }),
  })
  .openapi('SearchHit');

export const searchResponse = z
  .object({
    data: z.array(searchHitSchema),
    meta: z.object({
      total: z.number().int().openapi({
        description: 'Number of hits; when totalExact is false, there are more than this.',
      }),
      totalExact: z.boolean(),
      limit: z.number().int(),
      nextCursor: z.string().nullable(),
    }),
  })
  .openapi('SearchResults');
