import { sql } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { auditStatement, type Actor } from '../authoring/audit';
import type { Database } from '../db/client';
import { apiTokens, tokenRoles, type TokenRole } from '../db/schema';
import { AppError } from '../lib/errors';
import { hashPassword, maxPasswordLength, passwordProblem, verifyPassword } from './passwords';
import { createToken, revokeTokenStatement, type TokenInfo } from './tokens';
import { revokeSessionStatement } from './user-sessions';
import {
  checkTotp,
  createUser,
  findUserById,
  revokeUserSessionsStatement,
  setPasswordStatement,
  setTotpStatement,
  toUserInfo,
  updateUserStatement,
  usernamePattern,
  type UserInfo,
} from './users';

/**
 * The one write path for people, sessions and API tokens: the admin API's handlers and the
 * admin pages' forms both call these, so a rule (an admin cannot demote themself, a reset
 * ends the sessions) holds whichever way the write arrives. Each is one D1 batch with its
 * audit row; a refusal is an AppError with a stable code.
 */

export interface CommandContext {
  actor: Actor;
  requestId?: string;
  at: Date;
}

/** The signed-in person acting on their own account. */
export interface Self {
  id: number;
  sessionId: number;
}

const password = () => z.string().min(1).max(maxPasswordLength);

/** Bodies shared by the API's routes (as their OpenAPI schemas) and the pages' forms. */
export const newUserInput = z
  .object({
    username: z
      .string()
      .trim()
      .toLowerCase()
      .regex(usernamePattern, 'must be 2-40 lowercase letters, digits, . _ or -'),
    displayName: z.string().trim().min(1).max(100),
    role: z.enum(tokenRoles),
    password: password(),
  })
  .strict();

export const userChangesInput = z
  .object({
    displayName: z.string().trim().min(1).max(100).optional(),
    role: z.enum(tokenRoles).optional(),
    disabled: z.boolean().optional(),
    password: password().optional(),
    removeTotp: z.literal(true).optional(),
  })
  .strict();

export const passwordChangeInput = z
  .object({ currentPassword: password(), newPassword: password() })
  .strict();

export const totpEnableInput = z
  .object({
    secret: z.string().regex(/^[A-Z2-7]{32}$/, 'must be the secret from setup'),
    code: z.string().regex(/^[0-9]{6}$/, 'must be the 6-digit code'),
  })
  .strict();

export const totpDisableInput = z
  .object({
    password: password(),
    code: z.string().regex(/^[0-9]{6}$/, 'must be the 6-digit code'),
  })
  .strict();

export const newTokenInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: z.enum(tokenRoles),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

function checkNewPassword(value: string, username: string, field: string) {
  const problem = passwordProblem(value, username);
  if (problem) {
    throw new AppError('unprocessable', {
      detail: `${field} ${problem}`,
      invalidParams: [{ name: field, in: 'body', reason: problem }],
    });
  }
}

function wrong(field: string, detail: string, reason: string): AppError {
  return new AppError('unprocessable', {
    detail,
    invalidParams: [{ name: field, in: 'body', reason }],
  });
}

export async function createAccount(
  db: Database,
  ctx: CommandContext,
  input: z.output<typeof newUserInput>,
): Promise<UserInfo> {
  checkNewPassword(input.password, input.username, 'password');
  const user = await createUser(db, { ...input, at: ctx.at });
  if (!user) throw new AppError('conflict', { detail: `The username ${input.username} is taken` });
  await auditStatement(db, {
    ...ctx,
    action: 'user.create',
    targetType: 'user',
    targetId: user.id,
    outcome: 'ok',
  });
  return user;
}

/**
 * Renames, changes the role, disables or enables, resets the password (to be changed at the
 * next sign-in) or removes the second factor. Disabling, a role change and a reset end every
 * session of the account. `self` is the acting person's account id, when a person acts.
 */
export async function updateAccount(
  db: Database,
  ctx: CommandContext & { self?: number },
  id: number,
  changes: z.output<typeof userChangesInput>,
): Promise<UserInfo> {
  const current = await findUserById(db, id);
  if (!current) throw new AppError('not_found', { detail: `No account ${id}` });
  if (
    ctx.self === id &&
    (changes.disabled || (changes.role !== undefined && changes.role !== 'admin'))
  ) {
    throw new AppError('conflict', {
      detail: 'An admin cannot disable or demote their own account (another admin can)',
    });
  }
  if (changes.password) checkNewPassword(changes.password, current.username, 'password');
  const endSessions =
    changes.disabled === true ||
    (changes.role !== undefined && changes.role !== current.role) ||
    changes.password !== undefined;
  const hash = changes.password ? await hashPassword(changes.password) : null;
  const { at } = ctx;
  const [[row]] = await db.batch([
    updateUserStatement(db, id, changes, at),
    ...(hash ? [setPasswordStatement(db, id, hash, { mustChange: true, at })] : []),
    ...(changes.removeTotp ? [setTotpStatement(db, id, null, at)] : []),
    ...(endSessions ? [revokeUserSessionsStatement(db, id, at)] : []),
    auditStatement(db, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      at,
      action: 'user.update',
      targetType: 'user',
      targetId: id,
      changedFields: Object.keys(changes),
      outcome: 'ok',
    }),
  ]);
  const after = await findUserById(db, id);
  return toUserInfo(after ?? row!);
}

