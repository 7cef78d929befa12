import { z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../env';
import { AppError, invalidParamsFromZod, type ParameterLocation } from '../lib/errors';

/** Admin request bodies are JSON documents of at most 1 MB (an article body is far smaller). */
export const maxBodyBytes = 1024 * 1024;

export const limitBody: MiddlewareHandler<AppEnv> = bodyLimit({
  maxSize: maxBodyBytes,
  onError: () => {
    throw new AppError('payload_too_large', {
      detail: `Request bodies are limited to ${maxBodyBytes} bytes`,
    });
  },
});

/**
 * Reads a JSON body up front, so malformed JSON is a 400 with a clear detail rather than the
 * validator's generic message. Hono keeps the parsed body for the validator that follows.
 */
export const parseJsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const type = c.req.header('Content-Type');
  if (type && /^application\/([a-z.+-]+\+)?json\b/i.test(type)) {
    const text = await c.req.raw.clone().text();
    if (text.trim() !== '') {
      try {
        await c.req.json();
      } catch {
        throw new AppError('invalid_body', { detail: 'The request body is not valid JSON' });
      }
    }
  }
  await next();
};

export const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.res.headers.set('Cache-Control', 'no-store');
};

const locations: Record<string, ParameterLocation> = {
  json: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
};

/**
 * The OpenAPIHono validation hook: every field error at once, as `invalidParams`. A body that
 * is well-formed JSON but breaks the schema (including unknown fields) is 422; bad query or
 * path parameters are 400, as on the public API.
 */
export function validationHook(
  result: { success: true } | { success: false; error: z.ZodError; target: string },
  c: Context,
) {
  if (result.success) return;
  const location = locations[result.target] ?? 'body';
  const input =
    location === 'query' ? c.req.queries() : location === 'path' ? c.req.param() : undefined;
  const invalidParams = invalidParamsFromZod(result.error, location, input);
  const names = [...new Set(invalidParams.map((p) => p.name))].join(', ');
  if (location === 'body') {
    throw new AppError('unprocessable', {
      detail: `The request body is invalid at: ${names}`,
      invalidParams,
    });
  }
  throw new AppError('invalid_parameter', {
    detail: `Invalid ${location} parameter${invalidParams.length > 1 ? 's' : ''}: ${names}`,
    invalidParams,
  });
}
