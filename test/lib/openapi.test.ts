import { createRoute, z } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/env';
import { AppError, problemResponse } from '../../src/lib/errors';
import { createApi } from '../../src/lib/openapi';
import { expectProblem, json } from '../helpers';

function thingsApi() {
  const getThing = createRoute({
    method: 'get',
    path: '/things/{id}',
    operationId: 'getThing',
    summary: 'One thing',
    request: {
      params: z.object({
        id: z
          .string()
          .regex(/^[0-9]+$/, 'must be digits')
          .transform(Number),
      }),
      query: z.object({ q: z.string().max(3, 'is too long').optional() }).strict(),
    },
    responses: {
      200: {
        description: 'The thing',
        content: { 'application/json': { schema: z.object({ id: z.number() }) } },
      },
    },
  });
  const api = createApi().openapi(getThing, (c) =>
    c.json({ id: c.req.valid('param').id, q: c.req.valid('query').q ?? null }, 200),
  );
  const app = new Hono<AppEnv>().route('/api', api);
  app.onError((err, c) => (err instanceof AppError ? problemResponse(c, err) : c.text('', 500)));
  return { api, app };
}

describe('createApi', () => {
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

  it('says a repeated query parameter must be given only once', async () => {
    const body = await expectProblem(
      await thingsApi().app.request('/api/things/1?q=a&q=b'),
      400,
      'invalid_parameter',
    );
    expect(body.invalidParams).toEqual([
      { name: 'q', in: 'query', reason: 'must be given only once' },
    ]);
  });

  it('describes each route under the prefix its app is mounted at', () => {
    const { api } = thingsApi();
    const app = createApi().route('/api', api);
    const doc = app.getOpenAPI31Document({
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
