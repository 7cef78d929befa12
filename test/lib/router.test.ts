import { OpenAPIHono, z } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import type { AppEnv } from '../../src/env';
import { AppError, problemResponse } from '../../src/lib/errors';
import { createRouter, describeRouter } from '../../src/lib/router';
import { expectProblem, json } from '../helpers';

function thingsApi() {
  const thingRequest = vi.fn(() => ({
    params: z.object({
      id: z
        .string()
        .regex(/^[0-9]+$/, 'must be digits')
        .transform(Number),
    }),
    query: z.object({ q: z.string().max(3, 'is too long').optional() }).strict(),
  }));
  const describeThing = vi.fn(() => ({
    summary: 'One thing',
    responses: {
      200: {
        description: 'The thing',
        content: { 'application/json': { schema: z.object({ id: z.number() }) } },
      },
    },
  }));
  const router = createRouter().endpoint(
    'get',
    '/things/{id}',
    { request: thingRequest, describe: describeThing },
    (c) => c.json({ id: c.req.valid('param').id, q: c.req.valid('query').q ?? null }, 200),
  );
  const app = new Hono<AppEnv>().route('/api', router);
  app.onError((err, c) => (err instanceof AppError ? problemResponse(c, err) : c.text('', 500)));
  return { thingRequest, describeThing, router, app };
}

describe('ApiRouter.endpoint', () => {
  it('builds request schemas on the first request, once, and the docs not at all', async () => {
    const { thingRequest, describeThing, app } = thingsApi();
    expect(thingRequest).not.toHaveBeenCalled();
    expect((await app.request('/api/things/1')).status).toBe(200);
    expect((await app.request('/api/things/2?q=ab')).status).toBe(200);
    expect(thingRequest).toHaveBeenCalledTimes(1);
    expect(describeThing).not.toHaveBeenCalled();
  });

  it('hands the handler parsed path and query values', async () => {
    const res = await thingsApi().app.request('/api/things/7?q=abc');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ id: 7, q: 'abc' });
  });

  it('answers a bad path parameter with an invalid_parameter problem naming it', async () => {
    const body = await expectProblem(
      await thingsApi().app.request('/api/things/x1'),
      400,
      'invalid_parameter',
    );
    expect(body.invalidParams).toEqual([{ name: 'id', in: 'path', reason: 'must be digits' }]);
  });

  it('answers an unknown or bad query parameter with a problem naming each', async () => {
    const body = await expectProblem(
      await thingsApi().app.request('/api/things/1?q=abcd&zzz=1'),
      400,
      'invalid_parameter',
    );
    expect(body.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual(['q', 'zzz']);
  });
});

describe('describeRouter', () => {
  it('describes each endpoint under the prefix its router is mounted at', () => {
    const { router } = thingsApi();
    const api = new OpenAPIHono<AppEnv>();
    describeRouter(api, '/api', router);
    const doc = api.getOpenAPI31Document({
      openapi: '3.1.0',
      info: { title: 'Things', version: '1' },
    });
    const operation = doc.paths?.['/api/things/{id}']?.get;
    expect(operation?.summary).toBe('One thing');
    expect(operation?.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'id', in: 'path', required: true }),
        expect.objectContaining({ name: 'q', in: 'query', required: false }),
      ]),
    );
  });
});

// Type-level checks, enforced by `npm run typecheck`: the router must not accept what it would
// silently ignore (a body it never validates, per-route middleware it never runs).
export function unsupportedEndpointSpecs() {
  const responses = { 204: { description: 'Nothing' } };
  createRouter()
    .endpoint(
      'post',
      '/with-body',
      // @ts-expect-error request bodies are not validated by ApiRouter
      { request: () => ({ body: { content: {} } }), describe: () => ({ responses }) },
      (c) => c.body(null, 204),
    )
    .endpoint(
      'get',
      '/with-middleware',
      // @ts-expect-error per-route middleware is not applied by ApiRouter
      { request: () => ({}), describe: () => ({ responses, middleware: [] }) },
      (c) => c.body(null, 204),
    );
}
