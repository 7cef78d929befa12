/**
 * Seeds a running worker (scripts/lib/run-worker.ts) through its own import route, so the
 * bench, the search measurement and the browser tests get their content the way an editor's
 * does: through the authoring commands inside workerd (sanitizer, slugs, revisions, search
 * index, audit), never through SQL of their own.
 */
import { createHash, randomBytes } from 'node:crypto';
import { demoChannels, type DemoArticle, type DemoChannel } from '../demo-content';
import type { RunningWorker } from './run-worker';

/** An admin token stored the way `npm run token -- create` stores one (only its hash). */
export async function workerAdminToken(worker: RunningWorker): Promise<string> {
  const token = `gz_${randomBytes(32).toString('base64url')}`;
  const hash = createHash('sha256').update(token).digest('hex');
  const name = `seed-${randomBytes(4).toString('hex')}`;
  await worker.execSql(
    `INSERT INTO api_tokens (name, role, token_hash) VALUES ('${name}', 'admin', '${hash}');\n`,
  );
  return token;
}

/** The demo generator's article as one import line. */
export function demoLine(a: DemoArticle): Record<string, unknown> {
  return {
    externalId: `demo:${a.slug}`,
    slug: a.slug,
    channel: a.channelSlug,
    title: a.title,
    subtitle: a.subtitle,
    summary: a.summary,
    body: a.body,
    source: a.source,
    author: a.author,
    lang: a.lang,
    status: a.status,
    publishedAt: new Date(a.publishedAt).toISOString(),
    views: a.viewBase,
    tags: a.tags.map((t) => t.name),
    attachments: a.attachments,
    document: a.document,
  };
}

/** Channel and tag lines first (with the demo's own slugs), then the articles. */
export function demoNdjson(articles: DemoArticle[], channels: DemoChannel[] = demoChannels) {
  const lines: Record<string, unknown>[] = channels.map((c) => ({
    type: 'channel',
    slug: c.slug,
    name: c.name,
    parent: c.parentSlug,
    position: c.position,
    description: c.description,
  }));
  const tags = new Map<string, string>();
  for (const a of articles) for (const t of a.tags) tags.set(t.slug, t.name);
  for (const [slug, name] of tags) lines.push({ type: 'tag', slug, name });
  for (const a of articles) lines.push(demoLine(a));
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

export interface Report {
  lines: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rejections: { line: number; externalId: string | null; reason: string }[];
}

/**
 * POSTs NDJSON to /api/v1/admin/import (as a background job) and waits for the report.
 * `onProgress` hears how many lines are done.
 */
export async function importNdjson(
  origin: URL | string,
  token: string,
  body: BodyInit,
  onProgress?: (done: number, total: number) => void,
): Promise<Report> {
  const headers = {
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/x-ndjson',
    Prefer: 'respond-async',
  };
  const res = await fetch(new URL('/api/v1/admin/import', origin), {
    method: 'POST',
    headers,
    body,
    // A stream body (the import CLI's file) goes out as it is read.
    duplex: 'half',
  } as RequestInit);
  if (res.status === 200) return ((await res.json()) as { data: Report }).data;
  if (res.status !== 202) throw new Error(`import answered ${res.status}: ${await res.text()}`);
  const location = new URL(res.headers.get('Location')!, origin);
  for (;;) {
    const poll = await fetch(location, { headers: { Authorization: headers.Authorization } });
    if (poll.status !== 200) throw new Error(`import job answered ${poll.status}`);
    const { data } = (await poll.json()) as {
      data: {
        status: string;
        error: string | null;
        report: Report & { processed: number };
      };
    };
    onProgress?.(data.report.processed, data.report.lines);
    if (data.status === 'done') return data.report;
    if (data.status === 'failed') throw new Error(`import failed: ${data.error}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The demo portal (or any generated articles) into the worker, through its import route. */
export async function seedWorker(
  worker: RunningWorker,
  articles: DemoArticle[],
  channels: DemoChannel[] = demoChannels,
): Promise<Report> {
  const token = await workerAdminToken(worker);
  const report = await importNdjson(worker.url, token, demoNdjson(articles, channels));
  if (report.rejected) {
    throw new Error(
      `seeding rejected ${report.rejected} lines: ${JSON.stringify(report.rejections.slice(0, 5))}`,
    );
  }
  return report;
}
