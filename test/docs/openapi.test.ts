import { describe, expect, it } from 'vitest';
import {
  articleListResponse,
  articleResponse,
  listArticlesQuery,
} from '../../src/articles/schemas';
import { channelResponse, channelTreeResponse } from '../../src/channels/schemas';
import { problemCatalogue } from '../../src/lib/errors';
import { slugPattern } from '../../src/lib/slug';
import { expectProblem, get, json, seedArticleInNewChannel } from '../helpers';

type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any> };
};

async function openapi(): Promise<Doc> {
  const res = await get('/openapi.json');
  expect(res.status).toBe(200);
  return json(res);
}

function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

/** A schema's own and inherited (allOf) properties and required fields, refs resolved. */
function flatten(doc: Doc, schema: any): { properties: Record<string, any>; required: string[] } {
  if (schema.$ref) return flatten(doc, doc.components.schemas[schema.$ref.split('/').pop()]);
  const parts = [schema, ...(schema.allOf ?? []).map((s: any) => flatten(doc, s))];
  return {
    properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
    required: parts.flatMap((p) => p.required ?? []),
  };
}

const readRoutes = [
  '/api/v1/articles',
  '/api/v1/articles/{idOrSlug}',
  '/api/v1/channels',
  '/api/v1/channels/{slug}',
];

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document served as cacheable, cross-origin JSON', async () => {
    const res = await get('/openapi.json', { headers: { Origin: 'https://editor.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(res.headers.get('ETag')).toMatch(/^"[0-9a-f]+"$/);
    expect(res.headers.get('Cache-Control')).toMatch(/max-age=\d+/);
    const doc = (await res.json()) as Doc;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Gazette API', version: expect.any(String) });
    const again = await get('/openapi.json', {
      headers: { 'If-None-Match': res.headers.get('ETag')! },
    });
    expect(again.status).toBe(304);
  });

  it('documents every public API endpoint once, and nothing else', async () => {
    const doc = await openapi();
    const operations = Object.entries(doc.paths)
      .filter(([path]) => !path.startsWith('/api/v1/admin/'))
      .flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
      );
    expect(operations.sort()).toEqual(
      [
        'GET /api/v1/articles',
        'GET /api/v1/articles/{idOrSlug}',
        'GET /api/v1/articles/popular',
        'POST /api/v1/articles/{id}/views',
        'GET /api/v1/articles/{id}/views',
        'GET /api/v1/articles/{id}/views.svg',
        'GET /api/v1/views',
        'GET /api/v1/stats',
        'GET /api/v1/channels',
        'GET /api/v1/channels/{slug}',
        'GET /api/v1/search',
        'GET /oembed',
        'GET /media/{hash}/{name}',
      ].sort(),
    );
  });

  it('documents every admin operation with an operationId and the bearer security scheme', async () => {
    const doc = (await openapi()) as Doc & { components: { securitySchemes: any } };
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    const admin = Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/v1/admin/'));
    expect(admin.length).toBeGreaterThan(3);
    const ids = new Set<string>();
    for (const [path, item] of admin) {
      for (const [method, op] of Object.entries(item)) {
        expect(op.operationId, `${method} ${path}`).toMatch(/^admin[A-Z]/);
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        expect(op.security).toEqual([{ bearerAuth: [] }]);
        expect(op.responses).toHaveProperty('401');
      }
    }
    expect(doc.paths['/api/v1/admin/tokens']).toHaveProperty('post');
  });

  it('lists every public read route as a GET with its problems', async () => {
    const doc = await openapi();
    for (const path of readRoutes) {
      const get = doc.paths[path]?.get;
      expect(get, path).toBeDefined();
      expect(Object.keys(get.responses)).toContain('200');
      expect(get.responses['200'].content['application/json'].schema.$ref).toMatch(
        /^#\/components\/schemas\//,
      );
      for (const status of Object.keys(get.responses).filter((s) => s !== '200')) {
        expect(get.responses[status].content['application/problem+json'].schema.$ref).toBe(
          '#/components/schemas/Problem',
        );
      }
    }
    expect(doc.paths['/api/v1/articles']!.get.responses).toHaveProperty('400');
    expect(doc.paths['/api/v1/articles/{idOrSlug}']!.get.responses).toHaveProperty('404');
    expect(doc.paths['/api/v1/channels/{slug}']!.get.responses).toHaveProperty('404');
  });

  it('is internally consistent: refs resolve, path parameters match templates, operations are well-formed', async () => {
    const doc = await openapi();
    for (const ref of refsIn(doc)) {
      const name = ref.replace('#/components/schemas/', '');
      expect(ref.startsWith('#/components/schemas/'), ref).toBe(true);
      expect(doc.components.schemas[name], ref).toBeDefined();
    }
    const operationIds = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path.startsWith('/')).toBe(true);
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        expect(['get', 'head', 'post', 'put', 'patch', 'delete', 'options']).toContain(method);
        expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
        for (const [status, response] of Object.entries<any>(op.responses)) {
          expect(status).toMatch(/^[1-5]\d\d$|^default$/);
          expect(typeof response.description).toBe('string');
        }
        const params: any[] = op.parameters ?? [];
        for (const p of params) {
          expect(['query', 'path', 'header', 'cookie']).toContain(p.in);
          expect(typeof p.name).toBe('string');
          expect(p.schema).toBeDefined();
          if (p.in === 'path') expect(p.required).toBe(true);
        }
        const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
        expect(pathParams.sort(), `${method} ${path}`).toEqual([...templated].sort());
        if (op.operationId) {
          expect(operationIds.has(op.operationId)).toBe(false);
          operationIds.add(op.operationId);
        }
      }
    }
  });

  it('documents the list parameters exactly as the zod schema validates them', async () => {
    const doc = await openapi();
    const params: any[] = doc.paths['/api/v1/articles']!.get.parameters;
    const byName = Object.fromEntries(params.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(Object.keys(listArticlesQuery.shape).sort());
    expect(params.every((p) => p.in === 'query' && p.required === false)).toBe(true);
    expect(byName.limit.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
    expect(byName.sort.schema).toMatchObject({ enum: ['latest', 'popular'], default: 'latest' });
    expect(byName.channel.schema).toMatchObject({ maxLength: 80, pattern: slugPattern.source });
    expect(byName.cursor.schema).toMatchObject({ maxLength: 512 });
    expect(byName.ids.schema.pattern).toBeDefined();
  });

  it('describes the article with its breadcrumb, neighbours and policy-document fields', async () => {
    const doc = await openapi();
    const article = flatten(doc, doc.components.schemas.Article);
    for (const field of [
      'body',
      'breadcrumb',
      'attachments',
      'document',
      'prev',
      'next',
      'views',
      'source',
      'publishedAt',
      'tags',
      'channel',
    ]) {
      expect(article.properties, field).toHaveProperty(field);
    }
    expect(article.required).toEqual(
      expect.arrayContaining(['id', 'slug', 'title', 'body', 'prev', 'next']),
    );
    expect(doc.components.schemas.Problem.properties).toHaveProperty('invalidParams');
  });

  it('describes responses the API really sends (the same zod schemas accept them)', async () => {
    const { channel, ...article } = await seedArticleInNewChannel({
      tags: [{ slug: 'openapi-tag', name: '标签' }],
      attachments: [
        { name: 'a.pdf', url: 'https://example.com/a.pdf', size: 1, contentType: null },
      ],
      document: { indexNumber: 'X-1', documentNumber: null, dateWritten: null, issuingBody: null },
    });
    expect(articleListResponse.safeParse(await json(await get('/api/v1/articles'))).success).toBe(
      true,
    );
    const detail = await json(await get(`/api/v1/articles/${article.id}`));
    const parsed = articleResponse.safeParse(detail);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(channelTreeResponse.safeParse(await json(await get('/api/v1/channels'))).success).toBe(
      true,
    );
    const one = channelResponse.safeParse(
      await json(await get(`/api/v1/channels/${channel.slug}`)),
    );
    expect(one.error?.issues ?? []).toEqual([]);
  });
});

