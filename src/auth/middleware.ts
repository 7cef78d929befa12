import type { Context, MiddlewareHandler } from 'hono';
import type { TokenRole } from '../db/schema';
import type { AppEnv } from '../env';
import { auditStatement } from '../authoring/audit';
import { nowDate } from '../lib/clock';
import { AppError } from '../lib/errors';
import { primaryDb } from './session';
import { tokenPattern, touchTokenStatement, verifyToken } from './tokens';

const realm = 'Bearer realm="gazette"';

function unauthorized(detail: string, error?: 'invalid_request' | 'invalid_token'): AppError {
  return new AppError('unauthorized', {
    detail,
    // RFC 6750 §3: no error code when the request carried no credentials at all.
    headers: {
      'WWW-Authenticate': error
        ? `${realm}, error="${error}", error_description="${detail}"`
        : realm,
    },
  });
}

/** The client's rate-limit key: a hash of its address, never the address itself. */
async function clientKey(c: Context<AppEnv>): Promise<string> {
  const address = c.req.header('CF-Connecting-IP') ?? 'unknown';
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`auth:${address}`));
  return [...new Uint8Array(digest).slice(0, 16)]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}

/**
 * Counts a failed attempt; past the limit the answer is 429 instead of 401, so guessing tokens
 * from one client stalls. Successful requests are not counted: automation with a valid token
 * (an import, the seed) is never throttled by this.
 */
async function refuse(c: Context<AppEnv>, error: AppError): Promise<never> {
  const { success } = await c.env.AUTH_RATE_LIMITER.limit({ key: await clientKey(c) });
  if (!success) {
    throw new AppError('rate_limited', {
      detail: 'Too many failed authentication attempts; try again in a minute.',
      headers: { 'Retry-After': '60' },
    });
  }
  throw error;
}

function waitUntil(c: Context, promise: Promise<unknown>) {
  try {
    c.executionCtx.waitUntil(promise);
  } catch {
    void promise;
  }
}

/**
 * Bearer-token authentication and role check for admin routes. Sets `c.var.principal`.
 * 401 (with WWW-Authenticate) for a missing, malformed, unknown, revoked or expired token;
 * 403 for a valid token whose role is not among `roles` (recorded in the audit log).
 */
export function requireRole(...roles: TokenRole[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('Authorization');
    if (!header) return refuse(c, unauthorized('An API token is required'));
    const match = /^Bearer +(\S+)\s*$/i.exec(header);
    if (!match || !tokenPattern.test(match[1]!)) {
      return refuse(
        c,
        unauthorized('The Authorization header is not a Gazette bearer token', 'invalid_request'),
      );
    }
    const db = primaryDb(c);
    const now = nowDate();
    const check = await verifyToken(db, match[1]!, now);
    if (!check.ok) {
      const detail =
        check.reason === 'revoked'
          ? 'The token was revoked'
          : check.reason === 'expired'
            ? 'The token has expired'
            : 'The token is not valid';
      return refuse(c, unauthorized(detail, 'invalid_token'));
    }
    const { token } = check;
    c.set('principal', { kind: 'token', id: token.id, name: token.name, role: token.role });
    waitUntil(c, touchTokenStatement(db, token.id, now).run());

    if (!roles.includes(token.role)) {
      if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
        const path = new URL(c.req.url).pathname;
        await auditStatement(db, {
          actor: { name: token.name, role: token.role },
          action: `${c.req.method} ${c.req.routePath}`,
          targetType: 'route',
          targetId: path,
          requestId: c.var.requestId,
          at: now,
          outcome: 'forbidden',
        });
      }
      throw new AppError('forbidden', {
        detail: `This needs the role ${roles.join(' or ')}; the token has ${token.role}`,
      });
    }
    await next();
  };
}
