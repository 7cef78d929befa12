import type { Context, MiddlewareHandler } from 'hono';
import type { TokenRole } from '../db/schema';
import type { AppEnv, Principal } from '../env';
import { auditStatement } from '../authoring/audit';
import { nowDate } from '../lib/clock';
import { AppError } from '../lib/errors';
import { primaryDb } from './session';
import { getCookie } from 'hono/cookie';
import { tokenPattern, touchTokenStatement, verifyToken } from './tokens';
import {
  csrfTokenMatches,
  sessionCookie,
  touchSessionStatement,
  verifySession,
} from './user-sessions';

/** The header a signed-in browser's writes carry (src/client/admin/api.ts sends it). */
export const csrfHeader = 'X-CSRF-Token';
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

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
 * Fetch Metadata: the browser says whether a request comes from our own pages. Browsers that
 * send no Sec-Fetch-Site (old ones, scripts) are judged by Origin, when they send one.
 */
export function isSameOriginRequest(c: Context): boolean {
  const site = c.req.header('Sec-Fetch-Site');
  if (site) return site === 'same-origin';
  const origin = c.req.header('Origin');
  return origin === undefined || origin === new URL(c.req.url).origin;
}

/**
 * The cookie alone never authorizes a write: besides the session's CSRF token in a header
 * (which another site cannot read), the browser must say the request is same-origin
 * (Fetch Metadata), or, where a browser sends no Sec-Fetch-Site, its Origin must be ours.
 */
export async function checkCsrf(c: Context<AppEnv>, sessionToken: string, presented?: string) {
  if (!isSameOriginRequest(c)) {
    throw new AppError('csrf_failed', {
      detail: 'Signed-in writes must come from the admin pages themselves',
    });
  }
  const token = presented ?? c.req.header(csrfHeader);
  if (!token || !(await csrfTokenMatches(sessionToken, token))) {
    throw new AppError('csrf_failed', {
      detail: `Signed-in writes need the session's ${csrfHeader} header`,
    });
  }
}

const sessionRefusals = {
  unknown: 'The session is not valid; sign in again',
  expired: 'The session has expired; sign in again',
  revoked: 'The session was ended; sign in again',
  disabled: 'The session was ended; sign in again',
};

/**
 * The signed-in person of a request with a session cookie, or null when there is no cookie.
 * Writes must carry the session's CSRF token (checkCsrf), in the header or, for the admin
 * pages' own forms (`formCsrf`), in a field their handler checks before doing anything.
 * A cookie that is no longer valid is 401 (the admin pages then send the person to sign in).
 */
export async function sessionPrincipal(
  c: Context<AppEnv>,
  options: { formCsrf?: boolean } = {},
): Promise<Extract<Principal, { kind: 'user' }> | null> {
  const cookie = getCookie(c, sessionCookie);
  if (!cookie) return null;
  const db = primaryDb(c);
  const now = nowDate();
  const check = await verifySession(db, cookie, now);
  if (!check.ok) {
    return refuse(c, new AppError('unauthorized', { detail: sessionRefusals[check.reason] }));
  }
  const { user, session } = check;
  // Form posts of the admin pages carry the token in a field, which their handlers check.
  if (!safeMethods.has(c.req.method) && !options.formCsrf) await checkCsrf(c, cookie);
  waitUntil(c, touchSessionStatement(db, session.id, now).run());
  return {
    kind: 'user',
    id: user.id,
    name: user.username,
    displayName: user.displayName,
    role: user.role,
    sessionId: session.id,
    mustChangePassword: user.mustChangePassword,
  };
}

const tokenRefusals = {
  unknown: 'The token is not valid',
  revoked: 'The token was revoked',
  expired: 'The token has expired',
};

async function tokenPrincipal(c: Context<AppEnv>, header: string): Promise<Principal> {
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
    return refuse(c, unauthorized(tokenRefusals[check.reason], 'invalid_token'));
  }
  const { token } = check;
  waitUntil(c, touchTokenStatement(db, token.id, now).run());
  return { kind: 'token', id: token.id, name: token.name, role: token.role };
}

/**
 * Authentication and role check for admin routes: a bearer token (scripts) or the web admin's
 * session cookie with its CSRF token on writes. Sets `c.var.principal`.
 * 401 (with WWW-Authenticate) for missing, malformed, unknown, revoked or expired credentials;
 * 403 for a role not among `roles` (recorded in the audit log), a write without CSRF proof,
 * or a person who must first change their initial password (`allowPasswordChange` lets the
 * password routes through).
 */
export function requireRole(...roles: TokenRole[]): MiddlewareHandler<AppEnv> {
  return authenticate(roles, false);
}

/** Any signed-in person or token, even one that still has to change its password. */
export function requireAccount(): MiddlewareHandler<AppEnv> {
  return authenticate(['admin', 'editor', 'reader-preview'], true);
}

function authenticate(roles: TokenRole[], allowPasswordChange: boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('Authorization');
    const principal = header
      ? await tokenPrincipal(c, header)
      : ((await sessionPrincipal(c)) ??
        (await refuse(c, unauthorized('An API token or a signed-in session is required'))));
    c.set('principal', principal);
    const now = nowDate();

    if (principal.kind === 'user' && principal.mustChangePassword && !allowPasswordChange) {
      throw new AppError('password_change_required', {
        detail: 'Choose a new password first (POST /api/v1/admin/me/password)',
      });
    }
    if (!roles.includes(principal.role)) {
      if (!safeMethods.has(c.req.method)) {
        await auditStatement(primaryDb(c), {
          actor: { name: principal.name, role: principal.role },
          action: `${c.req.method} ${c.req.routePath}`,
          targetType: 'route',
          targetId: c.req.path,
          requestId: c.var.requestId,
          at: now,
          outcome: 'forbidden',
        });
      }
      throw new AppError('forbidden', {
        detail: `This needs the role ${roles.join(' or ')}; ${principal.kind === 'user' ? 'the account' : 'the token'} has ${principal.role}`,
      });
    }
    await next();
  };
}
