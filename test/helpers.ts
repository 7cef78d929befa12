import { env, exports } from 'cloudflare:workers';
import { createChannel, createArticle, type NewArticle } from '../src/authoring/commands';
import { createDb, type Database } from '../src/db/client';
import { Placeholder } from 'drizzle-orm';
import { afterAll, beforeAll } from 'vitest';
import { clockFrom, useClock, type Clock } from '../src/lib/clock';
import { now as clockNow } from '../src/lib/clock';

export const timeZone = 'Asia/Shanghai';

/**
 * Runs the enclosing file or describe block on a clock that reads `at` and moves on from there:
 * for tests whose data carries fixed dates (a 2021 article must be in the past, whatever the
 * suite's pinned clock says).
 */
export function clockAt(at: string | number): void {
  let previous: Clock | undefined;
  beforeAll(() => {
    previous = useClock(clockFrom(typeof at === 'number' ? at : Date.parse(at)));
  });
  afterAll(() => {
    if (previous) useClock(previous);
  });
}

export function testDb(): Database {
  return createDb(env.DB);
}

let counter = 0;
/** A slug no other test in the file has used; storage is shared by all tests in a file. */
export function uniqueSlug(prefix = 't'): string {
  counter += 1;
  return `${prefix}-${clockNow().toString(36)}-${counter}`;
}

export async function seedChannel(
  db: Database,
  input: { name?: string; parentSlug?: string | null; slug?: string; position?: number } = {},
) {
  return createChannel(db, {
    slug: input.slug ?? uniqueSlug('ch'),
    name: input.name ?? '测试栏目',
    parentSlug: input.parentSlug ?? null,
    position: input.position ?? 0,
  });
}

const hour = 3_600_000;

export async function seedArticle(
  db: Database,
  input: Partial<NewArticle> & { channelSlug: string },
): Promise<SeededArticle> {
  return createArticle(
    db,
    {
      title: input.title ?? `测试文章 ${uniqueSlug('a')}`,
      body: input.body ?? '<p>正文第一段。</p><p>正文第二段。</p>',
      status: input.status ?? 'published',
      publishedAt:
        input.publishedAt === undefined ? new Date(clockNow() - 24 * hour) : input.publishedAt,
      slug: input.slug ?? uniqueSlug('a'),
      ...input,
    },
    { timeZone },
  );
}

/**
 * An article (published a day ago unless `input` says otherwise) in a channel of its own, for
 * tests that need one article and no neighbours: nothing else lists or ranks beside it.
 */
export async function seedArticleInNewChannel(
  input: Partial<NewArticle> = {},
  channelInput: Parameters<typeof seedChannel>[1] = {},
) {
  const { channel, articles } = await seedArticlesInNewChannel([input], channelInput);
  return { channel, ...articles[0] };
}

export interface SeededArticle {
  id: number;
  slug: string;
}

/**
 * A channel of its own with one article per entry of `inputs`, created in that order; the
 * articles come back in the same order (a tuple for a tuple).
 */
export async function seedArticlesInNewChannel<const T extends readonly Partial<NewArticle>[]>(
  inputs: T,
  channelInput: Parameters<typeof seedChannel>[1] = {},
) {
  const db = testDb();
  const channel = await seedChannel(db, channelInput);
  const articles: SeededArticle[] = [];
  for (const input of inputs) {
    articles.push(await seedArticle(db, { channelSlug: channel.slug, ...input }));
  }
  return { channel, articles: articles as { -readonly [K in keyof T]: SeededArticle } };
}

export function get(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`http://gazette.test${path}`, init));
}

export async function json<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export async function expectProblem(res: Response, status: number, code: string) {
  const { expect } = await import('vitest');
  expect(res.status).toBe(status);
  expect(res.headers.get('Content-Type')).toBe('application/problem+json; charset=utf-8');
  const body = await json(res);
  expect(body).toMatchObject({ status, code, type: `/problems/${code.replaceAll('_', '-')}` });
  expect(typeof body.title).toBe('string');
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/);
  return body;
}

/**
 * Every public statement, taken from the same builders the query functions run, must be
 * answered through an index: no plan line may scan a real table (or an alias of one)
 * without naming an index. CTEs (subtree, chain, crumbs) and json_each are not tables.
 */
const plannedTables = new Set([
  'articles',
  'channels',
  'tags',
  'article_tags',
  'attachments',
  'article_views_daily',
  'view_rejections_daily',
  'article_documents',
  'channel_listings',
  // aliases used in the queries
  'target',
  'parent',
  'c',
  'p',
  'at',
  't',
  'n',
  'f',
  'm',
]);

interface Compiled {
  sql: string;
  params: unknown[];
}

/** Plans a statement; placeholders (statements compiled once, src/db/compiled.ts) are bound to 0. */
export async function plan(query: { toSQL(): Compiled }): Promise<string[]> {
  const { sql, params } = query.toSQL();
  const result = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params.map((p) => (p instanceof Placeholder ? 0 : p)))
    .all<{ detail: string }>();
  return result.results.map((r) => r.detail);
}

export function tableScans(lines: string[]): string[] {
  return lines.filter((line) => {
    const m = /^SCAN (\w+)/.exec(line);
    return m !== null && plannedTables.has(m[1]!) && !/USING (?:COVERING )?INDEX/.test(line);
  });
}

/** A fresh API token of this role, stored the way `npm run token -- create` stores one. */
export async function issueToken(
  role: 'admin' | 'editor' | 'reader-preview' = 'admin',
  options: { name?: string; expiresAt?: Date | null } = {},
): Promise<string> {
  const { createToken } = await import('../src/auth/tokens');
  const { nowDate } = await import('../src/lib/clock');
  const { token } = await createToken(testDb(), {
    name: options.name ?? uniqueSlug(`${role}-token`),
    role,
    expiresAt: options.expiresAt ?? null,
    at: nowDate(),
  });
  return token;
}

let clientCounter = 0;
/** A client address of its own, so one test's failed attempts never rate-limit another's. */
export function clientAddress(): string {
  clientCounter += 1;
  return `198.51.${Math.floor(clientCounter / 250) % 250}.${(clientCounter % 250) + 1}`;
}

export interface AdminRequest {
  token?: string | null;
  method?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
}

/** A request to the admin API: bearer token, JSON body, a client address of its own. */
export function admin(path: string, request: AdminRequest = {}): Promise<Response> {
  const headers: Record<string, string> = {
    'CF-Connecting-IP': clientAddress(),
    ...request.headers,
  };
  if (request.token) headers.Authorization = `Bearer ${request.token}`;
  let body = request.body;
  if (request.json !== undefined) {
    body = JSON.stringify(request.json);
    headers['Content-Type'] ??= 'application/json';
  }
  return exports.default.fetch(
    new Request(`http://gazette.test/api/v1/admin${path}`, {
      method: request.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
    }),
  );
}
