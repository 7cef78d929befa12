import type { Database } from '../db/client';
import { auditStatement } from '../authoring/audit';
import { burnPasswordTime, verifyPassword } from './passwords';
import { createSessionStatement, type SessionInfo } from './user-sessions';
import {
  checkTotp,
  findUserByUsername,
  markSignedInStatement,
  toUserInfo,
  useTotpStepStatement,
  type UserInfo,
} from './users';

export interface SignInInput {
  username: string;
  password: string;
  /** The authenticator code, when the account has TOTP on. */
  totp?: string;
  /** A hash of the client's address (never the address): the per-client rate-limit key. */
  clientKey: string;
  requestId?: string;
  at: Date;
}

export interface SignInLimits {
  account: RateLimit;
  client: RateLimit;
}

export type SignInResult =
  | { ok: true; token: string; session: SessionInfo; user: UserInfo }
  | { ok: false; reason: 'rate_limited' | 'invalid' | 'totp_required' | 'totp_invalid' };

async function keyOf(prefix: string, value: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    'SHA-256',
    new TextEncoder().encode(`${prefix}:${value}`),
  );
  return [...new Uint8Array(digest).slice(0, 16)]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}

/** The client's rate-limit key from its address; the address itself is never kept. */
export function clientKeyOf(address: string): Promise<string> {
  return keyOf('sign-in-client', address);
}

/**
 * Checks a username, password and (when the account has one) TOTP code and opens a session.
 * Every attempt counts against the account and the client before any password work, so
 * guessing stalls and cannot burn CPU. Unknown, disabled and wrong-password answers are one
 * answer, after the same PBKDF2 work, so they do not tell which usernames exist.
 */
export async function signIn(
  db: Database,
  limits: SignInLimits,
  input: SignInInput,
): Promise<SignInResult> {
  const username = input.username.trim().toLowerCase();
  const [account, client] = await Promise.all([
    limits.account.limit({ key: await keyOf('sign-in-account', username) }),
    limits.client.limit({ key: input.clientKey }),
  ]);
  if (!account.success || !client.success) return { ok: false, reason: 'rate_limited' };

  const row = username ? await findUserByUsername(db, username) : null;
  const audit = (user: NonNullable<typeof row>, outcome: 'ok' | 'failed') =>
    auditStatement(db, {
      actor: { name: user.username, role: user.role },
      action: 'session.sign-in',
      targetType: 'user',
      targetId: user.id,
      requestId: input.requestId,
      at: input.at,
      outcome,
    });
  const fail = async (reason: 'invalid' | 'totp_invalid') => {
    if (row) await audit(row, 'failed');
    return { ok: false as const, reason };
  };
  if (!row || row.disabledAt) {
    await burnPasswordTime(input.password);
    return fail('invalid');
  }
  if (!(await verifyPassword(input.password, row))) return fail('invalid');
  if (row.totpSecret) {
    if (!input.totp) return { ok: false, reason: 'totp_required' };
    const step = checkTotp(row.totpSecret, input.totp.trim(), input.at, row.totpLastStep);
    if (step === null) return fail('totp_invalid');
    const [used] = await useTotpStepStatement(db, row.id, step);
    if (!used) return fail('totp_invalid');
  }
  const { token, statement } = await createSessionStatement(db, row.id, input.at);
  const [[session]] = await db.batch([
    statement,
    markSignedInStatement(db, row.id, input.at),
    audit(row, 'ok'),
  ]);
  return {
    ok: true,
    token,
    session: session!,
    user: toUserInfo({ ...row, lastSignInAt: input.at }),
  };
}