describe('GET /docs', () => {
  it('serves the interactive reference from own assets, pointing at /openapi.json', async () => {
    const res = await get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('/openapi.json');
    expect(html).toContain('Gazette API reference');
    expect(res.headers.get('Content-Security-Policy')).toMatch(/frame-ancestors 'none'/);
    // Served from Gazette's own assets: no third-party origin, nothing inline.
    const csp = res.headers.get('Content-Security-Policy')!;
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/https?:|unsafe-inline|unsafe-eval/);
    expect(html).not.toMatch(/<script>|<style>|\sstyle=/);
    expect(html).toMatch(/<script src="\/assets\/docs\/swagger-ui\.[0-9a-f]{10}\.js">/);
    expect(res.headers.get('X-Request-Id')).toBeTruthy();
  });

  it('answers POST with 405', async () => {
    const res = await get('/docs', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('GET, HEAD');
  });
});

describe('problem type pages', () => {
  const codes = Object.keys(problemCatalogue) as (keyof typeof problemCatalogue)[];

  it('GET /problems lists every problem type', async () => {
    const res = await get('/problems');
    expect(res.status).toBe(200);
    const { data } = await json(res);
    expect(data.map((p: { code: string }) => p.code).sort()).toEqual([...codes].sort());
  });

  it.each(codes)('GET /problems/… describes %s', async (code) => {
    const type = `/problems/${code.replaceAll('_', '-')}`;
    const res = await get(type);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      type,
      code,
      status: problemCatalogue[code].status,
      title: problemCatalogue[code].title,
    });
  });

  it('resolves the type of problems the API really answers with', async () => {
    for (const path of [
      '/api/v1/articles?limit=0',
      '/api/v1/articles/987654321',
      '/api/v1/nothing',
    ]) {
      const problem = await json(await get(path));
      const page = await get(problem.type);
      expect(page.status).toBe(200);
      expect((await json(page)).title).toBe(problem.title);
    }
  });

  it.each([
    'no-such-problem',
    'constructor',
    '__proto__',
    'to-string',
    'has-own-property',
    'value-of',
    'invalid_parameter',
  ])('answers 404 for /problems/%s', async (type) => {
    await expectProblem(await get(`/problems/${type}`), 404, 'not_found');
  });
});
