import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';

/**
 * Every problem Gazette can answer with. The code is the stable contract for clients;
 * the title is the human summary that goes with it (RFC 9457).
 */
export const problemCatalogue = {
  invalid_parameter: { status: 400, title: 'A request parameter is invalid' },
  invalid_body: { status: 400, title: 'The request body is invalid' },
  unauthorized: { status: 401, title: 'A valid API token is required' },
  forbidden: { status: 403, title: "The token's role does not allow this" },
  csrf_failed: {
    status: 403,
    title: "A signed-in write needs its session's CSRF token and a same-origin request",
  },
  password_change_required: {
    status: 403,
    title: 'The account must choose a new password before anything else',
  },
  not_found: { status: 404, title: 'The resource does not exist' },
  route_not_found: { status: 404, title: 'No such route' },
  method_not_allowed: { status: 405, title: 'The method is not allowed on this resource' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  gone: { status: 410, title: 'The resource was withdrawn' },
  precondition_failed: { status: 412, title: 'The resource changed since it was read' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'The request body has an unsupported media type' },
  media_file_missing: { status: 400, title: 'The upload has no file part' },
  media_extra_part: { status: 400, title: 'The upload must have exactly one file part' },
  media_empty: { status: 400, title: 'The uploaded file is empty' },
  media_truncated: {
    status: 400,
    title: 'The upload ended before the multipart body was complete',
  },
  media_length_mismatch: {
    status: 400,
    title: 'The body does not have the length Content-Length gives',
  },
  media_bad_name: { status: 400, title: 'The file name is not acceptable' },
  media_in_use: { status: 409, title: 'The file is still used by an article' },
  media_too_large: { status: 413, title: 'The file is larger than the upload limit' },
  media_type_unsupported: { status: 415, title: 'This kind of file is not accepted' },
  media_type_mismatch: {
    status: 415,
    title: "The file name's extension does not match its content",
  },
  range_not_satisfiable: { status: 416, title: 'The requested range is not satisfiable' },
  unprocessable: { status: 422, title: 'The request body is invalid' },
  precondition_required: { status: 428, title: 'The request must be conditional (If-Match)' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'An unexpected error occurred' },
  not_implemented: { status: 501, title: 'The requested format is not implemented' },
  counting_unavailable: { status: 503, title: 'View counting is temporarily unavailable' },
  storage_unavailable: { status: 503, title: 'The database is temporarily unavailable' },
  admin_unavailable: { status: 503, title: 'The admin service is temporarily unavailable' },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>;

export type ProblemCode = keyof typeof problemCatalogue;

/** The problem an error that carries only a status (Hono's HTTPException) stands for. */
const problemForStatus: Partial<Record<number, ProblemCode>> = {
  400: 'invalid_parameter',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  410: 'gone',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

export type ParameterLocation = 'query' | 'path' | 'header' | 'body' | 'cookie';

export interface InvalidParam {
  name: string;
  in: ParameterLocation;
  reason: string;
}

export interface AppErrorOptions {
  detail?: string;
  invalidParams?: InvalidParam[];
  headers?: Record<string, string>;
  cause?: unknown;
  /** Extension members of the problem document (RFC 9457 §3.2), e.g. the current version. */
  extensions?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: ProblemCode;
  readonly status: ContentfulStatusCode;
  readonly detail?: string;
  readonly invalidParams?: InvalidParam[];
  readonly headers?: Record<string, string>;
  readonly extensions?: Record<string, unknown>;

  constructor(code: ProblemCode, options: AppErrorOptions = {}) {
    super(options.detail ?? problemCatalogue[code].title, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = problemCatalogue[code].status;
    this.detail = options.detail;
    this.invalidParams = options.invalidParams;
    this.headers = options.headers;
    this.extensions = options.extensions;
  }

  static invalidParameter(name: string, location: ParameterLocation, reason: string): AppError {
    return new AppError('invalid_parameter', {
      detail: `The ${location} parameter '${name}' is invalid: ${reason}`,
      invalidParams: [{ name, in: location, reason }],
    });
  }
}

export function problemTypeUri(code: ProblemCode): string {
  return `/problems/${code.replaceAll('_', '-')}`;
}

/**
 * An unknown parameter's name is the caller's text, echoed back: keep it short and made of
 * letters, digits and -_.~[] only, so control, bidi-override or markup characters cannot
 * garble a log line or a careless UI. Real parameter names never need anything else.
 */
function printableName(name: string): string {
  const cleaned = name.replace(/[^\p{L}\p{N}\-_.~[\]]/gu, '\ufffd');
  return cleaned.length > 64 ? `${cleaned.slice(0, 64)}…` : cleaned;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * One entry per offending parameter. `input` is what was validated; zod does not keep it on
 * the issues, and it tells a missing parameter and a repeated one from a mistyped one.
 */
export function invalidParamsFromZod(
  error: z.core.$ZodError,
  location: ParameterLocation,
  input?: unknown,
): InvalidParam[] {
  return error.issues.flatMap((issue): InvalidParam[] => {
    const path = issue.path.map(String).join('.');
    let reason = issue.message;
    // Unknown keys arrive as one issue on the parent; name each key so a typo is obvious.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        name: printableName(key),
        in: location,
        reason: 'unknown parameter',
      }));
    }
    if (input !== undefined && issue.path.length > 0) {
      const value = valueAt(input, issue.path);
      if (value === undefined && issue.code === 'invalid_type') reason = 'is required';
      // A query parameter given more than once arrives as an array, whatever its schema.
      else if (Array.isArray(value) && location === 'query') reason = 'must be given only once';
    }
    return [{ name: path || location, in: location, reason }];
  });
}

export function validationError(
  error: z.core.$ZodError,
  location: ParameterLocation,
  input?: unknown,
): AppError {
  const invalidParams = invalidParamsFromZod(error, location, input);
  const names = [...new Set(invalidParams.map((p) => p.name))].join(', ');
  const code = location === 'body' ? 'invalid_body' : 'invalid_parameter';
  return new AppError(code, {
    detail:
      location === 'body'
        ? `The request body is invalid at: ${names}`
        : `Invalid ${location} parameter${invalidParams.length > 1 ? 's' : ''}: ${names}`,
    invalidParams,
  });
}

/**
 * The problem a thrown error is for the client: an AppError as it is, a client-side
 * HTTPException by its status; null for anything else, which is our failure to log.
 */
export function clientProblem(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  // A problem raised under a library's own error (drizzle wraps a failed query's error as its cause).
  for (let cause = (err as { cause?: unknown })?.cause, depth = 0; cause && depth < 3; depth++) {
    if (cause instanceof AppError) return cause;
    cause = (cause as { cause?: unknown }).cause;
  }
  if (err instanceof HTTPException && err.status < 500) {
    return new AppError(problemForStatus[err.status] ?? 'invalid_parameter', {
      detail: err.message || undefined,
    });
  }
  return null;
}

export interface ProblemDocument extends Record<string, unknown> {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail?: string;
  instance: string;
  requestId?: string;
  invalidParams?: InvalidParam[];
}

/** The problem for a path no route serves (the path as sent, as in problemDocument). */
export function routeNotFound(c: Context): AppError {
  return new AppError('route_not_found', {
    detail: `No route for ${c.req.method} ${new URL(c.req.url).pathname}`,
  });
}

export function problemDocument(c: Context, error: AppError): ProblemDocument {
  const doc: ProblemDocument = {
    ...error.extensions,
    type: problemTypeUri(error.code),
    title: problemCatalogue[error.code].title,
    status: error.status,
    code: error.code,
    // The path as sent, percent-encoded: c.req.path is decoded, and would echo the caller's markup.
    instance: new URL(c.req.url).pathname,
  };
  if (error.detail) doc.detail = error.detail;
  const requestId = c.get('requestId') as string | undefined;
  if (requestId) doc.requestId = requestId;
  if (error.invalidParams?.length) doc.invalidParams = error.invalidParams;
  return doc;
}

export function problemResponse(c: Context, error: AppError): Response {
  const headers = new Headers(error.headers);
  headers.set('Content-Type', 'application/problem+json; charset=utf-8');
  headers.set('Cache-Control', 'no-store');
  // Also when the problem comes from a nested app (the admin API), whose response never saw
  // the header assignRequestId prepared.
  const requestId = c.get('requestId') as string | undefined;
  if (requestId) headers.set('X-Request-Id', requestId);
  const body = c.req.method === 'HEAD' ? null : JSON.stringify(problemDocument(c, error));
  return new Response(body, { status: error.status, headers });
}
