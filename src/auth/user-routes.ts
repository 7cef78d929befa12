import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { auditContext } from '../authoring/audit';
import { jsonBody, security } from '../authoring/openapi';
import { tokenRoles } from '../db/schema';
import type { AppEnv } from '../env';
import { nowDate } from '../lib/clock';
import { AppError } from '../lib/errors';
import { jsonContent, problemResponses } from '../lib/openapi';
import {
  changeOwnPassword,
  createAccount,
  disableTotp,
  enableTotp,
  newUserInput,
  passwordChangeInput,
  revokeSession,
  totpDisableInput,
  totpEnableInput,
  updateAccount,
  userChangesInput,
  type CommandContext,
} from './account-commands';
import { requireAccount, requireRole } from './middleware';
import { primaryDb } from './session';
import { listLiveSessionsQuery } from './user-sessions';
import { listUsers, newTotpSecret, type UserInfo } from './users';

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

/** The request's actor, request id and time, for the account commands. */
export function commandContext(c: Context<AppEnv>): CommandContext {
  return { ...auditContext(c), at: nowDate() };
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
        body: jsonBody(newUserInput),
      },
      responses: {
        201: jsonContent(z.object({ data: userView }), 'The new account'),
        ...problemResponses(400, 401, 403, 409, 415, 422, 429),
      },
    }),
    async (c) => {
      const user = await createAccount(primaryDb(c), commandContext(c), c.req.valid('json'));
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
        body: jsonBody(userChangesInput),
      },
      responses: {
        200: jsonContent(z.object({ data: userView }), 'The account as it is now'),
        ...problemResponses(400, 401, 403, 404, 409, 415, 422, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const me = c.var.principal!;
      const user = await updateAccount(
        primaryDb(c),
        { ...commandContext(c), self: me.kind === 'user' ? me.id : undefined },
        id,
        c.req.valid('json'),
      );
      return c.json({ data: presentUser(user) }, 200);
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
      // Anyone but an admin ends only their own; a token (never a session's owner) none but as admin.
      const owner = me.role === 'admin' ? undefined : me.kind === 'user' ? me.id : -1;
      await revokeSession(primaryDb(c), commandContext(c), id, owner);
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
        body: jsonBody(passwordChangeInput),
      },
      responses: {
        204: { description: 'Changed' },
        ...problemResponses(401, 403, 415, 422, 429),
      },
    }),
    async (c) => {
      const me = sessionOnly(c);
      await changeOwnPassword(primaryDb(c), commandContext(c), me, c.req.valid('json'));
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
        body: jsonBody(totpEnableInput),
      },
      responses: {
        204: { description: 'On; sign-ins now need a code' },
        ...problemResponses(401, 403, 415, 422, 429),
      },
    }),
    async (c) => {
      const me = sessionOnly(c);
      await enableTotp(primaryDb(c), commandContext(c), me.id, c.req.valid('json'));
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/me/totp/disable',
      operationId: 'adminTotpDisable',
      tags: ['Admin: users'],
      summary: 'Turn your second factor off, with your password and a current code',
      description:
        'Someone who lost their authenticator asks an admin, who can remove it (PATCH /users/{id} with removeTotp).',
      security,
      middleware: [requireRole('admin', 'editor', 'reader-preview')] as const,
      request: { body: jsonBody(totpDisableInput) },
      responses: {
        204: { description: 'Off; sign-ins need only the password' },
        ...problemResponses(401, 403, 409, 415, 422, 429),
      },
    }),
    async (c) => {
      const me = sessionOnly(c);
      await disableTotp(primaryDb(c), commandContext(c), me.id, c.req.valid('json'));
      return c.body(null, 204);
    },
  );
}
