import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import * as OTPAuth from 'otpauth/bare';
import type { Database } from '../db/client';
import { users, userSessions, type TokenRole } from '../db/schema';
import { hashPassword, type PasswordHash } from './passwords';

/** Admin accounts (the web admin's people; API tokens stay for scripts). */

export type UserRow = typeof users.$inferSelect;
/** A user as anyone but the password check sees it: no hash, salt or TOTP secret. */
export type UserInfo = Omit<UserRow, 'passwordHash' | 'passwordSalt' | 'totpSecret'> & {
  totpEnabled: boolean;
};

export const usernamePattern = /^[a-z0-9][a-z0-9._-]{1,39}$/;

export function toUserInfo(row: UserRow): UserInfo {
  const { passwordHash: _h, passwordSalt: _s, totpSecret, ...rest } = row;
  return { ...rest, totpEnabled: totpSecret !== null };
}

export async function findUserByUsername(db: Database, username: string): Promise<UserRow | null> {
  const [row] = await db.select().from(users).where(eq(users.username, username)).limit(1);
  return row ?? null;
}

export async function findUserById(db: Database, id: number): Promise<UserRow | null> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return row ?? null;
}

export async function listUsers(db: Database): Promise<UserInfo[]> {
  const rows = await db.select().from(users).orderBy(asc(users.username));
  return rows.map(toUserInfo);
}

export interface NewUser {
  username: string;
  displayName: string;
  role: TokenRole;
  password: string;
  /** An initial password the person must replace at first sign-in (the default). */
  mustChangePassword?: boolean;
  at: Date;
}

/**
 * The insert for a new account, for callers that batch it or render it (the CLI). Sync on
 * purpose: an async function would resolve drizzle's thenable builder, running it.
 */
export function insertUserStatement(
  db: Database,
  input: Omit<NewUser, 'password'>,
  hash: PasswordHash,
) {
  return db
    .insert(users)
    .values({
      username: input.username,
      displayName: input.displayName,
      role: input.role,
      ...hash,
      mustChangePassword: input.mustChangePassword ?? true,
      createdAt: input.at,
      updatedAt: input.at,
    })
    .onConflictDoNothing({ target: users.username })
    .returning();
}

/** Creates an account; null when the username is taken. */
export async function createUser(db: Database, input: NewUser): Promise<UserInfo | null> {
  const [row] = await insertUserStatement(db, input, await hashPassword(input.password));
  return row ? toUserInfo(row) : null;
}

/** A new password; `mustChange` for a reset by an admin (the person picks their own next). */
export function setPasswordStatement(
  db: Database,
  id: number,
  hash: PasswordHash,
  options: { mustChange: boolean; at: Date },
) {
  return db
    .update(users)
    .set({ ...hash, mustChangePassword: options.mustChange, updatedAt: options.at })
    .where(eq(users.id, id))
    .returning({ id: users.id });
}

export interface UserChanges {
  displayName?: string;
  role?: TokenRole;
  disabled?: boolean;
}

export function updateUserStatement(db: Database, id: number, changes: UserChanges, at: Date) {
  return db
    .update(users)
    .set({
      ...(changes.displayName !== undefined ? { displayName: changes.displayName } : {}),
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.disabled !== undefined ? { disabledAt: changes.disabled ? at : null } : {}),
      updatedAt: at,
    })
    .where(eq(users.id, id))
    .returning();
}

/** Ends every live session of one account (after a disable, a role change or a new password). */
export function revokeUserSessionsStatement(
  db: Database,
  userId: number,
  at: Date,
  exceptSessionId?: number,
) {
  return db
    .update(userSessions)
    .set({ revokedAt: at })
    .where(
      and(
        eq(userSessions.userId, userId),
        isNull(userSessions.revokedAt),
        exceptSessionId === undefined ? sql`1` : sql`${userSessions.id} <> ${exceptSessionId}`,
      ),
    );
}

export function markSignedInStatement(db: Database, id: number, at: Date) {
  return db.update(users).set({ lastSignInAt: at }).where(eq(users.id, id));
}

// --- TOTP (RFC 6238): otpauth, a small, maintained library on @noble/hashes, runs in workerd.
// Its `bare` build, given the HMAC: the default build carries its own copy of @noble/hashes
// (every SHA-1/2/3) beside the one the worker already ships; Gazette's codes are SHA-1 only.
// That copy cost 17.3 KiB minified, 7.4 KiB gzipped of the 250 KiB budget (279.4 KiB before,
// 272.0 after).

const totpPeriod = 30;

function totpHmac(algorithm: string, key: Uint8Array, message: Uint8Array): Uint8Array {
  if (algorithm !== 'SHA1') throw new TypeError(`Unsupported TOTP algorithm: ${algorithm}`);
  return hmac(sha1, key, message);
}

function totpFor(secret: string, label = 'admin') {
  return new OTPAuth.TOTP({
    issuer: 'Gazette',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: totpPeriod,
    secret: OTPAuth.Secret.fromBase32(secret),
    hmac: totpHmac,
  });
}

/** A fresh secret and the otpauth:// URI an authenticator app reads (as a QR code or typed). */
export function newTotpSecret(label: string): { secret: string; uri: string } {
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  return { secret, uri: totpUri(secret, label) };
}

/** The otpauth:// URI of a secret being set up (shown again after a wrong confirmation code). */
export function totpUri(secret: string, label: string): string {
  return totpFor(secret, label).toString();
}

/**
 * The time step a code belongs to (one step either side for clock drift), or null when it
 * is wrong or its step is not after `lastStep` (a code works once).
 */
export function checkTotp(
  secret: string,
  code: string,
  at: Date,
  lastStep: number | null,
): number | null {
  if (!/^[0-9]{6}$/.test(code)) return null;
  const delta = totpFor(secret).validate({ token: code, timestamp: at.getTime(), window: 1 });
  if (delta === null) return null;
  const step = Math.floor(at.getTime() / 1000 / totpPeriod) + delta;
  if (lastStep !== null && step <= lastStep) return null;
  return step;
}

/** The current code, for tests and the setup check. */
export function totpCode(secret: string, at: Date): string {
  return totpFor(secret).generate({ timestamp: at.getTime() });
}

export function setTotpStatement(
  db: Database,
  id: number,
  totp: { secret: string; step: number } | null,
  at: Date,
) {
  return db
    .update(users)
    .set({ totpSecret: totp?.secret ?? null, totpLastStep: totp?.step ?? null, updatedAt: at })
    .where(eq(users.id, id));
}

/** Records an accepted code's step, only if it is still newer: two racing uses, one wins. */
export function useTotpStepStatement(db: Database, id: number, step: number) {
  return db
    .update(users)
    .set({ totpLastStep: step })
    .where(
      and(
        eq(users.id, id),
        sql`(${users.totpLastStep} is null or ${users.totpLastStep} < ${step})`,
      ),
    )
    .returning({ id: users.id });
}

export function countUsersQuery(db: Database) {
  return db.select({ n: sql<number>`count(*)` }).from(users);
}
