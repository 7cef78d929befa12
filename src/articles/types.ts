import type { z } from '@hono/zod-openapi';
import type {
  articleDetail,
  articleSummary,
  attachmentSchema,
  channelRefSchema,
  neighbourSchema,
  policyDocumentSchema,
  tagSchema,
} from './schemas';

/**
 * The article's shapes, all derived from the response schemas in ./schemas (whose fields the
 * drizzle schema stores): the domain objects the queries return hold instants as Dates and no
 * URLs, which present.ts adds for a given origin and time zone.
 */
type Instants<T, K extends keyof T> = Omit<T, K> & { [P in K]: Date };

export type ChannelRef = z.infer<typeof channelRefSchema>;
export type TagRef = z.infer<typeof tagSchema>;
export type Attachment = z.infer<typeof attachmentSchema>;
export type PolicyDocument = z.infer<typeof policyDocumentSchema>;

/** What a write takes: a link, or an uploaded file (see resolveMediaAttachments in src/media). */
export type AttachmentInput = Omit<Attachment, 'mediaId'> & { mediaId?: number | null };

export type ArticleSummary = Instants<
  Omit<z.infer<typeof articleSummary>, 'url'>,
  'publishedAt' | 'updatedAt'
>;

export type ArticleNeighbour = Instants<
  Omit<NonNullable<z.infer<typeof neighbourSchema>>, 'url'>,
  'publishedAt'
>;

export type ArticleDetail = ArticleSummary &
  Pick<z.infer<typeof articleDetail>, 'body' | 'visitors' | 'document'> & {
    // The stored attachments; present.ts adds each one's format and human size.
    attachments: Attachment[];
    breadcrumb: ChannelRef[];
    prev: ArticleNeighbour | null;
    next: ArticleNeighbour | null;
  };

/** An article as a feed carries it: the summary with its body. */
export type FeedArticle = ArticleSummary & Pick<ArticleDetail, 'body'>;

/** What a list on a page shows of an article: enough for a link, a date and a count. */
export type ListItem = Pick<
  ArticleSummary,
  'id' | 'slug' | 'title' | 'lang' | 'publishedAt' | 'views'
>;

/** What the public may learn about an id or slug: the article, that it was withdrawn, or nothing. */
export type ArticleLookup =
  | { state: 'published'; article: ArticleDetail }
  | { state: 'withdrawn'; id: number; slug: string; title: string }
  | { state: 'missing' };
