import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { auditContext, auditStatement } from '../authoring/audit';
import { jsonBody, security } from '../authoring/openapi';
import { tokenRoles } from '../db/schema';
import type { AppEnv } from '../env';
import { nowDate } from '../lib/clock';
import { AppError } from '../lib/errors';
import { jsonContent, problemResponses } from '../lib/openapi';
import { requireAccount, requireRole } from './middleware';
import { hashPassword, maxPasswordLength, passwordProblem, verifyPassword } from './passwords';
import { primaryDb } from './session';
import { listLiveSessionsQuery, revokeSessionStatement } from './user-sessions';
import {
  checkTotp,
  createUser,
  findUserById,
  listUsers,
  newTotpSecret,
  revokeUserSessionsStatement,
  setPasswordStatement,
  setTotpStatement,
  updateUserStatement,
  usernamePattern,
  toUserInfo,
  type UserInfo,
} from './users';

/** Accounts and sessions of the web admin, on the admin API (the admin pages call these). */

// Like every admin operation: a bearer token, or the web admin's session cookie (README, Admin).
const admins = requireRole('admin');
const idPath = z.object({
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'must be a positive whole number')
    .transform(Number)
    .openapi({ param: { name: 'id', in: 'path' }, type: 'integer', example: 1 }),
});
const iso = (d: Date | null) => (d ? d.toISOString() : null);

