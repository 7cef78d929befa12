export interface ChannelRef {
  id: number;
  slug: string;
  name: string;
}

export interface TagRef {
  slug: string;
  name: string;
}

export interface ArticleSummary {
  id: number;
  slug: string;
  title: string;
  subtitle: string;
  summary: string;
  source: string;
  author: string;
  coverImageUrl: string | null;
  lang: string;
  channel: ChannelRef;
  tags: TagRef[];
  publishedAt: Date;
  updatedAt: Date;
  views: number;
}

export interface Attachment {
  name: string;
  url: string;
  size: number | null;
  contentType: string | null;
  /** The uploaded file (media row) it points at; null for a link to elsewhere. */
  mediaId: number | null;
}

/** What a write takes: a link, or an uploaded file (see resolveMediaAttachments in src/media). */
export type AttachmentInput = Omit<Attachment, 'mediaId'> & { mediaId?: number | null };

export interface PolicyDocument {
  indexNumber: string | null;
  documentNumber: string | null;
  dateWritten: string | null;
  issuingBody: string | null;
}

export interface ArticleNeighbour {
  id: number;
  slug: string;
  title: string;
  publishedAt: Date;
}

export interface ArticleDetail extends ArticleSummary {
  body: string;
  visitors: number;
  breadcrumb: ChannelRef[];
  attachments: Attachment[];
  document: PolicyDocument | null;
  prev: ArticleNeighbour | null;
  next: ArticleNeighbour | null;
}

/** What the public may learn about an id or slug: the article, that it was withdrawn, or nothing. */
export type ArticleLookup =
  | { state: 'published'; article: ArticleDetail }
  | { state: 'withdrawn'; id: number; slug: string; title: string }
  | { state: 'missing' };
