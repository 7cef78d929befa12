import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { requireRole } from '../auth/middleware';
import { bookmarkHeader, primaryDb } from '../auth/session';
import { listTokensQuery } from '../auth/tokens';
import { tokenRoles, auditOutcomes } from '../db/schema';
import type { AppEnv } from '../env';
import { dispatchTo, handErrorsOn, outerRequest } from '../lib/sub-app';
import { jsonContent, problemResponses } from '../lib/openapi';
import { listAudit } from './audit';
import { registerArticleRoutes } from './article-routes';
import { registerRevisionRoutes } from './revision-routes';
import { registerTaxonomyRoutes } from './taxonomy-routes';
import { limitBody, noStore, parseJsonBody, validationHook } from './http';
import { webhookRoutes } from '../webhooks/routes';
import { transferRoutes } from '../transfer/routes';
import { jsonBody, security } from './openapi';
import { adminPageLimit, idParams } from './schemas';
import { commandContext, registerUserRoutes } from '../auth/user-routes';
import { createApiToken, newTokenInput, revokeApiToken } from '../auth/account-commands';

export const adminPrefix = '/api/v1/admin';
const iso = (d: Date | null) => (d ? d.toISOString() : null);

const tokenView = z
  .object({
    id: z.number().int(),
    name: z.string(),
    role: z.enum(tokenRoles),
    expiresAt: z.string().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiToken');

function presentToken(t: {
  id: number;
  name: string;
  role: (typeof tokenRoles)[number];
  expiresAt: Date | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}) {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    expiresAt: iso(t.expiresAt),
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: iso(t.lastUsedAt),
    revokedAt: iso(t.revokedAt),
  };
}

function buildAdminApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'gz_ API token (npm run token -- create)',
    description: 'An API token: Authorization: Bearer gz_…',
  });
  app.use('*', noStore, bookmarkHeader, limitBody, parseJsonBody);
  registerArticleRoutes(app);
  registerRevisionRoutes(app);
  registerTaxonomyRoutes(app);
  registerUserRoutes(app);
  app.route('/webhooks', webhookRoutes());

  app.openapi(
    createRoute({
      method: 'get',
      path: '/whoami',
      operationId: 'adminWhoami',
      tags: ['Admin'],
      summary: "The calling token's name and role",
      security,
      middleware: [requireRole('admin', 'editor', 'reader-preview')] as const,
      responses: {
        200: jsonContent(
          z.object({
            data: z.object({ id: z.number(), name: z.string(), role: z.enum(tokenRoles) }),
          }),
          'The principal',
        ),
        ...problemResponses(401, 429),
      },
    }),
    (c) => {
      const p = c.var.principal!;
      return c.json({ data: { id: p.id, name: p.name, role: p.role } }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tokens',
      operationId: 'adminListTokens',
      tags: ['Admin: tokens'],
      summary: 'Every API token (never the secret)',
      security,
      middleware: [requireRole('admin')] as const,
      responses: {
        200: jsonContent(z.object({ data: z.array(tokenView) }), 'Tokens, newest first'),
        ...problemResponses(401, 403, 429),
      },
    }),
    async (c) => {
      const rows = await listTokensQuery(primaryDb(c));
      return c.json({ data: rows.map(presentToken) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tokens',
      operationId: 'adminCreateToken',
      tags: ['Admin: tokens'],
      summary: 'Create a token; the secret is in this response only',
      security,
      middleware: [requireRole('admin')] as const,
      request: {
        body: jsonBody(newTokenInput),
      },
      responses: {
        201: jsonContent(
          z.object({ data: tokenView.extend({ token: z.string() }) }),
          'The new token, with its secret',
        ),
        ...problemResponses(400, 401, 403, 413, 415, 422, 429),
      },
    }),
    async (c) => {
      const { token, info } = await createApiToken(
        primaryDb(c),
        commandContext(c),
        c.req.valid('json'),
      );
      return c.json({ data: { ...presentToken(info), token } }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/tokens/{id}',
      operationId: 'adminRevokeToken',
      tags: ['Admin: tokens'],
      summary: 'Revoke a token at once',
      security,
      middleware: [requireRole('admin')] as const,
      request: { params: idParams() },
      responses: {
        204: { description: 'Revoked' },
        ...problemResponses(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      await revokeApiToken(primaryDb(c), commandContext(c), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit',
      operationId: 'adminListAudit',
      tags: ['Admin: audit'],
      summary: 'The audit log, newest first',
      security,
      middleware: [requireRole('admin')] as const,
      request: {
        query: z
          .object({
            actor: z.string().max(100).optional(),
            action: z.string().max(100).optional(),
            targetType: z.string().max(50).optional(),
            targetId: z.string().max(200).optional(),
            outcome: z.enum(auditOutcomes).optional(),
            since: z.iso.datetime({ offset: true }).optional(),
            before: z
              .string()
              .regex(/^[1-9][0-9]{0,15}$/, 'must be an audit entry id')
              .transform(Number)
              .optional(),
            limit: adminPageLimit(),
          })
          .strict(),
      },
      responses: {
        200: jsonContent(
          z.object({
            data: z.array(
              z.object({
                id: z.number(),
                at: z.string(),
                actor: z.object({ name: z.string(), role: z.string() }),
                action: z.string(),
                target: z.object({ type: z.string(), id: z.string().nullable() }),
                requestId: z.string().nullable(),
                changedFields: z.array(z.string()).nullable(),
                outcome: z.enum(auditOutcomes),
              }),
            ),
            meta: z.object({ nextBefore: z.number().nullable() }),
          }),
          'Audit entries; pass meta.nextBefore as ?before= for the next page',
        ),
        ...problemResponses(400, 401, 403, 429),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const limit = q.limit ?? 50;
      const rows = await listAudit(primaryDb(c), {
        actorName: q.actor,
        action: q.action,
        targetType: q.targetType,
        targetId: q.targetId,
        outcome: q.outcome,
        since: q.since ? new Date(q.since) : undefined,
        beforeId: q.before,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      return c.json(
        {
          data: page.map((r) => ({
            id: r.id,
            at: r.at.toISOString(),
            actor: { name: r.actorName, role: r.actorRole },
            action: r.action,
            target: { type: r.targetType, id: r.targetId },
            requestId: r.requestId,
            changedFields: r.changedFields ? (JSON.parse(r.changedFields) as string[]) : null,
            outcome: r.outcome,
          })),
          meta: { nextBefore: rows.length > limit ? page.at(-1)!.id : null },
        },
        200,
      );
    },
  );

  return app;
}

let built: Hono<AppEnv> | undefined;
let api: ReturnType<typeof buildAdminApp> | undefined;
let transfer: ReturnType<typeof transferRoutes> | undefined;

function adminApp() {
  if (!built) {
    api = buildAdminApp();
    built = new Hono<AppEnv>();
    built.use(outerRequest);
    // Import and export first: an import file streams past the admin API's 1 MB body limit.
    transfer = transferRoutes();
    built.route(adminPrefix, transfer);
    built.route(adminPrefix, api);
    handErrorsOn(built);
  }
  return built;
}

/** Runs an /api/v1/admin request through the admin API with the outer request's id and logger. */
export function dispatch(c: Context<AppEnv>): Promise<Response> {
  return dispatchTo(adminApp(), c);
}

/** The admin API's OpenAPI paths (with their /api/v1/admin prefix) and components. */
export function adminDescription() {
  adminApp();
  const doc = api!.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'Gazette admin API', version: '1.0.0' },
  });
  const transferDoc = transfer!.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'Gazette import and export', version: '1.0.0' },
  });
  const paths = Object.fromEntries(
    Object.entries({ ...doc.paths, ...transferDoc.paths }).map(([path, item]) => [
      adminPrefix + path,
      item,
    ]),
  );
  return {
    paths,
    components: {
      ...doc.components,
      schemas: { ...doc.components?.schemas, ...transferDoc.components?.schemas },
    },
  };
}