const userView = z
  .object({
    id: z.number().int(),
    username: z.string(),
    displayName: z.string(),
    role: z.enum(tokenRoles),
    mustChangePassword: z.boolean(),
    totpEnabled: z.boolean(),
    disabled: z.boolean(),
    lastSignInAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('AdminUser');

export function presentUser(u: UserInfo) {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    mustChangePassword: u.mustChangePassword,
    totpEnabled: u.totpEnabled,
    disabled: u.disabledAt !== null,
    lastSignInAt: iso(u.lastSignInAt),
    createdAt: u.createdAt.toISOString(),
  };
}

const sessionView = z
  .object({
    id: z.number().int(),
    user: z.object({ id: z.number().int(), username: z.string(), displayName: z.string() }),
    createdAt: z.string(),
    expiresAt: z.string(),
    lastSeenAt: z.string(),
    current: z.boolean(),
  })
  .openapi('AdminSession');

const password = () => z.string().min(1).max(maxPasswordLength);

function checkNewPassword(value: string, username: string, field: string) {
  const problem = passwordProblem(value, username);
  if (problem) {
    throw new AppError('unprocessable', {
      detail: `${field} ${problem}`,
      invalidParams: [{ name: field, in: 'body', reason: problem }],
    });
  }
}

function sessionOnly(c: { var: AppEnv['Variables'] }) {
  const p = c.var.principal!;
  if (p.kind !== 'user') {
    throw new AppError('forbidden', { detail: 'This is for a signed-in person, not a token' });
  }
  return p;
}

export function registerUserRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/users',
      operationId: 'adminListUsers',
      tags: ['Admin: users'],
      summary: 'Every admin account',
      security,
      middleware: [admins] as const,
      responses: {
        200: jsonContent(z.object({ data: z.array(userView) }), 'Accounts by username'),
        ...problemResponses(401, 403, 429),
      },
    }),
    async (c) => c.json({ data: (await listUsers(primaryDb(c))).map(presentUser) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users',
      operationId: 'adminCreateUser',
      tags: ['Admin: users'],
      summary: 'Create an account with an initial password, to be changed at first sign-in',
      security,
      middleware: [admins] as const,
      request: {
        body: jsonBody(
          z
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
            .strict(),
        ),
      },
      responses: {
        201: jsonContent(z.object({ data: userView }), 'The new account'),
        ...problemResponses(400, 401, 403, 409, 415, 422, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      checkNewPassword(body.password, body.username, 'password');
      const db = primaryDb(c);
      const at = nowDate();
      const user = await createUser(db, { ...body, at });
      if (!user)
        throw new AppError('conflict', { detail: `The username ${body.username} is taken` });
      await auditStatement(db, {
        ...auditContext(c),
        at,
        action: 'user.create',
        targetType: 'user',
        targetId: user.id,
        outcome: 'ok',
      });
      return c.json({ data: presentUser(user) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/users/{id}',
      operationId: 'adminUpdateUser',
      tags: ['Admin: users'],
      summary: 'Rename, change role, disable or enable, or reset the password of an account',
      description:
        'Disabling, a role change and a password reset end every session of the account; a reset password must be changed at the next sign-in.',
      security,
      middleware: [admins] as const,
      request: {
        params: idPath,
        body: jsonBody(
          z
            .object({
              displayName: z.string().trim().min(1).max(100).optional(),
              role: z.enum(tokenRoles).optional(),
              disabled: z.boolean().optional(),
              password: password().optional(),
              removeTotp: z.literal(true).optional(),
            })
            .strict(),
        ),
      },
      responses: {
        200: jsonContent(z.object({ data: userView }), 'The account as it is now'),
        ...problemResponses(400, 401, 403, 404, 409, 415, 422, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const db = primaryDb(c);
      const current = await findUserById(db, id);
      if (!current) throw new AppError('not_found', { detail: `No account ${id}` });
      const me = c.var.principal!;
      if (
        me.kind === 'user' &&
        me.id === id &&
        (body.disabled || (body.role && body.role !== 'admin'))
      ) {
        throw new AppError('conflict', {
          detail: 'An admin cannot disable or demote their own account (another admin can)',
        });
      }
      if (body.password) checkNewPassword(body.password, current.username, 'password');
      const at = nowDate();
      const endSessions =
        body.disabled === true ||
        (body.role !== undefined && body.role !== current.role) ||
        body.password !== undefined;
      const hash = body.password ? await hashPassword(body.password) : null;
      const changed = Object.keys(body);
      const [[row]] = await db.batch([
        updateUserStatement(db, id, body, at),
        ...(hash ? [setPasswordStatement(db, id, hash, { mustChange: true, at })] : []),
        ...(body.removeTotp ? [setTotpStatement(db, id, null, at)] : []),
        ...(endSessions ? [revokeUserSessionsStatement(db, id, at)] : []),
        auditStatement(db, {
          ...auditContext(c),
          at,
          action: 'user.update',
          targetType: 'user',
          targetId: id,
          changedFields: changed,
          outcome: 'ok',
        }),
      ]);
      const after = await findUserById(db, id);
      return c.json({ data: presentUser(toUserInfo(after ?? row!)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/sessions',
      operationId: 'adminListSessions',
      tags: ['Admin: users'],
      summary: 'Live sign-in sessions: all (admins) or your own',
      security,
      middleware: [requireAccount()] as const,
      request: {
        query: z
          .object({
            user: z
              .string()
              .regex(/^[1-9][0-9]{0,15}$/)
              .transform(Number)
              .optional(),
          })
          .strict(),
      },
      responses: {
        200: jsonContent(
          z.object({ data: z.array(sessionView) }),
          'Sessions, most recently used first',
        ),
        ...problemResponses(400, 401, 403, 429),
      },
    }),
    async (c) => {
      const me = c.var.principal!;
      let { user } = c.req.valid('query');
      if (me.role !== 'admin') {
        if (me.kind !== 'user' || (user !== undefined && user !== me.id)) {
          throw new AppError('forbidden', { detail: "Only admins see other people's sessions" });
        }
        user = me.id;
      }
      const rows = await listLiveSessionsQuery(primaryDb(c), nowDate(), user);
      return c.json(
        {
          data: rows.map((r) => ({
            id: r.id,
            user: { id: r.userId, username: r.username, displayName: r.displayName },
            createdAt: r.createdAt.toISOString(),
            expiresAt: r.expiresAt.toISOString(),
            lastSeenAt: r.lastSeenAt.toISOString(),
            current: me.kind === 'user' && me.sessionId === r.id,
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/sessions/{id}',
      operationId: 'adminRevokeSession',
      tags: ['Admin: users'],
      summary: "End a session at once (admins: anyone's; others: their own)",
      security,
      middleware: [requireAccount()] as const,
      request: { params: idPath },
      responses: {
        204: { description: 'Ended' },
        ...problemResponses(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const me = c.var.principal!;
      const db = primaryDb(c);
      const at = nowDate();
      const mine = me.kind === 'user' ? me.id : -1;
      const [revoked] = await db.batch([
        me.role === 'admin'
          ? revokeSessionStatement(db, id, at)
          : revokeSessionStatement(db, id, at, mine),
        auditStatement(
          db,
          {
            ...auditContext(c),
            at,
            action: 'session.revoke',
            targetType: 'session',
            targetId: id,
            outcome: 'ok',
          },
          sql`changes() > 0`,
        ),
      ]);
      if (!revoked.length) throw new AppError('not_found', { detail: `No live session ${id}` });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/me/password',
      operationId: 'adminChangePassword',
      tags: ['Admin: users'],
      summary: 'Change your own password (ends your other sessions)',
      security,
      middleware: [requireAccount()] as const,
      request: {
        body: jsonBody(z.object({ currentPassword: password(), newPassword: password() }).strict()),
      },
      responses: {
        204: { description: 'Changed' },
        ...problemResponses(401, 403, 415, 422, 429),
      },
    }),
    async (c) => {
      const me = sessionOnly(c);
      const body = c.req.valid('json');
      const db = primaryDb(c);
      const row = await findUserById(db, me.id);
      if (!row || !(await verifyPassword(body.currentPassword, row))) {
        throw new AppError('unprocessable', {
          detail: 'The current password is not right',
          invalidParams: [{ name: 'currentPassword', in: 'body', reason: 'is not right' }],
        });
      }
      checkNewPassword(body.newPassword, row.username, 'newPassword');
      if (body.newPassword === body.currentPassword) {
        throw new AppError('unprocessable', {
          detail: 'The new password must differ from the current one',
          invalidParams: [{ name: 'newPassword', in: 'body', reason: 'must differ' }],
        });
      }
      const at = nowDate();
      await db.batch([
        setPasswordStatement(db, me.id, await hashPassword(body.newPassword), {
          mustChange: false,
          at,
        }),
        revokeUserSessionsStatement(db, me.id, at, me.sessionId),
        auditStatement(db, {
          ...auditContext(c),
          at,
          action: 'user.password',
          targetType: 'user',
          targetId: me.id,
          outcome: 'ok',
        }),
      ]);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/me/totp/setup',
      operationId: 'adminTotpSetup',
      tags: ['Admin: users'],
      summary: 'A new TOTP secret to add to an authenticator app (not stored until confirmed)',
      security,
      middleware: [requireRole('admin', 'editor', 'reader-preview')] as const,
      responses: {
        200: jsonContent(
          z.object({ data: z.object({ secret: z.string(), uri: z.string() }) }),
          'The secret (base32) and its otpauth:// URI',
        ),
        ...problemResponses(401, 403, 429),
      },
    }),
    (c) => {
      const me = sessionOnly(c);
      return c.json({ data: newTotpSecret(me.name) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/me/totp',
      operationId: 'adminTotpEnable',
      tags: ['Admin: users'],
      summary: 'Turn the second factor on, with the secret from setup and a current code',
      security,
      middleware: [requireRole('admin', 'editor', 'reader-preview')] as const,
      request: {
        body: jsonBody(
          z
            .object({
              secret: z.string().regex(/^[A-Z2-7]{32}$/, 'must be the secret from setup'),
              code: z.string().regex(/^[0-9]{6}$/, 'must be the 6-digit code'),
            })
            .strict(),
        ),
      },
      responses: {
        204: { description: 'On; sign-ins now need a code' },
        ...problemResponses(401, 403, 415, 422, 429),
      },
    }),
    async (c) => {
      const me = sessionOnly(c);
      const { secret, code } = c.req.valid('json');
      const at = nowDate();
      const step = checkTotp(secret, code, at, null);
      if (step === null) {
        throw new AppError('unprocessable', {
          detail: 'The code does not match; check the phone clock and try the next code',
          invalidParams: [{ name: 'code', in: 'body', reason: 'does not match' }],
        });
      }
      const db = primaryDb(c);
      await db.batch([
        setTotpStatement(db, me.id, { secret, step }, at),
        auditStatement(db, {
          ...auditContext(c),
          at,
          action: 'user.totp-on',
          targetType: 'user',
          targetId: me.id,
          outcome: 'ok',
        }),
      ]);
      return c.body(null, 204);
    },
  );
}
