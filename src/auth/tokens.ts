import { and, desc, eq, getTableColumns, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { apiTokens, type TokenRole } from '../db/schema';
import { randomSecret } from '../lib/base64url';

/**
 * API tokens: `gz_` (so secret scanners can spot a leaked one) and 256 random bits in
 * base64url. Only the SHA-256 of a token is stored; a database leak gives no usable token.
 */
export const tokenPrefix = 'gz_';
export const tokenPattern = /^gz_[A-Za-z0-9_-]{43}$/;

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function generateToken(): string {
  return randomSecret(tokenPrefix);
}

export async function hashToken(token: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
}

/**
 * Constant-time equality of two hex digests. Both sides are hashes of the same length, so
 * timingSafeEqual (which leaks length) learns nothing about the secret.
 */
export function sameDigest(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  if (left.byteLength !== right.byteLength) return false;
  return crypto.subtle.timingSafeEqual(left, right);
}

export type TokenRow = typeof apiTokens.$inferSelect;
export type TokenInfo = Omit<TokenRow, 'tokenHash'>;

// Every column but the hash: nothing read for display ever carries it.
const { tokenHash: _hash, ...infoColumns } = getTableColumns(apiTokens);

export function insertTokenStatement(
  db: Database,
  input: { name: string; role: TokenRole; tokenHash: string; expiresAt?: Date | null; at: Date },
) {
  return db
    .insert(apiTokens)
    .values({
      name: input.name,
      role: input.role,
      tokenHash: input.tokenHash,
      expiresAt: input.expiresAt ?? null,
      createdAt: input.at,
    })
    .returning(infoColumns);
}

/** Creates a token and returns it once; only its hash stays in D1. */
export async function createToken(
  db: Database,
  input: { name: string; role: TokenRole; expiresAt?: Date | null; at: Date },
): Promise<{ token: string; info: TokenInfo }> {
  const token = generateToken();
  const [info] = await insertTokenStatement(db, { ...input, tokenHash: await hashToken(token) });
  return { token, info: info! };
}

export function findTokenByHashQuery(db: Database, tokenHash: string) {
  return db.select().from(apiTokens).where(eq(apiTokens.tokenHash, tokenHash)).limit(1);
}

export type TokenCheck =
  { ok: true; token: TokenInfo } | { ok: false; reason: 'unknown' | 'revoked' | 'expired' };

/** Looks a presented token up by its hash and says whether it may be used at `now`. */
export async function verifyToken(db: Database, presented: string, now: Date): Promise<TokenCheck> {
  const digest = await hashToken(presented);
  const [row] = await findTokenByHashQuery(db, digest);
  if (!row || !sameDigest(row.tokenHash, digest)) return { ok: false, reason: 'unknown' };
  if (row.revokedAt) return { ok: false, reason: 'revoked' };
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) {
    return { ok: false, reason: 'expired' };
  }
  const { tokenHash: _hash, ...token } = row;
  return { ok: true, token };
}

/** Records use at most once a minute, so a busy token does not write on every request. */
export function touchTokenStatement(db: Database, id: number, now: Date) {
  return db
    .update(apiTokens)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiTokens.id, id),
        or(
          isNull(apiTokens.lastUsedAt),
          lt(apiTokens.lastUsedAt, new Date(now.getTime() - 60_000)),
        ),
      ),
    );
}

export function listTokensQuery(db: Database) {
  return db.select(infoColumns).from(apiTokens).orderBy(desc(apiTokens.id));
}

export function revokeTokenStatement(
  db: Database,
  by: { id: number } | { name: string },
  now: Date,
) {
  return db
    .update(apiTokens)
    .set({ revokedAt: now })
    .where(
      and(
        'id' in by ? eq(apiTokens.id, by.id) : eq(apiTokens.name, by.name),
        isNull(apiTokens.revokedAt),
      ),
    )
    .returning({ id: apiTokens.id, name: apiTokens.name });
}

/** How many tokens exist, for the listing scripts print. */
export function tokenCountQuery(db: Database) {
  return db.select({ n: sql<number>`count(*)` }).from(apiTokens);
}
