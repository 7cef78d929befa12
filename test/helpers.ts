import { env, exports } from 'cloudflare:workers';
import { createChannel, createArticle, type NewArticle } from '../src/articles/commands';
import { createDb, type Database } from '../src/db/client';

export const timeZone = 'Asia/Shanghai';

export function testDb(): Database {
  return createDb(env.DB);
}

let counter = 0;
/** A slug no other test in the file has used; storage is shared by all tests in a file. */
export function uniqueSlug(prefix = 't'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
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
): Promise<{ id: number; slug: string }> {
  return createArticle(
    db,
    {
      title: input.title ?? `测试文章 ${uniqueSlug('a')}`,
      body: input.body ?? '<p>正文第一段。</p><p>正文第二段。</p>',
      status: input.status ?? 'published',
      publishedAt:
        input.publishedAt === undefined ? new Date(Date.now() - 24 * hour) : input.publishedAt,
      slug: input.slug ?? uniqueSlug('a'),
      ...input,
    },
    { timeZone },
  );
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
