import { asc, inArray } from 'drizzle-orm';
import { articleText, listAdminArticlesAfter } from '../authoring/queries';
import { channelTreeQuery } from '../channels/queries';
import type { Database } from '../db/client';
import { articleRevisions, media, tags } from '../db/schema';

/**
 * The whole site as NDJSON, in an order an import can take as it comes: a meta line, the
 * channels (parents first), the tags, the uploaded files' metadata, then every article with
 * its revisions. Nothing in it depends on the database's own ids or on when it ran, so
 * export → import into an empty database → export gives the same bytes.
 */

const pageSize = 200;

type Line = Record<string, unknown>;

/** Attachments by URL: an import links a /media/ URL back to its upload. */
function attachmentLine(a: {
  name: string;
  url: string;
  size: number | null;
  contentType: string | null;
}) {
  return { url: a.url, name: a.name, size: a.size, contentType: a.contentType };
}

/** A revision's stored snapshot without database ids (a media id means nothing elsewhere). */
function portableSnapshot(text: string): Record<string, unknown> {
  const snapshot = JSON.parse(text) as Record<string, unknown>;
  if (Array.isArray(snapshot.attachments)) {
    snapshot.attachments = (snapshot.attachments as Record<string, unknown>[]).map((a) => ({
      ...a,
      mediaId: null,
    }));
  }
  return snapshot;
}

export async function* exportLines(db: Database): AsyncGenerator<Line> {
  yield { type: 'meta', format: 'gazette-ndjson', version: 1 };

  const channelRows = await channelTreeQuery(db);
  const emitted = new Set<string>();
  // Parents first, whatever the ids: each pass emits the channels whose parent is out.
  let pending = channelRows;
  while (pending.length) {
    const ready = pending.filter((c) => !c.parentSlug || emitted.has(c.parentSlug));
    if (!ready.length) break;
    for (const c of ready) {
      emitted.add(c.slug);
      yield {
        type: 'channel',
        slug: c.slug,
        name: c.name,
        parent: c.parentSlug,
        position: c.position,
        description: c.description,
      };
    }
    pending = pending.filter((c) => !emitted.has(c.slug));
  }

  for (const t of await db.select().from(tags).orderBy(asc(tags.slug))) {
    yield { type: 'tag', slug: t.slug, name: t.name };
  }

  for (const m of await db.select().from(media).orderBy(asc(media.hash), asc(media.name))) {
    yield {
      type: 'media',
      hash: m.hash,
      name: m.name,
      size: m.size,
      contentType: m.type,
      createdAt: m.createdAt.toISOString(),
    };
  }

  let after = 0;
  for (;;) {
    const page = await listAdminArticlesAfter(db, after, pageSize);
    if (!page.length) break;
    const revisions = await db
      .select()
      .from(articleRevisions)
      .where(
        inArray(
          articleRevisions.articleId,
          page.map((a) => a.id),
        ),
      )
      .orderBy(asc(articleRevisions.articleId), asc(articleRevisions.number));
    const byArticle = new Map<number, typeof revisions>();
    for (const r of revisions) {
      const list = byArticle.get(r.articleId) ?? [];
      list.push(r);
      byArticle.set(r.articleId, list);
    }
    for (const a of page) {
      yield {
        type: 'article',
        externalId: a.externalId ?? `gazette:${a.id}`,
        slug: a.slug,
        channel: a.channelSlug,
        ...articleText(a),
        tags: a.tags.map((t) => t.name),
        status: a.status,
        publishedAt: a.publishedAt ? a.publishedAt.toISOString() : null,
        document: a.document,
        attachments: a.attachments.map(attachmentLine),
        views: a.views,
        createdAt: a.createdAt.toISOString(),
        updatedAt: a.updatedAt.toISOString(),
        revisions: (byArticle.get(a.id) ?? []).map((r) => ({
          number: r.number,
          reason: r.reason,
          actor: r.actorName,
          published: r.published,
          createdAt: r.createdAt.toISOString(),
          snapshot: portableSnapshot(r.snapshot),
        })),
      };
    }
    after = page.at(-1)!.id;
  }
}

/** The export as a byte stream: one line per pull, so a big site is never held in memory. */
export function exportStream(db: Database): ReadableStream<Uint8Array> {
  const lines = exportLines(db);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await lines.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
}