/** A person's own new password; their other sessions end, the current one stays. */
export async function changeOwnPassword(
  db: Database,
  ctx: CommandContext,
  self: Self,
  input: z.output<typeof passwordChangeInput>,
): Promise<void> {
  const row = await findUserById(db, self.id);
  if (!row || !(await verifyPassword(input.currentPassword, row))) {
    throw wrong('currentPassword', 'The current password is not right', 'is not right');
  }
  checkNewPassword(input.newPassword, row.username, 'newPassword');
  if (input.newPassword === input.currentPassword) {
    throw wrong('newPassword', 'The new password must differ from the current one', 'must differ');
  }
  const { at } = ctx;
  await db.batch([
    setPasswordStatement(db, self.id, await hashPassword(input.newPassword), {
      mustChange: false,
      at,
    }),
    revokeUserSessionsStatement(db, self.id, at, self.sessionId),
    auditStatement(db, {
      ...ctx,
      action: 'user.password',
      targetType: 'user',
      targetId: self.id,
      outcome: 'ok',
    }),
  ]);
}

/** Turns the second factor on with the secret from setup, proven by a current code. */
export async function enableTotp(
  db: Database,
  ctx: CommandContext,
  userId: number,
  input: z.output<typeof totpEnableInput>,
): Promise<void> {
  const step = checkTotp(input.secret, input.code, ctx.at, null);
  if (step === null) {
    throw wrong(
      'code',
      'The code does not match; check the phone clock and try the next code',
      'does not match',
    );
  }
  await db.batch([
    setTotpStatement(db, userId, { secret: input.secret, step }, ctx.at),
    auditStatement(db, {
      ...ctx,
      action: 'user.totp-on',
      targetType: 'user',
      targetId: userId,
      outcome: 'ok',
    }),
  ]);
}

/**
 * Turns one's own second factor off: the password and a current code both, so neither a
 * borrowed unlocked browser nor a stolen phone alone can weaken the account. (Someone who lost
 * the phone asks an admin, who can remove it: updateAccount's removeTotp.)
 */
export async function disableTotp(
  db: Database,
  ctx: CommandContext,
  userId: number,
  input: z.output<typeof totpDisableInput>,
): Promise<void> {
  const row = await findUserById(db, userId);
  if (!row || !(await verifyPassword(input.password, row))) {
    throw wrong('password', 'The password is not right', 'is not right');
  }
  if (!row.totpSecret) {
    throw new AppError('conflict', { detail: 'The second factor is not on for this account' });
  }
  if (checkTotp(row.totpSecret, input.code, ctx.at, row.totpLastStep) === null) {
    throw wrong('code', 'The code is wrong or was already used', 'does not match');
  }
  await db.batch([
    setTotpStatement(db, userId, null, ctx.at),
    auditStatement(db, {
      ...ctx,
      action: 'user.totp-off',
      targetType: 'user',
      targetId: userId,
      outcome: 'ok',
    }),
  ]);
}

/** Ends a session: an admin any, anyone else only their own (`ownerId`). */
export async function revokeSession(
  db: Database,
  ctx: CommandContext,
  sessionId: number,
  ownerId?: number,
): Promise<void> {
  const [revoked] = await db.batch([
    revokeSessionStatement(db, sessionId, ctx.at, ownerId),
    auditStatement(
      db,
      {
        ...ctx,
        action: 'session.revoke',
        targetType: 'session',
        targetId: sessionId,
        outcome: 'ok',
      },
      sql`changes() > 0`,
    ),
  ]);
  if (!revoked.length) throw new AppError('not_found', { detail: `No live session ${sessionId}` });
}

/** A new API token; the secret is in the result only, D1 keeps its hash. */
export async function createApiToken(
  db: Database,
  ctx: CommandContext,
  input: { name: string; role: TokenRole; expiresAt?: string },
): Promise<{ token: string; info: TokenInfo }> {
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  if (expiresAt && expiresAt <= ctx.at) {
    throw wrong('expiresAt', 'expiresAt must be in the future', 'must be in the future');
  }
  const created = await createToken(db, { ...input, expiresAt, at: ctx.at });
  await auditStatement(db, {
    ...ctx,
    action: 'token.create',
    targetType: 'token',
    targetId: created.info.id,
    outcome: 'ok',
  });
  return created;
}

export async function revokeApiToken(db: Database, ctx: CommandContext, id: number) {
  const [revoked] = await db.batch([
    revokeTokenStatement(db, { id }, ctx.at),
    // Recorded only when the revoke took effect, in the same transaction.
    auditStatement(
      db,
      { ...ctx, action: 'token.revoke', targetType: 'token', targetId: id, outcome: 'ok' },
      sql`exists (select 1 from ${apiTokens} where ${apiTokens.id} = ${id} and ${apiTokens.revokedAt} = ${ctx.at.getTime()})`,
    ),
  ]);
  if (!revoked.length) throw new AppError('not_found', { detail: `No active token ${id}` });
}
