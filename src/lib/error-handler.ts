import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../env';
import { AppError, problemResponse, type ProblemCode } from './errors';
import { createLogger, describeError } from './logger';

const statusCodes: Partial<Record<number, ProblemCode>> = {
  400: 'invalid_parameter',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** The one renderer of errors as problem documents, for the app and the admin API alike. */
export function handleAppError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof AppError) return problemResponse(c, err);
  if (err instanceof HTTPException && err.status < 500) {
    const code = statusCodes[err.status] ?? 'invalid_parameter';
    return problemResponse(c, new AppError(code, { detail: err.message || undefined }));
  }
  const logger =
    c.get('logger') ?? createLogger(c.env?.LOG_LEVEL, { requestId: c.get('requestId') });
  logger.error('unhandled error', {
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    ...describeError(err),
  });
  return problemResponse(
    c,
    new AppError('internal_error', { detail: 'The error was logged with this request id.' }),
  );
}
