import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createReaderApp } from '../src/reader-app';
import { expectProblem, json, seedArticleInNewChannel } from './helpers';

const app = createReaderApp();
const origin = 'https://news.example.test';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** An ADMIN binding that records what reaches it and answers with `answer`. */
function fakeAdmin(answer: (req: Request) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const binding = {
    async fetch(input: RequestInfo | URL, init?: RequestInit) {
      const req = new Request(input, init);
      seen.push({
        method: req.method,
        url: req.url,
        headers: Object.fromEntries(req.headers),
        body: new TextDecoder().decode(await req.clone().arrayBuffer()),
      });
      return answer(req);
    },
  } as unknown as Fetcher;
  return { seen, binding };
}

async function call(request: Request, admin: Fetcher | undefined) {
  const ctx = createExecutionContext();
  const res = await app.fetch(request, { ...env, ADMIN: admin } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("the readers' worker (src/reader-app.ts)", () => {
  it('hands an admin API write to the admin worker unchanged: method, path, query, headers, body', async () => {
    const admin = fakeAdmin(() => new Response('{"ok":true}', { status: 201 }));
    const body = JSON.stringify({ title: '盘锦要闻', body: '<p>正文</p>' });
    const res = await call(
      new Request(`${origin}/api/v1/admin/articles?draft=1&x=%E7%9B%98`, {
        method: 'PATCH',
        headers: {
          Authorization: 'Bearer gz_secret',
          Cookie: 'gz_session=abc; gz_csrf=def',
          'Content-Type': 'application/json',
          'If-Match': '"v3"',
          Origin: origin,
          'X-Request-Id': 'req-from-client-0001',
        },
        body,
      }),
      admin.binding,
    );
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('{"ok":true}');
    expect(admin.seen).toHaveLength(1);
    const [seen] = admin.seen;
    expect(seen).toMatchObject({
      method: 'PATCH',
      url: `${origin}/api/v1/admin/articles?draft=1&x=%E7%9B%98`,
      body,
    });
    expect(seen!.headers).toMatchObject({
      authorization: 'Bearer gz_secret',
      cookie: 'gz_session=abc; gz_csrf=def',
      'content-type': 'application/json',
      'if-match': '"v3"',
      origin,
      'x-request-id': 'req-from-client-0001',
    });
  });

  it("passes the admin worker's answer back as it was sent: status, headers, cookies", async () => {
    const admin = fakeAdmin(() => {
      const headers = new Headers({
        Location: '/admin/sign-in?next=%2Fadmin',
        'X-Request-Id': 'r1',
      });
      headers.append(
        'Set-Cookie',
        'gz_session=new; Path=/admin; HttpOnly; Secure; SameSite=Strict',
      );
      headers.append('Set-Cookie', 'gz_csrf=t; Path=/; Secure; SameSite=Strict');
      return new Response(null, { status: 303, headers });
    });
    const res = await call(new Request(`${origin}/admin`, { redirect: 'manual' }), admin.binding);
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/admin/sign-in?next=%2Fadmin');
    expect(res.headers.get('X-Request-Id')).toBe('r1');
    expect(res.headers.getSetCookie()).toEqual([
      'gz_session=new; Path=/admin; HttpOnly; Secure; SameSite=Strict',
      'gz_csrf=t; Path=/; Secure; SameSite=Strict',
    ]);
    // The reader adds nothing of its own (the admin worker ran its own middleware).
    expect(res.headers.get('Content-Security-Policy')).toBeNull();
  });

  it('streams a request body in and a response body out, chunk by chunk', async () => {
    const chunks = ['第一段,', '第二段,', '第三段'];
    const admin = fakeAdmin(async (req) => {
      const received = new Uint8Array(await req.arrayBuffer());
      const encoder = new TextEncoder();
      let i = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (i < chunks.length) controller.enqueue(encoder.encode(chunks[i++]));
          else controller.close();
        },
      });
      return new Response(stream, {
        headers: {
          'Content-Type': 'text/plain; charset=utf-8',
          'X-Received': String(received.length),
        },
      });
    });
    const upload = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([1, 2, 3]));
        controller.enqueue(new Uint8Array([4, 5]));
        controller.close();
      },
    });
    const res = await call(
      new Request(`${origin}/api/v1/admin/media`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: upload,
        // @ts-expect-error workerd's RequestInit takes duplex for a streamed body
        duplex: 'half',
      }),
      admin.binding,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Received')).toBe('5');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toBe(chunks.join(''));
  });

  it.each([
    '/admin',
    '/admin/articles/12',
    '/api/v1/admin',
    '/api/v1/admin/webhooks',
    '/preview/articles/7?exp=1&sig=x',
    '/openapi.json',
  ])('forwards %s', async (path) => {
    const admin = fakeAdmin(() => new Response('from admin', { status: 299 }));
    const res = await call(new Request(`${origin}${path}`), admin.binding);
    expect(res.status).toBe(299);
    expect(await res.text()).toBe('from admin');
    expect(admin.seen.map((s) => s.url)).toEqual([`${origin}${path}`]);
  });

  it('serves public routes itself, never through the admin worker', async () => {
    const title = `读者自己的文章 ${crypto.randomUUID().slice(0, 8)}`;
    const article = await seedArticleInNewChannel({ title });
    const admin = fakeAdmin(() => new Response('from admin', { status: 500 }));
    const api = await call(new Request(`${origin}/api/v1/articles/${article.id}`), admin.binding);
    expect(api.status).toBe(200);
    expect((await json(api)).data.id).toBe(article.id);
    const page = await call(
      new Request(`${origin}/articles/${article.id}/${article.slug}`),
      admin.binding,
    );
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(title);
    // A path that looks like, but is not, a writer's one.
    const lookalike = await call(new Request(`${origin}/administration`), admin.binding);
    expect(lookalike.status).toBe(404);
    const docs = await call(new Request(`${origin}/problems/admin-unavailable`), admin.binding);
    expect(docs.status).toBe(200);
    expect(admin.seen).toEqual([]);
  });

  it('answers 503 admin_unavailable (problem+json, Retry-After) when the admin worker cannot be reached', async () => {
    const failing = {
      fetch: () => Promise.reject(new Error('Service binding: worker not found')),
    } as unknown as Fetcher;
    const res = await call(
      new Request(`${origin}/api/v1/admin/articles`, { method: 'POST', body: '{}' }),
      failing,
    );
    const problem = await expectProblem(res, 503, 'admin_unavailable');
    expect(res.headers.get('Retry-After')).toBe('5');
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(res.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(problem)).not.toContain('worker not found');

    const unbound = await call(new Request(`${origin}/admin`), undefined);
    await expectProblem(unbound, 503, 'admin_unavailable');
  });
});
