import { and, desc, eq, getTableColumns, gt, isNull, lt, or } from 'drizzle-orm';
import type { Database } from '../db/client';
import { users, userSessions } from '../db/schema';
import { hashToken, sameDigest } from './tokens';
import { toUserInfo, type UserInfo } from './users';
import { base64Url, randomSecret } from '../lib/base64url';

/**
 * Browser sessions of the web admin. The cookie carries 256 random bits; D1 keeps only their
 * SHA-256, so a database leak signs no one in. A session ends at the earliest of: its absolute
 * expiry (a working day), two idle hours, sign-out, revocation, or the account being disabled.
 */
export const sessionCookie = '__Host-gazette_session';
export const sessionLifetimeMs = 12 * 3_600_000;
export const sessionIdleMs = 2 * 3_600_000;
export const sessionPattern = /^gs_[A-Za-z0-9_-]{43}$/;

export type SessionRow = typeof userSessions.$inferSelect;
export type SessionInfo = Omit<SessionRow, 'tokenHash'>;

// Every column but the hash: nothing read for display ever carries it.
const { tokenHash: _hash, ...infoColumns } = getTableColumns(userSessions);

export async function createSessionStatement(db: Database, userId: number, at: Date) {
  const token = randomSecret('gs_');
  const statement = db
    .insert(userSessions)
    .values({
      userId,
      tokenHash: await hashToken(token),
      createdAt: at,
      expiresAt: new Date(at.getTime() + sessionLifetimeMs),
      lastSeenAt: at,
    })
    .returning(infoColumns);
  return { token, statement };
}

/**
 * The CSRF token of a session: derived from the cookie's secret (a different hash from the one
 * stored), so it needs no storage, changes with every session, and cannot be computed by
 * anyone who cannot read the cookie, which is HttpOnly.
 */
export async function csrfTokenFor(sessionToken: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    'SHA-256',
    new TextEncoder().encode(`gazette-csrf:${sessionToken}`),
  );
  return base64Url(digest);
}

export async function csrfTokenMatches(sessionToken: string, presented: string): Promise<boolean> {
  // Hash both sides, so the comparison is of equal lengths and constant time.
  return sameDigest(await hashToken(await csrfTokenFor(sessionToken)), await hashToken(presented));
}

export type SessionCheck =
  | { ok: true; session: SessionInfo; user: UserInfo }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' | 'disabled' };

export async function verifySession(
  db: Database,
  presented: string,
  now: Date,
): Promise<SessionCheck> {
  if (!sessionPattern.test(presented)) return { ok: false, reason: 'unknown' };
  const digest = await hashToken(presented);
  const [row] = await db
    .select({ session: userSessions, user: users })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(eq(userSessions.tokenHash, digest))
    .limit(1);
  if (!row || !sameDigest(row.session.tokenHash, digest)) return { ok: false, reason: 'unknown' };
  const { tokenHash: _hash, ...session } = row.session;
  if (session.revokedAt) return { ok: false, reason: 'revoked' };
  const t = now.getTime();
  if (session.expiresAt.getTime() <= t || session.lastSeenAt.getTime() + sessionIdleMs <= t) {
    return { ok: false, reason: 'expired' };
  }
  if (row.user.disabledAt) return { ok: false, reason: 'disabled' };
  return { ok: true, session, user: toUserInfo(row.user) };
}

/** Keeps the idle timer going, writing at most once a minute per session. */
export function touchSessionStatement(db: Database, id: number, now: Date) {
  return db
    .update(userSessions)
    .set({ lastSeenAt: now })
    .where(
      and(eq(userSessions.id, id), lt(userSessions.lastSeenAt, new Date(now.getTime() - 60_000))),
    );
}

/** Ends one session; with `ofUser`, only if it is that person's (someone ending their own). */
export function revokeSessionStatement(db: Database, id: number, at: Date, ofUser?: number) {
  return db
    .update(userSessions)
    .set({ revokedAt: at })
    .where(
      and(
        eq(userSessions.id, id),
        isNull(userSessions.revokedAt),
        ofUser === undefined ? undefined : eq(userSessions.userId, ofUser),
      ),
    )
    .returning({ id: userSessions.id, userId: userSessions.userId });
}

/** Live sessions (not revoked, not past their absolute expiry), newest first; all users or one. */
export function listLiveSessionsQuery(db: Database, now: Date, userId?: number) {
  return db
    .select({ ...infoColumns, username: users.username, displayName: users.displayName })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(
      and(
        isNull(userSessions.revokedAt),
        gt(userSessions.expiresAt, now),
        gt(userSessions.lastSeenAt, new Date(now.getTime() - sessionIdleMs)),
        userId === undefined ? undefined : eq(userSessions.userId, userId),
      ),
    )
    .orderBy(desc(userSessions.lastSeenAt));
}

/** Rows of sessions that can never be used again, for a cleanup. */
export function deleteDeadSessionsStatement(db: Database, now: Date) {
  return db
    .delete(userSessions)
    .where(or(lt(userSessions.expiresAt, now), lt(userSessions.revokedAt, now)));
}
